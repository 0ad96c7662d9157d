"""One cell type of the atlas: every condition and protocol as neurons of one group, one run.

The group holds one block of neurons per condition (control, then each
modulator at `celltypes.modulation.standard_level`, acting on every receptor
the type expresses, every neuron expressing). A block is the type's standard
protocol (`celltypes.characterise.STANDARD`): the small and large
hyperpolarising steps, the F-I series, the controls (a channel removed), and,
for types with a tuft, the three BAC neurons (somatic pulse, distal EPSP,
both). All stimuli start together at the step onset, so the whole atlas of a
type is one compiled group and one run — on Cython, numpy or cpp_standalone
alike: the parameters and the resting state are set before the run, so nothing
is read back from the device in between.

Measured per neuron: the spike and passive features (`spike_features`); per
condition: the summary features of `celltypes.characterise.summary`, the BAC
features (`bac_summary`) and the back-propagating action potential in every
segment (`bap_profile`).
"""

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from brian2 import Network, StateMonitor, amp, mV, ms, nA, um

from compartments import backends
from compartments.analysis import features as feat
from compartments.analysis.protocols import Recording, STIMULUS_DT, bac_currents, stimulate
from compartments.recording import monitor_arrays, monitor_frame

from ..catalogue import canonical, get
from ..characterise import DT, STANDARD, apply_controls, bac_summary, quick_compile, summary
from ..modulation import modulator_conditions
from .stdp import stdp_windows

__all__ = ["MODULATORS", "TypeResult", "layout", "simulate_type", "bap_profile"]

MODULATORS = ("DA", "ACh", "5HT", "NE")
BAC_CONDITIONS = ("soma", "distal", "both")
_BAP_WINDOW = (-3.0, 10.0)  # ms around the soma's first spike: where the bAP peaks


@dataclass
class TypeResult:
    """Everything the atlas measured on one cell type (tidy DataFrames; units in the names).

    Attributes
    ----------
    name : str
    conditions : dict
        Condition name -> `modulated_excitability`-style spec.
    neurons : DataFrame
        One row per neuron: ``neuron, condition, protocol`` ("step" or "bac"),
        ``amplitude_nA`` (steps), ``control`` (a `Standard` control's label, else ''),
        ``bac`` (the BAC condition, else '').
    features : DataFrame
        `spike_features` of every neuron, with the columns of ``neurons``.
    summary : DataFrame
        One row per condition: the summary features (`characterise.summary`, and
        `bac_summary` for types with a BAC protocol).
    bap : DataFrame
        ``condition, segment, path_um, v_base_mV, peak_mV, bap_mV`` (`bap_profile`).
    recording : `Recording`
        The recorded segments of every neuron (`Standard.segments`).
    bac : dict
        Condition -> `Recording` of its three BAC neurons, all segments (BAC types).
    seconds : dict
        Wall time of ``build`` (groups and rest), ``run`` (code generation,
        compilation and simulation) and ``stdp`` (the STDP windows).
    stdp : DataFrame, optional
        The STDP window of each modulator's rule (`celltypes.atlas.stdp.stdp_windows`).
    """

    name: str
    conditions: dict
    neurons: pd.DataFrame
    features: pd.DataFrame
    summary: pd.DataFrame
    bap: pd.DataFrame
    recording: Recording
    bac: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    stdp: pd.DataFrame = None


def layout(std, conditions):
    """The neurons of the group (see `TypeResult.neurons`), block by block."""
    rows = []
    for condition in conditions:
        for amp_na, label in zip(std.amplitudes, std.labels):
            rows.append(dict(condition=condition, protocol="step", amplitude_nA=amp_na,
                             control=label, bac=""))
        if std.bac:
            rows += [dict(condition=condition, protocol="bac", amplitude_nA=np.nan, control="",
                          bac=b) for b in BAC_CONDITIONS]
    frame = pd.DataFrame(rows)
    frame.insert(0, "neuron", np.arange(len(frame)))
    return frame


def _currents(std, neurons):
    """Per-neuron waveforms: steps at the soma; BAC pulse and distal EPSP from the onset."""
    total = (std.delay + std.duration + std.after) * ms
    samples = int(round(float(total / STIMULUS_DT)))
    t = np.arange(samples) * float(STIMULUS_DT / ms)
    on = (t >= std.delay) & (t < std.delay + std.duration)
    steps = neurons.protocol.to_numpy() == "step"
    soma = np.zeros((samples, len(neurons)))
    soma[np.ix_(on, steps)] = neurons.amplitude_nA.to_numpy()[steps] * 1e-9
    currents = {"soma": soma * amp}
    if std.bac:
        distal, epsp_nA, lag, _ = std.bac
        kind = neurons.bac.where(neurons.protocol == "bac", "none").tolist()
        pulse, dend = bac_currents(kind, total, distal_amplitude=epsp_nA * nA,
                                   delay=std.delay * ms, lag=lag * ms)
        currents["soma"] = currents["soma"] + pulse
        currents[distal] = dend
    return currents, total


def _bap_candidates(neurons, std):
    """Neurons whose every segment is recorded, for the bAP and the BAC features: the three
    BAC neurons of each condition, or (types without BAC) its reference step and its largest
    step (the bAP of the reference step's first spike; the largest step's if the reference
    stays silent, e.g. under an inhibiting modulator)."""
    if std.bac:
        return neurons[neurons.protocol == "bac"].neuron.to_numpy()
    steps = neurons[(neurons.protocol == "step") & (neurons.control == "")]
    chosen = steps[np.isclose(steps.amplitude_nA, std.reference)
                   | np.isclose(steps.amplitude_nA, max(std.series))]
    return chosen.neuron.to_numpy()


def bap_profile(traces, spikes, neuron, onset_ms, distances):
    """Back-propagating action potential of one neuron: peak minus baseline per segment.

    Parameters
    ----------
    traces : DataFrame
        ``t_ms, neuron, v_<segment>_mV`` for every segment.
    spikes : DataFrame
        ``neuron, t_ms``.
    neuron : int
    onset_ms : float
        Stimulus onset; the baseline is the mean of the 20 ms before it.
    distances : dict
        Segment -> path distance from the soma (µm).

    Returns
    -------
    DataFrame
        ``segment, path_um, v_base_mV, peak_mV, bap_mV`` (NaN if the neuron did not
        spike). The peak is the maximum within -3..10 ms of the first spike after
        the onset.
    """
    rows = traces[traces.neuron == neuron]
    t = rows.t_ms.to_numpy()
    mine = spikes.t_ms[(spikes.neuron == neuron) & (spikes.t_ms >= onset_ms)].to_numpy()
    base = (t >= onset_ms - 20.0) & (t < onset_ms)
    out = []
    for segment, distance in distances.items():
        v = rows[f"v_{segment}_mV"].to_numpy()
        v_base = float(v[base].mean())
        if len(mine):
            near = (t >= mine[0] + _BAP_WINDOW[0]) & (t <= mine[0] + _BAP_WINDOW[1])
            peak = float(v[near].max())
        else:
            peak = np.nan
        out.append(dict(segment=segment, path_um=distance, v_base_mV=v_base, peak_mV=peak,
                        bap_mV=peak - v_base))
    return pd.DataFrame(out)


def _group(cell, conditions, neurons):
    """The group (and its modulator pool, if the type has receptors), not yet at rest."""
    from compartments.analysis.modulation import modulated_group

    if cell.expression is None:
        return cell.make_group(len(neurons), dt=DT, init=-65 * mV), None
    group, pool, _ = modulated_group(cell, conditions, len(neurons) // len(conditions), dt=DT,
                                     at_rest=False)
    return group, pool


def _prepare(cell, std, conditions, neurons):
    """The group (and pool) at rest, modulated and with the controls applied."""
    from compartments.rest import equilibrate

    group, pool = _group(cell, conditions, neurons)
    apply_controls(group, std, len(neurons) // len(conditions))
    equilibrate(group)          # one rest solve for the expression and the controls
    return group, pool


def _settable(group):
    """Names of the group's own writable per-neuron variables."""
    from brian2.core.variables import ArrayVariable

    return [name for name, var in group.variables.items()
            if isinstance(var, ArrayVariable) and not var.read_only and not name.startswith("_")
            and group.variables.indices[name] == "_idx" and var.owner is group
            and var.size == len(group)]


def _standalone_twin(cell, std, conditions, neurons, directory):
    """The same group on cpp_standalone: prepared on numpy (values cannot be read from a
    standalone device before its run), then every value copied over."""
    with backends.using("numpy"):
        ref, ref_pool = _prepare(cell, std, conditions, neurons)
        values = {name: np.array(getattr(ref, name + "_")) for name in _settable(ref)}
    backends.use("cpp_standalone", directory=directory)
    group, pool = _group(cell, conditions, neurons)
    for name, arr in values.items():
        setattr(group, name + "_", arr)
    return group, pool


def simulate_type(name, modulators=MODULATORS, backend="cython", standalone_dir=None,
                  optimise=True, stdp=True):
    """Run the atlas protocols of one cell type; return a `TypeResult`.

    Parameters
    ----------
    name : str
        A catalogue type with a standard protocol (`celltypes.characterise.STANDARD`).
    modulators : sequence of str
        Besides the control: each applied alone (types without receptors: control only).
    backend : {'cython', 'numpy', 'cpp_standalone'}
        Code-generation target. cpp_standalone leaves this process's device on
        cpp_standalone: run it in a process of its own.
    standalone_dir : str, optional
        Project folder for cpp_standalone (reused: unchanged code is not recompiled).
    optimise : bool
        Compile Cython with the default optimisation (True) or -O0
        (`characterise.quick_compile`: faster to compile, slower to run).
    stdp : bool
        Also run the STDP windows per modulator (`celltypes.atlas.stdp`; rule level, on
        numpy for the numpy backend, else on Cython, before a standalone device is set).
    """
    name = canonical(name)
    if name not in STANDARD:
        raise ValueError(f"Cell type {name!r} has no standard protocol in "
                         f"celltypes.characterise.STANDARD (types with one: {sorted(STANDARD)}).")
    cell = get(name)
    std = STANDARD[name]
    conditions = modulator_conditions(name, modulators)  # those with a receptor in the type
    neurons = layout(std, conditions)
    start = time.perf_counter()
    with quick_compile(not optimise and backend == "cython"):
        windows = stdp_windows(name, modulators, target="numpy" if backend == "numpy"
                               else "cython") if stdp else None
        stdp_done = time.perf_counter()
        if backend == "cpp_standalone":
            group, pool = _standalone_twin(cell, std, conditions, neurons, standalone_dir)
        else:
            backends.use(backend)
            group, pool = _prepare(cell, std, conditions, neurons)
        built = time.perf_counter()
        currents, total = _currents(std, neurons)
        segments = list(cell.segment_names)
        every = [f"v_{s}" for s in segments]
        candidates = _bap_candidates(neurons, std)
        morph = StateMonitor(group, every, record=candidates)
        net = Network(group, morph, *([pool] if pool is not None else []))
        onset = float(std.delay)
        t0 = float(net.t / ms)
        recording = stimulate(group, currents, total, record=[f"v_{s}" for s in std.segments],
                              network=net, conditions=neurons,
                              window=(onset, onset + std.duration))
    ran = time.perf_counter()
    all_segments = monitor_frame(morph, every, candidates)
    all_segments["t_ms"] -= t0
    t_ms, arrays = monitor_arrays(morph, every)   # the same, as arrays (for the BAC neurons)
    t_ms = t_ms - t0
    features = feat.spike_features(recording)
    rows, bap, bac = [], [], {}
    distances = {s: float(d / um) for s, d in cell.path_distances().items()}
    for condition in conditions:
        mine = features[features.condition == condition]
        steps = mine[mine.protocol == "step"].reset_index(drop=True)
        row = summary(steps, std)
        if std.bac:
            bac[condition] = _bac_recording(recording, t_ms, arrays, candidates, neurons,
                                            condition, onset)
            row = row.combine_first(bac_summary(bac[condition], std))
            bap_neuron = int(neurons[(neurons.condition == condition)
                                     & (neurons.bac == "soma")].neuron.iloc[0])
        else:
            mine = steps[steps.neuron.isin(candidates)].sort_values("amplitude_nA")
            firing = mine[mine.n_spikes > 0]
            bap_neuron = int((firing if len(firing) else mine).neuron.iloc[0])
        rows.append(pd.concat([pd.Series({"condition": condition}), row]))
        bap.append(bap_profile(all_segments, recording.spikes, bap_neuron, onset, distances)
                   .assign(condition=condition, neuron=bap_neuron))
    bap = pd.concat(bap, ignore_index=True)
    bap = bap[["condition", "neuron"] + [c for c in bap.columns if c not in ("condition", "neuron")]]
    return TypeResult(name=name, conditions=conditions, neurons=neurons, features=features,
                      summary=pd.DataFrame(rows).reset_index(drop=True), bap=bap,
                      recording=recording, bac=bac, stdp=windows,
                      seconds={"stdp": stdp_done - start, "build": built - stdp_done,
                               "run": ran - built})


def _bac_recording(recording, t_ms, arrays, recorded, neurons, condition, onset):
    """The three BAC neurons of a condition as a `Recording` of their own (neurons 0-2, in
    the order soma, distal, both), as `bac_summary` expects. ``arrays``: every segment's
    voltage (rows: the neurons ``recorded``), times ``t_ms`` from the protocol's start."""
    mine = neurons[(neurons.condition == condition) & (neurons.protocol == "bac")]
    renumber = {int(n): k for k, n in enumerate(mine.neuron)}
    rows = [int(np.flatnonzero(np.asarray(recorded) == n)[0]) for n in renumber]
    spikes = recording.spikes[recording.spikes.neuron.isin(renumber)].copy()
    spikes["neuron"] = spikes.neuron.map(renumber)
    conditions = pd.DataFrame({"neuron": list(renumber.values()), "condition": list(mine.bac)})
    return Recording(t_ms, {name: values[rows] for name, values in arrays.items()},
                     list(renumber.values()), spikes.reset_index(drop=True), conditions,
                     (onset, onset + 60.0), recording.duration)
