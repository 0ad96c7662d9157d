"""Compartment: a piece of membrane with geometry, capacitance and channels.

A compartment is either a cylinder (``length`` and ``diameter``, optionally
split into ``nseg`` segments as in NEURON) or a reduced, Dendrify-style
compartment with an explicit membrane ``area``, coupled to its neighbours by
explicit conductances. The list of channels is what is "painted" on its
membrane; a mechanism may appear only once.
"""

import numpy as np
from brian2 import Quantity, cm, meter, ohm, uF

from .channels.base import Channel
from .mechanism import ENGINE_PROVIDED
from .pools import Pool
from .validation import check_name, check_positive, check_quantity


def _check_parses(mechanism, owner):
    try:
        mechanism.equations()
        mechanism.check_units()
    except Exception as ex:
        raise ValueError(f"The equations of {mechanism.kind} {mechanism!r} in {owner} do not "
                         f"parse or have inconsistent units: {ex}") from ex

__all__ = ["Compartment", "Segment"]


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
        Cylinder geometry (None for explicit-area compartments).
    area : `Quantity`
        Membrane area (m²).
    """

    def __init__(self, compartment, index, name, length, diameter, area):
        self.compartment = compartment
        self.index = index
        self.name = name
        self.length = length
        self.diameter = diameter
        self.area = area

    def half_resistance(self, Ra):
        """Axial resistance (ohm) from the centre to either end of the cylinder."""
        return Ra * (self.length / 2) / (np.pi * (self.diameter / 2) ** 2)

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
    cm : `Quantity`
        Specific membrane capacitance (farad/meter**2), default ``1*uF/cm**2``.
    channels : sequence of `Channel`
        Mechanisms in its membrane; each mechanism at most once.
    nseg : int
        Number of isopotential segments (cylinders only). With ``nseg=n > 1`` the
        compartment becomes the chain ``<name>_0 ... <name>_{n-1}``, ``_0``
        proximal; each segment carries its own ``v`` and ``I_ext`` and the same
        channel densities.
    pools : sequence of `Pool`
        Ion pools (e.g. ``CalciumPool()``); at most one per ion. A calcium
        channel needs a calcium pool in its compartment.
    Ra : `Quantity`, optional
        Axial resistivity (ohm*meter) overriding the template's.
    spine_factor : float
        Multiplies the membrane capacitance and the passive (leak) conductance
        to account for spines, as Hay et al. 2011 do for spiny dendrites
        (default 1).

    Examples
    --------
    >>> from brian2 import um
    >>> Compartment("apical", length=400*um, diameter=3*um, nseg=4).segment_names
    ('apical_0', 'apical_1', 'apical_2', 'apical_3')
    """

    def __init__(self, name, length=None, diameter=None, *, area=None, cm=1 * uF / cm**2,
                 channels=(), pools=(), nseg=1, Ra=None, spine_factor=1.0):
        self.name = check_name(name, "compartment")
        owner = f"Compartment '{name}'"
        self.cm = check_positive(check_quantity(cm, uF / meter**2, "cm", owner,
                                                "a capacitance density"), "cm", owner)
        if area is None:
            if length is None or diameter is None:
                raise TypeError(
                    f"{owner} needs either 'length' and 'diameter' (a cylinder) or "
                    f"'area' (a reduced compartment). Got length={length!r}, "
                    f"diameter={diameter!r}, area=None."
                )
            self.length = check_positive(check_quantity(length, meter, "length", owner, "a length"),
                                         "length", owner)
            self.diameter = check_positive(check_quantity(diameter, meter, "diameter", owner,
                                                          "a length"), "diameter", owner)
            self.area = None
        else:
            if length is not None or diameter is not None:
                raise TypeError(f"{owner}: give either 'area' or 'length' and 'diameter', not both.")
            self.area = check_positive(check_quantity(area, meter**2, "area", owner, "an area"),
                                       "area", owner)
            self.length = self.diameter = None
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
        self._segments = tuple(self._make_segments())

    def _check_pools(self, pools, owner):
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

    @property
    def is_cylinder(self):
        """True for length/diameter compartments, False for explicit-area ones."""
        return self.area is None

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
        if self.area is not None:
            return self.area
        return np.pi * self.diameter * self.length

    def _make_segments(self):
        if not self.is_cylinder:
            yield Segment(self, 0, self.name, None, None, self.area)
            return
        seg_len = self.length / self.nseg
        for i in range(self.nseg):
            name = self.name if self.nseg == 1 else f"{self.name}_{i}"
            yield Segment(self, i, name, seg_len, self.diameter, np.pi * self.diameter * seg_len)

    def with_channels(self, extra):
        """A copy with the mechanisms ``extra`` added to its channels (checked as in the constructor)."""
        geo = (dict(length=self.length, diameter=self.diameter) if self.is_cylinder
               else dict(area=self.area))
        return Compartment(self.name, **geo, cm=self.cm, channels=self.channels + tuple(extra),
                           pools=self.pools, nseg=self.nseg, Ra=self.Ra,
                           spine_factor=self.spine_factor)

    def channel(self, name):
        """Return the mechanism called ``name`` (e.g. ``'hhna'``)."""
        for ch in self.channels:
            if ch.name == name:
                return ch
        raise KeyError(f"Compartment '{self.name}' has no mechanism '{name}'; it has "
                       f"{[c.name for c in self.channels]}.")

    def to_dict(self):
        """Plain-data description (see `compartments.serialization`)."""
        from .serialization import quantity_to_data

        def mech(c):
            return {"type": type(c).__name__,
                    "parameters": {k: quantity_to_data(v) for k, v in c.overrides.items()}}

        d = {"name": self.name, "cm": quantity_to_data(self.cm), "nseg": self.nseg,
             "channels": [mech(c) for c in self.channels], "pools": [mech(p) for p in self.pools],
             "spine_factor": self.spine_factor}
        if self.is_cylinder:
            d["length"] = quantity_to_data(self.length)
            d["diameter"] = quantity_to_data(self.diameter)
        else:
            d["area"] = quantity_to_data(self.area)
        if self.Ra is not None:
            d["Ra"] = quantity_to_data(self.Ra)
        return d

    def __repr__(self):
        if self.is_cylinder:
            geo = f"length={self.length!r}, diameter={self.diameter!r}"
            if self.nseg > 1:
                geo += f", nseg={self.nseg}"
        else:
            geo = f"area={self.area!r}"
        chans = ", ".join(repr(c) for c in self.channels)
        return f"{type(self).__name__}({self.name!r}, {geo}, channels=[{chans}])"

