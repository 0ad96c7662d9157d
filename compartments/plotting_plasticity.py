"""Figures of modulated STDP: windows per condition beside the reported outcomes, and
conversion against modulator delay. Functions return the figure (no backend is forced)."""

import numpy as np

__all__ = ["preset_windows_figure", "conversion_delay_figure"]

_MARKERS = {1: ("^", "LTP"), -1: ("v", "LTD"), 0: ("o", "no change")}


def preset_windows_figure(windows, outcomes=(), title=None, path=None, ax=None):
    """The window (% change against Δt) of every condition, with the paper's outcomes.

    Parameters
    ----------
    windows : DataFrame
        From `compartments.analysis.modulated_pairing.pairing_experiment`
        (columns condition, dt_ms, change_percent).
    outcomes : sequence of `compartments.stdp_presets.Outcome`
        With a reported mean ± s.e.m.: drawn there (``percent - 100``, error bar,
        filled); with a sign only: drawn at the model's value, shaped by the sign
        (open).
    title, path : optional
        Title; where to save the figure (dpi 120).
    ax : matplotlib Axes, optional
    """
    import matplotlib.pyplot as plt

    fig = ax.figure if ax is not None else plt.figure(figsize=(5.2, 3.6))
    ax = ax or fig.add_subplot(111)
    colors = {}
    for k, (name, rows) in enumerate(windows.groupby("condition", sort=False)):
        line, = ax.plot(rows.dt_ms, rows.change_percent, "-", lw=1.4, label=name)
        colors[name] = line.get_color()
    shown = set()
    for o in outcomes:
        color = colors.get(o.condition, "k")
        if o.percent is not None:
            label = "paper: mean ± s.e.m." if "mean" not in shown else None
            shown.add("mean")
            ax.errorbar([o.dt_ms], [o.percent - 100], yerr=[o.sem], fmt="s", ms=5, color=color,
                        mec="k", mew=0.6, capsize=2, label=label)
            continue
        rows = windows[(windows.condition == o.condition) & np.isclose(windows.dt_ms, o.dt_ms)]
        if rows.empty:
            continue
        marker, word = _MARKERS[int(o.sign)]
        label = f"paper: {word} (sign only)" if word not in shown else None
        shown.add(word)
        ax.plot([o.dt_ms], [rows.change_percent.iloc[0]], marker, ms=9, mfc="none",
                mec=color, mew=1.6, label=label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.85", lw=0.8)
    ax.set_xlabel("Δt = t_post − t_pre (ms)")
    ax.set_ylabel("weight change (%)")
    if title:
        import textwrap

        ax.set_title("\n".join(textwrap.wrap(title, 60)), fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=120)
    return fig


def conversion_delay_figure(results, delays_s, title=None, path=None, ax=None):
    """Weight change against the delay of the modulator after the pairing.

    ``results`` maps a label to a sequence of % changes, one per entry of ``delays_s``.
    """
    import matplotlib.pyplot as plt

    fig = ax.figure if ax is not None else plt.figure(figsize=(5.2, 3.4))
    ax = ax or fig.add_subplot(111)
    for label, values in results.items():
        ax.plot(delays_s, values, "o-", ms=3, label=label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xscale("log")
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("modulator delay after the last pairing (s)")
    ax.set_ylabel("weight change (%)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=120)
    return fig
