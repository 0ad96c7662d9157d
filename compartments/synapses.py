"""Synaptic connections onto template groups: placement, weights, transmission.

`connect` returns an ordinary Brian2 `Synapses` whose pre-synaptic spikes
increment the receptor variables of the target segment
(``x_<receptor>_<segment>``, see `compartments.receptors`) by
``w * gpeak_<receptor> * peak_norm``: ``w`` is the dimensionless weight a
plasticity rule changes, ``gpeak_<receptor>`` the peak conductance (siemens)
of one synapse at ``w = 1``. Because the receptor's conductance is a state of
the post-synaptic template, any number of `Synapses` may target the same
compartment.

Placement
---------
- ``at="apical"``: a compartment (its middle segment, as NEURON's
  ``apical(0.5)``) or a segment (``"apical_3"``); a sequence gives one name
  per synapse;
- ``distance=200*um`` (scalar or one per synapse): the segment whose centre is
  nearest in path distance from the root's centre, among the segments that
  carry the receptors, optionally only within the compartments ``within``.

`placement(synapses)` returns where every synapse went.
"""

import weakref

import numpy as np
import pandas as pd
from brian2 import DimensionMismatchError, Quantity, Synapses, meter, second, siemens, um

from . import backends
from .receptors import Receptor, receptor_class
from .groups import template_of
from .tree_synapses import connect_rows
from .validation import check_quantity

__all__ = ["connect", "placement", "receptor_segments", "require_receptors", "transmission_code"]

_PLACEMENTS = weakref.WeakKeyDictionary()


def receptor_segments(template, receptor):
    """Names of the segments of ``template`` that carry ``receptor`` (short name or class)."""
    name = receptor_class(receptor).name
    return [seg.name for seg in template.segments
            if any(isinstance(ch, Receptor) and ch.name == name
                   for ch in seg.compartment.channels)]


def require_receptors(template, segments, receptors, owner):
    """Raise an error naming the first of ``segments`` lacking one of ``receptors``.

    Returns the segments of the template that carry all of them.
    """
    carrying = [seg.name for seg in template.segments
                if all(seg.name in receptor_segments(template, r) for r in receptors)]
    for seg in sorted(set(segments), key=template.topology.index.get):
        if seg not in carrying:
            comp = template.segments[template.topology.index[seg]].compartment.name
            missing = [r for r in receptors if seg not in receptor_segments(template, r)]
            raise ValueError(f"{owner}: segment '{seg}' of template '{template.name}' does not "
                             f"carry the receptors {missing}; add them with "
                             f"cell.with_channels({{'{comp}': [...]}}). Segments carrying all "
                             f"of {sorted(receptors)}: {carrying}.")
    return carrying


def transmission_code(template, receptors, segments, release="1"):
    """On-pre statements incrementing the receptors of the synapse's segment.

    Parameters
    ----------
    template : `CellTemplate`
    receptors : sequence of str
        Receptor short names (``'ampa'``).
    segments : sequence of str
        Target segment names; with more than one, each statement is guarded by
        the per-synapse integer ``segment`` (its index in ``segments``).
    release : str
        Expression scaling the increment (presynaptic modulation), default "1".
    """
    lines = []
    for r in receptors:
        for k, s in enumerate(segments):
            target = template.mechanism_variable(receptor_class(r)(), "x", s)
            norm = template.mechanism_variable(receptor_class(r)(), "peak_norm", s)
            guard = f"*int(segment == {k})" if len(segments) > 1 else ""
            scale = "" if release == "1" else f"*{release}"
            lines.append(f"{target}_post += w*gpeak_{r}*{norm}_post{scale}{guard}")
    return "\n".join(lines)


def _segments_by_name(template, at, owner):
    names = [at] if isinstance(at, str) else list(at)
    comps = template.topology.compartments
    out = []
    for name in names:
        if name in comps:
            segs = comps[name].segments
            out.append(segs[len(segs) // 2].name)
        elif name in template.topology.index:
            out.append(name)
        else:
            raise ValueError(f"The 'at' parameter of {owner} names {name!r}, which is neither a "
                             f"compartment {list(comps)} nor a segment of template "
                             f"'{template.name}'.")
    return out


def _segments_by_distance(template, distance, within, candidates, owner):
    distance = check_quantity(distance, meter, "distance", owner, "a path distance")
    d = np.atleast_1d(np.asarray(distance, dtype=float))
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError(f"The 'distance' parameter of {owner} must be finite path distances "
                         f">= 0 from the root's centre. Got {distance!r} instead.")
    if within is not None:
        within = [within] if isinstance(within, str) else list(within)
        unknown = sorted(set(within) - set(template.topology.compartments))
        if unknown:
            raise ValueError(f"The 'within' parameter of {owner} names unknown compartments "
                             f"{unknown}; known: {list(template.topology.compartments)}.")
        candidates = [s for s in candidates
                      if template.segments[template.topology.index[s]].compartment.name in within]
    dist = template.path_distances()
    candidates = [s for s in candidates if np.isfinite(float(dist[s]))]
    if not candidates:
        raise ValueError(f"{owner}: no segment with cylinder geometry carries the receptors "
                         f"(within={within!r}), so no path distance can place the synapses.")
    centres = np.array([float(dist[s]) for s in candidates])
    segs = [template.segments[template.topology.index[s]] for s in candidates]
    reach = max(c + float(seg.length) / 2 for c, seg in zip(centres, segs))
    beyond = d > reach * (1 + 1e-9)
    if np.any(beyond):
        raise ValueError(f"The 'distance' parameter of {owner} asks for {d[beyond][0] * 1e6:g} um "
                         f"from the root's centre, beyond the segments that carry the receptors "
                         f"(within={within!r}), which end at {reach * 1e6:g} um.")
    nearest = np.argmin(np.abs(d[:, None] - centres[None, :]), axis=1)
    return [candidates[k] for k in nearest]


def connect(source, target, receptors, *, at=None, distance=None, within=None, weight=1.0,
            delay=None, plasticity=None, presynaptic=None, name=None, namespace=None,
            **connect_args):
    """Connect ``source`` to receptors on a template group; returns a Brian2 `Synapses`.

    Parameters
    ----------
    source : Brian2 group with spikes (`NeuronGroup`, `SpikeGeneratorGroup`, ...)
    target : `NeuronGroup`
        A group made by `CellTemplate.make_group`.
    receptors : dict
        Receptor short name -> peak conductance of one synapse at weight 1,
        e.g. ``{"ampa": 0.5*nS, "nmda": 0.5*nS}`` (per-synapse variables
        ``gpeak_ampa``, ... afterwards). The target compartments must carry them
        (``cell.with_channels({"apical": [AMPA(), NMDA()]})``).
    at : str or sequence of str, optional
        Compartment or segment name, or one per synapse.
    distance : `Quantity`, optional
        Path distance from the root's centre, scalar or one per synapse.
    within : str or sequence of str, optional
        Restrict ``distance`` placement to these compartments.
    weight : float or array
        Initial dimensionless weight ``w``.
    delay : `Quantity`, optional
        Transmission delay (scalar or per synapse).
    plasticity : rule from `compartments.plasticity`, optional
        Adds its model and pre/post code (after the transmission on pre).
    presynaptic : `compartments.neuromodulation.PresynapticModulation`, optional
        Scales this pathway's release by a modulator's presynaptic receptor.
    name, namespace : optional
        Passed to `Synapses`.
    **connect_args
        Passed to `Synapses.connect` (``i``, ``j``, ``p``, ``condition``, ``n``).

    Returns
    -------
    synapses : `Synapses`
    """
    owner = "connect"
    template = template_of(target)
    if template is None:
        raise TypeError(f"The 'target' of {owner} must be a group made by "
                        f"CellTemplate.make_group. Got {target!r} instead.")
    if not isinstance(receptors, dict) or not receptors:
        raise TypeError(f"The 'receptors' parameter of {owner} must be a dict from receptor "
                        f"name to peak conductance, e.g. {{'ampa': 0.5*nS}}. "
                        f"Got {receptors!r} instead.")
    gpeaks = {}
    for r, g in receptors.items():
        short = receptor_class(r).name
        gpeaks[short] = check_quantity(g, siemens, f"receptors[{r!r}]", owner,
                                       "a peak conductance, e.g. 0.5*nS")
        if np.any(np.asarray(gpeaks[short]) < 0):
            raise ValueError(f"The peak conductance receptors[{r!r}] of {owner} must be >= 0. "
                             f"Got {g!r} instead.")
    carrying = require_receptors(template, (), list(gpeaks), owner)
    if (at is None) == (distance is None):
        raise TypeError(f"{owner} needs exactly one of 'at' (compartment or segment names) or "
                        f"'distance' (path distance from the root). Got at={at!r}, "
                        f"distance={distance!r}.")

    if at is not None:
        chosen = _segments_by_name(template, at, owner)
        per_synapse = not isinstance(at, str)
    else:
        chosen = _segments_by_distance(template, distance, within, carrying, owner)
        per_synapse = np.ndim(distance) > 0
    require_receptors(template, chosen, list(gpeaks), owner)
    if not isinstance(weight, str):
        _check_weight(weight, plasticity, owner)
    if delay is not None:
        delay = check_quantity(delay, second, "delay", owner, "a transmission delay, e.g. 1*ms")
        if not np.all(np.isfinite(np.asarray(delay))) or np.any(np.asarray(delay) < 0):
            raise ValueError(f"The 'delay' parameter of {owner} must be finite and >= 0. Got "
                             f"{delay!r} instead.")
    gpeaks = dict(sorted(gpeaks.items()))  # one code text whatever the order given
    if hasattr(type(target), "monitor_targets"):  # a tree-solver group (compartments.tree)
        if plasticity is not None or presynaptic is not None:
            raise NotImplementedError(
                f"{owner}: plasticity and presynaptic modulation onto the tree-solver group "
                f"'{target.name}' are not available yet; use make_group(solver='unrolled').")
        syn = connect_rows(source, target, template, gpeaks, chosen, weight, delay, name,
                           namespace, connect_args, owner)
        _PLACEMENTS[syn] = (template, chosen if per_synapse else chosen[0])
        return syn
    used = _code_segments(template, chosen, carrying, at is None or per_synapse)
    if plasticity is not None:
        comps = {template.segments[template.topology.index[s]].compartment.name
                 for s in set(chosen)}
        plasticity = plasticity.bind(target, comps.pop() if len(comps) == 1 else None)
    model = (plasticity.model if plasticity is not None else "w : 1\n") + "".join(
        f"gpeak_{r} : siemens\n" for r in gpeaks)
    if len(used) > 1:
        model += "segment : integer (constant)\n"
    if presynaptic is not None:
        model += presynaptic.model
    on_pre = transmission_code(template, list(gpeaks), used,
                               release=presynaptic.factor if presynaptic is not None else "1")
    on_post, ns = None, dict(namespace or {})
    if plasticity is not None:
        on_pre += "\n" + plasticity.on_pre
        on_post = plasticity.on_post or None
        ns.update(plasticity.namespace)
    p = connect_args.get("p")
    numeric_p = isinstance(p, (int, float)) and not isinstance(p, bool)
    if numeric_p and not 0 <= p <= 1:
        raise ValueError(f"The 'p' parameter of {owner} must be a connection probability in "
                         f"[0, 1]. Got {p!r} instead.")
    if numeric_p and p != 1:
        # a name, not a number in the code: any probability reuses one compiled module
        ns["connect_probability"] = float(p)
        connect_args = dict(connect_args, p="connect_probability")
    syn = Synapses(source, target, model=model, on_pre=on_pre, on_post=on_post, namespace=ns,
                   name=name or "synapses*", method=getattr(plasticity, "method", "exact"),
                   codeobj_class=backends.codeobj_class())
    syn.connect(**connect_args)
    n_syn = _count(syn, connect_args)
    if per_synapse and n_syn is not None and len(chosen) != n_syn:
        raise ValueError(f"{owner} made {n_syn} synapses but the placement "
                         f"({'at' if at is not None else 'distance'}) gives {len(chosen)} "
                         f"locations; give one location, or one per synapse.")
    syn.w = weight
    if isinstance(weight, str):  # an expression: check what it gave, where it can be read
        try:
            _check_weight(np.asarray(syn.w_[:]), plasticity, owner)
        except NotImplementedError:
            pass
    for r, g in gpeaks.items():
        setattr(syn, f"gpeak_{r}", g)
    if len(used) > 1:
        syn.segment = np.array([used.index(s) for s in chosen])
    if delay is not None:
        syn.delay = delay
    if plasticity is not None:
        plasticity.configure(syn)
    if presynaptic is not None:
        presynaptic.configure(syn)
    _PLACEMENTS[syn] = (template, chosen if per_synapse else chosen[0])
    return syn


def _check_weight(weight, plasticity, owner):
    """Weights are dimensionless, finite, >= 0 and within a plasticity rule's bounds."""
    if isinstance(weight, Quantity) and not weight.is_dimensionless:
        raise DimensionMismatchError(f"The 'weight' parameter of {owner} must be dimensionless "
                                     f"(it scales the receptors' peak conductances). Got "
                                     f"{weight!r} instead.")
    try:
        w = np.asarray(weight, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"The 'weight' parameter of {owner} must be a number or an array of "
                        f"numbers. Got {weight!r} instead.") from None
    low, high = (getattr(plasticity, "w_min", 0.0), getattr(plasticity, "w_max", np.inf))
    low = max(0.0, float(np.min(low)))
    if not np.all(np.isfinite(w)) or np.any(w < low) or np.any(w > high):
        bounds = (f"within the bounds [{low:g}, {float(np.max(high)):g}] of its plasticity rule"
                  if plasticity is not None and np.isfinite(np.max(high)) else ">= 0")
        raise ValueError(f"The 'weight' parameter of {owner} must be finite and {bounds}. Got "
                         f"{weight!r} instead.")


#: Most receptor-carrying segments written into one synapse model's on-pre code.
MAX_CODE_SEGMENTS = 64


def _code_segments(template, chosen, carrying, scattered):
    """Target segments written into the on-pre code, in the template's order.

    Synapses placed by distance or one location per synapse (``scattered``) address
    every segment carrying the receptors (up to `MAX_CODE_SEGMENTS`), so that the code —
    and its compiled module — does not depend on where this call's synapses fell: a
    second call compiles nothing. Otherwise only the chosen segments.
    """
    key = template.topology.index.get
    if scattered and len(carrying) <= MAX_CODE_SEGMENTS:
        return sorted(carrying, key=key)
    return sorted(set(chosen), key=key)


def _count(syn, connect_args):
    """Number of synapses, or None where it is unknown before the run (cpp_standalone)."""
    try:
        return len(syn)
    except NotImplementedError:
        i, j = connect_args.get("i"), connect_args.get("j")
        if i is not None and j is not None and not isinstance(j, str):
            return int(np.broadcast(np.asarray(i), np.asarray(j)).size)
        return None


def placement(synapses):
    """Where each synapse of a `connect` result sits: DataFrame synapse, i, j, segment,
    compartment, distance_um (path distance of the segment centre from the root's centre).

    In cpp_standalone, available after the run (the synapses exist only then).
    """
    if synapses not in _PLACEMENTS:
        raise TypeError(f"{synapses!r} was not made by compartments.synapses.connect.")
    template, chosen = _PLACEMENTS[synapses]
    i, j = np.asarray(synapses.i[:]), np.asarray(synapses.j[:])
    if hasattr(type(synapses.target), "monitor_targets"):  # tree group: rows -> cells
        j = j % synapses.target.cells_per_node
    segments = [chosen] * len(i) if isinstance(chosen, str) else list(chosen)
    dist = template.path_distances()
    return pd.DataFrame({
        "synapse": np.arange(len(i)), "i": i, "j": j, "segment": segments,
        "compartment": [template.segments[template.topology.index[s]].compartment.name
                        for s in segments],
        "distance_um": [float(dist[s] / um) for s in segments]})
