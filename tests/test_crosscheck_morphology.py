"""Morphologies from SWC files against NEURON 9 reading the same files with its Import3d.

NEURON builds every cell here from the SWC file with ``Import3d_SWC_read`` and
``Import3d_GUI.instantiate`` and computes nseg with fixnseg.hoc's d_lambda rule
(written out below from the NEURON documentation); nothing of the NEURON side
comes from engine objects. Cells: the two reconstructions shipped in
``compartments/morphology/data`` and the small files of ``tests/swc_cases.py``
(single-point, three-point, stacked and branched somata, wires, attachments at
0, 0.5 and 1, a removed zero-length section, a diameter jump).

1. Geometry: same sections (NEURON's names, parents, attachment points), the
   same 3-D points, the same nseg by the d_lambda rule (two Ra/cm settings),
   segment areas and axial resistances (NEURON's ``area()`` and ``ri()``)
   within 1e-9 relative, path distances (``h.distance(soma(0.5), seg)``)
   within 1e-9 um.
2. A distance rule (Hay et al. 2011's apical Ih) gives each segment the value
   of the formula at NEURON's distances.
3. Passive current step into the soma of mp_ma_40984_gc2 (29 sections, nseg 1,
   pas everywhere): within 0.1 mV at the soma and three dendrite ends, Brian2
   ``crank_nicolson`` vs NEURON ``secondorder=2``, dt 0.025 ms.
4. HH soma (NEURON ``hh`` with ``usetable_hh = 0``) on the same cell, passive
   dendrites, step into the soma: same spike count, spike times within 0.2 ms.
   3 and 4 on both solvers (unrolled and tree; the passive tree run is ``long``).

Measured (NEURON 9.0.2, Brian2 2.9.0, numpy target; ``pytest -s`` prints them):
areas to 2.2e-16 and resistances to 5.6e-16 relative (round-off: the same integrals in
the same order), distances to 9e-14 um, nseg everywhere equal, passive max |dv| 1.1e-13 mV,
spike times 1.2e-12 ms (4 spikes).
"""

import math

import numpy as np
import pytest

neuron = pytest.importorskip("neuron")

from brian2 import TimedArray, cm, mV, ms, nA, ohm, siemens, uF, um  # noqa: E402

import compartments  # noqa: E402
from compartments import channels, record  # noqa: E402
from compartments.morphology import DistanceRule, Morphology, example_swc, exponential  # noqa: E402

import swc_cases  # noqa: E402
from test_crosscheck_neuron import max_errors, report, run_brian, spike_times, step  # noqa: E402

pytestmark = pytest.mark.crosscheck

h = neuron.h
h.load_file("stdrun.hoc")
h.load_file("import3d.hoc")

DT = 0.025
RA, CM = 150.0, 1.0                # ohm cm, uF/cm2
G_PAS, E_PAS, V_INIT = 5e-5, -70.0, -65.0
SHIPPED = ["mp_ma_40984_gc2", "tc200"]
CASES = SHIPPED + sorted(swc_cases.CASES)


def swc_path(name, tmp_path):
    return example_swc(name) if name in SHIPPED else str(swc_cases.write(tmp_path, name))


def neuron_cell(path):
    """{NEURON section name: section} as Import3d instantiates ``path`` (previous cells deleted)."""
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(str(path))
    h.Import3d_GUI(reader, 0).instantiate(None)
    return {sec.name(): sec for sec in h.allsec()}


def neuron_d_lambda(sec, d_lambda=0.1, freq=100.0):
    """fixnseg.hoc's geom_nseg for one section (NEURON documentation, 'Using the d_lambda rule')."""
    return int((sec.L / (d_lambda * h.lambda_f(freq, sec=sec)) + 0.9) / 2) * 2 + 1


def neuron_ri(sec):
    """NEURON's resistances between consecutive nodes of a section (MOhm): into each segment
    centre from its proximal node, then from the last centre to the 1 end."""
    return np.array([seg.ri() for seg in sec] + [sec(1).ri()])


def engine_ri(compartment, Ra):
    """The same sums of the engine's half-segment resistances (MOhm)."""
    halves = [[float(r / ohm) * 1e-6 for r in s.half_resistances(Ra)]
              for s in compartment.segments]
    return np.array([halves[0][0]] + [halves[j - 1][1] + halves[j][0]
                                      for j in range(1, len(halves))] + [halves[-1][1]])


# --------------------------------------------------------------------------------------
# 1. geometry
# --------------------------------------------------------------------------------------
SETTINGS = {"uniform": (RA, CM, "d_lambda"),
            "per_region": ({"all": 80.0, "basal": 200.0}, {"all": 1.0, "basal": 2.0}, "d_lambda"),
            "even_nseg": (RA, CM, 2)}   # nodes off the section centres: distances between nodes


def region_value(spec, label):
    return spec.get(label, spec["all"]) if isinstance(spec, dict) else spec


@pytest.mark.parametrize("setting", sorted(SETTINGS))
@pytest.mark.parametrize("name", CASES)
def test_geometry_matches_neuron(name, setting, tmp_path):
    path = swc_path(name, tmp_path)
    secs = neuron_cell(path)
    morph = Morphology.from_swc(path)
    ra, c, nseg = SETTINGS[setting]
    assert sorted(secs) == sorted(s.neuron_name for s in morph.sections)
    for s in morph.sections:
        sec = secs[s.neuron_name]
        sec.Ra, sec.cm = region_value(ra, s.label), region_value(c, s.label)
        sec.nseg = neuron_d_lambda(sec) if nseg == "d_lambda" else nseg
    units = lambda spec, u: ({k: v * u for k, v in spec.items()} if isinstance(spec, dict)  # noqa: E731
                             else spec * u)
    cell = morph.to_template("x", Ra=units(ra, ohm * cm), cm=units(c, uF / cm**2), nseg=nseg)
    comps = {comp.name: comp for comp in cell.compartments}
    distances = cell.path_distances()
    origin = secs[morph.root.neuron_name](0.5)
    worst = {"area": 0.0, "ri": 0.0, "distance": 0.0}
    for s in morph.sections:
        sec, comp = secs[s.neuron_name], comps[s.name]
        parent = sec.parentseg()
        if s.parent is None:
            assert parent is None
        else:
            assert (parent.sec.name(), parent.x) == (morph.section(s.parent).neuron_name,
                                                     s.parent_x), s.name
        points = np.array([[sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)]
                           for i in range(sec.n3d())])
        # NEURON holds 3-D points in single precision, as the engine does
        np.testing.assert_array_equal(points, s.points.astype(np.float32), err_msg=s.name)
        np.testing.assert_allclose(comp.points / um, points, rtol=1e-14, err_msg=s.name)
        assert comp.nseg == sec.nseg, s.name
        areas = np.array([seg.area() for seg in sec])
        ours = np.array([float(g.area / um**2) for g in comp.segments])
        worst["area"] = max(worst["area"], np.max(np.abs(ours / areas - 1)))
        Ra = (comp.Ra if comp.Ra is not None else cell.Ra)
        worst["ri"] = max(worst["ri"], np.max(np.abs(engine_ri(comp, Ra) / neuron_ri(sec) - 1)))
        d_n = np.array([h.distance(origin, seg) for seg in sec])
        d_o = np.array([float(distances[g.name] / um) for g in comp.segments])
        worst["distance"] = max(worst["distance"], np.max(np.abs(d_o - d_n)))
    print(f"\n{name} ({setting}): {len(morph.sections)} sections, "
          f"{len(cell.segments)} segments; max relative area error {worst['area']:.2g}, "
          f"resistance {worst['ri']:.2g}, max distance error {worst['distance']:.2g} um")
    assert worst["area"] < 1e-9 and worst["ri"] < 1e-9 and worst["distance"] < 1e-9


# --------------------------------------------------------------------------------------
# 2. a distance rule: Hay et al. 2011's apical Ih (L5PCbiophys3.hoc, L5PCtemplate.hoc)
# --------------------------------------------------------------------------------------
def test_hay_ih_rule_at_neuron_distances(tmp_path):
    path = swc_path("single_point_soma", tmp_path)
    secs = neuron_cell(path)
    morph = Morphology.from_swc(path)
    nseg = {s.name: 5 for s in morph.sections}
    for s in morph.sections:
        secs[s.neuron_name].nseg = 5
    rule = DistanceRule("gbar_hcn", "apical",
                        exponential(-0.8696 * 2e-4 * siemens / cm**2, 2.087 * 2e-4 * siemens / cm**2,
                                    rate=3.6161),
                        origin="region", normalize=True,
                        source="Hay et al. 2011 L5PCbiophys3.hoc (ModelDB 139653)")
    cell = morph.to_template("hay", paint={"all": [channels.Leak()], "apical": [channels.HCN()]},
                             nseg=lambda s: nseg[s.name], rules=[rule])
    table = cell.parameters.set_index("variable")
    # Hay's distribute_channels: distance from apic[0](0), divided by the longest apical path
    apical = [s for s in morph.sections if s.label == "apical"]
    origin = secs["apic[0]"](0)
    longest = max(h.distance(origin, secs[s.neuron_name](1)) for s in apical
                  if h.SectionRef(sec=secs[s.neuron_name]).nchild() == 0)
    checked = 0
    for s in apical:
        for k, seg in enumerate(secs[s.neuron_name]):
            x = h.distance(origin, seg) / longest
            expected = 0.0002 * (-0.8696 + 2.087 * math.exp(3.6161 * x)) * 1e4  # S/m2
            got = table.loc[f"gbar_hcn_{s.name}_{k}", "value"]
            assert got == pytest.approx(expected, rel=1e-12), (s.name, k)
            checked += 1
    assert checked == 5 * len(apical) and "Hay et al. 2011" in table.loc["gbar_hcn_apical_0_0",
                                                                          "source"]


# --------------------------------------------------------------------------------------
# 3. and 4. simulations on mp_ma_40984_gc2 (nseg 1: 29 segments, numpy target)
# --------------------------------------------------------------------------------------
GC2 = example_swc("mp_ma_40984_gc2")


def _probes():
    """The soma and the three dendrite ends farthest from it (by section length sums)."""
    morph = Morphology.from_swc(GC2)
    distances = morph.path_distances()
    leaves = set(morph.region("basal")) - {s.parent for s in morph.sections}
    return ["soma"] + sorted(leaves, key=lambda n: -float(distances[n]))[:3]


PROBES = _probes()


def run_neuron_swc(path, soma_hh, amp, start, stop, duration):
    """NEURON on the SWC file: pas everywhere (or hh on the soma), IClamp into soma(0.5)."""
    secs = neuron_cell(path)
    morph = Morphology.from_swc(path)
    saved = {k: getattr(h, k) for k in ("secondorder", "dt", "steps_per_ms", "celsius")}
    h.secondorder, h.dt, h.steps_per_ms, h.celsius = 2, DT, 1 / DT, 6.3
    h.usetable_hh = 0
    try:
        for s in morph.sections:
            sec = secs[s.neuron_name]
            sec.nseg, sec.Ra, sec.cm = 1, RA, CM
            if soma_hh and s.label == "soma":
                sec.insert("hh")
            else:
                sec.insert("pas")
                sec.g_pas, sec.e_pas = G_PAS, E_PAS
        clamp = h.IClamp(secs[morph.root.neuron_name](0.5))
        clamp.delay, clamp.dur, clamp.amp = start, stop - start, amp
        t = h.Vector().record(h._ref_t)
        v = {p: h.Vector().record(secs[morph.section(p).neuron_name](0.5)._ref_v)
             for p in PROBES}
        h.finitialize(V_INIT)
        h.continuerun(duration)
        return np.array(t), {p: np.array(vec) for p, vec in v.items()}
    finally:
        for k, value in saved.items():
            setattr(h, k, value)


def gc2_template(soma_hh):
    leak = channels.Leak(g=G_PAS * siemens / cm**2, E=E_PAS * mV)
    paint = ({"soma": [channels.HHNa(), channels.HHK(), channels.Leak()], "basal": [leak]}
             if soma_hh else {"all": [leak]})
    return Morphology.from_swc(GC2).to_template("gc2", paint=paint, nseg=1, Ra=RA * ohm * cm,
                                                cm=CM * uF / cm**2, celsius=6.3)


def brian_run(template, amp, start, stop, duration, solver):
    """(t, {segment: v[1, steps]}) of one cell, ``amp`` nA into the soma on [start, stop)."""
    stims = step(1, ["soma"], [amp], start, stop, duration)
    with compartments.backends.using("numpy"):
        if solver == "unrolled":
            return run_brian(template, 1, stims, duration)
        group = template.make_group(1, dt=DT * ms, init=V_INIT * mV, solver=solver)
        group.namespace["stim_soma"] = TimedArray(stims["soma"] * nA, dt=DT * ms)
        group.segment("soma").run_regularly("I_ext = stim_soma(t, i)", when="before_groups")
        segments = template.segment_names
        df = record(group, [f"v_{s}" for s in segments], duration * ms)
        return df.t_ms.to_numpy(), {s: df[f"v_{s}_mV"].to_numpy()[None, :] for s in segments}


@pytest.mark.parametrize("solver", ["unrolled", pytest.param("tree", marks=pytest.mark.long)])
def test_passive_step_matches_neuron(solver):
    start, stop, duration, amp = 2.0, 22.0, 30.0, 0.1
    t_n, v_n = run_neuron_swc(GC2, False, amp, start, stop, duration)
    t_b, v_b = brian_run(gc2_template(False), amp, start, stop, duration, solver)
    assert len(v_b) == 29
    errors = max_errors(t_b, {p: v_b[p] for p in PROBES}, 0, t_n, v_n)
    report(f"mp_ma_40984_gc2 passive step (29 sections, {solver} solver)", errors)
    assert np.ptp(v_n[PROBES[-1]]) > 2  # a real response at a dendrite end
    assert max(errors.values()) < 0.1


@pytest.mark.parametrize("solver", ["unrolled", "tree"])
def test_hh_soma_spike_times_match_neuron(solver):
    start, stop, duration, amp = 2.0, 38.0, 40.0, 0.6
    t_n, v_n = run_neuron_swc(GC2, True, amp, start, stop, duration)
    t_b, v_b = brian_run(gc2_template(True), amp, start, stop, duration, solver)
    s_n, s_b = spike_times(t_n, v_n["soma"]), spike_times(t_b, v_b["soma"][0])
    print(f"\nmp_ma_40984_gc2 HH soma, {solver} solver: {len(s_n)} spikes; max |dt| = "
          f"{np.max(np.abs(s_b - s_n)) if len(s_n) == len(s_b) else np.nan:.3g} ms")
    assert len(s_n) >= 3 and len(s_b) == len(s_n)
    assert np.max(np.abs(s_b - s_n)) < 0.2
