"""Every channel of the library together in one test cell, integrated by the engine.

A Hay-like L5 soma (Hay et al. 2011 somatic densities, 34 °C) with every
channel family plus a calcium pool and a passive dendrite: the template must
compose them (one pool fed by both calcium channels), find a stable rest,
fire under a step, raise calcium during firing and let GIRK activation
hyperpolarise it.
"""

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, StateMonitor, cm, mV, ms, msiemens, nA, um

from compartments import CalciumPool, CellTemplate, Compartment, channels, linearize

ALL_BUT_HH = sorted(set(channels.registry) - {"HHNa", "HHK", "Leak", "Kdr", "NaT"})


@pytest.fixture(scope="module")
def cell():
    mechanisms = [channels.Leak(g=0.0338 * msiemens / cm**2, E=-90 * mV)]
    mechanisms += [channels.registry[name]() for name in ALL_BUT_HH]
    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=mechanisms,
                       pools=[CalciumPool(decay=460 * ms, gamma=0.0005)])
    dend = Compartment("dend", length=300 * um, diameter=2 * um, nseg=3, spine_factor=2.0,
                       channels=[channels.Leak(g=0.0589 * msiemens / cm**2, E=-90 * mV),
                                 channels.HCN()])
    return CellTemplate("allchannels", [soma, dend], [("soma", "dend")], celsius=34.0)


def test_composes_every_channel(cell):
    names = cell.equations.names
    for cls in (channels.registry[n] for n in ALL_BUT_HH):
        assert f"I_{cls.name}_soma" in names
    assert "I_ca_soma" in names and "ca_i_soma" in names
    ca_sum = str(cell.equations["I_ca_soma"].expr)
    assert "I_cahva_soma" in ca_sum and "I_cat_soma" in ca_sum


def test_rest_fire_calcium_and_girk(cell, numpy_target):
    lin = linearize(cell)
    assert -90 < float(lin.resting_potentials["soma"] / mV) < -60
    group = cell.make_group(3, dt=0.05 * ms)
    group.I_ext_soma = [0, 2, 0] * nA
    group.activation_girk_soma = [0, 0, 1]
    spikes = SpikeMonitor(group)
    mon = StateMonitor(group, ["v_soma", "ca_i_soma"], record=True)
    Network(group, spikes, mon).run(100 * ms)
    assert spikes.count[0] == 0 and spikes.count[1] >= 2
    ca = np.asarray(mon.ca_i_soma_)
    assert ca[1].max() > 3 * ca[0].max()           # calcium enters during spikes
    v_end = np.asarray(mon.v_soma_)[:, -1] * 1e3
    assert v_end[2] < v_end[0] - 0.2                # GIRK opened: hyperpolarised
