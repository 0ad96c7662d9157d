"""Synapses onto a tree-solver group (`compartments.tree.TreeGroup`).

A tree group has one row per segment of every cell, so a synapse targets the row of its
segment in its cell: the on-pre code increments that row's receptor variable
(``x_ampa_post += ...``) and needs no per-synapse segment index — its text, and so its
compiled module, is the same wherever the synapses are placed. Called by
`compartments.synapses.connect`, which places the synapses and checks the inputs.
"""

import numpy as np
from brian2 import Synapses

from . import backends
from .receptors import receptor_class

__all__ = ["connect_rows"]


def connect_rows(source, target, template, gpeaks, chosen, weight, delay, name, namespace,
                 connect_args, owner="connect"):
    """`Synapses` from ``source`` onto the rows of ``chosen`` segments of ``target``.

    ``connect_args`` must give ``i`` (source indices) and ``j`` (cell indices of the
    tree group); ``chosen`` is one segment name for all synapses or one per synapse.
    """
    rest = sorted(set(connect_args) - {"i", "j"})
    i, j = connect_args.get("i"), connect_args.get("j")
    if rest or i is None or j is None or isinstance(i, str) or isinstance(j, str):
        raise TypeError(f"{owner} onto the tree-solver group '{target.name}' needs explicit "
                        f"indices: i (source neurons) and j (cells, 0..{target.cells_per_node - 1}"
                        f"). Got {sorted(connect_args)}.")
    i, j = np.broadcast_arrays(np.asarray(i, dtype=int), np.asarray(j, dtype=int))
    i, j = i.ravel(), j.ravel()
    cells = target.cells_per_node
    if np.any((j < 0) | (j >= cells)):
        raise ValueError(f"The 'j' indices of {owner} must be cells of '{target.name}', in "
                         f"[0, {cells}). Got {j[(j < 0) | (j >= cells)].tolist()} instead.")
    segments = list(chosen) if len(chosen) == len(j) else list(chosen) * len(j)
    if len(segments) != len(j):
        raise ValueError(f"{owner} made {len(j)} synapses but the placement gives "
                         f"{len(chosen)} locations; give one location, or one per synapse.")
    first_row = {seg: int(target.rows(seg)[0]) for seg in set(segments)}
    rows = np.array([first_row[seg] for seg in segments], dtype=int) + j
    model = "w : 1\n" + "".join(f"gpeak_{r} : siemens\n" for r in gpeaks)
    on_pre = "\n".join(
        f"{_row_variable(target, template, r, 'x', segments[0])}_post += w*gpeak_{r}*"
        f"{_row_variable(target, template, r, 'peak_norm', segments[0])}_post"
        for r in gpeaks)
    syn = Synapses(source, target, model=model, on_pre=on_pre, namespace=dict(namespace or {}),
                   name=name or "synapses*", method="exact",
                   codeobj_class=backends.codeobj_class())
    syn.connect(i=i, j=rows)
    syn.w = weight
    for r, g in gpeaks.items():
        setattr(syn, f"gpeak_{r}", g)
    if delay is not None:
        syn.delay = delay
    return syn


def _row_variable(target, template, receptor, local, segment):
    """The row variable of a receptor's ``local`` variable (same for every segment)."""
    unrolled = template.mechanism_variable(receptor_class(receptor)(), local, segment)
    return target.alias(unrolled)[0]
