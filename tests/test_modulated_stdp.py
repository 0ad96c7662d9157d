"""compartments.modulated_stdp: gains of modulator signals reshape each branch of the window.

Every expected value is analytic, written from the rule's equations below, or
the unmodulated rule itself (compartments.plasticity.STDP); nothing is a
number recorded from our own runs. numpy target, dt = 0.1 ms, spike times on
the grid.

* Immediate gains act in the spike's code with the signal of that step, so a
  single pairing changes w by A exp(-|Δt|/tau) g(signal) exactly (1e-9).
* Occupancy is the receptor's Hill function of the pool concentration (EC50
  and Hill from data/receptors.csv): the dose dependence of the window.
* Conversion is integrated exactly per step for a signal held over the step:
  after one pairing (trace c0 at t0) and a modulator step at t_on that stays,
  Δw = k c0 exp(-(t_on - t0)/tau) / (tau_conversion lambda) with lambda = 1/tau
  (+ |k|/tau_conversion when conversion consumes the trace), to round-off.
* With every signal at zero the rule is the unmodulated one bit for bit on
  numpy (compiled targets use -ffast-math and may contract differently: 1 ulp).

Runtime: ~25 s on the numpy target.
"""

import math
import warnings

import numpy as np
import pytest
from brian2 import Network, TimedArray, defaultclock, ms, nM, second, uM

from compartments.modulated_stdp import Gain, ModulatedSTDP
from compartments.neuromodulation import modulator_pool, receptor
from compartments.plasticity import STDP, plastic_synapses
from compartments.stdp_signals import Effector, Level, Occupancy
from test_plasticity import _spikes, dt01  # noqa: F401  (dt01: the numpy, 0.1 ms fixture)


def hill(c_nM, name):
    r = receptor(name)
    x = (c_nM * nM / r.ec50) ** r.hill
    return float(x / (1 + x))


# ----------------------------------------------------------------------------------------
# Gains
# ----------------------------------------------------------------------------------------
@pytest.mark.codegen_independent
def test_gain_value_expression_and_extremes():
    g = Gain(0.5, {"DA": -2.0, ("DA", "NE"): 1.5})
    assert g.value(DA=0.4, NE=1.0) == pytest.approx(0.5 - 0.8 + 0.6)
    assert g.signals == ["DA", "NE"]
    assert g.expression("ltd") == "(ltd_base + ltd__DA*sig_DA + ltd__DA_NE*sig_DA*sig_NE)"
    assert g.variables("ltd") == {"ltd_base": 0.5, "ltd__DA": -2.0, "ltd__DA_NE": 1.5}
    assert g.extremes({"DA", "NE"}) == (-1.5, 0.5)
    assert Gain(1.0, {"L": 2.0}).extremes(set()) == (1.0, math.inf)     # an unbounded level


# ----------------------------------------------------------------------------------------
# Immediate gains: sign reversal, dose dependence, exact at the event
# ----------------------------------------------------------------------------------------
def _pairs(rule, levels_nM, dts_ms, modulator="DA"):
    """One pairing per (level, Δt): synapse k reads pool region k; returns Δw (len x len)."""
    n_l, n_d = len(levels_nM), len(dts_ms)
    pool = modulator_pool((modulator,), n=n_l, tonic={modulator: np.asarray(levels_nM) * nM})
    rule = rule.with_pool(pool)
    dts = np.tile(dts_ms, n_l)
    post_t = np.full(n_l * n_d, 100.0)
    pre = _spikes(n_l * n_d, range(n_l * n_d), post_t - dts)
    post = _spikes(n_l * n_d, range(n_l * n_d), post_t)
    syn = plastic_synapses(pre, post, rule, weight=0.5, j="i")
    syn.pool_index_plasticity = np.repeat(np.arange(n_l), n_d)
    Network(pre, post, syn, pool).run(150 * ms)
    return (np.asarray(syn.w[:]) - 0.5).reshape(n_l, n_d)


def test_dopamine_reverses_only_the_ltd_branch_with_the_d1_dose_response(dt01):
    """g_ltd = 1 - 2 occ_D1(c): LTD at no dopamine, none at EC50, LTP above; LTP untouched."""
    rule = ModulatedSTDP(0.01, 0.012, 16.8 * ms, 33.7 * ms, signals={"DA": Occupancy("D1")},
                         gains={"ltd": Gain(1.0, {"DA": -2.0})})
    levels = np.array([0.0, 300.0, 1000.0, 3000.0, 30000.0])        # nM
    dts = np.array([-30.0, -10.0, 10.0, 30.0])
    dw = _pairs(rule, levels, dts)
    occ = np.array([hill(c, "D1") for c in levels])
    ltd = -0.012 * np.exp(dts[:2] / 33.7)[None, :] * (1 - 2 * occ)[:, None]
    ltp = 0.01 * np.exp(-dts[2:] / 16.8)[None, :] * np.ones((len(levels), 1))
    np.testing.assert_allclose(dw[:, :2], ltd, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(dw[:, 2:], ltp, rtol=1e-9)
    assert np.all(dw[0, :2] < 0) and np.all(dw[-1, :2] > 0)          # the sign flips


def test_bilinear_gains_of_two_receptors(dt01):
    """Seol-type gating: g_ltp = b - m + b m, g_ltd = m - b + b m at the four corners."""
    rule = ModulatedSTDP(0.01, 0.01, 20 * ms, 20 * ms,
                         signals={"NE": Occupancy("b-AR"), "ACh": Occupancy("M1")},
                         gains={"ltp": Gain(0, {"NE": 1, "ACh": -1, ("NE", "ACh"): 1}),
                                "ltd": Gain(0, {"ACh": 1, "NE": -1, ("NE", "ACh"): 1})})
    ne, ach = np.array([0.0, 3e4, 0.0, 3e4]), np.array([0.0, 0.0, 3e4, 3e4])   # nM
    pool = modulator_pool(("ACh", "NE"), n=4, tonic={"NE": ne * nM, "ACh": ach * nM})
    pre = _spikes(8, range(8), np.tile([90.0, 110.0], 4))
    post = _spikes(8, range(8), np.full(8, 100.0))
    syn = plastic_synapses(pre, post, rule.with_pool(pool), weight=0.5, j="i")
    syn.pool_index_plasticity = np.repeat(np.arange(4), 2)
    Network(pre, post, syn, pool).run(150 * ms)
    dw = (np.asarray(syn.w[:]) - 0.5).reshape(4, 2)                 # columns: Δt +10, -10
    b = np.array([hill(c, "b-AR") for c in ne])
    m = np.array([hill(c, "M1") for c in ach])
    k = 0.01 * math.exp(-0.5)
    np.testing.assert_allclose(dw[:, 0], k * (b - m + b * m), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(dw[:, 1], -k * (m - b + b * m), rtol=1e-9, atol=1e-15)
    assert list(np.sign(np.round(dw / k, 6)).ravel()) == [0, 0, 1, 1, -1, -1, 1, -1]


# ----------------------------------------------------------------------------------------
# Zero modulator = the unmodulated rule, bit for bit
# ----------------------------------------------------------------------------------------
def _random_trains(n, count, seed):
    rng = np.random.default_rng(seed)
    idx, times = [], []
    for k in range(n):
        steps = np.sort(rng.choice(np.arange(10, 4000), count, replace=False))
        idx += [k] * count
        times += list(steps * 0.1)
    return idx, times


@pytest.mark.parametrize("bounds", ["additive", "multiplicative"])
def test_zero_modulator_is_plain_stdp_bit_for_bit(dt01, bounds):
    n = 30
    pre_i, pre_t = _random_trains(n, 15, 1)
    post_i, post_t = _random_trains(n, 15, 2)
    kwargs = dict(A_plus=0.03, A_minus=0.035, tau_plus=16.8 * ms, tau_minus=33.7 * ms,
                  bounds=bounds, w_min=0.1, w_max=0.9)
    pool = modulator_pool(("DA",))
    modulated = ModulatedSTDP(**kwargs, signals={"DA": Occupancy("D1")},
                              gains={"ltp": Gain(1, {"DA": 0.7}), "ltd": Gain(1, {"DA": -2.3})},
                              pool=pool)
    out = {}
    for name, rule in (("plain", STDP(**kwargs)), ("modulated", modulated)):
        pre, post = _spikes(n, pre_i, pre_t), _spikes(n, post_i, post_t)
        syn = plastic_synapses(pre, post, rule, weight=0.5, j="i")
        Network(pre, post, syn, *rule.bind(post).dependencies).run(410 * ms)
        out[name] = np.asarray(syn.w[:])
    assert np.ptp(out["plain"]) > 0.05                     # the trains did change weights
    np.testing.assert_array_equal(out["modulated"], out["plain"])


# ----------------------------------------------------------------------------------------
# Conversion: closed form, consumption, dt independence
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("consume", [False, True])
def test_conversion_of_one_trace_after_a_modulator_step(numpy_target, consume):
    """Pairing at 10 ms (Δt +10 and -10); DA 2 uM from t_on = 310 ms on; k_ltd = 1 - 3 occ.
    The closed form holds at any step with the spikes and the step on its grid: 1 ms."""
    defaultclock.dt = 1 * ms
    tau, tau_conv, t0, t_on, T = 200.0, 50.0, 10.0, 310.0, 2500.0
    rule = ModulatedSTDP(0.02, 0.02, 20 * ms, 20 * ms, signals={"DA": Occupancy("D1")},
                         gains={"convert_ltp": Gain(0, {"DA": 0.5}),
                                "convert_ltd": Gain(1, {"DA": -3})},
                         conversion="continuous", consume=consume, tau_ltp=tau * ms,
                         tau_ltd=tau * ms, tau_conversion=tau_conv * ms, w_max=2)
    values = np.where(np.arange(0, T, 10.0) < t_on, 0.0, 2.0)        # uM
    pool = modulator_pool(("DA",), timed_arrays={"DA": TimedArray(values * uM, dt=10 * ms)})
    pre = _spikes(2, [0, 1], [t0 - 10, t0 + 10])
    post = _spikes(2, [0, 1], [t0, t0])
    syn = plastic_synapses(pre, post, rule.with_pool(pool), weight=0.5, j="i")
    Network(pre, post, syn, pool).run(T * ms)
    occ = hill(2000.0, "D1")
    c0 = 0.02 * math.exp(-0.5)
    out = []
    for k_before, k_after, t_jump in ((0.0, 0.5 * occ, t0), (1.0, 1 - 3 * occ, t0 + 10)):
        rate0 = 1 / tau + (abs(k_before) / tau_conv if consume else 0.0)
        rate1 = 1 / tau + (abs(k_after) / tau_conv if consume else 0.0)
        before = k_before * c0 * (1 - math.exp(-(t_on - t_jump) * rate0)) / (rate0 * tau_conv)
        c_on = c0 * math.exp(-(t_on - t_jump) * rate0)
        after = k_after * c_on * (1 - math.exp(-(T - t_on) * rate1)) / (rate1 * tau_conv)
        out.append(before + after)
    dw = np.asarray(syn.w[:]) - 0.5
    np.testing.assert_allclose(dw, [out[0], -out[1]], rtol=1e-9)
    no_dopamine = -c0 / (tau_conv * (1 / tau + (1 / tau_conv if consume else 0.0)))
    assert dw[0] > 0 and dw[1] > no_dopamine   # LTP trace converted; LTD trace reversed by DA


def test_pairing_experiment_does_not_depend_on_the_step(numpy_target):
    """Event-driven traces, exact conversion and step-wise applications: Δw on a 1 ms grid
    equals Δw on a 10 ms grid (to round-off)."""
    from compartments.analysis.modulated_pairing import Application, pairing_experiment

    rule = ModulatedSTDP(0.02, 0.02, 20 * ms, 20 * ms, signals={"DA": Occupancy("D1")},
                         gains={"convert_ltp": 1.0, "convert_ltd": Gain(1, {"DA": -6})},
                         conversion="continuous", consume=True, tau_ltp=4 * second,
                         tau_ltd=4 * second, tau_conversion=8 * second)
    conditions = {"control": [], "DA at 1 s": [Application("DA", 20 * uM, 1 * second,
                                                           reference="end")]}
    runs = [pairing_experiment(rule, conditions, [-20, 10] * ms, n_pairings=3,
                               period=0.5 * second, after=20 * second, max_dt=step)
            for step in (1 * ms, 10 * ms)]
    assert runs[0].attrs["dt_s"][0] == pytest.approx(1e-3)
    assert runs[1].attrs["dt_s"][0] == pytest.approx(1e-2)
    np.testing.assert_allclose(runs[0].dw, runs[1].dw, rtol=1e-9)
    assert runs[0].dw[(runs[0].condition == "DA at 1 s") & (runs[0].dt_ms == -20)].item() > 0


def test_modulated_time_constant_with_clock_driven_traces(dt01):
    """tau_plus x (1 + 2 occ): the LTP window widens under NE; clock-driven traces decay by
    exp(-dt/tau) per step, so Δw = A exp(-Δt/(tau (1 + 2 occ))) exactly."""
    rule = ModulatedSTDP(0.01, 0.01, 10 * ms, 10 * ms, signals={"NE": Occupancy("b-AR")},
                         gains={"tau_plus": Gain(1, {"NE": 2})}, traces="clock-driven")
    dw = _pairs(rule, [0.0, 3000.0], np.array([5.0, 20.0]), modulator="NE")
    occ = hill(3000.0, "b-AR")
    expected = 0.01 * np.exp(-np.array([5.0, 20.0])[None, :] / (10 * np.array([[1.0],
                                                                               [1 + 2 * occ]])))
    np.testing.assert_allclose(dw, expected, rtol=1e-9)


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------
def _raises(exc, fn, *words):
    with pytest.raises(exc) as info:
        fn()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.codegen_independent
def test_modulated_tau_with_event_driven_traces_is_an_error_that_explains():
    _raises(ValueError, lambda: ModulatedSTDP(0.01, 0.01, 20 * ms, 20 * ms,
                                              signals={"NE": Occupancy("b-AR")},
                                              gains={"tau_plus": Gain(1, {"NE": 1})}),
            "tau_plus", "event-driven", "frozen at the event", "traces='clock-driven'")


@pytest.mark.codegen_independent
def test_bad_rules_are_named():
    ok = dict(A_plus=0.01, A_minus=0.01, tau_plus=20 * ms, tau_minus=20 * ms)
    _raises(ValueError, lambda: Occupancy("D7"), "Unknown receptor 'D7'", "D1")
    _raises(ValueError, lambda: Level("dopamine"), "Unknown modulator 'dopamine'")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, gains={"ltpp": 1.0}), "ltpp", "ltp_trace")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, gains={"ltd": Gain(1, {"DA": 1})}),
            "['DA']", "not among its signals")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, signals={"DA": Occupancy("D1")}),
            "['DA']", "read by no gain")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, gains={"convert_ltp": 1.0}),
            "convert_ltp", "conversion='continuous'")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, conversion="continuous", tau_ltp=1 * second,
                                              tau_ltd=1 * second, tau_conversion=1 * second),
            "convert_ltp", "never")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, signals={"NE": Occupancy("b-AR")},
                                              gains={"tau_minus": Gain(1, {"NE": -1.5})},
                                              traces="clock-driven"),
            "tau_minus", "> 0", "-0.5")
    _raises(ValueError, lambda: ModulatedSTDP(**ok, signals={"da": Occupancy("D1"),
                                                             "x_y": Level("DA")}),
            "'x_y'")
    _raises(ValueError, lambda: Effector("a7"), "ionotropic")


def test_synapse_local_signal_without_a_pool_is_named(numpy_target):
    rule = ModulatedSTDP(0.01, 0.01, 20 * ms, 20 * ms, signals={"DA": Occupancy("D1")},
                         gains={"ltd": Gain(1, {"DA": -2})})
    pre, post = _spikes(1, [0], [1.0]), _spikes(1, [0], [2.0])
    _raises(TypeError, lambda: plastic_synapses(pre, post, rule), "['DA']", "with_pool")
    _raises(TypeError, lambda: rule.model, "bind")
    effector = ModulatedSTDP(0.01, 0.01, 20 * ms, 20 * ms, signals={"DA": Effector("D1")},
                             gains={"ltd": Gain(1, {"DA": -2})})
    _raises(TypeError, lambda: plastic_synapses(pre, post, effector), "not a template group",
            "Occupancy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Network(pre, post).run(0 * ms)
