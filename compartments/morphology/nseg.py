"""NEURON's d_lambda rule: how many segments a section needs.

``fixnseg.hoc`` (NEURON documentation, "Using the d_lambda rule"; Hines &
Carnevale 2001, The Neuroscientist 7:123): a section's electrotonic length at
frequency ``f`` is the sum over its 3-D points of
``dx / sqrt(d1 + d2)`` times ``sqrt(2) * sqrt(4 pi f Ra cm)``; ``nseg`` is the
odd number ``int((L / (d_lambda * lambda_f) + 0.9) / 2) * 2 + 1``, so that no
segment is longer than ``d_lambda`` times the AC length constant
``lambda_f``. Computed here in NEURON's units and order of operations, so the
same points, Ra and cm give NEURON's nseg.
"""

import math

import numpy as np
from brian2 import Hz, cm, ohm, uF

from ..compartment import arc_lengths

__all__ = ["d_lambda_nseg", "lambda_f"]


def lambda_f(points, Ra, cm_, frequency=100 * Hz):
    """AC length constant (um) of a section given by 3-D points (n, 4; um), as NEURON's
    ``lambda_f`` (stdlib.hoc): its length divided by its electrotonic length."""
    pts = np.asarray(points, dtype=np.float32)
    arc = arc_lengths(pts)
    diam = np.abs(pts[:, 3].astype(np.float64))
    steps = np.diff(arc) / np.sqrt(diam[:-1] + diam[1:])
    lam = np.cumsum(steps)[-1]  # summed in order, as NEURON's loop
    ra, c, f = float(Ra / (ohm * cm)), float(cm_ / (uF / cm**2)), float(frequency / Hz)
    lam *= math.sqrt(2) * 1e-5 * math.sqrt(4 * math.pi * f * ra * c)
    return arc[-1] / lam


def d_lambda_nseg(points, Ra, cm_, d_lambda=0.1, frequency=100 * Hz):
    """NEURON's odd nseg for a section by the d_lambda rule (fixnseg.hoc's ``geom_nseg``).

    Parameters
    ----------
    points : array (n, 4)
        x, y, z, diameter of the section's 3-D points (um).
    Ra : `Quantity`
        Axial resistivity.
    cm_ : `Quantity`
        Specific membrane capacitance (as NEURON's ``cm``: spines included).
    d_lambda : float
        Longest segment as a fraction of the AC length constant (default 0.1).
    frequency : `Quantity`
        Frequency of the AC length constant (default 100 Hz).
    """
    length = arc_lengths(np.asarray(points, dtype=np.float32))[-1]
    return int((length / (d_lambda * lambda_f(points, Ra, cm_, frequency)) + 0.9) / 2) * 2 + 1
