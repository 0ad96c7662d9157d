"""Validation of the engine against NEURON 9 on the same geometry.

Every NEURON model here is built from plain geometry numbers (lengths,
diameters, nseg, attachment points) by code written in this module, never
from engine objects; the Brian2 side is built from the same numbers through
the public API (`Compartment`, `CellTemplate`, `make_group`, `record`), on the
numpy target. Traces are compared sample by sample, aligned by time.

1. Passive 3-compartment cell (soma, one dendrite at the soma centre, one at
   the soma end), step current into the soma and into a dendrite, both
   simulators started at -65 mV (rest is -70 mV, so there is a transient):
   max |v_brian - v_neuron| < 0.05 mV at every compartment, Brian2
   ``crank_nicolson`` vs NEURON ``secondorder=2``, dt = 0.025 ms. Control:
   the same comparison with Ra 10 % higher in the Brian2 model differs by
   more than 0.05 mV.
2. nseg > 1 chains (apical nseg=5, tuft nseg=3, an oblique at the apical
   centre): v at every segment centre, NEURON ``sec((i+0.5)/nseg)``,
   within 0.05 mV.
3. Branched geometry where topology matters: a thin 100 x 0.5 um parent with
   two children at its distal end (a zero-area junction in NEURON), current
   into one child: within 0.05 mV at every compartment. Controls built by
   hand from the same numbers with explicit-area compartments and explicit
   conductances: the exact star–mesh conductances (sibling term included)
   agree with NEURON within 0.05 mV (the sibling current, which closes a loop,
   applied explicitly through I_ext), the naive pairwise coupling (each child
   to the parent centre, no sibling term) differs by more than 0.5 mV.
4. HH soma (NEURON ``hh`` == HHNa + HHK + Leak), 10 uA/cm2, 200 ms. Reference:
   NEURON, ``usetable_hh = 0``, ``secondorder = 2``, dt = 0.001 ms, checked
   against dt = 0.002 ms (spike times within 0.02 ms). Brian2 default method
   at dt = 0.025 ms: same spike count, spike times within 0.2 ms of the
   reference. Same algorithm (Brian2 ``crank_nicolson`` vs NEURON
   ``secondorder=2``, both dt = 0.025 ms): spike times within 1e-3 ms and
   voltages within 0.05 mV.

Measured (NEURON 9.0.2, Brian2 2.9.0, numpy target; printed with ``pytest -s``):

- passive 3-compartment, nseg chains, branched: max |dv| ~1e-13 mV everywhere
  (round-off: both codes solve the same linear system); Ra x 1.1: 0.19 mV;
  naive pairwise coupling: 4.0 mV (at c2); hand-built star-mesh: 0.007 mV;
- HH, 14 spikes in 200 ms: NEURON dt 0.001 vs 0.002 ms: 1.5e-4 ms; Brian2
  crank_nicolson dt 0.025 vs the dt 0.001 reference: 0.030 ms (the scheme's
  discretisation error, identical in NEURON at dt 0.025); Brian2 crank_nicolson
  vs NEURON secondorder=2, both dt 0.025 ms: 4e-11 ms in spike times,
  7e-10 mV in voltage (NEURON takes di/dv by finite difference, the engine
  exactly: a plausible source of this residue).

Spike times: upward crossings of 0 mV, linearly interpolated.
"""


import numpy as np
import pytest

neuron = pytest.importorskip("neuron")

from brian2 import TimedArray, cm, mV, ms, nA, ohm, siemens, uF, um  # noqa: E402

import compartments  # noqa: E402
from compartments import CellTemplate, Compartment, channels, record  # noqa: E402

pytestmark = pytest.mark.crosscheck

h = neuron.h
h.load_file("stdrun.hoc")

DT = 0.025          # ms
RA = 150.0          # ohm cm
CM = 1.0            # uF/cm2
G_PAS = 5e-5        # S/cm2
E_PAS = -70.0       # mV
V_INIT = -65.0      # mV
CELSIUS = 6.3
TOL_PASSIVE = 0.05  # mV


# --------------------------------------------------------------------------------------
# Geometry as plain numbers: (name, L um, diam um, nseg, parent, parent x)
# --------------------------------------------------------------------------------------
PASSIVE3 = [
    ("soma", 20.0, 20.0, 1, None, None),
    ("basal", 150.0, 1.5, 1, "soma", 0.5),
    ("apical", 400.0, 3.0, 1, "soma", 1.0),
]
CHAIN = [
    ("soma", 20.0, 20.0, 1, None, None),
    ("apical", 400.0, 3.0, 5, "soma", 1.0),
    ("oblique", 100.0, 1.0, 1, "apical", 0.5),
    ("tuft", 200.0, 1.0, 3, "apical", 1.0),
]
BRANCHED = [
    ("soma", 20.0, 20.0, 1, None, None),
    ("trunk", 100.0, 0.5, 1, "soma", 0.5),
    ("c1", 200.0, 1.0, 1, "trunk", 1.0),
    ("c2", 150.0, 0.8, 1, "trunk", 1.0),
]


def segment_sites(geometry):
    """[(segment name, section name, x of its centre)] in the engine's naming."""
    sites = []
    for name, _, _, nseg, _, _ in geometry:
        for i in range(nseg):
            seg = name if nseg == 1 else f"{name}_{i}"
            sites.append((seg, name, (i + 0.5) / nseg))
    return sites


def step(n_neurons, sites, amps, start, stop, duration):
    """Per-segment TimedArray values (nA): neuron k gets amps[k] in sites[k] on [start, stop)."""
    n = int(round(duration / DT))
    out = {}
    for k, (site, amp) in enumerate(zip(sites, amps)):
        arr = out.setdefault(site, np.zeros((n, n_neurons)))
        arr[int(round(start / DT)):int(round(stop / DT)), k] = amp
    return out


# --------------------------------------------------------------------------------------
# NEURON side
# --------------------------------------------------------------------------------------
def run_neuron(geometry, mech, clamps, duration, dt=DT, secondorder=2):
    """Build sections from plain numbers, run, return (t, {segment: v}) and delete them.

    clamps: [(section, x, delay, dur, amp nA)]. mech: "pas" or "hh".
    """
    saved = {k: getattr(h, k) for k in ("secondorder", "dt", "steps_per_ms", "celsius")}
    h.secondorder = secondorder
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    h.celsius = CELSIUS
    secs, keep = {}, []
    try:
        for name, L, diam, nseg, parent, x in geometry:
            sec = h.Section(name=f"xcheck_{name}")
            sec.L, sec.diam, sec.nseg = L, diam, nseg
            sec.Ra, sec.cm = RA, CM
            if mech == "pas":
                sec.insert("pas")
                for seg in sec:
                    seg.pas.g = G_PAS
                    seg.pas.e = E_PAS
            else:
                sec.insert("hh")
                h.usetable_hh = 0
            if parent is not None:
                sec.connect(secs[parent](x), 0)
            secs[name] = sec
        for sec_name, x, delay, dur, amp in clamps:
            ic = h.IClamp(secs[sec_name](x))
            ic.delay, ic.dur, ic.amp = delay, dur, amp
            keep.append(ic)
        t = h.Vector().record(h._ref_t)
        vecs = {seg: h.Vector().record(secs[sec_name](x)._ref_v)
                for seg, sec_name, x in segment_sites(geometry)}
        h.finitialize(V_INIT)
        h.continuerun(duration)
        return np.array(t), {seg: np.array(v) for seg, v in vecs.items()}
    finally:
        keep.clear()
        for sec in reversed(list(secs.values())):
            h.delete_section(sec=sec)
        for k, value in saved.items():
            setattr(h, k, value)


# --------------------------------------------------------------------------------------
# Brian2 side
# --------------------------------------------------------------------------------------
def numpy_target():
    return compartments.backends.using("numpy")


def passive_channels():
    return [channels.Leak(g=G_PAS * siemens / cm**2, E=E_PAS * mV)]


def brian_template(geometry, Ra=RA, name="xcheck"):
    comps, conns = [], []
    for cname, L, diam, nseg, parent, x in geometry:
        comps.append(Compartment(cname, length=L * um, diameter=diam * um, nseg=nseg,
                                 cm=CM * uF / cm**2, channels=passive_channels()))
        if parent is not None:
            conns.append((parent, cname, x))
    return CellTemplate(name, comps, connections=conns, Ra=Ra * ohm * cm, celsius=CELSIUS)


def run_brian(template, n, stims, duration, method="crank_nicolson"):
    """Run ``n`` neurons with per-segment step currents; return (t, {segment: v[n, steps]})."""
    group = template.make_group(n, dt=DT * ms, init=V_INIT * mV, method=method)
    lines = []
    for seg, values in stims.items():
        group.namespace[f"stim_{seg}"] = TimedArray(values * nA, dt=DT * ms)
        lines.append(f"I_ext_{seg} = stim_{seg}(t, i)")
    if lines:
        group.run_regularly("\n".join(lines), when="before_groups")
    segs = list(template.segment_names)
    df = record(group, [f"v_{s}" for s in segs], duration * ms)
    t = df[df.neuron == 0].t_ms.to_numpy()
    v = {s: np.stack([df[df.neuron == k][f"v_{s}_mV"].to_numpy() for k in range(n)])
         for s in segs}
    return t, v


def max_errors(t_b, v_b, k, t_n, v_n):
    """{segment: max |v_brian - v_neuron|} for neuron k, aligned by time."""
    n = len(t_b)
    assert len(t_n) >= n
    np.testing.assert_allclose(t_n[:n], t_b, atol=1e-9)
    return {seg: float(np.max(np.abs(v_b[seg][k] - v_n[seg][:n]))) for seg in v_n}


def report(label, errors):
    worst = max(errors, key=errors.get)
    print(f"\n{label}: max |dv| = {errors[worst]:.3g} mV (at {worst}); "
          + ", ".join(f"{s} {e:.2g}" for s, e in errors.items()))


# --------------------------------------------------------------------------------------
# 1. passive 3-compartment cell
# --------------------------------------------------------------------------------------
P_T, P_ON, P_OFF = 30.0, 5.0, 20.0
P_CLAMPS = [("soma", 0.5, 0.1), ("apical", 0.5, 0.1)]  # (section, x, nA), one per neuron


@pytest.fixture(scope="module")
def passive3():
    stims = step(2, [c[0] for c in P_CLAMPS], [c[2] for c in P_CLAMPS], P_ON, P_OFF, P_T)
    with numpy_target():
        brian = run_brian(brian_template(PASSIVE3), 2, stims, P_T)
        wrong_ra = run_brian(brian_template(PASSIVE3, Ra=1.1 * RA, name="xcheck_ra"), 2, stims,
                             P_T)
    nrn = [run_neuron(PASSIVE3, "pas", [(sec, x, P_ON, P_OFF - P_ON, amp)], P_T)
           for sec, x, amp in P_CLAMPS]
    return brian, wrong_ra, nrn


@pytest.mark.parametrize("k", range(len(P_CLAMPS)), ids=[c[0] for c in P_CLAMPS])
def test_passive_three_compartments(passive3, k):
    (t_b, v_b), _, nrn = passive3
    t_n, v_n = nrn[k]
    assert np.ptp(v_n["soma"]) > 5  # a real response: transient from -65 mV plus the step
    errors = max_errors(t_b, v_b, k, t_n, v_n)
    report(f"passive 3-compartment, step into {P_CLAMPS[k][0]}", errors)
    assert set(errors) == {"soma", "basal", "apical"}
    assert max(errors.values()) < TOL_PASSIVE


def test_passive_comparison_detects_wrong_ra(passive3):
    _, (t_b, v_b), nrn = passive3
    worst = max(max(max_errors(t_b, v_b, k, *nrn[k]).values()) for k in range(len(nrn)))
    print(f"\npassive 3-compartment with Ra x 1.1 in Brian2: max |dv| = {worst:.3g} mV")
    assert worst > TOL_PASSIVE


# --------------------------------------------------------------------------------------
# 2. nseg > 1 chains
# --------------------------------------------------------------------------------------
C_T, C_ON, C_OFF = 30.0, 2.0, 22.0
C_CLAMPS = [("soma", 0.5, "soma", 0.1), ("apical", 0.9, "apical_4", 0.05),
            ("tuft", 1 / 6, "tuft_0", 0.03)]  # (section, x, engine segment, nA)


@pytest.fixture(scope="module")
def chain():
    stims = step(len(C_CLAMPS), [c[2] for c in C_CLAMPS], [c[3] for c in C_CLAMPS],
                 C_ON, C_OFF, C_T)
    with numpy_target():
        brian = run_brian(brian_template(CHAIN), len(C_CLAMPS), stims, C_T)
    nrn = [run_neuron(CHAIN, "pas", [(sec, x, C_ON, C_OFF - C_ON, amp)], C_T)
           for sec, x, _, amp in C_CLAMPS]
    return brian, nrn


@pytest.mark.parametrize("k", range(len(C_CLAMPS)), ids=[c[2] for c in C_CLAMPS])
def test_nseg_chains(chain, k):
    (t_b, v_b), nrn = chain
    t_n, v_n = nrn[k]
    errors = max_errors(t_b, v_b, k, t_n, v_n)
    report(f"nseg chains, step into {C_CLAMPS[k][2]}", errors)
    assert len(errors) == 1 + 5 + 1 + 3
    # the segments really differ from each other (the comparison resolves position)
    assert np.ptp(v_n["apical_0"] - v_n["apical_4"]) > 0.5
    assert max(errors.values()) < TOL_PASSIVE


# --------------------------------------------------------------------------------------
# 3. branched geometry: two children on the same (thin) parent end
# --------------------------------------------------------------------------------------
B_T, B_ON, B_OFF = 30.0, 2.0, 22.0
B_AMP = 0.02  # nA into c1


def half_resistance(L, diam):
    """Ohm from the centre of an L x diam um cylinder to its end (Ra in ohm cm)."""
    return RA * (L / 2 * 1e-4) / (np.pi * (diam / 2 * 1e-4) ** 2)


def explicit_template(name, sibling_term):
    """BRANCHED as explicit-area compartments coupled by hand-computed conductances.

    ``sibling_term=True``: the exact elimination of the zero-area node at the
    trunk's end (each pair among trunk, c1, c2 coupled by g_a g_b / sum g).
    ``False``: the naive pairwise coupling, each child to the trunk centre
    through 1/(R_half_trunk + R_half_child), and no sibling coupling.
    """
    geo = {g[0]: g for g in BRANCHED}
    comps = [Compartment(n, area=np.pi * geo[n][1] * geo[n][2] * um**2, cm=CM * uF / cm**2,
                         channels=passive_channels()) for n in ("soma", "trunk", "c1", "c2")]
    g = {n: 1 / half_resistance(geo[n][1], geo[n][2]) for n in ("trunk", "c1", "c2")}
    conns = [("soma", "trunk", g["trunk"] * siemens)]  # trunk attached at the soma centre
    if sibling_term:
        total = g["trunk"] + g["c1"] + g["c2"]
        conns += [("trunk", "c1", g["trunk"] * g["c1"] / total * siemens),
                  ("trunk", "c2", g["trunk"] * g["c2"] / total * siemens)]
        # c1-c2 closes a loop, which tree-shaped connections cannot express: returned
        # here and applied as a current by run_brian_with_sibling
        sib = g["c1"] * g["c2"] / total
    else:
        conns += [("trunk", "c1", 1 / (1 / g["trunk"] + 1 / g["c1"]) * siemens),
                  ("trunk", "c2", 1 / (1 / g["trunk"] + 1 / g["c2"]) * siemens)]
        sib = None
    return CellTemplate(name, comps, connections=conns, Ra=RA * ohm * cm,
                        celsius=CELSIUS), sib


def run_brian_with_sibling(template, g_sib, stims, duration):
    """Like run_brian, adding the c1–c2 sibling current by hand (a conductance the
    tree-shaped explicit connections cannot express)."""
    group = template.make_group(1, dt=DT * ms, init=V_INIT * mV)
    group.namespace["stim_c1"] = TimedArray(stims["c1"] * nA, dt=DT * ms)
    group.namespace["g_sib"] = g_sib * siemens
    # The sibling current goes through I_ext, evaluated at the start of each step
    # (explicit in time, first order); tau = C_c1/g_sib ~ 3 ms >> dt, so the error of
    # this shortcut stays ~0.01 mV, well inside the 0.05 mV tolerance.
    group.run_regularly("I_ext_c1 = stim_c1(t, i) + g_sib*(v_c2 - v_c1)\n"
                        "I_ext_c2 = g_sib*(v_c1 - v_c2)", when="before_groups")
    segs = list(template.segment_names)
    df = record(group, [f"v_{s}" for s in segs], duration * ms)
    return (df.t_ms.to_numpy(), {s: df[f"v_{s}_mV"].to_numpy()[None, :] for s in segs})


@pytest.fixture(scope="module")
def branched():
    stims = step(1, ["c1"], [B_AMP], B_ON, B_OFF, B_T)
    with numpy_target():
        brian = run_brian(brian_template(BRANCHED), 1, stims, B_T)
        naive, _ = explicit_template("xcheck_naive", sibling_term=False)
        naive_run = run_brian(naive, 1, stims, B_T)
        exact, sib = explicit_template("xcheck_exact", sibling_term=True)
        exact_run = run_brian_with_sibling(exact, sib, stims, B_T)
    nrn = run_neuron(BRANCHED, "pas", [("c1", 0.5, B_ON, B_OFF - B_ON, B_AMP)], B_T)
    return brian, naive_run, exact_run, nrn


def test_branched_same_parent_end(branched):
    (t_b, v_b), _, _, (t_n, v_n) = branched
    errors = max_errors(t_b, v_b, 0, t_n, v_n)
    report("branched (two children on the thin trunk's end), step into c1", errors)
    assert set(errors) == {"soma", "trunk", "c1", "c2"}
    assert max(errors.values()) < TOL_PASSIVE


def test_branched_star_mesh_matters(branched):
    _, (t_naive, v_naive), (t_exact, v_exact), (t_n, v_n) = branched
    naive = max_errors(t_naive, v_naive, 0, t_n, v_n)
    exact = max_errors(t_exact, v_exact, 0, t_n, v_n)
    report("naive pairwise coupling (no sibling term) vs NEURON", naive)
    report("hand-written star-mesh (sibling current explicit) vs NEURON", exact)
    assert max(naive.values()) > 0.5
    # the same hand-built model with the sibling term agrees: the difference above is
    # the star-mesh, not a mistake in the hand-built areas or conductances
    assert max(exact.values()) < TOL_PASSIVE


# --------------------------------------------------------------------------------------
# 4. HH soma against converged NEURON hh
# --------------------------------------------------------------------------------------
HH_T = 200.0
HH_GEOMETRY = [("soma", 20.0, 20.0, 1, None, None)]
HH_AMP = 10e-3 * (np.pi * 20.0 * 20.0 * 1e-8) * 1e6  # 0.01 mA/cm2 x area (cm2), in nA


def spike_times(t, v, threshold=0.0):
    """Upward crossings of ``threshold``, linearly interpolated (ms)."""
    k = np.flatnonzero((v[:-1] < threshold) & (v[1:] >= threshold))
    return t[k] + (threshold - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k])


def hh_template():
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=CM * uF / cm**2,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    return CellTemplate("xcheck_hh", [soma], Ra=RA * ohm * cm, celsius=CELSIUS)


@pytest.fixture(scope="module")
def hh_runs():
    out = {}
    clamp = [("soma", 0.5, 0.0, 1e9, HH_AMP)]
    for dt in (0.001, 0.002, DT):
        t, v = run_neuron(HH_GEOMETRY, "hh", clamp, HH_T, dt=dt)
        out["neuron", dt] = (t, v["soma"])
    with numpy_target():
        group = hh_template().make_group(1, dt=DT * ms, init=V_INIT * mV)  # default method
        group.I_ext_soma = HH_AMP * nA
        df = record(group, ["v_soma"], HH_T * ms)
    out["brian"] = (df.t_ms.to_numpy(), df.v_soma_mV.to_numpy())
    return out


def test_hh_reference_is_converged(hh_runs):
    s1 = spike_times(*hh_runs["neuron", 0.001])
    s2 = spike_times(*hh_runs["neuron", 0.002])
    assert len(s1) >= 5  # tonic firing
    assert len(s1) == len(s2)
    print(f"\nNEURON hh dt 0.001 vs 0.002 ms: {len(s1)} spikes, "
          f"max spike-time difference {np.max(np.abs(s1 - s2)):.3g} ms")
    assert np.max(np.abs(s1 - s2)) < 0.02


def test_hh_matches_converged_reference(hh_runs):
    ref = spike_times(*hh_runs["neuron", 0.001])
    got = spike_times(*hh_runs["brian"])
    print(f"\nBrian2 crank_nicolson dt 0.025 vs NEURON dt 0.001: {len(got)} vs {len(ref)} "
          f"spikes, max spike-time difference "
          f"{np.max(np.abs(got - ref)) if len(got) == len(ref) else float('nan'):.3g} ms")
    assert len(got) == len(ref)
    np.testing.assert_allclose(got, ref, rtol=0, atol=0.2)


def test_hh_same_algorithm_agrees(hh_runs):
    t_n, v_n = hh_runs["neuron", DT]
    t_b, v_b = hh_runs["brian"]
    n = len(t_b)
    np.testing.assert_allclose(t_n[:n], t_b, atol=1e-9)
    dv = np.max(np.abs(v_b - v_n[:n]))
    ref = spike_times(t_n, v_n)
    got = spike_times(t_b, v_b)
    # NEURON's trace has one more sample (t = T); compare spikes within the common window
    ref = ref[ref <= t_b[-1]]
    print(f"\nBrian2 crank_nicolson vs NEURON secondorder=2, both dt 0.025 ms: "
          f"{len(got)} vs {len(ref)} spikes, max spike-time difference "
          f"{np.max(np.abs(got - ref)) if len(got) == len(ref) else float('nan'):.3g} ms, "
          f"max |dv| {dv:.3g} mV")
    assert len(got) == len(ref)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-3)
    assert dv < 0.05
