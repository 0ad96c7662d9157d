"""Parameters with units, bounds and sources.

Every number the toolkit uses is a frozen `Parameter`: a value with units, an
optional closed interval of admissible values and the source it came from.
"""

from dataclasses import dataclass, replace

import numpy as np
from brian2 import DimensionMismatchError, Quantity, get_dimensions

from .validation import unit_name

__all__ = ["Parameter"]


@dataclass(frozen=True)
class Parameter:
    """A named value with units, admissible bounds and a source.

    Parameters
    ----------
    name : str
        Local name used in the mechanism's equations (e.g. ``gbar``).
    value : `Quantity`
        The default value, with units (e.g. ``120*msiemens/cm**2``).
    source : str
        Where the value comes from: paper with figure/table, or a public model
        file. A value fitted or assumed here says so.
    bounds : tuple of `Quantity`, optional
        Closed interval ``(low, high)``; ``None`` on either side is unbounded.
    description : str
        What the parameter means, for tables and error messages.
    """

    name: str
    value: Quantity
    source: str
    bounds: tuple = (None, None)
    description: str = ""

    def __post_init__(self):
        if not self.source:
            raise ValueError(f"Parameter '{self.name}' has no source.")

    @property
    def unit(self):
        """The SI unit of the parameter, as a string."""
        return unit_name(self.value)

    def with_value(self, value, owner):
        """Return a copy holding ``value`` after checking units and bounds.

        The source becomes "set by the user" because the number is no longer
        the published one.
        """
        if get_dimensions(value) is not get_dimensions(self.value) or (
            not isinstance(value, Quantity) and not get_dimensions(self.value).is_dimensionless
        ):
            raise DimensionMismatchError(
                f"The '{self.name}' parameter of {owner} must be in units of "
                f"{self.unit}. Got {value!r} instead."
            )
        if np.ndim(value) or not np.isfinite(float(np.asarray(value))):
            raise ValueError(
                f"The '{self.name}' parameter of {owner} must be a single finite value in "
                f"units of {self.unit}. Got {value!r} instead."
            )
        low, high = self.bounds
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(
                f"The '{self.name}' parameter of {owner} must lie in "
                f"[{low!r}, {high!r}]. Got {value!r} instead."
            )
        return replace(self, value=Quantity(value), source="set by the user")
