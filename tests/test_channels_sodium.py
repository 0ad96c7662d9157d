"""Sodium channels (NaT, NaTa, NaP) and Ih (HCN) against their sources.

Reference values are computed here in closed form from the published rate
expressions (not from the engine):

- NaT: Pospischil et al. 2008 (Biol Cybern 99:427) / Traub & Miles 1991,
  rates of ``v - VT`` as in ``HH_traub.mod`` (ModelDB 123623), Q10 3 from 36 °C;
- NaTa: Hay et al. 2011 ``NaTa_t.mod`` (after Colbert & Pan 2002), Q10 2.3 from
  21 °C. Its steady states are exact Boltzmann functions: alpha_m/beta_m =
  (0.182/0.124) exp((v + 38)/6) gives m: V1/2 = -38 + 6 ln(0.124/0.182) =
  -40.30 mV, k = 6 mV; alpha_h/beta_h = exp(-(v + 66)/6) gives h: V1/2 = -66 mV,
  k = 6 mV;
- NaP: Hay et al. 2011 ``Nap_Et2.mod`` (after Magistretti & Alonso 1999):
  m: V1/2 = -52.6 mV, k = 4.6 mV; h: V1/2 = -48.8 mV, k = 10 mV;
- HCN: Kole et al. 2006 as Hay et al. 2011 ``Ih.mod``, no temperature factor.

Half-activation voltages are compared within 0.5 mV and slope factors
(k = 1/(4 |dx/dV|) at V1/2) within 5 %; time constants within rtol 1e-6 of
the closed form at every test voltage (including the removable singularities
of the rates). Voltage clamp: ``tests/nmodl/{nat,nata,nap,hcn}_check.mod``
(written here from the same equations) in NEURON vs `channels.voltage_clamp`,
within 1 % of each step's peak current.
"""

import numpy as np
import pytest
from brian2 import Network, StateMonitor, cm, mV, ms, msiemens, nA, uF, um
from scipy.optimize import brentq

import compartments
from compartments import CellTemplate, Compartment, channels, equilibrate

# includes the removable singularities: NaT (VT = -55) at -42 and -15 mV; NaTa/NaP at
# -38 and -66 mV; NaP h at -17 and -64.4 mV; HCN at -154.9 mV
V = np.array([-154.9, -120.0, -90.0, -66.0, -64.4, -55.0, -42.0, -38.0, -17.0, -15.0, 0.0,
              30.0])


def _efun(x, k):
    """x / (exp(x/k) - 1), with its limit k at x = 0."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x / k) < 1e-9
    safe = np.where(small, 1.0, x)
    return np.where(small, k * (1 - x / k / 2), safe / np.expm1(safe / k))


# --- published rate expressions (rates in 1/ms, v in mV) ------------------------------------
def nat_paper(v, VT=-55.0, celsius=36.0):
    u = v - VT
    am, bm = 0.32 * _efun(13 - u, 4), 0.28 * _efun(u - 40, 5)
    ah, bh = 0.128 * np.exp((17 - u) / 18), 4 / (1 + np.exp((40 - u) / 5))
    tadj = 3.0 ** ((celsius - 36) / 10)
    return dict(m_inf=am / (am + bm), tau_m=1 / (am + bm) / tadj,
                h_inf=ah / (ah + bh), tau_h=1 / (ah + bh) / tadj)


def _nata_m_rates(v):
    am = 0.182 * (v + 38) / (1 - np.exp(-(v + 38) / 6))
    bm = 0.124 * (-v - 38) / (1 - np.exp((v + 38) / 6))
    return am, bm


def nata_paper(v, celsius=34.0):
    v = np.where(np.isin(v, [-38.0, -66.0]), v + 1e-7, v)  # as NaTa_t.mod's "v = v + 0.0001"
    am, bm = _nata_m_rates(v)
    ah = -0.015 * (v + 66) / (1 - np.exp((v + 66) / 6))
    bh = -0.015 * (-v - 66) / (1 - np.exp((-v - 66) / 6))
    qt = 2.3 ** ((celsius - 21) / 10)
    return dict(m_inf=am / (am + bm), tau_m=1 / (am + bm) / qt,
                h_inf=ah / (ah + bh), tau_h=1 / (ah + bh) / qt)


def nap_paper(v, celsius=34.0):
    v = np.where(np.isin(v, [-38.0, -17.0, -64.4]), v + 1e-7, v)
    am, bm = _nata_m_rates(v)
    ah = -2.88e-6 * (v + 17) / (1 - np.exp((v + 17) / 4.63))
    bh = 6.94e-6 * (v + 64.4) / (1 - np.exp(-(v + 64.4) / 2.63))
    qt = 2.3 ** ((celsius - 21) / 10)
    return dict(m_inf=1 / (1 + np.exp(-(v + 52.6) / 4.6)), tau_m=6 / (am + bm) / qt,
                h_inf=1 / (1 + np.exp((v + 48.8) / 10)), tau_h=1 / (ah + bh) / qt)


def hcn_paper(v):
    v = np.where(v == -154.9, v + 1e-7, v)
    am = 0.001 * 6.43 * (v + 154.9) / (np.exp((v + 154.9) / 11.9) - 1)
    bm = 0.001 * 193 * np.exp(v / 33.1)
    return dict(m_inf=am / (am + bm), tau_m=1 / (am + bm))


def _check_against(kin, ref, gates, rtol=1e-6):
    for g in gates:
        np.testing.assert_allclose(kin[f"{g}_inf"], ref[f"{g}_inf"], rtol=rtol, atol=1e-12,
                                   err_msg=f"{g}_inf")
        np.testing.assert_allclose(kin[f"tau_{g}_ms"], ref[f"tau_{g}"], rtol=rtol,
                                   err_msg=f"tau_{g}")


# --- steady states and time constants -------------------------------------------------------
@pytest.mark.parametrize("celsius", [36.0, 24.0])
def test_nat_rates_match_paper(celsius):
    kin = channels.gate_kinetics(channels.NaT(), V * mV, celsius=celsius)
    _check_against(kin, nat_paper(V, celsius=celsius), "mh")
    # Traub & Miles' original VT = -63 mV (HH_traub.mod default)
    kin = channels.gate_kinetics(channels.NaT(VT=-63 * mV), V * mV, celsius=celsius)
    _check_against(kin, nat_paper(V, VT=-63.0, celsius=celsius), "mh")


@pytest.mark.parametrize("celsius", [34.0, 21.0])
def test_nata_rates_match_paper(celsius):
    kin = channels.gate_kinetics(channels.NaTa(), V * mV, celsius=celsius)
    _check_against(kin, nata_paper(V, celsius=celsius), "mh")


@pytest.mark.parametrize("celsius", [34.0, 21.0])
def test_nap_rates_match_paper(celsius):
    kin = channels.gate_kinetics(channels.NaP(), V * mV, celsius=celsius)
    _check_against(kin, nap_paper(V, celsius=celsius), "mh")


def test_hcn_rates_match_paper_at_any_temperature():
    for celsius in (22.0, 34.0, 37.0):  # Ih.mod has no temperature factor
        kin = channels.gate_kinetics(channels.HCN(), V * mV, celsius=celsius)
        _check_against(kin, hcn_paper(V), "m")


def test_vshift_moves_the_voltage_axis():
    shifted = V + 7.0
    for ch, ref, gates in ((channels.NaTa(vshift=7 * mV), nata_paper(V), "mh"),
                           (channels.NaP(vshift=7 * mV), nap_paper(V), "mh"),
                           (channels.HCN(vshift=7 * mV), hcn_paper(V), "m")):
        kin = channels.gate_kinetics(ch, shifted * mV, celsius=34.0)
        _check_against(kin, ref, gates, rtol=1e-5)


def _half_and_slope(fn, lo, hi):
    """V1/2 of a monotonic steady state fn(v) (closed form) and its slope factor k."""
    v_half = brentq(lambda v: fn(np.array([v]))[0] - 0.5, lo, hi, xtol=1e-10)
    d = 1e-4
    slope = (fn(np.array([v_half + d]))[0] - fn(np.array([v_half - d]))[0]) / (2 * d)
    return v_half, 1 / (4 * abs(slope))


def _engine_half_and_slope(channel, gate, lo, hi, celsius):
    v = np.arange(lo, hi, 0.005)
    x = channels.gate_kinetics(channel, v * mV, celsius=celsius)[f"{gate}_inf"].to_numpy()
    order = np.argsort(x)
    v_half = float(np.interp(0.5, x[order], v[order]))
    slope = np.gradient(x, v)[np.argmin(np.abs(v - v_half))]
    return v_half, 1 / (4 * abs(slope))


# (channel, gate, published V1/2 (mV), published k (mV), search range)
PUBLISHED = [
    ("NaTa", "m", -38 + 6 * np.log(0.124 / 0.182), 6.0, (-70, -10)),
    ("NaTa", "h", -66.0, 6.0, (-100, -30)),
    ("NaP", "m", -52.6, 4.6, (-80, -20)),
    ("NaP", "h", -48.8, 10.0, (-100, 0)),
]


@pytest.mark.parametrize("name, gate, v_half, k, span", PUBLISHED,
                         ids=[f"{p[0]}-{p[1]}" for p in PUBLISHED])
def test_half_activation_matches_published(name, gate, v_half, k, span):
    got_v, got_k = _engine_half_and_slope(getattr(channels, name)(), gate, *span, celsius=34.0)
    assert abs(got_v - v_half) < 0.5
    assert abs(got_k - k) / k < 0.05


@pytest.mark.parametrize("name, gate, ref, span", [
    ("NaT", "m", lambda v: nat_paper(v)["m_inf"], (-80, 0)),
    ("NaT", "h", lambda v: nat_paper(v)["h_inf"], (-80, 0)),
    ("HCN", "m", lambda v: hcn_paper(v)["m_inf"], (-160, -60)),
], ids=["NaT-m", "NaT-h", "HCN-m"])
def test_half_activation_matches_closed_form(name, gate, ref, span):
    """No Boltzmann fit is published for these: V1/2 and k of the published rate functions."""
    v_half, k = _half_and_slope(ref, *span)
    got_v, got_k = _engine_half_and_slope(getattr(channels, name)(), gate, *span, celsius=36.0)
    assert abs(got_v - v_half) < 0.5
    assert abs(got_k - k) / k < 0.05


# --- voltage clamp against NEURON -----------------------------------------------------------
CLAMPS = [
    # channel, suffix, steps (mV), hold (mV), duration (ms), celsius, dt (ms)
    ("NaT", "natcheck", [-50.0, -30.0, -10.0, 10.0, 30.0], -80.0, 5.0, 30.0, 0.01),
    ("NaTa", "natacheck", [-50.0, -30.0, -10.0, 10.0, 30.0], -80.0, 5.0, 34.0, 0.01),
    ("NaP", "napcheck", [-70.0, -60.0, -50.0, -40.0, -20.0], -90.0, 50.0, 34.0, 0.1),
    ("HCN", "hcncheck", [-140.0, -120.0, -100.0, -80.0], -60.0, 500.0, 34.0, 0.5),
]


@pytest.mark.crosscheck
@pytest.mark.parametrize("name, suffix, steps, hold, duration, celsius, dt", CLAMPS,
                         ids=[c[0] for c in CLAMPS])
def test_voltage_clamp_matches_nmodl(name, suffix, steps, hold, duration, celsius, dt):
    pytest.importorskip("neuron")
    from nrn_clamp import clamp_error, neuron_voltage_clamp

    compartments.backends.use("numpy")
    _, traces = neuron_voltage_clamp(suffix, steps, hold, duration, celsius=celsius, dt_ms=dt)
    brian = channels.voltage_clamp(getattr(channels, name)(), steps * mV, hold * mV,
                                   duration * ms, celsius=celsius, dt=dt * ms)
    assert np.all(clamp_error(brian, traces, steps) < 1e-4)


# --- behaviour ------------------------------------------------------------------------------
def test_nap_current_persists_where_nata_inactivates(numpy_target):
    """At -50 mV NaP stays inward for 100 ms; NaTa decays to its small window current."""
    end = {}
    for ch in (channels.NaP(), channels.NaTa()):
        df = channels.voltage_clamp(ch, [-50.0] * mV, -90 * mV, 100 * ms, celsius=34.0,
                                    dt=0.1 * ms)
        i = df.I_uA_per_cm2.to_numpy()
        end[ch.name] = (i[-1], i.max())
    i_end, i_peak = end["nap"]
    assert i_end > 0 and i_end > 0.9 * i_peak  # inward and (nearly) non-inactivating
    i_end, i_peak = end["nata"]
    assert i_peak > 0 and i_end < 0.2 * i_peak


def test_hcn_gives_sag(numpy_target):
    """A hyperpolarising step sags back with Ih (sag ratio > 0.05), not with the leak alone."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[channels.Leak(g=0.1 * msiemens / cm**2, E=-70 * mV),
                                 channels.HCN(gbar=0.2 * msiemens / cm**2)])
    cell = CellTemplate("sag", [soma], celsius=34.0)
    group = cell.make_group(2, dt=0.25 * ms)
    group.gbar_hcn_soma_[1] = 0.0  # second neuron: leak only
    equilibrate(group)
    mon = StateMonitor(group, "v_soma", record=True)
    net = Network(group, mon)
    net.run(20 * ms)
    group.I_ext_soma = -0.05 * nA
    net.run(500 * ms)
    v = np.asarray(mon.v_soma_ / 1e-3)
    t = np.asarray(mon.t_ / 1e-3)
    base = v[:, t < 20].mean(axis=1)
    peak = v[:, t >= 20].min(axis=1) - base
    steady = v[:, -1] - base
    sag = 1 - steady / peak
    print(f"sag ratio with Ih {sag[0]:.3f}, leak only {sag[1]:.4f}; peak {peak} mV")
    assert np.all(peak < -10)  # a real hyperpolarisation
    assert sag[0] > 0.05
    assert abs(sag[1]) < 0.005
