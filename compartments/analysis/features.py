"""Features read off a protocol's `Recording`, per neuron, as DataFrames.

Definitions (written here, vectorised over the neurons of one recording;
eFEL is not required: these few features are simple to state exactly, and
the eFEL names they follow are given so that values can be compared):

- ``n_spikes``, ``rate_Hz``: spikes inside the stimulus window, and their
  number divided by the window's length (eFEL ``mean_frequency`` counts
  differently: this is the plain count rate used for F-I curves).
- ``first_spike_latency_ms``: first spike after the window's start
  (eFEL ``time_to_first_spike``).
- ``isi_cv``: standard deviation / mean of the inter-spike intervals
  (eFEL ``ISI_CV``, ddof 1), at least 3 intervals.
- ``adaptation_index``: mean of (ISI_{k+1} - ISI_k)/(ISI_{k+1} + ISI_k) over
  consecutive intervals (eFEL ``adaptation_index2``, which Hay et al. 2011
  used; it skips no interval here).
- ``doublet_isi_ms``: the first interval (Hay et al.'s ``doublet_ISI``).
- ``isi_ratio``: last interval / first interval.
- ``max_instantaneous_rate_Hz``: 1000 / shortest interval.
- ``ap_threshold_mV``: voltage where a spike's upstroke (the run of
  dv/dt > 20 mV/ms through its steepest point, within the 3 ms before its
  peak and after the previous spike) starts; ``ap_peak_mV``: its peak; ``ap_halfwidth_ms``: its width at
  half height between threshold and peak (linear interpolation; eFEL
  ``AP_duration_half_width``); ``ap_width_ms``: its width at -20 mV (eFEL
  ``AP_width`` at eFEL's default ``Threshold``, the feature Hay et al. 2011 fitted);
  each the median over spikes 2-6 of the window (the first spike alone when it is
  the only one);
  ``ahp_mV``: minimum between the first and second spike peaks.
- ``v_base_mV``: mean voltage over the 20 ms before the window;
  ``v_ss_mV``: mean over the last 10 % of the window; ``v_min_mV``: minimum
  inside the window; ``sag_ratio`` = 1 - (v_base - v_ss)/(v_base - v_min)
  for hyperpolarising steps (0: no sag); ``R_in_MOhm`` = (v_ss - v_base)/I
  for steps without spikes; ``tau_m_ms``: time for v to cover 63.2 % of the
  way from v_base to v_min (or v_ss) after the step onset, for steps without
  spikes.
- ``rebound_spikes``: spikes within 300 ms after the window's end.
- ``burst_spikes``: the longest run of spikes separated by < 10 ms;
  ``initial_burst_spikes``: the run that starts with the window's first spike.

Spikes are the group's spike events (upward crossings of ``v_threshold`` at
the spike compartment; one event per action potential).

Every feature is computed for all neurons of a recording at once (array
operations over spikes and traces, no loop over neurons): a 1,000-candidate
batch of a step series takes a fraction of its simulation time (measured in
benchmarks/features_speed.py, where eFEL is compared).
"""

import numpy as np
import pandas as pd

__all__ = ["spike_features", "fi_curve", "rheobase", "burst_length", "FEATURE_UNITS"]

FEATURE_UNITS = {
    "n_spikes": "1", "rate_Hz": "Hz", "first_spike_latency_ms": "ms", "isi_cv": "1",
    "adaptation_index": "1", "doublet_isi_ms": "ms", "isi_ratio": "1",
    "max_instantaneous_rate_Hz": "Hz", "ap_threshold_mV": "mV", "ap_peak_mV": "mV",
    "ap_halfwidth_ms": "ms", "ap_width_ms": "ms", "ahp_mV": "mV", "v_base_mV": "mV", "v_ss_mV": "mV",
    "v_min_mV": "mV", "sag_ratio": "1", "R_in_MOhm": "MOhm", "tau_m_ms": "ms",
    "rebound_spikes": "1", "burst_spikes": "1", "initial_burst_spikes": "1",
}

_DVDT_THRESHOLD = 20.0  # mV/ms
_WIDTH_LEVEL = -20.0  # mV, the level of ap_width_ms (eFEL's AP_width at its default Threshold)
_BURST_ISI = 10.0  # ms
_REBOUND_WINDOW = 300.0  # ms


def burst_length(times, max_isi=_BURST_ISI):
    """Largest number of consecutive spikes separated by less than ``max_isi`` (ms)."""
    times = np.sort(np.asarray(times, dtype=float))
    if len(times) == 0:
        return 0
    best = run = 1
    for isi in np.diff(times):
        run = run + 1 if isi < max_isi else 1
        best = max(best, run)
    return best


def _first_crossings(t, V, level, start, stop, upward, block=256):
    """Vectorised first crossing: per row of ``V`` (``level``, ``start``, ``stop`` per row), the
    interpolated time of the first upward (``upward`` True) or downward crossing in index
    range [start, stop); NaN if none. ``t`` is shared (1-D) or per row (2-D); ``upward`` a
    bool or one per row. Rows are processed in blocks (bounded memory)."""
    n, m = V.shape
    level, start, stop = (np.broadcast_to(np.asarray(x), (n,)) for x in (level, start, stop))
    upward = np.broadcast_to(np.asarray(upward, dtype=bool), (n,))
    out = np.full(n, np.nan)
    k = np.arange(m - 1)
    for lo in range(0, n, block):
        sl = slice(lo, min(n, lo + block))
        v, lev = V[sl], level[sl][:, None]
        above = v >= lev
        crossing = np.where(upward[sl][:, None], ~above[:, :-1] & above[:, 1:],
                            above[:, :-1] & ~above[:, 1:])
        crossing &= (k >= start[sl][:, None]) & (k + 1 < stop[sl][:, None])
        found = crossing.any(axis=1)
        first = np.argmax(crossing, axis=1)
        rows = np.arange(v.shape[0])
        nxt = np.minimum(first + 1, m - 1)
        tt = t[sl] if t.ndim == 2 else np.broadcast_to(t, v.shape)
        with np.errstate(all="ignore"):
            frac = (level[sl] - v[rows, first]) / (v[rows, nxt] - v[rows, first])
            value = tt[rows, first] + frac * (tt[rows, nxt] - tt[rows, first])
        out[sl] = np.where(found, value, np.nan)
    return out


def _spike_shapes(t, V, rows, times, lowers):
    """Threshold, peak, half-width and width at -20 mV (ms) of the spikes detected at
    ``times`` in rows ``rows``
    of ``V`` (each bounded below by ``lowers``), vectorised over spikes.

    A spike's peak is the maximum within 2 ms after detection; its upstroke the run of
    slopes above `_DVDT_THRESHOLD` through the steepest point within the 3 ms before the
    peak and after ``lower``; its threshold the voltage where that run starts; its
    half-width the time between the upward and downward crossings of the half height
    (the latter within 10 ms after the peak). Each spike is read from its own window of
    samples, so memory grows with spikes, not with trace length.
    """
    dt = t[1] - t[0]
    m = V.shape[1]
    n = len(times)
    s = np.searchsorted(t, times)
    e = np.minimum(np.searchsorted(t, times + 2.0) + 1, m)
    b = np.maximum(np.maximum(np.searchsorted(t, times - 3.0), np.searchsorted(t, lowers)), 1)
    after = int(10.0 / dt)
    first = b - 1  # each spike's window: samples first .. last
    last = np.minimum(e + after, m - 1)
    width = int((last - first).max()) + 1
    cols = first[:, None] + np.arange(width)[None, :]
    inwin = cols <= last[:, None]
    cols = np.minimum(cols, m - 1)
    W = V[rows[:, None], cols]
    T = t[cols]
    j = np.arange(width)[None, :]
    peak_zone = (cols >= s[:, None]) & (cols < e[:, None]) & inwin
    p = np.argmax(np.where(peak_zone, W, -np.inf), axis=1)  # local index of the peak
    peak = W[np.arange(n), p]
    # slope into local sample j (j >= 1), for samples b .. peak (local 1 .. p)
    dvdt = np.full(W.shape, -np.inf)
    dvdt[:, 1:] = (W[:, 1:] - W[:, :-1]) / dt
    dvdt = np.where((j >= 1) & (j <= p[:, None]), dvdt, -np.inf)
    steepest = np.argmax(dvdt, axis=1)
    low = (dvdt <= _DVDT_THRESHOLD) & (j >= 1) & (j < steepest[:, None])
    start_found = low.any(axis=1)
    last_low = width - 1 - np.argmax(low[:, ::-1], axis=1)
    ok = start_found & (dvdt[np.arange(n), steepest] > _DVDT_THRESHOLD)
    threshold = np.where(ok, W[np.arange(n), np.minimum(last_low, width - 1)], np.nan)
    half = np.where(ok, 0.5 * (threshold + peak), 0.0)
    stop_fall = np.minimum(m, first + p + after) - first
    rise = _first_crossings(T, W, half, 1, p + 1, True)
    fall = _first_crossings(T, W, half, p, stop_fall, False)
    up = _first_crossings(T, W, np.full(n, _WIDTH_LEVEL), 1, p + 1, True)
    down = _first_crossings(T, W, np.full(n, _WIDTH_LEVEL), p, stop_fall, False)
    return threshold, peak, np.where(ok, fall - rise, np.nan), down - up


def _group_stats(owner, values, n):
    """Per-owner count, sum, min, first and last of ``values`` (``owner`` sorted
    ascending)."""
    count = np.bincount(owner, minlength=n)
    total = np.bincount(owner, weights=values, minlength=n)
    lo = np.full(n, np.inf)
    np.minimum.at(lo, owner, values)
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    if len(owner):
        starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
        first[owner[starts]] = values[starts]
        ends = np.r_[starts[1:] - 1, len(owner) - 1]
        last[owner[ends]] = values[ends]
    return count, total, lo, first, last


def _run_lengths(owner, times, max_isi, n):
    """Per owner: the longest run of spikes (sorted by owner, time) separated by less than
    ``max_isi``, and the length of the first run."""
    longest = np.zeros(n, dtype=int)
    first = np.zeros(n, dtype=int)
    if not len(owner):
        return longest, first
    new = np.r_[True, (owner[1:] != owner[:-1]) | (np.diff(times) >= max_isi)]
    run = np.cumsum(new) - 1
    length = np.bincount(run)
    run_owner = owner[new]
    np.maximum.at(longest, run_owner, length)
    starts_owner = np.r_[True, run_owner[1:] != run_owner[:-1]]
    first[run_owner[starts_owner]] = length[starts_owner]
    return longest, first


def spike_features(recording, variable="v_soma_mV", amplitude_column="amplitude_nA"):
    """Per-neuron features of a step-like `Recording` (see the module docstring), vectorised.

    Spike-train features are computed for every neuron; trace features (AP shape,
    voltages, sag, R_in, tau) for the recorded neurons (NaN for the others).

    Returns
    -------
    DataFrame
        One row per neuron: its conditions and every feature in `FEATURE_UNITS`.
    """
    w0, w1 = recording.window
    cond = recording.conditions.reset_index(drop=True)
    neurons = cond.neuron.to_numpy(dtype=int)
    n = len(neurons)
    position = np.full(int(neurons.max()) + 1 if n else 0, -1)
    position[neurons] = np.arange(n)
    spk = recording.spikes
    sn, st = spk.neuron.to_numpy(dtype=int), spk.t_ms.to_numpy(dtype=float)
    keep = sn < len(position)
    sn, st = sn[keep], st[keep]
    owner_all = position[sn]
    keep = owner_all >= 0
    order = np.lexsort((st[keep], owner_all[keep]))
    owner_all, t_all = owner_all[keep][order], st[keep][order]
    inside = (t_all >= w0) & (t_all < w1)
    owner, times = owner_all[inside], t_all[inside]
    count = np.bincount(owner, minlength=n)
    out = {}
    out["n_spikes"] = count
    out["rate_Hz"] = count / ((w1 - w0) / 1e3)
    first_t = _group_stats(owner, times, n)[3]
    out["first_spike_latency_ms"] = np.where(count > 0, first_t - w0, np.nan)
    same = owner[1:] == owner[:-1]
    isi, isi_owner = np.diff(times)[same], owner[1:][same]
    k, total, isi_min, isi_first, isi_last = _group_stats(isi_owner, isi, n)
    with np.errstate(all="ignore"):
        mean = total / k
        spread = np.bincount(isi_owner, weights=(isi - mean[isi_owner])**2, minlength=n)
        out["isi_cv"] = np.where(k >= 3, np.sqrt(spread / (k - 1)) / mean, np.nan)
        pair = isi_owner[1:] == isi_owner[:-1]
        ratio = (np.diff(isi) / (isi[1:] + isi[:-1]))[pair]
        pairs = np.bincount(isi_owner[1:][pair], minlength=n)
        out["adaptation_index"] = np.where(
            k >= 2, np.bincount(isi_owner[1:][pair], weights=ratio, minlength=n) / pairs, np.nan)
        out["doublet_isi_ms"] = np.where(k >= 1, isi_first, np.nan)
        out["isi_ratio"] = np.where(k >= 2, isi_last / isi_first, np.nan)
        out["max_instantaneous_rate_Hz"] = np.where(k >= 1, 1e3 / isi_min, np.nan)
    shape = {key: np.full(n, np.nan) for key in
             ("ap_threshold_mV", "ap_peak_mV", "ap_halfwidth_ms", "ap_width_ms", "ahp_mV")}
    passive = {key: np.full(n, np.nan) for key in
               ("v_base_mV", "v_ss_mV", "v_min_mV", "sag_ratio", "R_in_MOhm", "tau_m_ms")}
    amps = (cond[amplitude_column].to_numpy(dtype=float) if amplitude_column in cond
            else np.full(n, np.nan))
    rows = recording.rows(neurons) if len(recording.recorded) else np.full(n, -1)
    traced = np.flatnonzero(rows >= 0)
    if len(traced) and variable in recording.arrays:
        t = recording.t_ms
        V = recording.arrays[variable][rows[traced]]
        _shape_features(t, V, traced, owner, times, count, w0, shape)
        _passive_features(t, V, traced, amps, owner_all, t_all, w0, w1, passive)
    out.update(shape)
    out.update(passive)
    out["rebound_spikes"] = np.bincount(owner_all[(t_all >= w1) & (t_all < w1 + _REBOUND_WINDOW)],
                                        minlength=n)
    out["burst_spikes"], _ = _run_lengths(owner_all, t_all, _BURST_ISI, n)
    _, out["initial_burst_spikes"] = _run_lengths(owner, times, _BURST_ISI, n)
    frame = cond.copy()
    for key in FEATURE_UNITS:
        frame[key] = out[key]
    return frame


def _shape_features(t, V, traced, owner, times, count, w0, shape):
    """AP threshold/peak/half-width/width (median over spikes 2-6, or the only spike) and AHP of
    the traced neurons (rows of ``V``), in place into ``shape``."""
    local = np.full(len(count), -1)
    local[traced] = np.arange(len(traced))
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner)  # spike index per neuron
    mine = local[owner] >= 0
    chosen = mine & np.where(count[owner] > 1, (rank >= 1) & (rank <= 5), rank == 0)
    if chosen.any():
        prev = np.r_[np.nan, times[:-1]]
        lowers = np.where(count[owner] > 1, prev, w0)[chosen]
        thr, peak, hw, width = _spike_shapes(t, V, local[owner[chosen]], times[chosen], lowers)
        spike_owner = owner[chosen]
        for key, values in (("ap_threshold_mV", thr), ("ap_peak_mV", peak),
                            ("ap_halfwidth_ms", hw), ("ap_width_ms", width)):
            frame = pd.DataFrame({"o": spike_owner, "x": values})
            med = frame.groupby("o").x.median()  # NaN-skipping, as the per-neuron definition
            shape[key][med.index.to_numpy()] = med.to_numpy()
    two = np.flatnonzero(mine & (rank == 0) & (count[owner] > 1))
    if len(two):
        p = np.searchsorted(t, times[two])
        q = np.searchsorted(t, times[two + 1])
        r = local[owner[two]]
        for j in range(len(two)):  # one slice each: the inter-spike ranges differ in length
            shape["ahp_mV"][owner[two[j]]] = V[r[j], p[j]:q[j] + 1].min() if q[j] > p[j] else np.nan


def _passive_features(t, V, traced, amps, owner_all, t_all, w0, w1, passive):
    """Baseline, steady-state and minimum voltage, sag, R_in and tau of the traced neurons,
    in place into ``passive``."""
    base = (t >= w0 - 20.0) & (t < w0)
    win = (t >= w0) & (t < w1)
    late = (t >= w1 - 0.1 * (w1 - w0)) & (t < w1)
    with np.errstate(all="ignore"):
        v_base, v_ss = V[:, base].mean(axis=1), V[:, late].mean(axis=1)
    v_min, v_max = V[:, win].min(axis=1), V[:, win].max(axis=1)
    a = amps[traced]
    passive["v_base_mV"][traced] = v_base
    passive["v_ss_mV"][traced] = v_ss
    passive["v_min_mV"][traced] = v_min
    with np.errstate(all="ignore"):
        sag = 1 - (v_base - v_ss) / (v_base - v_min)
    passive["sag_ratio"][traced] = np.where((v_base - v_min > 0.5) & ~(a > 0), sag, np.nan)
    busy = np.bincount(owner_all[(t_all >= w0 - 20.0) & (t_all < w1)], minlength=len(amps))
    quiet = (busy[traced] == 0) & np.isfinite(a) & (a != 0)
    with np.errstate(all="ignore"):
        passive["R_in_MOhm"][traced] = np.where(quiet, (v_ss - v_base) / a, np.nan)
        level = v_base + 0.632 * (np.where(a < 0, v_min, v_max) - v_base)
    i0 = np.full(len(traced), np.searchsorted(t, w0))
    i1 = np.full(len(traced), np.searchsorted(t, w1))
    crossing = _first_crossings(t, V, level, i0, i1, a > 0)
    passive["tau_m_ms"][traced] = np.where(quiet, crossing - w0, np.nan)


def rheobase(features, amplitude_column="amplitude_nA"):
    """Smallest positive amplitude (nA) with at least one spike in the window (NaN if none)."""
    fired = features[(features[amplitude_column] > 0) & (features.n_spikes > 0)]
    return float(fired[amplitude_column].min()) if len(fired) else np.nan


def fi_curve(features, amplitude_column="amplitude_nA"):
    """F-I curve (amplitude_nA, rate_Hz) of the positive steps, and its slope.

    Returns
    -------
    curve : DataFrame
        ``amplitude_nA``, ``rate_Hz`` sorted by amplitude.
    slope : float
        Least-squares slope (Hz/nA) of rate against amplitude over the steps
        that fire (at least two), NaN otherwise.
    """
    curve = (features[features[amplitude_column] > 0][[amplitude_column, "rate_Hz"]]
             .sort_values(amplitude_column).reset_index(drop=True))
    firing = curve[curve.rate_Hz > 0]
    slope = (float(np.polyfit(firing[amplitude_column], firing.rate_Hz, 1)[0])
             if len(firing) >= 2 else np.nan)
    return curve, slope
