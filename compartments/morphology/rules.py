"""Parameter values that vary with path distance from the soma.

A `DistanceRule` gives one mechanism parameter in one region a value per
segment, computed from the path distance of the segment's centre — NEURON's
``distance(soma(0.5), seg)``, or measured from the region's proximal end, and
optionally divided by the longest such distance in the region (as Hay et al.
2011 normalise their apical gradients). The value is any function of the
distance; the four forms of Hay et al.'s ``calculate_distribution``
(L5PCtemplate.hoc, ModelDB 139653) are declared here as `linear`,
`sigmoid`, `exponential` and `step`.

Example: Hay et al. 2011's apical Ih, ``gIhbar = 0.0002 * (-0.8696 + 2.087 *
exp(3.6161 * x))`` S/cm² with x the distance from the apical trunk's origin
divided by the longest apical path (L5PCbiophys3.hoc)::

    DistanceRule("gbar_hcn", "apical",
                 exponential(-0.8696 * 2e-4 * siemens / cm**2, 2.087 * 2e-4 * siemens / cm**2,
                             rate=3.6161),
                 origin="region", normalize=True, source="Hay et al. 2011 L5PCbiophys3.hoc")
"""

import numpy as np
from brian2 import Quantity, meter

__all__ = ["DistanceRule", "linear", "exponential", "sigmoid", "step"]


class _Form:
    """A named function of distance with its parameters (for repr and sources)."""

    def __init__(self, name, function, **parameters):
        self.name = name
        self._function = function
        self.parameters = parameters

    def __call__(self, x):
        return self._function(x, **self.parameters)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{self.name}({args})"


def linear(at_origin, slope):
    """``at_origin + slope * x`` (Hay et al.'s form 0)."""
    return _Form("linear", lambda x, at_origin, slope: at_origin + slope * x,
                 at_origin=at_origin, slope=slope)


def exponential(offset, amplitude, rate, x0=None):
    """``offset + amplitude * exp(rate * (x - x0))`` (Hay et al.'s form 2); ``rate`` in
    1/metre for distances, a number for normalised ones."""
    def _exponential(x, offset, amplitude, rate, x0):
        return offset + amplitude * np.exp(rate * (x if x0 is None else x - x0))

    return _Form("exponential", _exponential, offset=offset, amplitude=amplitude, rate=rate,
                 x0=x0)


def sigmoid(offset, amplitude, midpoint, width):
    """``offset + amplitude / (1 + exp((x - midpoint) / width))`` (Hay et al.'s form 1)."""
    def _sigmoid(x, offset, amplitude, midpoint, width):
        return offset + amplitude / (1 + np.exp((x - midpoint) / width))

    return _Form("sigmoid", _sigmoid, offset=offset, amplitude=amplitude, midpoint=midpoint,
                 width=width)


def step(inside, outside, start, stop):
    """``inside`` for ``start < x < stop``, else ``outside`` (Hay et al.'s form 3, e.g. the
    calcium hot zone 685-885 um)."""
    def _step(x, inside, outside, start, stop):
        within = np.asarray((x > start) & (x < stop))
        return np.where(within, 1.0, 0.0) * inside + np.where(within, 0.0, 1.0) * outside

    return _Form("step", _step, inside=inside, outside=outside, start=start, stop=stop)


class DistanceRule:
    """One parameter's value per segment of a region, from path distance.

    Parameters
    ----------
    parameter : str
        ``<parameter>_<mechanism>``, as in the ``parameter`` column of
        `CellTemplate.parameters` (e.g. ``"gbar_hcn"``); the mechanism must be
        painted on every section of the region.
    region : str
        Region label (``"apical"``, ``"basal"``, ...) or ``"all"``.
    value : callable
        Maps the distances of the region's segment centres (a `Quantity`
        array in metre, or a plain array when ``normalize``) to the values (a
        `Quantity` array in the parameter's unit). A function or one of
        `linear`, `exponential`, `sigmoid`, `step`.
    source : str
        Where the rule comes from (paper and figure, or model file).
    origin : {"soma", "region"}
        Measure from the centre of the root (NEURON's ``distance(soma(0.5),
        seg)``; default) or from the region's proximal end (the 0 end of its
        first section, as Hay et al.'s ``distribute_channels`` measures from
        ``apic[0](0)``).
    normalize : bool
        Divide the distances by the region's longest one (the farthest distal
        end of its sections from the origin), as Hay et al. do; default False.
    """

    def __init__(self, parameter, region, value, source, origin="soma", normalize=False):
        owner = f"DistanceRule '{parameter}'"
        if not isinstance(parameter, str) or not parameter:
            raise TypeError(f"The 'parameter' of DistanceRule must be a name such as "
                            f"'gbar_hcn'. Got {parameter!r} instead.")
        if not isinstance(region, str):
            raise TypeError(f"The 'region' of {owner} must be a region label such as 'apical'. "
                            f"Got {region!r} instead.")
        if not callable(value):
            raise TypeError(f"The 'value' of {owner} must be a function of distance. Got "
                            f"{value!r} instead.")
        if not isinstance(source, str) or not source:
            raise ValueError(f"The 'source' of {owner} must say where the rule comes from. "
                             f"Got {source!r} instead.")
        if origin not in ("soma", "region"):
            raise ValueError(f"The 'origin' of {owner} must be 'soma' or 'region'. Got "
                             f"{origin!r} instead.")
        self.parameter = parameter
        self.region = region
        self.value = value
        self.source = source
        self.origin = origin
        self.normalize = bool(normalize)

    def evaluate(self, distances, longest):
        """Values at the given distances (metre, from the origin); ``longest`` is the region's
        longest distance from the origin (metre)."""
        x = np.asarray(distances / meter, dtype=float) / float(longest / meter) \
            if self.normalize else distances
        values = self.value(x)
        if np.ndim(values) == 0:
            values = Quantity(np.full(len(distances), float(np.asarray(values))),
                              dim=Quantity(values).dim)
        return values

    def describe(self):
        """The rule as text, for the source column of the parameter table."""
        measure = {"soma": "path distance from the soma centre",
                   "region": f"path distance from the start of the {self.region} region"}[
            self.origin]
        if self.normalize:
            measure += f" / longest in {self.region}"
        return f"{self.source}; {self.value!r} of the {measure}"

    def __repr__(self):
        return (f"{type(self).__name__}({self.parameter!r}, {self.region!r}, {self.value!r}, "
                f"origin={self.origin!r}, normalize={self.normalize})")
