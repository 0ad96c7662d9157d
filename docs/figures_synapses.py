"""Figures of docs/synapses.md and docs/plasticity.md: the STDP window at rule and cell level,
dendritic integration, EPSPs along a dendrite.

Run: PYTHONPATH=. python docs/figures_synapses.py   (numpy target, ~2 min; writes docs/img/)
"""

import os

import numpy as np
from brian2 import Network, SpikeGeneratorGroup, StateMonitor, cm, mV, ms, msiemens, nA, nS, ohm, um

import compartments
from compartments import CellTemplate, Compartment, channels, plotting, synapses
from compartments.analysis import stdp_window_cell, stdp_window_rule
from compartments.plasticity import STDP
from compartments.receptors import AMPA, NMDA

IMG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "img")


def window_figure():
    rule = STDP(A_plus=0.01, A_minus=0.0105, tau_plus=16.8 * ms, tau_minus=33.7 * ms)
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    dend = Compartment("dend", length=200 * um, diameter=2 * um, nseg=4,
                       channels=[channels.Leak(), AMPA()])
    cell = CellTemplate("hh_pairing", [soma, dend], [("soma", "dend")], celsius=6.3)
    dts = np.arange(-60, 61, 4) * ms
    rule_window = stdp_window_rule(rule, dts, period=300 * ms)
    cell_window = stdp_window_cell(cell.make_group, rule, {"ampa": 4 * nS}, dts, at="dend",
                                   pulse=0.5 * nA, pulse_duration=1 * ms, period=300 * ms)
    plotting.stdp_window_figure(
        rule_window, cell_window, path=os.path.join(IMG, "stdp_window.png"),
        title="STDP (Bi & Poo fit): rule vs HH cell, 4 nS AMPA on the dendrite")
    print(cell_window.to_string())


def integration_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def leak():
        return channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)

    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=[leak()])
    dend = Compartment("dend", length=300 * um, diameter=1 * um, nseg=15,
                       channels=[leak(), AMPA(), NMDA()])
    cell = CellTemplate("thin_dendrite", [soma, dend], [("soma", "dend")], Ra=150 * ohm * cm,
                        celsius=34)
    n = np.arange(1, 31)
    group = cell.make_group(2 * len(n))
    src = SpikeGeneratorGroup(1, [0], [5 * ms])
    syn = synapses.connect(src, group, {"ampa": 0.25 * nS, "nmda": 0.5 * nS}, distance=200 * um,
                           i=0, j=np.arange(2 * len(n)))
    syn.w = np.r_[n, n]
    syn.gpeak_nmda[len(n):] = 0 * nS
    mon = StateMonitor(group, ["v_soma", "v_dend_9"], record=True)
    Network(group, src, syn, mon).run(120 * ms)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for part, label in ((slice(0, len(n)), "AMPA + NMDA"), (slice(len(n), None), "AMPA only")):
        peak = (mon.v_soma[part] / mV).max(axis=1) - mon.v_soma[part][:, 0] / mV
        axes[0].plot(n * peak[0], peak, "o-", ms=3, label=label)
    axes[0].plot([0, 50], [0, 50], "k:", lw=0.8)
    axes[0].set_xlabel("expected somatic EPSP (n x unitary, mV)")
    axes[0].set_ylabel("measured somatic EPSP (mV)")
    axes[0].legend(fontsize=8)
    for k in (5, 9, 10, 11, 14):
        axes[1].plot(mon.t / ms, mon.v_dend_9[k] / mV, lw=1, label=f"n = {k + 1}")
    axes[1].set_xlabel("time (ms)")
    axes[1].set_ylabel("v at the synapses, 190 um (mV)")
    axes[1].legend(fontsize=8)
    fig.suptitle("Thin dendrite (300 x 1 um), synchronous synapses at 190 um", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(IMG, "dendritic_integration.png"), dpi=110)


if __name__ == "__main__":
    compartments.backends.use("numpy")
    os.makedirs(IMG, exist_ok=True)
    window_figure()
    integration_figure()
    print("figures in", IMG)
