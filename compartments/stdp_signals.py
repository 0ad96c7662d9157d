"""Modulator signals a plasticity rule reads: pool levels, receptor occupancy, effector state.

A signal is a dimensionless number per synapse, computed where the synapse's
code needs it (at a spike, or once per step for clock-driven conversion),
from the same modulator pools and receptors that act on excitability
(`compartments.neuromodulation`):

- `Level` (synapse-local): the pool concentration over a scale,
  ``c_M / scale`` — linear in the concentration (Izhikevich 2007's dopamine
  ``d``; NEST's ``n``).
- `Occupancy` (synapse-local): the receptor's Hill occupancy of the pool
  concentration, ``(c/EC50)^n / (1 + (c/EC50)^n)`` with EC50 and Hill
  coefficient from the receptor table (``data/receptors.csv``): dose
  dependence. With ``expression=True`` it is multiplied by the
  post-synaptic neuron's expression of the receptor (``x_R``), so one rule
  acts per post-synaptic type.
- `Effector` (post-synaptic): the post-synaptic neuron's effector state times
  its expression, ``e_R * x_R`` — the very variables that scale its channels,
  with the receptor's on/off kinetics. The post group must model the
  receptor (``make_group(..., modulators=..., receptors=(R,))``).

Synapse-local signals read the pool through linked variables (``c_DA :
mmolar (linked)``, indexed per synapse by ``pool_index_plasticity``);
post-synaptic ones through Brian2's ``_post`` references. Both work in
runtime and cpp_standalone. The value at a spike is the one at the end of
the spike's time step (pools update in the ``groups`` slot, synapses act in
``synapses``).
"""

import re
import warnings

import numpy as np
from brian2 import Quantity, molar, uM

from .neuromodulation.expression import expressing_types
from .neuromodulation.pools import MODULATORS, check_modulators
from .neuromodulation.receptors import occupancy, receptor
from .validation import check_positive, check_quantity

__all__ = ["Level", "Occupancy", "Effector", "SIGNAL_NAME", "check_signal_name",
           "UnexpressedReceptorWarning"]

SIGNAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


class UnexpressedReceptorWarning(UserWarning):
    """A rule reads a receptor the post-synaptic cell type does not express."""


def check_signal_name(name, owner):
    """Signal names are letters and digits (they appear in variable names)."""
    if not isinstance(name, str) or not SIGNAL_NAME.match(name):
        raise ValueError(f"The signal names of {owner} must be letters and digits, starting "
                         f"with a letter (they become parts of variable names). Got {name!r}.")
    return name


class _PoolSignal:
    """Common part of the signals read from a modulator pool at the synapse."""

    post_synaptic = False

    @property
    def pool_variable(self):
        """The pool variable read (``c_DA``)."""
        return f"c_{MODULATORS[self.modulator]}"

    def model(self, name):
        """Synapse model lines for signal ``name`` (without the shared ``c_M`` link)."""
        raise NotImplementedError

    def expression(self, name):
        raise NotImplementedError

    def configure(self, synapses, name):
        raise NotImplementedError


class Level(_PoolSignal):
    """``c_M / scale``: a modulator's pool concentration, linear (no receptor saturation).

    Parameters
    ----------
    modulator : {'DA', 'ACh', '5HT', 'NE'}
    scale : `Quantity`
        Concentration (molar) at which the signal is 1, default ``1*uM``.

    Examples
    --------
    >>> from brian2 import uM, nM
    >>> Level("DA", scale=1*uM).value(500*nM)
    0.5
    """

    def __init__(self, modulator, scale=1 * uM):
        (self.modulator,) = check_modulators((modulator,), "Level")
        self.scale = check_positive(check_quantity(scale, molar, "scale", "Level",
                                                   "a concentration, e.g. 1*uM"), "scale", "Level")

    def model(self, name):
        return f"scale_{name} : mmolar (constant)\n"

    def expression(self, name):
        return f"{self.pool_variable}/scale_{name}"

    def configure(self, synapses, name):
        setattr(synapses, f"scale_{name}", self.scale)

    def value(self, concentration):
        """The signal for a concentration (molar `Quantity`, scalar or array)."""
        c = check_quantity(concentration, molar, "concentration", "Level.value")
        return float(c / self.scale) if np.ndim(c) == 0 else np.asarray(c / self.scale)

    def __repr__(self):
        return f"Level({self.modulator!r}, scale={self.scale!r})"


class Occupancy(_PoolSignal):
    """The Hill occupancy of a receptor by its ligand's pool concentration.

    Parameters
    ----------
    receptor_name : str
        A receptor of `compartments.neuromodulation.RECEPTORS` (``"D1"``,
        ``"b-AR"``, ``"M1"``, ``"5-HT2C"``, ...): its ligand, EC50 and Hill
        coefficient.
    expression : bool
        Multiply by the post-synaptic neuron's expression ``x_R`` (the post
        group must model the receptor); default False (every synapse reads the
        occupancy, e.g. receptors on the spine whatever the cell's somatic
        expression table says).
    ec50 : `Quantity`, optional
        Overrides the table's EC50 (molar).

    Examples
    --------
    >>> from brian2 import nM
    >>> occ = Occupancy("D1")                     # EC50 1 uM, Hill 1 (data/receptors.csv)
    >>> round(occ.value(1000*nM), 6)
    0.5
    """

    def __init__(self, receptor_name, expression=False, ec50=None):
        self.receptor = receptor(receptor_name)
        self.modulator = self.receptor.ligand
        self.expression_scaled = bool(expression)
        self.post_synaptic = self.expression_scaled
        self.ec50 = self.receptor.ec50 if ec50 is None else check_positive(
            check_quantity(ec50, molar, "ec50", "Occupancy", "a concentration"), "ec50",
            "Occupancy")

    def model(self, name):
        return f"ec50_{name} : mmolar (constant)\nhill_{name} : 1 (constant)\n"

    def expression(self, name, expression_variable=None):
        occ = occupancy(self.pool_variable, f"ec50_{name}", f"hill_{name}")
        return f"({occ})*{expression_variable}" if expression_variable else f"({occ})"

    def configure(self, synapses, name):
        setattr(synapses, f"ec50_{name}", self.ec50)
        setattr(synapses, f"hill_{name}", self.receptor.hill)

    def value(self, concentration):
        """Occupancy for a concentration (molar), without the expression factor."""
        c = check_quantity(concentration, molar, "concentration", "Occupancy.value")
        ratio = np.asarray(c / self.ec50, dtype=float) ** self.receptor.hill
        out = ratio / (1 + ratio)
        return float(out) if np.ndim(out) == 0 else out

    def __repr__(self):
        return (f"Occupancy({self.receptor.name!r}, expression={self.expression_scaled}, "
                f"ec50={self.ec50!r})")


class Effector:
    """The post-synaptic neuron's effector state of a receptor times its expression.

    ``e_R * x_R`` of the post-synaptic neuron (``e_R`` follows the occupancy
    with the receptor's tau_on/tau_off). The expression level is the one of
    the compartment named by ``compartment``; by default the synapse's own
    compartment if the type lists the receptor there, else the first
    compartment it is listed in (second messengers act cell-wide here).
    """

    post_synaptic = True

    def __init__(self, receptor_name, compartment=None):
        self.receptor = receptor(receptor_name)
        if self.receptor.ionotropic:
            raise ValueError(f"Effector: receptor {receptor_name!r} is ionotropic (a "
                             f"conductance, no effector state); use Occupancy instead.")
        self.modulator = self.receptor.ligand
        self.compartment = compartment

    def model(self, name):
        return ""

    def expression(self, name, expression_variable=None):
        return f"e_{self.receptor.key}_post*{expression_variable}"

    def configure(self, synapses, name):
        pass

    def value(self, effector, expression=1.0):
        """``effector * expression`` (both dimensionless)."""
        return effector * expression

    def __repr__(self):
        return f"Effector({self.receptor.name!r}, compartment={self.compartment!r})"


def expression_variable(signal, target, template, compartment, owner):
    """The post-synaptic variable (``x_D1_soma_post``) giving ``signal``'s expression on
    ``target``, or ``None`` when the type does not express the receptor (after a warning
    naming the types that do). Raises if the type expresses it but the group does not
    model it."""
    rec = signal.receptor
    name = f"'{template.name}'" if template is not None else repr(target.name)
    rows = [] if template is None or template.expression is None else [
        (c, f) for c, f, level in template.expression.rows(rec.name) if f > 0 and level > 0]
    if template is None:
        raise TypeError(f"{owner}: {signal!r} reads the post-synaptic neuron's receptor "
                        f"state, but the target {target.name!r} is not a template group; use "
                        f"a synapse-local signal (Occupancy, Level) at rule level.")
    if not rows:
        types = expressing_types(rec.name)
        listed = ", ".join(f"{t} ({', '.join(c)})" for t, c in sorted(types.items())) or "none"
        warnings.warn(f"{owner}: the post-synaptic type {name} does not express {rec.name} "
                      f"(no row in its receptor expression table), so {signal!r} is 0 on "
                      f"these synapses and the rule acts as if no {rec.ligand} were there. "
                      f"Types expressing {rec.name}: {listed}.", UnexpressedReceptorWarning,
                      stacklevel=4)
        return None
    listed = [c for c, _ in rows]
    wanted = getattr(signal, "compartment", None)
    if wanted is not None and wanted not in listed:
        raise ValueError(f"{owner}: {signal!r} asks for compartment {wanted!r}, but "
                         f"{name} lists {rec.name} only in {listed}.")
    comp = wanted or (compartment if compartment in listed else listed[0])
    variable = f"x_{rec.key}_{comp}"
    if variable not in target.variables or f"e_{rec.key}" not in target.variables:
        raise ValueError(f"{owner}: {name} expresses {rec.name} but the group "
                         f"{target.name!r} does not model it; make it with "
                         f"make_group(..., modulators=({rec.ligand!r}, ...), pool=..., "
                         f"receptors=({rec.name!r},)).")
    return f"{variable}_post"


def signal_units_ok(value):
    """Whether ``value`` is a molar quantity (for error messages of protocols)."""
    return isinstance(value, Quantity) and value.dim == molar.dim
