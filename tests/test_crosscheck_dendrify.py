"""Validation of reduced (Dendrify-style) compartments against Dendrify 2.2.0.

What is compared
----------------
The passive toy model of the Dendrify paper's Fig. 2 (Pagkalos, Chavlis &
Poirazi 2023): a soma (25 x 25 um) with an apical (250 x 2 um) and a basal
(150 x 2 um) dendrite, cm = 1 uF/cm2, gL = 50 uS/cm2, E_L = -70 mV,
Ra = 150 ohm cm, no synapses. It is built twice:

- in Dendrify (``Soma``/``Dendrite`` with length and diameter, model-wide
  cm, gl, r_axial, v_rest through ``NeuronModel``, ``make_neurongroup``);
- in this engine, as three explicit-area compartments (``Compartment(name,
  area=...)``) with ``channels.Leak`` and explicit coupling conductances in the
  ``CellTemplate`` connections. The areas and conductances are taken from the
  Dendrify model's own parameters (``C_<name>`` / cm and ``g_soma_<name>``),
  i.e. from Dendrify's formulas, not recomputed here.

Two couplings: Dendrify's explicit ``g=10*nS`` per connection, and its
geometry-derived default ``'half_cylinders'``. Protocol (Fig. 2's
electrical-segmentation demo): 100 pA for 400 ms into one compartment, then
100 ms without current; three neurons per group, neuron k stimulated in
compartment k (soma, apical, basal), every neuron starting at -70 mV. The
voltages of all three compartments of all three neurons are compared sample
by sample (every 0.025 ms, 500 ms).

Dendrify's formulas (dendrify 2.2.0, installed source)
------------------------------------------------------
- ``ephysproperties.py``, ``EphysProperties.area``: ``pi * length * diameter
  * scale_factor * spine_factor``: the lateral area of an open cylinder, no
  end caps (as NEURON and this engine's cylinders). ``NeuronModel._set_properties``
  sets both factors to 1 when not given (``spine_factor`` is never applied to a
  ``Soma``). Here: soma 1963.50 um2 (end caps would add 981.75 um2), apical
  1570.80 um2, basal 942.48 um2.
- ``EphysProperties.capacitance`` = ``area * cm``; ``EphysProperties.g_leakage``
  = ``area * gl``: C = 19.635 / 15.708 / 9.425 pF, gL = 0.982 / 0.785 / 0.471 nS.
- ``equations.py``, ``library['passive']``: ``dV/dt = (gL*(EL - V) + I)/C``
  with ``I = I_ext + couplings`` (``I_ext`` a per-neuron parameter, so one group
  of three neurons carries the three protocols).
- ``compartment.py``, ``Compartment.connect``: for ``a.connect(b, g)`` it adds
  ``I_b_a = (V_b - V_a) * g_b_a`` to ``I_a`` and ``I_a_b = (V_a - V_b) * g_a_b``
  to ``I_b``: current into a compartment is positive, the same conductance in
  both directions (the engine's ``gax*(v_other - v_self)``). ``g`` is either a
  Quantity used as is, ``'half_cylinders'`` (default) or ``'cylinder_<name>'``,
  resolved in ``Compartment._g_couples``.
- ``EphysProperties.g_couple`` (``'half_cylinders'``): with the whole-cylinder
  axial resistance r_i = 4 Ra L_i / (pi d_i**2), g = 1 / ((r_1 + r_2)/2).
  ``EphysProperties.g_cylinder`` (``'cylinder_<name>'``): g = 1/r of that one
  compartment. Here: g_soma_apical = 16.744 nS, g_soma_basal = 27.896 nS.

Is 'half_cylinders' NEURON's coupling? Yes: 1/((r_1 + r_2)/2) = 1/(r_1/2 +
r_2/2), the series resistance from the centre of one nseg=1 cylinder to the
centre of the next, which is what NEURON and this engine's geometric coupling
use. ``test_half_cylinders_equals_geometric_coupling`` checks it: the engine's
cylinder template with the apical at soma(1) and the basal at soma(0) has the
same conductances (rel. 1e-12). Dendrify ignores where a child attaches: with
both dendrites at the same soma end the engine (like NEURON) forms a junction
(star-mesh: 16.727 / 27.878 nS plus a 17.8 pS apical-basal coupling), at the
soma centre (the engine's default for the root) the soma half drops out
(16.755 / 27.925 nS). These differ by < 0.1 % here only because the soma's
half resistance (38 kohm) is tiny next to the dendrites' (60 / 36 Mohm).

Integration and tolerances
--------------------------
Engine: its default ``crank_nicolson`` at dt = 0.025 ms (numpy target).
Dendrify: Brian2 ``'rk4'`` at dt = 0.025 ms (Dendrify's default is ``'euler'``).
The model is linear, so both are also checked against the exact solution,
V(t_k+1) = V* + expm(A dt) (V(t_k) - V*), with A, V* built from Dendrify's
parameter dictionary: Dendrify's rk4 must be within 1e-4 mV of it (so its
step is not the limiting factor: it is converged). A Dendrify rk4 run at
dt = 0.005 ms (5x slower, ~30 s on the numpy target, hence not in the test)
agreed with the exact solution to ~1e-7 mV where spot-checked.

- Engine vs Dendrify: max |dv| < 0.05 mV over all compartments, neurons and
  samples, for both couplings.
- Control: the engine with 20 nS couplings against Dendrify's 10 nS must
  differ by more than 0.5 mV.

Measured (dendrify 2.2.0, Brian2 2.9.0, numpy target; printed with ``pytest -s``):
engine vs Dendrify 2.1e-4 mV (10 nS) and 5.8e-4 mV (half_cylinders), the
engine's Crank-Nicolson error at dt 0.025 ms (engine vs exact is the same
number); Dendrify rk4 vs exact 4.1e-8 mV and 8.7e-7 mV; control (20 nS)
3.5 mV (basal, current into basal). Responses span 40-52 mV (-70 to -18 mV).
The worst sample is always the basal compartment under its own current: the
fastest mode (tau 0.21 ms with half_cylinders). Runtime ~20 s CPU (25-35 s wall
on a busy 2-core machine), mostly Dendrify's rk4 on the numpy target.
"""


import numpy as np
import pytest

dd = pytest.importorskip("dendrify")

from brian2 import (Network, StateMonitor, cm, mV, ms, nS, ohm, pA, uF, um, usiemens)
from scipy.linalg import expm  # noqa: E402

import compartments  # noqa: E402
from compartments import CellTemplate, Compartment, channels, record  # noqa: E402

pytestmark = pytest.mark.crosscheck

COMPS = ("soma", "apical", "basal")          # neuron k is stimulated in COMPS[k]
GEOMETRY = {"soma": (25, 25), "apical": (250, 2), "basal": (150, 2)}  # (L, d) in um
CM = 1 * uF / cm**2
GL = 50 * usiemens / cm**2
EL = -70 * mV
RA = 150 * ohm * cm
AMP = 100 * pA
T_ON, T_OFF = 400 * ms, 100 * ms             # current on, then off
DT = 0.025 * ms
N_ON = int(round(float(T_ON / DT)))
N_STEPS = N_ON + int(round(float(T_OFF / DT)))

TOL = 0.05            # mV, engine vs Dendrify
TOL_CONVERGED = 1e-4  # mV, Dendrify rk4 vs exact propagator
CONTROL_MIN = 0.5     # mV, a 2x coupling error must exceed this


def numpy_target():
    return compartments.backends.using("numpy")


# --------------------------------------------------------------------------------------
# Dendrify side
# --------------------------------------------------------------------------------------
def dendrify_compartments():
    L, d = GEOMETRY["soma"]
    soma = dd.Soma("soma", model="passive", length=L * um, diameter=d * um)
    dends = [dd.Dendrite(n, model="passive", length=GEOMETRY[n][0] * um,
                         diameter=GEOMETRY[n][1] * um) for n in ("apical", "basal")]
    return soma, dends


def dendrify_model(coupling):
    """Fig. 2 toy model; ``coupling`` a Quantity (explicit g) or 'half_cylinders'."""
    soma, (apical, basal) = dendrify_compartments()
    return dd.NeuronModel([(soma, apical, coupling), (soma, basal, coupling)],
                          cm=CM, gl=GL, r_axial=RA, v_rest=EL)


def run_dendrify(model):
    """Voltages (mV) as an array [compartment, neuron, sample], and t (ms)."""
    group = model.make_neurongroup(3, method="rk4", dt=DT)   # init_rest: V = EL
    mon = StateMonitor(group, [f"V_{c}" for c in COMPS], record=True)
    net = Network(group, mon)
    for k, c in enumerate(COMPS):
        getattr(group, f"I_ext_{c}")[k] = AMP
    net.run(T_ON)
    for c in COMPS:
        setattr(group, f"I_ext_{c}", 0 * pA)
    net.run(T_OFF)
    v = np.stack([np.asarray(getattr(mon, f"V_{c}_")) * 1e3 for c in COMPS])
    return np.asarray(mon.t_) * 1e3, v


def exact_solution(params):
    """The same linear system, solved exactly from Dendrify's parameter dictionary."""
    C = np.array([float(params[f"C_{c}"]) for c in COMPS])
    G = np.zeros((3, 3))
    for i, a in enumerate(COMPS):
        G[i, i] -= float(params[f"gL_{a}"])
        for j, b in enumerate(COMPS):
            key = f"g_{b}_{a}"          # conductance of the current b -> a (connect's naming)
            if key in params:
                G[i, j] += float(params[key])
                G[i, i] -= float(params[key])
    A = G / C[:, None]
    P = expm(A * float(DT))
    ustar = -np.linalg.solve(A, np.eye(3) * float(AMP) / C[:, None])  # [comp, neuron]
    u = np.zeros((3, 3))
    out = np.empty((3, 3, N_STEPS))
    for k in range(N_STEPS):
        out[:, :, k] = u
        u = ustar + P @ (u - ustar) if k < N_ON else P @ u
    return out * 1e3 + float(EL) * 1e3


# --------------------------------------------------------------------------------------
# Engine side: explicit areas and explicit conductances
# --------------------------------------------------------------------------------------
def engine_template(areas, g_apical, g_basal, name="toy"):
    comps = [Compartment(c, area=areas[c], cm=CM, channels=[channels.Leak(g=GL, E=EL)])
             for c in COMPS]
    return CellTemplate(name, comps, connections=[("soma", "apical", g_apical),
                                                  ("soma", "basal", g_basal)], Ra=RA)


def run_engine(template):
    group = template.make_group(3, dt=DT, init=EL)
    net = Network(group)
    for k, c in enumerate(COMPS):
        getattr(group, f"I_ext_{c}")[k] = AMP
    variables = [f"v_{c}" for c in COMPS]
    on = record(group, variables, T_ON, network=net)
    for c in COMPS:
        setattr(group, f"I_ext_{c}", 0 * pA)
    off = record(group, variables, T_OFF, network=net)
    t = np.concatenate([on[on.neuron == 0].t_ms, off[off.neuron == 0].t_ms])
    v = np.stack([np.stack([np.concatenate([df[df.neuron == n][f"v_{c}_mV"].to_numpy()
                                            for df in (on, off)]) for n in range(3)])
                  for c in COMPS])
    return t, v


def dendrify_areas(params):
    """Membrane areas Dendrify uses (C_<name> / cm)."""
    return {c: params[f"C_{c}"] / CM for c in COMPS}


def worst(v_a, v_b):
    """(max |dv| in mV, compartment, stimulated compartment) over all samples."""
    err = np.abs(v_a - v_b).max(axis=2)          # [compartment, neuron]
    i, k = np.unravel_index(np.argmax(err), err.shape)
    return float(err[i, k]), COMPS[i], COMPS[k]


COUPLINGS = {"explicit_10nS": 10 * nS, "half_cylinders": "half_cylinders"}


@pytest.fixture(scope="module")
def runs():
    out = {}
    with numpy_target():
        for label, coupling in COUPLINGS.items():
            model = dendrify_model(coupling)
            params = model.parameters
            t_d, v_d = run_dendrify(model)
            cell = engine_template(dendrify_areas(params), params["g_soma_apical"],
                                   params["g_soma_basal"], name=f"toy_{label}")
            t_e, v_e = run_engine(cell)
            out[label] = dict(params=params, t_d=t_d, v_d=v_d, t_e=t_e, v_e=v_e,
                              exact=exact_solution(params))
        params = out["explicit_10nS"]["params"]
        out["control"] = run_engine(engine_template(dendrify_areas(params), 20 * nS, 20 * nS,
                                                    name="toy_control"))
    return out


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------
def test_dendrify_formulas():
    """Dendrify's area, C, gL and couplings are the formulas stated in the docstring."""
    for label, coupling in COUPLINGS.items():
        params = dendrify_model(coupling).parameters
        for c in COMPS:
            L, d = (x * um for x in GEOMETRY[c])
            area = np.pi * L * d                               # open cylinder, no end caps
            assert float(params[f"C_{c}"]) == pytest.approx(float(CM * area), rel=1e-12)
            assert float(params[f"gL_{c}"]) == pytest.approx(float(GL * area), rel=1e-12)
            assert float(params[f"EL_{c}"]) == pytest.approx(float(EL))
        for dend in ("apical", "basal"):
            # the same conductance in both directions
            assert params[f"g_soma_{dend}"] == params[f"g_{dend}_soma"]
            if label == "explicit_10nS":
                assert float(params[f"g_soma_{dend}"]) == pytest.approx(10e-9, rel=1e-12)
            else:
                r = {c: float(4 * RA * GEOMETRY[c][0] * um / (np.pi * (GEOMETRY[c][1] * um)**2))
                     for c in ("soma", dend)}
                g = 1 / ((r["soma"] + r[dend]) / 2)
                assert float(params[f"g_soma_{dend}"]) == pytest.approx(g, rel=1e-12)
    eqs = str(dendrify_model(10 * nS).equations)
    # sign convention: current into a compartment is positive
    assert "I_apical_soma = (V_apical-V_soma) * g_apical_soma" in eqs
    assert "I_soma_apical = (V_soma-V_apical) * g_soma_apical" in eqs


def test_half_cylinders_equals_geometric_coupling():
    """'half_cylinders' == the engine's (NEURON's) centre-to-centre coupling of cylinders
    joined end to end (apical at soma(1), basal at soma(0): no junction)."""
    params = dendrify_model("half_cylinders").parameters
    comps = [Compartment(c, length=GEOMETRY[c][0] * um, diameter=GEOMETRY[c][1] * um, cm=CM,
                         channels=[channels.Leak(g=GL, E=EL)]) for c in COMPS]
    cell = CellTemplate("toy_geo", comps, connections=[("soma", "apical", 1),
                                                       ("soma", "basal", 0)], Ra=RA)
    for dend in ("apical", "basal"):
        assert float(cell.axial_conductance("soma", dend)) == pytest.approx(
            float(params[f"g_soma_{dend}"]), rel=1e-12)
    assert float(cell.axial_conductance("apical", "basal")) == 0
    for comp, d_comp in zip(comps, (dendrify_compartments()[0], *dendrify_compartments()[1])):
        assert float(comp.membrane_area) == pytest.approx(float(d_comp.area), rel=1e-12)


@pytest.mark.parametrize("label", list(COUPLINGS))
def test_dendrify_reference_is_converged(runs, label):
    r = runs[label]
    err, comp, stim = worst(r["v_d"], r["exact"])
    print(f"\n{label}: Dendrify rk4 dt {float(DT / ms)} ms vs exact: max |dv| = {err:.3g} mV "
          f"(at {comp}, current into {stim})")
    assert err < TOL_CONVERGED


@pytest.mark.parametrize("label", list(COUPLINGS))
def test_engine_matches_dendrify(runs, label):
    r = runs[label]
    assert r["v_e"].shape == r["v_d"].shape == (3, 3, N_STEPS)
    np.testing.assert_allclose(r["t_e"], r["t_d"], atol=1e-9)
    # a real response in every compartment, in every protocol
    assert np.ptp(r["v_d"], axis=2).min() > 5
    err, comp, stim = worst(r["v_e"], r["v_d"])
    err_exact = worst(r["v_e"], r["exact"])[0]
    g = {d: float(r["params"][f"g_soma_{d}"] / nS) for d in ("apical", "basal")}
    print(f"\n{label} (g_soma_apical {g['apical']:.4g} nS, g_soma_basal {g['basal']:.4g} nS): "
          f"engine vs Dendrify max |dv| = {err:.3g} mV (at {comp}, current into {stim}); "
          f"engine vs exact {err_exact:.3g} mV")
    assert err < TOL


def test_comparison_detects_wrong_coupling(runs):
    r = runs["explicit_10nS"]
    t_c, v_c = runs["control"]
    np.testing.assert_allclose(t_c, r["t_d"], atol=1e-9)
    err, comp, stim = worst(v_c, r["v_d"])
    print(f"\ncontrol: engine 20 nS vs Dendrify 10 nS: max |dv| = {err:.3g} mV "
          f"(at {comp}, current into {stim})")
    assert err > CONTROL_MIN
