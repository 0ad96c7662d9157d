"""Bad input: each error names the parameter, the value and what was expected."""

import pytest
from brian2 import DimensionMismatchError, cm, mV, ms, msiemens, nS, ohm, um, um2

from compartments import CellTemplate, Compartment, channels
from compartments.channels.base import Channel

pytestmark = pytest.mark.codegen_independent


def soma(**kw):
    return Compartment("soma", length=20 * um, diameter=20 * um, **kw)


def dend(name="dend", **kw):
    return Compartment(name, length=100 * um, diameter=1 * um, **kw)


@pytest.mark.parametrize("kwargs, match", [
    (dict(length=20, diameter=20 * um), r"'length' parameter of Compartment 'soma' must be a length"),
    (dict(length=20 * um, diameter=20 * mV), r"'diameter' parameter .* must be a length \(meter\)"),
    (dict(length=20 * um, diameter=20 * um, cm=1 * mV), r"'cm' parameter .* capacitance density"),
    (dict(area=10 * um), r"'area' parameter .* must be an area"),
])
def test_wrong_units(kwargs, match):
    with pytest.raises(DimensionMismatchError, match=match):
        Compartment("soma", **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(length=-20 * um, diameter=20 * um), r"'length' parameter .* must be positive.*-20"),
    (dict(length=20 * um, diameter=0 * um), r"'diameter' parameter .* must be positive"),
    (dict(area=0 * um2), r"'area' parameter .* must be positive"),
    (dict(length=20 * um, diameter=2 * um, nseg=0), r"'nseg' parameter .* positive integer. Got 0"),
    (dict(length=20 * um, diameter=2 * um, nseg=2.5), r"'nseg' .* Got 2.5"),
    (dict(area=100 * um2, nseg=3), r"'nseg' parameter .* must be 1 for a compartment with an explicit area"),
])
def test_bad_geometry(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Compartment("soma", **kwargs)


def test_missing_geometry():
    with pytest.raises(TypeError, match="needs either 'length' and 'diameter'"):
        Compartment("soma", length=10 * um)
    with pytest.raises(TypeError, match="either 'area' or 'length'"):
        Compartment("soma", length=10 * um, diameter=1 * um, area=10 * um2)


def test_channel_parameters():
    with pytest.raises(DimensionMismatchError, match=r"'g' parameter of channel Leak must be in "
                                                      r"units of siemens/meter\*\*2. Got 5. \* mvolt instead"):
        channels.Leak(g=5 * mV)
    with pytest.raises(DimensionMismatchError, match=r"'gbar' parameter of channel HHNa"):
        channels.HHNa(gbar=0.12)
    with pytest.raises(ValueError, match=r"'gbar' parameter of channel HHK must lie in"):
        channels.HHK(gbar=-1 * msiemens / cm**2)
    with pytest.raises(TypeError, match=r"Unknown parameter 'gnabar' of channel HHNa; known"):
        channels.HHNa(gnabar=0.12)


def test_same_mechanism_twice():
    with pytest.raises(ValueError, match=r"'soma' has the mechanism 'leak' twice"):
        soma(channels=[channels.Leak(), channels.Leak(E=-65 * mV)])


def test_not_a_channel():
    with pytest.raises(TypeError, match=r"'channels' of Compartment 'soma' must be Channel"):
        soma(channels=["hh"])


def test_equations_that_do_not_parse():
    class Broken(Channel):
        name = "broken"
        source = "test"

        def _equations(self):
            return "I = g*(E - v : amp/meter**2"

    with pytest.raises(ValueError, match=r"equations of channel Broken\(\) in Compartment 'soma' "
                                         r"do not parse"):
        soma(channels=[Broken()])


@pytest.mark.parametrize("name", ["1soma", "so ma", "_soma", "soma__x", "", None, "lambda"])
def test_bad_names(name):
    with pytest.raises(ValueError, match="letters and digits"):
        Compartment(name, length=1 * um, diameter=1 * um)


def test_unknown_compartment_in_connection():
    with pytest.raises(ValueError, match=r"Unknown compartment 'apical' in connection "
                                         r"\('soma', 'apical'\); known compartments"):
        CellTemplate("c", [soma(), dend()], [("soma", "apical")])


@pytest.mark.parametrize("at", [0.3, 2, "end", -1])
def test_invalid_at(at):
    with pytest.raises(ValueError, match=rf"'at' of connection .* must be 0, 0.5 or 1 .* Got {at!r}"):
        CellTemplate("c", [soma(), dend()], [("soma", "dend", at)])


def test_disconnected():
    with pytest.raises(ValueError, match=r"compartments without a parent: \['soma', 'b'\]"):
        CellTemplate("c", [soma(), dend("a"), dend("b")], [("soma", "a")])


def test_cycle():
    comps = [soma(), dend("a"), dend("b"), dend("c")]
    with pytest.raises(ValueError, match=r"cycle or is disconnected: \['a', 'b', 'c'\]"):
        CellTemplate("c", comps, [("c", "a"), ("a", "b"), ("b", "c")])
    with pytest.raises(ValueError, match=r"'a' is connected to two parents"):
        CellTemplate("c", comps[:3], [("soma", "a"), ("b", "a")])
    with pytest.raises(ValueError, match="joins a compartment to itself"):
        CellTemplate("c", comps[:2], [("a", "a")])


def test_duplicate_names():
    with pytest.raises(ValueError, match=r"two compartments or segments named 'soma'"):
        CellTemplate("c", [soma(), soma()])
    chain = Compartment("ap", length=10 * um, diameter=1 * um, nseg=2)
    with pytest.raises(ValueError, match=r"named 'ap_1'"):
        CellTemplate("c", [soma(), chain, dend("ap_1")], [("soma", "ap"), ("soma", "ap_1")])


def test_explicit_area_needs_conductance():
    red = Compartment("red", area=1000 * um2)
    with pytest.raises(ValueError, match=r"explicit area .* give the coupling conductance"):
        CellTemplate("c", [soma(), red], [("soma", "red")])
    with pytest.raises(DimensionMismatchError, match=r"'g' parameter of connection .* conductance"):
        CellTemplate("c", [soma(), red], [("soma", "red", 10 * ms)])
    CellTemplate("c", [soma(), red], [("soma", "red", 10 * nS)])  # accepted


def test_template_arguments():
    with pytest.raises(DimensionMismatchError, match=r"'Ra' parameter of CellTemplate 'c'"):
        CellTemplate("c", [soma()], Ra=150 * ohm)
    with pytest.raises(TypeError, match=r"'celsius' parameter .* degrees Celsius"):
        CellTemplate("c", [soma()], celsius=6.3 * mV)
    with pytest.raises(ValueError, match=r"'spike_compartment' .* Got 'axon'"):
        CellTemplate("c", [soma()], spike_compartment="axon")
    with pytest.raises(ValueError, match="at least one compartment"):
        CellTemplate("c", [])


def test_make_group_n():
    cell = CellTemplate("c", [soma(channels=[channels.Leak()])])
    with pytest.raises(ValueError, match=r"'n' parameter of make_group .* Got 0"):
        cell.make_group(0)


def test_temperature_needs_kelvin():
    from brian2 import kelvin

    with pytest.raises(DimensionMismatchError, match=r"'temperature' parameter of CellTemplate 'c' "
                                                      r"must be a temperature.*Got 307.15 instead"):
        CellTemplate("c", [soma()], temperature=307.15)
    with pytest.raises(TypeError, match="not both"):
        CellTemplate("c", [soma()], celsius=34, temperature=307.15 * kelvin)
    assert CellTemplate("c", [soma()], temperature=307.15 * kelvin).celsius == pytest.approx(34.0)


def test_calcium_channel_needs_pool_and_one_pool_per_ion():
    from brian2 import mM, volt

    from compartments import CalciumPool

    class FakeCa(Channel):
        """A calcium current for the test."""
        name = "fakeca"
        ion = "ca"
        source = "test"

        def _equations(self):
            return "I = 0*amp/meter**2 : amp/meter**2"

    with pytest.raises(ValueError, match=r"Channel FakeCa carries calcium but Compartment 'soma' "
                                         r"has no calcium pool"):
        soma(channels=[FakeCa()])
    with pytest.raises(ValueError, match=r"two pools for ion 'ca'"):
        soma(pools=[CalciumPool(), CalciumPool(decay=100 * ms)])

    class NeedsCa(Channel):
        """Reads calcium."""
        name = "needsca"
        source = "test"
        requires = {"v": volt, "ca_i": mM}

        def _equations(self):
            return "I = 0*amp/meter**2 : amp/meter**2"

    with pytest.raises(ValueError, match=r"requires 'ca_i', which nothing in Compartment 'soma' "
                                         r"provides"):
        soma(channels=[NeedsCa()])
    soma(channels=[FakeCa(), NeedsCa()], pools=[CalciumPool()])  # accepted


def test_pool_parameter_bounds():
    from compartments import CalciumPool

    with pytest.raises(ValueError, match=r"'gamma' parameter of pool CalciumPool must lie in"):
        CalciumPool(gamma=1.5)


def test_spine_factor():
    with pytest.raises(ValueError, match=r"'spine_factor' parameter of Compartment 'soma' must be a "
                                         r"number >= 1. Got 0.5"):
        soma(spine_factor=0.5)
