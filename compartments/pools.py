"""Ion pools: intracellular concentrations driven by the segment's currents.

`CalciumPool` is the submembrane shell of Hay et al. 2011 (``CaDynamics_E2``;
after Destexhe et al. 1994): the calcium entering through every calcium
channel of the segment (their summed current ``I_ca``, inward positive) is
diluted in a shell of depth ``depth``, of which a fraction ``gamma`` stays
free (the rest is buffered instantly), and is removed toward ``ca_min`` with
time constant ``decay``::

    d ca_i / dt = gamma * I_ca / (2 F depth) - (ca_i - ca_min) / decay

It shares ``ca_i`` (and the constant extracellular ``ca_o``) with the
segment's mechanisms as ``ca_i_<segment>``, ``ca_o_<segment>``.
"""

from types import MappingProxyType

from brian2 import amp, meter, mM, ms, um

from .mechanism import Mechanism, RegistryView, parameter

__all__ = ["CalciumPool", "Pool", "POOLS"]

_HAY = ("Hay et al. 2011 PLoS Comput Biol 7:e1002107, CaDynamics_E2 "
        "(ModelDB 139653; defaults of the mechanism)")


class Pool(Mechanism):
    """Base class of ion pools: ``ion`` names the current sum they read (``I_<ion>``)."""

    kind = "pool"
    ion = None


class CalciumPool(Pool):
    """Submembrane calcium shell with buffering and first-order removal.

    Parameters
    ----------
    depth : `Quantity`
        Shell depth (metre), default 0.1 µm.
    gamma : float
        Fraction of entering calcium that stays free, default 0.05.
    decay : `Quantity`
        Removal time constant (second), default 80 ms.
    ca_min : `Quantity`
        Resting free concentration (mmolar), default 1e-4 mM.
    ca_o : `Quantity`
        Extracellular concentration (mmolar), default 2 mM.
    """

    name = "cad"
    ion = "ca"
    requires = MappingProxyType({"I_ca": amp / meter**2})
    shares = ("ca_i", "ca_o")
    source = _HAY
    default_parameters = (
        parameter("depth", 0.1 * um, _HAY, "depth of the submembrane shell",
                  bounds=(1e-3 * um, None)),
        parameter("gamma", 0.05, _HAY, "fraction of calcium left free (not buffered)",
                  bounds=(0.0, 1.0)),
        parameter("decay", 80 * ms, _HAY, "removal time constant", bounds=(1e-3 * ms, None)),
        parameter("ca_min", 1e-4 * mM, _HAY, "resting free calcium concentration",
                  bounds=(0 * mM, None)),
        parameter("ca_o", 2 * mM, "NEURON default cao (2 mM)",
                  "extracellular calcium concentration", bounds=(0 * mM, None)),
    )

    def initial_guess(self):
        """Start the rest solve at the resting concentration (finite Nernst potentials)."""
        return {"ca_i": self.value("ca_min")}

    def _equations(self):
        return """
        dca_i/dt = gamma*I_ca/(2*faraday*depth) - (ca_i - ca_min)/decay : mmolar
        """


POOLS = RegistryView(lambda cls: issubclass(cls, Pool))
