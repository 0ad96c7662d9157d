"""Neuromodulation machinery (compartments.neuromodulation): pools, receptors, effectors,
effects, expression, presynaptic release. Numpy target, small groups.

References: the occupancy and first-order effector kinetics in closed form; the
unmodulated template (bit-identical with zero modulator); the effect algebra
(saturation on a shared effector); Bernoulli expression statistics.
"""

import numpy as np
import pytest
from brian2 import (Network, SpikeGeneratorGroup, StateMonitor, TimedArray, cm, mV,
                    ms, msiemens, nA, nM, nS, second, um, uM)

from compartments import CellTemplate, Compartment, channels, synapses
from compartments.neuromodulation import (DEFAULT_EFFECTS, RECEPTORS, Effect, Expression,
                                          PresynapticModulation, bath_to_receptor_site,
                                          modulator_pool)
from compartments.receptors import AMPA, GABAB
from compartments.template import modulation_of

pytestmark = pytest.mark.usefixtures("numpy_target")


def expression(*rows):
    return [dict(receptor=r, compartment=c, fraction=f, level=lev, source="test")
            for r, c, f, lev in rows]


def rs_cell(extra=()):
    """HH soma with an M-current and GIRK: a regular-spiking test cell."""
    soma = Compartment("soma", length=30 * um, diameter=30 * um,
                       channels=[channels.HHNa(), channels.HHK(gbar=20 * msiemens / cm**2),
                                 channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                 channels.Km(gbar=1.5 * msiemens / cm**2),
                                 channels.GIRK(gbar=0.5 * msiemens / cm**2), *extra])
    return CellTemplate("rs_test", [soma], celsius=6.3)


def passive_cell():
    """Leak, M-current and GIRK only: for slow modulation time courses at a coarse step."""
    soma = Compartment("soma", length=30 * um, diameter=30 * um,
                       channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                 channels.Km(gbar=1.5 * msiemens / cm**2),
                                 channels.GIRK(gbar=0.5 * msiemens / cm**2)])
    return CellTemplate("passive_test", [soma], celsius=6.3)


FULL = expression(("M1", "soma", 1, 1), ("M2", "soma", 1, 1), ("5-HT1A", "soma", 1, 1),
                  ("5-HT3A", "soma", 1, 1), ("b-AR", "soma", 1, 1))


def test_no_modulators_no_modulation_terms():
    cell = rs_cell().with_modulation(FULL)
    plain = cell.make_group(1)
    names = plain.equations.names
    assert not [n for n in names if n.startswith(("occ_", "e_", "mod_", "c_", "x_M", "I_HT3A"))]
    pool = modulator_pool(("ACh", "5HT"))
    group = cell.make_group(1, modulators=("ACh", "5HT"), pool=pool)
    eqs = group.user_equations
    # occupancies and factors are (constant over dt): computed once per step
    for name in ("occ_M1", "occ_HT1A", "mod_gbar_km_soma", "mod_activation_girk_soma"):
        assert "constant over dt" in eqs[name].flags
    # only the requested modulators: no beta-AR without NE
    assert "e_beta" not in eqs.names and "e_M1" in eqs.names


def test_zero_modulator_gives_the_unmodulated_model():
    """Zero modulator: every factor is exactly 1; the traces agree to round-off (the
    modulated equations multiply by 1.0 and sympy orders the Jacobian's terms differently,
    so the last bits may differ), 1e-9 mV over 150 ms with spikes."""
    cell = rs_cell().with_modulation(FULL)
    plain = cell.make_group(2)
    pool = modulator_pool(("ACh", "5HT"))
    modulated = cell.make_group(2, modulators=("ACh", "5HT"), pool=pool)
    for g in (plain, modulated):
        g.I_ext_soma = [0.5, 1.0] * nA
    m1 = StateMonitor(plain, "v_soma", record=True)
    m2 = StateMonitor(modulated, "v_soma", record=True)
    Network(plain, m1).run(150 * ms)
    Network(modulated, pool, m2).run(150 * ms)
    assert np.all(np.asarray(modulated.mod_gbar_km_soma[:]) == 1.0)
    assert np.max(np.abs(m1.v_soma - m2.v_soma) / mV) < 1e-9
    assert np.max(m1.v_soma / mV) > 0          # it spikes: the comparison is not vacuous


def test_effector_follows_occupancy_with_on_and_off_time_constants():
    """c steps to 1 uM at 100 ms and back to 0 at 2.1 s: e_M1 = occ (1 - exp(-t/tau_on)),
    then decays with tau_off (2 s and 20 s, M1 defaults), within 1e-3 (the effector update
    is exact for a constant occupancy, so dt = 1 ms suffices)."""
    from brian2 import defaultclock

    defaultclock.dt = 1 * ms
    cell = passive_cell().with_modulation(expression(("M1", "soma", 1, 1)))
    steps = np.zeros(300)
    steps[1:21] = 1.0
    pool = modulator_pool(("ACh",), timed_arrays={"ACh": TimedArray(steps * uM, dt=100 * ms)})
    group = cell.make_group(1, modulators=("ACh",), pool=pool)
    mon = StateMonitor(group, ["e_M1", "occ_M1"], record=0, dt=10 * ms)
    Network(group, pool, mon).run(6 * second)
    t = np.asarray(mon.t / second)
    m1 = RECEPTORS["M1"]
    occ = 1.0 / (1.0 + float(m1.ec50 / uM))
    on, off = float(m1.tau_on / second), float(m1.tau_off / second)
    rising = (t > 0.1) & (t <= 2.1)
    expected = occ * (1 - np.exp(-(t[rising] - 0.1) / on))
    assert np.max(np.abs(mon.e_M1[0][rising] - expected)) < 1e-3
    e_end = occ * (1 - np.exp(-2.0 / on))
    falling = t > 2.1
    expected = e_end * np.exp(-(t[falling] - 2.1) / off)
    assert np.max(np.abs(mon.e_M1[0][falling] - expected)) < 1e-3


def test_receptors_sharing_girk_saturate_instead_of_adding():
    """5-HT1A and M2 both open GIRK (s = 1): each alone at occupancy ~0.5 opens about half,
    together 1 - (1-a)(1-b), below the sum and never above 1."""
    cell = rs_cell().with_modulation(expression(("M2", "soma", 1, 1), ("5-HT1A", "soma", 1, 1)))
    m2, ht = RECEPTORS["M2"], RECEPTORS["5-HT1A"]
    pool = modulator_pool(("ACh", "5HT"), n=4,
                          tonic={"ACh": [0, 1, 0, 1] * m2.ec50, "5HT": [0, 0, 1, 1] * ht.ec50})
    group = cell.make_group(4, modulators=("ACh", "5HT"), pool=pool, pool_index=[0, 1, 2, 3])
    Network(group, pool).run(0.1 * ms)   # factors are computed at the start of each step
    opened = np.asarray(group.mod_activation_girk_soma[:])      # closed fraction
    a = 1 - opened
    assert a[0] == 0
    assert a[1] == pytest.approx(0.5, rel=1e-6) and a[2] == pytest.approx(0.5, rel=1e-6)
    assert a[3] == pytest.approx(1 - 0.5 * 0.5, rel=1e-6) and a[3] < a[1] + a[2]


def test_decrease_is_bounded_and_m1_suppresses_the_m_current():
    """Saturating ACh: Km's density falls to (1 - 0.9) of control, never below 0; the cell
    depolarises, its input resistance rises and adaptation weakens (fewer ISIs lost)."""
    cell = rs_cell().with_modulation(expression(("M1", "soma", 1, 1)))
    pool = modulator_pool(("ACh",), n=2, tonic={"ACh": [0, 100] * uM})
    group = cell.make_group(4, modulators=("ACh",), pool=pool, pool_index=[0, 1, 0, 1])
    v_rest = np.asarray(group.v_soma[:]) / 1e-3
    assert v_rest[1] > v_rest[0] + 0.2
    group.I_ext_soma = [0.0, 0.0, 0.25, 0.25] * nA
    group.I_ext_soma[:2] = -0.02 * nA
    mon = StateMonitor(group, "v_soma", record=True)
    from brian2 import SpikeMonitor
    spikes = SpikeMonitor(group)
    Network(group, pool, mon, spikes).run(500 * ms)
    occ = 100 / (100 + float(RECEPTORS["M1"].ec50 / uM))
    assert np.asarray(group.mod_gbar_km_soma[:])[1] == pytest.approx(1 - 0.9 * occ, rel=1e-9)
    dv = v_rest[:2] - np.asarray(mon.v_soma[:2, -1] / mV)
    assert dv[1] > dv[0] * 1.05                       # higher input resistance
    counts = np.bincount(np.asarray(spikes.i), minlength=4)
    assert counts[3] > counts[2]                       # more spikes: less adaptation


def test_ionotropic_5ht3a_depolarises_then_desensitises():
    from brian2 import defaultclock

    defaultclock.dt = 0.5 * ms
    cell = passive_cell().with_modulation(expression(("5-HT3A", "soma", 1, 1)))
    group_gate = np.zeros(40)
    group_gate[5:] = 1.0
    pool = modulator_pool(("5HT",), timed_arrays={"5HT": TimedArray(group_gate * 30 * uM,
                                                                      dt=100 * ms)})
    group = cell.make_group(1, modulators=("5HT",), pool=pool)
    mon = StateMonitor(group, ["v_soma", "I_HT3A_soma"], record=0, dt=1 * ms)
    Network(group, pool, mon).run(4 * second)
    v = mon.v_soma[0] / mV
    t = mon.t / ms
    peak = v[(t > 500) & (t < 1000)].max()
    assert peak > v[t < 500].max() + 1.0            # fast depolarisation
    assert v[-1] < peak - 0.5 * (peak - v[0])       # desensitised: most of it gone


def test_expression_is_drawn_per_neuron_and_seeded():
    rows = expression(("M1", "soma", 0.3, 0.8))
    cell = rs_cell().with_modulation(rows)
    pool = modulator_pool(("ACh",))
    a = cell.make_group(2000, modulators=("ACh",), pool=pool, seed=4)
    b = cell.make_group(2000, modulators=("ACh",), pool=pool, seed=4)
    x = np.asarray(a.x_M1_soma[:])
    assert set(np.unique(x)) == {0.0, 0.8}
    assert abs(np.mean(x > 0) - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 2000)
    assert np.array_equal(x, np.asarray(b.x_M1_soma[:]))


def test_a_cell_expresses_a_receptor_in_all_its_compartments_or_none():
    """One draw per neuron and receptor: equal fractions give the same cells in every
    compartment; a smaller fraction a subset of them (independent draws would not)."""
    table = Expression(expression(("5-HT1A", "soma", 0.5, 1), ("5-HT1A", "basal", 0.5, 0.5),
                                  ("5-HT1A", "apical", 0.2, 1), ("D2", "soma", 0.5, 1)))
    x = table.sample(4000, seed=2)
    soma, basal, apical = (x[("5-HT1A", c)] > 0 for c in ("soma", "basal", "apical"))
    assert np.array_equal(soma, basal) and set(np.unique(x[("5-HT1A", "basal")])) == {0, 0.5}
    assert np.all(soma[apical]) and abs(apical.mean() - 0.2) < 0.03
    d2 = x[("D2", "soma")] > 0                                    # another receptor: independent
    assert abs(np.mean(d2 & soma) - 0.25) < 0.03


def test_effect_on_absent_channel_default_noop_explicit_error():
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak(),
                                 channels.KLeak(g=0.1 * msiemens / cm**2)])
    cell = CellTemplate("no_km", [soma]).with_modulation(expression(("M1", "soma", 1, 1)))
    pool = modulator_pool(("ACh",))
    group = cell.make_group(1, modulators=("ACh",), pool=pool)
    report = modulation_of(group).report()
    skipped = report[~report.applied]
    assert {"km", "sahp"} <= set(skipped.channel)
    assert set(report[report.applied].channel) == {"kleak"}
    with pytest.raises(ValueError, match="km"):
        cell.make_group(1, modulators=("ACh",), pool=pool,
                        effects=[Effect("M1", "km", "gbar", "decrease", 0.5, "test")])


def test_presynaptic_acetylcholine_scales_one_pathway_only():
    """ACh on presynaptic M2 (s 0.6) of one pathway: its conductance increment is scaled by
    1 - 0.6 occ; a second pathway onto the same neuron is untouched."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.Leak(), AMPA()])
    group = CellTemplate("pre_test", [soma]).make_group(2)
    pool = modulator_pool(("ACh",), tonic={"ACh": 300 * nM})
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    recurrent = synapses.connect(src, group, {"ampa": 1 * nS}, at="soma", i=0, j=0,
                                 presynaptic=PresynapticModulation(pool, "M2", s=0.6))
    thalamic = synapses.connect(src, group, {"ampa": 1 * nS}, at="soma", i=0, j=1)
    mon = StateMonitor(group, "g_ampa_soma", record=True)
    Network(group, pool, src, recurrent, thalamic, mon).run(10 * ms)
    peaks = np.max(mon.g_ampa_soma / nS, axis=1)
    occ = 0.3 / (0.3 + float(RECEPTORS["M2"].ec50 / uM))
    assert peaks[0] / peaks[1] == pytest.approx(1 - 0.6 * occ, rel=1e-9)


def test_gabab_and_serotonin_share_the_girk_channels():
    """5-HT1A opens a fraction A of the soma's GIRK; a GABA_B synapse in the same soma then
    finds only 1 - A of the channels: its current is scaled by 1 - A (occlusion, Andrade,
    Malenka & Nicoll 1986), not added on top. Without 5-HT, or without modulators at all,
    the GABA_B current is the plain receptor's."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                 channels.GIRK(gbar=0.5 * msiemens / cm**2), GABAB()])
    cell = CellTemplate("girk_share", [soma]).with_modulation(expression(("5-HT1A", "soma", 1, 1)))
    pool = modulator_pool(("5HT",), n=2, tonic={"5HT": np.array([0.0, 0.1]) * uM})
    modulated = cell.make_group(2, modulators=("5HT",), pool=pool, pool_index=[0, 1])
    plain = cell.make_group(1)
    assert "mod_available_gabab_soma" not in plain.variables
    src = SpikeGeneratorGroup(1, [0], [5 * ms])
    syn_m = synapses.connect(src, modulated, {"gabab": 1 * nS}, at="soma")
    syn_p = synapses.connect(src, plain, {"gabab": 1 * nS}, at="soma")
    # hold every neuron at -60 mV so the rectification factor is the same for all
    for g in (modulated, plain):
        g.run_regularly("v_soma = -60*mV", when="end")
    mon_m = StateMonitor(modulated, "I_gabab_soma", record=True)
    mon_p = StateMonitor(plain, "I_gabab_soma", record=True)
    Network(modulated, plain, pool, src, syn_m, syn_p, mon_m, mon_p).run(300 * ms)
    peak_m = np.max(np.abs(mon_m.I_gabab_soma), axis=1)
    peak_p = float(np.max(np.abs(mon_p.I_gabab_soma)))
    opened = 1 - float(modulated.mod_activation_girk_soma[1])       # A, from 5-HT1A
    occ = 0.1 / (0.1 + float(RECEPTORS["5-HT1A"].ec50 / uM))
    assert opened == pytest.approx(occ, rel=1e-6)                   # e at steady state = occ
    assert peak_m[0] == pytest.approx(peak_p, rel=1e-9)             # no 5-HT: plain GABA_B
    assert peak_m[1] / peak_m[0] == pytest.approx(1 - opened, rel=1e-9)


def test_pool_levels_and_release():
    src = SpikeGeneratorGroup(1, [0], [10 * ms])
    pool = modulator_pool(("DA",), tonic={"DA": 10 * nM}, tau={"DA": 100 * ms})
    from compartments.neuromodulation import release

    rel = release(src, pool, "DA", 0.5 * uM)
    mon = StateMonitor(pool, "c_DA", record=0, dt=1 * ms)
    Network(pool, src, rel, mon).run(300 * ms)
    c = mon.c_DA[0] / nM
    t = np.asarray(mon.t / ms)
    after = t >= 20
    expected = 10 + 500 * np.exp(-(t[after] - 10) / 100)
    assert np.max(np.abs(c[after] - expected)) < 0.5
    assert float(bath_to_receptor_site(10 * uM) / uM) == pytest.approx(2.0)


@pytest.mark.parametrize("make, match", [
    (lambda: modulator_pool(("DA",), tonic={"DA": -1 * nM}), "tonic"),
    (lambda: modulator_pool(("DA",), tonic={"DA": 5}), "tonic"),
    (lambda: modulator_pool(("dopamine",)), "dopamine"),
    (lambda: Expression(expression(("D9", "soma", 1, 1))), "D9"),
    (lambda: Expression(expression(("D1", "soma", 1.5, 1))), "fraction"),
    (lambda: Expression(expression(("D1", "soma", 0.5, 2))), "level"),
    (lambda: Expression([dict(receptor="D1", compartment="soma", fraction=1, level=1,
                              source="")]), "source"),
    (lambda: rs_cell().with_modulation(expression(("D1", "apical", 1, 1))), "apical"),
    (lambda: rs_cell().make_group(1, modulators=("DA",)), "expression"),
    (lambda: rs_cell().with_modulation(expression(("M1", "soma", 1, 1))).make_group(
        1, modulators=("ACh",)), "pool"),
    (lambda: bath_to_receptor_site(5 * nM, factor=2), "factor"),
])
def test_bad_modulation_input_is_named(make, match):
    from brian2 import DimensionMismatchError

    with pytest.raises((ValueError, TypeError, DimensionMismatchError), match=match):
        make()


def test_effect_strength_outside_unit_interval_is_an_error():
    from compartments.neuromodulation.effects import check_effect

    with pytest.raises(ValueError, match="1.5"):
        check_effect(Effect("M1", "km", "gbar", "decrease", 1.5, "test"))
    with pytest.raises(ValueError, match="kind"):
        check_effect(Effect("M1", "km", "gbar", "halve", 0.5, "test"))


def test_default_tables_have_sources():
    for rec in RECEPTORS.values():
        assert rec.source_binding and rec.source_kinetics
    assert all(e.source for e in DEFAULT_EFFECTS)
    assert {"D1", "D2", "M1", "M2", "nAChR a4b2", "a7", "5-HT1A", "5-HT2A", "5-HT2C", "5-HT3A",
            "a1-AR", "b-AR"} == set(RECEPTORS)


def test_levels_change_between_runs():
    """Raising the pool's tonic 5-HT between runs of the same network opens GIRK."""
    from brian2 import defaultclock

    defaultclock.dt = 0.5 * ms
    cell = passive_cell().with_modulation(expression(("5-HT1A", "soma", 1, 1)))
    pool = modulator_pool(("5HT",), tau={"5HT": 50 * ms})
    group = cell.make_group(1, modulators=("5HT",), pool=pool)
    net = Network(group, pool)
    net.run(20 * ms)
    v0 = float(group.v_soma[0])
    pool.c_5HT_tonic = 1 * uM
    net.run(1 * second)
    assert float(group.v_soma[0]) < v0 - 1e-3          # GIRK opened: hyperpolarised
