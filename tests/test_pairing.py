"""STDP window protocols (compartments.analysis.pairing) and their figure.

Rule level: the window equals the pair-based closed form n_pairings * A exp(-|Δt|/tau)
(1e-9). Cell level (HH soma, passive dendrite with AMPA, one post spike
evoked per pairing by a 1 ms somatic pulse): with a weak synapse every
pairing gives one post spike and Δw equals the rule's closed form at the
*actual* Δt read from the spike monitor (1e-9) — the protocol measures what
the cell did; with a strong synapse the EPSP advances the post spike for
pre-before-post pairs (the back-propagating spike and the EPSP interact) and
the cell-level window departs from the rule-level one.
"""

import numpy as np
import pytest
from brian2 import ms, nA, nS, um

from compartments import CellTemplate, Compartment, channels, plotting
from compartments.analysis import stdp_window_cell, stdp_window_rule
from compartments.plasticity import STDP
from compartments.receptors import AMPA

pytestmark = pytest.mark.usefixtures("numpy_target")

RULE = STDP(A_plus=0.01, A_minus=0.0105, tau_plus=16.8 * ms, tau_minus=33.7 * ms)


def closed_form(dt_ms, n=1):
    dt_ms = np.asarray(dt_ms)
    return n * np.where(dt_ms >= 0, 0.01 * np.exp(-dt_ms / 16.8), -0.0105 * np.exp(dt_ms / 33.7))


def hh_cell():
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    dend = Compartment("dend", length=200 * um, diameter=2 * um, nseg=4,
                       channels=[channels.Leak(), AMPA()])
    return CellTemplate("hh_pairing", [soma, dend], [("soma", "dend")], celsius=6.3)


def test_rule_window_is_the_closed_form():
    dts = np.arange(-100, 101, 10)
    # 1 Hz (Bi & Poo 1998): consecutive pairings interact by < exp(-900/33.7) ~ 1e-12
    window = stdp_window_rule(RULE, dts * ms, n_pairings=3, period=1000 * ms)
    assert list(window.columns[:4]) == ["dt_ms", "w_before", "w_after", "dw"]
    # Δt = 0: pre and post in the same step; the pre pathway runs first, so it potentiates
    assert np.allclose(window.dw, closed_form(dts, 3), rtol=1e-9, atol=1e-15)


def test_cell_window_follows_the_actual_spike_times():
    dts = np.arange(-40, 41, 10)
    window = stdp_window_cell(hh_cell().make_group, RULE, {"ampa": 2 * nS}, dts * ms, at="dend",
                              pulse=1 * nA, pulse_duration=1 * ms, period=200 * ms)
    assert np.all(window.post_spikes == 1)
    latency = window.dt_ms - window.dt_nominal_ms
    assert np.all((latency > 0) & (latency < 3))          # the pulse evokes the spike
    assert np.allclose(window.dw, closed_form(window.dt_ms), rtol=1e-9, atol=1e-15)


def test_strong_epsp_advances_the_post_spike_and_reshapes_the_window(tmp_path):
    dts = np.arange(-10, 11, 2)
    cell_window = stdp_window_cell(hh_cell().make_group, RULE, {"ampa": 15 * nS}, dts * ms,
                                   at="dend", pulse=1 * nA, pulse_duration=1 * ms,
                                   period=200 * ms)
    latency = np.asarray(cell_window.dt_ms - cell_window.dt_nominal_ms)
    alone = latency[dts == -8][0]                          # EPSP after the spike: no effect
    assert np.all(latency[dts >= 4] < alone - 1.0)         # EPSP first: the spike comes early
    rule_window = stdp_window_rule(RULE, dts * ms, period=200 * ms)
    assert np.max(np.abs(cell_window.dw - rule_window.dw)) > 0.005
    path = tmp_path / "window.png"
    plotting.stdp_window_figure(rule_window, cell_window, path=str(path))
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("kwargs, match", [
    (dict(dts=[-10, 10]), "dts"),
    (dict(dts=[-10, 10] * ms, n_pairings=0), "n_pairings"),
    (dict(dts=[-60, 60] * ms, period=100 * ms), "period"),
])
def test_bad_protocol_input_is_named(kwargs, match):
    with pytest.raises((ValueError, TypeError, Exception), match=match):
        stdp_window_rule(RULE, **kwargs)


def test_window_protocol_runs_a_time_varying_factor():
    """The protocol runs every object the rule needs: a TimedArray third factor (0, then 2
    from 300 ms) converts the eligibility of each Δt; before the fix Δw was 0 at every Δt.
    Closed form: Δw = 2 c0 exp(-(300 - t_c)/tau_c) tau_c / tau_conv (conversion to the end,
    t_c the trace's jump, Euler error < 1 %)."""
    from brian2 import TimedArray, defaultclock

    from compartments.plasticity import EligibilitySTDP, third_factor

    defaultclock.dt = 0.1 * ms
    values = np.r_[np.zeros(30), 2 * np.ones(2000)]
    factor = third_factor(timed_array=TimedArray(values, dt=10 * ms))
    rule = EligibilitySTDP(A_plus=0.01, A_minus=0.01, tau_plus=20 * ms, tau_minus=20 * ms,
                           tau_ltp=100 * ms, tau_ltd=100 * ms, factor=factor,
                           tau_conversion=50 * ms)
    dts = np.array([-10.0, 10.0])
    window = stdp_window_rule(rule, dts * ms, period=2000 * ms)
    t_jump = np.where(dts > 0, 11.0, 21.0)        # post at 11 ms; pre 10 ms after it
    c0 = 0.01 * np.exp(-np.abs(dts) / 20)
    expected = np.sign(dts) * 2 * c0 * np.exp(-(300 - t_jump) / 100) * 100 / 50 \
        * (1 - np.exp(-(1011 - 300) / 100))
    assert np.all(window.dw != 0)
    np.testing.assert_allclose(window.dw, expected, rtol=0.01)


def test_window_protocol_fails_on_what_cannot_run():
    with pytest.raises(TypeError, match="is not a Brian2 object"):
        stdp_window_rule(RULE, [-10, 10] * ms, network_objects=["a drive"])
