# %% [markdown]
# # 3. Synapses, background input and plasticity
# Receptors live in the post-synaptic template (`g_ampa_dend_3`, ...); `synapses.connect`
# places synapses by compartment or path distance and returns an ordinary Brian2
# `Synapses`; plasticity rules plug into it; a third factor gates eligibility traces.
# Run: `.venv/bin/python tutorials/03_synapses_and_plasticity.py` (figures in `tutorials/output/`).

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import (Hz, Network, SpikeGeneratorGroup, StateMonitor, cm, defaultclock, mV, ms,
                    msiemens, nS, ohm, um)

import compartments
from compartments import CellTemplate, Compartment, background, channels, plasticity, synapses
from compartments.analysis import stdp_window_rule
from compartments.plotting import stdp_window_figure
from compartments.receptors import AMPA, GABAA, NMDA

compartments.backends.use("numpy")  # small and short: no compile step needed
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
os.makedirs(OUT, exist_ok=True)

# %% Step 1: a cell, then receptors where synapses will land
leak = channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)
soma = Compartment("soma", length=20 * um, diameter=20 * um,
                   channels=[leak, channels.HHNa(), channels.HHK()])
dend = Compartment("dend", length=300 * um, diameter=1 * um, nseg=15, channels=[leak])
cell = CellTemplate("tutorial_syn", [soma, dend], [("soma", "dend")], Ra=150 * ohm * cm,
                    celsius=6.3)
cell = cell.with_channels({"dend": [AMPA(), NMDA()], "soma": [GABAA()]})

# %% Step 2: n synchronous synapses at 200 um, n = 1..20 (one neuron per n), with and
# without NMDA, somatic Na and K channels blocked (TTX + TEA) so EPSPs stay subthreshold;
# the weight w scales the synapse's peak conductance
n = np.arange(1, 31)
group = cell.make_group(2 * len(n))
group.gbar_hhna_soma = group.gbar_hhk_soma = 0 * msiemens / cm**2
compartments.equilibrate(group)
source = SpikeGeneratorGroup(1, [0], [5 * ms])
syn = synapses.connect(source, group, {"ampa": 0.25 * nS, "nmda": 0.5 * nS},
                       distance=200 * um, within="dend", i=0, j=np.arange(2 * len(n)))
syn.w = np.r_[n, n]
syn.gpeak_nmda[len(n):] = 0 * nS
print(synapses.placement(syn).head(3))
mon = StateMonitor(group, "v_soma", record=True)
Network(group, source, syn, mon).run(80 * ms)
peak = (mon.v_soma / mV).max(axis=1) - mon.v_soma[:, 0] / mV
fig, ax = plt.subplots(figsize=(4.5, 3.5))
for part, label in ((slice(0, len(n)), "AMPA + NMDA"), (slice(len(n), None), "AMPA")):
    ax.plot(n * peak[part][0], peak[part], "o-", ms=3, label=label)
ax.plot([0, 50], [0, 50], "k:", lw=0.8)
ax.set_xlabel("expected somatic EPSP (mV)")
ax.set_ylabel("measured (mV)")
ax.legend()
fig.tight_layout()
fig.savefig(os.path.join(OUT, "03_dendritic_integration.png"), dpi=100)

# %% Step 3: background — Poisson drive onto the dendrite's AMPA receptors
group = cell.make_group(2)
drive = background.poisson_drive(group, "ampa", at="dend_5", rate=5 * Hz, n_inputs=300,
                                 gpeak=0.3 * nS, seed=1)
mon = StateMonitor(group, "v_soma", record=True)
Network(group, drive, mon).run(200 * ms)
print(f"mean somatic potential under Poisson drive: {np.mean(mon.v_soma / mV):.1f} mV")

# %% Step 4: the STDP window of a rule (imposed spike pairs); no cells from here on,
# so a coarser step is enough
defaultclock.dt = 0.1 * ms
rule = plasticity.STDP(A_plus=0.01, A_minus=0.0105, tau_plus=16.8 * ms, tau_minus=33.7 * ms)
window = stdp_window_rule(rule, np.arange(-100, 101, 5) * ms)
stdp_window_figure(window, title="pair-based STDP",
                   path=os.path.join(OUT, "03_stdp_window.png"))

# %% Step 5: three factors — a pairing writes an eligibility trace, dopamine 1 s later
# converts it (Izhikevich 2007)
dopamine = plasticity.third_factor(tau=200 * ms)
rule = plasticity.EligibilitySTDP(A_plus=1.0, A_minus=1.5, tau_plus=20 * ms, tau_minus=20 * ms,
                                  tau_ltp=1000 * ms, tau_ltd=1000 * ms, factor=dopamine,
                                  tau_conversion=200 * ms, w_max=10.0)
pre = SpikeGeneratorGroup(1, [0], [100 * ms])
post = SpikeGeneratorGroup(1, [0], [110 * ms])
reward = SpikeGeneratorGroup(1, [0], [1110 * ms])
gated = plasticity.plastic_synapses(pre, post, rule, weight=1.0)
drive = plasticity.drive_third_factor(reward, dopamine)
weights = StateMonitor(gated, ["w", "c_ltp"], record=0, dt=1 * ms)
Network(pre, post, reward, dopamine, gated, drive, weights).run(3000 * ms)
print(f"weight change after pairing + reward: {float(gated.w[0]) - 1:.4f}")
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(weights.t / ms, weights.c_ltp[0], label="LTP eligibility")
ax.plot(weights.t / ms, weights.w[0] - 1, label="Δw")
ax.axvline(1110, color="0.6", lw=0.8)
ax.set_xlabel("time (ms)")
ax.legend()
fig.tight_layout()
fig.savefig(os.path.join(OUT, "03_three_factor.png"), dpi=100)
print("figures in", OUT)
