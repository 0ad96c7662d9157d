"""The tutorial notebooks and the README's commands run as a user would run them."""

import importlib.util
import os
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("tutorials_build",
                                               os.path.join(ROOT, "tutorials", "build.py"))
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)
SCRIPTS = build.scripts()


def test_every_tutorial_has_its_notebook():
    assert len(SCRIPTS) >= 5
    for script in SCRIPTS:
        notebook = nbformat.read(script[:-3] + ".ipynb", as_version=4)
        assert build.code_cells(notebook) == build.code_cells(build.notebook_of(script)), (
            f"{os.path.basename(script)} changed: run python tutorials/build.py")
        source = "\n".join(build.code_cells(notebook))
        assert "__file__" not in source and "matplotlib.use" not in source
        assert sum(c.cell_type == "markdown" for c in notebook.cells) >= 4   # prose
        assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
                   for c in notebook.cells if c.cell_type == "code" for o in c.outputs), (
            "the stored notebook shows no figure")


# Notebooks that compile a cpp_standalone project (05: 348 s wall at a load of ~17 on two
# cores, the costliest) run with the long tests; CI's budget keeps the others.
LONG = {"05_scale.py"}


@pytest.mark.parametrize("script", [pytest.param(s, marks=pytest.mark.long)
                                    if os.path.basename(s) in LONG else s for s in SCRIPTS],
                         ids=os.path.basename)
def test_notebook_runs_top_to_bottom(script):
    """Executed in a fresh kernel at the reduced size; figures are shown inline."""
    executed = build.execute(nbformat.read(script[:-3] + ".ipynb", as_version=4), quick=True)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)


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
