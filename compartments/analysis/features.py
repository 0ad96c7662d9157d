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
  ``AP_duration_half_width``); each the median over spikes 2-6 of the window
  (the first spike alone when it is the only one);
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
"""

import numpy as np
import pandas as pd

__all__ = ["spike_features", "fi_curve", "rheobase", "burst_length", "FEATURE_UNITS"]

FEATURE_UNITS = {
    "n_spikes": "1", "rate_Hz": "Hz", "first_spike_latency_ms": "ms", "isi_cv": "1",
    "adaptation_index": "1", "doublet_isi_ms": "ms", "isi_ratio": "1",
    "max_instantaneous_rate_Hz": "Hz", "ap_threshold_mV": "mV", "ap_peak_mV": "mV",
    "ap_halfwidth_ms": "ms", "ahp_mV": "mV", "v_base_mV": "mV", "v_ss_mV": "mV",
    "v_min_mV": "mV", "sag_ratio": "1", "R_in_MOhm": "MOhm", "tau_m_ms": "ms",
    "rebound_spikes": "1", "burst_spikes": "1", "initial_burst_spikes": "1",
}

_DVDT_THRESHOLD = 20.0  # mV/ms
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


def _crossing(t, v, level, start, stop, upward):
    """Interpolated time of the first crossing of ``level`` in index range [start, stop)."""
    seg = v[start:stop]
    above = seg >= level
    idx = np.flatnonzero(above[1:] != above[:-1]) if upward is None else (
        np.flatnonzero(~above[:-1] & above[1:]) if upward else np.flatnonzero(above[:-1] & ~above[1:]))
    if len(idx) == 0:
        return np.nan
    k = start + idx[0]
    frac = (level - v[k]) / (v[k + 1] - v[k])
    return t[k] + frac * (t[k + 1] - t[k])


def _one_spike(t, v, t_spike, lower):
    """(threshold, peak, half-width, peak index) of the spike detected at ``t_spike``."""
    dt = t[1] - t[0]
    s = np.searchsorted(t, t_spike)
    p = s + int(np.argmax(v[s:np.searchsorted(t, t_spike + 2.0) + 1]))
    b = max(np.searchsorted(t, t_spike - 3.0), np.searchsorted(t, lower), 1)
    dvdt = np.diff(v[b - 1:p + 1]) / dt  # dvdt[k] is the slope into sample b + k
    steepest = int(np.argmax(dvdt))
    below = np.flatnonzero(dvdt[:steepest] <= _DVDT_THRESHOLD)
    # the upstroke: the run of slopes above threshold through the steepest point
    if dvdt[steepest] <= _DVDT_THRESHOLD or not len(below):
        return np.nan, v[p], np.nan, p
    thr = v[b + below[-1]]
    half = 0.5 * (thr + v[p])
    rise = _crossing(t, v, half, b, p + 1, upward=True)
    fall = _crossing(t, v, half, p, min(len(v), p + int(10.0 / dt)), upward=False)
    return thr, v[p], fall - rise, p


def _spike_shape(t, v, window, spikes):
    """Median threshold, peak and half-width of spikes 2-6 (the first alone if it is the
    only one: the first spike of a strong step rides on the step's onset), and the
    AHP minimum between the first two spikes."""
    out = dict(ap_threshold_mV=np.nan, ap_peak_mV=np.nan, ap_halfwidth_ms=np.nan, ahp_mV=np.nan)
    if len(spikes) == 0:
        return out
    chosen = spikes[1:6] if len(spikes) > 1 else spikes[:1]
    shapes = np.array([_one_spike(t, v, ts, lower) for ts, lower in
                       zip(chosen, np.r_[window[0], spikes[:-1]][len(spikes) > 1:][:len(chosen)])])
    with np.errstate(all="ignore"):
        for k, key in enumerate(("ap_threshold_mV", "ap_peak_mV", "ap_halfwidth_ms")):
            col = shapes[:, k]
            out[key] = float(np.median(col[np.isfinite(col)])) if np.isfinite(col).any() else np.nan
    if len(spikes) > 1:
        p = np.searchsorted(t, spikes[0])
        q = np.searchsorted(t, spikes[1])
        out["ahp_mV"] = v[p:q + 1].min() if q > p else np.nan
    return out


def spike_features(recording, variable="v_soma_mV", amplitude_column="amplitude_nA"):
    """Per-neuron features of a step-like `Recording` (see the module docstring).

    Returns
    -------
    DataFrame
        One row per neuron: its conditions and every feature in `FEATURE_UNITS`.
    """
    w0, w1 = recording.window
    rows = []
    for _, cond in recording.conditions.iterrows():
        n = int(cond.neuron)
        t, v = recording.trace(n, variable)
        all_spikes = recording.spike_times(n)
        inside = all_spikes[(all_spikes >= w0) & (all_spikes < w1)]
        isi = np.diff(inside)
        f = dict(cond)
        f["n_spikes"] = len(inside)
        f["rate_Hz"] = len(inside) / ((w1 - w0) / 1e3)
        f["first_spike_latency_ms"] = inside[0] - w0 if len(inside) else np.nan
        f["isi_cv"] = isi.std(ddof=1) / isi.mean() if len(isi) >= 3 else np.nan
        f["adaptation_index"] = (np.mean(np.diff(isi) / (isi[1:] + isi[:-1]))
                                 if len(isi) >= 2 else np.nan)
        f["doublet_isi_ms"] = isi[0] if len(isi) else np.nan
        f["isi_ratio"] = isi[-1] / isi[0] if len(isi) >= 2 else np.nan
        f["max_instantaneous_rate_Hz"] = 1e3 / isi.min() if len(isi) else np.nan
        f.update(_spike_shape(t, v, (w0, w1), inside))
        base = (t >= w0 - 20.0) & (t < w0)
        win = (t >= w0) & (t < w1)
        late = (t >= w1 - 0.1 * (w1 - w0)) & (t < w1)
        v_base, v_ss, v_min = v[base].mean(), v[late].mean(), v[win].min()
        f.update(v_base_mV=v_base, v_ss_mV=v_ss, v_min_mV=v_min)
        amp_na = cond.get(amplitude_column, np.nan)
        f["sag_ratio"] = (1 - (v_base - v_ss) / (v_base - v_min)
                          if v_base - v_min > 0.5 and not amp_na > 0 else np.nan)
        quiet = len(all_spikes[(all_spikes >= w0 - 20.0) & (all_spikes < w1)]) == 0
        if quiet and np.isfinite(amp_na) and amp_na != 0:
            f["R_in_MOhm"] = (v_ss - v_base) / amp_na  # mV / nA = MOhm
            target = v_min if amp_na < 0 else v[win].max()
            level = v_base + 0.632 * (target - v_base)
            i0 = np.searchsorted(t, w0)
            crossing = _crossing(t, v, level, i0, np.searchsorted(t, w1), upward=amp_na > 0)
            f["tau_m_ms"] = crossing - w0
        else:
            f["R_in_MOhm"] = f["tau_m_ms"] = np.nan
        f["rebound_spikes"] = int(np.sum((all_spikes >= w1) & (all_spikes < w1 + _REBOUND_WINDOW)))
        f["burst_spikes"] = burst_length(all_spikes)
        f["initial_burst_spikes"] = (1 + int(np.argmax(np.append(isi, np.inf) >= _BURST_ISI))
                                     if len(inside) else 0)
        rows.append(f)
    return pd.DataFrame(rows)


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
