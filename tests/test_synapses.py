"""Receptors, placement and transmission (compartments.receptors, compartments.synapses).

References nobody here wrote: the closed-form difference of exponentials,
NEURON's ``Exp2Syn`` on the same geometry, NEURON's ``h.distance``, the
Jahr & Stevens (1990) block, superposition of linear conductances.
Tolerances are stated per test. Numpy target (no compilation).
"""

import numpy as np
import pytest
from brian2 import (Network, SpikeGeneratorGroup, StateMonitor, cm, mmolar, ms, msiemens, mV,
                    nS, ohm, um)

from compartments import CellTemplate, Compartment, CalciumPool, channels, synapses
from compartments.receptors import AMPA, GABAA, GABAB, NMDA

pytestmark = pytest.mark.usefixtures("numpy_target")

G_LEAK = 0.05 * msiemens / cm**2
E_LEAK = -70 * mV


def _leak():
    return channels.Leak(g=G_LEAK, E=E_LEAK)


def ball_and_stick(receptors=(), nseg=5, soma_receptors=(), pools=()):
    """Passive soma 20x20 um + dendrite 200 x 1 um, receptors on the dendrite."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[_leak(), *soma_receptors])
    dend = Compartment("dend", length=200 * um, diameter=1 * um, nseg=nseg,
                       channels=[_leak(), *receptors], pools=pools)
    return CellTemplate("ball_stick", [soma, dend], [("soma", "dend")], Ra=150 * ohm * cm,
                        celsius=34)


def _run(objects, duration):
    net = Network(*objects)
    net.run(duration)
    return net


def test_conductance_is_the_difference_of_exponentials_with_peak_gpeak():
    """g(t) = w gpeak norm (exp(-t/td) - exp(-t/tr)) to 1e-9 nS at dt = 0.1 ms, where
    exponential Euler with the rise variable frozen over a step is ~25 % off."""
    from brian2 import defaultclock

    defaultclock.dt = 0.1 * ms
    cell = ball_and_stick([AMPA(), NMDA()])
    group = cell.make_group(2, dt=defaultclock.dt)
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    syn = synapses.connect(src, group, {"ampa": 0.7 * nS, "nmda": 0.3 * nS}, at="dend",
                           weight=[1.0, 2.5], i=0, j=[0, 1])
    seg = synapses.placement(syn).segment[0]
    mon = StateMonitor(group, [f"g_ampa_{seg}", f"g_nmda_{seg}"], record=True)
    _run([group, src, syn, mon], 200 * ms)
    t = np.asarray(mon.t / ms) - 1.0
    for name, gpeak, (tr, td) in (("ampa", 0.7, (0.2, 1.7)), ("nmda", 0.3, (0.29, 43.0))):
        tp = tr * td / (td - tr) * np.log(td / tr)
        norm = 1 / (np.exp(-tp / td) - np.exp(-tp / tr))
        for k, w in enumerate([1.0, 2.5]):
            # the spike is delivered at the end of the step in which it arrives
            s = np.clip(t - 0.1, 0, None)
            expected = np.where(t > 0.05, w * gpeak * norm * (np.exp(-s / td) - np.exp(-s / tr)),
                                0)
            got = getattr(mon, f"g_{name}_{seg}")[k] / nS
            assert np.max(np.abs(got - expected)) < 1e-9
            assert abs(got.max() / (w * gpeak) - 1) < 0.02  # sampled peak of the transient


def test_synapses_onto_one_compartment_superpose():
    """Two Synapses objects onto the same compartment: the conductance is the sum of each
    alone (linear kinetics shared per segment), to round-off."""
    cell = ball_and_stick([AMPA()])
    group = cell.make_group(3)
    a = SpikeGeneratorGroup(1, [0, 0], [2 * ms, 7 * ms])
    b = SpikeGeneratorGroup(1, [0], [4 * ms])
    # neuron 0: a only; 1: b only; 2: both
    sa = synapses.connect(a, group, {"ampa": 1 * nS}, at="dend", i=0, j=[0, 2])
    sb = synapses.connect(b, group, {"ampa": 0.5 * nS}, at="dend", i=0, j=[1, 2])
    seg = synapses.placement(sa).segment[0]
    mon = StateMonitor(group, f"g_ampa_{seg}", record=True)
    _run([group, a, b, sa, sb, mon], 20 * ms)
    g = getattr(mon, f"g_ampa_{seg}") / nS
    assert g[0].max() > 0.9 and g[1].max() > 0.4
    assert np.max(np.abs(g[2] - g[0] - g[1])) < 1e-12


@pytest.mark.crosscheck
def test_epsp_matches_neuron_exp2syn():
    """AMPA and GABA_A synapses on a ball-and-stick vs NEURON Exp2Syn on the same geometry
    (crank_nicolson vs secondorder=2, dt 0.025 ms): voltages within 1e-3 mV."""
    neuron = pytest.importorskip("neuron")
    h = neuron.h
    h.load_file("stdrun.hoc")
    soma = h.Section(name="soma_syn")
    soma.L = soma.diam = 20
    dend = h.Section(name="dend_syn")
    dend.L, dend.diam, dend.nseg = 200, 1, 5
    dend.connect(soma(0.5), 0)
    for sec in (soma, dend):
        sec.Ra, sec.cm = 150, 1
        sec.insert("pas")
        for seg in sec:
            seg.pas.g, seg.pas.e = 5e-5, -70
    stims = []
    for loc, (tr, td, e, gpk, t_on) in ((dend(0.7), (0.2, 1.7, 0, 2e-3, 5)),
                                        (soma(0.5), (0.2, 8.0, -80, 5e-3, 12))):
        syn = h.Exp2Syn(loc)
        syn.tau1, syn.tau2, syn.e = tr, td, e
        ns = h.NetStim()
        # Brian2 delivers a spike at the end of the step it falls in, NEURON at its time:
        # the NEURON event goes one step later
        ns.number, ns.start = 1, t_on + 0.025
        # NEURON's Exp2Syn normalises its peak to the NetCon weight (uS)
        nc = h.NetCon(ns, syn, 0, 0, gpk)
        stims.append((syn, ns, nc))
    vs, vd = h.Vector().record(soma(0.5)._ref_v), h.Vector().record(dend(0.7)._ref_v)
    tv = h.Vector().record(h._ref_t)
    h.dt, h.secondorder, h.celsius = 0.025, 2, 34
    h.finitialize(-70)
    h.continuerun(40)
    cell = ball_and_stick([AMPA()], soma_receptors=[GABAA(E=-80 * mV)])
    group = cell.make_group(1)
    exc = SpikeGeneratorGroup(1, [0], [5 * ms])
    inh = SpikeGeneratorGroup(1, [0], [12 * ms])
    se = synapses.connect(exc, group, {"ampa": 2 * nS}, at="dend_3")
    si = synapses.connect(inh, group, {"gabaa": 5 * nS}, at="soma")
    mon = StateMonitor(group, ["v_soma", "v_dend_3"], record=0)
    _run([group, exc, inh, se, si, mon], 40 * ms)
    # Brian2 sample k is the state at t_k before the step; NEURON's record at t_k after it
    t_b, t_n = np.asarray(mon.t / ms), np.asarray(tv)
    for got, ref in ((mon.v_soma[0] / mV, vs), (mon.v_dend_3[0] / mV, vd)):
        ref = np.interp(t_b, t_n, np.asarray(ref))
        assert np.ptp(ref) > 1.0   # the synapses did something
        assert np.max(np.abs(got - ref)) < 1e-3


def test_nmda_mg_block_follows_jahr_stevens():
    """Block factor at -70 and -40 mV with 1 mM Mg: 0.044 and 0.23 (Jahr & Stevens 1990
    constants, values computed in docs/synapse_sources.md), to 2 %; no Mg, no block."""
    cell = ball_and_stick([NMDA()], nseg=1)
    group = cell.make_group(3)
    group.v_dend = [-70, -40, -70] * mV
    group.mg_nmda_dend = [1, 1, 0] * mmolar
    block = np.asarray(group.mg_block_nmda_dend[:])
    assert abs(block[0] / 0.0445 - 1) < 0.02
    assert abs(block[1] / 0.2325 - 1) < 0.02
    assert block[2] == 1.0


def test_nmda_calcium_fraction_feeds_the_pool():
    """NMDA activation raises ca_i in a compartment with a calcium pool by the fraction
    frac_ca of its current; AMPA does not; frac_ca = 0 gives no rise."""
    cell = ball_and_stick([AMPA(), NMDA()], nseg=1, pools=[CalciumPool()])
    group = cell.make_group(3)
    src = SpikeGeneratorGroup(1, [0], [2 * ms])
    s_nmda = synapses.connect(src, group, {"nmda": 5 * nS}, at="dend", i=0, j=[0, 1])
    s_ampa = synapses.connect(src, group, {"ampa": 5 * nS}, at="dend", i=0, j=[2])
    group.frac_ca_nmda_dend[1] = 0
    mon = StateMonitor(group, "ca_i_dend", record=True)
    _run([group, src, s_nmda, s_ampa, mon], 30 * ms)
    rise = np.max(mon.ca_i_dend / mmolar, axis=1) - mon.ca_i_dend[:, 0] / mmolar
    assert rise[0] > 1e-5
    assert abs(rise[1]) < 1e-12 and abs(rise[2]) < 1e-12


def test_gabab_is_slow_rectifying_potassium_inhibition():
    """GABA_B: hyperpolarises, peaks ~100 ms after the spike (dual-exponential fit of the
    Destexhe & Sejnowski kinetic model), current = g (E_K - v) x GIRK rectification."""
    cell = ball_and_stick(nseg=1, soma_receptors=[GABAB()])
    group = cell.make_group(1)
    src = SpikeGeneratorGroup(1, [0], [5 * ms])
    syn = synapses.connect(src, group, {"gabab": 5 * nS}, at="soma")
    mon = StateMonitor(group, ["v_soma", "g_gabab_soma", "I_gabab_soma"], record=0)
    _run([group, src, syn, mon], 400 * ms)
    t = mon.t / ms
    assert 90 < t[np.argmax(mon.g_gabab_soma[0])] - 5 < 115
    assert np.min(mon.v_soma[0] / mV) < -70.2
    v = mon.v_soma[0]
    rect = 1 / (1 + np.exp((v - (-90 * mV) + 10 * mV) / (10 * mV)))
    area = np.pi * (20 * um) ** 2
    expected = mon.g_gabab_soma[0] * (-90 * mV - v) * rect / area
    assert np.allclose(mon.I_gabab_soma[0], expected, rtol=1e-9, atol=0)


@pytest.mark.crosscheck
def test_path_distances_match_neuron():
    """Segment-centre path distances from the soma centre equal NEURON's h.distance on the
    same tree (soma nseg 1, a dendrite at the soma end, a chain with a child at its centre
    and one at its end, even nseg)."""
    neuron = pytest.importorskip("neuron")
    h = neuron.h
    geo = [("soma", 20, 1, None, None), ("apical", 300, 4, "soma", 1.0),
           ("oblique", 50, 3, "apical", 0.5), ("tuft", 100, 2, "apical", 1.0),
           ("basal", 80, 3, "soma", 0.5)]
    secs, comps, conns = {}, [], []
    for name, length, nseg, parent, x in geo:
        sec = h.Section(name=f"{name}_pd")
        sec.L, sec.diam, sec.nseg = length, 1, nseg
        if parent:
            sec.connect(secs[parent](x), 0)
            conns.append((parent, name, x if x == 0.5 else int(x)))
        secs[name] = sec
        comps.append(Compartment(name, length=length * um, diameter=1 * um, nseg=nseg))
    cell = CellTemplate("tree", comps, conns)
    h.distance(0, secs["soma"](0.5))
    got = cell.path_distances()
    for name, length, nseg, _, _ in geo:
        for k in range(nseg):
            seg = name if nseg == 1 else f"{name}_{k}"
            ref = h.distance(secs[name]((k + 0.5) / nseg))
            assert abs(float(got[seg] / um) - ref) < 1e-9, seg


def test_placement_by_distance_picks_the_nearest_centre():
    """distance= puts each synapse on the receptor-carrying segment whose centre is nearest
    (the dendrite starts at the soma centre; segments of 40 um: centres 20, 60, ..., 180 um)."""
    cell = ball_and_stick([AMPA()])
    group = cell.make_group(4)
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    syn = synapses.connect(src, group, {"ampa": 1 * nS}, i=0, j=[0, 1, 2, 3],
                           distance=[0, 39, 41, 199] * um)
    where = synapses.placement(syn)
    assert list(where.segment) == ["dend_0", "dend_0", "dend_1", "dend_4"]
    assert list(where.distance_um) == pytest.approx([20, 20, 60, 180])
    # the per-synapse index routes each spike to its own segment
    mon = StateMonitor(group, ["g_ampa_dend_0", "g_ampa_dend_1", "g_ampa_dend_4"], record=True)
    _run([group, src, syn, mon], 5 * ms)
    peaks = {s: np.max(getattr(mon, f"g_ampa_{s}") / nS, axis=1)
             for s in ("dend_0", "dend_1", "dend_4")}
    assert peaks["dend_0"][[0, 1]].min() > 0.9 and peaks["dend_0"][[2, 3]].max() < 1e-12
    assert peaks["dend_1"][2] > 0.9 and peaks["dend_4"][3] > 0.9


def test_placement_by_distance_gives_one_code_whatever_the_distances(numpy_target):
    """Synapses placed by distance address every carrying segment, so calls landing on
    other segments (or receptors given in another order) generate the same code and
    reuse one compiled module (counted with Cython in test_compilation, long)."""
    cell = ball_and_stick([AMPA(), NMDA()])
    group = cell.make_group(2)
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    one = synapses.connect(src, group, {"ampa": 1 * nS, "nmda": 1 * nS}, i=0, j=[0, 1],
                           distance=[10, 20] * um)
    other = synapses.connect(src, group, {"nmda": 2 * nS, "ampa": 1 * nS}, i=0, j=[1, 0],
                             distance=[170, 100] * um)
    assert set(synapses.placement(one).segment) == {"dend_0"}
    assert one.pre.code == other.pre.code and str(one.equations) == str(other.equations)


@pytest.mark.parametrize("kwargs, match", [
    (dict(receptors={"ampa": 1 * nS}, at="apical"), "apical"),
    (dict(receptors={"gabaa": 1 * nS}, at="dend"), "gabaa"),
    (dict(receptors={"kainate": 1 * nS}, at="dend"), "kainate"),
    (dict(receptors={"ampa": 1.0}, at="dend"), "receptors\\['ampa'\\]"),
    (dict(receptors={"ampa": -1 * nS}, at="dend"), "-1"),
    (dict(receptors={"ampa": 1 * nS}), "exactly one of 'at'"),
    (dict(receptors={"ampa": 1 * nS}, distance=50), "distance"),
    (dict(receptors={"ampa": 1 * nS}, at=["dend", "dend", "dend"]), "3 locations"),
])
def test_bad_synapse_input_is_named(kwargs, match):
    cell = ball_and_stick([AMPA()])
    group = cell.make_group(2)
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    with pytest.raises((ValueError, TypeError, Exception), match=match):
        synapses.connect(src, group, i=0, j=[0, 1], **kwargs)


def test_receptor_time_constants_are_checked():
    with pytest.raises(ValueError, match="tau_rise"):
        AMPA(tau_rise=5 * ms, tau_decay=2 * ms)
    with pytest.raises(Exception, match="tau_decay"):
        AMPA(tau_decay=2)
