"""The ion-channel contract (see `compartments.mechanism` for what all mechanisms share).

A channel additionally declares

- ``ion``: the ion it carries (``"na"``, ``"k"``, ``"ca"``, ``"h"`` for mixed
  cation currents) or ``None``; currents of ion X are also summed into
  ``I_X_<segment>`` for pools that need them (a calcium channel needs a
  calcium pool in its compartment);
- ``current``: the local name of the current density it exposes, positive
  when it flows *into* the cell (depolarising), in amp/meter**2 — the
  convention of Brian2's ``SpatialNeuron`` (``Im``), opposite to NEURON's;
- ``reference_temperature`` and ``q10`` of its rates: the engine sets the
  per-neuron constant ``phi`` = q10 ** ((celsius - T_ref) / 10), which the
  rate equations multiply; optionally ``q10_conductance`` and ``phi_g`` for
  the conductance;
- ``spine_scaled``: names of conductance parameters multiplied by the
  compartment's ``spine_factor`` (the leak's ``g``, as Hay et al. 2011 do);
- ``partial_currents``: for a mixed current, ``{ion: local name}`` of the
  part carried by another ion (NMDA's calcium fraction); it is summed into
  ``I_<ion>`` for that ion's pool but not again into the membrane current.
"""

from ..mechanism import Mechanism, parameter

__all__ = ["Channel", "parameter"]


class Channel(Mechanism):
    """Base class of ion-channel mechanisms.

    >>> from brian2 import msiemens, cm
    >>> from compartments import channels
    >>> float(channels.HHNa(gbar=100*msiemens/cm**2).value("gbar") / (msiemens/cm**2))
    100.0
    """

    kind = "channel"
    ion = None
    current = "I"
    reference_temperature = None  # degrees Celsius; None: no temperature dependence
    q10 = None
    q10_conductance = None
    spine_scaled = ()
    partial_currents = {}

    def temperature_factor(self, celsius, q10=None):
        """Return q10 ** ((celsius - T_ref) / 10) for the rates (1 without a q10)."""
        q10 = self.q10 if q10 is None else q10
        if q10 is None:
            return 1.0
        return float(q10 ** ((celsius - self.reference_temperature) / 10.0))

    @property
    def uses_temperature(self):
        """Whether the rates carry the per-neuron factor ``phi``."""
        return self.q10 is not None

    def extra_constants(self, celsius):
        """``phi`` (rates) and ``phi_g`` (conductance) for the template's temperature."""
        out = {}
        if self.q10 is not None:
            out["phi"] = self.temperature_factor(celsius)
        if self.q10_conductance is not None:
            out["phi_g"] = self.temperature_factor(celsius, self.q10_conductance)
        return out
