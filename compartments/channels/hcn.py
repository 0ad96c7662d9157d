"""Hyperpolarisation-activated cation current Ih (HCN channels).

`HCN` is the Ih of Kole, Hallermann & Stuart 2006 (J Neurosci 26:1677) as
used by Hay et al. 2011 (PLoS Comput Biol 7:e1002107; ``Ih.mod``, ModelDB
139653): one activation gate, ``I = gbar m (E - v)`` with a fixed reversal
``E = -45 mV`` (a mixed Na/K current, so no single-ion Nernst potential
applies; the source uses a fixed ``ehcn``). Carried by L5 thick-tufted
pyramidal cells, where its density grows steeply along the apical dendrite
(Hay 2011: 0.2 mS/cm² in soma and basal dendrites, rising exponentially
with distance along the apical dendrite), and by
many other pyramidal cells and interneurons; it produces the "sag" and
rebound after hyperpolarising steps.

The rate ``a x / (exp(x/k) - 1)`` is written ``a k / exprel(x/k)``, with the
decimal constants inside ``exprel`` as fractions (``1549*mV/10``) so that SymPy
keeps ``exprel`` (see `compartments.channels.sodium`).

Temperature: ``Ih.mod`` has no temperature factor, so ``q10`` is None and
the rates are the same at every ``celsius``.
"""

from brian2 import mV, siemens, cm, meter

from .base import Channel, parameter

__all__ = ["HCN"]

_SOURCE = ("Kole, Hallermann & Stuart 2006 J Neurosci 26:1677, as Ih.mod of Hay et al. 2011 "
           "PLoS Comput Biol 7:e1002107 (ModelDB 139653)")


class HCN(Channel):
    """Ih ``gbar m (E - v)`` of Kole et al. 2006 / Hay et al. 2011 (no temperature dependence)."""

    name = "hcn"
    ion = "h"
    reference_temperature = None
    q10 = None
    source = _SOURCE
    default_parameters = (
        parameter("gbar", 0.2e-3 * siemens / cm**2,
                  "Hay et al. 2011 L5PCbiophys3.hoc (ModelDB 139653), soma (gIhbar = 0.0002 S/cm2)",
                  "peak Ih conductance density", bounds=(0 * siemens / meter**2, None)),
        parameter("E", -45 * mV, "Hay et al. 2011 Ih.mod (ehcn = -45 mV)",
                  "Ih reversal potential (mixed Na/K)"),
        parameter("vshift", 0 * mV, "0 mV: Hay et al. 2011 Ih.mod has no shift",
                  "shift of the voltage dependence (positive: depolarised)"),
    )

    def _equations(self):
        return """
        I = gbar*m*(E - v) : amp/meter**2
        dm/dt = (m_inf - m)/tau_m : 1
        m_inf = alpha_m/(alpha_m + beta_m) : 1
        tau_m = 1/(alpha_m + beta_m) : second
        alpha_m = (0.00643/(mV*ms))*(11.9*mV)/exprel((v - vshift + 1549*mV/10)/(119*mV/10)) : Hz
        beta_m = (0.193/ms)*exp((v - vshift)/(33.1*mV)) : Hz
        """
