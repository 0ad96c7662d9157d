"""The time step: the documented dt is the default, and a dt too large for a template's
fastest gating kinetics is warned about at make_group and at a run whose dt changed
(rule measured by benchmarks/dt_rule.py)."""

import warnings

import pytest
from brian2 import Network, defaultclock, ms

import celltypes
from compartments import StepTooLargeWarning
from compartments.guard import KINETICS_RATIO, check_kinetics_step, fastest_gate
from compartments.template import DEFAULT_DT, group_step


def test_brian2s_default_step_is_replaced_by_the_documented_one():
    defaultclock.dt = 0.1 * ms  # Brian2's own default: too coarse for spiking templates
    assert group_step(None) == (DEFAULT_DT, DEFAULT_DT)
    assert float(DEFAULT_DT / ms) == pytest.approx(0.025)
    defaultclock.dt = 0.01 * ms  # chosen by the user: followed
    step, own = group_step(None)
    assert float(step / ms) == pytest.approx(0.01) and own is None


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name", [n for n in celltypes.names() if n != "HH_squid"])
def test_the_documented_step_is_not_warned_about_for_any_catalogue_type(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", StepTooLargeWarning)
        check_kinetics_step(celltypes.get(name), DEFAULT_DT)


@pytest.mark.codegen_independent
def test_l5_ttpc_at_brian2s_default_step_is_warned_about():
    """At 0.1 ms L5_TTPC fires 49 spikes instead of the converged 35, with doublets."""
    cell = celltypes.get("L5_TTPC")
    tau, gate, _ = fastest_gate(cell)
    with pytest.warns(StepTooLargeWarning, match=rf"dt = 0.1 ms .* 'L5_TTPC'.* {gate},.*"
                                                 rf"Use dt <= "):
        check_kinetics_step(cell, 0.1 * ms)
    assert 0.1 * ms > KINETICS_RATIO * tau


def test_make_group_and_a_run_at_a_changed_clock_warn(numpy_target):
    cell = celltypes.get("TC")
    limit = KINETICS_RATIO * fastest_gate(cell)[0]
    with pytest.warns(StepTooLargeWarning, match="'TC'"):
        cell.make_group(1, dt=2 * limit)
    group = cell.make_group(1)  # follows defaultclock (0.025 ms, conftest): no warning
    defaultclock.dt = 2 * limit
    with pytest.warns(StepTooLargeWarning, match=f"dt = {float(2 * limit / ms):g} ms"):
        Network(group).run(float(2 * limit / ms) * 2 * ms)
    quiet = cell.make_group(1, check_step=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StepTooLargeWarning)
        Network(quiet).run(float(2 * limit / ms) * 2 * ms)
