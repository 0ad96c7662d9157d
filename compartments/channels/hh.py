"""Hodgkin–Huxley squid-axon sodium and potassium currents.

Kinetics as in NEURON's built-in ``hh`` mechanism (itself Hodgkin & Huxley
1952, J Physiol 117:500–544, with the voltage axis shifted so that rest is
-65 mV): rates in 1/ms with v in mV at the reference temperature 6.3 °C,
Q10 = 3. NEURON's ``hh`` is exactly ``HHNa() + HHK() + Leak()`` with the
defaults below (gnabar 0.12 S/cm², gkbar 0.036 S/cm², gl 0.0003 S/cm²,
ena 50 mV, ek -77 mV, el -54.3 mV).

The singular rates ``a (v - v0) / (1 - exp(-(v - v0)/k))`` are written with
Brian2's ``exprel`` so that they are finite at ``v = v0``; NEURON's ``vtrap``
switches to a Taylor expansion there, which agrees to first order.
"""

from brian2 import mV, msiemens, cm, siemens, meter

from .base import Channel, parameter

__all__ = ["HHNa", "HHK"]

_SOURCE = "Hodgkin & Huxley 1952 J Physiol 117:500, as NEURON hh.mod"
_G_BOUNDS = (0 * siemens / meter**2, None)


class HHNa(Channel):
    """Transient sodium current ``gbar m^3 h (E - v)`` of the squid axon."""

    name = "hhna"
    ion = "na"
    reference_temperature = 6.3
    q10 = 3.0
    source = _SOURCE
    default_parameters = (
        parameter("gbar", 120 * msiemens / cm**2, _SOURCE, "peak sodium conductance density",
                  bounds=_G_BOUNDS),
        parameter("E", 50 * mV, _SOURCE, "sodium reversal potential"),
    )

    def _equations(self):
        return """
        I = gbar*m**3*h*(E - v) : amp/meter**2
        dm/dt = phi*(alpha_m*(1 - m) - beta_m*m) : 1
        dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
        alpha_m = (1/ms)/exprel(-(v + 40*mV)/(10*mV)) : Hz
        beta_m = (4/ms)*exp(-(v + 65*mV)/(18*mV)) : Hz
        alpha_h = (0.07/ms)*exp(-(v + 65*mV)/(20*mV)) : Hz
        beta_h = (1/ms)/(1 + exp(-(v + 35*mV)/(10*mV))) : Hz
        """


class HHK(Channel):
    """Delayed-rectifier potassium current ``gbar n^4 (E - v)`` of the squid axon."""

    name = "hhk"
    ion = "k"
    reference_temperature = 6.3
    q10 = 3.0
    source = _SOURCE
    default_parameters = (
        parameter("gbar", 36 * msiemens / cm**2, _SOURCE, "peak potassium conductance density",
                  bounds=_G_BOUNDS),
        parameter("E", -77 * mV, _SOURCE, "potassium reversal potential"),
    )

    def _equations(self):
        return """
        I = gbar*n**4*(E - v) : amp/meter**2
        dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
        alpha_n = (0.1/ms)/exprel(-(v + 55*mV)/(10*mV)) : Hz
        beta_n = (0.125/ms)*exp(-(v + 65*mV)/(80*mV)) : Hz
        """
