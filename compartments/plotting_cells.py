"""Figures of single cells: voltage traces by compartment, F-I curves per condition, and the
per-cell-type figure (traces of the standard steps with the F-I curve).

Used by the cell-type docs (``docs/celltypes/feature_table.py``), the atlas
(``python -m celltypes atlas``) and the tutorials. They draw what a protocol
returned (tidy DataFrames); they run nothing.
"""

import numpy as np

from .plotting import finish_figure

__all__ = ["cell_type_figure", "traces_figure", "fi_curves_figure"]


def traces_figure(traces, neurons=None, variables=None, labels=None, title=None,
                  xlim=None, path=None):
    """Voltage (or any recorded variable) against time, one panel per compartment.

    Parameters
    ----------
    traces : DataFrame
        Tidy: ``t_ms``, ``neuron`` and one column per variable (``v_soma_mV``),
        e.g. `compartments.record` or ``Recording.traces``.
    neurons : sequence of int, optional
        Which neurons to draw (default all, at most 10).
    variables : sequence of str, optional
        Columns to draw, one panel each, top to bottom (default every ``v_*``
        column, in table order).
    labels : sequence of str, optional
        Legend entry per neuron.
    title : str, optional
    xlim : (float, float), optional
        Time range (ms).
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    """
    import matplotlib.pyplot as plt

    if variables is None:
        variables = [c for c in traces.columns if c.startswith("v_")]
    missing = sorted(set(variables) - set(traces.columns))
    if missing:
        raise ValueError(f"traces_figure: the traces have no column(s) {missing}; they have "
                         f"{list(traces.columns)}.")
    if neurons is None:
        neurons = list(np.unique(traces.neuron))[:10]
    if labels is not None and len(labels) != len(neurons):
        raise ValueError(f"traces_figure needs one label per neuron: {len(neurons)} neurons, "
                         f"{len(labels)} labels.")
    fig, axes = plt.subplots(len(variables), 1, figsize=(7.5, 1.6 * len(variables) + 0.9),
                             sharex=True, squeeze=False)
    by_neuron = {n: rows for n, rows in traces[traces.neuron.isin(neurons)].groupby("neuron")}
    for ax, var in zip(axes[:, 0], variables):
        for k, n in enumerate(neurons):
            rows = by_neuron[n]
            ax.plot(rows.t_ms, rows[var], lw=0.8, color=f"C{k % 10}",
                    label=None if labels is None else labels[k])
        ax.set_ylabel(var.replace("_mV", " (mV)").replace("v_", ""), fontsize=8)
        ax.tick_params(labelsize=7)
    if labels is not None:
        axes[0, 0].legend(fontsize=7, loc="upper right", ncol=min(len(labels), 5))
    axes[-1, 0].set_xlabel("time (ms)")
    if xlim is not None:
        axes[-1, 0].set_xlim(*xlim)
    if title:
        fig.suptitle(title, fontsize=10)
    return finish_figure(fig, path)


def fi_curves_figure(features, by="condition", amplitude_column="amplitude_nA", title=None,
                     path=None, ax=None):
    """Firing rate against step amplitude, one curve per value of ``by`` (e.g. per
    neuromodulator; ``control`` in black).

    Parameters
    ----------
    features : DataFrame
        Per-neuron features (`compartments.analysis.features.spike_features`)
        with ``amplitude_nA``, ``rate_Hz`` and the ``by`` column.
    by : str
        Column that names the curves.
    title, path : optional
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.
    """
    from .analysis.features import fi_curve
    from .plotting import axes_or_new, condition_style, finish_axes

    for col in (by, amplitude_column, "rate_Hz"):
        if col not in features:
            raise ValueError(f"fi_curves_figure: the features have no column {col!r}.")
    fig, ax, given = axes_or_new(ax, (4.6, 3.4))
    for k, (name, part) in enumerate(features.groupby(by, sort=False)):
        curve, _ = fi_curve(part, amplitude_column)
        ax.plot(curve[amplitude_column], curve.rate_Hz, "o-", ms=2.5, label=str(name),
                **condition_style(name, k))
    ax.set_xlabel("step (nA)")
    ax.set_ylabel("rate (Hz)")
    return finish_axes(fig, ax, given, title, path, legend_size=7)


def cell_type_figure(recording, per_neuron, title="", examples=None, path=None):
    """Traces of a few steps per recorded compartment (left) and the F-I curve (right).

    Parameters
    ----------
    recording : `compartments.analysis.protocols.Recording`
        A step recording (``conditions.amplitude_nA``), e.g. from
        `celltypes.characterise.characterise`.
    per_neuron : DataFrame
        Its `compartments.analysis.features.spike_features`.
    title : str
    examples : sequence of int, optional
        Neurons to draw (default: the largest negative step, the first step
        that fires, and the largest step).
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    """
    import matplotlib.pyplot as plt

    from .analysis.features import fi_curve

    variables = [c for c in recording.traces.columns if c.startswith("v_") and c.endswith("_mV")]
    if "control" in per_neuron:             # neurons with a channel removed are not drawn
        per_neuron = per_neuron[per_neuron.control == ""].reset_index(drop=True)
    if examples is None:
        amps = per_neuron.amplitude_nA.to_numpy()
        firing = per_neuron[(per_neuron.amplitude_nA > 0) & (per_neuron.n_spikes > 0)]
        examples = [int(per_neuron.neuron[np.argmin(amps)])]
        if len(firing):
            examples.append(int(firing.neuron.iloc[0]))
        examples.append(int(per_neuron.neuron[np.argmax(amps)]))
        examples = list(dict.fromkeys(examples))
    bac = getattr(recording, "bac", None)
    rows = len(variables) + (bac is not None)
    fig = plt.figure(figsize=(11, 2.2 * rows + 0.6))
    grid = fig.add_gridspec(rows, 3)
    for row, var in enumerate(variables):
        ax = fig.add_subplot(grid[row, :2])
        for k, n in enumerate(examples):
            t, v = recording.trace(n, var)
            amp = float(recording.conditions.amplitude_nA[n])
            ax.plot(t, v, lw=0.7, color=f"C{k}", label=f"{amp:+.2f} nA")
        ax.set_ylabel(var.replace("_mV", " (mV)"))
        if row == 0:
            ax.legend(fontsize=7, loc="upper right")
        if row == len(variables) - 1:
            ax.set_xlabel("time (ms)")
    if bac is not None:
        _bac_panels(fig, grid, bac)
    ax = fig.add_subplot(grid[:len(variables), 2])
    curve, slope = fi_curve(per_neuron)
    ax.plot(curve.amplitude_nA, curve.rate_Hz, "o-", ms=3)
    ax.set_xlabel("step (nA)")
    ax.set_ylabel("rate (Hz)")
    ax.set_title(f"F-I, slope {slope:.0f} Hz/nA" if np.isfinite(slope) else "F-I", fontsize=9)
    fig.suptitle(title, fontsize=10)
    return finish_figure(fig, path, dpi=100)


def _bac_panels(fig, grid, bac):
    """Bottom row: the BAC conditions at the soma (left) and the most distal segment (right)."""
    conditions = bac.conditions[bac.conditions.condition != "none"]
    distal = [c for c in bac.traces.columns if c.startswith("v_")][-1]
    for col, var in ((slice(0, 2), "v_soma_mV"), (2, distal)):
        ax = fig.add_subplot(grid[-1, col])
        for k, row in enumerate(conditions.itertuples()):
            t, v = bac.trace(row.neuron, var)
            ax.plot(t, v, lw=0.7, color=f"C{k}", label=row.condition)
        ax.set_xlim(bac.window[0] - 10, bac.window[0] + 80)
        ax.set_xlabel("time (ms)")
        ax.set_ylabel(f"BAC {var.replace('_mV', ' (mV)')}")
        ax.legend(fontsize=7, loc="upper right")
