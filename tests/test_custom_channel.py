"""User-defined channels compose exactly like the built-ins."""

import numpy as np
import pytest
from brian2 import Network, StateMonitor, cm, mV, ms, msiemens, nA, um

from compartments import CellTemplate, Compartment, channels


def hh_cell(leak):
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), leak])
    return CellTemplate("custom", [soma])


def test_custom_leak_equals_builtin(numpy_target):
    MyLeak = channels.define(
        "myleak", "I = g*(E - v) : amp/meter**2",
        parameters={"g": (0.3 * msiemens / cm**2, "NEURON hh.mod gl"),
                    "E": (-54.3 * mV, "NEURON hh.mod el")},
        source="the built-in Leak, written by hand", class_name="MyLeak")
    traces = []
    for leak in (channels.Leak(), MyLeak()):
        group = hh_cell(leak).make_group(1)
        group.I_ext_soma = 0.1 * nA
        mon = StateMonitor(group, "v_soma", record=0)
        Network(group, mon).run(20 * ms)
        traces.append(np.asarray(mon.v_soma_[0]))
    np.testing.assert_array_equal(traces[0], traces[1])
    assert np.ptp(traces[0]) > 0.05  # it spiked: the comparison is not vacuous
    cell = hh_cell(MyLeak(g=0.2 * msiemens / cm**2))
    assert CellTemplate.from_dict(cell.to_dict()) == cell
    assert channels.registry["MyLeak"] is MyLeak


@pytest.mark.codegen_independent
def test_custom_channel_errors():
    ok = {"g": (1 * msiemens / cm**2, "assumed here")}
    with pytest.raises(ValueError, match=r"Parameter 'g' of channel Bad needs a source"):
        channels.define("bad", "I = g*(-v) : amp/meter**2", {"g": (1 * msiemens / cm**2, "")},
                        source="x")
    with pytest.raises(ValueError, match=r"must define the current 'I'"):
        channels.define("bad", "J = g*(-v) : amp/meter**2", ok, source="x")
    with pytest.raises(ValueError, match=r"must be a current density"):
        channels.define("bad", "I = g*(-v) : amp", ok, source="x")
    with pytest.raises(ValueError, match=r"do not parse"):
        channels.define("bad", "I = g*(-v : amp/meter**2", ok, source="x")
    with pytest.raises(ValueError, match=r"both 'q10' and 'reference_temperature'"):
        channels.define("bad", "I = g*(-v) : amp/meter**2", ok, source="x", q10=3)
    from brian2 import DimensionMismatchError

    with pytest.raises(DimensionMismatchError, match=r"Inconsistent units in channel Bad: the "
                                                     r"expression for 'I'"):
        channels.define("bad", "I = g*(-v) : amp/meter**2", {"g": (1 * ms, "assumed")},
                        source="x")
