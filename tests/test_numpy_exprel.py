"""Brian2's numpy exprel without its unit-checking wrapper (compartments.backends): the same
function, the same numbers."""

import numpy as np
import scipy.special
from brian2 import Network, StateMonitor, nA
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.units import unitsafefunctions

import celltypes
from compartments import backends


def test_numpy_exprel_is_the_plain_function_and_matches_scipy():
    code = DEFAULT_FUNCTIONS["exprel"].implementations["numpy"].get_code(None)
    assert code is unitsafefunctions.exprel._orig_func
    x = np.array([-50.0, -1.0, -1e-12, 0.0, 1e-20, 1e-8, 0.5, 30.0, 700.0])
    np.testing.assert_allclose(code(x), scipy.special.exprel(x), rtol=1e-13)


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
        backends._unwrapped_numpy_exprel()
    fast = trace()
    assert np.ptp(fast[2]) > 0.05           # the largest step fires: the rates were used
    np.testing.assert_array_equal(fast, wrapped)
