"""STDP pairing protocols: the window Δw(Δt) at rule level and at cell level.

- `stdp_window_rule`: spike trains are imposed on both sides (two
  `SpikeGeneratorGroup`s, one synapse per Δt), so the result is the rule's
  window and nothing else.
- `stdp_window_cell`: the post-synaptic spikes are evoked in a template cell
  by a brief somatic current pulse while the plastic synapse sits on a
  dendrite; its EPSP can advance the evoked spike, add spikes or fail to, so
  the measured window is the rule seen through the cell. The actual post
  spike times are reported next to the nominal Δt.

Both are vectorised: one synapse (and one neuron) per Δt, one run. Δt is
t_post − t_pre_arrival (pre spike time + delay, see `compartments.plasticity`).
Pairings repeat ``n_pairings`` times every ``period`` (Bi & Poo 1998: 60 at
1 Hz); with all-to-all pairing, spikes of consecutive pairings also pair (by
~exp(-(period - |Δt|)/tau)), as they would in the experiment.
"""

import numpy as np
import pandas as pd
from brian2 import (Network, SpikeGeneratorGroup, SpikeMonitor, TimedArray, amp, defaultclock, ms,
                    nA, second)

from ..neuromodulation.pools import drivers, pool_link
from ..plasticity import plastic_synapses
from ..synapses import connect
from ..validation import check_positive, check_quantity

__all__ = ["stdp_window_rule", "stdp_window_cell"]


def _pairing_times(dts_ms, n_pairings, period_ms, lead_ms):
    """Pre and post spike times (ms) per synapse: post at lead + k period, pre Δt earlier."""
    dts = np.asarray(dts_ms, dtype=float)
    starts = lead_ms + period_ms * np.arange(n_pairings)
    post = starts[None, :] + np.zeros((len(dts), 1))
    pre = post - dts[:, None]
    return pre, post


def _check_protocol(dts, n_pairings, period, owner):
    dts = check_quantity(dts, second, "dts", owner, "time differences, e.g. [-20, 20]*ms")
    dts_ms = np.atleast_1d(np.asarray(dts / ms, dtype=float))
    if not isinstance(n_pairings, (int, np.integer)) or n_pairings < 1:
        raise ValueError(f"The 'n_pairings' parameter of {owner} must be a positive integer. "
                         f"Got {n_pairings!r} instead.")
    period = check_positive(check_quantity(period, second, "period", owner, "a time"),
                            "period", owner)
    period_ms = float(period / ms)
    if np.max(np.abs(dts_ms)) * 2 >= period_ms:
        raise ValueError(f"The 'period' of {owner} ({period_ms} ms) must exceed twice the "
                         f"largest |Δt| ({np.max(np.abs(dts_ms))} ms) so pairings do not "
                         f"overlap.")
    return dts_ms, period_ms


def _generator(times_ms):
    n, k = times_ms.shape
    return SpikeGeneratorGroup(n, np.repeat(np.arange(n), k), times_ms.ravel() * ms)


def _result(dts_ms, syn, w0, rule):
    out = pd.DataFrame({"dt_ms": dts_ms, "w_before": np.full(len(dts_ms), float(w0)),
                        "w_after": np.asarray(syn.w[:], dtype=float)})
    out["dw"] = out.w_after - out.w_before
    if "c_ltp" in syn.variables:
        out["eligibility"] = np.asarray(syn.c_ltp[:] - syn.c_ltd[:], dtype=float)
    return out


def _network(*objects, rule, extra, owner):
    """A Network of ``objects``, every object the rule depends on (its third factor or
    modulator pool and their drives) and ``extra``; a rule naming a dependency that is
    not a Brian2 object is an error."""
    net = Network(*objects)
    for obj in list(rule.dependencies) + list(extra or ()):
        if not hasattr(obj, "before_run"):
            raise TypeError(f"{owner}: {obj!r}, which the rule needs, is not a Brian2 object "
                            f"that can run.")
        if obj not in net.objects:
            net.add(obj)
    return net


def stdp_window_rule(rule, dts, n_pairings=1, period=1 * second, weight=0.5, network_objects=()):
    """The window of a plasticity rule under imposed pre/post spike pairs.

    Parameters
    ----------
    rule : `STDP` or `EligibilitySTDP`
    dts : `Quantity` array
        Δt = t_post − t_pre values (e.g. ``np.arange(-100, 101, 5)*ms``).
    n_pairings : int
        Pairings per Δt.
    period : `Quantity`
        Interval between pairings (> 2 max|Δt|).
    weight : float
        Initial weight.
    network_objects : sequence, optional
        More objects to run (e.g. a drive the protocol cannot know about).
        Everything the rule depends on (``rule.dependencies``: its third
        factor, modulator pool and their drives) runs anyway, so a
        time-varying factor changes Δw.

    Returns
    -------
    DataFrame with ``dt_ms``, ``w_before``, ``w_after``, ``dw`` (and
    ``eligibility`` = c_ltp − c_ltd at the end for an eligibility rule).
    """
    owner = "stdp_window_rule"
    dts_ms, period_ms = _check_protocol(dts, n_pairings, period, owner)
    lead = np.max(np.abs(dts_ms)) + 1.0
    pre_t, post_t = _pairing_times(dts_ms, n_pairings, period_ms, lead)
    pre, post = _generator(pre_t), _generator(post_t)
    syn = plastic_synapses(pre, post, rule, weight=weight, j="i")
    net = _network(pre, post, syn, rule=rule.bind(post), extra=network_objects, owner=owner)
    net.run((post_t.max() + period_ms / 2) * ms)
    return _result(dts_ms, syn, weight, rule)


def stdp_window_cell(group_factory, rule, receptors, dts, at=None, distance=None,
                     pulse=2 * nA, pulse_duration=2 * ms, n_pairings=1, period=1 * second,
                     weight=0.5, spike_at=None, network_objects=()):
    """The window measured with post spikes evoked in a cell by a somatic current pulse.

    Parameters
    ----------
    group_factory : callable
        ``group_factory(n)`` returns a template group of ``n`` neurons (e.g.
        ``cell.make_group``); the synapse's compartment must carry ``receptors``.
    rule : `STDP`
    receptors : dict
        As for `compartments.synapses.connect` (receptor -> peak conductance).
    dts : `Quantity` array
        Nominal Δt = t_pulse − t_pre.
    at, distance : placement of the plastic synapse (see `connect`).
    pulse, pulse_duration : `Quantity`
        Current injected into ``spike_at`` (default the spike compartment's
        segment) to evoke one spike per pairing.
    n_pairings, period, weight, network_objects : as in `stdp_window_rule`.

    Returns
    -------
    DataFrame with ``dt_nominal_ms``, ``dt_ms`` (first post spike of each
    pairing minus the pre arrival, mean over pairings), ``post_spikes`` (per
    pairing, mean), ``w_before``, ``w_after``, ``dw``.
    """
    from ..groups import template_of

    owner = "stdp_window_cell"
    dts_ms, period_ms = _check_protocol(dts, n_pairings, period, owner)
    pulse = check_quantity(pulse, amp, "pulse", owner, "a current, e.g. 2*nA")
    width = check_positive(check_quantity(pulse_duration, second, "pulse_duration", owner,
                                          "a time"), "pulse_duration", owner)
    n = len(dts_ms)
    group = group_factory(n)
    template = template_of(group)
    segment = spike_at or template.spike_segment
    lead = np.max(np.abs(dts_ms)) + 5.0
    pre_t, post_t = _pairing_times(dts_ms, n_pairings, period_ms, lead)
    step = float(defaultclock.dt / ms)
    samples = int(np.ceil((post_t.max() + period_ms / 2) / step))
    current = np.zeros(samples)
    for start in post_t[0]:
        k = int(round(start / step))
        current[k:k + max(1, int(round(float(width / ms) / step)))] = float(pulse / amp)
    stimulus = TimedArray(current * amp, dt=defaultclock.dt)
    group.namespace["pairing_pulse"] = stimulus
    group.run_regularly(f"I_ext_{segment} = pairing_pulse(t)", when="start",
                        name=f"{group.name}_pairing_pulse")
    pre = _generator(pre_t)
    syn = connect(pre, group, receptors, at=at, distance=distance, plasticity=rule,
                  weight=weight, j="i")
    spikes = SpikeMonitor(group)
    link = pool_link(group)             # a modulated cell reads its pool (and its drives)
    reads = [] if link is None else [link[0]] + [o for s in drivers(link[0])
                                                 for o in (s, s.source)]
    net = _network(group, pre, syn, spikes, rule=rule.bind(group),
                   extra=list(network_objects) + reads, owner=owner)
    net.run(samples * step * ms)
    t_spk, i_spk = np.asarray(spikes.t / ms), np.asarray(spikes.i)
    first_dt, counts = np.full(n, np.nan), np.zeros(n)
    for k in range(n):
        mine = t_spk[i_spk == k]
        lags = []
        for p in range(n_pairings):
            window = mine[(mine >= post_t[k, p] - period_ms / 2)
                          & (mine < post_t[k, p] + period_ms / 2)]
            counts[k] += len(window)
            if len(window):
                lags.append(window[0] - pre_t[k, p])
        first_dt[k] = np.mean(lags) if lags else np.nan
    out = _result(dts_ms, syn, weight, rule).rename(columns={"dt_ms": "dt_nominal_ms"})
    out.insert(1, "dt_ms", first_dt)
    out.insert(2, "post_spikes", counts / n_pairings)
    return out
