"""Fitting template parameters to target features and traces, one population per run.

>>> from brian2 import msiemens, cm, nA  # doctest: +SKIP
>>> import celltypes  # doctest: +SKIP
>>> from compartments.fit import fit  # doctest: +SKIP
>>> from compartments.analysis.series import StepSeries  # doctest: +SKIP
>>> steps = StepSeries([-0.05, -0.4, 0.2, 0.4, 1, 2] * nA, reference=1 * nA)  # doctest: +SKIP
>>> result = fit(celltypes.get("PV_BC"),  # doctest: +SKIP
...              {"gbar_kv3_soma": (20, 120) * msiemens / cm**2,
...               "scale(g_*leak_soma)": (0.3, 3)},
...              targets=celltypes.targets("PV_BC"), protocols=[steps],
...              optimizer="cma", population=24, generations=30, seed=1)
>>> result.parameters_            # fitted values with units  # doctest: +SKIP
>>> result.figure()               # target vs fit, error history  # doctest: +SKIP

Objective
---------
Each target is a row ``feature, mean, sd, low, high`` (a catalogue target table,
`Targets`): a feature with a mean and SD contributes ``|f - mean| / sd``; one with a
range, its distance outside the range in half-widths (0 inside). A feature a
candidate cannot have (no spike for a half-width, spikes in a passive step for
R_in: NaN) costs `MISSING`, more than any feature inside its band, while counts
and rates stay graded (a silent candidate has rate 0, not NaN): the errors are
spike-aware. Each error is capped at `MISSING`; the objective is the sum of squared
errors over every target of every protocol (multi-protocol objectives: name
features of several protocols). A candidate that diverged or failed costs
``MISSING**2`` per target.

Optimisers
----------
``"de"``: scipy's ``differential_evolution`` with ``vectorized=True`` (each
generation is one call, one batch set); ``"cma"``: the ``cma`` package's
CMA-ES (ask/tell, one call per generation). Parameters are searched in the unit
cube of their bounds (log-scaled for ``log`` names), both optimisers seeded.

Each generation is evaluated as batches of a durable study (`compartments.study`):
with a ``directory``, a killed fit restarted with the same arguments replays its
stored generations without simulating them and goes on; with a Dask ``client``
each generation's batches run on the cluster.

Identifiability
---------------
`FitResult.identifiability` perturbs each parameter around the optimum (one
batch: 2 per parameter), builds the sensitivity matrix of the feature errors and
reports, per parameter, the relative change that moves the objective by one
tolerance unit when the others may compensate (from the inverse Fisher matrix)
and whether it is identifiable within a given fraction.
"""

import hashlib
import json

import numpy as np
import pandas as pd
from brian2 import Quantity, ms

from .evaluation import DIVERGED, Evaluator
from .space import ParameterSpace, check_bounds, display
from .study import Study, run_batches

__all__ = ["fit", "FitResult", "Targets", "MISSING"]

MISSING = 10.0  # error of a feature a candidate does not have, and the cap of each error
_OPTIMISERS = ("de", "cma")


class Targets:
    """Target features with tolerances.

    Parameters
    ----------
    table : DataFrame or dict
        A catalogue target table (columns ``feature, mean, sd, low, high``; other
        columns are kept), or a dict ``feature -> (value, tolerance)`` (a mean and
        SD) or ``feature -> {"low": .., "high": ..}`` (a range). Values are in the
        unit the feature's name carries (``R_in_MOhm``: MOhm).
    """

    def __init__(self, table):
        if isinstance(table, dict):
            rows = []
            for feature, spec in table.items():
                if isinstance(spec, dict):
                    rows.append(dict(feature=feature, mean=np.nan, sd=np.nan,
                                     low=float(spec["low"]), high=float(spec["high"])))
                else:
                    value, tol = spec
                    rows.append(dict(feature=feature, mean=float(value), sd=float(tol),
                                     low=np.nan, high=np.nan))
            table = pd.DataFrame(rows)
        table = table.reset_index(drop=True)
        missing = {"feature", "mean", "sd", "low", "high"} - set(table.columns)
        if missing:
            raise ValueError(f"A target table needs the columns feature, mean, sd, low, high; "
                             f"missing {sorted(missing)}.")
        for row in table.itertuples():
            ranged = np.isfinite(row.low) and np.isfinite(row.high)
            if ranged and not row.low < row.high:
                raise ValueError(f"The target of {row.feature!r} must have low < high. Got "
                                 f"({row.low}, {row.high}) instead.")
            if not ranged and not (np.isfinite(row.mean) and np.isfinite(row.sd) and row.sd > 0):
                raise ValueError(f"The target of {row.feature!r} needs a finite mean and a "
                                 f"positive SD, or a low-high range. Got mean {row.mean}, SD "
                                 f"{row.sd} instead.")
        self.table = table

    @property
    def features(self):
        return list(self.table.feature)

    def errors(self, values):
        """Per-candidate, per-feature errors (DataFrame): ``|f - mean|/sd`` or the distance
        outside the range in half-widths; `MISSING` for NaN; capped at `MISSING`."""
        out = {}
        for row in self.table.itertuples():
            f = values[row.feature].to_numpy(dtype=float)
            if np.isfinite(row.low) and np.isfinite(row.high):
                half = (row.high - row.low) / 2
                e = np.maximum(0, np.maximum(row.low - f, f - row.high)) / half
            else:
                e = np.abs(f - row.mean) / row.sd
            out[row.feature] = np.minimum(np.where(np.isfinite(e), e, MISSING), MISSING)
        return pd.DataFrame(out, index=values.index)

    def met(self, values):
        """Per-candidate, per-feature: inside the range, or within 2 SD of the mean."""
        out = {}
        for row in self.table.itertuples():
            f = values[row.feature].to_numpy(dtype=float)
            if np.isfinite(row.low) and np.isfinite(row.high):
                out[row.feature] = (f >= row.low - 1e-9) & (f <= row.high + 1e-9)
            else:
                out[row.feature] = np.abs(f - row.mean) <= 2 * row.sd
        return pd.DataFrame(out, index=values.index)

    def __repr__(self):
        return f"{type(self).__name__}({self.features})"


class _Codec:
    """Unit cube <-> SI values of the fitted parameters."""

    def __init__(self, bounds, log):
        self.names = list(bounds)
        self.lo = np.array([bounds[n][0] for n in self.names])
        self.hi = np.array([bounds[n][1] for n in self.names])
        self.dims = [bounds[n][2] for n in self.names]
        self.log = np.array([n in log for n in self.names])

    def decode(self, u):
        u = np.clip(np.atleast_2d(u), 0, 1)
        lin = self.lo + u * (self.hi - self.lo)
        with np.errstate(all="ignore"):
            lg = np.exp(np.log(self.lo) + u * (np.log(self.hi) - np.log(self.lo)))
        return np.where(self.log, lg, lin)

    def encode(self, x):
        x = np.atleast_2d(x)
        lin = (x - self.lo) / (self.hi - self.lo)
        with np.errstate(all="ignore"):
            lg = (np.log(x) - np.log(self.lo)) / (np.log(self.hi) - np.log(self.lo))
        return np.where(self.log, lg, lin)

    def values(self, x):
        return {n: x[:, k] for k, n in enumerate(self.names)}

    def quantity(self, k, value):
        return Quantity(value, dim=self.dims[k])


class _Objective:
    """Evaluates generations as batches of a study and turns features into errors."""

    def __init__(self, evaluator, targets, codec, study, batch_size, client, progress):
        self.evaluator, self.targets, self.codec = evaluator, targets, codec
        self.study, self.batch_size, self.client = study, batch_size, client
        self.progress = progress
        self.generation = 0
        self.frames = []

    def __call__(self, units):
        """Objective values of one generation (candidates in the unit cube, one per row)."""
        table = self.table(self.codec.decode(units), f"g{self.generation:04d}")
        table["generation"] = self.generation
        self.frames.append(table)
        self.generation += 1
        return table.error.to_numpy()

    def table(self, x, prefix):
        """Features, status and objective of candidates ``x`` (SI), stored as ``prefix``."""
        table = self._evaluate(x, prefix)
        total = (self.targets.errors(table) ** 2).sum(axis=1).to_numpy().copy()
        failed = table.status.astype(str).str.startswith((DIVERGED, "failed")).to_numpy()
        total[failed] = MISSING ** 2 * len(self.targets.features)
        table["error"] = total
        return table

    def _evaluate(self, x, prefix):
        batches = []
        starts = range(0, len(x), self.batch_size)
        for k, s in enumerate(starts):
            rows = x[s:s + self.batch_size]
            batches.append((f"{prefix}-b{k:03d}", self.codec.values(rows),
                            _fit_annotator(self.codec, rows)))
        frames = run_batches(self.study, self.evaluator, batches, client=self.client,
                             progress=False)
        failures = self.study.failures()
        out = []
        for (bid, values, annotate), s in zip(batches, starts):
            if bid in frames:
                frame = frames[bid]
                stored = frame[[f"{n}_si" for n in self.codec.names]].to_numpy()
                wanted = np.column_stack([values[n] for n in self.codec.names])
                if not np.array_equal(stored, wanted):
                    raise ValueError(f"Stored batch {bid} of {self.study.directory!r} holds other "
                                     f"parameter values than this run asks for: the fit's "
                                     f"arguments changed. Use a new directory.")
            else:
                frame = annotate(pd.DataFrame({"candidate": np.arange(len(values[self.codec.names[0]]))}))
                for feature in self.evaluator.features:
                    frame[feature] = np.nan
                frame["status"] = "failed: " + failures.get(bid, {}).get("error", "")
            out.append(frame)
        return pd.concat(out, ignore_index=True)


def _fit_annotator(codec, x):
    def annotate(frame):
        frame = frame.reset_index(drop=True).copy()
        for k, name in enumerate(codec.names):
            frame[f"{name}_si"] = x[:, k]
        return frame
    return annotate


def fit(template, parameters, targets, protocols, optimizer="cma", population=32, generations=30,
        seed=None, log=(), x0=None, sigma0=0.3, stop_when_met=False, directory=None,
        batch_size=None, client=None, progress=True, dt=0.025 * ms, method=None, target=None,
        all_expressing=True):
    """Fit ``parameters`` of ``template`` to ``targets`` (see the module docstring).

    Parameters
    ----------
    template : `CellTemplate`
    parameters : dict
        Name (`compartments.space` names: variables, patterns, ``scale(...)``,
        modulators) -> ``(low, high)`` bounds with the variable's unit.
    targets : DataFrame, dict or `Targets`
    protocols : sequence
        Series protocols whose features the targets name.
    optimizer : {"cma", "de"}
    population : int
        Candidates per generation (for ``"de"``, rounded up to a multiple of the
        number of parameters: scipy's ``popsize`` is per parameter).
    generations : int
        Most generations after the first.
    seed : int, optional
    log : sequence of str
        Parameters searched on a log scale (positive bounds).
    x0 : dict, optional
        Starting point (name -> value) for ``"cma"`` (default the bounds' centre)
        or a member of the first ``"de"`` population.
    sigma0 : float
        CMA-ES initial step (fraction of each bound's width).
    stop_when_met : bool
        Stop once a candidate meets every target (inside its range / within 2 SD).
    directory, batch_size, client, progress
        Durable study directory, candidates per batch (default: the population),
        Dask cluster, progress bar over generations.
    dt, method, target, all_expressing
        As `compartments.evaluation.Evaluator`.

    Returns
    -------
    `FitResult`
    """
    if optimizer not in _OPTIMISERS:
        raise ValueError(f"The 'optimizer' parameter of fit must be one of {_OPTIMISERS}. Got "
                         f"{optimizer!r} instead.")
    for name, value in (("population", population), ("generations", generations)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"The '{name}' parameter of fit must be a positive integer. Got "
                             f"{value!r} instead.")
    if not parameters:
        raise ValueError("fit needs at least one parameter to fit. Got an empty dict instead.")
    log = tuple(log)
    unknown = sorted(set(log) - set(parameters))
    if unknown:
        raise ValueError(f"The 'log' parameter of fit names {unknown}, which are not fitted; "
                         f"fitted: {sorted(parameters)}.")
    bounds = {n: check_bounds(n, b, "fit", log=n in log) for n, b in parameters.items()}
    ParameterSpace(template, list(bounds), dims={n: b[2] for n, b in bounds.items()})
    targets = targets if isinstance(targets, Targets) else Targets(targets)
    evaluator = Evaluator(template, list(bounds), protocols, dt=dt, method=method, target=target,
                          all_expressing=all_expressing)
    known = evaluator.features
    absent = [f for f in targets.features if f not in known]
    if absent:
        raise KeyError(f"Targets {absent} are no feature of the protocols "
                       f"{[p.name for p in evaluator.protocols]}; their features: {sorted(known)}.")
    codec = _Codec(bounds, log)
    batch_size = int(batch_size or population)
    settings = {"optimizer": optimizer, "population": int(population),
                "generations": int(generations), "seed": seed, "log": list(log),
                "x0": {k: float(np.asarray(v)) for k, v in (x0 or {}).items()},
                "sigma0": sigma0, "stop_when_met": stop_when_met, "batch_size": batch_size,
                "bounds": {n: [b[0], b[1]] for n, b in bounds.items()},
                "targets": targets.table[["feature", "mean", "sd", "low", "high"]]
                .to_dict("list")}
    fingerprint = hashlib.sha256(json.dumps([evaluator.fingerprint(), settings], sort_keys=True,
                                            default=str).encode()).hexdigest()[:16]
    study = Study(directory, fingerprint, {"kind": "fit", "template": template.name,
                                           "parameters": list(bounds), "optimizer": optimizer,
                                           "population": int(population), "seed": seed})
    objective = _Objective(evaluator, targets, codec, study, batch_size, client, progress)
    start = None
    if x0:
        missing = sorted(set(bounds) - set(x0))
        if missing:
            raise ValueError(f"The 'x0' parameter of fit must give every fitted parameter; "
                             f"missing {missing}.")
        start = codec.encode(np.array([[float(np.asarray(x0[n])) for n in codec.names]]))[0]
    runner = _run_cma if optimizer == "cma" else _run_de
    runner(objective, len(bounds), population, generations, seed, start, sigma0,
           stop_when_met, targets)
    return FitResult(evaluator, targets, codec, objective, settings)


def _met_all(objective, targets):
    last = objective.frames[-1]
    ok = last.status.astype(str).isin(["ok"]).to_numpy()
    return bool((targets.met(last).all(axis=1).to_numpy() & ok).any())


def _progress(total, progress):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="fit", unit="generation", disable=not progress)


def _run_cma(objective, d, population, generations, seed, start, sigma0, stop_when_met,
             targets):
    import cma

    rng = np.random.default_rng(seed)
    es = cma.CMAEvolutionStrategy(
        np.full(d, 0.5) if start is None else start, sigma0,
        {"bounds": [0, 1], "popsize": int(population), "seed": np.nan, "verbose": -9,
         "randn": lambda *shape: rng.standard_normal(shape), "maxiter": int(generations) + 1,
         "tolfun": 0, "tolx": 1e-6, "tolflatfitness": 10**9})
    bar = _progress(int(generations) + 1, objective.progress)
    try:
        while not es.stop():
            X = np.array(es.ask())
            es.tell(list(X), list(objective(X)))
            bar.update()
            if stop_when_met and _met_all(objective, targets):
                break
    finally:
        bar.close()


def _run_de(objective, d, population, generations, seed, start, sigma0, stop_when_met,
            targets):
    from scipy.optimize import differential_evolution

    popsize = int(np.ceil(population / d))
    bar = _progress(int(generations) + 1, objective.progress)

    def func(u):  # u: (parameters, candidates)
        out = objective(np.asarray(u).T)
        bar.update()
        return out

    def callback(intermediate_result):
        return bool(stop_when_met and _met_all(objective, targets))

    try:
        differential_evolution(func, [(0, 1)] * d, vectorized=True, updating="deferred",
                               popsize=popsize, maxiter=int(generations), rng=seed,
                               polish=False, tol=0, atol=0, callback=callback,
                               x0=start, init="latinhypercube")
    finally:
        bar.close()


class FitResult:
    """What `fit` returns (learned values end in ``_``).

    Attributes
    ----------
    parameters_ : dict
        Name -> fitted value (`Quantity`).
    error_ : float
        Objective of the best candidate.
    features_ : Series
        Its features.
    errors_ : Series
        Its error per target feature.
    met_ : Series
        Per target feature: inside its range / within 2 SD.
    history_ : DataFrame
        Per generation: ``generation, best_error, median_error, candidates, failed``.
    evaluations_ : DataFrame
        Every evaluated candidate: parameters (SI, ``<name>_si``), features, status,
        error, generation.
    settings : dict
        The fit's arguments (plain data).
    """

    def __init__(self, evaluator, targets, codec, objective, settings):
        self.evaluator, self.targets, self.codec = evaluator, targets, codec
        self._objective = objective
        self.settings = settings
        evals = pd.concat(objective.frames, ignore_index=True)
        self.evaluations_ = evals
        best = evals.loc[evals.error.idxmin()]
        self._best_x = np.array([best[f"{n}_si"] for n in codec.names])
        self.parameters_ = {n: codec.quantity(k, self._best_x[k]) for k, n in enumerate(codec.names)}
        self.error_ = float(best.error)
        self.features_ = best.reindex(list(evaluator.features))
        frame = evals.loc[[evals.error.idxmin()]]
        self.errors_ = targets.errors(frame).iloc[0]
        self.met_ = targets.met(frame).iloc[0]
        by_gen = evals.groupby("generation", sort=True)
        self.history_ = pd.DataFrame({
            "best_error": by_gen.error.min(), "median_error": by_gen.error.median(),
            "candidates": by_gen.size(),
            "failed": by_gen.status.apply(lambda s: int(s.astype(str).str.startswith(
                (DIVERGED, "failed")).sum()))}).reset_index()
        self.history_["best_so_far"] = self.history_.best_error.cummin()

    def table(self):
        """The fitted parameters: name, value and bounds in the column's unit."""
        rows = []
        for k, name in enumerate(self.codec.names):
            factor, unit = display(name, self.codec.dims[k])
            rows.append(dict(parameter=name, value=self._best_x[k] / factor, unit=unit,
                             low=self.codec.lo[k] / factor, high=self.codec.hi[k] / factor,
                             log=bool(self.codec.log[k])))
        return pd.DataFrame(rows)

    def comparison(self):
        """Per target: the fitted value, the target (mean, sd, low, high), error and met."""
        out = self.targets.table[["feature", "mean", "sd", "low", "high"]].copy()
        out.insert(1, "fit", [float(self.features_[f]) for f in out.feature])
        out["error"] = self.errors_.to_numpy()
        out["met"] = self.met_.to_numpy()
        return out

    def identifiability(self, step=0.05, within=0.05):
        """Local identifiability of each parameter around the optimum.

        Each parameter is moved by ``±step`` (relative) with the others at the
        optimum: ``2 * n_parameters`` candidates, one batch. With ``J`` the
        derivative of the signed feature errors ``(f - centre)/tolerance`` by the
        relative parameter changes:

        - ``sensitivity``: the norm of its column of ``J`` (tolerance units per
          100 % change);
        - ``uncertainty``: ``sqrt(diag((J^T J)^-1))``, the relative change that
          costs one tolerance unit when the other parameters compensate (inf for
          a singular ``J^T J``);
        - ``identifiable``: ``uncertainty <= within``; ``confounded_with``: the
          parameter it trades off against most (largest partial correlation).

        Returns
        -------
        DataFrame
        """
        d = len(self.codec.names)
        x = np.repeat(self._best_x[None, :], 2 * d, axis=0)
        for k in range(d):
            x[2 * k, k] *= 1 + step
            x[2 * k + 1, k] *= 1 - step
        x = np.clip(x, self.codec.lo, self.codec.hi)
        rel = x[np.arange(2 * d), np.repeat(np.arange(d), 2)] / self._best_x[np.repeat(np.arange(d), 2)] - 1
        table = self._objective.table(x, "identifiability")
        signed = self._signed(table)
        J = np.zeros((signed.shape[1], d))
        for k in range(d):
            span = rel[2 * k] - rel[2 * k + 1]
            J[:, k] = (signed[2 * k] - signed[2 * k + 1]) / span if span else 0.0
        J = np.where(np.isfinite(J), J, 0.0)
        fisher = J.T @ J
        try:
            cov = np.linalg.inv(fisher)
            unc = np.sqrt(np.maximum(np.diag(cov), 0))
            corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
        except np.linalg.LinAlgError:
            unc = np.full(d, np.inf)
            corr = np.full((d, d), np.nan)
        rows = []
        for k, name in enumerate(self.codec.names):
            others = [(abs(corr[k, j]), self.codec.names[j]) for j in range(d)
                      if j != k and np.isfinite(corr[k, j])]
            partner = max(others)[1] if others and max(others)[0] > 0.9 else ""
            rows.append(dict(parameter=name, value=self._best_x[k],
                             sensitivity=float(np.linalg.norm(J[:, k])),
                             uncertainty=float(unc[k]), identifiable=bool(unc[k] <= within),
                             confounded_with=partner))
        return pd.DataFrame(rows)

    def _signed(self, table):
        """Signed errors (f - centre)/tolerance per candidate and target feature; NaN -> 0."""
        cols = []
        for row in self.targets.table.itertuples():
            f = table[row.feature].to_numpy(dtype=float)
            if np.isfinite(row.low) and np.isfinite(row.high):
                centre, tol = (row.low + row.high) / 2, (row.high - row.low) / 2
            else:
                centre, tol = row.mean, row.sd
            cols.append(np.where(np.isfinite(f), (f - centre) / tol, 0.0))
        return np.column_stack(cols)

    def figure(self):
        """Target vs fit (each feature normalised to its target band) and the error
        history: a matplotlib `Figure`."""
        import matplotlib.pyplot as plt

        comp = self.comparison()
        fig, (ax, hx) = plt.subplots(1, 2, figsize=(11, max(3, 0.35 * len(comp) + 1)),
                                     gridspec_kw={"width_ratios": [2, 1]})
        y = np.arange(len(comp))
        for i, row in enumerate(comp.itertuples()):
            if np.isfinite(row.low) and np.isfinite(row.high):
                centre, half = (row.low + row.high) / 2, (row.high - row.low) / 2
                band = 1.0
            else:
                centre, half, band = row.mean, row.sd, 2.0
            ax.plot([-band, band], [i, i], color="0.75", lw=6, solid_capstyle="butt")
            value = (row.fit - centre) / half if np.isfinite(row.fit) else np.nan
            ax.plot([np.clip(value, -6, 6)], [i], "o", color="C2" if row.met else "C3")
        ax.axvline(0, color="0.5", lw=0.5)
        ax.set_yticks(y, [f"{f} = {v:.3g}" for f, v in zip(comp.feature, comp.fit)])
        ax.set_xlabel("fit relative to target (0 = centre; grey: range or ±2 SD)")
        ax.set_xlim(-6.5, 6.5)
        ax.invert_yaxis()
        h = self.history_
        hx.semilogy(h.generation, np.maximum(h.best_so_far, 1e-6), "k-", label="best so far")
        hx.semilogy(h.generation, np.maximum(h.median_error, 1e-6), color="0.6",
                    label="generation median")
        hx.legend(frameon=False)
        hx.set_xlabel("generation")
        hx.set_ylabel("objective (sum of squared errors)")
        fig.tight_layout()
        return fig

    def __repr__(self):
        met = int(self.met_.sum())
        return (f"{type(self).__name__}(error={self.error_:.3g}, met {met}/{len(self.met_)} "
                f"targets, parameters={ {k: str(v) for k, v in self.parameters_.items()} })")
