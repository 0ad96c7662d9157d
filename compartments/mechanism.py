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

Registry
--------
Every concrete mechanism class (one with a ``name``) enters `REGISTRY`, by
class name, when it is defined; templates are serialised with that name.
A second class may not take a class name or a mechanism name already taken
(``channels.define(..., class_name="KLeak")`` is refused, it would replace
the built-in for every later load). Redefining the *same* class — same module
and qualified name, as when a notebook cell or a module is run again —
replaces it. Classes defined inside a function are not registered.
"""

import difflib
from collections.abc import Mapping
from types import MappingProxyType

from brian2 import Equations, kelvin, meter, volt

from .codegen_cache import parsed_equations
from .parameters import Parameter

__all__ = ["Mechanism", "parameter", "ENGINE_PROVIDED", "REGISTRY", "RegistryView",
           "mechanism_class", "unregister"]

# Requirements the engine satisfies for every segment (besides pools' shared names and I_<ion>)
ENGINE_PROVIDED = MappingProxyType({"v": volt, "area": meter**2, "T": kelvin})
_REGISTRY = {}
REGISTRY = MappingProxyType(_REGISTRY)  # class name -> mechanism class (read-only view)


def _register(cls):
    """Enter a concrete mechanism class in `REGISTRY`, refusing to overwrite another."""
    if cls.__dict__.get("name") is None or "<locals>" in cls.__qualname__:
        return
    origin = f"{cls.__module__}.{cls.__qualname__}"
    for other in _REGISTRY.values():
        if f"{other.__module__}.{other.__qualname__}" == origin:
            continue  # the same class defined again (module reloaded, notebook cell re-run)
        if other.__name__ == cls.__name__ or other.name == cls.name:
            what = "class" if other.__name__ == cls.__name__ else "mechanism"
            raise ValueError(
                f"Cannot register the mechanism class {origin} (mechanism name {cls.name!r}): "
                f"{other.__module__}.{other.__qualname__} (mechanism name {other.name!r}) "
                f"already uses that {what} name. Choose another: class names identify "
                f"mechanisms in saved templates, mechanism names in variable names.")
    for key in [k for k, v in _REGISTRY.items() if f"{v.__module__}.{v.__qualname__}" == origin]:
        del _REGISTRY[key]
    _REGISTRY[cls.__name__] = cls


def unregister(cls):
    """Remove ``cls`` from `REGISTRY` (a class whose definition failed its checks)."""
    for key in [k for k, v in _REGISTRY.items() if v is cls]:
        del _REGISTRY[key]


class RegistryView(Mapping):
    """A live, read-only part of `REGISTRY`: the classes for which ``keep(cls)`` is true."""

    def __init__(self, keep):
        self._keep = keep

    def _items(self):
        return {k: v for k, v in _REGISTRY.items() if self._keep(v)}

    def __getitem__(self, key):
        return self._items()[key]

    def __iter__(self):
        return iter(self._items())

    def __len__(self):
        return len(self._items())

    def __repr__(self):
        return f"{type(self).__name__}({sorted(self._items())})"


def mechanism_class(type_name, where="a template"):
    """The registered mechanism class called ``type_name`` (e.g. ``"HHNa"``)."""
    cls = _REGISTRY.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        close = difflib.get_close_matches(str(type_name), list(_REGISTRY), n=3)
        raise ValueError(f"Unknown mechanism type {type_name!r} in {where}; close matches: "
                         f"{close}. Known: {sorted(_REGISTRY)} (a mechanism of your own is "
                         f"known once the module defining it is imported).")
    return cls


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

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

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
        key = tuple(sorted((substitutions or {}).items()))
        cache = self.__dict__.setdefault("_equations_cache", {})  # immutable: built once
        if key not in cache:
            lines = [f"{p.name} : {p.unit} (constant)".replace("dimensionless", "1")
                     for p in self._parameters.values()]
            lines += [f"{name} : 1 (constant)" for name in self.extra_constants(0.0)]
            cache[key] = (parsed_equations(self._equations(), dict(key))
                          + parsed_equations("\n".join(lines)))
        return cache[key]

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
        if "_hash" not in self.__dict__:  # immutable: computed once
            self.__dict__["_hash"] = hash((type(self).__name__, tuple(sorted(
                (k, repr(v)) for k, v in self._overrides.items()))))
        return self.__dict__["_hash"]

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._overrides.items())
        return f"{type(self).__name__}({args})"
