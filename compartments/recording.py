"""Recording traces into pandas DataFrames with units in the column names."""

import os

import numpy as np
import pandas as pd
from brian2 import Network, StateMonitor, get_dimensions, mV, ms, nA, second, volt, amp
from brian2.units.fundamentalunits import get_unit

from .guard import check_divergence

__all__ = ["record", "estimate_bytes", "display_unit"]

_DISPLAY = {get_dimensions(volt): (mV, "mV"), get_dimensions(amp): (nA, "nA"),
            get_dimensions(second): (ms, "ms")}


def display_unit(dim):
    """(unit, label) used for a column of these dimensions: mV, nA, ms, else SI."""
    if dim in _DISPLAY:
        return _DISPLAY[dim]
    if dim.is_dimensionless:
        return (1, "")
    unit = get_unit(dim)
    return (unit, str(unit).replace(" ", "").replace("/", "_per_").replace("^", ""))


def estimate_bytes(n_variables, n_neurons, duration, dt):
    """Memory (bytes) to record and tabulate ``n_variables`` x ``n_neurons`` samples.

    Counts the monitor's float64 arrays and the DataFrame built from them (x3).
    """
    steps = int(np.ceil(float(duration) / float(dt)))
    return 3 * 8 * (n_variables + 1) * n_neurons * steps


def _available_bytes():
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 4 * 2**30


def record(group, variables, duration, neurons=None, dt=None, network=None, memory_limit=None):
    """Run for ``duration`` while recording ``variables``; return a tidy DataFrame.

    Parameters
    ----------
    group : `NeuronGroup`
    variables : str or list of str
        Variable names, e.g. ``["v_soma", "v_apical_3"]``.
    duration : `Quantity`
        How long to run (second).
    neurons : int, sequence of int or None
        Which neurons (default all).
    dt : `Quantity`, optional
        Sampling interval (default the group's dt).
    network : `Network`, optional
        Network to run (it must contain ``group``); default a new network of
        ``group`` alone.
    memory_limit : int, optional
        Bytes the recording may take; default half the available memory.

    Returns
    -------
    DataFrame
        Columns ``t_ms``, ``neuron`` and one per variable with its unit in the
        name (``v_soma_mV``, ``I_ext_soma_nA``, ``m_hhna_soma``).

    Raises
    ------
    MemoryError
        Before running, if the recording would not fit, with the estimate.
    """
    variables = [variables] if isinstance(variables, str) else list(variables)
    for var in variables:
        if var not in group.variables:
            raise KeyError(f"Group '{group.name}' has no variable '{var}'.")
    if neurons is None:
        neurons = np.arange(len(group))
    neurons = np.atleast_1d(np.asarray(neurons, dtype=int))
    step = group.clock.dt if dt is None else dt
    need = estimate_bytes(len(variables), len(neurons), duration, step)
    limit = memory_limit if memory_limit is not None else _available_bytes() // 2
    if need > limit:
        raise MemoryError(
            f"Recording {len(variables)} variable(s) of {len(neurons)} neuron(s) for "
            f"{duration} every {step} needs about {need / 2**20:.0f} MiB, more than the "
            f"{limit / 2**20:.0f} MiB allowed: record fewer neurons or variables, or a "
            f"coarser dt.")
    mon = StateMonitor(group, variables, record=neurons, dt=dt)
    net = network if network is not None else Network(group)
    net.add(mon)
    try:
        net.run(duration)
    finally:
        net.remove(mon)
    check_divergence(group)
    return monitor_frame(mon, variables, neurons)


def monitor_frame(mon, variables, neurons):
    """Tidy DataFrame from a `StateMonitor` (see `record`)."""
    t = np.asarray(mon.t_) * 1e3
    cols = {"t_ms": np.tile(t, len(neurons)), "neuron": np.repeat(neurons, len(t))}
    for var in variables:
        dim = get_dimensions(getattr(mon, var))
        unit, label = display_unit(dim)
        values = np.asarray(getattr(mon, var + "_")) / float(unit)
        cols[f"{var}_{label}" if label else var] = values.ravel()
    return pd.DataFrame(cols)
