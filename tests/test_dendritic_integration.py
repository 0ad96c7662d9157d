"""Dendritic integration on a thin dendrite (Poirazi et al. 2003; Dendrify, Pagkalos et al.
2023, Fig. 2; NMDA spikes: Schiller et al. 2000, Major et al. 2008).

A passive soma (20 x 20 um) with a thin passive dendrite (300 x 1 um, nseg 15,
g_L 0.05 mS/cm2, Ra 150 ohm cm). n = 1..30 synapses at 200 um are activated
together (n synchronous synapses of linear kinetics on one segment are one
increment of weight n), one neuron per n and condition, so the whole curve is
one group and one run. "Expected" is n times the unitary somatic EPSP, as in
Poirazi et al. 2003 and the Dendrify figure.

- AMPA only (0.25 nS): sublinear — measured/expected falls with n (driving
  force), always below 1 for n > 1.
- AMPA + NMDA (0.25 + 0.5 nS, NMDA/AMPA 2 as in Poirazi's obliques, 2.5):
  supralinear, measured/expected > 1.3 somewhere; the jump: the EPSP added
  by one more synapse peaks at an interior threshold number of synapses, at
  more than twice the unitary EPSP, while below half that number summation is
  nearly linear (ratio < 1.15).
- Attenuation (single AMPA synapse, one per distance): the dendritic EPSP
  grows and the soma/dendrite ratio falls monotonically with distance.
"""

import numpy as np
import pytest
from brian2 import (Network, SpikeGeneratorGroup, StateMonitor, cm, mV, ms, msiemens, nS, ohm,
                    um)

from compartments import CellTemplate, Compartment, channels, synapses
from compartments.receptors import AMPA, NMDA

pytestmark = pytest.mark.usefixtures("numpy_target")

N_MAX = 30


def thin_dendrite_cell():
    def leak():
        return channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)

    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=[leak()])
    dend = Compartment("dend", length=300 * um, diameter=1 * um, nseg=15,
                       channels=[leak(), AMPA(), NMDA()])
    return CellTemplate("thin_dendrite", [soma, dend], [("soma", "dend")], Ra=150 * ohm * cm,
                        celsius=34)


def _peaks(group, mon, var):
    trace = getattr(mon, var) / mV
    return trace.max(axis=1) - trace[:, 0]


@pytest.fixture(scope="module")
def integration_curves():
    """Somatic EPSP peaks for n = 1..N_MAX, AMPA+NMDA (first half) and AMPA only."""
    from brian2 import defaultclock

    import compartments

    compartments.backends.use("numpy")
    defaultclock.dt = 0.025 * ms
    cell = thin_dendrite_cell()
    group = cell.make_group(2 * N_MAX)
    src = SpikeGeneratorGroup(1, [0], [5 * ms])
    syn = synapses.connect(src, group, {"ampa": 0.25 * nS, "nmda": 0.5 * nS}, distance=200 * um,
                           within="dend", i=0, j=np.arange(2 * N_MAX))
    n = np.arange(1, N_MAX + 1)
    syn.w = np.r_[n, n]
    syn.gpeak_nmda[N_MAX:] = 0 * nS
    mon = StateMonitor(group, "v_soma", record=True)
    Network(group, src, syn, mon).run(120 * ms)
    peaks = _peaks(group, mon, "v_soma")
    return n, peaks[:N_MAX], peaks[N_MAX:], synapses.placement(syn).distance_um[0]


def test_synapses_sit_at_the_requested_distance(integration_curves):
    assert integration_curves[3] == pytest.approx(190.0)  # nearest 20-um segment centre


def test_ampa_only_sums_sublinearly(integration_curves):
    n, _, ampa, _ = integration_curves
    ratio = ampa / (n * ampa[0])
    assert np.all(ratio[1:] < 1)
    assert np.all(np.diff(ratio) < 0)


def test_ampa_nmda_sums_supralinearly_with_a_threshold(integration_curves):
    n, both, _, _ = integration_curves
    ratio = both / (n * both[0])
    assert ratio.max() > 1.3
    added = np.diff(np.r_[0.0, both])
    k = int(np.argmax(added))
    assert 2 < n[k] < N_MAX - 2           # an interior threshold
    assert added[k] > 2 * both[0]         # a jump, not a gradual bend
    assert np.all(ratio[n <= n[k] // 2] < 1.15)


def test_epsp_attenuation_grows_with_distance():
    cell = thin_dendrite_cell()
    distances = np.array([30, 90, 150, 210, 270])
    group = cell.make_group(len(distances))
    src = SpikeGeneratorGroup(1, [0], [5 * ms])
    syn = synapses.connect(src, group, {"ampa": 0.5 * nS}, distance=distances * um,
                           within="dend", i=0, j=np.arange(len(distances)))
    where = synapses.placement(syn)
    mon = StateMonitor(group, ["v_soma"] + [f"v_{s}" for s in where.segment], record=True)
    Network(group, src, syn, mon).run(60 * ms)
    soma = _peaks(group, mon, "v_soma")
    local = np.array([_peaks(group, mon, f"v_{s}")[k] for k, s in enumerate(where.segment)])
    attenuation = soma / local
    assert np.all(np.diff(local) > 0)          # higher input impedance distally
    assert np.all(np.diff(attenuation) < 0)    # and more attenuation to the soma
    assert attenuation[-1] < 0.5 * attenuation[0]
