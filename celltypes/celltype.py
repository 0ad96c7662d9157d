"""`CellType`: a catalogue `CellTemplate` with curated targets and heterogeneous populations.

Heterogeneity
-------------
``heterogeneity`` is either one coefficient of variation (CV) for the type's
default families, or a dict ``{name_or_pattern: cv}``:

- default families (`CellType.heterogeneity_patterns`): every conductance
  density and permeability of the type's mechanisms (``gbar_nat_*``,
  ``g_leak_*``, ``g_kleak_*``, ``pcabar_cat_*``: parameters in siemens/meter**2
  or meter/second), each multiplied per neuron and per variable by a
  mean-preserving lognormal factor ``exp(mu + sigma z)``,
  ``sigma**2 = ln(1 + cv**2)``, ``mu = -sigma**2/2`` (mean 1, CV ``cv``,
  always positive), plus ``size``;
- ``"size"``: one factor ``s`` per neuron, a normal with mean 1 and SD ``cv``
  truncated to [max(0.1, 1 - 2 cv), 1 + 2 cv], scaling every segment's membrane
  area and capacitance by ``s`` and every axial conductance by ``sqrt(s)``
  (lengths and diameters all scaled by ``sqrt(s)``: the cell's shape is kept);
- any other positive per-neuron parameter, by exact variable name or
  `fnmatch` pattern (``"gbar_hcn_*"``, ``"tau_max_km_soma"``): lognormal as
  for conductances.

A float applies to the default families and ``size``; a type may declare
other default families in its constructor (``heterogeneity_patterns``). A
name or pattern that matches no parameter, a parameter that is not positive,
or a CV outside [0, 1] is a ``ValueError``. Sampling uses
``numpy.random.default_rng(seed)`` only. ``make_group`` draws the values before
the resting-state solve (a `compartments.extension.Extension`), so each
neuron starts at its own rest.
"""

import fnmatch
import os

import numpy as np
import pandas as pd

from compartments import CellTemplate
from compartments.extension import Extension

__all__ = ["CellType", "Heterogeneity", "targets", "TARGET_COLUMNS", "conductance_families"]

TARGETS = os.path.join(os.path.dirname(__file__), "targets")
TARGET_COLUMNS = ["feature", "mean", "sd", "low", "high", "unit", "species", "temperature",
                  "n", "protocol", "source", "v1"]
_FAMILY_UNITS = ("siemens/meter**2", "meter/second")  # conductance densities, permeabilities
_SIZE = "size"


def conductance_families(template):
    """Patterns of every conductance density or permeability family of ``template``.

    One pattern per mechanism parameter, ``<parameter>_<mechanism>_*``
    (``gbar_nat_*``, ``g_kleak_*``), sorted.
    """
    table = template.parameters
    return tuple(sorted(f"{p}_*" for p in set(table.parameter[table.unit.isin(_FAMILY_UNITS)])))


def targets(name):
    """Curated target features of cell type ``name`` as a DataFrame.

    Columns: feature, mean, sd, low, high (a range where no SD is published),
    unit, species, temperature, n, protocol, source, and ``v1``: ``"tested"``
    when the v1 model is tested against it, ``"calibration"`` when it waits for
    the fitting machinery.
    """
    from .catalogue import CatalogueError, canonical

    name = canonical(name)
    path = os.path.join(TARGETS, f"{name}.csv")
    if not os.path.exists(path):
        raise CatalogueError(f"{path}: cell type {name!r} has no targets file.")
    frame = pd.read_csv(path)
    if list(frame.columns) != TARGET_COLUMNS:
        raise CatalogueError(f"{path}: the header must be {TARGET_COLUMNS}. Got "
                             f"{list(frame.columns)} instead.")
    for line, row in enumerate(frame.itertuples(), start=2):
        if not isinstance(row.source, str) or len(row.source.strip()) < 10:
            raise CatalogueError(f"{path}, row {line}, column 'source': every target needs "
                                 f"a source.")
        if row.v1 not in ("tested", "calibration"):
            raise CatalogueError(f"{path}, row {line}, column 'v1': 'tested' or 'calibration'. "
                                 f"Got {row.v1!r} instead.")
        if not (np.isfinite(row.mean) or (np.isfinite(row.low) and np.isfinite(row.high))):
            raise CatalogueError(f"{path}, row {line}: a target needs a mean or a low-high "
                                 f"range.")
    return frame


def _check_cv(key, cv):
    if isinstance(cv, bool) or not isinstance(cv, (int, float, np.integer, np.floating)) \
            or not np.isfinite(cv) or not 0 <= cv <= 1:
        raise ValueError(f"The heterogeneity of {key!r} must be a coefficient of variation in "
                         f"[0, 1]. Got {cv!r} instead.")
    return float(cv)


class CellType(CellTemplate):
    """A cell type of the catalogue: a `CellTemplate` plus `targets`, `sample` and a
    `make_group` that draws heterogeneous neurons.

    Parameters
    ----------
    *args, **kwargs
        As `CellTemplate`.
    heterogeneity_patterns : sequence of str, optional
        The parameter families a scalar ``heterogeneity`` varies (besides
        ``size``): variable names or `fnmatch` patterns. Default (None):
        `conductance_families` of the type, so every conductance density
        and permeability.

    Examples
    --------
    >>> import celltypes
    >>> pv = celltypes.get("PV_BC")
    >>> pv.sample(3, heterogeneity=0.1, seed=1).shape[0]
    3
    >>> "g_kleak_*" in pv.heterogeneity_patterns
    True
    """

    def __init__(self, *args, heterogeneity_patterns=None, **kwargs):
        super().__init__(*args, **kwargs)
        if heterogeneity_patterns is not None:
            if isinstance(heterogeneity_patterns, str) or not all(
                    isinstance(p, str) for p in heterogeneity_patterns):
                raise TypeError(f"The 'heterogeneity_patterns' parameter of CellType "
                                f"'{self.name}' must be a sequence of variable names or "
                                f"patterns such as ['gbar_*']. Got {heterogeneity_patterns!r} "
                                f"instead.")
            heterogeneity_patterns = tuple(heterogeneity_patterns)
            variables = list(self.initial_values(1))
            for pattern in heterogeneity_patterns:
                if not any(fnmatch.fnmatchcase(v, pattern) for v in variables):
                    raise ValueError(f"The 'heterogeneity_patterns' of CellType '{self.name}' "
                                     f"include {pattern!r}, which matches no parameter.")
        self._heterogeneity_given = heterogeneity_patterns

    @property
    def heterogeneity_patterns(self):
        """The families a scalar ``heterogeneity`` varies (besides ``size``)."""
        if self._heterogeneity_given is None:
            return conductance_families(self)
        return self._heterogeneity_given

    def _init_args(self):
        return {**super()._init_args(), "heterogeneity_patterns": self._heterogeneity_given}

    def to_dict(self):
        given = self._heterogeneity_given
        return {**super().to_dict(),
                "heterogeneity_patterns": None if given is None else list(given)}

    @classmethod
    def _args_from_data(cls, data, reader):
        patterns = reader.entry(data, "heterogeneity_patterns", optional=True)
        return {**super()._args_from_data(data, reader), "heterogeneity_patterns": patterns}

    @property
    def targets(self):
        """Curated target features (see `celltypes.targets`)."""
        return targets(self.name)

    def _spec(self, heterogeneity):
        values = self.initial_values(1)
        params = {var: float(arr[0]) for var, arr in values.items()}
        if heterogeneity is None:
            return {}, 0.0
        if isinstance(heterogeneity, dict):
            items = heterogeneity.items()
        else:
            cv = _check_cv("heterogeneity", heterogeneity)
            items = [(p, cv) for p in self.heterogeneity_patterns] + [(_SIZE, cv)]
        spec, size = {}, 0.0
        for key, cv in items:
            cv = _check_cv(key, cv)
            if key == _SIZE:
                size = cv
                continue
            matched = [v for v in params if fnmatch.fnmatchcase(v, key)]
            if not matched and isinstance(heterogeneity, dict):
                raise ValueError(f"The heterogeneity of {self.name} names {key!r}, which matches "
                                 f"no parameter; use 'size', a parameter name (see "
                                 f"cell.parameters.variable) or a pattern such as 'gbar_*'.")
            for var in matched:
                if params[var] < 0:
                    raise ValueError(f"The heterogeneity of {self.name} names {var!r}, which "
                                     f"is negative ({params[var]!r}); only non-negative "
                                     f"parameters are drawn from a lognormal.")
                spec[var] = cv
        return spec, size

    def sample(self, n, heterogeneity=0.1, seed=None):
        """Per-neuron parameters of ``n`` neurons (SI floats), one column per varied variable.

        Parameters
        ----------
        n : int
        heterogeneity : float or dict
            See the module docstring.
        seed : int or None
            Seed of ``numpy.random.default_rng``.

        Returns
        -------
        DataFrame
            ``n`` rows; columns are the group variables that vary.
        """
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"The 'n' parameter of sample must be a positive integer. Got "
                             f"{n!r} instead.")
        spec, size = self._spec(heterogeneity)
        rng = np.random.default_rng(seed)
        base = self.initial_values(int(n))
        out = {}
        for var in sorted(spec):
            cv = spec[var]
            sigma = np.sqrt(np.log1p(cv**2))
            out[var] = base[var] * np.exp(-sigma**2 / 2 + sigma * rng.standard_normal(n))
        if size > 0:
            low, high = max(0.1, 1 - 2 * size), 1 + 2 * size
            s = 1 + size * rng.standard_normal(n)
            bad = (s < low) | (s > high)
            while np.any(bad):
                s[bad] = 1 + size * rng.standard_normal(int(bad.sum()))
                bad = (s < low) | (s > high)
            out["size_factor"] = s
            for seg in self.segment_names:
                out[f"area_{seg}"] = base[f"area_{seg}"] * s
                out[f"C_{seg}"] = base[f"C_{seg}"] * s
            for var in base:
                if var.startswith("gax_"):
                    out[var] = base[var] * np.sqrt(s)
        return pd.DataFrame(out)

    def make_group(self, n, heterogeneity=None, seed=None, extensions=(), **kwargs):
        """A `NeuronGroup` of ``n`` neurons, each at its own rest, drawn with `sample` when
        ``heterogeneity`` is given (other arguments as `CellTemplate.make_group`; ``seed``
        seeds the receptor expression draw too)."""
        if heterogeneity is not None:
            extensions = (*extensions, Heterogeneity(self, heterogeneity, seed))
        return super().make_group(n, seed=seed, extensions=extensions, **kwargs)


class Heterogeneity(Extension):
    """The per-neuron parameters of `CellType.sample`, as an `Extension` of ``make_group``."""

    layer = "heterogeneity"

    def __init__(self, cell_type, heterogeneity, seed=None):
        cell_type._spec(heterogeneity)  # checked now, next to its cause
        self.cell_type, self.heterogeneity, self.seed = cell_type, heterogeneity, seed

    def values(self, n):
        drawn = self.cell_type.sample(n, self.heterogeneity, self.seed)
        return {var: drawn[var].to_numpy() for var in drawn.columns if var != "size_factor"}
