"""Morphology: a reconstructed neuron's sections, regions and 3-D points -> `CellTemplate`.

``Morphology.from_swc(path)`` reads an SWC file into the sections NEURON's
Import3d makes of it (`compartments.morphology.import3d`); `to_template`
paints mechanisms on regions, sets nseg (NEURON's d_lambda rule by default),
gives parameters per segment by path distance (`DistanceRule`) and returns a
plain `CellTemplate` whose compartments are the sections, each with its 3-D
points, so that segment areas and axial resistances are NEURON's.
"""

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from brian2 import Hz, Quantity, cm, meter, ohm, uF, um

from ..channels.base import Channel
from ..compartment import Compartment, arc_lengths, frusta
from ..pools import Pool
from ..template import CellTemplate
from ..topology import Topology
from ..validation import check_positive, check_quantity
from .import3d import NEURON_TYPE_NAMES, import3d_sections
from .nseg import d_lambda_nseg
from .rules import DistanceRule
from .swc import read_swc

__all__ = ["Morphology", "Section", "example_swc"]

_CAPACITANCE, _RESISTIVITY = uF / cm**2, ohm * cm
_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
_EXAMPLES = {"tc200": "tc200.CNG.swc", "mp_ma_40984_gc2": "mp_ma_40984_gc2.CNG.swc"}


def example_swc(name):
    """Path of a reconstruction shipped with the package: ``"tc200"`` (rat thalamocortical
    relay cell, 1219 points) or ``"mp_ma_40984_gc2"`` (353 points); sources and licence in
    ``compartments/morphology/data/README.md``."""
    if name not in _EXAMPLES:
        raise KeyError(f"Unknown example morphology {name!r}; known: {sorted(_EXAMPLES)}.")
    return os.path.join(_DATA, _EXAMPLES[name])


@dataclass(frozen=True)
class Section:
    """One unbranched section of a morphology.

    Attributes
    ----------
    name : str
        Compartment name: ``<label>_<k>`` (``<label>`` when the region has one section).
    label : str
        Region (``soma``, ``axon``, ``basal``, ``apical`` or a custom label).
    swc_type : int
    points : array (n, 4)
        x, y, z, diameter (um) as NEURON's pt3dadd gets them.
    parent : str or None
    parent_x : float or None
        Where its 0 end attaches on the parent (0, 0.5 or 1); None for the root.
    neuron_name : str
        The name NEURON's Import3d gives it (``soma[0]``, ``dend[3]``, ``apic[12]``).
    line : int
        SWC line of its first own point.
    """

    name: str
    label: str
    swc_type: int
    points: np.ndarray = field(repr=False)
    parent: str
    parent_x: float
    neuron_name: str
    line: int

    @property
    def length(self):
        """Arc length (um)."""
        return float(arc_lengths(self.points)[-1])


def _neuron_names(raw):
    count = {}
    names = []
    for sec in raw:
        k = count.get(sec.type, 0)
        count[sec.type] = k + 1
        base = NEURON_TYPE_NAMES.get(sec.type) or (f"minus_{-sec.type}" if sec.type < 0
                                                   else f"dend_{sec.type}")
        names.append(f"{base}[{k}]")
    return names


class Morphology:
    """A neuron's sections with 3-D points and region labels.

    Parameters
    ----------
    sections : sequence of `Section`
        Root first, parents before children.
    source : str, optional
        Where it was read from.

    Examples
    --------
    >>> from compartments.morphology import Morphology, example_swc
    >>> m = Morphology.from_swc(example_swc("mp_ma_40984_gc2"))
    >>> len(m.sections), m.labels
    (29, ('soma', 'basal'))
    """

    def __init__(self, sections, source=None):
        self.sections = tuple(sections)
        self.source = source
        self._by_name = {s.name: s for s in self.sections}
        self.labels = tuple(dict.fromkeys(s.label for s in self.sections))

    @classmethod
    def from_swc(cls, path, labels=None):
        """Read an SWC file (NEURON Import3d semantics, see `compartments.morphology.import3d`).

        Parameters
        ----------
        path : str or path-like
        labels : dict, optional
            SWC type -> region name for custom types, e.g. ``{5: "oblique"}``
            (types 5 and above default to ``type<code>``).

        Raises
        ------
        SWCError
            For a malformed line, a cycle, a missing parent, a radius <= 0, an
            unknown type, ...: the message names the file and line.
        """
        pts = read_swc(path, labels)
        raw = import3d_sections(pts.types, pts.xyz, pts.diameters, pts.parents)
        per_label = {}
        for sec in raw:
            per_label.setdefault(pts.labels[sec.type], []).append(sec)
        names = {}
        for label, secs in per_label.items():
            for k, sec in enumerate(secs):
                names[id(sec)] = label if len(secs) == 1 else f"{label}_{k}"
        sections = [Section(names[id(sec)], pts.labels[sec.type], int(sec.type),
                            sec.geometry(pts.xyz, pts.diameters),
                            None if sec.parent is None else names[id(sec.parent)],
                            None if sec.parent is None else sec.parent_x, neuron,
                            int(pts.lines[sec.start]))
                    for sec, neuron in zip(raw, _neuron_names(raw))]
        return cls(sections, source=str(path))

    # -- queries -----------------------------------------------------------------------
    @property
    def root(self):
        """The root section (usually the soma)."""
        return self.sections[0]

    def section(self, name):
        """The `Section` called ``name``."""
        if name not in self._by_name:
            raise KeyError(f"Unknown section {name!r}; sections: {list(self._by_name)[:10]} "
                           f"... ({len(self._by_name)}).")
        return self._by_name[name]

    def region(self, label):
        """Names of the sections (compartments) labelled ``label``; ``"all"`` for every one."""
        if label == "all":
            return tuple(self._by_name)
        if label not in self.labels:
            raise KeyError(f"Unknown region {label!r}; regions: {list(self.labels)} or 'all'.")
        return tuple(s.name for s in self.sections if s.label == label)

    def table(self):
        """One row per section: name, region, NEURON name, parent, attachment, number of
        points, length (um), membrane area (um²), SWC line."""
        rows = []
        for s in self.sections:
            arc, area, _, _ = frusta(s.points, 1)
            rows.append(dict(section=s.name, region=s.label, neuron_name=s.neuron_name,
                             parent=s.parent, parent_x=s.parent_x, points=len(s.points),
                             length_um=arc[-1], area_um2=area[0], swc_line=s.line))
        return pd.DataFrame(rows)

    # -- template ----------------------------------------------------------------------
    def _per_region(self, spec, unit, what, kind):
        """Resolve a value given once or per region (``{"all": ..., "apical": ...}``)."""
        if isinstance(spec, dict):
            unknown = sorted(set(spec) - set(self.labels) - {"all"})
            if unknown:
                raise ValueError(f"The '{what}' of Morphology.to_template names unknown regions "
                                 f"{unknown}; regions: {list(self.labels)} or 'all'.")
            values = {label: spec.get(label, spec.get("all")) for label in self.labels}
        else:
            values = {label: spec for label in self.labels}
        for label, value in values.items():
            if value is None:
                raise ValueError(f"The '{what}' of Morphology.to_template gives no value for "
                                 f"region '{label}' (add it or an 'all' entry).")
            if unit is not None:
                check_positive(check_quantity(value, unit, what, "Morphology.to_template", kind),
                               what, "Morphology.to_template")
        return values

    def _painted(self, paint):
        paint = paint or {}
        unknown = sorted(set(paint) - set(self.labels) - {"all"})
        if unknown:
            raise ValueError(f"The 'paint' of Morphology.to_template names unknown regions "
                             f"{unknown}; regions: {list(self.labels)} or 'all'.")
        out = {}
        for label in self.labels:
            mechanisms, region_of = [], {}
            for region in ("all", label):
                for mech in paint.get(region, ()):
                    if not isinstance(mech, (Channel, Pool)):
                        raise TypeError(f"The 'paint' of region '{region}' must hold Channel or "
                                        f"Pool objects. Got {mech!r} instead.")
                    if mech.name in region_of:
                        raise ValueError(f"The mechanism '{mech.name}' is painted on region "
                                         f"'{label}' twice (from '{region_of[mech.name]}' and "
                                         f"'{region}'); paint it once, on one of them.")
                    region_of[mech.name] = region
                    mechanisms.append(mech)
            out[label] = ([m for m in mechanisms if isinstance(m, Channel)],
                          [m for m in mechanisms if isinstance(m, Pool)])
        return out

    def nseg(self, policy="d_lambda", Ra=150 * ohm * cm, cm=1 * uF / cm**2, d_lambda=0.1,
             frequency=100 * Hz):
        """Number of segments per section (name -> int).

        Parameters
        ----------
        policy : "d_lambda", int or callable
            NEURON's d_lambda rule (`compartments.morphology.nseg`), the same
            number for every section, or a function of the `Section`.
        Ra, cm : `Quantity` or dict
            Axial resistivity and specific capacitance (spines included), per
            region as in `to_template`; used by the d_lambda rule.
        d_lambda : float
        frequency : `Quantity`
        """
        if policy == "d_lambda":
            ra = self._per_region(Ra, _RESISTIVITY, "Ra", "a resistivity")
            c = self._per_region(cm, _CAPACITANCE, "cm", "a capacitance density")
            return {s.name: d_lambda_nseg(s.points, ra[s.label], c[s.label], d_lambda, frequency)
                    for s in self.sections}
        if callable(policy):
            return {s.name: policy(s) for s in self.sections}
        if isinstance(policy, (int, np.integer)) and not isinstance(policy, bool) and policy >= 1:
            return {s.name: int(policy) for s in self.sections}
        raise ValueError(f"The 'nseg' policy of Morphology must be 'd_lambda', a positive "
                         f"integer or a function of the section. Got {policy!r} instead.")

    def to_template(self, name, paint=None, *, cm=1 * uF / cm**2, Ra=150 * ohm * cm,
                    spine_factor=1.0, nseg="d_lambda", d_lambda=0.1, frequency=100 * Hz,
                    rules=(), **template_arguments):
        """A `CellTemplate` whose compartments are the sections.

        Parameters
        ----------
        name : str
            Template name.
        paint : dict, optional
            Region -> mechanisms (channels and pools) in its membrane, e.g.
            ``{"all": [Leak()], "soma": [HHNa(), HHK()]}``; ``"all"`` is every
            section. A mechanism painted twice on a section is an error.
        cm : `Quantity` or dict
            Specific membrane capacitance, once or per region
            (``{"all": 1*uF/cm**2, "basal": 2*uF/cm**2}``).
        Ra : `Quantity` or dict
            Axial resistivity, once or per region; the template's ``Ra`` is the
            ``"all"`` value (or the single one).
        spine_factor : float or dict
            Spine correction of capacitance and leak, once or per region.
        nseg : "d_lambda", int or callable
            See `nseg`; the d_lambda rule uses each section's Ra and
            ``cm * spine_factor`` (NEURON's ``cm``).
        d_lambda : float
            Default 0.1.
        frequency : `Quantity`
            Default 100 Hz.
        rules : sequence of `DistanceRule`
            Per-segment values by path distance.
        **template_arguments
            Passed to `CellTemplate` (``celsius``, ``spike_threshold``, ``method``, ...).

        Returns
        -------
        template : `CellTemplate`
            Compartments named as the sections (`region` lists them), root
            first; connections ``(parent, child, parent_x)``.
        """
        painted = self._painted(paint)
        caps = self._per_region(cm, _CAPACITANCE, "cm", "a capacitance density")
        ras = self._per_region(Ra, _RESISTIVITY, "Ra", "a resistivity")
        spines = self._per_region(spine_factor, None, "spine_factor", None)
        template_Ra = Ra.get("all", next(iter(ras.values()))) if isinstance(Ra, dict) else Ra
        counts = self.nseg(nseg, ras, {k: caps[k] * spines[k] for k in caps}, d_lambda,
                           frequency)
        values = self._rule_values(rules, counts, painted, ras)
        comps = [Compartment(s.name, points=s.points * um, nseg=counts[s.name], cm=caps[s.label],
                             channels=painted[s.label][0], pools=painted[s.label][1],
                             Ra=None if ras[s.label] == template_Ra else ras[s.label],
                             spine_factor=spines[s.label], segment_values=values.get(s.name))
                 for s in self.sections]
        connections = [(s.parent, s.name, _at(s.parent_x)) for s in self.sections[1:]]
        return CellTemplate(name, comps, connections, Ra=template_Ra, **template_arguments)

    def path_distances(self, nseg=1):
        """Path distance of every segment centre from the root's centre (segment -> metre),
        NEURON's ``distance(soma(0.5), seg)``; ``nseg``: section -> count (see `nseg`), or a
        policy for `nseg` with its defaults."""
        counts = nseg if isinstance(nseg, dict) else self.nseg(nseg)
        bare = [Compartment(s.name, points=s.points * um, nseg=counts[s.name])
                for s in self.sections]
        connections = [(s.parent, s.name, _at(s.parent_x)) for s in self.sections[1:]]
        return Topology(bare, connections, 150 * _RESISTIVITY).path_distances()

    def _rule_values(self, rules, counts, painted, ras):
        if not rules:
            return {}
        distances = self.path_distances(counts)
        out = {}
        for rule in rules:
            if not isinstance(rule, DistanceRule):
                raise TypeError(f"The 'rules' of Morphology.to_template must be DistanceRule "
                                f"objects. Got {rule!r} instead.")
            secs = [self._by_name[n] for n in self.region(rule.region)]
            for s in secs:
                known = {f"{p}_{m.name}" for m in painted[s.label][0] + painted[s.label][1]
                         for p in m.parameters}
                if rule.parameter not in known:
                    raise ValueError(f"{rule!r}: section '{s.name}' of region '{rule.region}' has "
                                     f"no parameter '{rule.parameter}'; paint its mechanism on "
                                     f"'{rule.region}' (painted there: {sorted(known)}).")
                if rule.parameter in out.get(s.name, {}):
                    raise ValueError(f"Two rules give '{rule.parameter}' in section '{s.name}'; "
                                     f"one rule per parameter and section.")
            offset, longest = self._origin_and_longest(rule, secs, counts, distances)
            names = [f"{s.name}_{i}" if counts[s.name] > 1 else s.name
                     for s in secs for i in range(counts[s.name])]
            d = Quantity([float(distances[n]) for n in names], dim=meter.dim) - offset
            result = rule.evaluate(d, longest - offset)
            k = 0
            source = rule.describe()
            for s in secs:
                n = counts[s.name]
                out.setdefault(s.name, {})[rule.parameter] = (result[k:k + n], source)
                k += n
        return out

    def _origin_and_longest(self, rule, secs, counts, distances):
        """Distance of the rule's origin and of the region's farthest distal end (metre)."""
        def end(s, x):
            n = counts[s.name]
            first = s.name if n == 1 else f"{s.name}_0"
            last = s.name if n == 1 else f"{s.name}_{n - 1}"
            half = s.length / n / 2 * um
            return distances[first] - half if x == 0 else distances[last] + half

        longest = max(end(s, 1) for s in secs)
        if rule.origin == "soma":
            return 0 * um, longest
        names = {s.name for s in secs}
        proximal = [s for s in secs if s.parent not in names]
        if len(proximal) != 1 or proximal[0].parent is None:
            raise ValueError(f"{rule!r}: origin='region' needs region '{rule.region}' to be one "
                             f"subtree off the root; it starts at "
                             f"{[s.name for s in proximal]}. Use origin='soma'.")
        return end(proximal[0], 0), longest

    def __repr__(self):
        counts = ", ".join(f"{label}: {len(self.region(label))}" for label in self.labels)
        source = os.path.basename(self.source) if self.source else None
        return f"{type(self).__name__}({source!r}, sections={{{counts}}})"


def _at(x):
    return 0.5 if x == 0.5 else int(x)
