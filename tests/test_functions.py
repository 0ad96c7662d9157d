"""compartments.functions: Brian2's exprel on numpy without the slow unit-checking wrapper."""

import numpy as np
import scipy.special
from brian2 import Network, StateMonitor, nA
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.units import unitsafefunctions

import celltypes
from compartments import functions


def test_exprel_matches_scipy_including_zero_and_large_arguments():
    x = np.array([-50.0, -1.0, -1e-12, 0.0, 1e-20, 1e-8, 0.5, 30.0, 700.0])
    np.testing.assert_allclose(functions.exprel(x), scipy.special.exprel(x), rtol=1e-13)
    code = DEFAULT_FUNCTIONS["exprel"].implementations["numpy"].get_code(None)
    assert code is functions.exprel or code.__code__ is functions.exprel.__code__


def test_template_runs_are_identical_with_brian2s_wrapped_exprel(numpy_target):
    def trace():
        group = celltypes.get("PV_BC").make_group(3)
        group.I_ext_soma = [0.0, 1.0, 2.0] * nA
        mon = StateMonitor(group, "v_soma", record=True)
        Network(group, mon).run(400 * group.clock.dt)
        return np.asarray(mon.v_soma_)

    implementations = DEFAULT_FUNCTIONS["exprel"].implementations
    try:
        implementations.add_numpy_implementation(unitsafefunctions.exprel)  # Brian2's own
        wrapped = trace()
    finally:
        functions.install()
    fast = trace()
    assert np.ptp(fast[2]) > 0.05           # the largest step fires: the rates were used
    np.testing.assert_array_equal(fast, wrapped)
