"""Catalogues of cell types: data with sources, not engine code.

Each cell type is a CSV file in ``celltypes/data/`` with one row per parameter:
``compartment, parameter, value, unit, source``. Channel and pool parameters
are written ``<mechanism>.<parameter>`` (``nat.gbar``, ``cad.decay``); geometry
rows are ``length``, ``diameter`` (or ``area``), ``cm``, ``nseg``,
``spine_factor`` and ``Ra``; ``connect.<parent>`` (value 0, 0.5 or 1: where
on the parent) attaches a compartment; the ``template`` pseudo-compartment
holds template-wide values (``celsius``, ``Ra``). A row without a source, a
unit that does not parse or an unknown parameter is an error naming file, row
and column. Curated target features are in ``celltypes/targets/<name>.csv``.

>>> import celltypes
>>> "PV_BC" in celltypes.names()
True
>>> cell = celltypes.get("PV")              # a CellType (a CellTemplate); alias of PV_BC
>>> cell.name
'PV_BC'
"""

from .catalogue import ALIASES, CatalogueError, UnknownCellType, get, names, table
from .celltype import CellType, targets

__all__ = ["names", "get", "table", "targets", "CellType", "CatalogueError",
           "UnknownCellType", "ALIASES"]
