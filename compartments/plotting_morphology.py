"""The shape of a template, drawn to scale and coloured by a per-segment variable.

Templates are reduced cells without 3-D coordinates, so `morphology_layout`
lays the tree out in the plane: the root (soma) is an ellipse of its length
and diameter; its largest subtree (by total length) points up, the others are
spread over the lower half; a compartment with one child continues straight on,
several children fan out by ±35°. Every line is a segment at its true length, its
width proportional to its diameter (the same scale for every cell, at least
one point). A compartment joined by an explicit
conductance (no cylinder) is a disc of its area placed 30 µm away.

`morphology_figure` colours the segments by compartment (a sketch), or by any
value per segment (e.g. the peak depolarisation of a back-propagating action
potential), with that value against path distance beside it.

>>> import celltypes
>>> from compartments.plotting_morphology import morphology_figure, morphology_layout
>>> cell = celltypes.get("L5_TTPC")
>>> layout = morphology_layout(cell)
>>> # the tuft tip: soma radius 11.6 + apical 3 x 166.7 + tuft 193.7 + 166.3 um, straight up
>>> layout.set_index("segment").loc["tuft_1", ["x1_um", "y1_um"]].round(1).tolist()
[0.0, 871.6]
>>> fig = morphology_figure(cell)
"""

import numpy as np
import pandas as pd
from brian2 import um

from .plotting import finish_figure

__all__ = ["morphology_layout", "morphology_figure"]

_FAN = np.deg2rad(35.0)
_DISC_GAP = 30.0  # µm between a parent and a compartment without geometry
_POINTS_PER_UM = 0.6  # line width per µm of diameter (1 to 8 points): the same for every cell


def _subtree_lengths(cell, children):
    total = {}
    for name in reversed(_order(cell, children)):
        comp = _compartments(cell)[name]
        own = float(comp.length / um) if comp.is_cylinder else 0.0
        total[name] = own + sum(total[c] for c in children.get(name, ()))
    return total


def _compartments(cell):
    return {c.name: c for c in cell.compartments}


def _tree(cell):
    """(root, children in declaration order) from the template's connections."""
    children, has_parent = {}, set()
    for conn in cell.connections:
        parent, child = conn[:2]
        children.setdefault(parent, []).append(child)
        has_parent.add(child)
    root = next(c.name for c in cell.compartments if c.name not in has_parent)
    return root, children


def _order(cell, children):
    root, _ = _tree(cell)
    order, stack = [], [root]
    while stack:
        name = stack.pop()
        order.append(name)
        stack.extend(reversed(children.get(name, ())))
    return order


def _root_angles(kids, lengths):
    """Largest subtree up (90°); the others spread over the lower half."""
    ranked = sorted(kids, key=lambda k: -lengths[k])
    angles = {ranked[0]: np.pi / 2} if ranked else {}
    rest = ranked[1:]
    for k, name in enumerate(rest):
        angles[name] = np.deg2rad(270.0 if len(rest) == 1
                                  else 200.0 + 140.0 * k / (len(rest) - 1))
    return angles


def morphology_layout(cell):
    """Planar coordinates (µm) of every segment of ``cell`` (a `CellTemplate`).

    Returns
    -------
    DataFrame
        One row per segment: ``segment, compartment, x0_um, y0_um, x1_um, y1_um``
        (a line; for the root and for compartments without geometry both ends
        are the centre), ``diameter_um``, ``kind`` (``"root"``, ``"cable"`` or
        ``"disc"``) and ``path_um`` (path distance of the centre from the root's
        centre, NaN beyond an explicit conductance).
    """
    comps = _compartments(cell)
    root, children = _tree(cell)
    lengths = _subtree_lengths(cell, children)
    path = {k: float(v / um) for k, v in cell.path_distances().items()}
    rows = []
    soma = comps[root]
    radius = (float(soma.diameter / um) / 2 if soma.is_cylinder
              else float(np.sqrt(soma.area / np.pi) / um))
    for seg in soma.segments:
        rows.append(dict(segment=seg.name, compartment=root, x0_um=0.0, y0_um=0.0, x1_um=0.0,
                         y1_um=0.0, diameter_um=2 * radius, kind="root"))
    # (compartment, start point, direction)
    queue = [(c, radius * np.array([np.cos(a), np.sin(a)]), a)
             for c, a in _root_angles(children.get(root, ()), lengths).items()]
    while queue:
        name, start, angle = queue.pop(0)
        comp = comps[name]
        direction = np.array([np.cos(angle), np.sin(angle)])
        if comp.is_cylinder:
            length = float(comp.length / um)
            step = length / comp.nseg
            for k, seg in enumerate(comp.segments):
                a, b = start + k * step * direction, start + (k + 1) * step * direction
                rows.append(dict(segment=seg.name, compartment=name, x0_um=a[0], y0_um=a[1],
                                 x1_um=b[0], y1_um=b[1], diameter_um=float(comp.diameter / um),
                                 kind="cable"))
            end = start + length * direction
        else:
            r = float(np.sqrt(comp.area / np.pi) / um)
            centre = start + (_DISC_GAP + r) * direction
            for seg in comp.segments:
                rows.append(dict(segment=seg.name, compartment=name, x0_um=centre[0],
                                 y0_um=centre[1], x1_um=centre[0], y1_um=centre[1],
                                 diameter_um=2 * r, kind="disc"))
            end = centre + r * direction
        kids = children.get(name, ())
        fan = [angle] if len(kids) == 1 else angle + np.linspace(-_FAN, _FAN, max(len(kids), 1))
        queue.extend((kid, end, a) for kid, a in zip(kids, fan))
    frame = pd.DataFrame(rows)
    frame["path_um"] = frame.segment.map(path)
    order = {s: i for i, s in enumerate(cell.segment_names)}
    return frame.sort_values("segment", key=lambda s: s.map(order)).reset_index(drop=True)


def _label(ax, part, name, colour):
    """The compartment's name beside it: right of a soma (outside its outline), or off the
    middle of a cable on the side of its normal that points right (clear of the line)."""
    x0, y0 = part.x0_um.iloc[0], part.y0_um.iloc[0]
    x1, y1 = part.x1_um.iloc[-1], part.y1_um.iloc[-1]
    dx, dy = x1 - x0, y1 - y0
    if part.kind.iloc[0] != "cable" or np.hypot(dx, dy) == 0:
        xy, normal, gap = (x0 + part.diameter_um.max() / 2, y0), (1.0, 0.0), 3.0
    else:
        normal = np.array([dy, -dx]) / np.hypot(dx, dy)
        normal = -normal if normal[0] < 0 or (normal[0] == 0 and normal[1] < 0) else normal
        width = float(np.clip(_POINTS_PER_UM * part.diameter_um.max(), 1.0, 8.0))
        xy, gap = (0.5 * (x0 + x1), 0.5 * (y0 + y1)), 3.0 + width / 2
    ha = "left" if normal[0] > 0.3 else "center"
    va = "center" if abs(normal[1]) < 0.7 else ("bottom" if normal[1] > 0 else "top")
    ax.annotate(name, xy, xytext=(gap * normal[0], gap * normal[1]),
                textcoords="offset points", fontsize=7, ha=ha, va=va, color=colour, zorder=4)


def morphology_figure(cell, values=None, label="", title=None, cmap="viridis", path=None,
                      ax=None):
    """Draw ``cell`` to scale (`morphology_layout`), coloured by compartment or by ``values``.

    Parameters
    ----------
    cell : `CellTemplate`
    values : dict or Series, optional
        Segment name -> number (e.g. peak depolarisation, mV). With values, a
        second panel plots them against path distance from the soma.
    label : str
        What the values are, with unit (colour-bar and axis label).
    title : str, optional
    cmap : str
        Matplotlib colour map for ``values``.
    path : str, optional
        Where to save the PNG; the figure is returned either way.
    ax : matplotlib Axes, optional
        Draw the shape into it (no profile panel).
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import Circle, Ellipse

    layout = morphology_layout(cell)
    if values is not None:
        values = pd.Series(values, dtype=float)
        unknown = sorted(set(values.index) - set(layout.segment))
        if unknown:
            raise ValueError(f"The 'values' of morphology_figure name segments {unknown} that "
                             f"{cell.name} does not have; its segments: "
                             f"{list(layout.segment)}.")
    given = ax is not None
    if given:
        fig, profile = ax.figure, None
    elif values is not None:
        fig, (ax, profile) = plt.subplots(1, 2, figsize=(8.5, 4.2),
                                          gridspec_kw={"width_ratios": (1.1, 1)})
    else:
        fig, ax = plt.subplots(figsize=(4.2, 4.2))
        profile = None
    names = list(dict.fromkeys(layout.compartment))
    if values is not None:
        shown = values.reindex(layout.segment).to_numpy()
        finite = shown[np.isfinite(shown)]
        norm = Normalize(*(finite.min(), finite.max()) if len(finite) else (0, 1))
        colour = plt.get_cmap(cmap)
        colours = [colour(norm(v)) if np.isfinite(v) else (0.8, 0.8, 0.8, 1) for v in shown]
    else:
        colours = [f"C{names.index(c) % 10}" for c in layout.compartment]
    lines = layout[layout.kind == "cable"]
    ax.add_collection(LineCollection(
        [[(r.x0_um, r.y0_um), (r.x1_um, r.y1_um)] for r in lines.itertuples()],
        linewidths=np.clip(_POINTS_PER_UM * lines.diameter_um, 1.0, 8.0),
        colors=[colours[i] for i in lines.index], capstyle="butt"))
    for i, r in layout[layout.kind != "cable"].iterrows():
        if r.kind == "root":
            comp = _compartments(cell)[r.compartment]
            length = float(comp.length / um) if comp.is_cylinder else r.diameter_um
            ax.add_patch(Ellipse((0, 0), r.diameter_um, length, color=colours[i], zorder=3))
        else:
            ax.add_patch(Circle((r.x0_um, r.y0_um), r.diameter_um / 2, color=colours[i]))
    if values is None:
        for name in names:
            _label(ax, layout[layout.compartment == name], name,
                   f"C{names.index(name) % 10}")
    else:
        mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(mappable, ax=ax, shrink=0.8, label=label)
    xs = np.r_[layout.x0_um, layout.x1_um]
    ys = np.r_[layout.y0_um, layout.y1_um]
    pad = 0.08 * max(np.ptp(xs), np.ptp(ys), 50.0) + layout.diameter_um.max() / 2
    ax.set_xlim(xs.min() - pad, xs.max() + 3 * pad)
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("µm")
    ax.tick_params(labelsize=7)
    if profile is not None:
        frame = layout.assign(value=values.reindex(layout.segment).to_numpy())
        for k, (name, part) in enumerate(frame.groupby("compartment", sort=False)):
            profile.plot(part.path_um, part.value, "o-", ms=4, color=f"C{k % 10}", label=name)
        profile.set_xlabel("path distance from the soma (µm)")
        profile.set_ylabel(label)
        profile.legend(fontsize=7)
    if title:
        (fig.suptitle if profile is not None else ax.set_title)(title, fontsize=10)
    return fig if given and path is None else finish_figure(fig, path)
