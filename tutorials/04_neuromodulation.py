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
# # 4. Neuromodulation of excitability
#
# A modulator pool holds receptor-site concentrations (`c_ACh`, ...); each neuron reads its
# region's pool through linked variables. Receptors expressed by the cell type turn
# occupancy into effector activity with their own time constants, and effectors scale
# channel densities. Two views:
#
# 1. **time course** — acetylcholine on a thalamocortical (TC) relay cell closes a K⁺ leak
#    through M1 (slow, depolarising) and, in higher-order relay cells, opens GIRK through M2
#    (faster, hyperpolarising);
# 2. **steady state** — F-I curves of a layer 2/3 pyramidal cell under each modulator, with
#    the measured changes beside the published directions.
#
# *Reduced size:* `BRIAN2COMPARTMENTS_QUICK=1`.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from brian2 import Network, StateMonitor, TimedArray, defaultclock, mV, ms, nA, second, uM

import celltypes
import compartments
from celltypes.modulation import modulator_conditions, published_effects
from compartments.analysis.modulation import modulated_excitability
from compartments.guard import StepTooLargeWarning
from compartments.neuromodulation import modulator_pool
from compartments.plotting_cells import fi_curves_figure
from compartments.template import modulation_of

compartments.backends.use("numpy")  # small templates: no compile step needed
QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"

# %% [markdown]
# ## Step 1: the receptors a type expresses, and where
# `celltypes/modulation/TC.csv`: per receptor and compartment, the fraction of cells of the
# type that express it, the level when expressed, and the source.

# %%
tc = celltypes.get("TC")
tc.expression.table[["receptor", "compartment", "fraction", "level", "source"]]

# %% [markdown]
# ## Step 2: a bath application
# 10 µM acetylcholine at the receptors from 1 to 4 s, as a `TimedArray` read by the pool.
# Levels are receptor-site concentrations; `bath_to_receptor_site` converts slice bath
# concentrations.

# %%
bath = np.zeros(100)
bath[10:40] = 10.0
pool = modulator_pool(("ACh",), timed_arrays={"ACh": TimedArray(bath * uM, dt=100 * ms)})

# %% [markdown]
# ## Step 3: three cells, expression set by hand
# `make_group` draws each neuron's expression (20 % of TC cells express M2); here it is set
# by hand: no receptors, M1 only (a first-order relay cell), M1 and M2. The protocol stays
# below spike threshold and its effects are slow: 1 ms steps suffice. (`make_group` warns
# that such a step would misplace spikes — `StepTooLargeWarning` — true, and there are none
# here, so the warning is silenced for this group only.)

# %%
defaultclock.dt = 1 * ms
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StepTooLargeWarning)
    group = tc.make_group(3, modulators=("ACh",), pool=pool, seed=0)
group.x_M1_soma_ = [0.0, 1.0, 1.0]
group.x_M2_soma_ = [0.0, 0.0, 1.0]
compartments.equilibrate(group)
report = modulation_of(group).report()
report[["receptor", "channel", "parameter", "kind", "s", "applied"]]

# %%
mon = StateMonitor(group, ["v_soma", "e_M1", "e_M2"], record=True, dt=10 * ms)
Network(group, pool, mon).run(12 * second)

# %% [markdown]
# ## Step 4: two time courses
# M2 acts within ~0.3 s and stops soon after washout; M1 develops over seconds and outlasts
# the application (τ_off 20 s; cholinergic slow EPSPs last 20–30 s, Cole & Nicoll 1984).

# %%
t = np.asarray(mon.t / second)
v = np.asarray(mon.v_soma / mV)
fig, (ax_v, ax_e) = plt.subplots(2, 1, figsize=(6, 5), sharex=True)
for k, label in enumerate(["no receptors", "M1", "M1 + M2"]):
    ax_v.plot(t, v[k], label=label)
ax_v.axvspan(1, 4, color="0.9")
ax_v.set_ylabel("v soma (mV)")
ax_v.legend(fontsize=8)
ax_e.plot(t, mon.e_M1[2], label="e_M1")
ax_e.plot(t, mon.e_M2[2], label="e_M2")
ax_e.set_xlabel("time (s)")
ax_e.set_ylabel("effector")
ax_e.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# The numbers, and the checks this notebook makes on them (an `assert` fails loudly if a
# change to the library breaks the behaviour):

# %%
rest = v[:, 90]                            # just before the application
early = v[:, (t > 1) & (t < 2)]            # first second of ACh
late = v[:, (t > 5) & (t < 6)]             # after washout
print("rest (mV):", np.round(rest, 2))
print("largest hyperpolarisation in the first second (mV):", np.round(early.min(axis=1) - rest, 2))
print("depolarisation 1-2 s after washout (mV):", np.round(late.mean(axis=1) - rest, 2))
assert np.allclose(v[0], rest[0], atol=1e-6)       # no receptors: nothing happens
assert early[2].min() < rest[2] < late[2].mean()   # M1 + M2: first down, then up
assert late[1].mean() > rest[1] + 0.5              # M1: the slow depolarisation outlasts ACh

# %% [markdown]
# ## Step 5: heterogeneity of modulation
# Expression is drawn per neuron from the table's fractions, with the group's seed:

# %%
with warnings.catch_warnings():               # still dt = 1 ms; this group is not run
    warnings.simplefilter("ignore", StepTooLargeWarning)
    population = tc.make_group(500, modulators=("ACh",), pool=pool, seed=3)
print("fraction of cells expressing M2:", np.mean(population.x_M2_soma_ > 0))

# %% [markdown]
# ## Step 6: F-I curves under each modulator
# `modulated_excitability` runs one group for all conditions: each condition (control, or
# a modulator at a receptor-site level) reads its own pool neuron, and each of its neurons
# gets one current step, so the type is built once. Here every L2/3 pyramidal neuron
# expresses every receptor of its table (M1, 5-HT1A, 5-HT2A, β and α1 adrenergic;
# `all_expressing=True`, as in recordings from responding cells). It has no dopamine
# receptor, so `modulator_conditions` leaves dopamine out (it would act on nothing).

# %%
defaultclock.dt = 0.05 * ms if QUICK else 0.025 * ms
l23 = celltypes.get("L23_PC")
conditions = modulator_conditions("L23_PC")  # control; each modulator with a receptor here
amplitudes = [-0.05, 0.15, 0.3, 0.45, 0.6] * nA
summary, per_neuron = modulated_excitability(
    l23, conditions, amplitudes=amplitudes, delay=100 * ms,
    duration=200 * ms if QUICK else 500 * ms, after=50 * ms)
summary.round(2)

# %%
fig = fi_curves_figure(per_neuron, by="condition", title="L23_PC under each modulator")

# %% [markdown]
# Compare the directions with the published ones (`celltypes/modulation_effects.csv`,
# sources in docs/neuromodulation_sources.md):

# %%
table = published_effects()
rows = table[(table.cell_type == "L23_PC") & (table.receptors == "")
             & table.condition.isin(list(conditions))]
measured = summary.set_index("condition")
rows.assign(model_change=[measured.loc[r.condition, r.measure] - measured.loc["control", r.measure]
                          for r in rows.itertuples()])[
    ["condition", "measure", "published", "model_change", "source"]].round(3)

# %% [markdown]
# Acetylcholine (M1 closing the M-current and the K⁺ leak) and noradrenaline (β reducing the
# slow AHP, α1 closing the K⁺ leak) depolarise the cell, reduce adaptation and steepen the
# F-I curve, as McCormick (1993) reported; serotonin acts through inhibitory 5-HT1A and
# excitatory 5-HT2A at once (here: a hyperpolarised rest, little change in firing); dopamine
# changes nothing, because the L2/3 table lists no dopamine receptor. `python -m celltypes atlas` draws these curves for every type,
# and docs/neuromodulation_effects.md tabulates the model against every published effect.
