"""A plastic circuit onto a template gives the same result under numpy, Cython and
cpp_standalone (synapse placement by distance, STDP, eligibility traces with a linked
third factor, NMDA, GABA_A).

Tolerance: 1e-6 mV on voltages, 1e-12 S on conductances, 1e-9 on weights; the targets
compile the same abstract code (Brian2 compiles with -ffast-math).
"""

import numpy as np
import pytest
from backend_run import assert_close, run_script

from synapse_backend_run import VARIABLES, run


@pytest.fixture(scope="module")
def reference():
    return run("numpy")


def compare(reference, other):
    for var in VARIABLES + ["w_stdp", "w_gated"]:
        scale, tol = (1e3, 1e-6) if var.startswith("v_") else (1.0, 1e-9)
        if var.startswith("g_"):
            tol = 1e-12
        assert_close(reference, other, var, scale, tol)
    # not vacuous: the cells spike, weights moved both ways, the gate converted something
    assert np.sum(np.diff((reference["v_soma"] > 0).astype(int), axis=1) == 1) >= 2
    assert np.ptp(reference["w_stdp"]) > 0.01
    assert np.max(np.abs(reference["w_gated"] - 1.0)) > 1e-4
    assert np.max(reference["e_HT1A"]) > 0.1                  # serotonin reached 5-HT1A


@pytest.mark.long
def test_cython_matches_numpy(reference):
    """Marked long: Cython compiles each of the ~20 code objects of this circuit separately
    (309 s cold on a loaded 2-core machine); the C++ of the same abstract code is checked by
    the standalone test (one compile, 67 s) and the template's Cython path by test_backends."""
    compare(reference, run("cython"))


@pytest.mark.standalone
def test_cpp_standalone_matches_numpy(reference, tmp_path):
    compare(reference, run_script("synapse_backend_run.py", "cpp_standalone", tmp_path,
                                  timeout=900))
