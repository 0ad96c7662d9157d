"""Catalogues of cell types: data with sources, not engine code.

Each cell type is a CSV file in ``celltypes/data/`` with one row per parameter:
``compartment, parameter, value, unit, source``. Channel parameters are written
``<mechanism>.<parameter>`` (``hhna.gbar``); geometry rows are ``length``,
``diameter`` (or ``area``) and ``cm``; the ``template`` pseudo-compartment holds
template-wide values (``celsius``, ``Ra``). A row without a source, a unit that
does not parse or an unknown parameter is an error naming file, row and column.

>>> import celltypes
>>> celltypes.names()
['HH_squid']
>>> cell = celltypes.get("HH_squid")          # a CellTemplate
"""

from .catalogue import CatalogueError, get, names, table

__all__ = ["names", "get", "table", "CatalogueError"]
