"""Figures a person would rather look at than read: channel kinetics, STDP windows.

Every figure function returns its `matplotlib.figure.Figure` and, given
``path``, also saves it (atomically) and closes it. None of them chooses a
matplotlib backend: notebooks show figures inline, scripts set ``MPLBACKEND``
(or use the default, Agg on a machine without a display). Other figures:
`compartments.plotting_cells` (traces by compartment, F-I curves, the per-type
figure), `compartments.plotting_morphology` (morphology coloured by a variable)
and `compartments.plotting_network` (raster and population rate).

>>> import numpy as np
>>> from brian2 import mV
>>> from compartments import channels, plotting
>>> fig = plotting.gate_kinetics_figure(channels.HHK(), np.linspace(-100, 40, 50) * mV)
"""

import numpy as np
from brian2 import mV

__all__ = ["finish_figure", "gate_kinetics_figure", "stdp_window_figure", "stdp_windows_figure"]


def gate_kinetics_figure(channel, v, celsius=None, title=None, window=None, path=None):
    """Steady states (left) and time constants (right, log scale) of every gate.

    Parameters
    ----------
    channel : `Channel`
    v : `Quantity`
        Voltages (volt).
    celsius : float or sequence of float, optional
        Temperature(s) in °C; time constants are drawn for each (solid, then dotted).
    title : str, optional
    window : (label, function), optional
        An extra steady-state curve, e.g. ``("m^3 h", lambda k: k.m_inf**3 * k.h_inf)``
        evaluated on the `gate_kinetics` DataFrame, drawn dashed.
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    """
    import matplotlib.pyplot as plt

    from .channels import gate_kinetics

    temperatures = np.atleast_1d(channel.reference_temperature if celsius is None else celsius)
    x = np.asarray(v / mV)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for k, (temp, style) in enumerate(zip(temperatures, ("-", ":", "--"))):
        kin = gate_kinetics(channel, v, celsius=None if temp is None else float(temp))
        gates = [c[:-4] for c in kin.columns if c.endswith("_inf")]
        for g, color in zip(gates, (f"C{i}" for i in range(10))):
            if k == 0:
                left.plot(x, kin[f"{g}_inf"], color=color, label=f"{g}$_\\infty$")
            where = f", {float(temp):g} °C" if len(temperatures) > 1 else ""
            right.plot(x, kin[f"tau_{g}_ms"], style, color=color, label=f"$\\tau_{{{g}}}${where}")
        if k == 0 and window is not None:
            label, curve = window
            left.plot(x, curve(kin), "k--", lw=1, label=label)
    left.set_xlabel("v (mV)")
    left.set_ylabel("steady state")
    left.legend(fontsize=8)
    right.set_yscale("log")
    right.set_xlabel("v (mV)")
    right.set_ylabel("time constant (ms)")
    right.legend(fontsize=8)
    fig.suptitle(title or f"{type(channel).__name__} ({channel.source})"[:100], fontsize=10)
    return finish_figure(fig, path)


def stdp_window_figure(rule_window, cell_window=None, title=None, path=None):
    """Δw against Δt: the rule's window (points, line) and, optionally, the cell-level one.

    Parameters
    ----------
    rule_window : DataFrame
        From `compartments.analysis.pairing.stdp_window_rule`.
    cell_window : DataFrame, optional
        From `stdp_window_cell`; drawn against the actual Δt (filled) and the
        nominal Δt (open), joined by grey lines.
    title : str, optional
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.plot(rule_window.dt_ms, rule_window.dw, "o-", ms=3, color="C0", label="rule level")
    if cell_window is not None:
        for _, row in cell_window.iterrows():
            ax.plot([row.dt_nominal_ms, row.dt_ms], [row.dw, row.dw], color="0.6", lw=0.8)
        ax.plot(cell_window.dt_nominal_ms, cell_window.dw, "o", mfc="none", color="C3",
                label="cell level, nominal Δt")
        ax.plot(cell_window.dt_ms, cell_window.dw, "o", color="C3",
                label="cell level, actual Δt")
    ax.set_xlabel("Δt = t$_{post}$ − t$_{pre}$ (ms)")
    ax.set_ylabel("Δw")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return finish_figure(fig, path)


def stdp_windows_figure(windows, title=None, path=None, ax=None):
    """Δw against Δt for several conditions (e.g. one per neuromodulator) on one axis.

    Parameters
    ----------
    windows : DataFrame
        Tidy: ``condition``, ``dt_ms``, ``dw`` (e.g. `stdp_window_rule` results
        concatenated with a ``condition`` column). ``control`` (if present) is
        drawn in black.
    title : str, optional
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.
    """
    missing = {"condition", "dt_ms", "dw"} - set(windows.columns)
    if missing:
        raise ValueError(f"The 'windows' of stdp_windows_figure need the columns "
                         f"{sorted(missing)} (tidy: condition, dt_ms, dw).")
    fig, ax, given = axes_or_new(ax, (5.5, 3.6))
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    for k, (condition, w) in enumerate(windows.groupby("condition", sort=False)):
        w = w.sort_values("dt_ms")
        ax.plot(w.dt_ms, w.dw, "o-", ms=3, label=condition, **condition_style(condition, k))
    ax.set_xlabel("Δt = t$_{post}$ − t$_{pre}$ (ms)")
    ax.set_ylabel("Δw")
    return finish_axes(fig, ax, given, title, path)


def axes_or_new(ax, figsize):
    """``(figure, axes, given)``: the axes given, or a new figure of ``figsize`` inches."""
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax, True
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax, False


def condition_style(name, k):
    """Line style of condition number ``k``: the control black and thicker."""
    control = name == "control"
    return {"color": "k" if control else f"C{k % 10}", "lw": 1.6 if control else 1.0}


def finish_axes(fig, ax, given, title=None, path=None, legend_size=8):
    """Legend and title; then the figure as `finish_figure` leaves it, unless the axes
    were given (the caller's figure) and nothing is to be saved."""
    ax.legend(fontsize=legend_size)
    if title:
        ax.set_title(title, fontsize=10)
    return fig if given and path is None else finish_figure(fig, path)


def finish_figure(fig, path=None, dpi=110):
    """Lay out ``fig``; save it as a PNG at ``path`` (atomically: a temporary file renamed
    when complete) and close it, when a path is given."""
    fig.tight_layout()
    if path is not None:
        import matplotlib.pyplot as plt

        from .tables import atomic_path

        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi)
        plt.close(fig)
    return fig
