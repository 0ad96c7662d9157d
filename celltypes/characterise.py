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

import contextlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from brian2 import Network, ms, nA, prefs

from compartments import equilibrate
from compartments.analysis import features as feat
from compartments.analysis import protocols

__all__ = ["Standard", "STANDARD", "characterise", "summary", "bac_summary", "group_name",
           "quick_compile", "cheapest_backend", "SUMMARY_UNITS", "DT"]

SUMMARY_UNITS = {"v_rest_mV": "mV", "R_in_MOhm": "MOhm", "tau_m_ms": "ms", "sag_ratio": "1",
                 "rebound_spikes": "1", "rheobase_nA": "nA", "fi_slope_Hz_per_nA": "Hz/nA",
                 "max_rate_Hz": "Hz", "ap_halfwidth_ms": "ms", "adaptation_index": "1",
                 "isi_cv": "1", "first_spike_latency_ms": "ms", "burst_spikes": "1",
                 "initial_burst_spikes": "1"}


@dataclass(frozen=True)
class Standard:
    """Standard step protocol of a cell type (amplitudes in nA, times in ms).

    ``segments``: whose voltages are recorded, the soma first. ``bac``: for
    types with a tuft, ``(distal segment, EPSP amplitude nA, lag ms, sites)``
    where sites maps bAP target features to segments (see `bac_summary`).
    ``quick_compile``: compile without optimisation (`quick_compile`).
    ``controls``: extra neurons ``(label, amplitude nA, {variable pattern: SI value or
    ("scale", factor)})`` with parameters changed (e.g. a channel removed), run in the
    same group. ``code_family``: a type with the same template structure whose group
    name (and so compiled code) this type shares (L5_IB uses L5_TTPC's).
    """

    small_negative: float
    large_negative: float
    series: tuple
    reference: float
    duration: float = 500.0
    delay: float = 100.0
    after: float = 300.0
    segments: tuple = ("soma",)
    bac: tuple = ()
    quick_compile: bool = False
    controls: tuple = ()
    code_family: str = ""

    @property
    def amplitudes(self):
        """All amplitudes (nA), one neuron each: small, large negative, the series, then
        the controls."""
        return np.array([self.small_negative, self.large_negative, *self.series,
                         *(c[1] for c in self.controls)], dtype=float)

    @property
    def labels(self):
        """Per neuron: '' for the standard steps, the control's label otherwise."""
        return [""] * (2 + len(self.series)) + [c[0] for c in self.controls]


STANDARD = {
    "PV_BC": Standard(-0.05, -0.4, tuple(np.round(np.arange(0.2, 4.01, 0.2), 2)), 2.0),
    "L23_PC": Standard(-0.05, -0.3, tuple(np.round(np.arange(0.05, 1.001, 0.05), 3)), 0.5,
                       controls=(("no Km", 0.5, {"gbar_km_*": 0.0}),
                                 ("no Km or sAHP", 0.5, {"gbar_km_*": 0.0, "gbar_sahp_*": 0.0}))),
    "TC": Standard(-0.02, -0.3, tuple(np.round(np.arange(0.05, 1.001, 0.05), 3)), 0.5,
                   controls=(("no CaT", -0.3, {"pcabar_cat_*": 0.0}),)),
    "VIP_BP": Standard(-0.02, -0.1, tuple(np.round(np.arange(0.01, 0.201, 0.01), 3)), 0.08,
                       controls=(("no Km", 0.08, {"gbar_km_*": 0.0}),)),
    "L5_TTPC": Standard(-0.1, -0.5, tuple(np.round(np.arange(0.1, 2.01, 0.1), 2)), 0.3,
                        segments=("soma", "apical_1", "tuft_0"),
                        bac=("tuft_0", 1.0, 2.0, (("bap_amplitude_620um_mV", "tuft_0"),
                                                   ("bap_amplitude_800um_mV", "tuft_1"))),
                        quick_compile=True,
                        controls=(("no HCN", -0.5, {"gbar_hcn_*": 0.0}),)),
    "L5_IB": Standard(-0.1, -0.5, tuple(np.round(np.arange(0.1, 2.01, 0.1), 2)), 0.6,
                      segments=("soma", "apical_1", "tuft_0"), quick_compile=True,
                      code_family="L5_TTPC",
                      controls=(("coupling x0.75", 0.6, {"gax_*apical*": ("scale", 0.75),
                                                         "gax_tuft_0__tuft_1": ("scale", 0.75)}),
                                ("coupling x0.5", 0.6, {"gax_*apical*": ("scale", 0.5),
                                                        "gax_tuft_0__tuft_1": ("scale", 0.5)}))),
    "SST_MC": Standard(-0.02, -0.15, tuple(np.round(np.arange(0.025, 0.501, 0.025), 3)), 0.1,
                       controls=(("no CaT", -0.15, {"pcabar_cat_*": 0.0}),)),
}


DT = 0.025 * ms  # the time step of every characterisation (the test suite's default)


@contextlib.contextmanager
def quick_compile(enabled=True):
    """Compile Cython code without optimisation (-O0) inside the block.

    The implicit updater of a template with many segments is one long function:
    with gcc -O3 the L5 templates take about 4 min to compile on two cores,
    with -O0 about 30 s, and then run about 2x slower, a good trade for a
    test suite. Brian2 caches code per compiler flags, so both coexist.
    """
    key = "codegen.cpp.extra_compile_args_gcc"
    old = list(prefs[key])
    if enabled:
        prefs[key] = ["-O0" if a.startswith("-O") else a for a in old]
    try:
        yield
    finally:
        prefs[key] = old


@contextlib.contextmanager
def cheapest_backend(name):
    """Inside the block: numpy for a small type, Cython at -O0 for a type marked
    ``quick_compile`` (the L5 templates: ~40 s compiled vs ~10 min on numpy for a
    modulation table). The caller restores the target afterwards if it needs to."""
    import compartments

    compiled = STANDARD[name].quick_compile
    compartments.backends.use("cython" if compiled else "numpy")
    with quick_compile(compiled):
        yield


def group_name(cell):
    """The fixed name of a type's characterisation group: Brian2's generated code names
    the group's arrays, so one name per type (or per `Standard.code_family`) means one
    compilation per template structure."""
    std = STANDARD.get(cell.name)
    family = std.code_family if std is not None and std.code_family else cell.name
    return f"{family.lower()}_standard"


def _apply_controls(group, std):
    import fnmatch

    first = 2 + len(std.series)
    for k, (label, _, changes) in enumerate(std.controls):
        for pattern, value in changes.items():
            names = [v for v in group.variables if fnmatch.fnmatchcase(v, pattern)]
            if not names:
                raise ValueError(f"Control {label!r} names {pattern!r}, which matches no "
                                 f"variable of the group.")
            for name in names:
                values = getattr(group, name + "_")[:]
                if isinstance(value, tuple) and value[0] == "scale":
                    values[first + k] *= value[1]
                else:
                    values[first + k] = value
                setattr(group, name + "_", values)
    if std.controls:
        equilibrate(group)


def characterise(cell, standard=None, group=None):
    """Run the standard steps of ``cell`` (a `CellType`); return (recording, per-neuron features).

    The per-neuron features have a ``control`` column ('' for the standard steps).
    ``group`` (optional) is a group of ``len(standard.amplitudes)`` neurons of the type,
    e.g. a heterogeneous one. For a type with a BAC protocol the same group then runs
    it: ``recording.bac`` holds that `Recording` and ``recording.bac_summary`` its
    `bac_summary` (None otherwise).
    """
    std = standard or STANDARD[cell.name]
    amps = std.amplitudes
    with quick_compile(std.quick_compile):
        if group is None:
            group = cell.make_group(len(amps), dt=DT, name=group_name(cell))
        _apply_controls(group, std)
        net = Network(group)  # one network: a group runs in one network only
        rec = protocols.steps(group, amps * nA, delay=std.delay * ms,
                              duration=std.duration * ms, after=std.after * ms,
                              record=[f"v_{s}" for s in std.segments], network=net)
        if std.bac:
            distal, amplitude, lag, _ = std.bac
            equilibrate(group)
            conditions = ["soma", "distal", "both"] + ["none"] * (len(group) - 3)
            rec.bac = protocols.bac(group, distal, distal_amplitude=amplitude * nA,
                                    lag=lag * ms, conditions=conditions, network=net,
                                    record=[f"v_{s}" for s in cell.segment_names])
            rec.bac_summary = bac_summary(rec.bac, std)
    per_neuron = feat.spike_features(rec)
    per_neuron["control"] = std.labels
    return rec, per_neuron


def bac_summary(rec, standard, ca_level=-30.0):
    """bAP amplitudes (soma-pulse neuron: peak minus rest per segment), BAC spike counts and
    the time the distal segment spends above ``ca_level`` mV (the Ca spike) per condition."""
    distal, _, _, sites = standard.bac
    w0 = rec.window[0]
    out = {}
    t, _ = rec.trace(0)
    for var in [c for c in rec.traces.columns if c.startswith("v_")]:
        t, v = rec.trace(0, var)
        out[f"bap_{var}"] = v[t >= w0].max() - v[t < w0].mean()
    for feature, segment in sites:
        out[feature] = out[f"bap_v_{segment}_mV"]
    for n, cond in enumerate(rec.conditions.condition):
        if cond == "none":
            continue
        spikes = rec.spike_times(n)
        spikes = spikes[spikes >= w0]
        out[f"bac_spikes_{cond}"] = len(spikes)
        t, v = rec.trace(n, f"v_{distal}_mV")
        out[f"ca_spike_ms_{cond}"] = float(np.sum(v[t >= w0] > ca_level) * (t[1] - t[0]))
        if cond == "both":
            out["bac_spikes"] = len(spikes)
            out["bac_isi_ms"] = float(np.mean(np.diff(spikes))) if len(spikes) > 1 else np.nan
    return pd.Series(out, dtype=float)


def summary(per_neuron, standard, recording=None):
    """Summary features (`SUMMARY_UNITS`) from the per-neuron features of `characterise`
    (and, given its ``recording`` of a type with a BAC protocol, the `bac_summary`)."""
    if "control" in per_neuron:
        per_neuron = per_neuron[per_neuron.control == ""]
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
        "initial_burst_spikes": ref.initial_burst_spikes,
    }
    out = pd.Series(out, dtype=float)
    if recording is not None and getattr(recording, "bac_summary", None) is not None:
        out = out.combine_first(recording.bac_summary)
    return out
