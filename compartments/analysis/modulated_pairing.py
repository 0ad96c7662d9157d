"""Pairing experiments with neuromodulators applied relative to the pairing.

A condition is a list of `Application`s — a modulator at a receptor-site
concentration from an onset to an offset, timed from the first or the last
pairing — and an experiment runs every condition x Δt at once: one synapse
each, one pool region per condition, one network.

- `pairing_experiment`: rule level (spike trains imposed on both sides).
- `pairing_experiment_cell`: the post-synaptic spikes evoked in a template
  cell by somatic current pulses; the cell reads the same pool regions, so
  its excitability is modulated too, and `Effector` signals read its own
  receptors.
- `delay_conditions`: one condition per modulator delay (the conversion
  window).

Time step. At rule level every spike is imposed and the STDP traces are
event-driven, and the conversion step is exact for step-wise applications,
so Δw does not depend on dt as long as every spike and application time lies
on the grid: `pairing_experiment` picks the largest such step up to
``max_dt`` (a 40-minute slice protocol at 0.1 ms would be 24 million steps).
The cell-level experiment runs at the clock's dt (the cell needs it).
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from brian2 import (Network, SpikeGeneratorGroup, SpikeMonitor, amp, defaultclock, molar, ms,
                    nA, second)

from ..neuromodulation.pools import MODULATORS, check_modulators, modulator_pool
from ..plasticity import plastic_synapses
from ..stdp_signals import Effector
from ..validation import check_positive, check_quantity

__all__ = ["Application", "pairing_experiment", "pairing_experiment_cell", "delay_conditions",
           "REFERENCES"]

REFERENCES = ("start", "end", "experiment")


@dataclass(frozen=True)
class Application:
    """A modulator at a receptor-site concentration from ``onset`` for ``duration``.

    Parameters
    ----------
    modulator : {'DA', 'ACh', '5HT', 'NE'}
    level : `Quantity`
        Receptor-site concentration (molar; convert slice baths with
        `compartments.neuromodulation.bath_to_receptor_site`).
    onset : `Quantity`
        Time from the reference (negative: before it).
    duration : `Quantity`, optional
        How long it stays; ``None``: to the end of the experiment.
    reference : {'start', 'end', 'experiment'}
        The first pairing, the last one (its post spike), or t = 0 (a tonic
        level: ``Application("DA", 2*nM, reference="experiment")``).
    decay : `Quantity`, optional
        A transient: ``level * exp(-(t - onset)/decay)`` (a release), sampled
        on a grid of ``decay/100`` (error ~0.5 % of its integral); default a
        step.
    """

    modulator: str
    level: object
    onset: object = None
    duration: object = None
    reference: str = "start"
    decay: object = None

    def __post_init__(self):
        owner = "Application"
        if self.onset is None:
            object.__setattr__(self, "onset", 0 * second)
        check_modulators((self.modulator,), owner)
        level = check_quantity(self.level, molar, "level", owner, "a concentration, e.g. 1*uM")
        if float(level) < 0:
            raise ValueError(f"The 'level' of {owner} must be >= 0. Got {self.level!r}.")
        check_quantity(self.onset, second, "onset", owner, "a time")
        if self.duration is not None:
            check_positive(check_quantity(self.duration, second, "duration", owner, "a time"),
                           "duration", owner)
        if self.decay is not None:
            check_positive(check_quantity(self.decay, second, "decay", owner, "a time"),
                           "decay", owner)
        if self.reference not in REFERENCES:
            raise ValueError(f"The 'reference' of {owner} must be one of {list(REFERENCES)}. "
                             f"Got {self.reference!r} instead.")


def delay_conditions(modulator, level, delays, duration=None, reference="end"):
    """``{"<M> at <d> s": [Application]}`` for each delay (a `Quantity` array)."""
    delays = check_quantity(delays, second, "delays", "delay_conditions", "times")
    return {f"{modulator} at {float(d / second):g} s": [
        Application(modulator, level, d, duration, reference)] for d in np.atleast_1d(delays)}


# -- timing -----------------------------------------------------------------------------
_TICK = 1e-6  # s: times are compared on a microsecond lattice


def _ticks(seconds):
    arr = np.atleast_1d(np.asarray(seconds, dtype=float)) / _TICK
    out = np.round(arr).astype(np.int64)
    if np.any(np.abs(arr - out) > 1e-6):
        raise ValueError(f"Protocol times must be multiples of 1 us. Got {seconds!r}.")
    return out


def grid_step(times_s, max_dt):
    """The largest step <= ``max_dt`` (seconds) on which every time in ``times_s`` lies."""
    g = 0
    for t in _ticks(times_s):
        g = math.gcd(g, int(abs(t)))
    limit = int(round(max_dt / _TICK))
    if g == 0:
        return limit * _TICK
    k = max(1, -(-g // limit))
    while g % k:
        k += 1
    return g // k * _TICK


class _Schedule:
    """Pairing and application times of an experiment (seconds).

    Two phases: the pairings on a step fine enough for every spike time, then
    (after the last spike) the rest on the grid of the applications, up to 1 s.
    """

    def __init__(self, dts_ms, n_pairings, period, conditions, after, owner):
        dts = check_quantity(dts_ms, second, "dts", owner, "time differences, e.g. [-20, 10]*ms")
        self.dts = np.atleast_1d(np.asarray(dts, dtype=float))
        if not isinstance(n_pairings, (int, np.integer)) or n_pairings < 1:
            raise ValueError(f"The 'n_pairings' parameter of {owner} must be a positive integer. "
                             f"Got {n_pairings!r} instead.")
        self.period = float(check_positive(check_quantity(period, second, "period", owner,
                                                          "a time"), "period", owner))
        if n_pairings > 1 and 2 * np.max(np.abs(self.dts)) >= self.period:
            raise ValueError(f"The 'period' of {owner} ({self.period} s) must exceed twice the "
                             f"largest |Δt| ({np.max(np.abs(self.dts))} s).")
        if not isinstance(conditions, dict) or not conditions:
            raise TypeError(f"The 'conditions' of {owner} must be a dict from a name to a list "
                            f"of Application (an empty list: control). Got {conditions!r}.")
        for name, apps in conditions.items():
            if not isinstance(apps, (list, tuple)) or not all(isinstance(a, Application)
                                                              for a in apps):
                raise TypeError(f"The condition {name!r} of {owner} must be a list of "
                                f"Application. Got {apps!r}.")
        self.conditions = conditions
        self.n = int(n_pairings)
        largest = float(np.max(np.abs(self.dts)))
        self.after = float(check_positive(check_quantity(after, second, "after", owner, "a time"),
                                          "after", owner))
        # the first pairing late enough for every pre spike and application, on the grid of
        # the protocol's own times (up to 1 s), so that the phase after the pairings can run
        # on that grid
        relative = [t for apps in conditions.values() for a in apps if a.reference != "experiment"
                    for t in self._relative(a) if math.isfinite(t)]
        grid = grid_step([self.period, self.after, *relative], 1.0)
        earliest = min(relative + [0.0])
        self.first = math.ceil(max(2 * largest, -earliest, 1e-3) / grid - 1e-9) * grid
        self.last = self.first + (self.n - 1) * self.period
        decays = [float(a.decay / second) for apps in conditions.values() for a in apps
                  if a.decay is not None]
        self.coarse = grid_step([self.first, self.after, self.period,
                                 *self.application_times()], min([1.0] + [d / 100 for d in decays]))
        last_spike = self.last + max(0.0, -float(np.min(self.dts)))
        self.switch = math.ceil((last_spike + 1e-3) / self.coarse - 1e-9) * self.coarse
        self.end = self.switch + math.ceil(
            (self.last + self.after - self.switch) / self.coarse - 1e-9) * self.coarse

    def _relative(self, app):
        """(on, off) of an application relative to the first pairing (seconds)."""
        on = float(app.onset / second) + (0.0 if app.reference == "start"
                                          else (self.n - 1) * self.period)
        off = math.inf if app.duration is None else on + float(app.duration / second)
        return on, off

    def windows(self, app):
        on, off = self._relative(app)
        if app.reference == "experiment":
            return on, off
        return self.first + on, self.first + off

    def spike_times(self):
        """(pre, post) times, shape (len(dts), n): post at each pairing, pre Δt earlier."""
        post = self.first + self.period * np.arange(self.n)
        post = np.broadcast_to(post, (len(self.dts), self.n))
        return post - self.dts[:, None], post

    def application_times(self):
        times = []
        for apps in self.conditions.values():
            for a in apps:
                on, off = self.windows(a)
                times += [on] + ([off] if math.isfinite(off) else [])
        return times

    def fine_step(self, max_dt):
        """The pairing phase's step: every spike time, every application time before the
        switch and the switch itself on its grid."""
        pre, post = self.spike_times()
        early = [t for t in self.application_times() if t < self.switch]
        return grid_step([self.switch, *pre.ravel(), *post.ravel(), *early], max_dt)

    def modulators(self):
        return sorted({a.modulator for apps in self.conditions.values() for a in apps},
                      key=list(MODULATORS).index)

    def events(self):
        """Level changes: {time: [(condition index, modulator, d_tonic, d_level, decay)]}.

        A step adds its level to the tonic level and to the level at its onset and
        removes both at its offset; a transient adds to the level only (it relaxes to
        the tonic level with its decay, exactly: the pool's own exponential)."""
        out = {}
        for k, apps in enumerate(self.conditions.values()):
            for a in apps:
                on, off = self.windows(a)
                level = float(np.asarray(a.level))          # SI (mol/m^3)
                if a.decay is not None:
                    out.setdefault(on, []).append((k, a.modulator, 0.0, level, a.decay))
                    continue
                out.setdefault(on, []).append((k, a.modulator, level, level, None))
                if math.isfinite(off):
                    out.setdefault(off, []).append((k, a.modulator, -level, -level, None))
        return dict(sorted(out.items()))

    def decays(self):
        """Modulator -> per-condition decay (seconds) of its transients (default 0.2 s)."""
        out = {m: np.full(len(self.conditions), 0.2) for m in self.modulators()}
        for k, apps in enumerate(self.conditions.values()):
            seen = {}
            for a in apps:
                if a.decay is None:
                    continue
                d = float(a.decay / second)
                if seen.setdefault(a.modulator, d) != d:
                    raise ValueError(f"Condition {list(self.conditions)[k]!r}: transients of "
                                     f"{a.modulator} with different decays ({seen[a.modulator]} "
                                     f"and {d} s) cannot share one pool region.")
                out[a.modulator][k] = d
        return out


def _modulators(schedule, rule):
    used = schedule.modulators() + [s.modulator for s in getattr(rule, "signals", {}).values()]
    return [m for m in MODULATORS if m in used]


def _pool_for(schedule, rule):
    """A pool with one region per condition, at 0 until the events set it (None: no
    modulator). Levels change between run segments (`_run`), not through a TimedArray:
    Brian2's numpy TimedArray formats its result at every call (~1 ms per step)."""
    modulators = _modulators(schedule, rule)
    if not modulators:
        return None
    decays = schedule.decays()
    return modulator_pool(modulators, n=len(schedule.conditions),
                          tau={m: decays.get(m, np.full(len(schedule.conditions), 0.2)) * second
                               for m in modulators}, name="pairing_pool*")


def _run(net, pool, schedule, switch=None):
    """Run to the end, applying the level changes at their times and, at ``switch``
    (time, dt), changing the step."""
    stops = dict.fromkeys(sorted(set(schedule.events()) | {schedule.end}
                                 | ({switch[0]} if switch else set())))
    events = schedule.events()
    now = 0.0
    for stop in stops:
        if stop > now + 1e-12:
            net.run((stop - now) * second)
            now = stop
        if switch and abs(stop - switch[0]) < 1e-12:
            defaultclock.dt = switch[1] * second
        for k, modulator, d_tonic, d_level, _ in events.get(stop, ()):
            v = MODULATORS[modulator]
            tonic = getattr(pool, f"c_{v}_tonic_")
            level = getattr(pool, f"c_{v}_")
            tonic[k] = max(0.0, tonic[k] + d_tonic)
            level[k] = max(0.0, level[k] + d_level)


def _tidy(schedule, w0, w_after, eligibility):
    names = list(schedule.conditions)
    out = pd.DataFrame({
        "condition": np.repeat(names, len(schedule.dts)),
        "dt_ms": np.tile(schedule.dts * 1e3, len(names)),
        "n_pairings": schedule.n,
        "w_before": float(w0), "w_after": w_after})
    out["dw"] = out.w_after - out.w_before
    out["change_percent"] = 100.0 * out.dw / out.w_before
    if eligibility is not None:
        out["eligibility"] = eligibility
    return out


def pairing_experiment(rule, conditions, dts, n_pairings=1, period=5 * second,
                       after=60 * second, weight=0.5, max_dt=10 * ms, record=None):
    """Δw of a rule for every condition and Δt: spike pairs imposed, modulators applied.

    Parameters
    ----------
    rule : `ModulatedSTDP` (or any rule of `compartments.plasticity`)
        Its synapse-local signals read the experiment's pool (one region per
        condition); `Effector` signals need a cell (`pairing_experiment_cell`).
    conditions : dict
        Name -> list of `Application` (``[]``: no modulator).
    dts : `Quantity` array
        Δt = t_post − t_pre.
    n_pairings : int
    period : `Quantity`
        Interval between pairings (Brzosko et al. 2015: 5 s, i.e. 0.2 Hz).
    after : `Quantity`
        Time simulated after the last pairing (let the eligibility traces
        decay: several ``tau_ltp``).
    weight : float
        Initial weight (``change_percent`` is relative to it).
    max_dt : `Quantity`
        Largest time step of the pairing phase; the step used is the largest
        one <= ``max_dt`` on which every spike and application time lies.
        After the last spike the experiment continues on the applications'
        grid (up to 1 s): Δw does not depend on either step.
    record : `Quantity`, optional
        Sampling interval of ``w``; the traces are then in ``out.attrs["w"]``
        (a DataFrame t_s x synapse, columns as the rows of ``out``).

    Returns
    -------
    DataFrame: condition, dt_ms, n_pairings, w_before, w_after, dw,
    change_percent (100 Δw / w_before) and, with eligibility traces,
    eligibility (c_ltp − c_ltd at the end).
    """
    owner = "pairing_experiment"
    if any(isinstance(s, Effector) for s in getattr(rule, "signals", {}).values()):
        raise TypeError(f"{owner}: the rule reads post-synaptic receptors (Effector signals); "
                        f"use pairing_experiment_cell, or Occupancy signals at rule level.")
    schedule = _Schedule(dts, n_pairings, period, conditions, after, owner)
    max_dt = float(check_positive(check_quantity(max_dt, second, "max_dt", owner, "a time"),
                                  "max_dt", owner))
    decays = [d for ds in schedule.decays().values() for d in ds]
    transient = any(a.decay is not None for apps in schedule.conditions.values() for a in apps)
    # a transient is held over each step: keep the step at 1 % of its decay (error ~0.5 %)
    step = schedule.fine_step(min(max_dt, min(decays) / 100) if transient else max_dt)
    previous = defaultclock.dt
    defaultclock.dt = step * second
    try:
        pool = _pool_for(schedule, rule)
        if getattr(rule, "signals", None):
            rule = rule.with_pool(pool)
        n_cond, n_dt = len(schedule.conditions), len(schedule.dts)
        pre_t, post_t = schedule.spike_times()
        pre_t, post_t = np.tile(pre_t, (n_cond, 1)), np.tile(post_t, (n_cond, 1))
        pre, post = _generator(pre_t), _generator(post_t)
        syn = plastic_synapses(pre, post, rule, weight=weight, j="i")
        if getattr(rule, "signals", None):
            syn.pool_index_plasticity = np.repeat(np.arange(n_cond), n_dt)
        net = Network(pre, post, syn, *rule.bind(post).dependencies)
        monitor = None
        if record is not None:
            from brian2 import StateMonitor

            monitor = StateMonitor(syn, "w", record=True, dt=record)
            net.add(monitor)
        if pool is not None and pool not in net.objects:
            net.add(pool)
        _run(net, pool, schedule, switch=(schedule.switch, schedule.coarse))
    finally:
        defaultclock.dt = previous
    eligibility = (np.asarray(syn.c_ltp[:] - syn.c_ltd[:], dtype=float)
                   if "c_ltp" in syn.variables else None)
    out = _tidy(schedule, weight, np.asarray(syn.w[:], dtype=float), eligibility)
    out.attrs["dt_s"] = (step, schedule.coarse)
    if monitor is not None:
        out.attrs["w"] = pd.DataFrame(np.asarray(monitor.w).T,
                                      index=pd.Index(np.asarray(monitor.t / second), name="t_s"))
    return out


def _generator(times_s):
    n, k = times_s.shape
    return SpikeGeneratorGroup(n, np.repeat(np.arange(n), k), times_s.ravel() * second)


def pairing_experiment_cell(cell, rule, receptors, conditions, dts, at=None, distance=None,
                            pulse=2 * nA, pulse_duration=2 * ms, n_pairings=1,
                            period=1 * second, after=5 * second, weight=0.5, seed=None):
    """Δw on a template cell: post spikes evoked by somatic pulses, modulators applied.

    Parameters
    ----------
    cell : `CellTemplate` with receptor expression (catalogue types have it)
        One neuron per condition x Δt is made, reading pool region = condition;
        the rule's `Effector` receptors are modelled (``make_group(...,
        receptors=...)``).
    rule : `ModulatedSTDP`
    receptors : dict
        Synaptic receptors of the plastic synapse (as for `connect`).
    conditions, dts, n_pairings, period, after, weight
        As in `pairing_experiment` (the clock's dt is used).
    at, distance : placement of the plastic synapse.
    pulse, pulse_duration : somatic current evoking each post spike.
    seed : int, optional
        Seed of the receptor-expression draw.

    Returns
    -------
    DataFrame as `pairing_experiment`, plus ``dt_actual_ms`` (first post spike
    of each pairing minus the pre arrival, mean) and ``post_spikes`` (per
    pairing, mean).
    """
    from ..synapses import connect

    owner = "pairing_experiment_cell"
    schedule = _Schedule(dts, n_pairings, period, conditions, after, owner)
    pulse = check_quantity(pulse, amp, "pulse", owner, "a current, e.g. 2*nA")
    width = float(check_positive(check_quantity(pulse_duration, second, "pulse_duration", owner,
                                                "a time"), "pulse_duration", owner))
    signals = getattr(rule, "signals", {})
    kept = tuple(dict.fromkeys(s.receptor.name for s in signals.values()
                               if hasattr(s, "receptor") and s.post_synaptic))
    step = float(defaultclock.dt / second)
    pool = _pool_for(schedule, rule)
    n_cond, n_dt = len(schedule.conditions), len(schedule.dts)
    n = n_cond * n_dt
    modulators = _modulators(schedule, rule)
    group = cell.make_group(n, modulators=modulators or None, pool=pool,
                            pool_index=np.repeat(np.arange(n_cond), n_dt) if pool else 0,
                            seed=seed, receptors=kept)
    pre_t, post_t = schedule.spike_times()
    pre_t, post_t = np.tile(pre_t, (n_cond, 1)), np.tile(post_t, (n_cond, 1))
    first, width_steps = schedule.first, max(1, int(round(width / step)))
    group.namespace.update(pairing_amp=pulse, pairing_first=first * second,
                           pairing_period=schedule.period * second,
                           pairing_last=(schedule.last + width) * second,
                           pairing_width=(width_steps - 0.5) * step * second)
    # a pulse of ``width`` at every pairing (an expression: no TimedArray, see _pool_for)
    group.run_regularly(
        f"I_ext_{cell.spike_segment} = pairing_amp*int(t >= pairing_first - 0.5*dt)"
        f"*int(t < pairing_last)*int((t - pairing_first + 0.5*dt) % pairing_period "
        f"< pairing_width + 0.5*dt)", when="start", name=f"{group.name}_pairing_pulse")
    pre = _generator(pre_t)
    syn = connect(pre, group, receptors, at=at, distance=distance, plasticity=rule,
                  weight=weight, j="i")
    spikes = SpikeMonitor(group)
    bound = rule.bind(group) if signals else rule
    net = Network(group, pre, syn, spikes, *bound.dependencies)
    if pool is not None and pool not in net.objects:
        net.add(pool)
    _run(net, pool, schedule)
    eligibility = (np.asarray(syn.c_ltp[:] - syn.c_ltd[:], dtype=float)
                   if "c_ltp" in syn.variables else None)
    out = _tidy(schedule, weight, np.asarray(syn.w[:], dtype=float), eligibility)
    t_spk, i_spk = np.asarray(spikes.t / second), np.asarray(spikes.i)
    lags, counts = np.full(n, np.nan), np.zeros(n)
    half = schedule.period / 2 if schedule.n > 1 else 0.05
    for k in range(n):
        mine = t_spk[i_spk == k]
        first = []
        for p in range(schedule.n):
            window = mine[(mine >= post_t[k, p] - half) & (mine < post_t[k, p] + half)]
            counts[k] += len(window)
            if len(window):
                first.append(window[0] - pre_t[k, p])
        lags[k] = np.mean(first) * 1e3 if first else np.nan
    out.insert(2, "dt_actual_ms", lags)
    out.insert(3, "post_spikes", counts / schedule.n)
    return out
