"""Receptor expression of a cell type: per receptor and compartment, (fraction, level, source).

``fraction`` is the fraction of cells of the type that express the receptor
there; ``level`` the relative expression when expressed, in [0, 1] (1: the
level the effect strengths in ``data/effects.csv`` refer to), so that the
activation ``level x e`` of an effector stays in [0, 1]. A population draws each
neuron's expression as Bernoulli(fraction) x level — heterogeneity of
modulation, not only of channels — with one draw per neuron and receptor shared
by its compartments.
"""

import numpy as np
import pandas as pd

from ..extension import register_description
from .receptors import RECEPTORS

__all__ = ["Expression", "register_catalogue", "expressing_types"]

# Functions receptor -> {cell type: [compartments]} registered by catalogues (celltypes)
_CATALOGUES = []


def register_catalogue(lookup):
    """Register ``lookup(receptor)`` -> ``{cell type: [compartments]}`` so that messages about
    a receptor a type lacks can name the types that express it (celltypes registers its
    catalogue on import; the engine knows no cell types)."""
    if lookup not in _CATALOGUES:
        _CATALOGUES.append(lookup)


def expressing_types(receptor):
    """``{cell type: [compartments]}`` of every registered catalogue type expressing
    ``receptor`` (fraction > 0)."""
    out = {}
    for lookup in _CATALOGUES:
        out.update(lookup(receptor))
    return out

COLUMNS = ["receptor", "compartment", "fraction", "level", "source"]


class Expression:
    """A validated expression table.

    Parameters
    ----------
    table : DataFrame or sequence of dict
        Columns ``receptor, compartment, fraction, level, source``.
    where : str
        Where the table comes from (used in error messages, e.g. a file name).
    """

    def __init__(self, table, where="expression table"):
        if table is None or isinstance(table, (str, bytes)):
            raise TypeError(f"{where}: an expression table must be a DataFrame or a sequence "
                            f"of dicts with columns {COLUMNS}. Got {table!r} instead.")
        df = pd.DataFrame(table) if len(table) else pd.DataFrame(columns=COLUMNS)
        missing = [c for c in COLUMNS if c not in df.columns]
        if missing:
            raise ValueError(f"{where}: missing columns {missing}; expected {COLUMNS}.")
        for k, row in df.iterrows():
            at = f"{where}, row {k + 1}"
            if row.receptor not in RECEPTORS:
                raise ValueError(f"{at}: unknown receptor {row.receptor!r}; known receptors: "
                                 f"{list(RECEPTORS)}.")
            for col in ("fraction", "level"):
                try:
                    value = float(row[col])
                except (TypeError, ValueError):
                    raise ValueError(f"{at}: column '{col}' must be a number. "
                                     f"Got {row[col]!r}.") from None
                if col == "fraction" and not 0 <= value <= 1:
                    raise ValueError(f"{at}: column 'fraction' (fraction of cells expressing "
                                     f"{row.receptor}) must be in [0, 1]. Got {value!r}.")
                if col == "level" and not 0 <= value <= 1:
                    raise ValueError(f"{at}: column 'level' (relative expression when "
                                     f"expressed, 1 = the level the effect strengths refer to) "
                                     f"must be in [0, 1]. Got {value!r}.")
            if not isinstance(row.source, str) or not row.source.strip():
                raise ValueError(f"{at}: column 'source' is empty for {row.receptor} in "
                                 f"{row.compartment}.")
        duplicated = df.duplicated(["receptor", "compartment"])
        if duplicated.any():
            first = df[duplicated].iloc[0]
            raise ValueError(f"{where}: receptor {first.receptor} appears twice in compartment "
                             f"{first.compartment}.")
        self.table = df[COLUMNS].astype({"fraction": float, "level": float}).reset_index(
            drop=True)
        self.where = where

    def to_data(self):
        """The table as plain data: a list of row dicts (what `CellTemplate.to_dict` stores)."""
        return [{"receptor": r.receptor, "compartment": r.compartment,
                 "fraction": float(r.fraction), "level": float(r.level), "source": r.source}
                for r in self.table.itertuples()]

    def compartments(self):
        """Compartment names the table refers to."""
        return sorted(set(self.table.compartment))

    def plan(self, template, modulators, effects=None, pool=None, pool_index=0, seed=None,
             keep=()):
        """The `ModulationPlan` (an `Extension`) of ``template`` for ``modulators``."""
        from .plan import ModulationPlan

        return ModulationPlan(template, self, modulators, effects, pool=pool,
                              pool_index=pool_index, seed=seed, keep=keep)

    def __eq__(self, other):
        return isinstance(other, Expression) and self.to_data() == other.to_data()

    def __hash__(self):
        return hash(repr(self.to_data()))

    def receptors(self):
        """Receptors expressed somewhere (fraction > 0), in table order."""
        return list(dict.fromkeys(self.table.receptor[self.table.fraction > 0]))

    def rows(self, receptor):
        """(compartment, fraction, level) of a receptor."""
        sub = self.table[self.table.receptor == receptor]
        return list(zip(sub.compartment, sub.fraction, sub.level))

    def sample(self, n, seed=None):
        """Per-neuron expression: dict (receptor, compartment) -> array of n values.

        One uniform draw ``u`` per neuron and receptor: the neuron expresses the
        receptor in every compartment whose fraction exceeds ``u``, so a cell
        that expresses a receptor does so in all its listed compartments of
        equal fraction (not independently per compartment).
        """
        rng = np.random.default_rng(seed)
        u = {r: rng.random(n) for r in dict.fromkeys(self.table.receptor)}
        return {(r.receptor, r.compartment): (u[r.receptor] < r.fraction) * r.level
                for r in self.table.itertuples()}

    def __repr__(self):
        return f"Expression({len(self.table)} rows from {self.where})"


register_description("expression", Expression)
