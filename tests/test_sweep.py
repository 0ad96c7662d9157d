"""Sweeps: designs, parameter spaces, batch evaluation, durable studies, resume, Dask."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from brian2 import DimensionMismatchError, cm, mV, ms, msiemens, nA, nM

from compartments import equilibrate
from compartments.analysis import features, protocols
from compartments.analysis.series import StepSeries
from compartments.space import ParameterSpace
from compartments.study import StudyMismatch, connect
from compartments.sweep import grid, latin_hypercube, random, sweep

from cells import hh_soma

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sweep_run  # noqa: E402


# -- designs (no simulation) -----------------------------------------------------------
@pytest.mark.codegen_independent
def test_grid_is_every_combination_first_name_slowest():
    d = grid({"E_leak_soma": [-70, -60] * mV, "scale(gbar_hhk_*)": [0.5, 1, 2]})
    assert len(d) == 6
    frame = d.frame()
    assert list(frame.columns) == ["candidate", "E_leak_soma_mV", "scale(gbar_hhk_*)"]
    np.testing.assert_allclose(frame.E_leak_soma_mV, [-70] * 3 + [-60] * 3)
    np.testing.assert_allclose(frame["scale(gbar_hhk_*)"], [0.5, 1, 2] * 2)


@pytest.mark.codegen_independent
def test_latin_hypercube_fills_every_stratum_and_is_seeded():
    bounds = {"gbar_kv3_soma": (10, 110) * msiemens / cm**2, "E_leak_soma": (-80, -60) * mV}
    d = latin_hypercube(bounds, n=20, seed=3)
    x = d.values("gbar_kv3_soma") / (msiemens / cm**2)
    strata = np.floor((np.asarray(x) - 10) / 100 * 20).astype(int)
    assert sorted(strata) == list(range(20))  # one sample per stratum
    again = latin_hypercube(bounds, n=20, seed=3)
    assert d.fingerprint() == again.fingerprint()
    assert d.fingerprint() != latin_hypercube(bounds, n=20, seed=4).fingerprint()
    logd = random({"gbar_kv3_soma": (1, 100) * msiemens / cm**2}, n=2000, seed=1,
                  log=["gbar_kv3_soma"])
    decades = np.log10(np.asarray(logd.values("gbar_kv3_soma") / (msiemens / cm**2)))
    assert abs(np.mean(decades < 1) - 0.5) < 0.05  # log-uniform: half below 10


@pytest.mark.codegen_independent
@pytest.mark.parametrize("call, error, match", [
    (lambda: grid({"E_leak_soma": [] * mV}), ValueError, "grid of 'E_leak_soma' is empty"),
    (lambda: grid({}), ValueError, "at least one parameter"),
    (lambda: random({"x": (1 * mV, 0 * mV)}, n=3), ValueError, "low < high"),
    (lambda: random({"x": (0 * mV, 1 * nA)}, n=3), DimensionMismatchError, "one unit"),
    (lambda: latin_hypercube({"x": (0 * mV, 1 * mV)}, n=0), ValueError, "positive integer"),
    (lambda: random({"x": (-1 * mV, 1 * mV)}, n=3, log=["x"]), ValueError, "positive for a log"),
    (lambda: random({"x": (1 * mV, 2 * mV)}, n=3, log=["y"]), ValueError, "names \\['y'\\]"),
])
def test_design_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.codegen_independent
def test_parameter_space_checks_names_and_units():
    cell = hh_soma()
    with pytest.raises(KeyError, match=r"Unknown parameter 'gbar_hhnaa_soma'.*close matches: "
                                       r"\['gbar_hhna_soma'"):
        ParameterSpace(cell, ["gbar_hhnaa_soma"])
    with pytest.raises(DimensionMismatchError, match=r"'E_leak_soma' must be in units of volt. "
                                                     r"Got values in amp"):
        sweep(cell, grid({"E_leak_soma": [0.1] * nA}), [_steps()], progress=False)
    with pytest.raises(KeyError, match="no receptor expression"):
        ParameterSpace(cell, ["DA"])
    space = ParameterSpace(cell, ["scale(gbar_hh*_soma)", "E_leak_soma"])
    values = space.assignments({"scale(gbar_hh*_soma)": np.array([2.0]),
                                "E_leak_soma": np.array([-0.06])}, repeat=2)
    defaults = cell.initial_values(1)
    np.testing.assert_allclose(values["gbar_hhna_soma"], 2 * defaults["gbar_hhna_soma"][0])
    np.testing.assert_allclose(values["gbar_hhk_soma"], 2 * defaults["gbar_hhk_soma"][0])
    assert values["E_leak_soma"].tolist() == [-0.06, -0.06]


def _steps():
    return StepSeries([-0.05, 0.1, 0.3] * nA, reference=0.3 * nA, delay=10 * ms,
                      duration=40 * ms, after=10 * ms)


# -- evaluation ------------------------------------------------------------------------
def test_sweep_rows_match_a_direct_run_of_each_candidate(numpy_target):
    """Every candidate's row equals the same protocol run on a group set up by hand (an
    independent path: setattr, equilibrate, protocols.steps, spike_features)."""
    design = grid({"E_leak_soma": [-70, -56] * mV, "scale(gbar_hhk_*)": [0.8, 1.25]})
    table = sweep(hh_soma(), design, [_steps()], batch_size=3, progress=False)
    assert table.candidate.tolist() == [0, 1, 2, 3] and set(table.status) == {"ok"}
    for _, row in table.iterrows():
        group = hh_soma().make_group(3)
        group.E_leak_soma = row.E_leak_soma_mV * mV
        group.gbar_hhk_soma_ = group.gbar_hhk_soma_[:] * row["scale(gbar_hhk_*)"]
        equilibrate(group)
        rec = protocols.steps(group, [-0.05, 0.1, 0.3] * nA, delay=10 * ms, duration=40 * ms,
                              after=10 * ms)
        f = features.spike_features(rec)
        assert row.v_rest_mV == pytest.approx(f.v_base_mV[0], abs=1e-9)
        assert row.R_in_MOhm == pytest.approx(f.R_in_MOhm[0], rel=1e-9)
        assert row.max_rate_Hz == f.rate_Hz[2]
        assert row.ap_halfwidth_ms == pytest.approx(f.ap_halfwidth_ms[2], rel=1e-9, nan_ok=True)
    assert table.max_rate_Hz[1] < table.max_rate_Hz[0]  # more K: fewer spikes


def test_diverging_candidates_are_marked_and_the_others_kept(numpy_target):
    # explicit Euler with a capacitance 1e-4 of the normal one is unstable at dt 0.025 ms
    design = grid({"scale(C_soma)": [1.0, 1e-4, 1.2]})
    table = sweep(hh_soma(), design, [_steps()], progress=False, method="euler")
    assert table.status[1].startswith("diverged: soma")
    assert np.isnan(table.max_rate_Hz[1])
    assert table.status[0] == table.status[2] == "ok" and table.max_rate_Hz[0] > 0


# -- durable studies -------------------------------------------------------------------
@pytest.mark.long  # a second process and three runs of the study (CI cost); resume of a
# stored study without a kill is in test_another_study_is_refused_and_failures_recorded
def test_kill_and_resume_every_candidate_once_values_identical(tmp_path, numpy_target):
    directory, out = tmp_path / "study", tmp_path / "resumed.parquet"
    script = os.path.join(HERE, "sweep_run.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(HERE),
                                                        os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, script, str(directory), str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    batches = directory / "batches"
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if batches.exists() and len(list(batches.glob("*.parquet"))) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # a real kill, mid-study
    proc.wait()
    done_before = sorted(p.name for p in batches.glob("*.parquet"))
    assert 2 <= len(done_before) < 6, done_before
    stamps = {p.name: p.stat().st_mtime_ns for p in batches.glob("*.parquet")}
    resumed = sweep_run.run(str(directory))
    for name, stamp in stamps.items():  # nothing stored was evaluated again
        assert (batches / name).stat().st_mtime_ns == stamp
    assert not list(batches.glob("*.tmp*"))
    reference = sweep_run.run(None)
    assert resumed.candidate.tolist() == list(range(len(sweep_run.DESIGN)))
    pd.testing.assert_frame_equal(resumed, reference)


def test_another_study_is_refused_and_failures_recorded(tmp_path, numpy_target, monkeypatch):
    directory = str(tmp_path / "s")
    small = grid({"E_leak_soma": [-70, -65] * mV})
    calls = []
    from compartments.evaluation import Evaluator

    original = Evaluator.evaluate

    def flaky(self, values):
        calls.append(float(values["E_leak_soma"][0]))
        if len(calls) == 1:
            raise RuntimeError("worker lost")
        return original(self, values)

    monkeypatch.setattr(Evaluator, "evaluate", flaky)
    first = sweep(hh_soma(), small, [_steps()], directory=directory, batch_size=1,
                  progress=False)
    assert first.status.tolist() == ["failed", "ok"]
    assert first.error[0] == "RuntimeError: worker lost" and np.isnan(first.max_rate_Hz[0])
    assert os.path.exists(os.path.join(directory, "failures", "b000000.json"))
    second = sweep(hh_soma(), small, [_steps()], directory=directory, batch_size=1,
                   progress=False)
    assert second.status.tolist() == ["ok", "ok"] and len(calls) == 3  # only the failed one
    assert not os.listdir(os.path.join(directory, "failures"))
    with pytest.raises(StudyMismatch, match="holds another study"):
        sweep(hh_soma(), grid({"E_leak_soma": [-70, -60] * mV}), [_steps()],
              directory=directory, batch_size=1, progress=False)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(StudyMismatch, match="not a study directory"):
        sweep(hh_soma(), small, [_steps()], directory=str(other), progress=False)


@pytest.mark.codegen_independent
def test_a_scheduler_that_does_not_answer_fails_within_seconds(monkeypatch):
    import compartments.study as study

    monkeypatch.setattr(study, "SCHEDULER_TIMEOUT", 1)
    start = time.time()
    with pytest.raises(ConnectionError, match=r"No Dask scheduler answered at "
                                              r"'tcp://127.0.0.1:9' within 1 s"):
        connect("tcp://127.0.0.1:9")
    assert time.time() - start < 10


@pytest.mark.long
def test_dask_local_cluster_gives_the_local_dataframe(numpy_target):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        remote = sweep_run.run(None, client=client)
    local = sweep_run.run(None)
    pd.testing.assert_frame_equal(remote, local)


def test_modulator_levels_are_swept_per_candidate(numpy_target):
    import celltypes

    design = grid({"ACh": [0, 1000] * nM})
    table = sweep(celltypes.get("TC"), design, [StepSeries([-0.02, 0.1] * nA, 0.1 * nA,
                                                           delay=20 * ms, duration=40 * ms,
                                                           after=5 * ms)],
                  progress=False)
    # ACh closes the K leak (M1) in TC cells: depolarised and higher input resistance
    assert table.v_rest_mV[1] > table.v_rest_mV[0] + 0.5
    assert list(table.columns[:2]) == ["candidate", "ACh_nM"]


# -- command line ----------------------------------------------------------------------
def _write_yaml(path, data):
    import yaml

    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_command_line_sweep_and_its_config_errors(tmp_path, numpy_target):
    from compartments.__main__ import ConfigError, main
    from compartments.serialization import save_template

    save_template(hh_soma(), tmp_path / "cell.json")
    config = {"template": str(tmp_path / "cell.json"),
              "design": {"kind": "grid", "values": {"E_leak_soma": [[-70, -60], "mV"]}},
              "protocols": [{"kind": "steps", "amplitudes_nA": [-0.05, 0.3], "reference_nA": 0.3,
                             "delay_ms": 10, "duration_ms": 40, "after_ms": 10}],
              "batch_size": 2, "target": "numpy", "directory": str(tmp_path / "study"),
              "output": str(tmp_path / "out.parquet")}
    assert main(["sweep", _write_yaml(tmp_path / "s.yaml", config), "--no-progress"]) == 0
    table = pd.read_parquet(tmp_path / "out.parquet")
    assert table.E_leak_soma_mV.tolist() == [-70.0, -60.0]
    assert table.v_rest_mV[1] > table.v_rest_mV[0]
    bad = dict(config, design={"kind": "sobol"})
    with pytest.raises(ConfigError, match="design.kind: grid, random or latin_hypercube"):
        main(["sweep", _write_yaml(tmp_path / "b.yaml", bad)])
    fit_config = dict(config, parameters={"gbar_hhk_soma": [3]}, targets={"v_rest_mV": [-65, 1]})
    with pytest.raises(ConfigError, match=r"parameters.gbar_hhk_soma: give \[low, high\]"):
        main(["fit", _write_yaml(tmp_path / "f.yaml", fit_config)])
