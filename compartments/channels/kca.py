"""Calcium- and receptor-activated potassium currents: SK, the slow AHP and GIRK.

All three are potassium currents with a fixed reversal ``E`` (the potassium
gradient is not tracked; set ``E`` per cell type) and no voltage-gated
activation:

- `SK` (``sk``): the apamin-sensitive small-conductance Ca-activated K current
  (KCa2) of Hay et al. 2011 (``SK_E2``, after Köhler et al. 1996): a gate with
  a steep Hill dependence on ``ca_i`` (half-activation 0.43 µM, Hill
  coefficient 4.8) and a 1 ms time constant. It gives the medium AHP after
  each spike and spike-frequency adaptation of pyramidal cells (soma and
  apical dendrite in Hay's L5 model) and of many interneurons.
- `SAHP` (``sahp``): the slow AHP current (seconds), distinct from SK (apamin-
  insensitive) and the main target of neuromodulators that raise
  excitability: noradrenaline (beta-adrenergic, via cAMP/PKA), acetylcholine
  (muscarinic) and serotonin (5-HT2A-type) all suppress it (Madison & Nicoll
  1984; McCormick & Prince 1986; Araneda & Andrade 1991). We use the
  Ca-dependent first-order ``q`` gate of Traub et al. 1991 (CA3 pyramidal
  cells; also Pinsky & Rinzel 1994 and the slow K_AHP of the deep pyramidal
  cells of Traub et al. 2005)::

      alpha_q = min(2e-5 chi, 0.01) /ms,   beta_q = 0.001 /ms

  so its deactivation time constant is 1/beta_q = 1 s (rise faster as Ca
  grows). Traub's ``chi`` is calcium in arbitrary units; here ``chi`` is
  mapped to concentration by the half-activation concentration ``ca_half``
  (where alpha_q = beta_q, i.e. chi = 50), so that
  ``alpha_q = min(beta_q ca_i / ca_half, 10 beta_q)``; ``ca_half`` (1 µM by
  default) is our assumption, not Traub's.
- `GIRK` (``girk``): the G-protein-gated inward rectifier (Kir3), opened by
  Gi/o-coupled receptors (5-HT1A, D2, M2, GABA_B, A1, mu-opioid). The
  receptor drive is a per-neuron parameter ``activation`` (0..1, default 0:
  no current) that neuromodulation sets; the instantaneous inward
  rectification is the KIR voltage dependence of Sanders et al. 2013
  (``1 / (1 + exp((v - E + 10 mV)/10 mV))``, E = -90 mV)::

      I = activation gbar (E - v) / (1 + exp((v - E - vshift)/k))

References
----------
Hay E, Hill S, Schürmann F, Markram H, Segev I (2011) PLoS Comput Biol
7:e1002107; ModelDB 139653 (``SK_E2.mod``, ``L5PCbiophys3.hoc``).
Köhler M, Hirschberg B, Bond CT, et al. (1996) Science 273:1709-1714.
Traub RD, Wong RKS, Miles R, Michelson H (1991) J Neurophysiol 66:635-650.
Pinsky PF, Rinzel J (1994) J Comput Neurosci 1:39-60.
Traub RD, Contreras D, Cunningham MO, et al. (2005) J Neurophysiol
93:2194-2232 (NEURON port, ModelDB 45539: ``kahp_slower.mod``).
Sanders H, Berends M, Major G, Goldman MS, Lisman JE (2013) J Neurosci
33:424-429 (KIR voltage dependence as transcribed in emer/axon
``chans/gabab.go``).
Lüscher C, Slesinger PA (2010) Nat Rev Neurosci 11:301-315 (GIRK review).
"""

from types import MappingProxyType

from brian2 import cm, meter, mmolar, ms, msiemens, mV, siemens, volt

from .base import Channel, parameter

__all__ = ["GIRK", "SAHP", "SK"]

# Instantaneous inward rectification of Kir channels (Sanders et al. 2013), shared by
# GIRK and the GABA_B receptor (compartments.receptors), which opens GIRK channels
KIR_RECTIFICATION = "1/(1 + exp((v - E - vshift)/k))"

_G_BOUNDS = (0 * siemens / meter**2, None)
_HAY = "Hay et al. 2011 PLoS Comput Biol 7:e1002107"
_HAY_SK = f"{_HAY}, SK_E2.mod (ModelDB 139653), after Köhler et al. 1996 Science 273:1709"
_TRAUB = ("Traub et al. 1991 J Neurophysiol 66:635 (q gate of g_K(AHP)); also Pinsky & Rinzel "
          "1994 J Comput Neurosci 1:39 and kahp_slower.mod of Traub et al. 2005 (ModelDB 45539)")
_SANDERS = ("Sanders et al. 2013 J Neurosci 33:424, KIR voltage dependence "
            "1/(1 + exp(0.1 (V - E_K + 10))), E_K = -90 mV, as transcribed in emer/axon "
            "chans/gabab.go (GFromV); not re-read in the paper")


class SK(Channel):
    """Small-conductance Ca-activated K current ``gbar z (E - v)`` (Hay et al. 2011, SK_E2).

    ``z_inf = 1 / (1 + (ca_half / ca_i)^hill)`` with ca_half = 0.43 µM and
    hill = 4.8, ``tau_z`` = 1 ms; no voltage or temperature dependence.
    Written as ``x^hill / (1 + x^hill)``, x = ca_i / ca_half, which is the
    same function and finite at ca_i = 0; 1e-12 mM is added to ``ca_i`` to
    keep the derivative finite there (as ``SK_E2.mod`` guards ``cai``;
    relative effect < 1e-7 for ca_i >= 1e-5 mM).
    """

    name = "sk"
    ion = "k"
    requires = MappingProxyType({"v": volt, "ca_i": mmolar})
    reference_temperature = None  # no temperature factor in SK_E2.mod
    q10 = None
    source = _HAY_SK
    default_parameters = (
        parameter("gbar", 44.1 * msiemens / cm**2,
                  f"{_HAY}, somatic gSK_E2bar_SK_E2 = 0.0441 S/cm2 (L5PCbiophys3.hoc)",
                  "peak SK conductance density", bounds=_G_BOUNDS),
        parameter("E", -85 * mV, f"{_HAY}, ek = -85 mV (L5PCbiophys3.hoc)",
                  "potassium reversal potential"),
        parameter("ca_half", 0.00043 * mmolar, f"{_HAY_SK}: zInf = 1/(1 + (0.00043 mM/cai)^4.8)",
                  "calcium concentration of half activation", bounds=(0 * mmolar, None)),
        parameter("hill", 4.8, f"{_HAY_SK}: Hill exponent 4.8",
                  "Hill coefficient of the calcium dependence", bounds=(0.0, None)),
        parameter("tau_z", 1 * ms, f"{_HAY_SK}: zTau = 1 ms", "activation time constant",
                  bounds=(0 * ms, None)),
    )

    def _equations(self):
        return """
        I = gbar*z*(E - v) : amp/meter**2
        dz/dt = (z_inf - z)/tau_z : 1
        x_ca = (ca_i + 1e-12*mmolar)/ca_half : 1
        z_inf = x_ca**hill/(1 + x_ca**hill) : 1
        """


class SAHP(Channel):
    """Slow afterhyperpolarisation current ``gbar q (E - v)`` (Traub et al. 1991 gate).

    ``dq/dt = alpha_q (1 - q) - beta_q q`` with ``beta_q`` = 0.001/ms (a 1 s
    time constant at low calcium) and
    ``alpha_q = min(beta_q (ca_i / ca_half)**hill, alpha_max)``, alpha_max = 0.01/ms
    (Traub's ``min(2e-5 chi, 0.01)`` with chi = 50 ca_i / ca_half). The
    ``min`` is written ``(a + b - |a - b|)/2``.
    """

    name = "sahp"
    ion = "k"
    requires = MappingProxyType({"v": volt, "ca_i": mmolar})
    reference_temperature = None  # Traub's rates carry no temperature factor
    q10 = None
    source = _TRAUB
    default_parameters = (
        parameter("gbar", 0.8 * msiemens / cm**2,
                  "Pinsky & Rinzel 1994 J Comput Neurosci 1:39, g_K-AHP = 0.8 mS/cm2 "
                  "(dendrite; recalled, not re-read)",
                  "peak slow-AHP conductance density", bounds=_G_BOUNDS),
        parameter("E", -85 * mV, f"assumed: the potassium reversal of {_HAY} (ek = -85 mV)",
                  "potassium reversal potential"),
        parameter("beta_q", 0.001 / ms, f"{_TRAUB}: beta_q = 0.001 /ms",
                  "closing rate (inverse deactivation time constant)", bounds=(0 / ms, None)),
        parameter("alpha_max", 0.01 / ms, f"{_TRAUB}: alpha_q saturates at 0.01 /ms",
                  "largest opening rate", bounds=(0 / ms, None)),
        parameter("ca_half", 1e-3 * mmolar,
                  "assumed (adapted from Traub et al. 1991 by mapping chi = 50, where "
                  "alpha_q = beta_q, to 1 uM free calcium)",
                  "calcium concentration at which alpha_q = beta_q", bounds=(0 * mmolar, None)),
        parameter("hill", 1.0, f"{_TRAUB}: linear in calcium (1)",
                  "exponent of the calcium dependence of alpha_q (cooperative binding > 1 "
                  "keeps the gate closed at resting calcium)", bounds=(1.0, None)),
    )

    def _equations(self):
        return """
        I = gbar*q*(E - v) : amp/meter**2
        dq/dt = alpha_q*(1 - q) - beta_q*q : 1
        alpha_lin = beta_q*(ca_i/ca_half)**hill : Hz
        alpha_q = 0.5*(alpha_lin + alpha_max - abs(alpha_lin - alpha_max)) : Hz
        """


class GIRK(Channel):
    """G-protein-gated inward-rectifier K current, off until a receptor drives ``activation``.

    ``I = activation gbar (E - v) / (1 + exp((v - E - vshift)/k))``:
    instantaneous rectification (no gate), half-open at ``E + vshift``
    (-100 mV by default) with slope ``k`` = 10 mV (Sanders et al. 2013).
    """

    name = "girk"
    ion = "k"
    reference_temperature = None  # instantaneous: no rates
    q10 = None
    source = (f"{_SANDERS}; receptor gating (5-HT1A, D2, M2, GABA_B) as a dimensionless "
              f"activation, Lüscher & Slesinger 2010 Nat Rev Neurosci 11:301")
    default_parameters = (
        parameter("gbar", 0.1 * msiemens / cm**2,
                  "assumed: gives a few mV of hyperpolarisation at full activation in a "
                  "cell with 0.05 mS/cm2 leak (5-HT1A responses of a few mV, Andrade reviews)",
                  "GIRK conductance density at full activation (before rectification)",
                  bounds=_G_BOUNDS),
        parameter("E", -90 * mV, f"{_SANDERS}", "potassium reversal potential"),
        parameter("activation", 0.0,
                  "receptor drive set by neuromodulation; default 0 (no current)",
                  "fraction of GIRK channels opened by G-protein beta-gamma (0..1)",
                  bounds=(0.0, 1.0)),
        parameter("vshift", -10 * mV, f"{_SANDERS}: half-open at E_K - 10 mV",
                  "offset of the half-open voltage from E"),
        parameter("k", 10 * mV, f"{_SANDERS}: slope 1/0.1 mV = 10 mV",
                  "slope factor of the rectification", bounds=(1e-3 * mV, None)),
    )

    def _equations(self):
        return f"""
        I = activation*gbar*(E - v)*rectification : amp/meter**2
        rectification = {KIR_RECTIFICATION} : 1
        """
