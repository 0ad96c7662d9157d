"""Modulated STDP gives the same weights under numpy, Cython and cpp_standalone.

tests/modulated_backend_run.py: four rules on one pool (released dopamine, a TimedArray of
noradrenaline) and a template cell's D1 effector. Tolerance 1e-9 on weights (the targets
compile the same abstract code; Brian2 compiles with -ffast-math). Both marked long: Cython
compiles each code object separately, standalone builds a project (minutes cold).
"""

import numpy as np
import pytest
from backend_run import assert_close, run_script

from modulated_backend_run import RULES, run


@pytest.fixture(scope="module")
def reference():
    return run("numpy")


def compare(reference, other):
    for name in RULES:
        assert_close(reference, other, f"w_{name}", 1.0, 1e-9)
    for name in RULES:                                   # not vacuous: every rule moved
        assert np.ptp(reference[f"w_{name}"]) > 1e-3, name
    assert reference["e_D1"].max() > 0.05                  # dopamine reached the cell's D1


@pytest.mark.long
def test_cython_matches_numpy(reference, tmp_path):
    compare(reference, run_script("modulated_backend_run.py", "cython", tmp_path, timeout=1500))


@pytest.mark.long
@pytest.mark.standalone
def test_cpp_standalone_matches_numpy(reference, tmp_path):
    compare(reference, run_script("modulated_backend_run.py", "cpp_standalone", tmp_path,
                                  timeout=1500))
