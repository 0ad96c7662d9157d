"""Voltage-gated potassium currents: delayed rectifiers, Kv3, Kv1 (D-type), M and A-type.

All five are fixed-reversal currents ``I = gbar * gates * (E - v)`` (inward
positive), each in the published form of a public, widely reused model:

- `Kdr` (``kdr``): the Traub–Miles delayed rectifier ``n^4`` as used by
  Pospischil et al. 2008 (Biol Cybern 99:427) in their minimal models of
  regular-spiking, fast-spiking, bursting and low-threshold cortical cells
  (their I_Kd, with the threshold shift ``VT``). Q10 3 about 36 °C, as in their
  model file ``HH_traub.mod``.
- `Kv3` (``kv3``): the fast, high-threshold Kv3.1 current ``m`` of Hay et al.
  2011 (``SKv3_1``, after Rettig et al. 1992). It repolarises spikes quickly
  and so gives the narrow spikes of fast-spiking (PV) interneurons and the
  axon/soma of pyramidal cells (BBP and Allen models reuse it). No
  temperature dependence (as in the source file).
- `Kv1` (``kv1``): the D-type current ``a^3 b`` of Golomb et al. 2007 (PLoS
  Comput Biol 3:e156): fast activation below spike threshold and slow
  inactivation (150 ms); it delays the first spike and makes fast-spiking
  interneurons stutter. No temperature dependence (as in the source).
- `Km` (``km``): the non-inactivating, slow M-current (Kv7/KCNQ) ``p`` of
  Pospischil et al. 2008 (``IM_cortex.mod``, after Yamada, Koch & Adams 1989):
  spike-frequency adaptation of regular-spiking pyramidal cells and
  low-threshold-spiking (SST) interneurons. Q10 2.3 about 36 °C.
- `Ka` (``ka``): the fast-inactivating A-type current ``m^4 h`` of Hay et al.
  2011 (``K_Tst``, after Korngreen & Sakmann 2000, layer 5 pyramidal soma),
  with their -10 mV junction-potential shift. Q10 2.3 about 21 °C, so that at
  34 °C the rates are Hay's.

The reversal ``E`` is a fixed parameter (as in every source: the potassium
gradient is not tracked); set it per cell type (-100 mV in Pospischil's
models, -85 mV in Hay's, -90 mV in Golomb's). ``vshift`` (default 0 mV)
moves every voltage dependence of a channel to depolarised values by that
amount (as the ``vshift`` of the Allen Institute's ``Kv3_1.mod``).

References
----------
Pospischil M, Toledo-Rodriguez M, Monier C, Piwkowska Z, Bal T, Frégnac Y,
Markram H, Destexhe A (2008) Biol Cybern 99:427-441, doi:10.1007/s00422-008-0263-8;
model files OpenSourceBrain/PospischilEtAl2008 (ModelDB 123623).
Hay E, Hill S, Schürmann F, Markram H, Segev I (2011) PLoS Comput Biol
7:e1002107, doi:10.1371/journal.pcbi.1002107; ModelDB 139653.
Golomb D, Donner K, Shacham L, Shlosberg D, Amitai Y, Hansel D (2007) PLoS
Comput Biol 3:e156, doi:10.1371/journal.pcbi.0030156; ModelDB 97747.
Rettig J et al. (1992) EMBO J 11:2473-2486. Korngreen A, Sakmann B (2000)
J Physiol 525:621-639.
"""

from brian2 import cm, meter, ms, msiemens, mV, siemens

from .base import Channel, parameter

__all__ = ["Kdr", "Kv3", "Kv1", "Km", "Ka"]

_G_BOUNDS = (0 * siemens / meter**2, None)
_TAU_BOUNDS = (0 * ms, None)

_POSPISCHIL = "Pospischil et al. 2008 Biol Cybern 99:427"
_POSPISCHIL_KD = (f"{_POSPISCHIL}, I_Kd, as HH_traub.mod (OpenSourceBrain/"
                  f"PospischilEtAl2008, ModelDB 123623), after Traub & Miles 1991")
_POSPISCHIL_RS = (f"{_POSPISCHIL}, regular-spiking cell of ModelDB 123623 "
                  f"(OpenSourceBrain/PospischilEtAl2008 NEURON_ORIG/sPY_template)")
_POSPISCHIL_M = (f"{_POSPISCHIL}, I_M, as IM_cortex.mod (OpenSourceBrain/"
                 f"PospischilEtAl2008 NEURON_ORIG), after Yamada, Koch & Adams 1989")
_HAY = "Hay et al. 2011 PLoS Comput Biol 7:e1002107"
_HAY_KV3 = f"{_HAY}, SKv3_1.mod (ModelDB 139653), after Rettig et al. 1992 EMBO J 11:2473"
_HAY_KA = (f"{_HAY}, K_Tst.mod (ModelDB 139653), after Korngreen & Sakmann 2000 "
           f"J Physiol 525:621")
_HAY_SOMA = f"{_HAY}, L5PCbiophys3.hoc (ModelDB 139653), somatic value"
_GOLOMB = ("Golomb et al. 2007 PLoS Comput Biol 3:e156, Methods (I_d), "
           "ModelDB 97747")
_VSHIFT = "no shift in the source; a kinetic shift for fitting (as vshift in Allen Kv3_1.mod)"


def _vshift():
    return parameter("vshift", 0 * mV, _VSHIFT,
                     "shift of every voltage dependence (positive: depolarised)")


class Kdr(Channel):
    """Traub–Pospischil delayed rectifier ``gbar n^4 (E - v)`` with threshold shift ``VT``.

    ``alpha_n = 0.032 (V - VT - 15) / (1 - exp(-(V - VT - 15)/5))`` and
    ``beta_n = 0.5 exp(-(V - VT - 10)/40)`` (1/ms, mV), at 36 °C with Q10 3.
    """

    name = "kdr"
    ion = "k"
    reference_temperature = 36.0
    q10 = 3.0
    source = _POSPISCHIL_KD
    default_parameters = (
        parameter("gbar", 5 * msiemens / cm**2, _POSPISCHIL_RS + " (gkbar_hh2 = 0.005 S/cm2)",
                  "peak delayed-rectifier conductance density", bounds=_G_BOUNDS),
        parameter("E", -100 * mV, _POSPISCHIL_RS + " (ek = -100 mV)",
                  "potassium reversal potential"),
        parameter("VT", -55 * mV, _POSPISCHIL_RS + " (vtraub_hh2 = -55 mV)",
                  "threshold shift of the Traub kinetics (HH_traub.mod default: -63 mV)"),
    )

    def _equations(self):
        return """
        I = gbar*n**4*(E - v) : amp/meter**2
        dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
        alpha_n = (0.16/ms)/exprel(-(v - VT - 15*mV)/(5*mV)) : Hz
        beta_n = (0.5/ms)*exp(-(v - VT - 10*mV)/(40*mV)) : Hz
        """


class Kv3(Channel):
    """Fast high-threshold Kv3.1 current ``gbar m (E - v)`` (Hay et al. 2011 SKv3_1).

    ``m_inf = 1/(1 + exp(-(V - 18.7)/9.7))``,
    ``tau_m = 4 ms / (1 + exp(-(V + 46.56)/44.14))``; no temperature dependence.
    """

    name = "kv3"
    ion = "k"
    reference_temperature = None  # the source's rates do not depend on temperature
    q10 = None
    source = _HAY_KV3
    default_parameters = (
        parameter("gbar", 0.693 * siemens / cm**2, _HAY_SOMA + " (gSKv3_1bar = 0.693 S/cm2)",
                  "peak Kv3 conductance density", bounds=_G_BOUNDS),
        parameter("E", -85 * mV, _HAY_SOMA + " (ek = -85 mV)", "potassium reversal potential"),
        _vshift(),
    )

    def _equations(self):
        return """
        I = gbar*m*(E - v) : amp/meter**2
        dm/dt = (m_inf - m)/tau_m : 1
        m_inf = 1/(1 + exp(-(v - vshift - 18.7*mV)/(9.7*mV))) : 1
        tau_m = (4*ms)/(1 + exp(-(v - vshift + 46.56*mV)/(44.14*mV))) : second
        """


class Kv1(Channel):
    """Golomb et al. 2007 D-type (Kv1) current ``gbar a^3 b (E - v)``, slowly inactivating.

    ``a_inf = 1/(1 + exp(-(V - theta_a)/sigma_a))``, ``da/dt = (a_inf - a)/tau_a``,
    ``b_inf = 1/(1 + exp(-(V - theta_b)/sigma_b))``, ``db/dt = (b_inf - b)/tau_b``,
    with voltage-independent time constants; no temperature dependence.
    """

    name = "kv1"
    ion = "k"
    reference_temperature = None  # the source's rates do not depend on temperature
    q10 = None
    source = _GOLOMB
    default_parameters = (
        parameter("gbar", 0.39 * msiemens / cm**2,
                  _GOLOMB + ": g_d = 0.39 mS/cm2 (delayed tonic firing, Fig. 3; "
                  "stuttering needs larger g_d, e.g. 1.8 mS/cm2 in ModelDB 97747)",
                  "peak D-type conductance density", bounds=_G_BOUNDS),
        parameter("E", -90 * mV, _GOLOMB + " (V_K = -90 mV)", "potassium reversal potential"),
        parameter("theta_a", -50 * mV, _GOLOMB + " (theta_a)", "half-activation voltage"),
        parameter("sigma_a", 20 * mV, _GOLOMB + " (sigma_a)", "activation slope factor"),
        parameter("tau_a", 2 * ms, _GOLOMB + " (tau_a)", "activation time constant",
                  bounds=_TAU_BOUNDS),
        parameter("theta_b", -70 * mV, _GOLOMB + " (theta_b)", "half-inactivation voltage"),
        parameter("sigma_b", -6 * mV, _GOLOMB + " (sigma_b, negative: inactivation)",
                  "inactivation slope factor"),
        parameter("tau_b", 150 * ms, _GOLOMB + " (tau_b)", "inactivation time constant",
                  bounds=_TAU_BOUNDS),
    )

    def _equations(self):
        return """
        I = gbar*a**3*b*(E - v) : amp/meter**2
        da/dt = (a_inf - a)/tau_a : 1
        db/dt = (b_inf - b)/tau_b : 1
        a_inf = 1/(1 + exp(-(v - theta_a)/sigma_a)) : 1
        b_inf = 1/(1 + exp(-(v - theta_b)/sigma_b)) : 1
        """


class Km(Channel):
    """Pospischil et al. 2008 slow M-current ``gbar p (E - v)`` (Kv7/KCNQ), non-inactivating.

    ``p_inf = 1/(1 + exp(-(V + 35)/10))``,
    ``tau_p = tau_max / (3.3 exp((V + 35)/20) + exp(-(V + 35)/20))`` at 36 °C, Q10 2.3.
    """

    name = "km"
    ion = "k"
    reference_temperature = 36.0
    q10 = 2.3
    source = _POSPISCHIL_M
    default_parameters = (
        parameter("gbar", 0.07 * msiemens / cm**2, _POSPISCHIL_RS + " (gkbar_im = 7e-5 S/cm2)",
                  "peak M conductance density", bounds=_G_BOUNDS),
        parameter("E", -100 * mV, _POSPISCHIL_RS + " (ek = -100 mV)",
                  "potassium reversal potential"),
        parameter("tau_max", 1000 * ms, _POSPISCHIL_M + " (taumax = 1000 ms; sPY_template)",
                  "time-constant scale at 36 °C (tau_p peaks at tau_max/(2 sqrt(3.3)))",
                  bounds=_TAU_BOUNDS),
        _vshift(),
    )

    def _equations(self):
        return """
        I = gbar*p*(E - v) : amp/meter**2
        dp/dt = phi*(p_inf - p)/tau_p : 1
        p_inf = 1/(1 + exp(-(v - vshift + 35*mV)/(10*mV))) : 1
        tau_p = tau_max/(3.3*exp(x_p) + exp(-x_p)) : second
        x_p = (v - vshift + 35*mV)/(20*mV) : 1
        """


class Ka(Channel):
    """Fast-inactivating A-type current ``gbar m^4 h (E - v)`` (Hay et al. 2011 K_Tst).

    With Hay's -10 mV shift folded in: ``m_inf = 1/(1 + exp(-(V + 10)/19))``,
    ``tau_m = 0.34 + 0.92 exp(-((V + 81)/59)^2)`` ms,
    ``h_inf = 1/(1 + exp((V + 76)/10))``, ``tau_h = 8 + 49 exp(-((V + 83)/23)^2)`` ms,
    at 21 °C with Q10 2.3 (Hay's file fixes the factor to 34 °C).
    """

    name = "ka"
    ion = "k"
    reference_temperature = 21.0
    q10 = 2.3
    source = _HAY_KA
    default_parameters = (
        parameter("gbar", 0.0812 * siemens / cm**2, _HAY_SOMA + " (gK_Tstbar = 0.0812 S/cm2)",
                  "peak A-type conductance density", bounds=_G_BOUNDS),
        parameter("E", -85 * mV, _HAY_SOMA + " (ek = -85 mV)", "potassium reversal potential"),
        _vshift(),
    )

    def _equations(self):
        return """
        I = gbar*m**4*h*(E - v) : amp/meter**2
        dm/dt = phi*(m_inf - m)/tau_m : 1
        dh/dt = phi*(h_inf - h)/tau_h : 1
        m_inf = 1/(1 + exp(-(v - vshift + 10*mV)/(19*mV))) : 1
        tau_m = 0.34*ms + (0.92*ms)*exp(-((v - vshift + 81*mV)/(59*mV))**2) : second
        h_inf = 1/(1 + exp((v - vshift + 76*mV)/(10*mV))) : 1
        tau_h = 8*ms + (49*ms)*exp(-((v - vshift + 83*mV)/(23*mV))**2) : second
        """
