"""The mechanism contract: what every ion channel declares and returns.

A channel is an immutable object. It declares

- ``name``: short lower-case mechanism name used in variable names (``hhna``);
- ``ion``: the ion it carries (``"na"``, ``"k"``, ``"ca"``) or ``None``;
- ``requires``: local names it reads from the compartment, with units
  (every channel reads ``v``);
- ``current``: the local name of the current density it exposes, positive
  when it flows *into* the cell (depolarising), in amp/meter**2 — the
  convention of Brian2's ``SpatialNeuron`` (``Im``), opposite to NEURON's;
- ``parameters``: `Parameter` objects (value, unit, bounds, source);
- ``reference_temperature`` and ``q10`` of its rates;
- ``equations()``: Brian2 `Equations` in local names.

The engine renames the local names (``m`` -> ``m_hhna_soma``, ``v`` ->
``v_soma``) with `Equations.substitute` and adds the current to the
compartment's registry of membrane currents. Every parameter becomes a
per-neuron ``(constant)`` variable; the temperature factor of the rates
becomes the per-neuron constant ``phi`` = q10 ** ((celsius - T_ref) / 10).
"""

from types import MappingProxyType

from brian2 import Equations, amp, meter, volt

from ..parameters import Parameter

__all__ = ["Channel"]

CURRENT_DENSITY = amp / meter**2


class Channel:
    """Base class of ion-channel mechanisms.

    Subclasses set the class attributes below and implement `_equations`.
    Parameter values are overridden with keyword arguments, checked for units
    and bounds:

    >>> from brian2 import msiemens, cm
    >>> from compartments import channels
    >>> float(channels.HHNa(gbar=100*msiemens/cm**2).value("gbar") / (msiemens/cm**2))
    100.0
    """

    name = None
    ion = None
    requires = MappingProxyType({"v": volt})
    current = "I"
    reference_temperature = None  # degrees Celsius, None: no temperature dependence
    q10 = None
    source = None
    default_parameters = ()

    def __init__(self, **values):
        params = {p.name: p for p in self.default_parameters}
        owner = f"channel {type(self).__name__}"
        for key, value in values.items():
            if key not in params:
                raise TypeError(
                    f"Unknown parameter '{key}' of {owner}; known parameters: "
                    f"{sorted(params)}."
                )
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

    def temperature_factor(self, celsius):
        """Return the rate factor q10 ** ((celsius - T_ref) / 10) (1 if no q10)."""
        if self.q10 is None:
            return 1.0
        return float(self.q10 ** ((celsius - self.reference_temperature) / 10.0))

    @property
    def uses_temperature(self):
        """Whether the rates carry the per-neuron factor ``phi``."""
        return self.q10 is not None

    def equations(self):
        """Return the mechanism's `Equations` in local names, parameters included."""
        eqs = Equations(self._equations())
        for p in self._parameters.values():
            eqs += Equations(f"{p.name} : {p.unit} (constant)".replace("dimensionless", "1"))
        if self.uses_temperature:
            eqs += Equations("phi : 1 (constant)")
        return eqs

    def _equations(self):
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and dict(self._overrides) == dict(other._overrides)

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted((k, repr(v)) for k, v in self._overrides.items()))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._overrides.items())
        return f"{type(self).__name__}({args})"


def parameter(name, value, source, description="", bounds=(None, None)):
    """Shorthand to declare a channel parameter."""
    return Parameter(name=name, value=value, source=source, bounds=bounds, description=description)
