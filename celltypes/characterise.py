"""The standard protocols of each cell type and the summary features read off them.

One group per cell type: every condition (hyperpolarising steps, an F-I
series of depolarising steps) is one neuron, so a type is compiled (or, on
the numpy target, translated) once. `STANDARD` gives each type's amplitudes;
`characterise` runs them and returns the per-neuron features and the summary
features that `targets` name:

=======================  ==========================================================
``v_rest_mV``            resting potential (mean before the steps)
``R_in_MOhm``            (v_ss - v_rest)/I of the small hyperpolarising step
``tau_m_ms``             63 % time of the small hyperpolarising step
``sag_ratio``            1 - (v_rest - v_ss)/(v_rest - v_min), large negative step
``rebound_spikes``       spikes within 300 ms after the large negative step ends
``rheobase_nA``          smallest step of the series that fires
``fi_slope_Hz_per_nA``   least-squares slope of rate vs amplitude (steps that fire)
``max_rate_Hz``          rate at the largest step
``ap_halfwidth_ms``      first spike of the reference step
``adaptation_index``     reference step (eFEL adaptation_index2 definition)
``isi_cv``               reference step
``first_spike_latency_ms`` reference step
=======================  ==========================================================
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from brian2 import ms, nA

from compartments.analysis import features as feat
from compartments.analysis import protocols

__all__ = ["Standard", "STANDARD", "characterise", "summary", "SUMMARY_UNITS", "DT"]

SUMMARY_UNITS = {"v_rest_mV": "mV", "R_in_MOhm": "MOhm", "tau_m_ms": "ms", "sag_ratio": "1",
                 "rebound_spikes": "1", "rheobase_nA": "nA", "fi_slope_Hz_per_nA": "Hz/nA",
                 "max_rate_Hz": "Hz", "ap_halfwidth_ms": "ms", "adaptation_index": "1",
                 "isi_cv": "1", "first_spike_latency_ms": "ms", "burst_spikes": "1"}


@dataclass(frozen=True)
class Standard:
    """Standard step protocol of a cell type (amplitudes in nA, times in ms; ``segments``:
    whose voltages are recorded, the soma first)."""

    small_negative: float
    large_negative: float
    series: tuple
    reference: float
    duration: float = 500.0
    delay: float = 100.0
    after: float = 300.0
    segments: tuple = ("soma",)

    @property
    def amplitudes(self):
        """All amplitudes (nA), one neuron each: small, large negative, then the series."""
        return np.array([self.small_negative, self.large_negative, *self.series], dtype=float)


STANDARD = {
    "PV_BC": Standard(-0.05, -0.4, tuple(np.round(np.arange(0.2, 4.01, 0.2), 2)), 2.0),
    "L23_PC": Standard(-0.05, -0.3, tuple(np.round(np.arange(0.05, 1.001, 0.05), 3)), 0.5),
    "TC": Standard(-0.02, -0.3, tuple(np.round(np.arange(0.05, 1.001, 0.05), 3)), 0.5),
    "VIP_BP": Standard(-0.02, -0.1, tuple(np.round(np.arange(0.01, 0.201, 0.01), 3)), 0.08),
    "SST_MC": Standard(-0.02, -0.15, tuple(np.round(np.arange(0.025, 0.501, 0.025), 3)), 0.1),
}


DT = 0.025 * ms  # the time step of every characterisation (the test suite's default)


def characterise(cell, standard=None, group=None):
    """Run the standard steps of ``cell`` (a `CellType`); return (recording, per-neuron features).

    ``group`` (optional) is a group of ``len(standard.amplitudes)`` neurons of
    the type, e.g. a heterogeneous one.
    """
    std = standard or STANDARD[cell.name]
    amps = std.amplitudes
    if group is None:
        group = cell.make_group(len(amps), dt=DT)
    rec = protocols.steps(group, amps * nA, delay=std.delay * ms, duration=std.duration * ms,
                          after=std.after * ms, record=[f"v_{s}" for s in std.segments])
    return rec, feat.spike_features(rec)


def summary(per_neuron, standard):
    """Summary features (`SUMMARY_UNITS`) from the per-neuron features of `characterise`."""
    small = per_neuron.iloc[0]
    large = per_neuron.iloc[1]
    series = per_neuron.iloc[2:]
    curve, slope = feat.fi_curve(series)
    ref = series[np.isclose(series.amplitude_nA, standard.reference)].iloc[0]
    out = {
        "v_rest_mV": small.v_base_mV,
        "R_in_MOhm": small.R_in_MOhm,
        "tau_m_ms": small.tau_m_ms,
        "sag_ratio": large.sag_ratio,
        "rebound_spikes": large.rebound_spikes,
        "rheobase_nA": feat.rheobase(series),
        "fi_slope_Hz_per_nA": slope,
        "max_rate_Hz": float(curve.rate_Hz.iloc[-1]),
        "ap_halfwidth_ms": ref.ap_halfwidth_ms,
        "adaptation_index": ref.adaptation_index,
        "isi_cv": ref.isi_cv,
        "first_spike_latency_ms": ref.first_spike_latency_ms,
        "burst_spikes": ref.burst_spikes,
    }
    return pd.Series(out, dtype=float)
