"""Receptor expression of the catalogue's cell types (neuromodulation).

``celltypes/modulation/<type>.csv`` has one row per receptor and compartment:
``receptor, compartment, fraction, level, source`` — the fraction of cells of
the type that express it there, the relative level when expressed (0..1) and
the source. `celltypes.get` attaches it to the type
(`CellTemplate.with_modulation`), so ``make_group(..., modulators=...)`` works
on catalogue types directly. Receptors and their effects on channels are
engine data: `compartments.neuromodulation`.
"""

import os

import pandas as pd

from compartments.neuromodulation import Expression

__all__ = ["expression", "has_expression"]

DATA = os.path.join(os.path.dirname(__file__), "modulation")


def _path(name):
    return os.path.join(DATA, f"{name}.csv")


def has_expression(name):
    """Whether cell type ``name`` (canonical) has an expression table."""
    return os.path.exists(_path(name))


def expression(name):
    """The `Expression` of cell type ``name`` (canonical name, e.g. ``"VIP_BP"``)."""
    from .catalogue import canonical

    name = canonical(name)
    path = _path(name)
    if not os.path.exists(path):
        raise ValueError(f"Cell type {name!r} has no receptor expression table "
                         f"(celltypes/modulation/{name}.csv).")
    table = pd.read_csv(path, dtype={"receptor": str, "compartment": str, "source": str})
    return Expression(table, where=f"celltypes/modulation/{name}.csv")
