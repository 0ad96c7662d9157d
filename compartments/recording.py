"""Recording traces into pandas DataFrames with units in the column names.

Brian2 runs an object in one `Network` only ("has already been simulated,
cannot add it to the network"). `network_for` gives the network a group
runs in, so that `record` and the protocols of `compartments.analysis` can be
called on the same group any number of times: the one given, else the network
the group last ran in, else a new one kept with the group.
"""


import numpy as np
import pandas as pd
from brian2 import MagicNetwork, Network, StateMonitor, get_dimensions, mV, ms, nA, second, volt, amp
from brian2.units.fundamentalunits import get_unit

from .guard import check_divergence, run_to_end
from .memory import available_bytes
from .groups import missing_variable
from .validation import check_quantity

__all__ = ["record", "network_for", "estimate_bytes", "display_unit", "is_tree_group",
           "cell_count"]

_DISPLAY = {get_dimensions(volt): (mV, "mV"), get_dimensions(amp): (nA, "nA"),
            get_dimensions(second): (ms, "ms")}


def display_unit(dim):
    """(unit, label) used for a column of these dimensions: mV, nA, ms, else SI."""
    if dim in _DISPLAY:
        return _DISPLAY[dim]
    if dim.is_dimensionless:
        return (1, "")
    unit = get_unit(dim)
    label = str(unit).replace(" ", "").replace("/", "_per_").replace("^", "")
    return (unit, label.replace("(", "").replace(")", ""))


def estimate_bytes(n_variables, n_neurons, duration, dt):
    """Memory (bytes) to record and tabulate ``n_variables`` x ``n_neurons`` samples.

    Counts the monitor's float64 arrays and the DataFrame built from them (x3).
    """
    steps = int(np.ceil(float(duration) / float(dt)))
    return 3 * 8 * (n_variables + 1) * n_neurons * steps


_OWN_NETWORK = "_compartments_network"  # attribute of a group: the network made for it here


def network_for(group, network=None):
    """The `Network` in which to run ``group``.

    Parameters
    ----------
    group : `NeuronGroup`
    network : `Network`, optional
        Returned as it is after checking that it contains ``group``.

    Returns
    -------
    `Network`
        ``network``; else the network ``group`` last ran in (with what else the
        user put in it); else a network of ``group`` alone, created once and
        kept with the group, so that later calls run in the same one.

    Raises
    ------
    ValueError
        If ``network`` does not contain ``group``.
    RuntimeError
        If ``group`` ran with ``brian2.run()`` (Brian2's magic network, to which
        no monitor can be added): pass ``network=`` then.
    """
    if network is not None:
        if group not in network.objects:
            raise ValueError(f"The 'network' parameter must contain group '{group.name}'. Got "
                             f"a network of {sorted(o.name for o in network.objects)} instead.")
        return network
    ran_in = group._network  # Brian2's record of the network that ran the group
    own = group.__dict__.get(_OWN_NETWORK)
    if own is not None and ran_in in (None, own.id):
        return own
    if ran_in is not None:
        for ref in Network.__instances__():
            net = ref()
            if net is not None and net.id == ran_in:
                if isinstance(net, MagicNetwork):
                    raise RuntimeError(
                        f"Group '{group.name}' was run with brian2.run() (the magic network), "
                        f"to which no monitor can be added: build a Network(group, ...) and "
                        f"pass it as network=.")
                return net
        # the network that ran it no longer exists: no other network holds the group
        for obj in [group, *_contained(group)]:
            obj._network = None
    own = Network(group)
    object.__setattr__(group, _OWN_NETWORK, own)  # Group.__setattr__ only takes variables
    return own


def _contained(obj):
    for child in obj.contained_objects:
        yield child
        yield from _contained(child)


def is_tree_group(group):
    """Whether ``group`` is a tree-solver group (rows = segments x cells, `compartments.tree`)."""
    return hasattr(type(group), "monitor_targets")


def cell_count(group):
    """Number of cells of a template group (a tree group's rows are segments x cells)."""
    return group.cells_per_node if is_tree_group(group) else len(group)


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
        Network to run (it must contain ``group``); default `network_for`
        (the group's network: record may be called any number of times).
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
    tree = is_tree_group(group)
    if not tree:
        for var in variables:
            if var not in group.variables:
                raise KeyError(missing_variable(group, var))
    for name, value in (("duration", duration), ("dt", dt)):
        if value is None and name == "dt":
            continue
        value = check_quantity(value, second, name, "record", "a time, e.g. 100*ms")
        if np.ndim(value) or not np.isfinite(float(value)) or not float(value) > 0:
            raise ValueError(f"The '{name}' parameter of record must be a single positive, "
                             f"finite time. Got {value!r} instead.")
    cells = cell_count(group)
    if neurons is None:
        neurons = np.arange(cells)
    neurons = np.atleast_1d(np.asarray(neurons, dtype=int))
    outside = neurons[(neurons < 0) | (neurons >= cells)]
    if len(outside):
        raise ValueError(f"The 'neurons' parameter of record must be indices in [0, "
                         f"{cells}) of group '{group.name}'. Got {outside.tolist()} "
                         f"instead.")
    step = group.clock.dt if dt is None else dt
    need = estimate_bytes(len(variables), len(neurons), duration, step)
    limit = memory_limit if memory_limit is not None else available_bytes() // 2
    if need > limit:
        raise MemoryError(
            f"Recording {len(variables)} variable(s) of {len(neurons)} neuron(s) for "
            f"{duration} every {step} needs about {need / 2**20:.0f} MiB, more than the "
            f"{limit / 2**20:.0f} MiB allowed: record fewer neurons or variables, or a "
            f"coarser dt.")
    net = network_for(group, network)
    if tree:
        targets = group.monitor_targets(variables, neurons)
        rows = np.unique(np.concatenate([r for _, r in targets]))
        mon = StateMonitor(group, sorted({var for var, _ in targets}), record=rows, dt=dt)
    else:
        mon = StateMonitor(group, variables, record=neurons, dt=dt)
    net.add(mon)
    try:
        run_to_end(net, duration)
    finally:
        net.remove(mon)
    check_divergence(group)
    if tree:
        return _rows_frame(mon, variables, targets, rows, neurons)
    return monitor_frame(mon, variables, neurons)


def monitor_arrays(mon, variables):
    """(t_ms, {column: values}) of a `StateMonitor`: values of shape (neurons, samples) in
    the display unit named in the column (``v_soma_mV``)."""
    t = np.asarray(mon.t_) * 1e3
    arrays = {}
    for var in variables:
        unit, label = display_unit(mon.variables[var].dim)
        arrays[f"{var}_{label}" if label else var] = np.asarray(getattr(mon, var + "_")) / float(unit)
    return t, arrays


def _rows_frame(mon, variables, targets, rows, neurons):
    """`monitor_frame` for a tree group's rows, named as the unrolled variables."""
    t = np.asarray(mon.t_) * 1e3
    position = {row: k for k, row in enumerate(rows)}
    cols = {"t_ms": np.tile(t, len(neurons)), "neuron": np.repeat(neurons, len(t))}
    for name, (var, var_rows) in zip(variables, targets):
        unit, label = display_unit(get_dimensions(getattr(mon, var)))
        values = np.asarray(getattr(mon, var + "_"))[[position[r] for r in var_rows]]
        cols[f"{name}_{label}" if label else name] = (values / float(unit)).ravel()
    return pd.DataFrame(cols)


def monitor_frame(mon, variables, neurons):
    """Tidy DataFrame from a `StateMonitor` (see `record`)."""
    t, arrays = monitor_arrays(mon, variables)
    cols = {"t_ms": np.tile(t, len(neurons)), "neuron": np.repeat(neurons, len(t))}
    cols.update({name: values.ravel() for name, values in arrays.items()})
    return pd.DataFrame(cols)
