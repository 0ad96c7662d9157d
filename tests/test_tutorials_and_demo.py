"""The tutorials and the README's main job run as a user would run them."""

import glob
import os
import runpy
import subprocess
import sys

import pandas as pd
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "tutorials", "*.py"))),
                         ids=os.path.basename)
def test_tutorial_runs(path):
    runpy.run_path(path, run_name="__main__")


def test_demo_writes_traces_and_figure(tmp_path):
    result = subprocess.run([sys.executable, "-m", "compartments.demo", "--out", str(tmp_path),
                             "--target", "numpy"], capture_output=True, text=True, timeout=600,
                            check=True)
    assert "traces:" in result.stdout and "figure:" in result.stdout
    csv = tmp_path / "demo_steps.csv"
    header = [line for line in open(csv) if line.startswith("#")]
    assert any("template_hash" in h for h in header) and any("brian2:" in h for h in header)
    df = pd.read_csv(csv, comment="#")
    assert {"t_ms", "neuron", "v_soma_mV", "v_apical_3_mV", "I_ext_soma_nA"} <= set(df.columns)
    peaks = df.groupby("neuron").v_soma_mV.max()
    assert peaks.iloc[0] < -60 and peaks.iloc[-1] > 0   # no current: rest; largest: spikes
    assert (tmp_path / "demo_steps.png").stat().st_size > 10_000
