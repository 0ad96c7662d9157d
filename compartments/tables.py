"""Saving a run: result tables as CSV or Parquet with their provenance, written atomically.

Every protocol returns tidy `pandas.DataFrame` objects (one row per sample,
neuron or condition; units in the column names). `save_table` writes one to

- ``.csv``: comment lines ``# key: value`` (the provenance) above an ordinary
  CSV table; `load_table` reads it (so does ``pandas.read_csv(path, comment="#")``
  when no value contains ``#``);
- ``.parquet``: the provenance in the file's key-value metadata (needs
  ``pyarrow``); columnar and compressed, for long traces.

The provenance is `compartments.provenance` (package versions, and the
template's name and content hash when a template is given) plus any extra
``key: value`` pairs, e.g. the protocol's parameters. Writes go to a
temporary file in the target folder that is renamed over the target when
complete, so an interrupted run never leaves a truncated table, and a table
that exists is whole. `load_table` returns the frame with the provenance in
``frame.attrs["provenance"]``.

>>> import pandas as pd, tempfile, os
>>> from compartments.tables import save_table, load_table
>>> path = os.path.join(tempfile.mkdtemp(), "rates.csv")
>>> _ = save_table(pd.DataFrame({"neuron": [0, 1], "rate_Hz": [3.5, 7.0]}), path,
...                extra={"protocol": "steps 0.2 nA"})
>>> frame = load_table(path)
>>> frame.rate_Hz.tolist(), frame.attrs["provenance"]["protocol"]
([3.5, 7.0], 'steps 0.2 nA')
"""

import json
import os

import pandas as pd

from .files import atomic_path
from .serialization import provenance

__all__ = ["save_table", "load_table", "FORMATS"]

FORMATS = (".csv", ".parquet")
_PARQUET_KEY = b"brian2compartments.provenance"


def _format(path, owner):
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in FORMATS:
        raise ValueError(f"The 'path' parameter of {owner} must end in one of {FORMATS}. "
                         f"Got {os.fspath(path)!r} instead.")
    return suffix


def _stamp(template, extra):
    info = provenance(template)
    for key, value in (extra or {}).items():
        text = str(value)
        if "\n" in text or "\n" in str(key):
            raise ValueError(f"Provenance entries are single lines; {key!r} is not: {text!r}.")
        info[str(key)] = text
    return info


def save_table(frame, path, template=None, extra=None):
    """Write ``frame`` to ``path`` (``.csv`` or ``.parquet``) with its provenance, atomically.

    Parameters
    ----------
    frame : DataFrame
        A tidy result table (units in the column names, e.g. ``v_soma_mV``).
    path : str or path-like
        Target file; its folder is created if needed.
    template : `CellTemplate`, optional
        Recorded by name and content hash.
    extra : dict, optional
        More ``key: value`` pairs (single-line strings), e.g. the protocol.

    Returns
    -------
    str
        ``path``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"The 'frame' parameter of save_table must be a pandas DataFrame. "
                        f"Got {type(frame).__name__} instead.")
    suffix = _format(path, "save_table")
    info = _stamp(template, extra)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            with open(tmp, "w", newline="") as f:
                for key, value in info.items():
                    f.write(f"# {key}: {value}\n")
                frame.to_csv(f, index=False)
        else:
            pa, pq = _pyarrow("save_table")
            table = pa.Table.from_pandas(frame, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[_PARQUET_KEY] = json.dumps(info).encode()
            pq.write_table(table.replace_schema_metadata(meta), tmp)
    return os.fspath(path)


def load_table(path):
    """Read a table written by `save_table`; its provenance is in ``frame.attrs["provenance"]``."""
    suffix = _format(path, "load_table")
    if suffix == ".csv":
        info = {}
        with open(path) as f:
            for line in f:
                if not line.startswith("#"):
                    break
                key, _, value = line[1:].strip().partition(": ")
                info[key] = value
        frame = pd.read_csv(path, skiprows=len(info))   # '#' may occur in the data
    else:
        _, pq = _pyarrow("load_table")
        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(_PARQUET_KEY)
        info = json.loads(raw) if raw else {}
        frame = table.to_pandas()
    frame.attrs["provenance"] = info
    return frame


def _pyarrow(owner):
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as ex:
        raise ImportError(f"{owner}: Parquet files need pyarrow (pip install pyarrow); "
                          f"or use a .csv path.") from ex
    return pa, pq
