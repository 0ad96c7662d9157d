"""What a group stores per neuron (compartments.memory): one value where all neurons share it."""

import numpy as np
import pytest
from brian2 import device, set_device, um

from compartments import CellTemplate, Compartment, channels
from compartments.memory import set_values, uniform_value


def test_uniform_value_compares_bits():
    assert uniform_value(np.full(5, -65e-3)) == -65e-3
    assert uniform_value(np.array([0.0, -0.0])) is None  # equal as numbers, not as bits
    assert uniform_value(np.array([np.nan, np.nan])) is not None
    assert uniform_value(np.array([1.0, np.nextafter(1.0, 2.0)])) is None
    assert uniform_value(np.arange(3)) is None
    assert uniform_value(np.zeros(0)) is None


def _cell():
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    dend = Compartment("dend", length=200 * um, diameter=2 * um, channels=[channels.Leak()])
    return CellTemplate("mem", [soma, dend], connections=[("soma", "dend")])


def test_standalone_group_keeps_no_static_array_of_shared_values(tmp_path):
    """cpp_standalone turns an array value into a static array (a file, and a second copy
    in the binary's memory for its whole run): a homogeneous group must write none."""
    set_device("cpp_standalone", directory=str(tmp_path), build_on_run=False)
    try:
        group = _cell().make_group(7)
        assert device.static_arrays == {}
        values = {"gbar_hhna_soma": np.linspace(1, 2, 7) * 1200.0, "E_leak_dend": np.full(7, -0.07)}
        set_values(group, values)
        names = [k for k in device.static_arrays]
        assert len(names) == 1 and names[0].endswith("gbar_hhna_soma")
    finally:
        device.reinit()
        device.activate()
        set_device("runtime")


def test_set_values_sets_every_neuron(numpy_target):
    group = _cell().make_group(4)
    set_values(group, {"E_leak_dend": np.full(4, -0.07), "gbar_hhk_soma": np.arange(4.0)})
    assert np.all(group.E_leak_dend_[:] == -0.07)
    assert np.all(group.gbar_hhk_soma_[:] == np.arange(4.0))
