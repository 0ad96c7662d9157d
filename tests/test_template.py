"""Template structure, coupling, resting state, spikes, recording, serialisation and guards."""

import json

import numpy as np
import pytest
from brian2 import (Network, SpikeMonitor, StateMonitor, cm, mV, ms, msiemens, nA, ohm, uF, um)
from brian2.equations.equations import PARAMETER

import compartments
from compartments import CellTemplate, Compartment, channels, equilibrate, linearize, record
from compartments.serialization import load_template, save_template

from cells import demo_cell, hh_soma, passive


def half_g(length, diameter, Ra=150 * ohm * cm):
    """Conductance (S) of half a cylinder, computed here from the formula."""
    return float(1 / (Ra * (length / 2) / (np.pi * (diameter / 2) ** 2)))


# -- structure (no simulation) ---------------------------------------------------------
@pytest.mark.codegen_independent
def test_names_and_flags():
    cell = demo_cell()
    eqs = cell.equations
    for name in ["v_soma", "v_apical_0", "v_apical_3", "I_ext_soma", "I_ext_apical_2",
                 "m_hhna_soma", "h_hhna_soma", "n_hhk_soma", "gbar_hhna_soma", "E_leak_apical_1",
                 "g_leak_soma", "phi_hhna_soma", "area_soma", "C_apical_0",
                 "gax_soma__apical_0", "gax_apical_2__apical_3"]:
        assert name in eqs.names, name
    assert cell.segment_names == ("soma", "apical_0", "apical_1", "apical_2", "apical_3")
    for eq in eqs.ordered:
        if eq.type == PARAMETER:
            assert ("constant" in eq.flags) == (not eq.varname.startswith("I_ext_")), eq.varname
    assert "apical_4" not in " ".join(eqs.names)


@pytest.mark.codegen_independent
def test_parameter_table_has_sources_and_units():
    table = demo_cell().parameters
    assert list(table.columns) == ["compartment", "segment", "parameter", "variable", "value",
                                   "unit", "source"]
    assert table.source.str.len().min() > 0
    row = table.set_index("variable").loc["gbar_hhna_soma"]
    assert row.value == pytest.approx(1200.0) and row.unit == "siemens/meter**2"
    assert "Hodgkin" in row.source


@pytest.mark.codegen_independent
def test_chain_and_root_coupling():
    cell = demo_cell()
    seg = 100 * um
    g_chain = 1 / (1 / half_g(seg, 3 * um) + 1 / half_g(seg, 3 * um))
    assert float(cell.axial_conductance("apical_1", "apical_2")) == pytest.approx(g_chain, rel=1e-12)
    # root default at=0.5: the child's half-cylinder only
    assert float(cell.axial_conductance("soma", "apical_0")) == pytest.approx(half_g(seg, 3 * um),
                                                                             rel=1e-12)
    assert float(cell.axial_conductance("soma", "apical_2")) == 0


@pytest.mark.codegen_independent
def test_star_mesh_at_junction():
    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=[passive()])
    p = Compartment("p", length=100 * um, diameter=0.5 * um, channels=[passive()])
    a = Compartment("a", length=200 * um, diameter=1 * um, channels=[passive()])
    b = Compartment("b", length=150 * um, diameter=0.8 * um, channels=[passive()])
    cell = CellTemplate("y", [soma, p, a, b], [("soma", "p"), ("p", "a"), ("p", "b")])
    gp, ga, gb = half_g(100 * um, 0.5 * um), half_g(200 * um, 1 * um), half_g(150 * um, 0.8 * um)
    total = gp + ga + gb
    assert float(cell.axial_conductance("p", "a")) == pytest.approx(gp * ga / total, rel=1e-12)
    assert float(cell.axial_conductance("p", "b")) == pytest.approx(gp * gb / total, rel=1e-12)
    assert float(cell.axial_conductance("a", "b")) == pytest.approx(ga * gb / total, rel=1e-12)
    # attached at the parent's centre instead: no sibling term
    cell2 = CellTemplate("y", [soma, p, a, b], [("soma", "p"), ("p", "a", 0.5), ("p", "b", 0.5)])
    assert float(cell2.axial_conductance("a", "b")) == 0
    assert float(cell2.axial_conductance("p", "a")) == pytest.approx(ga, rel=1e-12)
    # soma's far end (at=1): soma half-resistance in series
    cell3 = CellTemplate("y", [soma, p], [("soma", "p", 1)])
    gs = half_g(20 * um, 20 * um)
    assert float(cell3.axial_conductance("soma", "p")) == pytest.approx(gs * gp / (gs + gp), rel=1e-12)


@pytest.mark.codegen_independent
def test_explicit_conductance():
    from brian2 import nS, um2

    soma = Compartment("soma", area=500 * um2, channels=[passive()])
    dend = Compartment("dend", area=300 * um2, channels=[passive()])
    cell = CellTemplate("red", [soma, dend], [("soma", "dend", 10 * nS)])
    assert float(cell.axial_conductance("soma", "dend")) == pytest.approx(10e-9)


@pytest.mark.codegen_independent
def test_serialisation_round_trip(tmp_path):
    cell = demo_cell()
    data = cell.to_dict()
    assert CellTemplate.from_dict(json.loads(json.dumps(data))).to_dict() == data
    for ext in ("json", "yaml"):
        path = save_template(cell, tmp_path / f"cell.{ext}")
        again = load_template(path)
        assert again == cell and again.content_hash == cell.content_hash
        assert str(again.equations) == str(cell.equations)
        text = open(path).read()
        assert cell.content_hash in text and "brian2" in text
    other = CellTemplate("demo", [Compartment("soma", length=20 * um, diameter=20 * um,
                                              channels=[channels.Leak(E=-71 * mV)])])
    assert other.content_hash != cell.content_hash


# -- simulation (numpy target) -----------------------------------------------------------
def test_rest_is_a_stable_fixed_point(numpy_target):
    cell = demo_cell()
    group = cell.make_group(2)
    v0 = {s: np.array(getattr(group, f"v_{s}_")) for s in cell.segment_names}
    Network(group).run(20 * ms)
    for s in cell.segment_names:
        assert np.max(np.abs(getattr(group, f"v_{s}_") - v0[s])) < 1e-9  # volt
    # at rest the net membrane+axial current is zero: leak pulls soma toward -70 mV but HH
    # K current holds it below: rest must lie between E_K and E_Na, near -70
    assert -0.080 < v0["soma"][0] < -0.060


def test_init_matches_finitialize(numpy_target):
    group = hh_soma().make_group(1, init=-65 * mV)
    v = -65.0
    am = 0.1 * (v + 40) / (1 - np.exp(-(v + 40) / 10))
    bm = 4 * np.exp(-(v + 65) / 18)
    an = 0.01 * (v + 55) / (1 - np.exp(-(v + 55) / 10))
    bn = 0.125 * np.exp(-(v + 65) / 80)
    assert group.v_soma_[0] == pytest.approx(-0.065)
    assert group.m_hhna_soma_[0] == pytest.approx(am / (am + bm), rel=1e-12)
    assert group.n_hhk_soma_[0] == pytest.approx(an / (an + bn), rel=1e-12)


def test_equilibrate_after_parameter_change(numpy_target):
    cell = demo_cell()
    group = cell.make_group(3)
    group.E_leak_soma = [-70, -60, -80] * mV
    equilibrate(group)
    v = np.array(group.v_soma_)
    assert v[1] > v[0] > v[2]
    Network(group).run(10 * ms)
    assert np.max(np.abs(group.v_soma_ - v)) < 1e-9


def test_one_spike_event_per_action_potential(numpy_target):
    group = hh_soma().make_group(3)
    group.I_ext_soma = [0, 0.05, 0.2] * nA
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, "v_soma", record=True)
    Network(group, spikes, trace).run(100 * ms)
    v = trace.v_soma_
    crossings = np.sum((v[:, 1:] > 0) & (v[:, :-1] <= 0), axis=1)
    counts = np.bincount(spikes.i, minlength=3)
    assert crossings[2] > 3 and crossings[0] == 0
    np.testing.assert_array_equal(counts, crossings)


def test_record_frame_and_memory_guard(numpy_target):
    group = demo_cell().make_group(2)
    group.I_ext_soma = [0, 0.3] * nA
    df = record(group, ["v_soma", "m_hhna_soma", "I_ext_soma"], 5 * ms, neurons=[1], dt=0.1 * ms)
    assert list(df.columns) == ["t_ms", "neuron", "v_soma_mV", "m_hhna_soma", "I_ext_soma_nA"]
    assert len(df) == 50 and set(df.neuron) == {1}
    assert df.I_ext_soma_nA.iloc[0] == pytest.approx(0.3)
    with pytest.raises(MemoryError, match=r"needs about \d+ MiB, more than the 1 MiB allowed"):
        record(group, ["v_soma"], 10000 * ms, memory_limit=2**20)
    with pytest.raises(KeyError, match="no variable 'v_axon'"):
        record(group, ["v_axon"], 1 * ms)


def test_divergence_names_compartment_and_neuron(numpy_target):
    group = hh_soma().make_group(4)
    group.E_leak_soma[2] = np.nan * mV
    with pytest.raises(compartments.SimulationDiverged,
                       match=r"neuron 2 in group .* became NaN.*started in compartment 'soma'"):
        Network(group).run(5 * ms)


def test_stiffness_check_names_coupling():
    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=[passive()])
    ais = Compartment("ais", length=20 * um, diameter=1.2 * um, channels=[passive()])
    axon = Compartment("axon", length=20 * um, diameter=1.2 * um, channels=[passive()])
    cell = CellTemplate("ais", [soma, ais, axon], [("soma", "ais"), ("ais", "axon")])
    with pytest.raises(ValueError, match=r"coupling between 'soma' and 'ais' .* too stiff for "
                                         r"method 'rk4' at dt = 0.1 ms.*Use dt <= "):
        cell.make_group(1, method="rk4", dt=0.1 * ms)
    cell.make_group(1, method="crank_nicolson", dt=0.1 * ms)  # implicit: no limit


def test_linearize_passive_soma():
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)])
    lin = linearize(CellTemplate("rc", [soma]))
    area = np.pi * 20e-6 * 20e-6
    assert float(lin.input_resistance("soma")) == pytest.approx(1 / (0.5 * area), rel=1e-9)
    assert float(lin.time_constants[0]) == pytest.approx(0.02, rel=1e-9)
    assert float(lin.resting_potentials["soma"]) == pytest.approx(-0.070)


def test_no_stable_rest_warns_and_relaxes(numpy_target):
    # an HH soma whose leak reverses at -20 mV fires tonically at zero input: no stable rest
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak(E=-20 * mV)])
    cell = CellTemplate("pacemaker", [soma])
    with pytest.warns(RuntimeWarning, match=r"Neurons \[0, 1\] have no stable resting state"):
        group = cell.make_group(2)
    assert np.all(np.isfinite(group.v_soma_)) and np.all(np.isfinite(group.m_hhna_soma_))
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(50 * ms)
    assert spikes.count[0] >= 2   # it keeps firing: the relaxation did not stop it
    with pytest.raises(ValueError, match="no stable resting state"):
        linearize(cell)


def test_equilibrate_with_some_neurons_without_stable_rest(numpy_target):
    """Neurons with and without a stable rest in one group: the stable ones keep their fixed
    point, only the others are relaxed (the stability check uses each subset's parameters)."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    group = CellTemplate("mixed", [soma]).make_group(4)
    group.E_leak_soma = [-54.3, -54.3, -20, -20] * mV
    with pytest.warns(RuntimeWarning, match=r"Neurons \[2, 3\] have no stable resting state"):
        equilibrate(group)
    v = np.asarray(group.v_soma_)
    assert np.all(np.isfinite(v)) and v[0] == pytest.approx(-65e-3, abs=1e-3)


@pytest.mark.codegen_independent
def test_spine_factor_scales_capacitance_and_leak_only():
    from compartments import CalciumPool

    def cell(sf):
        dend = Compartment("dend", length=100 * um, diameter=2 * um, spine_factor=sf,
                           channels=[passive(), channels.HHK()], pools=[CalciumPool()])
        return CellTemplate("sp", [dend])

    a, b = (c.parameters.set_index("variable").value for c in (cell(1.0), cell(2.0)))
    assert b["C_dend"] == pytest.approx(2 * a["C_dend"])
    assert b["g_leak_dend"] == pytest.approx(2 * a["g_leak_dend"])
    assert b["gbar_hhk_dend"] == a["gbar_hhk_dend"] and b["area_dend"] == a["area_dend"]
    assert "ca_i_dend" in cell(2.0).equations.names and "decay_cad_dend" in b.index
    again = CellTemplate.from_dict(json.loads(json.dumps(cell(2.0).to_dict())))
    assert again == cell(2.0)


def test_divergence_with_explicit_method_and_short_run(numpy_target):
    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=[passive()])
    ais = Compartment("ais", length=20 * um, diameter=1.2 * um, channels=[passive()])
    cell = CellTemplate("unstable", [soma, ais], [("soma", "ais")])
    group = cell.make_group(2, method="rk4", dt=0.1 * ms, init=-65 * mV, check_step=False)
    group.I_ext_ais = [0.01, 0] * nA   # a voltage difference excites the stiff coupling mode
    with pytest.raises(compartments.SimulationDiverged, match=r"neuron 0 .*\(1 neuron\(s\) "
                                                               r"diverged\).*compartment '(ais|soma)'"):
        Network(group).run(0.5 * ms)   # shorter than the check interval: caught after the run
