"""Passive leak currents, ``I = g (E - v)``.

`Leak` is present in every compartment of every cell type; its density and
reversal set the resting potential and membrane time constant (tau_m = cm / g).
`KLeak` is the potassium part of a resting conductance (two-pore-domain K
channels), kept apart where neuromodulators close it: a cell type splits its
published leak into `KLeak` at E_K and a cation `Leak`, with the same total
conductance and reversal.
"""

from brian2 import mV, msiemens, cm, siemens, meter

from .base import Channel, parameter

__all__ = ["Leak", "KLeak"]

_NEURON_HH = "NEURON hh.mod (Hodgkin & Huxley 1952, J Physiol 117:500, squid axon)"
_K2P = ("Millar et al. 2000 PNAS 97:3614 (M3 receptors inhibit TASK-1, the standing outward K "
        "current) and Chen et al. 2006 PNAS 103:3422 (Galpha-q inhibits TASK-1/3), abstracts: "
        "Gq-coupled receptors close two-pore-domain K channels, the 'K leak'")


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


class KLeak(Leak):
    """Potassium leak (two-pore-domain K channels): ``I = g (E - v)`` at E_K.

    Off by default (``g`` = 0); the cell types that carry it take it out of their
    published leak. Gq-coupled receptors (M1, alpha1, 5-HT2) close it.
    """

    name = "kleak"
    ion = "k"
    source = _K2P
    default_parameters = (
        parameter("g", 0 * msiemens / cm**2, "off unless a cell type sets it (see module)",
                  "potassium leak conductance density", bounds=(0 * siemens / meter**2, None)),
        parameter("E", -90 * mV, "assumed: a typical neuronal E_K", "potassium reversal potential"),
    )
