"""Voltage-gated sodium currents: transient (spike) and persistent.

- `NaT`: the cortical spike-generating Na current of Pospischil et al. 2008
  (Biol Cybern 99:427), Traub & Miles (1991) rate functions with the
  threshold-shift parameter ``VT`` (Destexhe's ``hh2``/``HH_traub.mod``,
  ModelDB 123623). Carried by the minimal single-compartment cortical
  models: regular-spiking (RS) pyramidal, fast-spiking (FS), low-threshold
  spiking (LTS) and intrinsically bursting (IB) cells.
- `NaTa`: the fast-inactivating Na current of the L5b thick-tufted pyramidal
  cell of Hay et al. 2011 (PLoS Comput Biol 7:e1002107; ``NaTa_t.mod``,
  ModelDB 139653), after Colbert & Pan 2002 (Nat Neurosci 5:533); soma and
  apical dendrite (and, as ``NaTa_t``, many Blue Brain cortical e-types).
- `NaP`: the persistent Na current of the same model (``Nap_Et2.mod``),
  after Magistretti & Alonso 1999 (J Gen Physiol 114:491); L5 pyramidal soma.

All three use a fixed sodium reversal potential ``E`` (50 mV, the value set
by both source models with ``ena = 50``): the intracellular Na concentration
is not tracked, so a Nernst/GHK driving force would add nothing but
parameters. Currents are inward positive (``I = gbar m^3 h (E - v)``).

Temperature. ``NaT`` rates are multiplied by 3 ** ((celsius - 36)/10)
(``tadj`` of ``HH_traub.mod``; the Pospischil models run at 36 °C, where
it is 1). ``NaTa`` and ``NaP`` use Q10 = 2.3 from 21 °C; Hay's files
hard-code the factor for 34 °C (``qt = 2.3^((34-21)/10)``, independent of
NEURON's ``celsius``), so a template at ``celsius=34`` reproduces them.

The singular rates ``a x / (1 - exp(-x/k))`` are written with Brian2's
``exprel``: ``a x / (1 - exp(-x/k)) = a k / exprel(-x/k)``. Decimal constants
inside ``exprel`` are written as fractions (``644*mV/10`` for 64.4 mV): with a
floating-point constant term in its argument, SymPy's ``expand`` (used by
Brian2's ``exponential_euler`` and by `gate_kinetics`) rewrites ``exprel(x)``
as ``(exp(x) - 1)/x``, which is inexact next to ``x = 0``.
"""

from brian2 import mV, msiemens, cm, siemens, meter

from .base import Channel, parameter

__all__ = ["NaT", "NaTa", "NaP"]

_G_BOUNDS = (0 * siemens / meter**2, None)

_POSPISCHIL = ("Pospischil et al. 2008 Biol Cybern 99:427, INa (Traub & Miles 1991 rates); "
               "NEURON HH_traub.mod (hh2) of ModelDB 123623 (OpenSourceBrain/PospischilEtAl2008)")
_HAY_NATA = ("Hay et al. 2011 PLoS Comput Biol 7:e1002107, NaTa_t.mod (ModelDB 139653), "
             "after Colbert & Pan 2002 Nat Neurosci 5:533")
_HAY_NAP = ("Hay et al. 2011 PLoS Comput Biol 7:e1002107, Nap_Et2.mod (ModelDB 139653), "
            "after Magistretti & Alonso 1999 J Gen Physiol 114:491")
_HAY_BIOPHYS = "Hay et al. 2011 L5PCbiophys3.hoc (ModelDB 139653), soma"


class NaT(Channel):
    """Transient Na current ``gbar m^3 h (E - v)`` of the Pospischil et al. 2008 cortical models.

    Traub & Miles (1991) rates in the variable ``v - VT``; ``VT`` shifts all
    gating to set the spike threshold (-55 mV in the ModelDB demos).
    """

    name = "nat"
    ion = "na"
    reference_temperature = 36.0
    q10 = 3.0
    source = _POSPISCHIL
    default_parameters = (
        parameter("gbar", 50 * msiemens / cm**2,
                  "Pospischil et al. 2008, RS cell of the ModelDB demo (sPY_template: "
                  "gnabar_hh2 = 0.05 S/cm2)", "peak sodium conductance density",
                  bounds=_G_BOUNDS),
        parameter("E", 50 * mV, "Pospischil et al. 2008 ModelDB demo (sPY_template: ena = 50 mV)",
                  "sodium reversal potential"),
        parameter("VT", -55 * mV,
                  "Pospischil et al. 2008 ModelDB demo (sPY_template: vtraub_hh2 = -55 mV); "
                  "the paper's fits use cell-specific values (e.g. about -56 mV for RS, "
                  "not verified here)",
                  "threshold shift: the rates are functions of v - VT"),
    )

    def _equations(self):
        return """
        I = gbar*m**3*h*(E - v) : amp/meter**2
        dm/dt = phi*(m_inf - m)/tau_m : 1
        dh/dt = phi*(h_inf - h)/tau_h : 1
        m_inf = alpha_m/(alpha_m + beta_m) : 1
        tau_m = 1/(alpha_m + beta_m) : second
        h_inf = alpha_h/(alpha_h + beta_h) : 1
        tau_h = 1/(alpha_h + beta_h) : second
        alpha_m = (0.32/(mV*ms))*(4*mV)/exprel((13*mV - (v - VT))/(4*mV)) : Hz
        beta_m = (0.28/(mV*ms))*(5*mV)/exprel(((v - VT) - 40*mV)/(5*mV)) : Hz
        alpha_h = (0.128/ms)*exp((17*mV - (v - VT))/(18*mV)) : Hz
        beta_h = (4/ms)/(1 + exp((40*mV - (v - VT))/(5*mV))) : Hz
        """


class NaTa(Channel):
    """Fast-inactivating Na current ``gbar m^3 h (E - v)`` of Hay et al. 2011 (NaTa_t).

    Rates after Colbert & Pan 2002, Q10 2.3 from 21 °C; ``vshift`` moves
    every voltage dependence to more depolarised potentials (0 mV in Hay 2011).
    """

    name = "nata"
    ion = "na"
    reference_temperature = 21.0
    q10 = 2.3
    source = _HAY_NATA
    default_parameters = (
        parameter("gbar", 2.04 * siemens / cm**2,
                  _HAY_BIOPHYS + " (gNaTa_tbar = 2.04 S/cm2; apical 0.0213 S/cm2)",
                  "peak sodium conductance density", bounds=_G_BOUNDS),
        parameter("E", 50 * mV, _HAY_BIOPHYS + " (ena = 50 mV)", "sodium reversal potential"),
        parameter("vshift", 0 * mV, "0 mV: Hay et al. 2011 NaTa_t.mod has no shift",
                  "shift of all voltage dependences (positive: depolarised)"),
    )

    def _equations(self):
        return """
        I = gbar*m**3*h*(E - v) : amp/meter**2
        dm/dt = phi*(m_inf - m)/tau_m : 1
        dh/dt = phi*(h_inf - h)/tau_h : 1
        m_inf = alpha_m/(alpha_m + beta_m) : 1
        tau_m = 1/(alpha_m + beta_m) : second
        h_inf = alpha_h/(alpha_h + beta_h) : 1
        tau_h = 1/(alpha_h + beta_h) : second
        alpha_m = (0.182/(mV*ms))*(6*mV)/exprel(-(v - vshift + 38*mV)/(6*mV)) : Hz
        beta_m = (0.124/(mV*ms))*(6*mV)/exprel((v - vshift + 38*mV)/(6*mV)) : Hz
        alpha_h = (0.015/(mV*ms))*(6*mV)/exprel((v - vshift + 66*mV)/(6*mV)) : Hz
        beta_h = (0.015/(mV*ms))*(6*mV)/exprel(-(v - vshift + 66*mV)/(6*mV)) : Hz
        """


class NaP(Channel):
    """Persistent Na current ``gbar m^3 h (E - v)`` of Hay et al. 2011 (Nap_Et2).

    Boltzmann steady states after Magistretti & Alonso 1999; tau_m is six
    times NaTa's, tau_h from Magistretti & Alonso's slow-inactivation rates;
    Q10 2.3 from 21 °C. As in ``Nap_Et2.mod``, ``h_inf`` is a Boltzmann that is
    not ``alpha_h/(alpha_h + beta_h)``.
    """

    name = "nap"
    ion = "na"
    reference_temperature = 21.0
    q10 = 2.3
    source = _HAY_NAP
    default_parameters = (
        parameter("gbar", 1.72 * msiemens / cm**2,
                  _HAY_BIOPHYS + " (gNap_Et2bar = 0.00172 S/cm2)",
                  "peak persistent sodium conductance density", bounds=_G_BOUNDS),
        parameter("E", 50 * mV, _HAY_BIOPHYS + " (ena = 50 mV)", "sodium reversal potential"),
        parameter("vshift", 0 * mV, "0 mV: Hay et al. 2011 Nap_Et2.mod has no shift",
                  "shift of all voltage dependences (positive: depolarised)"),
    )

    def _equations(self):
        return """
        I = gbar*m**3*h*(E - v) : amp/meter**2
        dm/dt = phi*(m_inf - m)/tau_m : 1
        dh/dt = phi*(h_inf - h)/tau_h : 1
        m_inf = 1/(1 + exp(-(v - vshift + 52.6*mV)/(4.6*mV))) : 1
        tau_m = 6/(alpha_m + beta_m) : second
        h_inf = 1/(1 + exp((v - vshift + 48.8*mV)/(10*mV))) : 1
        tau_h = 1/(alpha_h + beta_h) : second
        alpha_m = (0.182/(mV*ms))*(6*mV)/exprel(-(v - vshift + 38*mV)/(6*mV)) : Hz
        beta_m = (0.124/(mV*ms))*(6*mV)/exprel((v - vshift + 38*mV)/(6*mV)) : Hz
        alpha_h = (2.88e-6/(mV*ms))*(4.63*mV)/exprel((v - vshift + 17*mV)/(463*mV/100)) : Hz
        beta_h = (6.94e-6/(mV*ms))*(2.63*mV)/exprel(-(v - vshift + 644*mV/10)/(263*mV/100)) : Hz
        """
