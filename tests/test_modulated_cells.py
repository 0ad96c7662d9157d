"""Plasticity that reads the post-synaptic neuron's own receptors (Effector signals).

* The signal is e_R x_R of the post neuron: a neuron whose expression is 0 keeps its
  weight exactly while one that expresses the receptor potentiates (same pool, same
  spikes).
* A receptor the post-synaptic type does not express: a warning that names the
  catalogue types expressing it, and the signal is 0 (dopamine on L23_PC, issue 12).
* A receptor the type expresses but the group does not model: an error that says how to
  model it (make_group(..., receptors=...)).
* pairing_experiment_cell: the same pool regions drive the cell's receptors; Δt actual
  follows the evoked spikes.

Runtime ~35 s (numpy; the L23_PC rest solve is ~5 s of it).
"""


import numpy as np
import pytest
from brian2 import Network, SpikeGeneratorGroup, defaultclock, ms, nA, nS, second, um, uM

import celltypes  # noqa: F401  (registers the catalogue's receptor expression)
from compartments import CellTemplate, Compartment, channels
from compartments.analysis.modulated_pairing import Application, pairing_experiment_cell
from compartments.modulated_stdp import Gain, ModulatedSTDP
from compartments.neuromodulation import modulator_pool
from compartments.neuromodulation.pools import pool_link
from compartments.receptors import AMPA
from compartments.stdp_signals import Effector, UnexpressedReceptorWarning
from compartments.synapses import connect

pytestmark = pytest.mark.usefixtures("numpy_target")

BETA = [dict(receptor="b-AR", compartment="soma", fraction=1.0, level=1.0, source="test")]


def cell():
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak(), AMPA()])
    return CellTemplate("hh_beta", [soma], celsius=6.3).with_modulation(BETA)


def he_like(signal_5ht=False):
    signals = {"NE": Effector("b-AR")}
    gains = {"convert_ltp": Gain(0, {"NE": 1.0})}
    if signal_5ht:
        signals["HT"] = Effector("5-HT2C")
        gains["convert_ltd"] = Gain(0, {"HT": 1.0})
    return ModulatedSTDP(0.05, 0.05, 20 * ms, 20 * ms, signals=signals, gains=gains,
                         conversion="continuous", consume=True, tau_ltp=0.5 * second,
                         tau_ltd=0.5 * second, tau_conversion=0.1 * second)


def test_effector_signal_is_the_post_neurons_receptor_state():
    """Two neurons, same pool (NE 10 uM), same spikes (pre at 10 ms, a pulse fires the cell
    at ~21 ms); neuron 1 does not express b-AR: its weight stays exactly 0.5."""
    from brian2 import TimedArray, amp

    defaultclock.dt = 0.1 * ms
    pool = modulator_pool(("NE",), tonic={"NE": 10 * uM})
    group = cell().make_group(2, modulators=("NE",), pool=pool, receptors=("b-AR",))
    linked_pool, index = pool_link(group)            # read from the group's ModulationPlan
    assert linked_pool is pool and list(index) == [0, 0]
    group.x_beta_soma_ = [1.0, 0.0]
    group.e_beta_ = 1.0                                  # as after seconds of NE
    pulse = np.zeros(int(300 / 0.1))
    pulse[200:210] = 1e-9
    group.namespace["pulse"] = TimedArray(pulse * amp, dt=defaultclock.dt)
    group.run_regularly("I_ext_soma = pulse(t)", when="start")
    pre = SpikeGeneratorGroup(2, [0, 1], [10 * ms, 10 * ms])
    syn = connect(pre, group, {"ampa": 0.1 * nS}, at="soma", plasticity=he_like(), j="i",
                  weight=0.5)
    assert "e_beta_post*x_beta_soma_post" in str(syn.equations["sig_NE"].expr)
    Network(group, pool, pre, syn).run(300 * ms)
    w = np.asarray(syn.w[:])
    assert w[1] == 0.5 and w[0] > 0.5 + 1e-3


def test_receptor_not_expressed_warns_with_the_types_that_express_it():
    defaultclock.dt = 0.05 * ms
    pool = modulator_pool(("NE", "5HT"))
    group = cell().make_group(1, modulators=("NE", "5HT"), pool=pool, receptors=("b-AR",))
    pre = SpikeGeneratorGroup(1, [0], [10 * ms])
    with pytest.warns(UnexpressedReceptorWarning) as record:
        syn = connect(pre, group, {"ampa": 0.1 * nS}, at="soma", plasticity=he_like(True))
    message = str(record[0].message)
    assert "5-HT2C" in message and "'hh_beta'" in message and "PV_BC (soma)" in message
    assert str(syn.equations["sig_HT"].expr) == "0"
    Network(group, pool, pre, syn).run(0 * ms)


def test_dopamine_on_l23_pc_warns():
    """Issue 12: dopamine on L23_PC silently did nothing; now make_group refuses DA (no
    receptor of it acts) and a rule reading the cell's own D1 state names the types that
    express D1."""
    defaultclock.dt = 0.05 * ms
    pool = modulator_pool(("DA",))
    l23 = celltypes.get("L23_PC").with_channels({"apical": [AMPA()]})
    with pytest.raises(ValueError, match="DA: no receptor of it is expressed"):
        l23.make_group(1, modulators=("DA",), pool=pool)
    group = l23.make_group(1)
    rule = ModulatedSTDP(0.01, 0.01, 20 * ms, 20 * ms, signals={"DA": Effector("D1")},
                         gains={"ltd": Gain(1, {"DA": -2})})
    pre = SpikeGeneratorGroup(1, [0], [10 * ms])
    with pytest.warns(UnexpressedReceptorWarning, match=r"L5_IB \(soma, basal\).*L5_TTPC"):
        syn = connect(pre, group, {"ampa": 0.1 * nS}, at="apical", plasticity=rule)
    Network(group, pre, syn).run(0 * ms)


def test_expressed_but_not_modelled_receptor_is_an_error_with_the_fix():
    pool = modulator_pool(("NE",))
    with pytest.raises(ValueError, match=r"receptors=\('b-AR',\)"):   # b-AR acts on no channel
        cell().make_group(1, modulators=("NE",), pool=pool)
    group = cell().make_group(1)
    pre = SpikeGeneratorGroup(1, [0], [10 * ms])
    with pytest.raises(ValueError, match=r"receptors=\('b-AR',\)"):
        connect(pre, group, {"ampa": 0.1 * nS}, at="soma", plasticity=he_like())
    Network(group, pre).run(0 * ms)


def test_pairing_experiment_on_a_cell():
    defaultclock.dt = 0.1 * ms
    out = pairing_experiment_cell(
        cell(), he_like(), {"ampa": 0.2 * nS},
        {"control": [], "NE": [Application("NE", 10 * uM, -0.2 * second, reference="start")]},
        [10] * ms, at="soma", pulse=1 * nA, pulse_duration=1 * ms, n_pairings=2,
        period=0.1 * second, after=0.4 * second)
    assert list(out.condition) == ["control", "NE"]
    assert np.all(out.post_spikes == 1)
    assert np.all((out.dt_actual_ms > 10) & (out.dt_actual_ms < 13))   # pulse -> spike
    assert out.dw[0] == 0 and out.dw[1] > 1e-3      # no NE: silent trace; NE: converted
