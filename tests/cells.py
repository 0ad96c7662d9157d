"""Small templates used by several tests."""

from brian2 import cm, mV, msiemens, ohm, uF, um

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
