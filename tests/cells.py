"""Small templates used by several tests."""

import os

import brian2
from brian2 import cm, mm, mV, msiemens, ohm, uF, um

from compartments import CellTemplate, Compartment, channels


def passive(name="p", g=0.05 * msiemens / cm**2, E=-70 * mV):
    return channels.Leak(g=g, E=E)


def demo_cell():
    """The README's demo cell: HH soma and a 4-segment passive apical dendrite."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[passive(), channels.HHNa(), channels.HHK()])
    apical = Compartment("apical", length=400 * um, diameter=3 * um, nseg=4, channels=[passive()])
    return CellTemplate("demo", [soma, apical], connections=[("soma", "apical")],
                        Ra=150 * ohm * cm)


def hh_soma(name="hh"):
    """A single compartment with NEURON's hh mechanism."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    return CellTemplate(name, [soma])


RALLPACK_DATA = os.path.join(os.path.dirname(brian2.__file__), "tests", "rallpack_data")


def rallpack1(nseg=1000):
    """Rallpack 1 (Bhalla et al. 1992): a uniform passive cable, 1 mm x 1 um, Rm 40 000
    ohm*cm2, Ra 100 ohm*cm, cm 1 uF/cm2, E -65 mV, as ``nseg`` segments."""
    cable = Compartment("cable", length=1 * mm, diameter=1 * um, cm=1 * uF / cm**2, nseg=nseg,
                        channels=[channels.Leak(g=1 / (40000 * ohm * cm**2), E=-65 * mV)])
    return CellTemplate("rallpack1", [cable], Ra=100 * ohm * cm)


def rallpack2(depth=10, nseg=1):
    """Rallpack 2: a binary tree of ``depth`` levels of passive cylinders (1023 for 10),
    diameters divided by 2^(1/3) and lengths by 2^(2/3) per level from 32 x 16 um (the
    numbers of brian2's tests/test_spatialneuron.py, which match its reference data),
    each cylinder ``nseg`` segments."""
    leak = channels.Leak(g=1 / (40000 * ohm * cm**2), E=-65 * mV)
    diameter, length = 32 * um, 16 * um
    comps = [Compartment("b0", length=length, diameter=diameter, channels=[leak], nseg=nseg)]
    connections, level = [], ["b0"]
    for _ in range(1, depth):
        diameter, length = diameter / 2 ** (1 / 3), length / 2 ** (2 / 3)
        new_level = []
        for parent in level:
            for side in ("l", "r"):
                name = f"{parent}{side}"
                comps.append(Compartment(name, length=length, diameter=diameter,
                                         channels=[leak], nseg=nseg))
                connections.append((parent, name, 1))
                new_level.append(name)
        level = new_level
    return CellTemplate("rallpack2", comps, connections, Ra=100 * ohm * cm)


def branched_cell():
    """HH soma, a trunk of two segments, two children at the trunk's end (three segment ends
    meet: a junction)."""
    leak = passive()
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[leak, channels.HHNa(), channels.HHK()])
    trunk = Compartment("trunk", length=200 * um, diameter=2 * um, nseg=2, channels=[leak])
    left = Compartment("left", length=150 * um, diameter=1 * um, nseg=3, channels=[leak])
    right = Compartment("right", length=100 * um, diameter=1.5 * um, channels=[leak])
    return CellTemplate("branched", [soma, trunk, left, right],
                        connections=[("soma", "trunk"), ("trunk", "left"), ("trunk", "right")],
                        Ra=150 * ohm * cm)
