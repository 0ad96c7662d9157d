"""Passive leak current, ``I = g (E - v)``.

Present in every compartment of every cell type; its density and reversal set
the resting potential and membrane time constant (tau_m = cm / g).
"""

from brian2 import mV, msiemens, cm, siemens, meter

from .base import Channel, parameter

__all__ = ["Leak"]

_NEURON_HH = "NEURON hh.mod (Hodgkin & Huxley 1952, J Physiol 117:500, squid axon)"


class Leak(Channel):
    """Ohmic leak: density ``g`` (siemens/meter**2) and reversal ``E`` (volt).

    The defaults are the leak of NEURON's ``hh`` mechanism
    (0.3 mS/cm², -54.3 mV); most cells override both.
    """

    name = "leak"
    ion = None
    spine_scaled = ("g",)
    source = _NEURON_HH
    default_parameters = (
        parameter("g", 0.3 * msiemens / cm**2, _NEURON_HH, "leak conductance density",
                  bounds=(0 * siemens / meter**2, None)),
        parameter("E", -54.3 * mV, _NEURON_HH, "leak reversal potential"),
    )

    def _equations(self):
        return "I = g*(E - v) : amp/meter**2"
