"""User-defined channels: a Brian2 equation string plus parameters with units and sources.

`define` returns a new `Channel` subclass, composed exactly like the built-ins
(same renaming, same per-neuron parameters, same contract tests) and
registered in ``channels.registry`` so templates that use it serialise::

    >>> from brian2 import mV, msiemens, cm
    >>> from compartments import channels
    >>> CatLeak = channels.define(
    ...     "catleak", "I = g*(E - v) : amp/meter**2",
    ...     parameters={"g": (0.02*msiemens/cm**2, "assumed here"),
    ...                 "E": (0*mV, "assumed here")},
    ...     source="a non-selective cation leak, for illustration", class_name="CatLeak")
    >>> CatLeak(g=0.01*msiemens/cm**2)
    CatLeak(g=0.1 * siemens / (meter ** 2))

Names are unique: defining ``"KLeak"`` (or the mechanism name ``"kleak"``)
again is refused, because the built-in `KLeak` has it; calling `define`
again with the same definition returns the class already made.
"""

from types import MappingProxyType

from brian2 import Equations, Quantity, amp, get_dimensions, meter, volt

from ..mechanism import REGISTRY, unregister
from ..parameters import Parameter
from ..validation import check_name
from .base import Channel

__all__ = ["define"]


def _parameter(name, spec, owner):
    if isinstance(spec, Parameter):
        return spec
    if not isinstance(spec, tuple) or len(spec) not in (2, 3):
        raise TypeError(f"Parameter '{name}' of {owner} must be (value, source) or "
                        f"(value, source, (low, high)). Got {spec!r} instead.")
    value, source = spec[:2]
    bounds = spec[2] if len(spec) == 3 else (None, None)
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"Parameter '{name}' of {owner} needs a source (paper and figure/table, "
                         f"a public model file, or 'assumed here'). Got {source!r} instead.")
    return Parameter(name=name, value=Quantity(value), source=source, bounds=bounds)


def define(name, equations, parameters, source, ion=None, requires=None, current="I",
           reference_temperature=None, q10=None, class_name=None):
    """Create a channel class from a Brian2 equation string.

    Parameters
    ----------
    name : str
        Mechanism name used in variable names (``kleak`` -> ``g_kleak_soma``).
    equations : str
        Brian2 equations in local names (``v``, gates, the current), without
        the parameters; rates multiplied by ``phi`` if ``q10`` is given.
    parameters : dict
        Local name -> ``(value, source)`` or ``(value, source, (low, high))``,
        values with units.
    source : str
        Where the model comes from.
    ion : str, optional
        Ion carried (``"na"``, ``"k"``, ``"ca"``, ``"h"``) or None.
    requires : dict, optional
        Local names read from the compartment with their units (default ``{"v": volt}``).
    current : str
        Local name of the exposed current density (amp/meter**2, inward positive).
    reference_temperature, q10 : float, optional
        Temperature (°C) of the rates and their Q10.
    class_name : str, optional
        Name of the class (default: ``name`` capitalised).
    """
    check_name(name, "channel")
    class_name = class_name or name.capitalize()
    if not class_name.isidentifier():
        raise ValueError(f"The 'class_name' parameter of define must be a Python identifier. "
                         f"Got {class_name!r} instead.")
    owner = f"channel {class_name}"
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{owner} needs a source. Got {source!r} instead.")
    if (q10 is None) != (reference_temperature is None):
        raise ValueError(f"{owner}: give both 'q10' and 'reference_temperature', or neither.")
    params = tuple(_parameter(k, v, owner) for k, v in parameters.items())
    try:
        eqs = Equations(equations)
    except Exception as ex:
        raise ValueError(f"The equations of {owner} do not parse: {ex}") from ex
    if current not in eqs.names:
        raise ValueError(f"The equations of {owner} must define the current '{current}' "
                         f"(amp/meter**2, inward positive); they define {sorted(eqs.names)}.")
    if get_dimensions(eqs[current].dim) is not get_dimensions(amp / meter**2):
        raise ValueError(f"The current '{current}' of {owner} must be a current density "
                         f"(amp/meter**2). Got units {eqs[current].dim} instead.")
    requires = MappingProxyType(dict(requires or {"v": volt}))
    definition = (name, equations, tuple((p.name, repr(p.value), p.source, repr(p.bounds))
                                         for p in params), source, ion,
                  tuple((k, repr(u)) for k, u in requires.items()), current,
                  reference_temperature, q10)
    existing = REGISTRY.get(class_name)
    if existing is not None and getattr(existing, "_definition", None) == definition:
        return existing  # the same definition again (a notebook cell run twice)
    if existing is not None:
        raise ValueError(f"Cannot define channel class {class_name!r}: "
                         f"{existing.__module__}.{existing.__qualname__} already has that name "
                         f"(with another definition). Give 'class_name' another value.")
    attrs = dict(name=name, ion=ion, current=current, source=source, requires=requires,
                 reference_temperature=reference_temperature, q10=q10,
                 default_parameters=params, __doc__=f"User-defined channel '{name}': {source}",
                 __module__=__name__, _definition=definition,
                 _equations=lambda self: equations)
    cls = type(class_name, (Channel,), attrs)  # registered here (refused if a name is taken)
    try:
        cls().check_units()  # parameters and equations together must parse, consistent units
    except Exception:
        unregister(cls)
        raise
    return cls
