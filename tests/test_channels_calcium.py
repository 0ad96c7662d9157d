"""Calcium channels (CaHVA, CaT) and Ca-/receptor-activated K channels (SK, SAHP, GIRK).

Reference values are computed here in closed form from the published expressions
(not from the engine):

- CaHVA: Hay et al. 2011 ``Ca_HVA.mod`` (after Reuveni et al. 1993), no
  temperature factor; the half-activation voltages are the roots of the
  published rates (m: -33.34 mV, k = 4.44 mV; h: -58.49 mV, k = 20.2 mV);
  reversal: the Nernst potential R T/(2 F) ln(ca_o/ca_i), as NEURON computes
  ``eca`` in Hay's model;
- CaT: Destexhe et al. 1998 ``ITGHK.mod`` (after Huguenard & McCormick 1992),
  shift 2 mV, Q10 2.5 from 24 °C, GHK current with z = 2. Its steady states are
  exact Boltzmann functions: m: V1/2 = -57 - 2 = -59 mV, k = 6.2 mV; h:
  V1/2 = -81 - 2 = -83 mV, k = 4 mV;
- SK: Hay et al. 2011 ``SK_E2.mod`` (Köhler et al. 1996): z_inf =
  1/(1 + (0.00043 mM/ca_i)^4.8), tau 1 ms;
- SAHP: Traub et al. 1991 q gate, alpha = min(2e-5 chi, 0.01)/ms, beta =
  0.001/ms, chi = 50 ca_i/ca_half;
- GIRK: Sanders et al. 2013 KIR rectification 1/(1 + exp((v - E + 10)/10)).

Steady states and time constants within rtol 1e-6 of the closed form (the
CaT ``tau_h`` switch at Vm = -80 mV is a 0.1 mV ``tanh`` step in the engine;
no test voltage lies within 1 mV of it); half-activation voltages within
0.5 mV, slope factors within 5 %. Voltage clamp: ``tests/nmodl/cahva_check.mod``
and ``cat_check.mod`` (written here from the same equations) in NEURON vs
`channels.voltage_clamp`, within 1 % (CaT) and 1e-4 (CaHVA) of each step's
peak current, at cai = 5e-5 mM (NEURON's default, which a mechanism that only
reads cai does not re-initialise; NEURON's Nernst ``eca`` for CaHVA is computed
from it at finitialize and checked first). The Ca-activated K channels are checked by
clamping calcium (fixed ca_i) against the closed-form first-order response;
SAHP only that way, since `gate_kinetics` drops ``ca_i`` from its lambdified
arguments when the closing rate does not depend on it (the symbols of
A + B = -beta_q, reported to the engine).
Behaviour: spiking raises ca_i, which decays with the pool's time constant, and
SK deepens the AHP; CaT gives a rebound low-threshold depolarisation.
"""

import numpy as np
import pytest
from brian2 import (
    Equations,
    Network,
    NeuronGroup,
    StateMonitor,
    cm,
    mM,
    ms,
    msiemens,
    mV,
    nA,
    um,
)
from brian2.units.constants import faraday_constant, gas_constant
from scipy.optimize import brentq

import compartments
from compartments import CalciumPool, CellTemplate, Compartment, channels, equilibrate
from compartments.constants import PHYSICAL_CONSTANTS
from compartments.rest import StateSystem

F = float(faraday_constant)
R = float(gas_constant)
# CaHVA singular point of alpha_m at -27 mV included; no CaT voltage within 1 mV of
# Vm = v + 2 = -80 mV (the tau_h switch)
VOLTAGES = np.array([-120.0, -100.0, -90.0, -70.0, -60.0, -45.0, -27.0, -10.0, 0.0, 20.0, 40.0])


def _efun(x, k):
    """x / (exp(x/k) - 1), with its limit k at x = 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x / k) < 1e-9
    safe = np.where(small, 1.0, x)
    return np.where(small, k * (1 - x / k / 2), safe / np.expm1(safe / k))


# --- published expressions (rates in 1/ms, times in ms, v in mV) ---------------------------
def cahva_paper(v):
    am, bm = 0.055 * _efun(-27 - v, 3.8), 0.94 * np.exp((-75 - v) / 17)
    ah, bh = 0.000457 * np.exp((-13 - v) / 50), 0.0065 / (np.exp((-v - 15) / 28) + 1)
    return {"m_inf": am / (am + bm), "tau_m": 1 / (am + bm), "h_inf": ah / (ah + bh),
            "tau_h": 1 / (ah + bh)}


def cat_paper(v, celsius=24.0, shift=2.0):
    vm = v + shift
    phi = 2.5 ** ((celsius - 24) / 10)
    tau_h = np.where(vm < -80, np.exp((vm + 467) / 66.6), 28 + np.exp(-(vm + 22) / 10.5))
    return {"m_inf": 1 / (1 + np.exp(-(vm + 57) / 6.2)),
            "h_inf": 1 / (1 + np.exp((vm + 81) / 4)),
            "tau_m": (0.612 + 1 / (np.exp(-(vm + 132) / 16.7) + np.exp((vm + 16.8) / 18.2))) / phi,
            "tau_h": tau_h / phi}


def ghk_inward(v_mV, ca_i_mM, ca_o_mM, celsius):
    """-z F (ca_i - ca_o exp(-u)) u / (1 - exp(-u)), u = z F v/(R T): A/m2 per (m/s), inward +."""
    u = 2 * F * v_mV * 1e-3 / (R * (celsius + 273.15))
    w = np.where(np.abs(u) < 1e-9, 1.0, u / -np.expm1(-np.where(np.abs(u) < 1e-9, 1.0, u)))
    return -2 * F * (ca_i_mM - ca_o_mM * np.exp(-u)) * w


def sk_paper(ca_mM):
    return 1 / (1 + (0.00043 / ca_mM) ** 4.8)


def sahp_paper(ca_mM, ca_half=1e-3):
    chi = 50 * ca_mM / ca_half
    alpha, beta = np.minimum(2e-5 * chi, 0.01), 0.001
    return alpha / (alpha + beta), 1 / (alpha + beta)


def _boltzmann_fit(v, x):
    """V1/2 (linear interpolation where x crosses 0.5) and slope factor 1/(4 |dx/dV|) there."""
    i = np.flatnonzero(np.diff(np.sign(x - 0.5)))[0]
    v_half = v[i] + (0.5 - x[i]) * (v[i + 1] - v[i]) / (x[i + 1] - x[i])
    return v_half, 1 / (4 * abs((x[i + 1] - x[i]) / (v[i + 1] - v[i])))


# --- CaHVA ----------------------------------------------------------------------------------
def test_cahva_rates_match_paper():
    k = channels.gate_kinetics(channels.CaHVA(), VOLTAGES * mV)
    ref = cahva_paper(VOLTAGES)
    for gate in ("m", "h"):
        np.testing.assert_allclose(k[f"{gate}_inf"], ref[f"{gate}_inf"], rtol=1e-6)
        np.testing.assert_allclose(k[f"tau_{gate}_ms"], ref[f"tau_{gate}"], rtol=1e-6)


def test_cahva_half_activation_and_slopes():
    fine = np.arange(-100.0, 20.0, 0.01)
    k = channels.gate_kinetics(channels.CaHVA(), fine * mV)
    for gate, lo, hi in (("m", -60, 0), ("h", -120, 0)):
        def paper(v, gate=gate):
            return float(cahva_paper(np.array([v]))[f"{gate}_inf"][0])

        v_half = brentq(lambda v: paper(v) - 0.5, lo, hi)
        slope = 1 / (4 * abs((paper(v_half + 1e-4) - paper(v_half - 1e-4)) / 2e-4))
        got_half, got_slope = _boltzmann_fit(fine, k[f"{gate}_inf"].to_numpy())
        assert abs(got_half - v_half) < 0.5
        assert abs(got_slope / slope - 1) < 0.05
    assert abs(_boltzmann_fit(fine, k.m_inf.to_numpy())[0] - (-33.34)) < 0.5


def nernst_ca(ca_i_mM, ca_o_mM=2.0, celsius=34.0):
    """R T/(2 F) ln(ca_o/ca_i) in mV."""
    return 1e3 * R * (celsius + 273.15) / (2 * F) * np.log(ca_o_mM / ca_i_mM)


def test_cahva_instantaneous_current_is_ohmic_with_nernst_reversal():
    compartments.backends.use("numpy")
    steps = np.array([-60.0, -20.0, 0.0, 40.0])
    for ca_i in (1e-4, 1e-3):  # Hay's resting cai (E = 131.06 mV) and a raised one (100.59 mV)
        clamp = channels.voltage_clamp(channels.CaHVA(), steps * mV, -30 * mV, 0.2 * ms,
                                       celsius=34.0, ca_i=ca_i * mM, dt=0.1 * ms)
        first = clamp[clamp.t_ms == 0].I_uA_per_cm2.to_numpy()
        ref = cahva_paper(np.array([-30.0]))
        e_ca = nernst_ca(ca_i)
        expected = 0.992 * ref["m_inf"] ** 2 * ref["h_inf"] * (e_ca - steps)  # mS/cm2 * mV
        np.testing.assert_allclose(first, expected, rtol=1e-6)
    assert abs(nernst_ca(1e-4) - 131.06) < 0.01 and abs(nernst_ca(1e-3) - 100.59) < 0.01


@pytest.mark.crosscheck
def test_cahva_voltage_clamp_matches_nmodl():
    """NEURON's eca is its own Nernst potential of cai/cao (cahva_check.mod reads eca).

    ``cahva_check.mod`` reads ``cai`` (unused), which makes NEURON compute ``eca``
    by Nernst at ``finitialize`` (``ion_style`` einit); it does not re-initialise
    ``cai`` from ``cai0_ca_ion`` (only a mechanism that writes ``cai`` does), so
    the section holds NEURON's default cai = 5e-5 mM. The clamp runs there, and
    `neuron_voltage_clamp` setting ``cai`` after ``finitialize`` leaves it unchanged.
    """
    pytest.importorskip("neuron")
    from nrn_clamp import clamp_error, load_mechanisms, neuron_voltage_clamp

    cai = 5e-5  # mM, NEURON's default
    h = load_mechanisms()
    sec = h.Section(name="eca_check")
    old = h.celsius
    try:
        sec.insert("cahvacheck")
        h.celsius = 34.0
        h.finitialize(-80.0)
        assert sec(0.5).cai == pytest.approx(cai, rel=1e-12)
        # NEURON's CODATA 2018 R and F vs Brian2's: < 4e-7 apart
        assert sec(0.5).eca == pytest.approx(nernst_ca(cai), rel=1e-6)  # 140.24 mV
    finally:
        h.celsius = old
        h.delete_section(sec=sec)

    compartments.backends.use("numpy")
    steps = [-40.0, -20.0, 0.0, 20.0]
    _, traces = neuron_voltage_clamp("cahvacheck", steps, -80.0, 10.0, celsius=34.0,
                                     current="ica", cai_mM=cai)
    brian = channels.voltage_clamp(channels.CaHVA(), steps * mV, -80 * mV, 10 * ms, celsius=34.0,
                                   ca_i=cai * mM)
    assert np.all(clamp_error(brian, traces, steps) < 1e-4)


# --- CaT ------------------------------------------------------------------------------------
@pytest.mark.parametrize("celsius", [24.0, 36.0])
def test_cat_rates_match_paper(celsius):
    k = channels.gate_kinetics(channels.CaT(), VOLTAGES * mV, celsius=celsius)
    ref = cat_paper(VOLTAGES, celsius)
    for gate in ("m", "h"):
        np.testing.assert_allclose(k[f"{gate}_inf"], ref[f"{gate}_inf"], rtol=1e-6)
        np.testing.assert_allclose(k[f"tau_{gate}_ms"], ref[f"tau_{gate}"], rtol=1e-6)


def test_cat_half_activation_and_slopes():
    fine = np.arange(-110.0, -20.0, 0.01)
    k = channels.gate_kinetics(channels.CaT(), fine * mV)
    for gate, v_half, slope in (("m", -59.0, 6.2), ("h", -83.0, 4.0)):
        got_half, got_slope = _boltzmann_fit(fine, k[f"{gate}_inf"].to_numpy())
        assert abs(got_half - v_half) < 0.5
        assert abs(got_slope / slope - 1) < 0.05


def test_cat_ghk_current_closed_form():
    """Instantaneous I-V (gates fixed at their values at -60 mV) is the GHK current, finite at 0."""
    compartments.backends.use("numpy")
    steps = np.array([-80.0, -40.0, -1e-4, 0.0, 30.0, 200.0])
    clamp = channels.voltage_clamp(channels.CaT(), steps * mV, -60 * mV, 0.2 * ms, celsius=36.0,
                                   ca_i=1e-4 * mM, dt=0.1 * ms)
    first = clamp[clamp.t_ms == 0].I_uA_per_cm2.to_numpy()
    gates = cat_paper(np.array([-60.0]), 36.0)
    pcabar = 0.2e-5  # m/s (0.2e-3 cm/s)
    expected = pcabar * gates["m_inf"] ** 2 * gates["h_inf"] * ghk_inward(steps, 1e-4, 2.0, 36.0)
    np.testing.assert_allclose(first, expected * 100.0, rtol=1e-6)  # A/m2 -> uA/cm2
    assert np.all(first[:5] > 0) and first[5] < 0  # inward below the GHK reversal (~132 mV)


@pytest.mark.crosscheck
def test_cat_voltage_clamp_matches_nmodl():
    pytest.importorskip("neuron")
    from nrn_clamp import clamp_error, neuron_voltage_clamp

    compartments.backends.use("numpy")
    steps = [-70.0, -50.0, -30.0, -10.0]
    _, traces = neuron_voltage_clamp("catcheck", steps, -100.0, 15.0, celsius=36.0,
                                     current="ica", cai_mM=5e-5)
    brian = channels.voltage_clamp(channels.CaT(), steps * mV, -100 * mV, 15 * ms, celsius=36.0,
                                   ca_i=5e-5 * mM)
    assert np.all(clamp_error(brian, traces, steps) < 0.01)


# --- calcium clamp of the Ca-activated K channels --------------------------------------------
def _calcium_clamp(channel, ca_mM, duration, dt, v=-60 * mV):
    """Gate of ``channel`` from 0 at ca_i = each of ``ca_mM`` (one neuron each), fixed voltage.

    The engine's own equations are integrated by Brian2's exponential Euler,
    which is exact for a gate that is linear at fixed calcium.
    """
    eqs = channel.equations() + Equations("v : volt (constant)\nca_i : mmolar (constant)")
    group = NeuronGroup(len(ca_mM), eqs, method="exponential_euler", dt=dt,
                        namespace=dict(PHYSICAL_CONSTANTS))
    for p in channel.parameters.values():
        setattr(group, p.name + "_", float(np.asarray(p.value)))
    (gate,) = channel.equations().diff_eq_names
    group.v = v
    group.ca_i = np.asarray(ca_mM) * mM
    mon = StateMonitor(group, [gate, channel.current], record=True)
    Network(group, mon).run(duration)
    return (np.asarray(mon.t_) * 1e3, np.asarray(getattr(mon, gate)),
            np.asarray(getattr(mon, channel.current + "_")) * 100.0)  # A/m2 -> uA/cm2


def test_sk_calcium_dependence_matches_paper():
    ca = np.array([1e-5, 1e-4, 2.15e-4, 4.3e-4, 8.6e-4, 5e-3])
    k = channels.gate_kinetics(channels.SK(), VOLTAGES * mV, ca_i=ca[0] * mM)
    np.testing.assert_allclose(k.z_inf, sk_paper(ca[0]), rtol=1e-6)  # voltage-independent
    for c in ca:
        k = channels.gate_kinetics(channels.SK(), np.array([-60.0]) * mV, ca_i=c * mM)
        np.testing.assert_allclose(k.z_inf, sk_paper(c), rtol=1e-6)
        np.testing.assert_allclose(k.tau_z_ms, 1.0, rtol=1e-12)
    assert abs(sk_paper(4.3e-4) - 0.5) < 1e-12


def test_sk_calcium_clamp():
    compartments.backends.use("numpy")
    ca = np.array([1e-4, 4.3e-4, 1e-3])
    t, z, current = _calcium_clamp(channels.SK(), ca, 5 * ms, 0.05 * ms)
    z_inf = sk_paper(ca)[:, None]
    np.testing.assert_allclose(z, z_inf * (1 - np.exp(-t / 1.0)), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(current, 44.1 * z * (-85.0 + 60.0), rtol=1e-9)  # mS/cm2 * mV


def test_sahp_calcium_clamp_matches_paper():
    """q(t) = q_inf (1 - exp(-t/tau)) at fixed ca_i, from the Traub rates (incl. saturation)."""
    compartments.backends.use("numpy")
    ca = np.array([0.0, 1e-4, 1e-3, 5e-3, 1e-2, 2e-2])
    t, q, _ = _calcium_clamp(channels.SAHP(), ca, 3000 * ms, 10 * ms)
    q_inf, tau = sahp_paper(ca)
    np.testing.assert_allclose(q, q_inf[:, None] * (1 - np.exp(-t / tau[:, None])), rtol=1e-6,
                               atol=1e-15)
    assert tau[0] == 1000.0 and tau[1] > 800  # the slow AHP: about a second at low calcium
    assert abs(q_inf[-1] - 0.01 / 0.011) < 1e-12  # saturated opening rate


def test_girk_rectification_matches_source():
    compartments.backends.use("numpy")
    steps = np.array([-130.0, -100.0, -90.0, -70.0, -40.0])
    off = channels.voltage_clamp(channels.GIRK(), steps * mV, -70 * mV, 0.2 * ms, dt=0.1 * ms)
    assert np.all(off.I_uA_per_cm2 == 0)  # default activation 0: no current
    on = channels.voltage_clamp(channels.GIRK(activation=1.0), steps * mV, -70 * mV, 0.2 * ms,
                                dt=0.1 * ms)
    first = on[on.t_ms == 0].I_uA_per_cm2.to_numpy()
    # mS/cm2 * mV = uA/cm2
    expected = 0.1 * (-90.0 - steps) / (1 + np.exp(0.1 * (steps + 90.0 + 10.0)))
    np.testing.assert_allclose(first, expected, rtol=1e-9, atol=1e-12)
    chord = expected / (-90.0 - steps + 1e-300)
    assert chord[0] > 0.95 * 0.1 and chord[-1] < 0.01 * 0.1  # strong inward rectification


def test_girk_activation_hyperpolarises_a_passive_cell():
    rests = []
    for activation in (0.0, 1.0):
        soma = Compartment("soma", length=20 * um, diameter=20 * um,
                           channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                     channels.GIRK(activation=activation)])
        cell = CellTemplate("girk", [soma], celsius=34.0)
        system = StateSystem(cell.equations, cell.initial_values(1), guess=cell.initial_guess())
        rests.append(system.rest()[0, system.states.index("v_soma")] * 1e3)
    assert abs(rests[0] + 70.0) < 1e-6
    assert -4.0 < rests[1] - rests[0] < -1.0


# --- behaviour ------------------------------------------------------------------------------
def test_calcium_rises_with_spikes_decays_with_pool_tau_and_sk_deepens_ahp():
    compartments.backends.use("numpy")
    pool = CalciumPool()
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.Leak(), channels.HHNa(), channels.HHK(),
                                 channels.CaHVA(), channels.SK()], pools=[pool])
    cell = CellTemplate("ca_sk", [soma], celsius=6.3)
    group = cell.make_group(2, dt=0.1 * ms)
    group.gbar_sk_soma = [0.0, 5.0] * msiemens / cm**2  # neuron 0 without SK
    equilibrate(group)
    mon = StateMonitor(group, ["v_soma", "ca_i_soma"], record=True)
    net = Network(group, mon)
    net.run(10 * ms)
    group.I_ext_soma = 0.2 * nA
    net.run(20 * ms)
    group.I_ext_soma = 0 * nA
    net.run(50 * ms)
    time = np.asarray(mon.t_) * 1e3
    ca = np.asarray(mon.ca_i_soma_) / 1.0  # mol/m3 = mM
    volt = np.asarray(mon.v_soma_) * 1e3
    ca_min = float(pool.value("ca_min") / mM)
    decay = float(pool.value("decay") / ms)
    ahp = []
    for i in range(2):
        spikes = time[1:][(volt[i, 1:] > 0) & (volt[i, :-1] <= 0)]
        assert len(spikes) >= 1
        assert ca[i, time < 10].max() < 1.01 * ca_min
        assert ca[i].max() > 10 * ca_min  # calcium enters during spikes
        after = time > 45
        tau = -1 / np.polyfit(time[after], np.log(ca[i, after] - ca_min), 1)[0]
        assert abs(tau / decay - 1) < 0.1
        ahp.append(volt[i, (time > spikes[0]) & (time < spikes[0] + 10)].min())
    assert ahp[1] < ahp[0] - 3.0  # SK deepens the afterhyperpolarisation


def test_cat_gives_rebound_low_threshold_depolarisation():
    compartments.backends.use("numpy")
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                 channels.CaT()], pools=[CalciumPool()])
    cell = CellTemplate("lts", [soma], celsius=36.0)
    group = cell.make_group(2, dt=0.25 * ms)
    group.pcabar_cat_soma_ = [0.0, 0.2e-5]  # neuron 0 without CaT (m/s)
    equilibrate(group)
    rest = np.asarray(group.v_soma_) * 1e3
    mon = StateMonitor(group, "v_soma", record=True)
    net = Network(group, mon)
    group.I_ext_soma = -0.015 * nA
    net.run(150 * ms)
    hyper = np.asarray(group.v_soma_) * 1e3
    group.I_ext_soma = 0 * nA
    net.run(40 * ms)
    time = np.asarray(mon.t_) * 1e3
    peak = (np.asarray(mon.v_soma_) * 1e3)[:, time > 150].max(axis=1)
    assert np.all(hyper < -85)  # de-inactivating range of CaT
    assert peak[0] < rest[0] + 0.5  # passive: relaxes back without overshoot
    assert peak[1] > rest[1] + 15.0  # low-threshold rebound depolarisation
