"""Parameter spaces and designs: which per-neuron values a sweep or a fit varies, with units.

A *name* in a space is one of

- a group variable of the template (``"gbar_kv3_soma"``, see ``cell.parameters``):
  values in that variable's unit;
- an `fnmatch` pattern (``"gbar_nata_apical_*"``): every matching variable takes
  the value (one unit for all);
- ``"scale(<pattern>, <pattern>, ...)"``: a dimensionless factor multiplying the
  template value of every matching variable (keeps a gradient along a dendrite;
  ``"scale(area_soma, C_soma)"`` changes the soma's size);
- a modulator (``"DA"``, ``"ACh"``, ``"5HT"``, ``"NE"``): its receptor-site
  concentration (molar), through the template's receptor expression.

A `Design` is a table of candidates (one parameter set per row, SI values). It is
built by `grid` (every combination), `random` (uniform or log-uniform) or
`latin_hypercube` (scipy's ``qmc.LatinHypercube``), each with an explicit
``seed`` and no global random state. Names and units are checked against a
template by `ParameterSpace` before anything runs.

>>> from brian2 import mV
>>> design = grid({"E_leak_soma": [-70, -65] * mV})
>>> len(design), design.names
(2, ('E_leak_soma',))
"""

import fnmatch
import hashlib
import json
import re

import numpy as np
import pandas as pd
from brian2 import DimensionMismatchError, Quantity, get_dimensions, molar, nmolar

from .recording import display_unit
from .validation import unit_name

__all__ = ["Design", "grid", "random", "latin_hypercube", "ParameterSpace", "Axis",
           "column_name", "display", "check_bounds"]

_SCALE = re.compile(r"^scale\((.+)\)$")
_MODULATORS = ("DA", "ACh", "5HT", "NE")


def _quantity(values, name, owner):
    """``values`` as a 1-D float array (SI) and its dimensions."""
    if isinstance(values, Quantity):
        dim = values.dim
    elif isinstance(values, (list, tuple)) and values and all(isinstance(v, Quantity)
                                                              for v in values):
        dim = values[0].dim
        for v in values:
            if v.dim is not dim:
                raise DimensionMismatchError(f"The values of {name!r} in {owner} must all have "
                                             f"one unit. Got {values!r} instead.")
        values = Quantity(values, dim=dim)
    else:
        dim = get_dimensions(1)
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ValueError(f"The values of {name!r} in {owner} must be one-dimensional. Got "
                         f"shape {arr.shape} instead.")
    return arr, dim


def column_name(name, dim):
    """Column of a parameter in result tables: the name with its unit (``E_leak_soma_mV``)."""
    label = display(name, dim)[1]
    return f"{name}_{label}" if label else name


def display(name, dim):
    """(factor from SI, label) used for a parameter's column."""
    if name in _MODULATORS:
        return float(nmolar), "nM"
    unit, label = display_unit(dim)
    return float(unit), label


class Design:
    """Candidates of a sweep: one parameter set per row.

    Parameters
    ----------
    values : dict
        Name -> `Quantity` array (all of one length).
    kind : str
        How the rows were made (``"grid"``, ``"random"``, ``"latin_hypercube"``, ``"given"``).
    seed : int, optional
        The seed they were drawn with.
    """

    def __init__(self, values, kind="given", seed=None):
        if not values:
            raise ValueError("A design needs at least one parameter. Got an empty dict instead.")
        self.kind, self.seed = kind, seed
        self.names = tuple(values)
        self._si, self._dims = {}, {}
        lengths = set()
        for name, v in values.items():
            arr, dim = _quantity(v, name, "the design")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"The values of {name!r} in the design must be finite. Got "
                                 f"{v!r} instead.")
            self._si[name], self._dims[name] = arr, dim
            lengths.add(len(arr))
        if len(lengths) != 1:
            raise ValueError(f"Every parameter of a design needs one value per candidate. Got "
                             f"lengths { {n: len(a) for n, a in self._si.items()} } instead.")
        if lengths == {0}:
            raise ValueError("The design has no candidates (every parameter has 0 values).")

    def __len__(self):
        return len(next(iter(self._si.values())))

    def dim(self, name):
        """Dimensions of parameter ``name``."""
        return self._dims[name]

    def values(self, name):
        """The values of ``name`` as a `Quantity` array."""
        return Quantity(self._si[name], dim=self._dims[name])

    def si(self, rows=slice(None)):
        """SI values of some rows, as a dict name -> float array."""
        return {name: arr[rows] for name, arr in self._si.items()}

    def frame(self, rows=slice(None)):
        """DataFrame of some rows: ``candidate`` and one column per parameter with its unit."""
        index = np.arange(len(self))[rows]
        cols = {"candidate": index}
        for name in self.names:
            factor, _ = display(name, self._dims[name])
            cols[column_name(name, self._dims[name])] = self._si[name][rows] / factor
        return pd.DataFrame(cols)

    def fingerprint(self):
        """SHA-256 (16 hex digits) of the names, units and exact values: a study's identity."""
        data = {"names": list(self.names),
                "units": [unit_name(Quantity(1, dim=self._dims[n])) for n in self.names],
                "values": [self._si[n].tolist() for n in self.names]}
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]

    def __repr__(self):
        return (f"{type(self).__name__}({len(self)} candidates, parameters={list(self.names)}, "
                f"kind={self.kind!r}, seed={self.seed!r})")


def grid(values):
    """Every combination of the given values (the first name varies slowest).

    Parameters
    ----------
    values : dict
        Name -> `Quantity` array of the values to try, e.g.
        ``{"gbar_kv3_soma": [40, 60, 80]*msiemens/cm**2, "DA": [0, 50]*nM}``.
    """
    if not values:
        raise ValueError("grid needs at least one parameter. Got an empty dict instead.")
    axes = {}
    for name, v in values.items():
        arr, dim = _quantity(v, name, "grid")
        if len(arr) == 0:
            raise ValueError(f"The grid of {name!r} is empty: give at least one value.")
        axes[name] = (arr, dim)
    mesh = np.meshgrid(*[a for a, _ in axes.values()], indexing="ij")
    return Design({name: Quantity(m.ravel(), dim=dim)
                   for (name, (_, dim)), m in zip(axes.items(), mesh)}, kind="grid")


def _bounds(bounds, log, owner):
    if not bounds:
        raise ValueError(f"{owner} needs at least one parameter. Got an empty dict instead.")
    unknown = sorted(set(log) - set(bounds))
    if unknown:
        raise ValueError(f"The 'log' parameter of {owner} names {unknown}, which have no "
                         f"bounds; known: {sorted(bounds)}.")
    out = {}
    for name, pair in bounds.items():
        out[name] = check_bounds(name, pair, owner, log=name in log)
    return out


def check_bounds(name, pair, owner, log=False):
    """(low, high, dim) of a ``(low, high)`` pair of quantities, checked."""
    if isinstance(pair, Quantity) and pair.shape == (2,):
        pair = (pair[0], pair[1])
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"The bounds of {name!r} in {owner} must be a pair (low, high). Got "
                         f"{pair!r} instead.")
    low, high = pair
    dl, dh = get_dimensions(low), get_dimensions(high)
    if dl is not dh:
        raise DimensionMismatchError(f"The bounds of {name!r} in {owner} must have one unit. "
                                     f"Got {low!r} and {high!r} instead.")
    lo, hi = float(np.asarray(low)), float(np.asarray(high))
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo >= hi:
        raise ValueError(f"The bounds of {name!r} in {owner} must be finite with low < high. "
                         f"Got ({low!r}, {high!r}) instead.")
    if log and lo <= 0:
        raise ValueError(f"The bounds of {name!r} in {owner} must be positive for a log "
                         f"scale. Got ({low!r}, {high!r}) instead.")
    return lo, hi, dl


def _scaled(unit_cube, bounds, log):
    """Map samples in [0, 1] to the bounds (log-uniform for names in ``log``)."""
    values = {}
    for k, (name, (lo, hi, dim)) in enumerate(bounds.items()):
        u = unit_cube[:, k]
        x = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if name in log else lo + u * (hi - lo)
        values[name] = Quantity(x, dim=dim)
    return values


def random(bounds, n, seed=None, log=()):
    """``n`` candidates drawn independently and uniformly (log-uniformly for ``log``).

    Parameters
    ----------
    bounds : dict
        Name -> ``(low, high)`` quantities.
    n : int
    seed : int, optional
        Seed of ``numpy.random.default_rng``.
    log : sequence of str
        Names sampled on a log scale (positive bounds).
    """
    _check_n(n, "random")
    b = _bounds(bounds, tuple(log), "random")
    u = np.random.default_rng(seed).random((int(n), len(b)))
    return Design(_scaled(u, b, tuple(log)), kind="random", seed=seed)


def latin_hypercube(bounds, n, seed=None, log=()):
    """``n`` candidates of a Latin hypercube (each axis cut into ``n`` strata, one sample
    each; scipy's ``qmc.LatinHypercube``). Arguments as in `random`."""
    from scipy.stats import qmc

    _check_n(n, "latin_hypercube")
    b = _bounds(bounds, tuple(log), "latin_hypercube")
    u = qmc.LatinHypercube(d=len(b), seed=np.random.default_rng(seed)).random(int(n))
    return Design(_scaled(u, b, tuple(log)), kind="latin_hypercube", seed=seed)


def _check_n(n, owner):
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"The 'n' parameter of {owner} must be a positive integer. Got {n!r} "
                         f"instead.")


class Axis:
    """One name of a space resolved against a template: what it sets and in which unit."""

    def __init__(self, name, kind, variables, dim):
        self.name, self.kind, self.variables, self.dim = name, kind, tuple(variables), dim

    def __repr__(self):
        return (f"{type(self).__name__}({self.name!r}, kind={self.kind!r}, "
                f"variables={list(self.variables)[:4]}{' ...' if len(self.variables) > 4 else ''})")


class ParameterSpace:
    """Names of a sweep or fit resolved against a template (see the module docstring).

    Parameters
    ----------
    template : `CellTemplate`
    names : sequence of str
    dims : dict, optional
        Name -> dimensions of the values that will be given (checked against the
        variables' units).

    Raises
    ------
    KeyError
        A name that is no variable, pattern, scale or modulator of the template
        (the message lists close matches).
    DimensionMismatchError
        Values whose unit does not fit the variables they set.
    """

    def __init__(self, template, names, dims=None):
        import difflib

        self.template = template
        params = template.parameters
        self._units = dict(zip(params.variable, params.unit))
        self._defaults = template.initial_values(1)
        variables = list(self._units)
        self.axes = []
        for name in names:
            m = _SCALE.match(name)
            if name in _MODULATORS:
                if template.modulation is None:
                    raise KeyError(f"Parameter {name!r}: template '{template.name}' has no "
                                   f"receptor expression, so no modulator can be varied.")
                axis = Axis(name, "modulator", (), molar.dim)
            else:
                pattern = m.group(1) if m else name
                patterns = [p.strip() for p in pattern.split(",")]
                matched = [v for v in variables
                           if any(fnmatch.fnmatchcase(v, p) for p in patterns)]
                if not matched:
                    close = difflib.get_close_matches(patterns[0], variables, n=4)
                    raise KeyError(f"Unknown parameter {name!r} for template '{template.name}': "
                                   f"it matches no variable; close matches: {close}; see "
                                   f"cell.parameters.variable, 'scale(<pattern>)' or a "
                                   f"modulator {list(_MODULATORS)}.")
                if m:
                    if all(self._defaults[v][0] == 0 for v in matched):
                        raise ValueError(f"Parameter {name!r}: every matched variable is 0 in "
                                         f"the template; a scale factor would change nothing.")
                    axis = Axis(name, "scale", matched, get_dimensions(1))
                else:
                    units = {self._units[v] for v in matched}
                    if len(units) > 1:
                        raise DimensionMismatchError(
                            f"Parameter {name!r} matches variables of different units "
                            f"{sorted(units)}; use a narrower pattern.")
                    axis = Axis(name, "variable", matched, self._variable_dim(matched[0]))
            if dims is not None and name in dims and dims[name] is not axis.dim:
                raise DimensionMismatchError(
                    f"The values of parameter {name!r} must be in units of "
                    f"{unit_name(Quantity(1, dim=axis.dim))}. Got values in "
                    f"{unit_name(Quantity(1, dim=dims[name]))} instead.")
            for other in self.axes:
                shared = sorted(set(other.variables) & set(axis.variables))
                if shared:
                    raise ValueError(f"Parameters {other.name!r} and {name!r} both set "
                                     f"{shared[:3]}; each variable may be varied by one name.")
            self.axes.append(axis)

    def _variable_dim(self, variable):
        from brian2.core.namespace import DEFAULT_UNITS

        unit = self._units[variable]
        if unit in ("dimensionless", "1", ""):
            return get_dimensions(1)
        return get_dimensions(eval(unit, {"__builtins__": {}}, dict(DEFAULT_UNITS)))  # noqa: S307

    @property
    def names(self):
        return tuple(a.name for a in self.axes)

    @property
    def modulators(self):
        """Modulator names among the axes (the group must respond to them)."""
        return tuple(a.name for a in self.axes if a.kind == "modulator")

    def assignments(self, si_values, repeat=1):
        """Per-neuron values to set: ``{variable: array}`` for the variables and
        ``{modulator: array}`` (molar SI) for the modulators, each candidate's values
        repeated ``repeat`` times (candidate-major)."""
        out = {}
        for axis in self.axes:
            x = np.repeat(np.asarray(si_values[axis.name], dtype=float), repeat)
            if axis.kind == "modulator":
                out[axis.name] = x
            for v in axis.variables:
                out[v] = self._defaults[v][0] * x if axis.kind == "scale" else x
        return out

    def __repr__(self):
        return f"{type(self).__name__}({self.template.name!r}, {list(self.names)})"
