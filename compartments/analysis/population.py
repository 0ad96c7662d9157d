"""Spikes of populations as tidy tables, and population rates.

- `spike_frame`: the spikes of one or more `SpikeMonitor` objects as one
  DataFrame ``population, neuron, t_ms``;
- `population_rate`: the mean rate per neuron of each population in time
  bins (Hz), optionally smoothed with a Gaussian kernel.

>>> import pandas as pd
>>> from compartments.analysis.population import population_rate
>>> spikes = pd.DataFrame({"population": ["E"] * 4, "neuron": [0, 1, 0, 1],
...                        "t_ms": [1.0, 2.0, 11.0, 12.0]})
>>> rate = population_rate(spikes, {"E": 2}, duration_ms=20, bin_ms=10)
>>> rate.rate_Hz.tolist()
[100.0, 100.0]
"""

import numpy as np
import pandas as pd

__all__ = ["spike_frame", "population_rate"]


def spike_frame(monitors):
    """Spikes of one or more `SpikeMonitor` objects as a DataFrame.

    Parameters
    ----------
    monitors : `SpikeMonitor` or dict
        One monitor (population ``""``), or population label -> monitor.

    Returns
    -------
    DataFrame
        ``population, neuron, t_ms``, sorted by time within each population.
    """
    if not isinstance(monitors, dict):
        monitors = {"": monitors}
    frames = []
    for label, mon in monitors.items():
        t = np.asarray(mon.t_[:], dtype=float) * 1e3
        order = np.argsort(t, kind="stable")
        frames.append(pd.DataFrame({"population": label,
                                    "neuron": np.asarray(mon.i[:], dtype=int)[order],
                                    "t_ms": t[order]}))
    return pd.concat(frames, ignore_index=True)


def population_rate(spikes, sizes, duration_ms, bin_ms=5.0, smooth_ms=None, start_ms=0.0):
    """Mean firing rate per neuron of each population in time bins.

    Parameters
    ----------
    spikes : DataFrame
        ``population`` (optional; all one population if absent), ``t_ms``.
    sizes : int or dict
        Number of neurons (population -> number). Silent neurons count.
    duration_ms : float
        End of the last bin (ms).
    bin_ms : float
        Bin width (ms).
    smooth_ms : float, optional
        Standard deviation (ms) of a Gaussian kernel applied to the binned rate.
    start_ms : float
        Start of the first bin (ms).

    Returns
    -------
    DataFrame
        ``population, t_ms`` (bin centre), ``rate_Hz``.
    """
    if bin_ms <= 0 or duration_ms <= start_ms:
        raise ValueError(f"population_rate needs bin_ms > 0 and duration_ms > start_ms. Got "
                         f"bin_ms={bin_ms!r}, start_ms={start_ms!r}, "
                         f"duration_ms={duration_ms!r} instead.")
    if "population" not in spikes:
        spikes = spikes.assign(population="")
    if not isinstance(sizes, dict):
        sizes = {label: sizes for label in (spikes.population.unique() if len(spikes) else [""])}
    edges = np.arange(start_ms, duration_ms + 0.5 * bin_ms, bin_ms)
    centres = 0.5 * (edges[1:] + edges[:-1])
    frames = []
    for label, n in sizes.items():
        if not n or n < 1:
            raise ValueError(f"The size of population {label!r} must be a positive number of "
                             f"neurons. Got {n!r} instead.")
        counts, _ = np.histogram(spikes.t_ms[spikes.population == label], bins=edges)
        rate = counts / (n * bin_ms * 1e-3)
        if smooth_ms:
            half = int(np.ceil(4 * smooth_ms / bin_ms))
            x = np.arange(-half, half + 1) * bin_ms
            kernel = np.exp(-0.5 * (x / smooth_ms) ** 2)
            rate = np.convolve(rate, kernel / kernel.sum(), mode="same")
        frames.append(pd.DataFrame({"population": label, "t_ms": centres, "rate_Hz": rate}))
    return pd.concat(frames, ignore_index=True)
