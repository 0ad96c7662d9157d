"""A morphology drawn in a plane, optionally coloured by a value per segment."""

import numpy as np
from brian2 import Quantity

from ..compartment import arc_lengths
from ..validation import unit_name

__all__ = ["plot_morphology"]

_AXES = {"xy": (0, 1), "xz": (0, 2), "yz": (1, 2)}


def _segment_values(section, values):
    """Per-segment values of a section from ``{segment name: value}`` (nseg inferred)."""
    if section.name in values:
        return [values[section.name]]
    out = []
    while f"{section.name}_{len(out)}" in values:
        out.append(values[f"{section.name}_{len(out)}"])
    if not out:
        raise KeyError(f"The 'values' of plot_morphology have no entry for section "
                       f"'{section.name}' (segment names such as '{section.name}_0').")
    return out


def plot_morphology(morphology, values=None, ax=None, projection="xy", cmap="viridis",
                    label=None):
    """Draw the sections' 3-D points projected on a plane, line width from the diameter.

    Parameters
    ----------
    morphology : `Morphology`
    values : dict, optional
        Segment name -> value (number or `Quantity`, e.g. a column of
        `CellTemplate.parameters` or `CellTemplate.path_distances`); colours each
        segment, with a colour bar.
    ax : matplotlib Axes, optional
    projection : {"xy", "xz", "yz"}
    cmap : str
    label : str, optional
        Colour bar label.

    Returns
    -------
    figure : matplotlib Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    if projection not in _AXES:
        raise ValueError(f"The 'projection' of plot_morphology must be one of {list(_AXES)}. "
                         f"Got {projection!r} instead.")
    a, b = _AXES[projection]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 6))
    else:
        fig = ax.figure
    lines, widths, colours = [], [], []
    for s in morphology.sections:
        pts = s.points
        lines.extend(np.stack([pts[:-1][:, [a, b]], pts[1:][:, [a, b]]], axis=1))
        widths.extend(np.clip(0.5 * (pts[:-1, 3] + pts[1:, 3]), 0.3, 8.0))
        if values is not None:
            per = _segment_values(s, values)
            arc = arc_lengths(pts)
            middle = 0.5 * (arc[:-1] + arc[1:]) / max(arc[-1], 1e-12)
            index = np.minimum((middle * len(per)).astype(int), len(per) - 1)
            colours.extend(float(np.asarray(per[i])) for i in index)
    collection = LineCollection(lines, linewidths=widths, capstyle="round",
                                **({} if values is not None else {"colors": "0.2"}))
    if values is not None:
        collection.set_array(np.asarray(colours))
        collection.set_cmap(cmap)
        first = next(iter(values.values()))
        unit = (f" ({unit_name(first)})" if isinstance(first, Quantity)
                and not first.is_dimensionless else "")
        fig.colorbar(collection, ax=ax, label=(label or "value") + unit)
    ax.add_collection(collection)
    ax.autoscale()
    ax.set_aspect("equal")
    ax.set_xlabel(f"{projection[0]} (µm)")
    ax.set_ylabel(f"{projection[1]} (µm)")
    ax.set_title(str(morphology.source).rsplit("/", 1)[-1] if morphology.source else "")
    return fig
