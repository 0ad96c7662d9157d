"""Physical constants available to every template's equations (Brian2 namespace).

Only physical constants live in the namespace; everything a user may vary is
a per-neuron variable (STYLE.md section 5).
"""

from brian2.units.constants import faraday_constant, gas_constant

__all__ = ["PHYSICAL_CONSTANTS"]

PHYSICAL_CONSTANTS = {"faraday": faraday_constant, "gas_constant": gas_constant}
