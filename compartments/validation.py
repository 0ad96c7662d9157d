"""Argument checks shared by the engine: units, signs and names.

Every message names the parameter, the owner, the value received and what was
expected, in one wording (see STYLE.md section 8)::

    The 'length' parameter of Compartment 'soma' must be a length (metre).
    Got 20 instead.
"""

import functools
import keyword
import re

from brian2 import DimensionMismatchError, Quantity, get_dimensions
from brian2.units.fundamentalunits import get_unit

__all__ = ["check_quantity", "check_positive", "check_finite_values", "check_name",
           "unit_name"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")


_PREFERRED = ("siemens/meter**2", "amp/meter**2", "farad/meter**2", "ohm*meter", "meter**2",
              "mole/meter**3", "mole/meter**3/second", "1/second", "volt/second",
              "siemens", "farad", "ohm", "amp", "volt", "second", "meter")


def unit_name(unit):
    """Return the SI unit of ``unit``'s dimensions as a string Brian2 can parse.

    Conventional names are preferred (``siemens/meter**2`` rather than the
    base-unit product).
    """
    return _name_of_dimensions(get_dimensions(unit))


@functools.lru_cache(maxsize=None)
def _name_of_dimensions(dim):
    from brian2.core.namespace import DEFAULT_UNITS

    if dim.is_dimensionless:
        return "dimensionless"
    for name in _PREFERRED:
        if get_dimensions(eval(name, {}, DEFAULT_UNITS)) is dim:  # noqa: S307
            return name
    return repr(get_unit(dim))


def check_quantity(value, unit, parameter, owner, kind=None):
    """Return ``value`` as a `Quantity` if it has the dimensions of ``unit``.

    Parameters
    ----------
    value : object
        What the user passed.
    unit : `Unit`
        Expected unit (only its dimensions matter).
    parameter, owner : str
        Names used in the error message.
    kind : str, optional
        A word for the physical quantity ("a length"), for the message.

    Raises
    ------
    DimensionMismatchError
        If ``value`` is not a quantity of the expected dimensions.
    """
    expected = f"{kind} ({unit_name(unit)})" if kind else unit_name(unit)
    wrong = not isinstance(value, Quantity) and not get_dimensions(unit).is_dimensionless
    if wrong or get_dimensions(value) is not get_dimensions(unit):
        raise DimensionMismatchError(
            f"The '{parameter}' parameter of {owner} must be {expected}. "
            f"Got {value!r} instead."
        )
    return Quantity(value)


def check_positive(value, parameter, owner, allow_zero=False):
    """Raise ``ValueError`` unless every element of ``value`` is > 0 (or >= 0)."""
    import numpy as np

    arr = np.asarray(value)
    ok = np.all(arr >= 0) if allow_zero else np.all(arr > 0)
    if not ok or not np.all(np.isfinite(arr)):
        bound = "non-negative" if allow_zero else "positive"
        raise ValueError(
            f"The '{parameter}' parameter of {owner} must be {bound} and finite. "
            f"Got {value!r} instead."
        )
    return value


def check_finite_values(values, owner):
    """Raise ``ValueError`` naming the first variable in ``values`` (name -> array) that holds
    NaN or an infinity, with the neurons concerned: such a value makes the resting-state
    solve and every run meaningless (an infinite conductance used to hang the solver)."""
    import numpy as np

    for name, arr in values.items():
        arr = np.asarray(arr, dtype=float)
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            shown = bad[:5].tolist()
            raise ValueError(
                f"The variable '{name}' of {owner} must be finite. Got "
                f"{arr.flat[bad[0]]!r} for neuron(s) {shown}{' ...' if len(bad) > 5 else ''}.")
    return values


def check_name(name, what):
    """Check that ``name`` can be used as a suffix of Brian2 variable names."""
    if not isinstance(name, str) or not _NAME.match(name) or keyword.iskeyword(name):
        raise ValueError(
            f"The name of a {what} must be a string of letters and digits, "
            f"starting with a letter, with single underscores between parts "
            f"(e.g. 'soma', 'apical_tuft'). Got {name!r} instead."
        )
    return name
