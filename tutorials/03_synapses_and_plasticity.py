# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. Synapses, background input and plasticity
#
# Receptors are mechanisms of the *post-synaptic* template: an `AMPA()` in a dendrite gives
# every neuron a conductance `g_ampa_dend_<k>` in each of its segments. `synapses.connect`
# places synapses by compartment or by path distance and returns an ordinary Brian2
# `Synapses` whose spikes increment those conductances; plasticity rules plug into it, and
# a third factor (a neuromodulator) can gate what the rule writes into eligibility traces.
#
# Steps: dendritic integration with and without NMDA receptors; Poisson background input;
# the STDP window of a rule; a three-factor rule with delayed reward.
# *Reduced size:* `BRIAN2COMPARTMENTS_QUICK=1`.

# %%
import os

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
QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"

# %% [markdown]
# ## Step 1: a cell, then receptors where synapses will land
# A Hodgkin–Huxley soma (at 6.3 °C, the squid's temperature) with a thin passive dendrite
# of 15 segments; AMPA and NMDA receptors (Jahr–Stevens Mg²⁺ block) on the dendrite,
# GABA_A on the soma.

# %%
leak = channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)
soma = Compartment("soma", length=20 * um, diameter=20 * um,
                   channels=[leak, channels.HHNa(), channels.HHK()])
dend = Compartment("dend", length=300 * um, diameter=1 * um, nseg=15, channels=[leak])
cell = CellTemplate("tutorial_syn", [soma, dend], [("soma", "dend")], Ra=150 * ohm * cm,
                    celsius=6.3)
cell = cell.with_channels({"dend": [AMPA(), NMDA()], "soma": [GABAA()]})
[v for v in cell.equations.names if v.startswith("g_") and v.endswith("dend_7")]

# %% [markdown]
# ## Step 2: dendritic integration
# `n` synapses activated together 200 µm from the soma, one neuron per `n` (the weight `w`
# scales a synapse's peak conductance), with and without NMDA receptors. Somatic Na⁺ and K⁺
# channels are blocked (as with TTX and TEA) so the EPSPs stay below threshold. If inputs
# summed linearly, the measured EPSP would be `n` times the unitary one (dotted line).

# %%
n = np.arange(1, 31, 3 if QUICK else 1)
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
ax.legend();

# %% [markdown]
# AMPA alone sums *sub*linearly: each synapse's driving force shrinks as the dendrite
# depolarises. With NMDA receptors the curve bends upwards once the depolarisation
# relieves the Mg²⁺ block — the supralinear integration of thin dendrites.
#
# ## Step 3: background input
# `poisson_drive` adds independent Poisson inputs (here 300 at 5 Hz each) onto one receptor
# of one segment of every neuron, as a Brian2 `PoissonInput`.

# %%
group = cell.make_group(2)
drive = background.poisson_drive(group, "ampa", at="dend_5", rate=5 * Hz, n_inputs=300,
                                 gpeak=0.3 * nS, seed=1)
mon = StateMonitor(group, ["v_soma", "v_dend_5"], record=0)
Network(group, drive, mon).run(100 * ms if QUICK else 200 * ms)
print(f"mean somatic potential under Poisson drive: {np.mean(mon.v_soma / mV):.1f} mV")
fig, ax = plt.subplots(figsize=(6, 2.6))
ax.plot(mon.t / ms, mon.v_dend_5[0] / mV, lw=0.7, label="dend_5 (where the inputs land)")
ax.plot(mon.t / ms, mon.v_soma[0] / mV, lw=0.7, label="soma")
ax.set_xlabel("time (ms)")
ax.set_ylabel("v (mV)")
ax.legend(fontsize=8);

# %% [markdown]
# ## Step 4: the STDP window of a rule
# `stdp_window_rule` imposes pre and post spike pairs at each Δt (one synapse per Δt, one
# run) and returns the weight changes: the rule's window, independent of any cell. This is
# the pair-based rule with Bi & Poo's time constants (van Rossum et al. 2000 fit).

# %%
defaultclock.dt = 0.1 * ms      # no cells from here on: a coarser step is enough
rule = plasticity.STDP(A_plus=0.01, A_minus=0.0105, tau_plus=16.8 * ms, tau_minus=33.7 * ms)
window = stdp_window_rule(rule, np.arange(-100, 101, 10 if QUICK else 5) * ms)
fig = stdp_window_figure(window, title="pair-based STDP")

# %% [markdown]
# ## Step 5: three factors — eligibility now, reward later
# In `EligibilitySTDP` a pairing writes into LTP and LTD eligibility traces instead of the
# weight; a third factor (here dopamine, released one second after the pairing) converts
# the traces into a weight change (Izhikevich 2007; the design follows He et al. 2015 in
# keeping LTP and LTD traces apart). Without the reward, the weight would not move.

# %%
defaultclock.dt = 1 * ms        # spike generators and traces of 20 ms and longer
dopamine = plasticity.third_factor(tau=200 * ms)
rule = plasticity.EligibilitySTDP(A_plus=1.0, A_minus=1.5, tau_plus=20 * ms, tau_minus=20 * ms,
                                  tau_ltp=1000 * ms, tau_ltd=1000 * ms, factor=dopamine,
                                  tau_conversion=200 * ms, w_max=10.0)
pre = SpikeGeneratorGroup(1, [0], [100 * ms])
post = SpikeGeneratorGroup(1, [0], [110 * ms])
reward = SpikeGeneratorGroup(1, [0], [1110 * ms])
gated = plasticity.plastic_synapses(pre, post, rule, weight=1.0)
release = plasticity.drive_third_factor(reward, dopamine)
weights = StateMonitor(gated, ["w", "c_ltp"], record=0, dt=1 * ms)
Network(pre, post, reward, dopamine, gated, release, weights).run(3000 * ms)
print(f"weight change after pairing + reward: {float(gated.w[0]) - 1:.4f}")

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(weights.t / ms, weights.c_ltp[0], label="LTP eligibility")
ax.plot(weights.t / ms, weights.w[0] - 1, label="Δw")
ax.axvline(1110, color="0.6", lw=0.8)
ax.set_xlabel("time (ms)")
ax.legend();

# %% [markdown]
# The eligibility trace decays over a second; the reward (grey line) converts what is left
# of it into a lasting weight change. How neuromodulators reshape the window itself
# (dopamine turning post-before-pre depression into potentiation, and so on) is the subject
# of docs/plasticity.md and the neuromodulated-plasticity presets.
