"""Figures of circuits: spike raster with the population rates underneath.

>>> import pandas as pd
>>> from compartments.plotting_network import raster_figure
>>> spikes = pd.DataFrame({"population": ["E", "E", "I"], "neuron": [0, 3, 1],
...                        "t_ms": [5.0, 12.0, 7.5]})
>>> fig = raster_figure(spikes, {"E": 4, "I": 2}, duration_ms=20)
"""

from .analysis.population import population_rate
from .plotting import finish_figure

__all__ = ["raster_figure"]


def raster_figure(spikes, sizes, duration_ms, bin_ms=5.0, smooth_ms=None, title=None,
                  path=None, max_spikes=200_000):
    """Raster (top: one row per neuron, populations stacked and coloured) and the
    population rates (bottom, `population_rate`).

    Parameters
    ----------
    spikes : DataFrame
        ``population`` (optional), ``neuron``, ``t_ms`` (`spike_frame`).
    sizes : int or dict
        Neurons per population (population -> number), in drawing order
        (bottom to top).
    duration_ms : float
    bin_ms, smooth_ms : float
        Bin and smoothing of the rate (ms).
    title : str, optional
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    max_spikes : int
        Draw at most this many spikes (an even subsample of neurons beyond it),
        so a raster of a long run stays quick to draw.
    """
    import matplotlib.pyplot as plt

    if "population" not in spikes:
        spikes = spikes.assign(population="")
    if not isinstance(sizes, dict):
        sizes = {label: sizes for label in spikes.population.unique()} or {"": sizes}
    unknown = set(spikes.population.unique()) - set(sizes)
    if unknown:
        raise ValueError(f"The spikes name populations {sorted(unknown)} that 'sizes' does not "
                         f"list ({sorted(sizes)}).")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), sharex=True,
                                      gridspec_kw={"height_ratios": (3, 1.3)})
    keep = max(1, -(-len(spikes) // max_spikes))   # every keep-th neuron when too many spikes
    offset = 0
    for k, (label, n) in enumerate(sizes.items()):
        mine = spikes[(spikes.population == label) & (spikes.neuron % keep == 0)]
        top.plot(mine.t_ms, mine.neuron + offset, "|", ms=2, color=f"C{k}", label=label or None)
        offset += n
    top.set_ylim(-0.5, offset - 0.5)
    top.set_ylabel("neuron" + (f" (every {keep}th)" if keep > 1 else ""))
    if len(sizes) > 1:
        top.legend(fontsize=8, loc="upper right", markerscale=4)
    rates = population_rate(spikes, sizes, duration_ms, bin_ms=bin_ms, smooth_ms=smooth_ms)
    for k, (label, r) in enumerate(rates.groupby("population", sort=False)):
        bottom.plot(r.t_ms, r.rate_Hz, color=f"C{k}", lw=1, label=label or None)
    bottom.set_xlim(0, duration_ms)
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel("rate (Hz)")
    if title:
        top.set_title(title, fontsize=10)
    return finish_figure(fig, path)
