"""Loading cell types from ``data/*.csv`` into `CellTemplate` objects."""

import csv
import difflib
import os

import pandas as pd
from brian2 import Quantity
from brian2.core.namespace import DEFAULT_UNITS

from compartments import Compartment, channels
from compartments.pools import POOLS

from .celltype import CellType
from .modulation import expression, has_expression

__all__ = ["names", "get", "table", "CatalogueError", "ALIASES"]

DATA = os.path.join(os.path.dirname(__file__), "data")
COLUMNS = ["compartment", "parameter", "value", "unit", "source"]
_GEOMETRY = ("length", "diameter", "area", "cm", "nseg", "spine_factor", "Ra")
_CHANNELS = {cls.name: cls for cls in channels.registry.values()}
_POOLS = {cls.name: cls for cls in POOLS.values()}
_MECHANISMS = {**_CHANNELS, **_POOLS}
_CONNECT = "connect"
# short names accepted by get() and targets()
ALIASES = {"PV": "PV_BC", "SST": "SST_MC", "VIP": "VIP_BP"}


class CatalogueError(ValueError):
    """A malformed catalogue file: the message names file, row and column."""


class UnknownCellType(KeyError):
    """An unknown cell-type name; the message lists close matches."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def names():
    """Names of the cell types in the catalogue, sorted."""
    return sorted(f[:-4] for f in os.listdir(DATA) if f.endswith(".csv"))


def canonical(name):
    """The catalogue name of ``name`` (aliases resolved); unknown names raise `UnknownCellType`."""
    if not isinstance(name, str):
        raise TypeError(f"A cell-type name must be a string such as 'PV_BC'; the catalogue has "
                        f"{names()} (aliases {ALIASES}). Got {name!r} instead.")
    known = names()
    name = ALIASES.get(name, name)
    if name in known:
        return name
    by_case = {n.lower(): n for n in known + list(ALIASES)}
    if name.lower() in by_case:
        raise UnknownCellType(f"Unknown cell type {name!r}: names are case-sensitive; did you "
                              f"mean {by_case[name.lower()]!r}? All: {known}.")
    close = difflib.get_close_matches(name, known + list(ALIASES), n=3)
    raise UnknownCellType(f"Unknown cell type {name!r}; close matches: {close}; all: {known}.")


def _path(name):
    return os.path.join(DATA, f"{canonical(name)}.csv")


def _rows(name):
    path = _path(name)
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise CatalogueError(f"{path}: the header must be {COLUMNS}. "
                                 f"Got {reader.fieldnames} instead.")
        for line, row in enumerate(reader, start=2):
            yield path, line, row


def _quantity(path, line, row):
    if not row["source"] or not row["source"].strip():
        raise CatalogueError(f"{path}, row {line}, column 'source': every value needs a source.")
    try:
        value = float(row["value"])
    except ValueError as ex:
        raise CatalogueError(f"{path}, row {line}, column 'value': {row['value']!r} is not a "
                             f"number.") from ex
    try:
        unit = eval(row["unit"], {"__builtins__": {}}, dict(DEFAULT_UNITS))  # noqa: S307
    except Exception as ex:
        raise CatalogueError(f"{path}, row {line}, column 'unit': {row['unit']!r} is not a "
                             f"Brian2 unit expression.") from ex
    return value * unit


def table(name=None):
    """Every parameter of one (or every) cell type with unit and source, as a DataFrame."""
    frames = []
    for cell_type in ([name] if name else names()):
        rows = [dict(cell_type=cell_type, **row) for _, _, row in _rows(cell_type)]
        frames.append(pd.DataFrame(rows))
    return pd.concat(frames, ignore_index=True)


def get(name):
    """Build the cell type ``name`` (a `CellType`, i.e. a `CellTemplate` with targets and sampling).

    Aliases: ``"PV"``, ``"SST"``, ``"VIP"``.
    """
    name = canonical(name)
    geometry, mechanisms, template, connections = {}, {}, {}, []
    for path, line, row in _rows(name):
        q = _quantity(path, line, row)
        comp, param = row["compartment"], row["parameter"]
        if comp == "template":
            template[param] = float(q) if param == "celsius" else q
        elif param.startswith(_CONNECT + "."):
            at = float(q)
            if at not in (0.0, 0.5, 1.0):
                raise CatalogueError(f"{path}, row {line}, column 'value': a connection's "
                                     f"value is where it attaches on the parent (0, 0.5 or "
                                     f"1). Got {row['value']!r} instead.")
            connections.append((param.split(".", 1)[1], comp, at))
        elif "." in param:
            mech, local = param.split(".", 1)
            if mech not in _MECHANISMS:
                raise CatalogueError(f"{path}, row {line}, column 'parameter': unknown "
                                     f"mechanism {mech!r}; known: {sorted(_MECHANISMS)}.")
            mechanisms.setdefault(comp, {}).setdefault(mech, {})[local] = q
        elif param in _GEOMETRY:
            geometry.setdefault(comp, {})[param] = (int(q) if param == "nseg" else
                                                    float(q) if param == "spine_factor" else q)
        else:
            raise CatalogueError(f"{path}, row {line}, column 'parameter': unknown parameter "
                                 f"{param!r}; expected one of {list(_GEOMETRY)}, "
                                 f"'{_CONNECT}.<parent>' or '<mechanism>.<parameter>'.")
    compartments = []
    for comp, geo in geometry.items():
        mechs = mechanisms.get(comp, {})
        chans = [_CHANNELS[m](**{k: Quantity(v) for k, v in p.items()})
                 for m, p in mechs.items() if m in _CHANNELS]
        pools = [_POOLS[m](**{k: (float(v) if not isinstance(v, Quantity) or v.is_dimensionless
                                  else Quantity(v)) for k, v in p.items()})
                 for m, p in mechs.items() if m in _POOLS]
        compartments.append(Compartment(comp, **geo, channels=chans, pools=pools))
    return CellType(name, compartments, connections=connections, **template,
                    expression=expression(name) if has_expression(name) else None)
