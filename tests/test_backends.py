"""The same template gives the same traces under numpy, Cython and cpp_standalone.

Tolerance: 1e-6 mV on voltages and 1e-8 on gates over 40 ms with spikes.
The targets compile the same abstract code; differences come only from
compiler optimisations (Brian2 compiles with -ffast-math), so anything larger
means the targets run different code. cpp_standalone runs in a subprocess
(one Brian2 device per process).
"""

import numpy as np
import pytest

from backend_run import VARIABLES, assert_close, run, run_script


@pytest.fixture(scope="module")
def reference():
    return run("numpy")


def compare(reference, other):
    for var in VARIABLES:
        scale, tol = (1e3, 1e-6) if var.startswith("v_") else (1.0, 1e-8)
        assert_close(reference, other, var, scale, tol)
    # the check is not vacuous: the driven neurons spike
    assert np.sum(np.diff((reference["v_soma"][2] > 0).astype(int)) == 1) >= 2
    # the event drive (counter-based streams): the same events, bit for bit; each one
    # added 1 nS * norm to its target (about 20 x 2 kHz x 40 ms = 1600 events)
    for key in ("event_i", "event_t"):
        assert np.array_equal(reference[key], other[key]), f"{key} differs"
    assert len(reference["event_i"]) > 1000
    counts = np.bincount(reference["event_i"], minlength=20)
    np.testing.assert_allclose(other["drive_x"], counts * 2e-9, rtol=1e-12)


def test_cython_matches_numpy(reference):
    compare(reference, run("cython"))


@pytest.mark.standalone
def test_cpp_standalone_matches_numpy(reference, tmp_path):
    compare(reference, run_script("backend_run.py", "cpp_standalone", tmp_path))


def test_threads_wait_passively_unless_the_user_says(monkeypatch, tmp_path):
    """use(threads=2) runs the binary with OMP_WAIT_POLICY=passive (spinning threads made
    2 threads ~10x slower than one on a shared machine, docs/performance.md); a policy the
    user set is kept."""
    from brian2 import get_device, prefs

    from compartments import backends

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    try:
        backends.use("cpp_standalone", directory=str(tmp_path), threads=2)
        assert get_device().run_environment_variables["OMP_WAIT_POLICY"] == "passive"
    finally:
        get_device().run_environment_variables.pop("OMP_WAIT_POLICY", None)
        prefs.devices.cpp_standalone.openmp_threads = 0
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    assert backends.openmp_environment() == {}
