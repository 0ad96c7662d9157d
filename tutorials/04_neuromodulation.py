# %% [markdown]
# # 4. Neuromodulation: a modulator, its receptors and their effectors
# A modulator pool holds receptor-site concentrations (`c_ACh`, ...); each neuron reads
# its region's pool through linked variables. Receptors expressed by the cell type turn
# occupancy into effector activity with their own time constants, and effectors scale
# channel densities. Here: acetylcholine on a thalamocortical (TC) relay cell, which
# closes a K leak through M1 (slow, depolarising) and, in higher-order relay cells, opens
# GIRK through M2 (faster, hyperpolarising).
# Run: `.venv/bin/python tutorials/04_neuromodulation.py` (figure in `tutorials/output/`).

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Network, StateMonitor, TimedArray, defaultclock, mV, ms, second, uM

import celltypes
import compartments
from compartments.neuromodulation import modulator_pool
from compartments.template import modulation_of

compartments.backends.use("numpy")  # one compartment, three neurons: no compile step needed
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
os.makedirs(OUT, exist_ok=True)

# %% Step 1: the receptors a type expresses, and where (celltypes/modulation/TC.csv)
tc = celltypes.get("TC")
print(tc.expression.table[["receptor", "compartment", "fraction", "level"]])

# %% Step 2: a bath application as a TimedArray: 10 uM ACh at the receptors from 1 to 4 s
# (levels are receptor-site concentrations; `bath_to_receptor_site` maps slice baths)
bath = np.zeros(100)
bath[10:40] = 10.0
pool = modulator_pool(("ACh",), timed_arrays={"ACh": TimedArray(bath * uM, dt=100 * ms)})

# %% Step 3: three cells of the type, with the expression set by hand (make_group draws it:
# 20 % of TC cells express M2): none, M1 only (first-order relay), M1 and M2
# The protocol stays below spike threshold and its effects are slow: 1 ms steps suffice.
defaultclock.dt = 1 * ms
group = tc.make_group(3, modulators=("ACh",), pool=pool, seed=0)
group.x_M1_soma_ = [0.0, 1.0, 1.0]
group.x_M2_soma_ = [0.0, 0.0, 1.0]
compartments.equilibrate(group)
report = modulation_of(group).report()
print(report[["receptor", "channel", "parameter", "kind", "s", "applied"]])

mon = StateMonitor(group, ["v_soma", "e_M1", "e_M2"], record=True, dt=10 * ms)
Network(group, pool, mon).run(12 * second)

# %% Step 4: M2 acts within ~0.3 s and stops soon after washout; M1 develops over seconds
# and outlasts the application (tau_off 20 s; cholinergic slow EPSPs last 20-30 s,
# Cole & Nicoll 1984)
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
fig.savefig(os.path.join(OUT, "04_acetylcholine_tc.png"), dpi=90)

rest = v[:, 90]                            # just before the application
early = v[:, (t > 1) & (t < 2)]            # first second of ACh
late = v[:, (t > 5) & (t < 6)]             # after washout
print("rest (mV):", np.round(rest, 2))
print("largest hyperpolarisation in the first second (mV):", np.round(early.min(axis=1) - rest, 2))
print("depolarisation 1-2 s after washout (mV):", np.round(late.mean(axis=1) - rest, 2))
assert np.allclose(v[0], rest[0], atol=1e-6)       # no receptors: nothing happens
assert early[2].min() < rest[2] < late[2].mean()   # M1 + M2: first down, then up
assert late[1].mean() > rest[1] + 0.5              # M1: the slow depolarisation outlasts ACh

# %% Step 5: heterogeneity of modulation: expression is drawn per neuron
population = tc.make_group(500, modulators=("ACh",), pool=pool, seed=3)
print("fraction of cells expressing M2:", np.mean(population.x_M2_soma_ > 0))

# %% [markdown]
# Next: `compartments.analysis.modulation.modulated_excitability(cell, conditions)` measures
# resting potential, input resistance, rheobase, F-I gain and adaptation per condition, and
# `celltypes.modulation.effect_conditions("TC")` gives the conditions of the published
# effect table (`celltypes/modulation_effects.csv`; model vs published:
# docs/neuromodulation_effects.md).
