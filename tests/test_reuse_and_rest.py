"""Protocols and recordings on the same group any number of times; equilibrate from any state."""

import gc
import warnings

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, mV, ms, nA, run, um

import compartments
from compartments import (CellTemplate, Compartment, channels, equilibrate, record,
                          rest_status)
from compartments import rest as rest_module
from compartments.analysis import protocols
from compartments.recording import network_for

from cells import demo_cell, hh_soma


def _steps(group):
    return protocols.steps(group, [0.0, 0.1, 0.3] * nA, delay=5 * ms, duration=30 * ms,
                           after=5 * ms)


def test_protocols_and_record_any_number_of_times(numpy_target):
    group = hh_soma().make_group(3)
    first = _steps(group)
    record(group, "v_soma", 2 * ms)
    equilibrate(group)
    second = _steps(group)
    # the same protocol from the same rest: the same traces, times from the protocol's start
    np.testing.assert_allclose(second.traces.v_soma_mV, first.traces.v_soma_mV, atol=1e-9)
    np.testing.assert_allclose(second.spikes.t_ms, first.spikes.t_ms, atol=1e-9)
    assert len(first.spikes) > 2 and set(first.spikes.neuron) == {1, 2}
    again = record(group, "v_soma", 2 * ms)
    assert again.t_ms.iloc[0] == pytest.approx(40 + 2 + 40)  # the group's network time runs on
    assert network_for(group) is network_for(group)


def test_the_users_network_is_reused_and_a_dead_one_released(numpy_target):
    group = hh_soma().make_group(3)
    spikes = SpikeMonitor(group)
    net = Network(group, spikes)
    net.run(1 * ms)
    rec = _steps(group)
    assert network_for(group) is net
    assert spikes.num_spikes == len(rec.spikes) > 0  # the user's monitor ran with the protocol
    other = hh_soma().make_group(2)
    Network(other).run(1 * ms)  # a network nobody keeps
    gc.collect()
    assert len(record(other, "v_soma", 1 * ms)) == 2 * 40


def test_network_errors(numpy_target):
    group = hh_soma().make_group(1)
    with pytest.raises(ValueError, match=r"'network' parameter must contain group"):
        record(group, "v_soma", 1 * ms, network=Network())
    magic = hh_soma().make_group(1)
    run(0.1 * ms)
    with pytest.raises(RuntimeError, match=r"brian2.run\(\) \(the magic network\).*network="):
        record(magic, "v_soma", 1 * ms)


def test_equilibrate_restarts_from_the_template_state(numpy_target):
    cell = demo_cell()
    group = cell.make_group(2)
    fresh = {name: np.array(getattr(group, name + "_")) for name in group.equations.diff_eq_names}
    group.I_ext_soma = 0.5 * nA
    record(group, "v_soma", 20 * ms)  # spiking
    group.I_ext_soma = 0 * nA
    equilibrate(group)
    for name, value in fresh.items():
        np.testing.assert_allclose(getattr(group, name + "_"), value, rtol=1e-9, atol=1e-15,
                                   err_msg=name)
    assert rest_status(group).tolist() == ["rest", "rest"]


def test_non_finite_parameters_are_refused(numpy_target):
    group = hh_soma().make_group(3)
    group.gbar_hhna_soma_[1] = np.inf
    with pytest.raises(ValueError, match=r"'gbar_hhna_soma' of group .* must be finite .* "
                                         r"Got inf for neuron\(s\) \[1\]"):
        equilibrate(group)


def _mixed_group():
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    group = CellTemplate("mixed", [soma]).make_group(3)
    group.E_leak_soma = [-54.3, -20, -54.3] * mV  # neuron 1 fires at zero input
    return group


def test_status_of_neurons_without_rest_and_bounded_relaxation(numpy_target, monkeypatch):
    group = _mixed_group()
    with pytest.warns(RuntimeWarning, match=r"Neurons \[1\] have no stable resting state"):
        equilibrate(group)
    assert rest_status(group).tolist() == ["rest", "no rest", "rest"]
    # a relaxation capped at a few steps still ends in finite states with the same status
    monkeypatch.setattr(rest_module, "RELAX_MAX_STEPS", 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        equilibrate(group, warn=False)
    assert np.all(np.isfinite(group.v_soma_)) and rest_status(group)[1] == "no rest"


def test_relaxation_finds_a_rest_newton_misses(numpy_target):
    """Started far from rest (gates of v = +40 mV, Newton's guess at +40 mV lands nowhere
    stable), the staged relaxation reaches the same stable rest as Newton from -65 mV."""
    group = hh_soma().make_group(1)
    system = rest_module.StateSystem(group.user_equations, rest_module.group_values(group),
                                     guess=compartments.template_of(group).initial_guess())
    reference = system.rest()
    start = system.steady_gates(np.full((1, 1), 0.04))
    state, settled = system.relax(start, np.array([0]))
    assert settled.tolist() == [True]
    np.testing.assert_allclose(state, reference, rtol=1e-8, atol=1e-12)


def test_rest_status_needs_equilibrate(numpy_target):
    group = hh_soma().make_group(1)
    with pytest.raises(KeyError, match=r"call compartments.equilibrate\(group\) first"):
        rest_status(group)
