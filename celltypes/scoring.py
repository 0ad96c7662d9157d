"""Model features beside a type's published targets: pass or fail, with the source.

A target (``celltypes/targets/<type>.csv``) is a range ``low``-``high`` or a
``mean`` ± ``sd``; a value meets it inside the range, or within 2 SD of the
mean.

>>> import pandas as pd
>>> from celltypes.scoring import compare
>>> table = compare("PV_BC", pd.Series({"v_rest_mV": -70.0, "tau_m_ms": 30.0}))
>>> table.set_index("feature").loc[["v_rest_mV", "tau_m_ms"], "status"].tolist()
['meets', 'misses']
"""

import numpy as np
import pandas as pd

from .celltype import targets

__all__ = ["target_status", "target_text", "short_source", "compare"]


def target_status(value, row):
    """``"meets"`` / ``"misses"`` for ``value`` against one target row (range, or
    mean ± 2 SD); ``"not measured"`` when ``value`` is not finite."""
    if value is None or not np.isfinite(value):
        return "not measured"
    if np.isfinite(row["low"]) and np.isfinite(row["high"]):
        ok = row["low"] - 1e-9 <= value <= row["high"] + 1e-9
    else:
        ok = abs(value - row["mean"]) <= 2 * row["sd"]
    return "meets" if ok else "misses"


def target_text(row):
    """The target as text: ``"60 to 150"`` or ``"45 ± 10"``."""
    if np.isfinite(row["low"]) and np.isfinite(row["high"]):
        return f"{row['low']:g} to {row['high']:g}"
    return f"{row['mean']:g} ± {row['sd']:g}"


def short_source(source, n=None):
    """The first author-year words of a target's ``source``, with the sample size ``n``
    where given (e.g. ``"Gouwens et al. 2019, n = 41"``)."""
    text = str(source).split("(")[0].split(",")[0].strip()
    n = pd.to_numeric(n, errors="coerce")
    return f"{text[:45]}, n = {int(n)}" if np.isfinite(n) else text[:45]


def compare(name, summary):
    """Every target of cell type ``name`` with the model's value and its status.

    Parameters
    ----------
    name : str
    summary : Series
        Feature name -> model value (e.g. `celltypes.characterise.summary`).

    Returns
    -------
    DataFrame
        ``feature, model, target, unit, status, v1, source, n`` (``v1``: whether the
        test suite checks it, ``tested``, or it waits for fitting, ``calibration``;
        ``n``: the sample size of the data behind a mean ± SD target, where given).
    """
    rows = []
    for _, t in targets(name).iterrows():
        value = float(summary.get(t.feature, np.nan))
        rows.append(dict(feature=t.feature, model=value, target=target_text(t), unit=t.unit,
                         status=target_status(value, t), v1=t.v1, source=t.source,
                         n=pd.to_numeric(t.get("n"), errors="coerce")))
    return pd.DataFrame(rows)
