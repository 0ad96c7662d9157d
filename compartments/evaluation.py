"""Evaluating candidates: one group per batch, one compiled code path, features per candidate.

An `Evaluator` holds what a study evaluates: a template, the names of the
varied parameters (a `ParameterSpace`), the protocols (`compartments.analysis.series`)
and the numerics (dt, method, code-generation target). `Evaluator.evaluate` takes
the SI values of ``n`` candidates and

1. takes a group of ``n*k`` neurons (``k`` = the most neurons a protocol needs per
   candidate) from this process's cache, or makes one (the first batch compiles,
   later batches of the same size reuse group, network and compiled code);
2. resets every template parameter, sets the candidates' values (and modulator
   levels in a pool with one neuron per candidate), and `equilibrate`\\s;
3. runs each protocol on the whole group and merges the per-candidate summaries;
4. when a candidate diverges (`SimulationDiverged`), records it, gives its neurons
   the template's values and runs the protocol again for the others.

It returns one row per candidate: the features and a ``status`` (``"ok"``,
``"no rest"``: no stable resting state, features from wherever its relaxation
ended; ``"diverged: <compartment>"``: features NaN). The same values in the same
batch give the same row on every run of the same target, thread count and
compiler flags (no randomness is involved).
"""

import hashlib
import json
import warnings
from collections import OrderedDict

import numpy as np
import pandas as pd
from brian2 import Network, molar, ms, prefs

from . import backends
from .guard import SimulationDiverged, voltage_names
from .rest import NO_REST, equilibrate, rest_status
from .space import ParameterSpace

__all__ = ["Evaluator", "OK", "NO_REST_STATUS", "DIVERGED", "clear_cache"]

OK, NO_REST_STATUS, DIVERGED = "ok", "no rest", "diverged"
_CACHE = OrderedDict()  # (evaluator key, neurons) -> (group, network, pool); per process
_CACHE_SIZE = 2
_MAX_RETRIES = 3


def clear_cache():
    """Drop the groups this process keeps for evaluation (frees their memory)."""
    _CACHE.clear()


class Evaluator:
    """Evaluates candidates of ``template`` on ``protocols`` (see the module docstring).

    Parameters
    ----------
    template : `CellTemplate`
    names : sequence of str
        Varied parameters (`ParameterSpace` names).
    protocols : sequence
        `StepSeries`, `BACSeries`, `TraceSeries` (or any object with their interface).
    dt : `Quantity`
        Time step (default 0.025 ms).
    method : str, optional
        Integration method (default the template's).
    target : str, optional
        Code-generation target, ``"cython"`` or ``"numpy"`` (default: the current one,
        ``"cython"`` if Brian2's is still ``"auto"``).
    all_expressing : bool
        With modulator parameters: every neuron expresses every receptor of the
        template's table at its level (default), as in published bath effects.
    seed : int
        Seed of the receptor-expression draw when not ``all_expressing``.
    """

    def __init__(self, template, names, protocols, dt=0.025 * ms, method=None, target=None,
                 all_expressing=True, seed=0):
        self.template = template
        self.space = ParameterSpace(template, list(names))
        self.protocols = list(protocols)
        if not self.protocols:
            raise ValueError("An Evaluator needs at least one protocol. Got none.")
        seen = {}
        for p in self.protocols:
            for f in p.features:
                if f in seen:
                    raise ValueError(f"Protocols {seen[f]!r} and {p.name!r} both report "
                                     f"feature {f!r}; give them different names.")
                seen[f] = p.name
        self.dt, self.method = dt, method
        self.target = target or (prefs.codegen.target if prefs.codegen.target != "auto"
                                 else "cython")
        if self.target not in ("cython", "numpy"):
            raise ValueError(f"The 'target' parameter of Evaluator must be 'cython' or 'numpy' "
                             f"(runtime targets). Got {self.target!r} instead.")
        self.all_expressing, self.seed = all_expressing, seed
        self.neurons = max(p.neurons for p in self.protocols)

    @property
    def features(self):
        """Feature name -> unit, over all protocols."""
        out = {}
        for p in self.protocols:
            out.update(p.features)
        return out

    def spec(self):
        """Plain data that identifies what is evaluated (a study's fingerprint)."""
        return {"template": self.template.to_dict(), "names": list(self.space.names),
                "protocols": [p.spec() for p in self.protocols],
                "features": sorted(self.features),
                "dt_ms": float(self.dt / ms), "method": self.method or self.template.method,
                "target": self.target, "all_expressing": self.all_expressing, "seed": self.seed}

    def fingerprint(self):
        """SHA-256 (16 hex digits) of `spec`."""
        return hashlib.sha256(json.dumps(self.spec(), sort_keys=True).encode()).hexdigest()[:16]

    # -- groups ----------------------------------------------------------------------
    def _group(self, n):
        key = (self.fingerprint(), n)
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        backends.use(self.target)
        modulators = self.space.modulators
        pool = None
        kwargs = {}
        if modulators:
            from .neuromodulation import modulator_pool

            pool = modulator_pool(modulators, n=n // self.neurons)
            kwargs = dict(modulators=modulators, pool=pool, seed=self.seed,
                          pool_index=np.repeat(np.arange(n // self.neurons), self.neurons))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rest is solved again below
            group = self.template.make_group(n, dt=self.dt, method=self.method, **kwargs)
        if modulators and self.all_expressing:
            _express_all(group, self.template)
        network = Network(group, pool) if pool is not None else Network(group)
        _CACHE[key] = (group, network, pool)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return _CACHE[key]

    def _apply(self, group, pool, values, n):
        defaults = self.template.initial_values(len(group))
        for var, arr in self.space.assignments(values, repeat=self.neurons).items():
            if var in defaults:
                defaults[var] = arr
            else:  # a modulator level (molar), one per candidate in the pool
                level = arr[::self.neurons]
                setattr(pool, f"c_{var}_tonic", level * molar)
                setattr(pool, f"c_{var}", level * molar)
        for var, arr in defaults.items():
            setattr(group, var + "_", arr)

    # -- evaluation ------------------------------------------------------------------
    def evaluate(self, values):
        """Features and status of the candidates whose SI values are ``values``.

        Parameters
        ----------
        values : dict
            Name -> float array (SI), one entry per candidate.

        Returns
        -------
        DataFrame
            ``candidate`` (0 .. n-1 within this batch), every feature, ``status``.
        """
        n = len(next(iter(values.values())))
        group, network, pool = self._group(n * self.neurons)
        backends.use(self.target)
        status = np.full(n, OK, dtype=object)
        values = {k: np.asarray(v, dtype=float).copy() for k, v in values.items()}
        summaries = []
        for protocol in self.protocols:
            for _ in range(_MAX_RETRIES + 1):
                self._apply(group, pool, _masked(values, status, self.space), n)
                equilibrate(group, warn=False)
                rest = rest_status(group).to_numpy()[::self.neurons]
                status[(status == OK) & (rest == NO_REST)] = NO_REST_STATUS
                # every protocol starts at t = 0, as Network.restore() rewinds it: the
                # stimulus samples are then the same whatever ran before in this process
                network.t_ = 0.0
                try:
                    summary, _ = protocol.run(group, n, network=network)
                    break
                except SimulationDiverged:
                    _mark_diverged(group, status, self.neurons)
            else:
                raise SimulationDiverged(f"Candidates kept diverging after {_MAX_RETRIES} "
                                         f"retries of protocol {protocol.name!r}.")
            summaries.append(summary.set_index("candidate"))
        out = pd.concat(summaries, axis=1).reset_index()
        bad = np.array([str(s).startswith(DIVERGED) for s in status])
        feature_cols = [c for c in out.columns if c != "candidate"]
        out.loc[bad, feature_cols] = np.nan
        out["status"] = status
        return out

    def __repr__(self):
        return (f"{type(self).__name__}({self.template.name!r}, parameters="
                f"{list(self.space.names)}, protocols={[p.name for p in self.protocols]})")


def _masked(values, status, space):
    """Candidate values, with the template's own values for diverged candidates."""
    bad = np.array([str(s).startswith(DIVERGED) for s in status])
    if not bad.any():
        return values
    defaults = space.template.initial_values(1)
    out = {}
    for axis in space.axes:
        x = values[axis.name].copy()
        if axis.kind == "scale":
            x[bad] = 1.0
        elif axis.kind == "modulator":
            x[bad] = 0.0
        else:
            x[bad] = defaults[axis.variables[0]][0]
        out[axis.name] = x
    return out


def _mark_diverged(group, status, k):
    """Record the diverged candidates (status names the compartment) and clear the flags."""
    flags = np.asarray(group.diverged_segment_)
    names = voltage_names(group.equations)
    for neuron in np.flatnonzero(flags):
        candidate = neuron // k
        if not str(status[candidate]).startswith(DIVERGED):
            status[candidate] = f"{DIVERGED}: {names[int(flags[neuron]) - 1][2:]}"
    group.diverged_segment_ = 0
    group.t_diverged_ = 0


def _express_all(group, template):
    """Every neuron expresses every receptor of the template's table at its level."""
    from .template import modulation_of

    keys = {r.name: r.key for r in modulation_of(group).receptors}
    for row in template.modulation.table.itertuples():
        if row.receptor in keys:
            setattr(group, f"x_{keys[row.receptor]}_{row.compartment}_", row.level)
