"""Quantities as plain data: ``{"value": SI float, "unit": SI unit}``.

A float's ``repr`` round-trips exactly, so a quantity written with
`quantity_to_data` and read with `quantity_from_data` is the same quantity.
This module imports nothing of the engine: templates, compartments and
files all use it.
"""

import numbers

import numpy as np
from brian2 import Quantity
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.fundamentalunits import get_unit

__all__ = ["quantity_to_data", "quantity_from_data"]


def quantity_to_data(q):
    """``{"value": SI float, "unit": SI unit}`` for a quantity (or a float)."""
    q = Quantity(q)
    return {"value": float(np.asarray(q)), "unit": repr(get_unit(q.dim))}


def quantity_from_data(d, where="a quantity"):
    """Inverse of `quantity_to_data`; ``where`` names the entry in error messages."""
    if not isinstance(d, dict) or set(d) != {"value", "unit"}:
        raise ValueError(f"{where} must be a dict {{'value': number, 'unit': unit name}}. "
                         f"Got {d!r} instead.")
    value = d["value"]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"The 'value' of {where} must be a number. Got {value!r} instead.")
    unit = d["unit"]
    try:
        if not isinstance(unit, str):
            raise TypeError(unit)
        unit = eval(unit, {"__builtins__": {}}, dict(DEFAULT_UNITS))  # noqa: S307
        dim = Quantity(unit).dim
    except Exception as ex:
        raise ValueError(f"The 'unit' of {where} must be a Brian2 unit expression such as "
                         f"'metre' or 'siemens / metre ** 2'. Got {d['unit']!r} "
                         f"instead.") from ex
    return Quantity(float(value), dim=dim)
