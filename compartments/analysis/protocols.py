"""Current-clamp protocols, vectorised: one group, one condition per neuron.

Every protocol here is a waveform of injected current per neuron and segment,
played into the group's ``I_ext_<segment>`` by one ``run_regularly`` operation
reading a two-dimensional `brian2.TimedArray` (time x neuron). The conditions
of a protocol (step amplitudes, stimulus combinations) are neurons of one
group, so a cell type is compiled once for all of them.

- `stimulate`: any waveforms (the building block);
- `steps`: rectangular steps, one amplitude per neuron (F-I curve, sag,
  rebound, rheobase by bracketing);
- `bac`: Larkum's BAC protocol as Hay et al. 2011 ran it: a 5 ms somatic
  pulse, an EPSP-shaped current at a distal site 5 ms later, or both
  (`bac_currents`: its waveforms, to combine with other conditions in one run);
- `epsp_current`: the double-exponential EPSP-shaped current (Hay et al. 2011's
  ``epsp.mod``: rise 0.5 ms, decay 5 ms).

Each returns a `Recording`: traces (tidy DataFrame, units in column names),
spike times, the stimulus description and the stimulation window.

>>> from compartments.analysis.protocols import epsp_current
>>> from brian2 import ms, nA
>>> import numpy as np
>>> w = epsp_current(np.arange(0, 20, 0.1) * ms, 0 * ms, 0.5 * nA)
>>> round(float(w.max() / nA), 3)
0.5
"""

import numpy as np
import pandas as pd
from brian2 import SpikeMonitor, StateMonitor, TimedArray, amp, ms, nA

from ..guard import check_divergence, run_to_end
from ..recording import cell_count, display_unit, is_tree_group, network_for

__all__ = ["Recording", "stimulate", "steps", "bac", "bac_currents", "epsp_current",
           "STIMULUS_DT"]

STIMULUS_DT = 0.1 * ms  # resolution of the injected waveforms


class Recording:
    """What a protocol returns.

    Traces are kept as arrays (one row per recorded neuron); `traces` is the
    tidy DataFrame view, built on first use.

    Attributes
    ----------
    t_ms : ndarray
        Sample times (ms, from the protocol's start).
    arrays : dict
        Column name (``v_soma_mV``) -> array of shape (recorded neurons, samples).
    recorded : ndarray
        The neurons whose traces were recorded (rows of ``arrays``).
    spikes : DataFrame
        ``neuron``, ``t_ms`` (every spike of the group during the protocol),
        sorted by neuron, then time.
    conditions : DataFrame
        One row per neuron: the protocol's parameters (e.g. ``amplitude_nA``).
    window : tuple of float
        Start and end (ms, from the protocol's start) of the stimulus.
    duration : float
        Total duration (ms).
    bac, bac_summary : optional
        Set by `celltypes.characterise` when the same group also ran a BAC protocol.
    """

    def __init__(self, t_ms, arrays, recorded, spikes, conditions, window, duration):
        self.t_ms = np.asarray(t_ms, dtype=float)
        self.arrays = dict(arrays)
        self.recorded = np.asarray(recorded, dtype=int)
        self._row = {int(n): k for k, n in enumerate(self.recorded)}
        self.spikes = spikes.sort_values(["neuron", "t_ms"], kind="stable").reset_index(drop=True)
        self.conditions = conditions
        self.window = window
        self.duration = duration
        self.bac = self.bac_summary = None
        self._traces = None

    @property
    def variables(self):
        """Names of the recorded columns (``v_soma_mV``, ...)."""
        return list(self.arrays)

    @property
    def traces(self):
        """Tidy DataFrame: ``t_ms``, ``neuron`` and one column per recorded variable."""
        if self._traces is None:
            n_t = len(self.t_ms)
            cols = {"t_ms": np.tile(self.t_ms, len(self.recorded)),
                    "neuron": np.repeat(self.recorded, n_t)}
            cols.update({name: values.ravel() for name, values in self.arrays.items()})
            self._traces = pd.DataFrame(cols)
        return self._traces

    def rows(self, neurons):
        """Rows of `arrays` for ``neurons`` (-1 where a neuron was not recorded)."""
        return np.array([self._row.get(int(n), -1) for n in np.atleast_1d(neurons)], dtype=int)

    def trace(self, neuron, variable="v_soma_mV"):
        """(t_ms, values) of one neuron's recorded variable, as numpy arrays."""
        row = self._row.get(int(neuron))
        if row is None:
            raise KeyError(f"Neuron {neuron} was not recorded (recorded: "
                           f"{self.recorded.tolist()[:10]}{' ...' if len(self.recorded) > 10 else ''}).")
        return self.t_ms, self.arrays[variable][row]

    def spike_times(self, neuron):
        """Spike times (ms) of one neuron."""
        n = self.spikes.neuron.to_numpy()
        lo, hi = np.searchsorted(n, neuron, "left"), np.searchsorted(n, neuron, "right")
        return self.spikes.t_ms.to_numpy()[lo:hi]

    def __repr__(self):
        return (f"{type(self).__name__}(neurons={len(self.conditions)}, "
                f"duration={self.duration:g} ms, spikes={len(self.spikes)})")


def _check_group(group, segments):
    for seg in segments:
        known = (group.alias(f"I_ext_{seg}") is not None if is_tree_group(group)
                 else f"I_ext_{seg}" in group.variables)
        if not known:
            raise KeyError(f"Group '{group.name}' has no segment '{seg}' (no variable "
                           f"'I_ext_{seg}').")


def _play(group, seg, name):
    """The operation writing `TimedArray` ``name`` (time x cells) into ``seg``'s external
    current every `STIMULUS_DT`, owned by ``group`` (a tree group: by its segment's rows)."""
    code = f"I_ext_{seg} = {name}(t, i)"
    if not is_tree_group(group):
        return group.run_regularly(code, dt=STIMULUS_DT, when="start", order=-1)
    var, where = group.alias(f"I_ext_{seg}")
    rows = group.segment(where)  # neuron i of the subgroup is cell i
    op = rows.run_regularly(f"{var} = {name}(t, i)", dt=STIMULUS_DT, when="start", order=-1)
    rows.contained_objects.remove(op)  # run with the group, not with the subgroup object
    group.contained_objects.append(op)
    return op


def _monitors(group, record, recorded, record_dt):
    """A `SpikeMonitor` of the cells and, if anything is recorded, a `StateMonitor` with
    the (variable, rows) of each recorded name (rows: the recorded cells, or the tree
    group's rows of them)."""
    if not is_tree_group(group):
        targets = [(var, recorded) for var in record]
        spikes = SpikeMonitor(group)
    else:
        targets = group.monitor_targets(record, recorded)
        spikes = SpikeMonitor(group.cells)
    if not (len(recorded) and record):
        return [spikes], targets
    rows = np.unique(np.concatenate([r for _, r in targets]))
    state = StateMonitor(group, sorted({var for var, _ in targets}), record=rows, dt=record_dt)
    return [spikes, state], targets


def _traces(monitor, record, targets):
    """(t_ms, {column: (recorded cells, samples)}) of the recorded names, in display units."""
    position = {row: k for k, row in enumerate(np.asarray(monitor.record))}
    out = {}
    for name, (var, rows) in zip(record, targets):
        unit, label = display_unit(monitor.variables[var].dim)
        values = np.asarray(getattr(monitor, var + "_"))[[position[r] for r in rows]]
        out[f"{name}_{label}" if label else name] = values / float(unit)
    return np.asarray(monitor.t_) * 1e3, out


def stimulate(group, currents, duration, record=("v_soma",), record_dt=None,
              network=None, conditions=None, window=(0.0, None), record_neurons=None):
    """Play per-neuron current waveforms into segments of ``group`` and record.

    Parameters
    ----------
    group : `NeuronGroup`
        A template group (``compartments``' ``make_group``).
    currents : dict
        Segment name -> `Quantity` array (amp) of shape (samples, neurons),
        sampled every `STIMULUS_DT` from the start of the run; after the last
        sample the current is zero.
    duration : `Quantity`
        How long to run.
    record : sequence of str
        Variables to record (of every neuron, or of ``record_neurons``).
    record_neurons : sequence of int, optional
        Whose traces to record (default all); spikes are kept for every neuron.
    record_dt : `Quantity`, optional
        Sampling interval of the traces (default the group's dt).
    network : `Network`, optional
        Run this network (it must contain the group); default the group's
        network (`compartments.recording.network_for`): protocols can be run
        on the same group any number of times.
    conditions : DataFrame, optional
        One row per neuron describing its condition (kept in the result).
    window : tuple
        Stimulus window (ms) stored in the result for the feature functions.

    Returns
    -------
    `Recording`
    """
    _check_group(group, currents)
    n = cell_count(group)
    steps = _samples(duration)
    net = network_for(group, network)
    # the waveforms are indexed by the network's time: zeros until this protocol's start
    # (the group's clock may still show the end of another network's run)
    t0 = float(net.t / ms)
    lead = _samples(net.t)
    ops, names = [], []
    for seg, wave in currents.items():
        values = np.asarray(wave / amp, dtype=float)
        if values.ndim != 2 or values.shape[1] != n:
            raise ValueError(f"The current for segment '{seg}' must have shape (samples, "
                             f"{n}) (one column per neuron). Got {values.shape} instead.")
        values = np.vstack([np.zeros((lead, n)), values,
                            np.zeros((max(steps - len(values), 0) + 1, n))])
        name = f"protocol_current_{seg}"  # a fixed name: the same code each time (no recompilation)
        group.namespace[name] = TimedArray(values * amp, dt=STIMULUS_DT)
        names.append(name)
        ops.append(_play(group, seg, name))
    record = [record] if isinstance(record, str) else list(record)
    recorded = np.arange(n) if record_neurons is None else np.asarray(record_neurons, dtype=int)
    added, targets = _monitors(group, record, recorded, record_dt)
    net.add(*added)
    try:
        run_to_end(net, duration)
    finally:
        net.remove(*added)
        for op in ops:
            group.contained_objects.remove(op)
        for seg in currents:
            setattr(group, f"I_ext_{seg}", 0 * amp)
        for name in names:
            del group.namespace[name]
    check_divergence(group)
    spikes = added[0]
    spk = pd.DataFrame({"neuron": np.asarray(spikes.i[:], dtype=int),
                        "t_ms": np.asarray(spikes.t_[:]) * 1e3 - t0})
    t_ms, arrays = (_traces(added[1], record, targets) if len(added) > 1 else
                    (np.zeros(0), {}))
    if conditions is None:
        conditions = pd.DataFrame({"neuron": np.arange(n)})
    end = float(duration / ms) if window[1] is None else window[1]
    return Recording(t_ms - t0, arrays, recorded, spk, conditions.reset_index(drop=True),
                     (window[0], end), float(duration / ms))


def _samples(duration):
    return int(round(float(duration / STIMULUS_DT)))


def steps(group, amplitudes, delay=100 * ms, duration=500 * ms, after=200 * ms,
          segment="soma", record=("v_soma",), record_dt=None, network=None):
    """Rectangular current steps, one amplitude per neuron.

    Parameters
    ----------
    group : `NeuronGroup`
        ``len(group) == len(amplitudes)``.
    amplitudes : `Quantity`
        Step amplitude per neuron (amp).
    delay, duration, after : `Quantity`
        Time before, during and after the step.
    segment : str
        Where the current is injected (default the soma).

    Returns
    -------
    `Recording` with ``conditions.amplitude_nA`` and ``window`` the step.
    """
    amps = np.atleast_1d(np.asarray(amplitudes / amp, dtype=float))
    if len(amps) != cell_count(group):
        raise ValueError(f"steps needs one amplitude per neuron: {cell_count(group)} neurons, "
                         f"{len(amps)} amplitudes.")
    total = delay + duration + after
    wave = np.zeros((_samples(total), len(amps)))
    wave[_samples(delay):_samples(delay + duration)] = amps
    conditions = pd.DataFrame({"neuron": np.arange(len(amps)), "amplitude_nA": amps * 1e9})
    start = float(delay / ms)
    return stimulate(group, {segment: wave * amp}, total, record=record, record_dt=record_dt,
                     network=network, conditions=conditions,
                     window=(start, start + float(duration / ms)))


def epsp_current(t, onset, amplitude, tau_rise=0.5 * ms, tau_decay=5 * ms):
    """EPSP-shaped current: a double exponential peaking at ``amplitude``.

    The waveform of Hay et al. 2011's ``epsp.mod`` (rise 0.5 ms, decay 5 ms,
    ModelDB 139653), normalised so that its peak is ``amplitude``.
    """
    x = np.asarray((t - onset) / ms, dtype=float)
    r, d = float(tau_rise / ms), float(tau_decay / ms)
    shape = np.where(x >= 0, np.exp(-np.clip(x, 0, None) / d) - np.exp(-np.clip(x, 0, None) / r),
                     0.0)
    t_peak = r * d / (d - r) * np.log(d / r)
    peak = np.exp(-t_peak / d) - np.exp(-t_peak / r)
    return shape / peak * amplitude


def bac(group, distal, soma_amplitude=1.9 * nA, distal_amplitude=0.5 * nA,
        delay=50 * ms, pulse=5 * ms, lag=5 * ms, after=150 * ms, record=("v_soma",),
        conditions=("soma", "distal", "both"), network=None):
    """Back-propagation-activated Ca firing (BAC) protocol, one condition per neuron.

    A 5 ms somatic pulse of ``soma_amplitude`` at ``delay``; an EPSP-shaped
    current (`epsp_current`) of peak ``distal_amplitude`` into segment
    ``distal`` starting ``lag`` later. ``conditions`` lists, per neuron,
    ``"soma"`` (pulse only), ``"distal"`` (EPSP only), ``"both"`` or ``"none"``
    (no stimulus); the group must have that many neurons. Hay et al. 2011 used 1.9 nA for 5 ms and a
    0.5 nA EPSP current at about 620 um from the soma, 5 ms after the pulse
    (protocol as encoded in their fitting code; see docs/celltypes).
    """
    conditions = list(conditions)
    if len(conditions) != cell_count(group):
        raise ValueError(f"bac needs one condition per neuron: {cell_count(group)} neurons, "
                         f"{len(conditions)} conditions.")
    total = delay + lag + after
    soma, dend = bac_currents(conditions, total, soma_amplitude, distal_amplitude, delay,
                              pulse, lag)
    cond = pd.DataFrame({"neuron": np.arange(len(conditions)), "condition": conditions})
    start = float(delay / ms)
    return stimulate(group, {"soma": soma, distal: dend}, total, record=record,
                     network=network, conditions=cond, window=(start, start + 60.0))


def bac_currents(conditions, duration, soma_amplitude=1.9 * nA, distal_amplitude=0.5 * nA,
                 delay=50 * ms, pulse=5 * ms, lag=5 * ms):
    """The somatic and distal current waveforms of `bac`, one column per condition.

    Returns
    -------
    soma, distal : `Quantity` (amp)
        Arrays of shape (samples of ``duration`` every `STIMULUS_DT`, conditions),
        ready for `stimulate`.
    """
    unknown = set(conditions) - {"soma", "distal", "both", "none"}
    if unknown:
        raise ValueError(f"Unknown BAC condition(s) {sorted(unknown)}; use 'soma', 'distal', "
                         f"'both' or 'none'.")
    t = np.arange(_samples(duration)) * STIMULUS_DT
    soma = np.zeros((len(t), len(conditions)))
    dend = np.zeros_like(soma)
    pulse_wave = ((t >= delay) & (t < delay + pulse)).astype(float) * float(soma_amplitude / amp)
    epsp = np.asarray(epsp_current(t, delay + lag, distal_amplitude) / amp)
    for k, c in enumerate(conditions):
        if c in ("soma", "both"):
            soma[:, k] = pulse_wave
        if c in ("distal", "both"):
            dend[:, k] = epsp
    return soma * amp, dend * amp
