"""Compartment: a piece of membrane with geometry, capacitance and channels.

A compartment is a cylinder (``length`` and ``diameter``), a cable described
by 3-D points (``points``: x, y, z, diameter, as NEURON's ``pt3dadd``) — both
optionally split into ``nseg`` segments as in NEURON — or a reduced,
Dendrify-style compartment with an explicit membrane ``area``, coupled to its
neighbours by explicit conductances. The list of channels is what is
"painted" on its membrane; a mechanism may appear only once. A parameter may
take a different value in each segment (``segment_values``), as a NEURON
range variable set per segment.

Geometry from 3-D points follows NEURON's ``nrn_area_ri`` (``treeset.cpp``):
each segment spans an equal share of the arc length; its membrane area is
the lateral area of the frusta between the points (and of the annulus where
the diameter jumps at a repeated point), its axial resistance from its
proximal end to its centre and from its centre to its distal end the
integral of ``Ra dx / (pi d(x)^2 / 4)`` over the piecewise-linear diameter.
Points are held in single precision and their arc lengths accumulated from
single-precision differences, as NEURON's ``Pt3d`` does, so areas and
resistances equal NEURON's to round-off.
"""

import math

import numpy as np
from brian2 import Quantity, cm, meter, ohm, uF, um

from types import MappingProxyType

from .channels.base import Channel
from .mechanism import ENGINE_PROVIDED
from .pools import Pool
from .quantities import quantity_to_data
from .validation import check_name, check_positive, check_quantity, unit_name

__all__ = ["Compartment", "Segment", "arc_lengths", "frusta", "array_arguments"]

_PARSED = set()  # mechanisms already checked (immutable, so checked once per process)


_PARSED = set()  # mechanisms (equal ones have equal equations) already checked


def _check_parses(mechanism, owner):
    if mechanism in _PARSED:
        return
    try:
        mechanism.equations()
        mechanism.check_units()
    except Exception as ex:
        raise ValueError(f"The equations of {mechanism.kind} {mechanism!r} in {owner} do not "
                         f"parse or have inconsistent units: {ex}") from ex
    _PARSED.add(mechanism)


def arc_lengths(points):
    """Arc length (um) of each of the 3-D points (n, 4; um) along the cable, as NEURON's
    ``arc3d``: single-precision coordinate differences summed in double precision."""
    pts = np.asarray(points, dtype=np.float32)
    step = (pts[1:, :3] - pts[:-1, :3]).astype(np.float64)
    return np.concatenate([[0.0], np.cumsum(np.sqrt(step[:, 0] * step[:, 0] + step[:, 1]
                                                    * step[:, 1] + step[:, 2] * step[:, 2]))])


def frusta(points, nseg):
    """Segment geometry of a cable given by 3-D points, as NEURON computes it.

    Parameters
    ----------
    points : array, shape (n, 4)
        x, y, z and diameter of n >= 2 points, in micrometre; used in single
        precision (NEURON's ``Pt3d``).
    nseg : int
        Number of segments of equal arc length.

    Returns
    -------
    arc : array (n,)
        Arc length of each point (um), accumulated from single-precision
        differences.
    area : array (nseg,)
        Membrane area of each segment (um²): lateral areas of the frusta, plus
        the annulus where the diameter jumps between two points at one place.
    axial : array (nseg, 2)
        Integral of ``dx / (pi d(x)^2 / 4)`` (1/um) over each segment's
        proximal and distal half; times ``Ra`` it is the half's resistance.
    diameter : array (nseg,)
        Mean diameter of each segment (um), as NEURON's ``diam``.
    """
    arc = arc_lengths(points)
    diam = np.abs(np.asarray(points, dtype=np.float32)[:, 3].astype(np.float64))
    last = len(arc) - 1
    ds = arc[-1] / nseg
    area, axial, mean = np.zeros(nseg), np.zeros((nseg, 2)), np.zeros(nseg)
    j, x1, y1 = 0, arc[0], diam[0]
    for k in range(nseg):
        start = k * ds
        for half in (0, 1):
            stop = start + ds / 2.0
            while True:  # one piece between consecutive breakpoints (points or half ends)
                xj, xn = arc[j], arc[j + 1]
                if xn > stop or j + 1 == last:
                    frac = 1.0 if abs(xn - xj) < 1e-10 else (stop - xj) / (xn - xj)
                    x2, y2, nxt = stop, (1.0 - frac) * diam[j] + frac * diam[j + 1], j
                else:
                    x2, y2, nxt = xn, diam[j + 1], j + 1
                delta = x2 - x1
                mean[k] += (y2 + y1) * delta
                delta = max(delta, 1e-15)
                axial[k, half] += 1.0 / (y2 * y1 / delta)
                slant = 0.5 * (y2 - y1)
                area[k] += (y2 + y1) * math.sqrt(delta * delta + slant * slant)
                x1, y1 = x2, y2
                if nxt == j:
                    break
                j = nxt
            start = stop
    return arc, area * 0.5 * np.pi, axial * 4.0 / np.pi, mean * 0.5 / ds


def _array_to_data(q):
    return {"values": np.asarray(q).tolist(), "unit": unit_name(q)}


def _array_from_data(d, where):
    from brian2.core.namespace import DEFAULT_UNITS

    if not isinstance(d, dict) or set(d) != {"values", "unit"}:
        raise ValueError(f"{where} must be a dict {{'values': list of numbers, 'unit': unit "
                         f"name}}. Got {d!r:.200} instead.")
    try:
        unit = eval(d["unit"], {"__builtins__": {}}, dict(DEFAULT_UNITS))  # noqa: S307
        values = np.asarray(d["values"], dtype=float)
    except Exception as ex:
        raise ValueError(f"Cannot read {where}: {d!r:.200}.") from ex
    return Quantity(values, dim=Quantity(unit).dim)


def array_arguments(entry, where="a compartment"):
    """The array-valued constructor arguments in a compartment's `Compartment.to_dict`
    output (``points``, ``segment_values``), read back for `Compartment`."""
    out = {}
    if "points" in entry:
        out["points"] = _array_from_data(entry["points"], f"the 'points' of {where}")
    if "segment_values" in entry:
        values = entry["segment_values"]
        if not isinstance(values, dict):
            raise ValueError(f"The 'segment_values' of {where} must be a dict. Got "
                             f"{values!r:.200} instead.")
        out["segment_values"] = {
            key: (_array_from_data({k: v[k] for k in ("values", "unit") if k in v},
                                   f"segment_values[{key!r}] of {where}"), v.get("source"))
            for key, v in values.items()}
    return out


class Segment:
    """One isopotential node of a template: a whole compartment or one of its nseg pieces.

    Attributes
    ----------
    name : str
        Variable suffix (``soma``, ``apical_0``).
    compartment : `Compartment`
        The compartment it belongs to.
    index : int
        Position in the chain (0 is the proximal end).
    length, diameter : `Quantity` or None
        Arc length and (mean) diameter (None for explicit-area compartments).
    area : `Quantity`
        Membrane area (m²).
    axial : tuple of `Quantity` or None
        ``(proximal, distal)``: integral of ``dx / (pi d^2 / 4)`` (1/metre) from
        the proximal end to the centre and from the centre to the distal end
        (None for explicit-area compartments).
    """

    def __init__(self, compartment, index, name, length, diameter, area, axial=None):
        self.compartment = compartment
        self.index = index
        self.name = name
        self.length = length
        self.diameter = diameter
        self.area = area
        self.axial = axial

    def half_resistances(self, Ra):
        """Axial resistances (ohm) from the proximal end to the centre, and from the centre
        to the distal end."""
        return Ra * self.axial[0], Ra * self.axial[1]

    def __repr__(self):
        return f"Segment({self.name!r})"


class Compartment:
    """A named piece of membrane.

    Parameters
    ----------
    name : str
        Suffix of its variables (``v_<name>``). Letters, digits, single underscores.
    length, diameter : `Quantity`, optional
        Cylinder geometry in metre (e.g. ``20*um``). Its lateral area
        pi * d * L is the membrane area, as in NEURON (end caps excluded).
    area : `Quantity`, optional
        Explicit membrane area in metre**2, instead of length and diameter, for
        reduced compartments; such a compartment is coupled only through
        explicit conductances.
    points : `Quantity`, optional
        Array of shape (n, 4), n >= 2, in metre: x, y, z and diameter of the
        points along a cable (NEURON's ``pt3dadd``), proximal first, instead
        of length and diameter. Areas and axial resistances of its segments
        are integrated over the frusta between the points as NEURON does
        (see the module docstring); the points are held in single precision.
    cm : `Quantity`
        Specific membrane capacitance (farad/meter**2), default ``1*uF/cm**2``.
    channels : sequence of `Channel`
        Mechanisms in its membrane; each mechanism at most once.
    nseg : int
        Number of isopotential segments (cables only). With ``nseg=n > 1`` the
        compartment becomes the chain ``<name>_0 ... <name>_{n-1}``, ``_0``
        proximal; each segment carries its own ``v`` and ``I_ext`` and the same
        channel densities (unless ``segment_values`` says otherwise).
    pools : sequence of `Pool`
        Ion pools (e.g. ``CalciumPool()``); at most one per ion. A calcium
        channel needs a calcium pool in its compartment.
    Ra : `Quantity`, optional
        Axial resistivity (ohm*meter) overriding the template's.
    spine_factor : float
        Multiplies the membrane capacitance and the passive (leak) conductance
        to account for spines, as Hay et al. 2011 do for spiny dendrites
        (default 1).
    segment_values : dict, optional
        Per-segment values of mechanism parameters, as NEURON range variables
        set segment by segment: ``{"<parameter>_<mechanism>": (values,
        source)}`` (the names of the ``parameter`` column of
        `CellTemplate.parameters`, e.g. ``"gbar_hcn"``), ``values`` a
        `Quantity` array of ``nseg`` values, proximal first, ``source`` a
        string saying where they come from.

    Examples
    --------
    >>> from brian2 import um
    >>> Compartment("apical", length=400*um, diameter=3*um, nseg=4).segment_names
    ('apical_0', 'apical_1', 'apical_2', 'apical_3')
    >>> tapered = Compartment("dend", points=[[0, 0, 0, 2], [100, 0, 0, 1]]*um, nseg=3)
    >>> round(float(tapered.membrane_area / um**2), 2)
    471.24
    """

    def __init__(self, name, length=None, diameter=None, *, area=None, points=None,
                 cm=1 * uF / cm**2, channels=(), pools=(), nseg=1, Ra=None, spine_factor=1.0,
                 segment_values=None):
        self.name = check_name(name, "compartment")
        owner = f"Compartment '{name}'"
        self.cm = check_positive(check_quantity(cm, uF / meter**2, "cm", owner,
                                                "a capacitance density"), "cm", owner)
        self.length = self.diameter = self.area = self._points = None
        if points is not None:
            if length is not None or diameter is not None or area is not None:
                raise TypeError(f"{owner}: give either 'points' or 'length' and 'diameter' or "
                                f"'area', not several.")
            self._points = self._check_points(points, owner)
        elif area is None:
            if length is None or diameter is None:
                raise TypeError(
                    f"{owner} needs either 'length' and 'diameter' (a cylinder), 'points' "
                    f"(3-D points) or 'area' (a reduced compartment). Got length={length!r}, "
                    f"diameter={diameter!r}, area=None."
                )
            self.length = check_positive(check_quantity(length, meter, "length", owner, "a length"),
                                         "length", owner)
            self.diameter = check_positive(check_quantity(diameter, meter, "diameter", owner,
                                                          "a length"), "diameter", owner)
        else:
            if length is not None or diameter is not None:
                raise TypeError(f"{owner}: give either 'area' or 'length' and 'diameter', not both.")
            self.area = check_positive(check_quantity(area, meter**2, "area", owner, "an area"),
                                       "area", owner)
        if not isinstance(nseg, (int, np.integer)) or isinstance(nseg, bool) or nseg < 1:
            raise ValueError(f"The 'nseg' parameter of {owner} must be a positive integer. "
                             f"Got {nseg!r} instead.")
        if nseg > 1 and self.area is not None:
            raise ValueError(f"The 'nseg' parameter of {owner} must be 1 for a compartment "
                             f"with an explicit area. Got {nseg!r} instead.")
        self.nseg = int(nseg)
        self.Ra = None if Ra is None else check_positive(
            check_quantity(Ra, ohm * meter, "Ra", owner, "a resistivity"), "Ra", owner)
        if isinstance(spine_factor, Quantity) or not np.isscalar(spine_factor) \
                or not spine_factor >= 1:
            raise ValueError(f"The 'spine_factor' parameter of {owner} must be a number >= 1. "
                             f"Got {spine_factor!r} instead.")
        self.spine_factor = float(spine_factor)
        self.pools = tuple(self._check_pools(pools, owner))
        self._check_channels(channels, owner)
        self.segment_values = self._check_segment_values(segment_values or {}, owner)
        self._segments = tuple(self._make_segments())

    @staticmethod
    def _check_points(points, owner):
        check_quantity(points, meter, "points", owner, "3-D points (x, y, z, diameter) in metre")
        values = np.asarray(points / um, dtype=float)
        if values.ndim != 2 or values.shape[1] != 4 or len(values) < 2:
            raise ValueError(f"The 'points' parameter of {owner} must be an array of shape "
                             f"(n, 4), n >= 2: x, y, z and diameter of each point. Got shape "
                             f"{values.shape} instead.")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"The 'points' parameter of {owner} must be finite. Got "
                             f"{int(np.sum(~np.isfinite(values)))} non-finite values.")
        bad = np.flatnonzero(values[:, 3] <= 0)
        if bad.size:
            raise ValueError(f"The 'points' parameter of {owner} must have positive diameters. "
                             f"Got {values[bad[0], 3]!r} um at point {bad[0]}.")
        single = values.astype(np.float32)
        if not arc_lengths(single)[-1] > 0:
            raise ValueError(f"The 'points' parameter of {owner} must span a positive length. "
                             f"Got {len(values)} points at one place.")
        return single

    def _check_pools(self, pools, owner):
        if isinstance(pools, (str, Pool)):
            raise TypeError(f"The 'pools' of {owner} must be a sequence of Pool objects, e.g. "
                            f"[CalciumPool()]. Got {pools!r} instead.")
        ions = {}
        for pool in pools:
            if not isinstance(pool, Pool):
                raise TypeError(f"The 'pools' of {owner} must be Pool objects. Got {pool!r} "
                                f"instead.")
            if pool.ion in ions:
                raise ValueError(f"{owner} has two pools for ion '{pool.ion}' ({ions[pool.ion]!r} "
                                 f"and {pool!r}); one pool per ion and compartment.")
            ions[pool.ion] = pool
            _check_parses(pool, owner)
            yield pool

    def _check_channels(self, channels, owner):
        if isinstance(channels, (str, Channel)):
            raise TypeError(f"The 'channels' of {owner} must be a sequence of Channel objects, "
                            f"e.g. [channels.Leak()]. Got {channels!r} instead.")
        seen = {}
        provided = set(ENGINE_PROVIDED) | {n for p in self.pools for n in p.shares}
        pool_ions = {p.ion for p in self.pools}
        for ch in channels:
            if not isinstance(ch, Channel):
                raise TypeError(f"The 'channels' of {owner} must be Channel objects. "
                                f"Got {ch!r} instead.")
            if ch.name in seen:
                raise ValueError(f"{owner} has the mechanism '{ch.name}' twice "
                                 f"({seen[ch.name]!r} and {ch!r}); each mechanism may be "
                                 f"inserted once per compartment.")
            seen[ch.name] = ch
            if ch.ion == "ca" and "ca" not in pool_ions:
                raise ValueError(f"Channel {type(ch).__name__} carries calcium but {owner} has no "
                                 f"calcium pool: add pools=[CalciumPool()] to {owner}.")
            for req in ch.requires:
                if req not in provided and not req.startswith("I_"):
                    raise ValueError(f"Channel {type(ch).__name__} in {owner} requires '{req}', "
                                     f"which nothing in {owner} provides (provided: "
                                     f"{sorted(provided)}); a pool that shares it is missing.")
            _check_parses(ch, owner)
        self.channels = tuple(channels)

    @property
    def mechanisms(self):
        """Channels then pools."""
        return self.channels + self.pools

    def _check_segment_values(self, values, owner):
        if not isinstance(values, dict):
            raise TypeError(f"The 'segment_values' parameter of {owner} must be a dict "
                            f"{{'<parameter>_<mechanism>': (values, source)}}. Got {values!r} "
                            f"instead.")
        known = {}
        for mech in self.mechanisms:
            for p in mech.parameters.values():
                key = f"{p.name}_{mech.name}"
                if key in known:
                    raise ValueError(f"{owner}: '{key}' names both {known[key][0]!r} and "
                                     f"{mech!r}; per-segment values cannot tell them apart.")
                known[key] = (mech, p)
        out = {}
        for key, entry in values.items():
            if key not in known:
                raise ValueError(f"The 'segment_values' of {owner} name '{key}', which is not a "
                                 f"parameter of its mechanisms; known: {sorted(known)}.")
            if not isinstance(entry, (tuple, list)) or len(entry) != 2 \
                    or not isinstance(entry[1], str) or not entry[1]:
                raise ValueError(f"The 'segment_values' entry '{key}' of {owner} must be a pair "
                                 f"(values, source) with a non-empty source string. Got "
                                 f"{entry!r:.200} instead.")
            mech, param = known[key]
            values = entry[0]
            if np.shape(values) != (self.nseg,):
                raise ValueError(f"The 'segment_values' entry '{key}' of {owner} must hold one "
                                 f"value per segment ({self.nseg}). Got shape "
                                 f"{np.shape(values)} instead.")
            checked = [float(np.asarray(param.with_value(values[i], f"{owner} ({key}, segment "
                                                                  f"{i})").value))
                       for i in range(self.nseg)]
            out[key] = (Quantity(np.array(checked), dim=param.value.dim), entry[1])
        return MappingProxyType(out)

    @property
    def geometry(self):
        """``'cylinder'`` (length, diameter), ``'points'`` (3-D points) or ``'area'``."""
        if self._points is not None:
            return "points"
        return "area" if self.area is not None else "cylinder"

    @property
    def is_cylinder(self):
        """True for length/diameter compartments."""
        return self.geometry == "cylinder"

    @property
    def is_cable(self):
        """True for compartments with axial geometry (cylinders and 3-D points), False for
        explicit-area ones."""
        return self.geometry != "area"

    @property
    def points(self):
        """The 3-D points (x, y, z, diameter; metre, shape (n, 4)) or None."""
        if self._points is None:
            return None
        return Quantity(self._points.astype(np.float64) * 1e-6, dim=meter.dim)

    @property
    def segment_names(self):
        """Names of its isopotential segments, proximal first."""
        return tuple(s.name for s in self._segments)

    @property
    def segments(self):
        """Its `Segment` objects, proximal first."""
        return self._segments

    @property
    def membrane_area(self):
        """Total membrane area (m²)."""
        if self.geometry == "area":
            return self.area
        if self.geometry == "points":
            return sum(s.area for s in self._segments)
        return np.pi * self.diameter * self.length

    def parameter_value(self, mechanism, parameter, index):
        """Value and source of ``parameter`` (a `Parameter` of ``mechanism``) in segment
        ``index``: its per-segment value if ``segment_values`` gives one, else its value."""
        given = self.segment_values.get(f"{parameter.name}_{mechanism.name}")
        if given is None:
            return parameter.value, parameter.source
        return given[0][index], given[1]

    def _segment_name(self, i):
        return self.name if self.nseg == 1 else f"{self.name}_{i}"

    def _make_segments(self):
        if self.geometry == "area":
            yield Segment(self, 0, self.name, None, None, self.area)
            return
        if self.geometry == "points":
            arc, areas, axial, diameters = frusta(self._points, self.nseg)
            self.length = Quantity(arc[-1] * 1e-6, dim=meter.dim)
            length = Quantity(arc[-1] * 1e-6 / self.nseg, dim=meter.dim)
            diameters = Quantity(diameters * 1e-6, dim=meter.dim)
            areas = Quantity(areas * 1e-12, dim=meter.dim ** 2)
            axial = Quantity(axial * 1e6, dim=meter.dim ** -1)
            for i in range(self.nseg):
                yield Segment(self, i, self._segment_name(i), length, diameters[i], areas[i],
                              (axial[i, 0], axial[i, 1]))
            return
        seg_len = self.length / self.nseg
        half = (seg_len / 2) / (np.pi * (self.diameter / 2) ** 2)
        for i in range(self.nseg):
            yield Segment(self, i, self._segment_name(i), seg_len, self.diameter,
                          np.pi * self.diameter * seg_len, (half, half))

    def _geometry_arguments(self):
        return {"cylinder": lambda: dict(length=self.length, diameter=self.diameter),
                "points": lambda: dict(points=self.points),
                "area": lambda: dict(area=self.area)}[self.geometry]()

    def with_channels(self, extra):
        """A copy with the mechanisms ``extra`` added to its channels (checked as in the constructor)."""
        return Compartment(self.name, **self._geometry_arguments(), cm=self.cm,
                           channels=self.channels + tuple(extra), pools=self.pools,
                           nseg=self.nseg, Ra=self.Ra, spine_factor=self.spine_factor,
                           segment_values=dict(self.segment_values))

    def channel(self, name):
        """Return the mechanism called ``name`` (e.g. ``'hhna'``)."""
        for ch in self.channels:
            if ch.name == name:
                return ch
        raise KeyError(f"Compartment '{self.name}' has no mechanism '{name}'; it has "
                       f"{[c.name for c in self.channels]}.")

    def to_dict(self):
        """Plain-data description (see `compartments.serialization`); arrays (``points``,
        ``segment_values``) are read back with `array_arguments`."""

        def mech(c):
            return {"type": type(c).__name__,
                    "parameters": {k: quantity_to_data(v) for k, v in c.overrides.items()}}

        d = {"name": self.name, "cm": quantity_to_data(self.cm), "nseg": self.nseg,
             "channels": [mech(c) for c in self.channels], "pools": [mech(p) for p in self.pools],
             "spine_factor": self.spine_factor}
        for key, value in self._geometry_arguments().items():
            d[key] = _array_to_data(value) if key == "points" else quantity_to_data(value)
        if self.Ra is not None:
            d["Ra"] = quantity_to_data(self.Ra)
        if self.segment_values:
            d["segment_values"] = {key: {**_array_to_data(values), "source": source}
                                   for key, (values, source) in self.segment_values.items()}
        return d

    def __repr__(self):
        geo = {"cylinder": lambda: f"length={self.length!r}, diameter={self.diameter!r}",
               "points": lambda: f"points=<{len(self._points)} points, L={self.length!r}>",
               "area": lambda: f"area={self.area!r}"}[self.geometry]()
        if self.nseg > 1:
            geo += f", nseg={self.nseg}"
        chans = ", ".join(repr(c) for c in self.channels)
        return f"{type(self).__name__}({self.name!r}, {geo}, channels=[{chans}])"
