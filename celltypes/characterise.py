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
from brian2 import Network, ms, nA, prefs

from compartments import equilibrate
from compartments.analysis import features as feat
from compartments.analysis import protocols
from compartments.analysis.series import STEP_SUMMARY, BACSeries, StepSeries

__all__ = ["Standard", "STANDARD", "characterise", "summary", "bac_summary", "group_name",
           "quick_compile", "cheapest_backend", "apply_controls", "SUMMARY_UNITS", "DT",
           "series"]

SUMMARY_UNITS = STEP_SUMMARY  # the summary features (compartments.analysis.series)


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

    def steps(self):
        """The standard steps as a `StepSeries` (what fits and sweeps of the type run)."""
        return StepSeries(np.array([self.small_negative, self.large_negative, *self.series]) * nA,
                          self.reference * nA, delay=self.delay * ms,
                          duration=self.duration * ms, after=self.after * ms,
                          record=self.segments, name="standard")

    def bac_series(self, record=None):
        """The BAC protocol as a `BACSeries` (None for a type without a tuft)."""
        if not self.bac:
            return None
        distal, amplitude, lag, sites = self.bac
        return BACSeries(distal, sites=dict(sites), distal_amplitude=amplitude * nA,
                         lag=lag * ms, record=record)


STANDARD = {
    # PV (v2): 40 pA steps to 1.2 nA resolve the rheobase and the near-threshold F-I slope
    # of the Allen targets, then to 2 nA for the maximal rate; sag at -0.2 nA
    "PV_BC": Standard(-0.05, -0.2, tuple(np.round(np.r_[np.arange(0.04, 1.201, 0.04),
                                                        1.4, 1.6, 2.0], 2)), 0.6),
    # L2/3 (v2): reference step 0.2 nA, rheobase + 0.05 nA as the Allen "hero" sweep
    # (rheobase + 39..61 pA) on which the adaptation index of the targets is measured
    "L23_PC": Standard(-0.05, -0.3, tuple(np.round(np.arange(0.05, 1.001, 0.05), 3)), 0.2,
                       controls=(("no Km", 0.2, {"gbar_km_*": 0.0}),
                                 ("no Km or sAHP", 0.2, {"gbar_km_*": 0.0, "gbar_sahp_*": 0.0}))),
    "TC": Standard(-0.02, -0.3, tuple(np.round(np.arange(0.05, 1.001, 0.05), 3)), 0.5,
                   controls=(("no CaT", -0.3, {"pcabar_cat_*": 0.0}),)),
    "VIP_BP": Standard(-0.02, -0.1, tuple(np.round(np.arange(0.02, 0.401, 0.02), 3)), 0.2,
                       controls=(("no Km", 0.2, {"gbar_km_*": 0.0}),)),
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


def apply_controls(group, std, block=None):
    """Set the parameters of ``std``'s control neurons (e.g. a channel removed).

    The group holds one or more blocks of ``block`` neurons (default: the whole
    group), each laid out as `Standard.amplitudes`; the controls of every block are
    changed. The caller moves the group to rest afterwards (`equilibrate`).
    """
    import fnmatch

    first = 2 + len(std.series)
    block = len(group) if block is None else int(block)
    starts = np.arange(0, len(group), block)
    for k, (label, _, changes) in enumerate(std.controls):
        for pattern, value in changes.items():
            names = [v for v in group.variables if fnmatch.fnmatchcase(v, pattern)]
            if not names:
                raise ValueError(f"Control {label!r} names {pattern!r}, which matches no "
                                 f"variable of the group.")
            for name in names:
                values = getattr(group, name + "_")[:]
                if isinstance(value, tuple) and value[0] == "scale":
                    values[starts + first + k] *= value[1]
                else:
                    values[starts + first + k] = value
                setattr(group, name + "_", values)


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
        apply_controls(group, std)
        if std.controls:
            equilibrate(group)
        net = Network(group)  # one network: a group runs in one network only
        rec = protocols.steps(group, amps * nA, delay=std.delay * ms,
                              duration=std.duration * ms, after=std.after * ms,
                              record=[f"v_{s}" for s in std.segments], network=net)
        if std.bac:
            equilibrate(group)
            bac = std.bac_series(record=cell.segment_names)
            summary_row, rec.bac = bac.run(group, 1, network=net)
            rec.bac_summary = summary_row.drop(columns="candidate").iloc[0].astype(float)
    per_neuron = feat.spike_features(rec)
    per_neuron["control"] = std.labels
    return rec, per_neuron


def bac_summary(rec, standard):
    """bAP amplitudes, BAC spike counts and ISI, Ca-spike durations of one candidate's BAC
    `Recording` (`BACSeries.summarise`), as a Series."""
    series = standard.bac_series()
    k = len(rec.conditions)
    return series.summarise(rec, 1, k).drop(columns="candidate").iloc[0].astype(float)


def summary(per_neuron, standard, recording=None):
    """Summary features (`SUMMARY_UNITS`, `StepSeries.summarise`) from the per-neuron features
    of `characterise` (and, given its ``recording`` of a type with a BAC protocol, the
    `bac_summary`)."""
    if "control" in per_neuron:
        per_neuron = per_neuron[per_neuron.control == ""]
    out = standard.steps().summarise(per_neuron.reset_index(drop=True), 1)
    out = out.drop(columns="candidate").iloc[0].astype(float)
    if recording is not None and getattr(recording, "bac_summary", None) is not None:
        out = out.combine_first(recording.bac_summary)
    return out


def series(cell):
    """The protocols of a type's standard characterisation for fits and sweeps: its
    `StepSeries`, and its `BACSeries` where it has one."""
    std = STANDARD[cell.name if not isinstance(cell, str) else cell]
    return [p for p in (std.steps(), std.bac_series()) if p is not None]
