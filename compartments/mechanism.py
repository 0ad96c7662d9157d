"""The mechanism contract shared by ion channels and ion pools.

A mechanism is an immutable object. It declares

- ``name``: short lower-case name used in variable names (``hhna``, ``cad``);
- ``requires``: local names it reads, with units. The engine provides
  ``v`` (the segment's voltage), ``area`` (the segment's membrane area),
  ``T`` (the template's temperature, kelvin),
  ``I_<ion>`` (the sum of the segment's currents carried by that ion, inward
  positive, amp/meter**2) and whatever the segment's pools share (``ca_i``);
- ``shares``: local names other mechanisms of the segment may read (a pool's
  ``ca_i``); they are renamed ``<name>_<segment>``;
- ``parameters``: `Parameter` objects (value, unit, bounds, source);
- ``equations()``: Brian2 `Equations` in local names.

The engine renames every other local name ``<name>_<mechanism>_<segment>``
with `Equations.substitute`; every parameter becomes a per-neuron
``(constant)`` variable.
"""

from types import MappingProxyType

from brian2 import Equations, kelvin, meter, volt

from .parameters import Parameter

__all__ = ["Mechanism", "parameter", "ENGINE_PROVIDED"]

# Requirements the engine satisfies for every segment (besides pools' shared names and I_<ion>)
ENGINE_PROVIDED = MappingProxyType({"v": volt, "area": meter**2, "T": kelvin})


def parameter(name, value, source, description="", bounds=(None, None)):
    """Shorthand to declare a mechanism parameter."""
    return Parameter(name=name, value=value, source=source, bounds=bounds,
                     description=description)


class Mechanism:
    """Base class of channels and pools: parameters with units, bounds and sources.

    Parameter values are overridden with keyword arguments, checked for units
    and bounds. Subclasses set the class attributes and implement `_equations`.
    """

    kind = "mechanism"
    name = None
    requires = MappingProxyType({"v": volt})
    shares = ()
    source = None
    default_parameters = ()

    def __init__(self, **values):
        params = {p.name: p for p in self.default_parameters}
        owner = f"{self.kind} {type(self).__name__}"
        for key, value in values.items():
            if key not in params:
                raise TypeError(
                    f"Unknown parameter '{key}' of {owner}; known parameters: "
                    f"{sorted(params)}.")
            params[key] = params[key].with_value(value, owner)
        self._parameters = MappingProxyType(params)
        self._overrides = MappingProxyType(dict(values))

    @property
    def parameters(self):
        """Mapping from local name to `Parameter` (read-only)."""
        return self._parameters

    @property
    def overrides(self):
        """The values given to the constructor (for serialisation)."""
        return self._overrides

    def value(self, name):
        """Return the value (`Quantity`) of parameter ``name``."""
        return self._parameters[name].value

    def initial_guess(self):
        """Starting values of states for the resting-state solve (local name -> Quantity)."""
        return {}

    def extra_constants(self, celsius):
        """Per-neuron constants derived from the template (name -> float), e.g. ``phi``."""
        return {}

    def equations(self, substitutions=None):
        """Return the mechanism's `Equations` in local names, parameters included.

        ``substitutions`` maps a parameter to an expression replacing it in the
        equations (not in its declaration), e.g. ``{"gbar": "(gbar*mod_gbar)"}``
        for neuromodulation.
        """
        eqs = Equations(self._equations(), **dict(substitutions or {}))
        for p in self._parameters.values():
            eqs += Equations(f"{p.name} : {p.unit} (constant)".replace("dimensionless", "1"))
        for name in self.extra_constants(0.0):
            eqs += Equations(f"{name} : 1 (constant)")
        return eqs

    def _equations(self):
        raise NotImplementedError

    def check_units(self):
        """Raise ``DimensionMismatchError`` if an equation's units are inconsistent.

        Every expression's dimensions are derived from the parameters, the
        required inputs, the declared units of states and subexpressions, the
        physical constants and Brian2's units and functions.
        """
        from brian2 import DimensionMismatchError, Quantity, second
        from brian2.core.functions import DEFAULT_CONSTANTS, DEFAULT_FUNCTIONS
        from brian2.core.namespace import DEFAULT_UNITS
        from brian2.equations.equations import DIFFERENTIAL_EQUATION
        from brian2.parsing.expressions import parse_expression_dimensions

        from .constants import PHYSICAL_CONSTANTS

        eqs = self.equations()
        known = {**DEFAULT_UNITS, **DEFAULT_FUNCTIONS, **DEFAULT_CONSTANTS, **PHYSICAL_CONSTANTS,
                 **{k: Quantity(1, dim=getattr(u, "dim", None)) for k, u in self.requires.items()},
                 **{eq.varname: Quantity(1, dim=eq.dim) for eq in eqs.ordered}}
        for eq in eqs.ordered:
            if eq.expr is None:
                continue
            expected = eq.dim / second.dim if eq.type == DIFFERENTIAL_EQUATION else eq.dim
            try:
                found = parse_expression_dimensions(eq.expr.code, known)
            except (KeyError, SyntaxError) as ex:
                raise ValueError(f"In {self.kind} {type(self).__name__}, the expression for "
                                 f"'{eq.varname}' refers to an unknown name: {ex}") from ex
            if found is not expected:
                raise DimensionMismatchError(
                    f"Inconsistent units in {self.kind} {type(self).__name__}: the expression "
                    f"for '{eq.varname}' has units {Quantity(1, dim=found).dim} but "
                    f"{Quantity(1, dim=expected).dim} are expected.")

    def __eq__(self, other):
        return type(self) is type(other) and dict(self._overrides) == dict(other._overrides)

    def __hash__(self):
        return hash((type(self).__name__,
                     tuple(sorted((k, repr(v)) for k, v in self._overrides.items()))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._overrides.items())
        return f"{type(self).__name__}({args})"
