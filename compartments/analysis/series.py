"""Protocols run per candidate, for sweeps, fits and the catalogue's characterisation.

A group holds ``n`` candidates (parameter sets) of ``k`` neurons each, candidate-major
(neuron ``c*k + j`` is condition ``j`` of candidate ``c``). A series protocol uses the
first `neurons` conditions of every candidate, runs once for all of them (one
compiled code path) and summarises each candidate in one row of features:

- `StepSeries`: current steps (one amplitude per condition) and their summary
  features (`STEP_SUMMARY`): rest, input resistance, time constant, sag, rebound,
  rheobase, F-I slope (all firing steps, and near threshold: up to `INITIAL_SPAN`
  above rheobase), maximal rate, the reference step's spike features and the rate at
  every positive amplitude (``rate_Hz_at_0.5nA``);
- `BACSeries`: Hay et al. 2011's BAC protocol (somatic pulse, distal EPSP-shaped
  current, both) with bAP amplitudes, BAC spike count and ISI, Ca-spike durations;
- `TraceSeries`: a given current waveform, the candidate's voltage compared with a
  target trace (RMS difference) and its spike count.

Every protocol has ``name``, ``neurons``, ``features`` (the summary columns and
their units), ``spec()`` (plain data: a study's identity) and ``run(group,
n_candidates, network=None) -> (summary DataFrame, Recording)``. The summaries are
array operations over candidates (no loop over neurons or candidates).
"""

import numpy as np
import pandas as pd
from brian2 import amp, mV, ms, nA

from . import features as feat
from .protocols import STIMULUS_DT, epsp_current, stimulate

__all__ = ["StepSeries", "BACSeries", "TraceSeries", "STEP_SUMMARY", "series_from_spec"]

STEP_SUMMARY = {
    "v_rest_mV": "mV", "R_in_MOhm": "MOhm", "tau_m_ms": "ms", "sag_ratio": "1",
    "rebound_spikes": "1", "rheobase_nA": "nA", "fi_slope_Hz_per_nA": "Hz/nA",
    "fi_slope_initial_Hz_per_nA": "Hz/nA",
    "max_rate_Hz": "Hz", "ap_halfwidth_ms": "ms", "ap_width_ms": "ms", "ap_threshold_mV": "mV",
    "ap_peak_mV": "mV",
    "ahp_mV": "mV", "adaptation_index": "1", "isi_cv": "1", "first_spike_latency_ms": "ms",
    "doublet_isi_ms": "ms", "isi_ratio": "1", "burst_spikes": "1", "initial_burst_spikes": "1",
}
# F-I slope near threshold: the firing steps up to this far above rheobase (nA). The Allen
# Cell Types Database fits all its suprathreshold long squares, which reach a few 20 pA
# steps above rheobase; 0.16 nA is this module's stated stand-in for that range.
INITIAL_SPAN = 0.16
# summary features read off the reference step (same names as the per-neuron features)
_REFERENCE = ("ap_halfwidth_ms", "ap_width_ms", "ap_threshold_mV", "ap_peak_mV", "ahp_mV", "adaptation_index",
              "isi_cv", "first_spike_latency_ms", "doublet_isi_ms", "isi_ratio", "burst_spikes",
              "initial_burst_spikes")


def _per_candidate(group, n_candidates, owner):
    if n_candidates < 1 or len(group) % n_candidates:
        raise ValueError(f"{owner}: a group of {len(group)} neurons cannot hold "
                         f"{n_candidates} candidates of equal size.")
    return len(group) // n_candidates


def _ms(q):
    return float(q / ms)


class StepSeries:
    """Rectangular current steps, one amplitude per condition, summarised per candidate.

    Parameters
    ----------
    amplitudes : `Quantity`
        Step amplitudes (amp), one condition each. The negative step closest to 0
        gives rest, R_in and tau; the most negative, sag and rebound; the positive
        ones the F-I curve.
    reference : `Quantity`
        The positive amplitude whose spikes give the reference features (half-width,
        adaptation, ...).
    delay, duration, after : `Quantity`
        Before, during and after the step.
    segment : str
        Where the current is injected.
    record : sequence of str
        Segments whose voltage is recorded for the traced conditions (soma first).
    name : str
    """

    def __init__(self, amplitudes, reference, delay=100 * ms, duration=500 * ms,
                 after=300 * ms, segment="soma", record=("soma",), name="steps"):
        self.amplitudes = np.asarray(amplitudes / nA, dtype=float)
        self.reference = float(reference / nA)
        if self.amplitudes.ndim != 1 or not len(self.amplitudes):
            raise ValueError(f"The 'amplitudes' of StepSeries must be a non-empty 1-D array of "
                             f"currents. Got {amplitudes!r} instead.")
        if not np.any(np.isclose(self.amplitudes, self.reference)) or self.reference <= 0:
            raise ValueError(f"The 'reference' of StepSeries must be one of its positive "
                             f"amplitudes {self.amplitudes.tolist()} nA. Got {reference!r} "
                             f"instead.")
        self.delay, self.duration, self.after = delay, duration, after
        self.segment, self.record, self.name = segment, tuple(record), name
        negative = np.flatnonzero(self.amplitudes < 0)
        self.small = int(negative[np.argmax(self.amplitudes[negative])]) if len(negative) else None
        self.large = int(negative[np.argmin(self.amplitudes[negative])]) if len(negative) else None
        self.positive = np.flatnonzero(self.amplitudes > 0)
        self.positive = self.positive[np.argsort(self.amplitudes[self.positive], kind="stable")]
        self.ref = int(np.flatnonzero(np.isclose(self.amplitudes, self.reference))[0])

    @property
    def neurons(self):
        return len(self.amplitudes)

    @property
    def traced(self):
        """Conditions whose traces are recorded: small, large and reference steps."""
        return sorted({c for c in (self.small, self.large, self.ref) if c is not None})

    @property
    def features(self):
        units = dict(STEP_SUMMARY)
        units.update({f"rate_Hz_at_{a:g}nA": "Hz" for a in self.amplitudes[self.positive]})
        return units

    def spec(self):
        return {"kind": "steps", "name": self.name, "amplitudes_nA": self.amplitudes.tolist(),
                "reference_nA": self.reference, "delay_ms": _ms(self.delay),
                "duration_ms": _ms(self.duration), "after_ms": _ms(self.after),
                "segment": self.segment, "record": list(self.record)}

    def run(self, group, n_candidates, network=None, traced=None):
        """Run the steps for ``n_candidates`` candidates of ``group``.

        ``traced`` (conditions whose traces to record) defaults to `traced`; pass
        ``range(neurons)`` to keep every trace (figures).

        Returns
        -------
        summary : DataFrame
            ``candidate`` and the `features`.
        recording : `Recording`
            With ``conditions.candidate`` and ``conditions.condition``.
        """
        k = _per_candidate(group, n_candidates, "StepSeries")
        if k < self.neurons:
            raise ValueError(f"StepSeries '{self.name}' needs {self.neurons} neurons per "
                             f"candidate; the group has {k}.")
        per = np.zeros(k)
        per[:self.neurons] = self.amplitudes
        amps = np.tile(per, n_candidates)
        total = self.delay + self.duration + self.after
        steps = int(round(float(total / STIMULUS_DT)))
        wave = np.zeros((steps, len(amps)))
        wave[int(round(float(self.delay / STIMULUS_DT))):
             int(round(float((self.delay + self.duration) / STIMULUS_DT)))] = amps
        conditions = pd.DataFrame({"neuron": np.arange(len(amps)),
                                   "candidate": np.repeat(np.arange(n_candidates), k),
                                   "condition": np.tile(np.arange(k), n_candidates),
                                   "amplitude_nA": amps})
        traced = self.traced if traced is None else sorted(traced)
        record_neurons = (np.arange(n_candidates)[:, None] * k + np.asarray(traced)[None, :]).ravel()
        start = _ms(self.delay)
        rec = stimulate(group, {self.segment: wave * nA}, total,
                        record=[f"v_{s}" for s in self.record], network=network,
                        conditions=conditions, window=(start, start + _ms(self.duration)),
                        record_neurons=record_neurons)
        used = conditions[conditions.condition < self.neurons]
        sub = type(rec)(rec.t_ms, rec.arrays, rec.recorded, rec.spikes, used, rec.window,
                        rec.duration)
        per_neuron = feat.spike_features(sub, variable=f"v_{self.record[0]}_mV")
        return self.summarise(per_neuron, n_candidates), rec

    def summarise(self, per_neuron, n_candidates):
        """Summary features per candidate from per-neuron features (candidate-major rows,
        `neurons` conditions each), as array operations."""
        k = self.neurons

        def col(name):
            return per_neuron[name].to_numpy(dtype=float).reshape(n_candidates, k)

        out = {"candidate": np.arange(n_candidates)}
        nan = np.full(n_candidates, np.nan)
        if self.small is not None:
            out["v_rest_mV"] = col("v_base_mV")[:, self.small]
            out["R_in_MOhm"] = col("R_in_MOhm")[:, self.small]
            out["tau_m_ms"] = col("tau_m_ms")[:, self.small]
            out["sag_ratio"] = col("sag_ratio")[:, self.large]
            out["rebound_spikes"] = col("rebound_spikes")[:, self.large]
        else:
            out["v_rest_mV"] = col("v_base_mV")[:, self.ref]
            for key in ("R_in_MOhm", "tau_m_ms", "sag_ratio", "rebound_spikes"):
                out[key] = nan
        x = self.amplitudes[self.positive]
        rate = col("rate_Hz")[:, self.positive]
        fires = col("n_spikes")[:, self.positive] > 0
        out["rheobase_nA"] = np.where(fires.any(axis=1),
                                      x[np.argmax(fires, axis=1)] if len(x) else nan, np.nan)
        out["fi_slope_Hz_per_nA"] = _slopes(x, rate, rate > 0)
        near = x[None, :] <= out["rheobase_nA"][:, None] + INITIAL_SPAN + 1e-9
        out["fi_slope_initial_Hz_per_nA"] = _slopes(x, rate, (rate > 0) & near)
        out["max_rate_Hz"] = rate[:, -1] if len(x) else nan
        for key in _REFERENCE:
            out[key] = col(key)[:, self.ref]
        for j, a in zip(self.positive, x):
            out[f"rate_Hz_at_{a:g}nA"] = col("rate_Hz")[:, j]
        return pd.DataFrame(out)

    def __repr__(self):
        return (f"{type(self).__name__}({self.name!r}, {len(self.amplitudes)} amplitudes, "
                f"reference={self.reference:g} nA)")


def _slopes(x, y, mask):
    """Least-squares slope of y against x per row over the entries of ``mask`` (NaN for
    fewer than two), in closed form (equal to ``np.polyfit(x, y, 1)[0]``)."""
    w = mask.astype(float)
    c = w.sum(axis=1)
    sx, sy = (w * x).sum(axis=1), (w * y).sum(axis=1)
    sxx, sxy = (w * x * x).sum(axis=1), (w * x * y).sum(axis=1)
    with np.errstate(all="ignore"):
        slope = (c * sxy - sx * sy) / (c * sxx - sx**2)
    return np.where(c >= 2, slope, np.nan)


class BACSeries:
    """Back-propagation-activated Ca firing (Hay et al. 2011), three conditions per candidate:
    the somatic pulse alone, the distal EPSP-shaped current alone, both.

    Parameters
    ----------
    distal : str
        Segment of the EPSP-shaped current (and of the Ca-spike measurement).
    sites : dict
        Feature name -> segment whose bAP amplitude (peak minus rest after the somatic
        pulse alone) it reports, e.g. ``{"bap_amplitude_620um_mV": "tuft_0"}``.
    soma_amplitude, distal_amplitude : `Quantity`
    lag : `Quantity`
        Delay of the EPSP after the pulse onset.
    ca_level : `Quantity`
        The distal voltage above which time counts as Ca spike.
    record : sequence of str, optional
        Segments to record (default the soma, the distal segment and the sites).
    """

    conditions = ("soma", "distal", "both")

    def __init__(self, distal, sites=None, soma_amplitude=1.9 * nA, distal_amplitude=0.5 * nA,
                 lag=5 * ms, delay=50 * ms, pulse=5 * ms, after=150 * ms, ca_level=-30 * mV,
                 record=None, name="bac"):
        self.distal, self.sites = distal, dict(sites or {})
        self._record = tuple(record) if record is not None else None
        self.soma_amplitude, self.distal_amplitude = soma_amplitude, distal_amplitude
        self.lag, self.delay, self.pulse, self.after = lag, delay, pulse, after
        self.ca_level, self.name = ca_level, name

    neurons = 3

    @property
    def segments(self):
        """Recorded segments: the soma, the distal segment and the bAP sites (and any
        others given as ``record``)."""
        return list(dict.fromkeys(["soma", self.distal, *self.sites.values(),
                                   *(self._record or ())]))

    @property
    def features(self):
        units = {"bac_spikes": "1", "bac_isi_ms": "ms"}
        units.update({f: "mV" for f in self.sites})
        units.update({f"bap_v_{s}_mV": "mV" for s in self.segments})
        for c in self.conditions:
            units[f"bac_spikes_{c}"] = "1"
            units[f"ca_spike_ms_{c}"] = "ms"
        return units

    def spec(self):
        return {"kind": "bac", "name": self.name, "distal": self.distal, "sites": self.sites,
                "soma_amplitude_nA": float(self.soma_amplitude / nA),
                "distal_amplitude_nA": float(self.distal_amplitude / nA),
                "lag_ms": _ms(self.lag), "delay_ms": _ms(self.delay), "pulse_ms": _ms(self.pulse),
                "after_ms": _ms(self.after), "ca_level_mV": float(self.ca_level / mV),
                "record": list(self._record or ())}

    def run(self, group, n_candidates, network=None, traced=None):
        """Run the three conditions for every candidate; see `StepSeries.run`."""
        k = _per_candidate(group, n_candidates, "BACSeries")
        if k < 3:
            raise ValueError(f"BACSeries needs 3 neurons per candidate; the group has {k}.")
        total = self.delay + self.lag + self.after
        t = np.arange(int(round(float(total / STIMULUS_DT)))) * STIMULUS_DT
        pulse = ((t >= self.delay) & (t < self.delay + self.pulse)).astype(float)
        epsp = np.asarray(epsp_current(t, self.delay + self.lag, self.distal_amplitude) / nA)
        cond = np.tile(np.r_[0, 1, 2, np.full(k - 3, -1)], n_candidates)
        soma = np.where(np.isin(cond, (0, 2))[None, :], pulse[:, None], 0.0)
        soma *= float(self.soma_amplitude / nA)
        dend = np.where(np.isin(cond, (1, 2))[None, :], epsp[:, None], 0.0)
        names = np.array([*self.conditions, "none"])[cond]  # cond -1: the last, "none"
        conditions = pd.DataFrame({"neuron": np.arange(len(cond)),
                                   "candidate": np.repeat(np.arange(n_candidates), k),
                                   "condition": names})
        traced = range(3) if traced is None else traced
        record_neurons = (np.arange(n_candidates)[:, None] * k + np.asarray(list(traced))).ravel()
        start = _ms(self.delay)
        rec = stimulate(group, {"soma": soma * nA, self.distal: dend * nA}, total,
                        record=[f"v_{s}" for s in self.segments], network=network,
                        conditions=conditions, window=(start, start + 60.0),
                        record_neurons=record_neurons)
        return self.summarise(rec, n_candidates, k), rec

    def summarise(self, rec, n_candidates, k):
        """bAP amplitudes (soma-pulse condition: peak minus the mean before the pulse per
        segment), spike counts, BAC ISI and Ca-spike durations per candidate."""
        w0 = rec.window[0]
        t = rec.t_ms
        before, after = t < w0, t >= w0
        base = np.arange(n_candidates) * k
        out = {"candidate": np.arange(n_candidates)}
        rows_soma = rec.rows(base)
        for s in self.segments:
            V = rec.arrays[f"v_{s}_mV"][rows_soma]
            out[f"bap_v_{s}_mV"] = V[:, after].max(axis=1) - V[:, before].mean(axis=1)
        for feature, segment in self.sites.items():
            out[feature] = out[f"bap_v_{segment}_mV"]
        spikes = rec.spikes[rec.spikes.t_ms >= w0]
        counts = np.bincount(spikes.neuron, minlength=n_candidates * k)
        level = float(self.ca_level / mV)
        dt = t[1] - t[0]
        for j, c in enumerate(self.conditions):
            out[f"bac_spikes_{c}"] = counts[base + j]
            V = rec.arrays[f"v_{self.distal}_mV"][rec.rows(base + j)]
            out[f"ca_spike_ms_{c}"] = (V[:, after] > level).sum(axis=1) * dt
        both = spikes[np.isin(spikes.neuron, base + 2)]
        first = both.groupby("neuron").t_ms.agg(["min", "max", "count"])
        isi = np.full(n_candidates, np.nan)
        many = first[first["count"] > 1]
        isi[(many.index.to_numpy() - 2) // k] = ((many["max"] - many["min"]) /
                                                 (many["count"] - 1)).to_numpy()
        out["bac_spikes"] = out["bac_spikes_both"]
        out["bac_isi_ms"] = isi
        return pd.DataFrame(out)

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, distal={self.distal!r})"


class TraceSeries:
    """A given current waveform into one segment; the candidate's voltage against a target.

    Parameters
    ----------
    current : `Quantity`
        Injected current (amp), sampled every `STIMULUS_DT`.
    target : `Quantity`
        The target voltage (volt) at the same samples (same length as ``current``).
    segment, variable : str
        Where the current goes and which voltage is compared (``"v_soma"``).
    window : tuple of `Quantity`, optional
        Part of the trace compared (default all).
    name : str
        Prefix of the features ``<name>_rmse_mV`` and ``<name>_n_spikes`` (upward
        crossings of 0 mV; the target's count is `target_spikes`).
    """

    neurons = 1

    def __init__(self, current, target, segment="soma", variable="v_soma", window=None,
                 name="trace"):
        self.current = np.asarray(current / amp, dtype=float)
        self.target = np.asarray(target / mV, dtype=float)
        if self.current.ndim != 1 or self.current.shape != self.target.shape:
            raise ValueError(f"TraceSeries '{name}': 'current' and 'target' must be 1-D arrays "
                             f"of the same length. Got shapes {self.current.shape} and "
                             f"{self.target.shape} instead.")
        self.segment, self.variable, self.name = segment, variable, name
        t = np.arange(len(self.target)) * _ms(STIMULUS_DT)
        w0, w1 = (0.0, t[-1] + 1e-9) if window is None else (_ms(window[0]), _ms(window[1]))
        self._mask = (t >= w0) & (t <= w1)
        self.target_spikes = int(np.sum((self.target[1:] >= 0) & (self.target[:-1] < 0)))

    @property
    def features(self):
        return {f"{self.name}_rmse_mV": "mV", f"{self.name}_n_spikes": "1"}

    def spec(self):
        return {"kind": "trace", "name": self.name, "segment": self.segment,
                "variable": self.variable, "current_A": self.current.tolist(),
                "target_mV": self.target.tolist(), "mask": self._mask.tolist()}

    def run(self, group, n_candidates, network=None, traced=None):
        """Play the waveform to every candidate's first neuron; see `StepSeries.run`."""
        k = _per_candidate(group, n_candidates, "TraceSeries")
        wave = np.zeros((len(self.current), len(group)))
        wave[:, ::k] = self.current[:, None]
        duration = len(self.current) * STIMULUS_DT
        first = np.arange(n_candidates) * k
        conditions = pd.DataFrame({"neuron": np.arange(len(group)),
                                   "candidate": np.repeat(np.arange(n_candidates), k),
                                   "condition": np.tile(np.arange(k), n_candidates)})
        rec = stimulate(group, {self.segment: wave * amp}, duration, record=[self.variable],
                        record_dt=STIMULUS_DT, network=network, conditions=conditions,
                        record_neurons=first)
        V = rec.arrays[f"{self.variable}_mV"][:, :len(self.target)]
        m = self._mask[:V.shape[1]]
        rmse = np.sqrt(np.mean((V[:, m] - self.target[:V.shape[1]][m]) ** 2, axis=1))
        crossings = ((V[:, 1:] >= 0) & (V[:, :-1] < 0)).sum(axis=1)
        return pd.DataFrame({"candidate": np.arange(n_candidates),
                             f"{self.name}_rmse_mV": rmse,
                             f"{self.name}_n_spikes": crossings}), rec

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, {len(self.current)} samples)"


def series_from_spec(spec):
    """Rebuild a `StepSeries` or `BACSeries` from its `spec` (configuration files)."""
    kind = spec.get("kind")
    if kind == "steps":
        return StepSeries(np.asarray(spec["amplitudes_nA"]) * nA, spec["reference_nA"] * nA,
                          delay=spec.get("delay_ms", 100) * ms,
                          duration=spec.get("duration_ms", 500) * ms,
                          after=spec.get("after_ms", 300) * ms, segment=spec.get("segment", "soma"),
                          record=tuple(spec.get("record", ("soma",))),
                          name=spec.get("name", "steps"))
    if kind == "bac":
        return BACSeries(spec["distal"], sites=spec.get("sites"),
                         soma_amplitude=spec.get("soma_amplitude_nA", 1.9) * nA,
                         distal_amplitude=spec.get("distal_amplitude_nA", 0.5) * nA,
                         lag=spec.get("lag_ms", 5) * ms, delay=spec.get("delay_ms", 50) * ms,
                         pulse=spec.get("pulse_ms", 5) * ms, after=spec.get("after_ms", 150) * ms,
                         ca_level=spec.get("ca_level_mV", -30) * mV,
                         record=spec.get("record") or None, name=spec.get("name", "bac"))
    raise ValueError(f"A protocol spec needs 'kind': 'steps' or 'bac'. Got {spec!r} instead.")
