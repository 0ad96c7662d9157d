"""NEST's stdp_dopamine_synapse (tests/nest_stdp.py) against the exact single-pairing solution.

One pre spike, one post spike, one dopamine spike ``d`` ms after the jump of
the eligibility trace. The closed form is exact at any time, so NEST is held
to 1e-9 relative at finite sample times (measured with NEST 3.10.0: ~1e-13;
a one-step (0.1 ms) timing slip would already be 5e-3 in ``c0``) and the last
sample, 3 s after the dopamine, to the t -> inf value within 1 % (the tail
left is exp(-3000/tau_s) ~ 1.5e-8). Runtime < 2 s.
"""

import math

import pytest

pytest.importorskip("nest")

from nest_stdp import izhikevich_closed_form, nest_dopamine_stdp

pytestmark = pytest.mark.crosscheck

PARAMS = {"tau_plus_ms": 20.0, "tau_minus_ms": 20.0, "A_plus": 1.0, "A_minus": 1.5,
          "tau_c_ms": 1000.0, "tau_n_ms": 200.0}
DELAY = 1.0
T_PRE = 100.0


def _run(dt_pair, d):
    """NEST and the closed form for pairing interval dt_pair = t_post + DELAY - t_pre."""
    t_post = T_PRE + dt_pair - DELAY
    t_jump = t_post + DELAY if dt_pair > 0 else T_PRE
    t_dopa = t_jump + d
    samples = [t_dopa + 50.0, t_dopa + 3000.0]
    res = nest_dopamine_stdp([T_PRE], [t_post], [t_dopa], **PARAMS, b=0.0, w0=0.0,
                             Wmin=-10.0, Wmax=10.0, delay_ms=DELAY, resolution_ms=0.1,
                             sample_times_ms=samples)
    assert list(res["pre_spikes_ms"]) == pytest.approx([T_PRE])
    assert list(res["post_spikes_ms"]) == pytest.approx([t_post])
    assert list(res["dopa_spikes_ms"]) == pytest.approx([t_dopa])
    for T, w, c, n in zip(res["t_ms"], res["w"], res["c"], res["n"]):
        exact = izhikevich_closed_form(T_PRE, t_post, t_dopa, delay_ms=DELAY, **PARAMS, t_end_ms=T)
        assert w == pytest.approx(exact["w"], rel=1e-9)
        assert c == pytest.approx(exact["c"], rel=1e-9)
        assert n == pytest.approx(exact["n"], rel=1e-9)
    limit = izhikevich_closed_form(T_PRE, t_post, t_dopa, delay_ms=DELAY, **PARAMS)
    return res["w"][-1], limit


@pytest.mark.parametrize("d", [100.0, 1000.0])
def test_single_pairing_matches_closed_form(d):
    w, limit = _run(dt_pair=10.0, d=d)
    tc, tn = PARAMS["tau_c_ms"], PARAMS["tau_n_ms"]
    by_hand = math.exp(-10.0 / 20.0) * math.exp(-d / tc) * (1 / tn) * tc * tn / (tc + tn)
    assert limit["w"] == pytest.approx(by_hand, rel=1e-12)
    assert w == pytest.approx(limit["w"], rel=0.01)
    assert w > 0


def test_negative_pairing_depresses():
    w_pos, _ = _run(dt_pair=10.0, d=100.0)
    w_neg, limit = _run(dt_pair=-10.0, d=100.0)
    assert limit["c0"] == pytest.approx(-1.5 * math.exp(-10.0 / 20.0))
    assert w_neg == pytest.approx(limit["w"], rel=0.01)
    assert w_neg < 0 < w_pos
