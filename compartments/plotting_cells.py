"""The per-cell-type figure: voltage traces per compartment for the standard steps, and the F-I curve.

Used by the cell-type docs (``docs/celltypes/figures.py``), the atlas and the
tutorials. It draws what a protocol returned; it runs nothing.
"""

import numpy as np

__all__ = ["cell_type_figure"]


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .analysis.features import fi_curve
    from .plotting import finish_figure

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
