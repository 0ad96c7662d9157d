"""Writes celltypes/data/L5_TTPC.csv: Bahl et al. 2012's reduced L5 model (model 1) with this
library's channel kinetics. Run it after changing a value here; every row keeps its source.

    PYTHONPATH=. python docs/celltypes/l5_ttpc_csv.py

Bahl et al. 2012 (J Neurosci Methods 210:22, ModelDB 146026) fit densities of their own
channel files (nat, kfast, kslow, nap, km, ih, sca, kca; pS/um2); here they are painted with
the nearest mechanisms of `compartments.channels` (NaTa for nat, Ka for kfast, Kv3 for kslow,
NaP, Km, HCN for ih -- both Kole et al. 2006 --, CaHVA for sca, SK for kca), so kinetics differ
and the values marked 'tuned here' were re-tuned for the hallmarks (docs/celltypes/README.md).
The apical trunk (one 500 um section, nseg 5, in Bahl's model) is three compartments here so
that its density gradients (linear Na and Ih, exponential K) are kept per compartment; the tuft
is two compartments centred at Hay et al.'s bAP sites; hillock and AIS are one compartment.
"""

import csv
import math
import os

BAHL = ("Bahl et al. 2012 J Neurosci Methods 210:22, reduced L5 model 1 (ModelDB 146026 "
        "init_model1.hoc; values as transcribed in I. T. Ellwood's Python reimplementation "
        "found by code search)")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "celltypes", "data")

# Bahl model 1 (pS/um2 = 0.1 mS/cm2)
SOMA_AREA, BASAL_AREA, APICAL_AREA, TUFT_AREA = 1682.96, 7060.91, 9312.39, 9434.25  # um2
CM_AXOSOMATIC, SPINE = 2.298892, 0.860211
RM_AXOSOMATIC, E_PAS = 23823.061083, -83.056442  # ohm cm2, mV
NAT_SOMA, KFAST_SOMA, KSLOW_SOMA = 284.546493, 50.802287, 361.584735
NAP_SOMA, KM_SOMA = 0.873246, 7.123963
IH_BASAL, IH_TUFT, NAT_TUFT = 15.709707, 17.694744, 6.558244
DECAY_KFAST, DECAY_KSLOW, MNAT = 58.520995, 42.208044, -0.5313787051835502
NAT_HILLOCK, NAT_AIS = 8810.6571, 13490.395442
SCA_TUFT, KCA_TUFT = 3.67649485, 9.75672674
RA = {"soma": 82, "basal": 734, "apical": 454.05939784, "tuft": 527, "axon": 82}

# tuned here (see docs/celltypes/README.md, L5_TTPC); None: Bahl's value
_HAY = "Hay et al. 2011 PLoS Comput Biol 7:e1002107, L5PCbiophys3.hoc somatic value (the library default)"
_HAY_SOMA = "Hay et al. 2011 PLoS Comput Biol 7:e1002107, L5PCbiophys3.hoc"
_WHY = "tuned here: Bahl's density with these (Hay) kinetics gives one spike and then depolarisation block at every step; replaced by"
TUNED = {
    ("soma", "nata.gbar"): (2040, f"{_WHY} {_HAY}: gNaTa_tbar = 2.04 S/cm2"),
    ("soma", "kv3.gbar"): (693, f"{_WHY} {_HAY}: gSKv3_1bar = 0.693 S/cm2"),
    ("soma", "ka.gbar"): (81.2, f"{_WHY} {_HAY}: gK_Tstbar = 0.0812 S/cm2"),
}
_BAC = ("tuned here for BAC firing (soma pulse alone 1-2 spikes, distal EPSP alone none, both a "
        "tuft Ca spike and a burst of >= 3), from sweeps of the BAC protocol of "
        "celltypes.characterise (docs/celltypes/README.md): ")
for _k in range(3):
    TUNED[(f"apical_{_k}", "nata.gbar")] = (60, _BAC + "uniform apical NaTa 60 mS/cm2 (Bahl's linear "
                                           "gradient with these kinetics lets the bAP die before the tuft; "
                                           "Hay et al. 2011 use a uniform apical NaTa_t)")
for _t in ("tuft_0", "tuft_1"):
    TUNED[(_t, "nata.gbar")] = (20, _BAC + "tuft NaTa 20 mS/cm2 (Bahl 0.66): bAP of about 50 mV at 620 um")
    TUNED[(_t, "cahva.gbar")] = (15, _BAC + "tuft CaHVA 15 mS/cm2 (Bahl sca 0.37 with its own kinetics; "
                                 "Hay et al. 2011's hot zone has 10x the somatic HVA plus LVA)")
    TUNED[(_t, "sk.gbar")] = (7.5, _BAC + "tuft SK 7.5 mS/cm2 (Bahl kca 0.98): ends the Ca spike after a "
                              "burst; 5 gives a plateau already for the soma pulse alone, 10 a 2-spike burst")


# Compartments where receptors act (celltypes/modulation/L5_TTPC.csv): there the leak is split
# into a K leak (closed by Gq-coupled receptors) and a cation leak, and a GIRK conductance
# (opened by Gi/o-coupled receptors) is added; both leave the control cell unchanged.
NEUROMODULATED = ("soma", "basal")
E_K = -85  # mV, Hay et al. 2011 L5PCbiophys3.hoc ek
_K2P = "Millar et al. 2000 PNAS 97:3614 and Chen et al. 2006 PNAS 103:3422, abstracts: Gq-coupled receptors close TASK (K2P) K-leak channels"
_NALCN = "Lu et al. 2007 Cell 129:371 (NALCN, the resting Na leak)"


def leak_split(comp, g):
    """Bahl's leak (g, E_PAS) as a K leak at E_K plus a cation leak at 0 mV, same g and E."""
    f = E_PAS / E_K
    why = (f"split here from {BAHL}'s leak (Rm 23823 ohm cm2, e_pas -83.06 mV) into a K leak at "
           f"E_K {E_K} mV and a cation leak at 0 mV with the same total conductance and reversal "
           f"(K fraction e_pas/E_K = {f:.4f}), so the control cell is unchanged; the K part is what "
           f"Gq-coupled receptors close ({_K2P})")
    g_k = round(f * g, 6)
    return [(comp, "leak.g", round(g - g_k, 6), "msiemens/cm**2", f"cation part ({_NALCN}): {why}"),
            (comp, "leak.E", 0, "mV", f"cation leak reversal, assumed 0 mV ({_NALCN}): {why}"),
            (comp, "kleak.g", g_k, "msiemens/cm**2", f"K part: {why}"),
            (comp, "kleak.E", E_K, "mV", f"Hay et al. 2011 L5PCbiophys3.hoc ek = -85 mV: {why}"),
            (comp, "girk.gbar", 0.3, "msiemens/cm**2",
             "tuned here: 3x the library default (compartments.channels.GIRK, assumed) so that full "
             "5-HT1A activation of the perisomatic GIRK lowers the input resistance of this large "
             "cell measurably (published amplitudes not found, docs/neuromodulation_sources.md 7); "
             "closed (activation 0) unless a Gi/o-coupled receptor opens it"),
            (comp, "girk.E", E_K, "mV", "Hay et al. 2011 L5PCbiophys3.hoc ek = -85 mV")]


def slow_ahp_rows():
    """Somatic HVA calcium and a slow AHP: the target of beta-AR, 5-HT2A, D1 and M1."""
    why = ("tuned here: a somatic slow AHP so that the sAHP suppression by NE (beta), 5-HT2A, D1 and "
           "muscarine (Zhang & Arsenault 2005 J Physiol 566:379; Thurley et al. 2008 J Neurophysiol "
           "99:2985; Lorenzon & Foehring 1992 J Neurophysiol 67:350, abstracts) has a target (Bahl's "
           "model has no somatic Ca-activated K); swept 0.05 and 0.2 mS/cm2 with "
           "celltypes modulated_excitability: 0.2 lowers the rate at 0.3 nA from 45 to 30 Hz (400 ms "
           "steps), 0.05 hardly acts")
    return [("soma", "cahva.gbar", 0.992, "msiemens/cm**2",
             f"{_HAY_SOMA}: somatic gCa_HVAbar_Ca_HVA = 0.000992 S/cm2"),
            ("soma", "cad.decay", 80, "ms",
             "Hay et al. 2011 CaDynamics_E2 defaults (decay 80 ms, gamma 0.05, depth 0.1 um); Hay's somatic "
             "values (gamma 0.000501, decay 460 ms) keep the shell calcium far below the sAHP's range "
             "(measured: no effect of the sAHP with them)"),
            ("soma", "sahp.gbar", 0.2, "msiemens/cm**2", why),
            ("soma", "sahp.E", -85, "mV", "Hay et al. 2011 L5PCbiophys3.hoc ek = -85 mV"),
            ("soma", "sahp.hill", 4, "1",
             "assumed here: cooperative calcium dependence as SK's (Hill exponent 4.8 in Hay et al. 2011 "
             "SK_E2.mod), so that the gate stays closed at resting calcium")]


def ms_per_cm2(ps_per_um2):
    return round(ps_per_um2 * 0.1, 6)


def rows():
    soma_d = math.sqrt(SOMA_AREA / math.pi)
    g_pas = 1e3 / RM_AXOSOMATIC  # mS/cm2
    out = [("template", "celsius", 37, "1", f"{BAHL}: h.celsius = 37"),
           ("template", "Ra", RA["soma"], "ohm*cm", f"{BAHL}: soma and axon Ra = 82 ohm cm")]

    def passive(comp, cm, g, note=""):
        out.append((comp, "cm", round(cm, 6), "uF/cm**2", f"{BAHL}: {note or 'axosomatic cm = 2.298892 uF/cm2'}"))
        if comp in NEUROMODULATED:
            out.extend(leak_split(comp, g))
            return
        out.append((comp, "leak.g", round(g, 6), "msiemens/cm**2",
                    f"{BAHL}: {note or 'axosomatic Rm = 23823 ohm cm2'}"))
        out.append((comp, "leak.E", round(E_PAS, 3), "mV", f"{BAHL}: e_pas = -83.06 mV"))

    def geometry(comp, length, diameter, parent, at, note, Ra=None):
        out.append((comp, "length", round(length, 4), "um", f"{BAHL}: {note}"))
        out.append((comp, "diameter", round(diameter, 4), "um", f"{BAHL}: {note}"))
        if parent:
            out.append((comp, f"connect.{parent}", at, "1", f"{BAHL}: connection to {parent}({at:g})"))
        if Ra is not None:
            out.append((comp, "Ra", Ra, "ohm*cm", f"{BAHL}: section Ra"))

    def chan(comp, param, value, unit, note):
        value = TUNED.get((comp, param), (value, None))
        v, why = value if isinstance(value, tuple) else (value, None)
        out.append((comp, param, v, unit, why or f"{BAHL}: {note}"))

    def tuft_channels(name):
        chan(name, "nata.gbar", ms_per_cm2(NAT_TUFT), "msiemens/cm**2", "tuft nat 6.558 pS/um2")
        chan(name, "hcn.gbar", ms_per_cm2(IH_TUFT), "msiemens/cm**2", "tuft ih 17.69 pS/um2")
        chan(name, "cahva.gbar", ms_per_cm2(SCA_TUFT), "msiemens/cm**2", "tuft sca 3.676 pS/um2 (painted as CaHVA)")
        chan(name, "sk.gbar", ms_per_cm2(KCA_TUFT), "msiemens/cm**2", "tuft kca 9.757 pS/um2 (painted as SK)")
        chan(name, "cat.pcabar", 0.0, "cm/second", "none in Bahl's model 1 (low-voltage-activated Ca in the tuft as in Hay et al. 2011's hot zone)")
        out.append((name, "sk.E", -85, "mV", "Hay et al. 2011 L5PCbiophys3.hoc ek = -85 mV"))
        out.append((name, "cad.decay", 80, "ms", "Hay et al. 2011 CaDynamics_E2 default decay (Bahl's cad values not transcribed)"))

    geometry("soma", soma_d, soma_d, None, None, "soma area 1682.96 um2 as an L = diam cylinder")
    passive("soma", CM_AXOSOMATIC, g_pas)
    chan("soma", "nata.gbar", ms_per_cm2(NAT_SOMA), "msiemens/cm**2", "soma nat 284.5 pS/um2 (painted as NaTa)")
    chan("soma", "ka.gbar", ms_per_cm2(KFAST_SOMA), "msiemens/cm**2", "soma kfast 50.8 pS/um2 (painted as Ka, Korngreen & Sakmann fast K)")
    chan("soma", "kv3.gbar", ms_per_cm2(KSLOW_SOMA), "msiemens/cm**2", "soma kslow 361.6 pS/um2 (painted as Kv3)")
    chan("soma", "nap.gbar", ms_per_cm2(NAP_SOMA), "msiemens/cm**2", "soma nap 0.873 pS/um2")
    chan("soma", "km.gbar", ms_per_cm2(KM_SOMA), "msiemens/cm**2", "soma km 7.12 pS/um2 (painted as the Pospischil Km)")
    for k in ("ka", "kv3", "km"):
        out.append(("soma", f"{k}.E", -85, "mV", "Hay et al. 2011 L5PCbiophys3.hoc ek = -85 mV (Bahl's ek not transcribed)"))
    out.extend(slow_ahp_rows())
    geometry("basal", 257, BASAL_AREA / (math.pi * 257), "soma", 0.5,
             "basal L = 257 um, area 7060.9 um2 (diameter from the area)", Ra=RA["basal"])
    passive("basal", CM_AXOSOMATIC, g_pas)
    chan("basal", "hcn.gbar", ms_per_cm2(IH_BASAL), "msiemens/cm**2", "basal ih 15.71 pS/um2 (Kole et al. 2006 kinetics, as HCN)")
    apical_d = APICAL_AREA / (math.pi * 500)
    parent, at = "soma", 1.0
    n_apical = 3
    for k in range(n_apical):
        name = f"apical_{k}"
        seg = 500 / n_apical
        dist = soma_d + seg * (k + 0.5)  # path distance of the segment centre from soma(0)
        geometry(name, round(seg, 4), apical_d, parent, at,
                 f"apical trunk L = 500 um, area 9312.4 um2 (nseg 5 there), here in {n_apical} "
                 f"compartments: {k} (centre {dist:.0f} um from soma(0))",
                 Ra=RA["apical"])
        passive(name, CM_AXOSOMATIC * SPINE, g_pas * SPINE, "apical cm and g_pas = axosomatic x spine factor 0.860")
        nat = NAT_SOMA + MNAT * dist
        ih = IH_TUFT / (soma_d + 500) * dist
        chan(name, "nata.gbar", ms_per_cm2(nat), "msiemens/cm**2",
             f"apical nat linear in distance, {NAT_SOMA:.1f} {MNAT:+.3f} pS/um2/um x {dist:.0f} um")
        chan(name, "hcn.gbar", ms_per_cm2(ih), "msiemens/cm**2",
             f"apical ih linear in distance, tuft ih x {dist:.0f}/{soma_d + 500:.0f} um")
        chan(name, "ka.gbar", ms_per_cm2(KFAST_SOMA * math.exp(-dist / DECAY_KFAST)), "msiemens/cm**2",
             f"apical kfast = soma x exp(-d/58.5 um) at {dist:.0f} um")
        chan(name, "kv3.gbar", ms_per_cm2(KSLOW_SOMA * math.exp(-dist / DECAY_KSLOW)), "msiemens/cm**2",
             f"apical kslow = soma x exp(-d/42.2 um) at {dist:.0f} um")
        for kk in ("ka", "kv3"):
            out.append((name, f"{kk}.E", -85, "mV", "Hay et al. 2011 L5PCbiophys3.hoc ek = -85 mV"))
        parent, at = name, 1.0
    # tuft: two compartments whose centres are at Hay et al. 2011's recording sites
    # (620 and 800 um from the soma), with the tuft's membrane area kept
    tuft_start = soma_d + 500
    l0 = 2 * (620 - tuft_start)
    l1 = 2 * (800 - tuft_start - l0)
    tuft_d = TUFT_AREA / (math.pi * (l0 + l1))
    for k, (length, parent) in enumerate(((l0, "apical_2"), (l1, "tuft_0"))):
        name = f"tuft_{k}"
        out.append((name, "length", round(length, 4), "um",
                    f"adapted here: {BAHL} has one tuft section (L = 499 um, area 9434.2 um2, nseg 2); "
                    f"here two compartments of {l0:.0f} and {l1:.0f} um whose centres lie at the "
                    f"bAP recording sites of Hay et al. 2011 (620 and 800 um), same total area"))
        out.append((name, "diameter", round(tuft_d, 4), "um",
                    f"adapted here: the diameter that keeps Bahl's tuft area 9434.2 um2 over {l0 + l1:.0f} um"))
        out.append((name, f"connect.{parent}", 1.0, "1", f"{BAHL}: tuft connects to the trunk's end"))
        out.append((name, "Ra", RA["tuft"], "ohm*cm", f"{BAHL}: section Ra"))
        passive(name, CM_AXOSOMATIC * SPINE, g_pas * SPINE, "tuft cm and g_pas = axosomatic x spine factor 0.860")
        tuft_channels(name)
    out.append(("ais", "length", 45, "um", f"adapted here: {BAHL} has an axon hillock (20 um, 3.5 -> 2 um) and an AIS (25 um, 2 -> 1.5 um), both with nat, and a passive axon (500 um x 1.5 um); here one 45 um AIS compartment of their mean diameter, the passive axon omitted (2400 um2, 9 % of the membrane)"))
    out.append(("ais", "diameter", 2.25, "um", "adapted here: mean diameter of Bahl's hillock and AIS (see ais length)"))
    out.append(("ais", "connect.soma", 0.0, "1", f"{BAHL}: axon_hillock.connect(soma(0))"))
    passive("ais", CM_AXOSOMATIC, g_pas)
    chan("ais", "nata.gbar", ms_per_cm2((NAT_HILLOCK * 20 + NAT_AIS * 25) / 45), "msiemens/cm**2",
         "hillock nat 8810.7 and AIS nat 13490.4 pS/um2, length-weighted mean")
    chan("ais", "nata.vshift", -10, "mV", "AIS nat vshift = 10 mV (activation) and vshift2 = -9.8 mV (inactivation), i.e. both about 10 mV more hyperpolarised: one shift of -10 mV here")
    return out


# L5_IB: the same template (so the same compiled code) with a bursting parameter set:
# (compartment, parameter) -> (value, source); filled by the sweep in docs/celltypes/README.md
_IB = ("tuned here for intrinsic bursting: a stronger tuft Ca spike turns each somatic spike's "
       "bAP into a dendritic Ca spike that returns to the soma as a burst (the soma-dendrite "
       "'ping-pong' of Pinsky & Rinzel 1994 J Comput Neurosci 1:39 and Mainen & Sejnowski 1996 "
       "Nature 382:363); the L5_TTPC value is the source of the rest, sweep "
       "docs/celltypes/ib_sweep.py: ")
IB_OVERRIDES = {}
for _k in range(3):
    IB_OVERRIDES[(f"apical_{_k}", "Ra")] = (
        round(RA["apical"] / 2, 4), _IB + "trunk Ra halved (454 -> 227 ohm cm): twice the "
        "soma-trunk-tuft coupling; 1x: doublet then regular firing (L5_TTPC), 1.5x: a 4-spike "
        "burst at 0.25 nA, 2x: an initial 4-spike burst then regular firing at 0.6 nA")
for _t in ("tuft_0", "tuft_1"):
    IB_OVERRIDES[(_t, "Ra")] = (round(RA["tuft"] / 2, 4), _IB + "tuft Ra halved with the trunk's")


def write(name, table):
    path = os.path.join(DATA, f"{name}.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["compartment", "parameter", "value", "unit", "source"])
        w.writerows(table)
    print("wrote", os.path.relpath(path))


def main():
    table = rows()
    write("L5_TTPC", table)
    if IB_OVERRIDES:
        ib = []
        for comp, param, value, unit, source in table:
            if (comp, param) in IB_OVERRIDES:
                value, source = IB_OVERRIDES[(comp, param)]
            ib.append((comp, param, value, unit, source))
        write("L5_IB", ib)


if __name__ == "__main__":
    main()
