"""Morphology input without simulation: 3-D point geometry, per-segment values, SWC reading
and its errors, regions, painting, nseg policies, distance rules, serialisation.

Geometry is checked against closed forms computed here (cylinder, truncated cone,
annulus); agreement with NEURON is tested in test_crosscheck_morphology.py.
"""

import json
import math

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Hz, cm, mV, msiemens, ohm, siemens, uF, um

from compartments import CellTemplate, Compartment, channels
from compartments.morphology import (DistanceRule, Morphology, SWCError, example_swc,
                                     exponential, linear, sigmoid, step)

import swc_cases

pytestmark = pytest.mark.codegen_independent
RA = 150 * ohm * cm


# -- Compartment(points=...) -------------------------------------------------------------
def test_points_cylinder_equals_cylinder():
    pts = Compartment("a", points=[[0, 0, 0, 2], [100, 0, 0, 2]] * um, nseg=4)
    cyl = Compartment("b", length=100 * um, diameter=2 * um, nseg=4)
    for p, c in zip(pts.segments, cyl.segments):
        assert float(p.area / c.area) == pytest.approx(1, rel=1e-12)
        for rp, rc in zip(p.half_resistances(RA), c.half_resistances(RA)):
            assert float(rp / rc) == pytest.approx(1, rel=1e-12)
    assert float(pts.length / um) == 100 and pts.geometry == "points" and pts.is_cable


def test_truncated_cone_area_and_resistance():
    L, d1, d2 = 90.0, 4.0, 1.0
    cone = Compartment("cone", points=[[0, 0, 0, d1], [0, L, 0, d2]] * um, nseg=3)
    slant = math.hypot(L, (d1 - d2) / 2)
    area = math.pi * (d1 + d2) / 2 * slant                 # lateral area of the frustum
    resistance = 4 * float(RA / (ohm * um)) * L / (math.pi * d1 * d2)  # integral of Ra dx / A
    assert float(cone.membrane_area / um**2) == pytest.approx(area, rel=1e-12)
    halves = [float(r / ohm) for s in cone.segments for r in s.half_resistances(RA)]
    assert sum(halves) == pytest.approx(resistance, rel=1e-12)
    assert all(a < b for a, b in zip(halves, halves[1:]))  # thinner distally: growing halves
    areas = [float(s.area) for s in cone.segments]
    assert areas[0] > areas[1] > areas[2]


def test_diameter_jump_adds_annulus():
    c = Compartment("j", points=[[0, 0, 0, 2], [10, 0, 0, 2], [10, 0, 0, 4], [20, 0, 0, 4]] * um)
    # two cylinders plus the annulus between radii 1 and 2 um
    assert float(c.membrane_area / um**2) == pytest.approx(math.pi * (20 + 40 + 3), rel=1e-12)


def test_points_are_single_precision():
    c = Compartment("f", points=[[0.1, 0, 0, 1.1], [30.3, 0, 0, 1.1]] * um)
    assert np.array_equal(c.points / um, np.float32([[0.1, 0, 0, 1.1], [30.3, 0, 0, 1.1]]))


@pytest.mark.parametrize("points, error, message", [
    ([[0, 0, 0, 1]] * um, ValueError, "shape"),
    ([[0, 0, 0, 1, 2], [1, 0, 0, 1, 2]] * um, ValueError, "shape"),
    ([[0, 0, 0, 1], [10, 0, 0, 0]] * um, ValueError, "positive diameters"),
    ([[0, 0, 0, 1], [0, 0, 0, 2]] * um, ValueError, "positive length"),
    ([[0, 0, 0, 1], [np.nan, 0, 0, 1]] * um, ValueError, "finite"),
    ([[0, 0, 0, 1], [10, 0, 0, 1]], DimensionMismatchError, "points"),
])
def test_bad_points(points, error, message):
    with pytest.raises(error, match=message):
        Compartment("bad", points=points)


def test_points_exclude_other_geometry():
    with pytest.raises(TypeError, match="'points'"):
        Compartment("bad", length=10 * um, points=[[0, 0, 0, 1], [10, 0, 0, 1]] * um)


def test_tapered_chain_coupling_and_distances():
    trunk = Compartment("trunk", points=[[0, 0, 0, 3], [0, 120, 0, 1]] * um, nseg=3)
    soma = Compartment("soma", length=10 * um, diameter=10 * um)
    cell = CellTemplate("t", [soma, trunk], [("soma", "trunk", 1)], Ra=RA)
    s0, s1 = trunk.segments[:2]
    expected = 1 / (s0.half_resistances(RA)[1] + s1.half_resistances(RA)[0])
    assert float(cell.axial_conductance("trunk_0", "trunk_1") / expected) == pytest.approx(1, 1e-12)
    d = cell.path_distances()
    assert [float(d[f"trunk_{i}"] / um) for i in range(3)] == pytest.approx([25, 65, 105])


# -- per-segment values -------------------------------------------------------------------
def gradient(n=3):
    return (np.arange(1, n + 1) * 0.1 * msiemens / cm**2, "a gradient assumed here")


def test_segment_values_in_parameter_table():
    dend = Compartment("dend", points=[[0, 0, 0, 2], [90, 0, 0, 1]] * um, nseg=3,
                       channels=[channels.Leak()], segment_values={"g_leak": gradient()})
    cell = CellTemplate("sv", [Compartment("soma", length=10 * um, diameter=10 * um), dend],
                        [("soma", "dend")])
    table = cell.parameters.set_index("variable")
    assert list(table.loc[[f"g_leak_dend_{i}" for i in range(3)], "value"]) == \
        pytest.approx([1, 2, 3])  # S/m2
    assert table.loc["g_leak_dend_1", "source"] == "a gradient assumed here"
    assert "frusta" in table.loc["area_dend_0", "source"]
    assert table.loc["E_leak_dend_1", "source"] == channels.Leak().parameters["E"].source


@pytest.mark.parametrize("values, message", [
    ({"g_leak": gradient(2)}, "one value per segment"),
    ({"gbar_hhna": gradient()}, "not a parameter"),
    ({"g_leak": ([1, 2, 3] * mV, "x")}, "units"),
    ({"g_leak": (gradient()[0], "")}, "source"),
    ({"g_leak": (-gradient()[0], "x")}, "must lie in"),
])
def test_bad_segment_values(values, message):
    with pytest.raises((ValueError, DimensionMismatchError), match=message):
        Compartment("dend", length=90 * um, diameter=1 * um, nseg=3, channels=[channels.Leak()],
                    segment_values=values)


# -- SWC reading and its errors -----------------------------------------------------------
GOOD = ["1 1 0 0 0 5 -1", "2 3 0 10 0 1 1", "3 3 0 30 0 1 2"]


@pytest.mark.parametrize("lines, where, message", [
    (GOOD + ["4 3 0 40 0 1"], "line 4", "expected 7 fields"),
    (GOOD + ["4 3 0 x 0 1 3"], "line 4", "not a number"),
    (GOOD + ["4 3 0 nan 0 1 3"], "line 4", "not finite"),
    (GOOD + ["4.5 3 0 40 0 1 3"], "line 4", "id must be an integer"),
    (GOOD + ["3 3 0 40 0 1 2"], "lines 3 and 4", "duplicate id 3"),
    (GOOD + ["4 3 0 40 0 1 9"], "line 4", "parent 9 of point 4 does not exist"),
    (GOOD + ["4 3 0 40 0 1 -3"], "line 4", "does not exist"),
    (GOOD + ["4 3 0 40 0 1 5", "5 3 0 50 0 1 4"], "lines 4, 5", "cycle"),
    (GOOD + ["4 3 0 40 0 1 -1"], "lines 1, 4", "more than one root"),
    (GOOD + ["4 3 0 40 0 1 5", "5 3 0 50 0 1 3"], "line 4", "larger id"),
    (GOOD + ["4 3 0 40 0 0 3"], "line 4", "radius must be positive"),
    (GOOD + ["4 3 0 40 0 -1 3"], "line 4", "radius must be positive"),
    (GOOD + ["4 0 0 40 0 1 3"], "line 4", "type 0 is not a known SWC type"),
    (GOOD + ["4 -2 0 40 0 1 3"], "line 4", "type -2"),
    (GOOD + ["-4 3 0 40 0 1 3"], "line 4", "non-negative"),
    (["# only a comment"], "bad.swc", "no points"),
])
def test_swc_errors_name_file_and_line(tmp_path, lines, where, message):
    path = tmp_path / "bad.swc"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SWCError, match=message) as info:
        Morphology.from_swc(path)
    assert str(path) in str(info.value) and where in str(info.value)


def test_unknown_type_read_with_a_label(tmp_path):
    path = tmp_path / "t0.swc"
    path.write_text("\n".join(GOOD + ["4 0 0 40 0 1 3", "5 0 0 60 0 1 4"]) + "\n")
    morph = Morphology.from_swc(path, labels={0: "undefined"})
    assert morph.labels == ("soma", "basal", "undefined")
    with pytest.raises(ValueError, match="no underscore"):
        Morphology.from_swc(path, labels={0: "un_defined"})


def test_comments_blank_lines_and_order(tmp_path):
    path = tmp_path / "shuffled.swc"
    path.write_text("# c\n\n3 3 0 30 0 1 2  # tip\n1 1 0 0 0 5 -1\n2 3 0 10 0 1 1\n")
    morph = Morphology.from_swc(path)
    assert [s.name for s in morph.sections] == ["soma", "basal"]
    assert morph.section("basal").line == 5


# -- Morphology: regions, sections, nseg ---------------------------------------------------
@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    d = tmp_path_factory.mktemp("swc")
    return {name: Morphology.from_swc(swc_cases.write(d, name)) for name in swc_cases.CASES}


def test_regions_and_names(cases):
    m = cases["single_point_soma"]
    assert m.labels == ("soma", "basal", "axon", "apical")
    assert m.region("basal") == ("basal_0", "basal_1") and m.region("axon") == ("axon",)
    assert m.root.name == "soma" and m.root.parent is None
    assert m.section("apical_1").parent == "apical_0" and m.section("apical_1").parent_x == 0
    assert m.section("apical_1").neuron_name == "apic[1]"
    assert len(m.region("all")) == len(m.sections) == 9
    with pytest.raises(KeyError, match="regions"):
        m.region("oblique")
    table = m.table()
    assert list(table.columns[:3]) == ["section", "region", "neuron_name"]
    assert table.length_um.iloc[0] == pytest.approx(16)  # the sphere: L = diameter


def test_custom_type_labels(cases, tmp_path):
    assert "type7" in cases["three_point_soma"].labels
    m = Morphology.from_swc(swc_cases.write(tmp_path, "three_point_soma"), labels={7: "tuft"})
    assert m.region("tuft") == ("tuft",)


def test_nseg_policies(cases):
    m = cases["stacked_soma"]
    assert set(m.nseg(3).values()) == {3}
    assert m.nseg(lambda s: 1 + 2 * (s.label == "apical"))["apical"] == 3
    dl = m.nseg()
    assert all(n % 2 == 1 for n in dl.values())
    finer = m.nseg(d_lambda=0.01, frequency=1000 * Hz)
    assert all(finer[k] >= dl[k] for k in dl) and sum(finer.values()) > sum(dl.values())
    with pytest.raises(ValueError, match="nseg"):
        m.nseg("lambda")


# -- to_template: painting, per-region values -----------------------------------------------
def test_paint_and_region_values(cases):
    m = cases["single_point_soma"]
    cell = m.to_template(
        "spt", paint={"all": [channels.Leak()], "soma": [channels.HHNa(), channels.HHK()]},
        cm={"all": 1 * uF / cm**2, "apical": 2 * uF / cm**2}, Ra={"all": RA, "axon": 100 * ohm * cm},
        spine_factor={"all": 1.0, "basal": 1.5}, nseg=1, celsius=20)
    comps = {c.name: c for c in cell.compartments}
    assert [c.name for c in comps["soma"].channels] == ["leak", "hhna", "hhk"]
    assert [c.name for c in comps["basal_0"].channels] == ["leak"]
    assert comps["apical_2"].cm == 2 * uF / cm**2 and comps["basal_1"].cm == 1 * uF / cm**2
    assert comps["axon"].Ra == 100 * ohm * cm and comps["soma"].Ra is None and cell.Ra == RA
    assert comps["basal_0"].spine_factor == 1.5 and cell.celsius == 20
    assert ("apical_0", "apical_1", 0) in cell.connections
    assert ("soma", "basal_0", 0.5) in cell.connections


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(paint={"oblique": [channels.Leak()]}), ValueError, "unknown regions"),
    (dict(paint={"all": [channels.Leak()], "soma": [channels.Leak()]}), ValueError,
     "painted on region 'soma' twice"),
    (dict(paint={"soma": ["leak"]}), TypeError, "Channel or Pool"),
    (dict(cm={"soma": 1 * uF / cm**2}), ValueError, "no value for region"),
    (dict(Ra=150 * ohm), DimensionMismatchError, "resistivity"),
    (dict(rules=["gbar"]), TypeError, "DistanceRule"),
])
def test_bad_template_arguments(cases, kwargs, error, message):
    with pytest.raises(error, match=message):
        cases["single_point_soma"].to_template("bad", **kwargs)


# -- distance rules -------------------------------------------------------------------------
def test_rule_values_follow_path_distance(cases):
    m = cases["single_point_soma"]
    rule = DistanceRule("g_leak", "apical", linear(0.1 * msiemens / cm**2, 0.01 * msiemens
                                                   / cm**2 / um), source="a rule assumed here")
    cell = m.to_template("r", paint={"all": [channels.Leak()]}, nseg=3, rules=[rule])
    d = cell.path_distances()
    table = cell.parameters.set_index("variable")
    for name in m.region("apical"):
        for i in range(3):
            seg = f"{name}_{i}"
            expected = float((0.1 * msiemens / cm**2 + 0.01 * msiemens / cm**2 / um * d[seg])
                             / (siemens / cm**2 / 1e4))
            assert table.loc[f"g_leak_{seg}", "value"] == pytest.approx(expected, rel=1e-12)
            assert table.loc[f"g_leak_{seg}", "source"].startswith("a rule assumed here; linear(")
    default = channels.Leak().value("g")
    assert table.loc["g_leak_basal_0_1", "value"] == pytest.approx(float(default))


def test_rule_origin_region_and_normalize(cases):
    m = cases["single_point_soma"]
    rule = DistanceRule("g_leak", "apical", lambda x: x * msiemens / cm**2, source="x",
                        origin="region", normalize=True)
    cell = m.to_template("n", paint={"all": [channels.Leak()]}, nseg=5, rules=[rule])
    d = cell.path_distances()
    start = d["apical_0_0"] - m.section("apical_0").length / 10 * um   # apic[0](0)
    ends = [d[f"{n}_4"] + m.section(n).length / 10 * um for n in m.region("apical")]
    longest = max(ends) - start
    g = cell.parameters.set_index("variable").value
    assert g["g_leak_apical_4_4"] == pytest.approx(float((d["apical_4_4"] - start) / longest) * 10)
    assert max(g[f"g_leak_{n}_{i}"] for n in m.region("apical") for i in range(5)) < 10


@pytest.mark.parametrize("rule, message", [
    (DistanceRule("gbar_hcn", "apical", lambda d: 0 * siemens / cm**2, source="x"),
     "no parameter 'gbar_hcn'"),
    (DistanceRule("g_leak", "basal", lambda d: 0 * siemens / cm**2, source="x", origin="region"),
     "one subtree"),
])
def test_bad_rules(cases, rule, message):
    with pytest.raises(ValueError, match=message):
        cases["single_point_soma"].to_template("b", paint={"all": [channels.Leak()]}, rules=[rule])


def test_overlapping_rules(cases):
    r = DistanceRule("g_leak", "all", lambda d: 0 * siemens / cm**2, source="x")
    with pytest.raises(ValueError, match="Two rules"):
        cases["single_point_soma"].to_template("b", paint={"all": [channels.Leak()]},
                                               rules=[r, DistanceRule("g_leak", "soma", r.value,
                                                                      source="y")])


@pytest.mark.parametrize("args, message", [
    (("", "apical", abs, "s"), "parameter"), (("g", 3, abs, "s"), "region"),
    (("g", "apical", 3, "s"), "function"), (("g", "apical", abs, ""), "source"),
])
def test_distance_rule_arguments(args, message):
    with pytest.raises((TypeError, ValueError), match=message):
        DistanceRule(*args)
    with pytest.raises(ValueError, match="origin"):
        DistanceRule("g", "apical", abs, "s", origin="tip")


def test_distribution_forms():
    x = np.array([0.0, 0.5, 1.0, 2.0])
    assert linear(1.0, 2.0)(x) == pytest.approx(1 + 2 * x)
    assert exponential(-1.0, 2.0, 3.0, x0=0.5)(x) == pytest.approx(-1 + 2 * np.exp(3 * (x - 0.5)))
    assert sigmoid(1.0, 2.0, 1.0, 0.5)(x) == pytest.approx(1 + 2 / (1 + np.exp((x - 1) / 0.5)))
    assert list(step(5.0, 1.0, 0.4, 1.5)(x)) == [1.0, 5.0, 5.0, 1.0]
    assert "exponential(offset=-1.0" in repr(exponential(-1.0, 2.0, 3.0))


# -- the shipped reconstructions and serialisation ------------------------------------------
def test_shipped_examples():
    gc = Morphology.from_swc(example_swc("mp_ma_40984_gc2"))
    tc = Morphology.from_swc(example_swc("tc200"))
    assert (len(gc.sections), len(tc.sections)) == (29, 204)
    assert sum(tc.nseg().values()) == 490       # ~500 segments by the d_lambda rule
    assert len(tc.region("soma")) == 7          # a branched, stacked soma
    assert repr(tc) == "Morphology('tc200.CNG.swc', sections={soma: 7, basal: 197})"  # no folder
    with pytest.raises(KeyError, match="tc200"):
        example_swc("l5pc")


def test_template_round_trip(cases):
    m = cases["branched_soma"]
    rule = DistanceRule("gbar_hcn", "basal", exponential(0 * siemens / cm**2,
                                                         1 * msiemens / cm**2, 1 / (300 * um)),
                        source="assumed here")
    cell = m.to_template("rt", paint={"all": [channels.Leak()], "basal": [channels.HCN()]},
                         nseg=3, rules=[rule])
    data = json.loads(json.dumps(cell.to_dict()))
    again = CellTemplate.from_dict(data)
    assert again == cell and again.content_hash == cell.content_hash
    a = cell.parameters.set_index("variable").value
    b = again.parameters.set_index("variable").value
    assert np.array_equal(a.to_numpy(), b[a.index].to_numpy())
    from compartments.receptors import AMPA

    more = cell.with_channels({"basal_0": [AMPA()]})
    c = more.parameters.set_index("variable").value
    assert np.array_equal(c[a.index].to_numpy(), a.to_numpy()) and "tau_decay_ampa_basal_0_0" in c


def test_plot_morphology(cases):
    from compartments.morphology.plot import plot_morphology

    m = cases["stacked_soma"]
    cell = m.to_template("p", paint={"all": [channels.Leak()]}, nseg=3)
    fig = plot_morphology(m, cell.path_distances(), projection="xz", label="distance")
    assert fig.axes[0].get_xlabel() == "x (µm)" and len(fig.axes) == 2  # plot and colour bar
    assert len(fig.axes[0].collections[0].get_array()) == sum(len(s.points) - 1
                                                             for s in m.sections)
    with pytest.raises(KeyError, match="no entry for section"):
        plot_morphology(m, {"soma_0": 1.0})
    with pytest.raises(ValueError, match="projection"):
        plot_morphology(m, projection="xx")
    import matplotlib.pyplot as plt

    plt.close("all")
