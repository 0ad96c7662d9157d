"""The peers benchmark's network, built in every simulator from the same plain numbers.

One cell type, ``N`` independent cells (no recurrent connections), each:

- soma 20 x 20 um with NEURON's ``hh`` (gNa 0.12, gK 0.036, gL 3e-4 S/cm2, E_L -54.3 mV);
- apical 400 x 3 um and basal 200 x 2 um dendrites, passive (5e-5 S/cm2, -65 mV), one
  segment each, attached at the soma's centre; Ra 150 ohm cm, cm 1 uF/cm2, 6.3 degC;
- one AMPA synapse (NEURON ``Exp2Syn``: rise 0.2 ms, decay 1.7 ms, E 0 mV, peak
  ``GPEAK_NS``) at the centre of each dendrite, each driven by its own Poisson train of
  ``RATE_HZ``;
- spikes (upward crossings of 0 mV at the soma) recorded.

Builders (each returns what its simulator needs to run and read the spikes):

- `project_network`: this project's public API (`CellTemplate`, `poisson_drive`);
- `hand_network`: the same model written by hand in Brian2 (``HAND_EQUATIONS``), either
  with every parameter a per-neuron ``(constant)`` as the template has them
  (``constants="per-neuron"``) or as scalars in the namespace, baked into the code
  (``constants="namespace"``: less memory and arithmetic, no heterogeneity);
- `dendrify_network`: Dendrify 2.2 (passive `Soma` + HH equations added with
  ``add_equations``/``replace_equations``, ``synapse('AMPA', ...)`` with rise and decay);
- `neuron_network`: NEURON sections, ``hh``/``pas``, ``Exp2Syn``, ``NetStim`` (noise 1);
- `arbor_network`: an Arbor recipe (``hh``, ``pas``, ``exp2syn``, ``poisson_schedule``),
  one CV per segment (``cv_policy_every_segment``).

The Poisson trains are each simulator's own (Brian2 ``PoissonInput``, NEURON ``NetStim``,
Arbor ``poisson_schedule``), so runs differ in their random spikes but not in workload; the
validation (`benchmarks/peers.py`) replaces them with the same fixed spike times.
"""

import numpy as np

# -- the model, as plain numbers (um, S/cm2, mV, ms, nS, Hz) ------------------------------
SOMA = dict(L=20.0, diam=20.0)
DENDRITES = {"apical": dict(L=400.0, diam=3.0), "basal": dict(L=200.0, diam=2.0)}
HH = dict(gnabar=0.12, gkbar=0.036, gl=3e-4, el=-54.3, ena=50.0, ek=-77.0)
PAS = dict(g=5e-5, e=-65.0)
RA, CM, CELSIUS = 150.0, 1.0, 6.3
AMPA = dict(tau_rise=0.2, tau_decay=1.7, e=0.0)
RATE_HZ = 100.0      # each of the two Poisson trains
GPEAK_NS = 8.0       # peak conductance of one input event
THRESHOLD = 0.0      # mV
DT = 0.025           # ms
V_INIT = -65.0       # mV: NEURON's finitialize and Arbor's default; Brian2 groups start at rest


def _area_um2(sec):
    return np.pi * sec["L"] * sec["diam"]


def _half_resistance_ohm(sec):
    """Axial resistance from a cylinder's centre to its end (ohm)."""
    r_um = sec["diam"] / 2
    return RA * 1e-2 * (sec["L"] / 2 * 1e-6) / (np.pi * (r_um * 1e-6) ** 2)


def coupling_nS():
    """Soma-centre to dendrite-centre conductances (nS), as NEURON at soma(0.5)."""
    return {d: 1e9 / _half_resistance_ohm(g) for d, g in DENDRITES.items()}


# -- this project ---------------------------------------------------------------------------
def project_template():
    """The cell as a `CellTemplate` with an AMPA receptor on each dendrite."""
    from brian2 import cm, mV, ohm, siemens, um

    from compartments import CellTemplate, Compartment, channels
    from compartments.receptors import AMPA as AMPAReceptor

    soma = Compartment("soma", length=SOMA["L"] * um, diameter=SOMA["diam"] * um,
                       channels=[channels.HHNa(gbar=HH["gnabar"] * siemens / cm**2,
                                               E=HH["ena"] * mV),
                                 channels.HHK(gbar=HH["gkbar"] * siemens / cm**2,
                                              E=HH["ek"] * mV),
                                 channels.Leak(g=HH["gl"] * siemens / cm**2, E=HH["el"] * mV)])
    receptor = AMPAReceptor()
    dends = [Compartment(name, length=g["L"] * um, diameter=g["diam"] * um,
                         channels=[channels.Leak(g=PAS["g"] * siemens / cm**2, E=PAS["e"] * mV),
                                   receptor])
             for name, g in DENDRITES.items()]
    return CellTemplate("peer3", [soma, *dends],
                        connections=[("soma", d, 0.5) for d in DENDRITES],
                        Ra=RA * ohm * cm, celsius=CELSIUS)


def project_network(n, inputs="poisson", name="peer3"):
    """(objects, group, spike monitor) of the project's network.

    ``inputs``: "poisson" (`poisson_drive`, one train of ``RATE_HZ`` per dendrite) or a
    `SpikeGeneratorGroup` of 2 sources per cell (source ``2*i + k`` onto dendrite k of
    cell i), for the validation.
    """
    from brian2 import Hz, SpikeMonitor, mV, nS

    from compartments import background, synapses

    cell = project_template()
    group = cell.make_group(n, init=V_INIT * mV, name=name)
    objects = [group]
    if isinstance(inputs, str):
        for d in DENDRITES:
            objects.append(background.poisson_drive(group, "ampa", at=d, rate=RATE_HZ * Hz,
                                                    n_inputs=1, gpeak=GPEAK_NS * nS))
    else:
        for k, d in enumerate(DENDRITES):
            objects.append(synapses.connect(inputs, group, {"ampa": GPEAK_NS * nS}, at=d,
                                            i=2 * np.arange(n) + k, j=np.arange(n)))
    monitor = SpikeMonitor(group)
    return objects + [monitor], group, monitor


# -- hand-written Brian2 ----------------------------------------------------------------------
HAND_EQUATIONS = """
dv_s/dt = (area_s*(gNa*m**3*h*(ENa - v_s) + gK*n**4*(EK - v_s) + gL_s*(EL_s - v_s))
           + g_sa*(v_a - v_s) + g_sb*(v_b - v_s))/C_s : volt
dv_a/dt = (area_a*gL_d*(EL_d - v_a) + g_a*(Ea - v_a) + g_sa*(v_s - v_a))/C_a : volt
dv_b/dt = (area_b*gL_d*(EL_d - v_b) + g_b*(Ea - v_b) + g_sb*(v_s - v_b))/C_b : volt
dm/dt = phi*(alpha_m*(1 - m) - beta_m*m) : 1
dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
alpha_m = (1/ms)/exprel(-(v_s + 40*mV)/(10*mV)) : Hz
beta_m = (4/ms)*exp(-(v_s + 65*mV)/(18*mV)) : Hz
alpha_h = (0.07/ms)*exp(-(v_s + 65*mV)/(20*mV)) : Hz
beta_h = (1/ms)/(1 + exp(-(v_s + 35*mV)/(10*mV))) : Hz
alpha_n = (0.1/ms)/exprel(-(v_s + 55*mV)/(10*mV)) : Hz
beta_n = (0.125/ms)*exp(-(v_s + 65*mV)/(80*mV)) : Hz
dx_a/dt = -x_a/tau_r : siemens
dg_a/dt = x_a*(1/tau_r - 1/tau_d) - g_a/tau_d : siemens
dx_b/dt = -x_b/tau_r : siemens
dg_b/dt = x_b*(1/tau_r - 1/tau_d) - g_b/tau_d : siemens
"""
HAND_PARAMETERS = {  # name -> unit (all per-neuron constants, or namespace scalars)
    "gNa": "siemens/meter**2", "gK": "siemens/meter**2", "gL_s": "siemens/meter**2",
    "gL_d": "siemens/meter**2", "ENa": "volt", "EK": "volt", "EL_s": "volt", "EL_d": "volt",
    "Ea": "volt", "phi": "1", "tau_r": "second", "tau_d": "second", "area_s": "meter**2",
    "area_a": "meter**2", "area_b": "meter**2", "C_s": "farad", "C_a": "farad",
    "C_b": "farad", "g_sa": "siemens", "g_sb": "siemens", "w_peak": "siemens"}


def hand_values():
    """The hand-written model's parameters (SI floats), computed here from the numbers above."""
    areas = {k: _area_um2(g) * 1e-12 for k, g in (("s", SOMA), ("a", DENDRITES["apical"]),
                                                  ("b", DENDRITES["basal"]))}
    tr, td = AMPA["tau_rise"], AMPA["tau_decay"]
    tp = tr * td / (td - tr) * np.log(td / tr)
    norm = 1 / (np.exp(-tp / td) - np.exp(-tp / tr))
    g = coupling_nS()
    values = {"gNa": HH["gnabar"] * 1e4, "gK": HH["gkbar"] * 1e4, "gL_s": HH["gl"] * 1e4,
              "gL_d": PAS["g"] * 1e4, "ENa": HH["ena"] * 1e-3, "EK": HH["ek"] * 1e-3,
              "EL_s": HH["el"] * 1e-3, "EL_d": PAS["e"] * 1e-3, "Ea": AMPA["e"] * 1e-3,
              "phi": 3.0 ** ((CELSIUS - 6.3) / 10), "tau_r": tr * 1e-3, "tau_d": td * 1e-3,
              "g_sa": g["apical"] * 1e-9, "g_sb": g["basal"] * 1e-9,
              "w_peak": GPEAK_NS * 1e-9 * norm}
    for k, a in areas.items():
        values[f"area_{k}"] = a
        values[f"C_{k}"] = CM * 1e-2 * a
    return values


def hand_network(n, inputs="poisson", constants="per-neuron", method="crank_nicolson",
                 name="hand3"):
    """(objects, group, spike monitor) of the hand-written Brian2 network.

    ``inputs``: "poisson" (Brian2's `PoissonInput`, a random number per neuron and step),
    "events" (next-event times written by hand: a `NeuronGroup` per input whose
    threshold is ``t >= t_next`` and whose reset draws the next interval, and a
    one-to-one `Synapses`, as a Brian2 user would write it; the project's event drive
    increments its target from the reset, through a linked variable), or a
    `SpikeGeneratorGroup` as in `project_network`.
    """
    from brian2 import Equations, Hz, NeuronGroup, PoissonInput, SpikeMonitor, Synapses, siemens

    import compartments  # noqa: F401  (registers crank_nicolson as a Brian2 method)

    values = hand_values()
    if constants == "per-neuron":
        eqs = Equations(HAND_EQUATIONS + "".join(f"{k} : {u} (constant)\n"
                                                 for k, u in HAND_PARAMETERS.items()))
        namespace = {}
    elif constants == "namespace":
        eqs = Equations(HAND_EQUATIONS)
        namespace = {k: v * eval_unit(HAND_PARAMETERS[k]) for k, v in values.items()}
    else:
        raise ValueError(f"constants must be 'per-neuron' or 'namespace', not {constants!r}")
    group = NeuronGroup(n, eqs, threshold="v_s > 0*mV", refractory="v_s > 0*mV",
                        method=method, namespace=namespace, name=name)
    if constants == "per-neuron":
        for k, v in values.items():
            setattr(group, k + "_", np.full(n, v))
    init_hand_state(group)
    objects = [group]
    w = f"{float(values['w_peak'])!r}*siemens" if constants == "per-neuron" else "w_peak"
    for k, x in enumerate(("x_a", "x_b")):
        if inputs == "poisson":
            objects.append(PoissonInput(group, x, 1, RATE_HZ * Hz, weight=w))
            continue
        if inputs == "events":  # next-event times, as in the project's event drive
            source = NeuronGroup(n, "t_next : second", threshold="t >= t_next",
                                 reset="t_next += -log(rand())/rate",
                                 namespace={"rate": RATE_HZ * Hz}, name=f"{name}_gen{k}")
            source.t_next = "-log(rand())/rate"
            objects.append(source)
            pre = np.arange(n)
        else:
            source, pre = inputs, 2 * np.arange(n) + k
        syn = Synapses(source, group, on_pre=f"{x}_post += {w}",
                       namespace=dict(namespace, siemens=siemens))
        syn.connect(i=pre, j=np.arange(n))
        objects.append(syn)
    monitor = SpikeMonitor(group)
    return objects + [monitor], group, monitor


def eval_unit(text):
    """A unit from its name in `HAND_PARAMETERS` (``'siemens/meter**2'``)."""
    import brian2

    return eval(text, {k: getattr(brian2, k) for k in ("siemens", "meter", "volt", "second",
                                                        "farad")})


def hh_steady(v_mV):
    """Steady-state m, h, n of NEURON's hh at ``v_mV``."""
    def exprel(x):
        return 1.0 if abs(x) < 1e-12 else np.expm1(x) / x

    am = 1 / exprel(-(v_mV + 40) / 10)
    bm = 4 * np.exp(-(v_mV + 65) / 18)
    ah = 0.07 * np.exp(-(v_mV + 65) / 20)
    bh = 1 / (1 + np.exp(-(v_mV + 35) / 10))
    an = 0.1 / exprel(-(v_mV + 55) / 10)
    bn = 0.125 * np.exp(-(v_mV + 65) / 80)
    return am / (am + bm), ah / (ah + bh), an / (an + bn)


def init_hand_state(group):
    """Every voltage at ``V_INIT`` and the gates at their steady state (``finitialize``)."""
    m, h, n = hh_steady(V_INIT)
    for v in ("v_s", "v_a", "v_b"):
        setattr(group, v + "_", V_INIT * 1e-3)
    group.m_, group.h_, group.n_ = m, h, n


# -- Dendrify --------------------------------------------------------------------------------
DENDRIFY_HH = """
I_Na_soma = gNa_soma*m_soma**3*h_soma*(ENa - V_soma) : amp
I_K_soma = gK_soma*n_soma**4*(EK - V_soma) : amp
dm_soma/dt = alpha_m_soma*(1 - m_soma) - beta_m_soma*m_soma : 1
dh_soma/dt = alpha_h_soma*(1 - h_soma) - beta_h_soma*h_soma : 1
dn_soma/dt = alpha_n_soma*(1 - n_soma) - beta_n_soma*n_soma : 1
alpha_m_soma = (1/ms)/exprel(-(V_soma + 40*mV)/(10*mV)) : Hz
beta_m_soma = (4/ms)*exp(-(V_soma + 65*mV)/(18*mV)) : Hz
alpha_h_soma = (0.07/ms)*exp(-(V_soma + 65*mV)/(20*mV)) : Hz
beta_h_soma = (1/ms)/(1 + exp(-(V_soma + 35*mV)/(10*mV))) : Hz
alpha_n_soma = (0.1/ms)/exprel(-(V_soma + 55*mV)/(10*mV)) : Hz
beta_n_soma = (0.125/ms)*exp(-(V_soma + 65*mV)/(80*mV)) : Hz
"""


def dendrify_network(n, inputs="poisson", method="rk2", name="dendrify3"):
    """(objects, group, spike monitor) of the network in Dendrify 2.2.

    Dendrify has no HH channels: the soma is its ``passive`` model with the HH currents
    added through its own string anchor (``'= I_ext_soma'``, as ``synapse`` and ``noise``
    do) and ``add_equations``; parameters are namespace scalars (Dendrify's design). The
    couplings are given explicitly (NEURON's soma-centre values: Dendrify's
    ``'half_cylinders'`` would add the soma's half resistance). Brian2's ``rk2`` by
    default: Dendrify offers Brian2's explicit methods, and rk2 is the cheapest one as
    accurate as Crank-Nicolson here (see the validation).
    """
    import dendrify as dd
    from brian2 import Hz, PoissonInput, SpikeMonitor, Synapses, cm, mV, ms, nS, ohm, siemens
    from brian2 import uF, um

    def comp(cls, key, geo, model, gl, el):
        return cls(key, model=model, length=geo["L"] * um, diameter=geo["diam"] * um,
                   cm=CM * uF / cm**2, gl=gl * siemens / cm**2, r_axial=RA * ohm * cm,
                   v_rest=el * mV)

    soma = comp(dd.Soma, "soma", SOMA, "passive", HH["gl"], HH["el"])
    soma.replace_equations("= I_ext_soma", "= I_ext_soma + I_Na_soma + I_K_soma")
    soma.add_equations(DENDRIFY_HH)
    area = _area_um2(SOMA) * 1e-8  # cm2
    soma.add_params({"gNa_soma": HH["gnabar"] * area * siemens, "ENa": HH["ena"] * mV,
                     "gK_soma": HH["gkbar"] * area * siemens, "EK": HH["ek"] * mV})
    dends = []
    for key, geo in DENDRITES.items():
        d = comp(dd.Dendrite, key, geo, "passive", PAS["g"], PAS["e"])
        d.synapse("AMPA", tag="in", g=GPEAK_NS * nS, t_rise=AMPA["tau_rise"] * ms,
                  t_decay=AMPA["tau_decay"] * ms, scale_g=True)
        dends.append(d)
    g = coupling_nS()
    model = dd.NeuronModel([(soma, d, g[d.name] * nS) for d in dends])
    group = model.make_neurongroup(n, method=method, threshold="V_soma > 0*mV",
                                   refractory="V_soma > 0*mV", name=name)
    m, h, nn = hh_steady(V_INIT)
    for c in ("soma", *DENDRITES):
        setattr(group, f"V_{c}", V_INIT * mV)
    group.m_soma, group.h_soma, group.n_soma = m, h, nn
    objects = [group]
    for k, d in enumerate(DENDRITES):
        target = f"s_AMPA_in_{d}"
        if isinstance(inputs, str):
            objects.append(PoissonInput(group, target, 1, RATE_HZ * Hz, weight=1.0))
        else:
            syn = Synapses(inputs, group, on_pre=f"{target}_post += 1.0")
            syn.connect(i=2 * np.arange(n) + k, j=np.arange(n))
            objects.append(syn)
    monitor = SpikeMonitor(group)
    return objects + [monitor], group, monitor


# -- NEURON -----------------------------------------------------------------------------------
def neuron_h(dt=DT, usetable=True):
    """NEURON's ``h`` set up for this benchmark (secondorder 2, 6.3 degC, fixed step)."""
    from neuron import h

    h.load_file("stdrun.hoc")
    h.celsius, h.dt, h.secondorder, h.usetable_hh = CELSIUS, dt, 2, int(usetable)
    h.cvode.active(0)
    return h


def neuron_cell(h, i):
    """Sections of cell ``i``: dict name -> Section, plus its two Exp2Syn."""
    soma = h.Section(name=f"soma{i}")
    soma.L, soma.diam = SOMA["L"], SOMA["diam"]
    soma.insert("hh")
    soma(0.5).hh.gnabar, soma(0.5).hh.gkbar = HH["gnabar"], HH["gkbar"]
    soma(0.5).hh.gl, soma(0.5).hh.el = HH["gl"], HH["el"]
    soma(0.5).ena, soma(0.5).ek = HH["ena"], HH["ek"]
    secs, syns = {"soma": soma}, []
    for name, g in DENDRITES.items():
        sec = h.Section(name=f"{name}{i}")
        sec.L, sec.diam = g["L"], g["diam"]
        sec.insert("pas")
        sec(0.5).pas.g, sec(0.5).pas.e = PAS["g"], PAS["e"]
        sec.connect(soma(0.5), 0)
        syn = h.Exp2Syn(sec(0.5))
        syn.tau1, syn.tau2, syn.e = AMPA["tau_rise"], AMPA["tau_decay"], AMPA["e"]
        secs[name] = sec
        syns.append(syn)
    for sec in secs.values():
        sec.Ra, sec.cm = RA, CM
    return secs, syns


def neuron_network(n, inputs="poisson", seed=1, usetable=True, dt=DT):
    """(h, cells, keep, (spike times, spike ids)) of the NEURON network.

    ``inputs``: "poisson" (a ``NetStim`` with noise 1 per synapse, its own Random123
    stream) or a list of spike-time arrays (ms) per source ``2*i + k``: delivered one step
    late, as Brian2 delivers a spike at the end of the step it falls in.
    """
    h = neuron_h(dt, usetable)
    cells, keep, events = [], [], []
    t_rec, id_rec = h.Vector(), h.Vector()
    for i in range(n):
        secs, syns = neuron_cell(h, i)
        cells.append(secs)
        for k, syn in enumerate(syns):
            if isinstance(inputs, str):
                stim = h.NetStim()
                stim.interval, stim.number, stim.start, stim.noise = 1e3 / RATE_HZ, 1e9, 0, 1
                stim.noiseFromRandom123(i, k, seed)
                keep += [stim, h.NetCon(stim, syn, 0, 0, GPEAK_NS * 1e-3)]
            else:
                nc = h.NetCon(None, syn, 0, 0, GPEAK_NS * 1e-3)
                events.append((nc, [t + dt for t in inputs[2 * i + k]]))
        det = h.NetCon(secs["soma"](0.5)._ref_v, None, sec=secs["soma"])
        det.threshold = THRESHOLD
        det.record(t_rec, id_rec, i)
        keep += syns + [det]
    if events:
        keep.append(h.FInitializeHandler(
            lambda: [nc.event(t) for nc, times in events for t in times]))
        keep.append(events)
    return h, cells, keep, (t_rec, id_rec)


def neuron_run(h, duration_ms):
    """Initialise at ``V_INIT`` and run; returns the CPU seconds of the run."""
    import time

    h.finitialize(V_INIT)
    t0 = time.process_time()
    h.continuerun(duration_ms)
    return time.process_time() - t0


# -- Arbor ------------------------------------------------------------------------------------
def arbor_cell(soma_hh=True, synapses=True):
    """The cell as an Arbor ``cable_cell``: soma, apical and basal, one CV each.

    ``soma_hh=False`` (a passive soma) and ``synapses=False`` are ablations for the
    instruction profile (benchmarks/code_profile.py).
    """
    import arbor as A

    U = A.units
    r_s = SOMA["diam"] / 2
    tree = A.segment_tree()
    # the soma in two halves so that the dendrites attach at its centre (NEURON's soma(0.5));
    # the CV policy below makes the two halves one CV, whose node is at the centre
    half = tree.append(A.mnpos, A.mpoint(-SOMA["L"] / 2, 0, 0, r_s), A.mpoint(0, 0, 0, r_s),
                       tag=1)
    tree.append(half, A.mpoint(0, 0, 0, r_s), A.mpoint(SOMA["L"] / 2, 0, 0, r_s), tag=1)
    for tag, (name, g) in zip((4, 3), DENDRITES.items()):
        sign = 1 if name == "apical" else -1
        tree.append(half, A.mpoint(0, 0, 0, g["diam"] / 2),
                    A.mpoint(sign * g["L"], 0, 0, g["diam"] / 2), tag=tag)
    labels = A.label_dict({"soma": "(tag 1)", "apical": "(tag 4)", "basal": "(tag 3)",
                           "soma_c": "(location 0 1)",
                           "apical_c": '(on-components 0.5 (region "apical"))',
                           "basal_c": '(on-components 0.5 (region "basal"))'})
    dec = A.decor()
    dec.set_property(Vm=V_INIT * U.mV, cm=CM * U.uF / U.cm2, rL=RA * U.Ohm * U.cm,
                     tempK=(CELSIUS + 273.15) * U.Kelvin)
    dec.set_ion("na", rev_pot=HH["ena"] * U.mV)
    dec.set_ion("k", rev_pot=HH["ek"] * U.mV)
    if soma_hh:
        dec.paint('"soma"', A.density("hh", gnabar=HH["gnabar"], gkbar=HH["gkbar"],
                                      gl=HH["gl"], el=HH["el"]))
    else:
        dec.paint('"soma"', A.density(f"pas/e={HH['el']}", g=HH["gl"]))
    for name in DENDRITES:
        dec.paint(f'"{name}"', A.density(f"pas/e={PAS['e']}", g=PAS["g"]))
        if synapses:
            dec.place(f'"{name}_c"', A.synapse("exp2syn", tau1=AMPA["tau_rise"],
                                               tau2=AMPA["tau_decay"], e=AMPA["e"]),
                      f"syn_{name}")
    dec.place('"soma_c"', A.threshold_detector(THRESHOLD * U.mV), "detector")
    policy = A.cv_policy('(replace (every-segment) (single (region "soma")))')
    return A.cable_cell(A.morphology(tree), dec, labels, policy)


def arbor_recipe(n, inputs="poisson", seed=1, probe=False, **cell_options):
    """An Arbor recipe of ``n`` cells; ``inputs`` as in `neuron_network` (without the
    delay), or None (no input events); ``cell_options`` go to `arbor_cell`."""
    import arbor as A

    U = A.units
    cell = arbor_cell(**cell_options)
    props = A.neuron_cable_properties()

    class Recipe(A.recipe):
        def num_cells(self):
            return n

        def cell_kind(self, gid):
            return A.cell_kind.cable

        def cell_description(self, gid):
            return cell

        def global_properties(self, kind):
            return props

        def event_generators(self, gid):
            gens = []
            if inputs is None:
                return gens
            for k, name in enumerate(DENDRITES):
                if isinstance(inputs, str):
                    sched = A.poisson_schedule(freq=RATE_HZ * U.Hz, seed=seed * 2 * n + 2 * gid + k)
                else:
                    sched = A.explicit_schedule([t * U.ms for t in inputs[2 * gid + k]])
                gens.append(A.event_generator(f"syn_{name}", GPEAK_NS * 1e-3, sched))
            return gens

        def probes(self, gid):
            return [A.cable_probe_membrane_voltage('"soma_c"', "v")] if probe else []

    recipe = Recipe()
    return recipe


def arbor_simulation(recipe, threads=1, group_size=None):
    """An Arbor simulation of ``recipe`` on ``threads`` threads, cells in groups of
    ``group_size`` (default: all cells of a thread in one group, so that mechanisms run
    vectorised over them)."""
    import arbor as A

    n = recipe.num_cells()
    ctx = A.context(threads=threads)
    size = group_size or max(1, -(-n // threads))
    hints = {A.cell_kind.cable: A.partition_hint(cpu_group_size=size)}
    decomp = A.partition_load_balance(recipe, ctx, hints)
    sim = A.simulation(recipe, ctx, decomp)
    # 'local': in one process these are all spikes; 'all' gathers them through the
    # spike exchange between ranks, which a network without connections never does
    sim.record(A.spike_recording.local)
    return sim
