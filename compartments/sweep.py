"""Parameter sweeps: every candidate of a design evaluated batch by batch, durably.

>>> from brian2 import msiemens, cm, nA, ms  # doctest: +SKIP
>>> import celltypes  # doctest: +SKIP
>>> from compartments.sweep import sweep, latin_hypercube  # doctest: +SKIP
>>> from compartments.analysis.series import StepSeries  # doctest: +SKIP
>>> design = latin_hypercube({"gbar_kv3_soma": (20, 100) * msiemens / cm**2,  # doctest: +SKIP
...                           "gbar_nat_soma": (30, 80) * msiemens / cm**2}, n=1000, seed=1)
>>> steps = StepSeries([-0.05, 0.5, 1, 2] * nA, reference=1 * nA)  # doctest: +SKIP
>>> table = sweep(celltypes.get("PV_BC"), design, [steps], directory="results/pv_kv3",  # doctest: +SKIP
...               batch_size=250)

Each batch is one group of ``batch_size x k`` neurons (``k`` conditions per candidate)
with one compiled code path (`compartments.evaluation`); each finished batch is
written atomically to ``directory`` before it counts (`compartments.study`), so a
killed sweep restarted with the same arguments evaluates only what is missing. Given a
Dask ``client`` (or scheduler address) the batches run on the cluster; the result is
the same DataFrame as a local run.
"""

import numpy as np
import pandas as pd
from brian2 import ms

from .evaluation import Evaluator
from .space import Design, ParameterSpace, grid, latin_hypercube, random  # noqa: F401 (API)
from .study import Study, run_batches

__all__ = ["sweep", "grid", "random", "latin_hypercube", "Design", "FAILED"]

FAILED = "failed"


def _check_batch_size(batch_size):
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
            or batch_size < 1:
        raise ValueError(f"The 'batch_size' parameter of sweep must be a positive integer. Got "
                         f"{batch_size!r} instead.")
    return int(batch_size)


def sweep(template, design, protocols, directory=None, batch_size=256, client=None,
          progress=True, dt=0.025 * ms, method=None, target=None, all_expressing=True):
    """Evaluate every candidate of ``design`` on ``protocols``.

    Parameters
    ----------
    template : `CellTemplate`
    design : `Design`
        From `grid`, `random`, `latin_hypercube` (or `Design` directly).
    protocols : sequence
        Series protocols (`compartments.analysis.series`).
    directory : str, optional
        Results directory (durable, resumable); None: in memory.
    batch_size : int
        Candidates per batch (one group each).
    client : `distributed.Client` or str, optional
        Dask cluster (or scheduler address) to run the batches on.
    progress : bool
        tqdm progress bar over batches.
    dt, method, target, all_expressing
        As `compartments.evaluation.Evaluator`.

    Returns
    -------
    DataFrame
        One row per candidate, sorted: ``candidate``, the parameters (unit in the
        column name), every feature, ``status`` (``ok``, ``no rest``,
        ``diverged: <compartment>``, ``failed``) and ``error`` (the message of a
        failed batch, else empty).
    """
    if not isinstance(design, Design):
        raise TypeError(f"The 'design' parameter of sweep must be a Design (grid, random, "
                        f"latin_hypercube). Got {design!r} instead.")
    batch_size = _check_batch_size(batch_size)
    ParameterSpace(template, design.names, dims={n: design.dim(n) for n in design.names})
    evaluator = Evaluator(template, design.names, protocols, dt=dt, method=method,
                          target=target, all_expressing=all_expressing)
    fingerprint = f"{evaluator.fingerprint()}-{design.fingerprint()}-{batch_size}"
    study = Study(directory, fingerprint, {
        "kind": "sweep", "template": template.name, "parameters": list(design.names),
        "design": design.kind, "seed": design.seed, "candidates": len(design),
        "batch_size": batch_size, "protocols": [p.name for p in evaluator.protocols]})
    starts = range(0, len(design), batch_size)
    batches = [(f"b{k:06d}", design.si(slice(s, s + batch_size)),
                _annotator(design, slice(s, s + batch_size))) for k, s in enumerate(starts)]
    frames = run_batches(study, evaluator, batches, client=client, progress=progress,
                         description=f"sweep {template.name}")
    failures = study.failures()
    for (bid, _, _), s in zip(batches, starts):
        if bid not in frames:
            frame = design.frame(slice(s, s + batch_size))
            for feature in evaluator.features:
                frame[feature] = np.nan
            frame["status"] = FAILED
            frame["error"] = failures.get(bid, {}).get("error", "")
            frames[bid] = frame
    table = pd.concat([frames[bid] for bid, _, _ in batches], ignore_index=True)
    return table.sort_values("candidate", kind="stable").reset_index(drop=True)


def _annotator(design, rows):
    """Turn an evaluator frame (local candidates) into the stored one (global numbers,
    parameters with units, error column)."""

    def annotate(frame):
        params = design.frame(rows)
        frame = frame.drop(columns="candidate")
        out = pd.concat([params.reset_index(drop=True), frame.reset_index(drop=True)], axis=1)
        out["error"] = ""
        return out

    return annotate
