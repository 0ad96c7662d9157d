# %% [markdown]
# # 1. Build a cell, find its rest, inject current
# A soma with Hodgkin–Huxley channels and a passive apical dendrite, as a plain
# Brian2 `NeuronGroup`: one neuron per condition, every parameter per neuron.
# Run: `.venv/bin/python tutorials/01_build_a_cell.py` (figures go to `tutorials/output/`).

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import Network, StateMonitor, cm, mV, ms, msiemens, nA, ohm, uF, um

import compartments
from compartments import CellTemplate, Compartment, channels, linearize

compartments.backends.use("numpy")  # small and short: no compile step needed
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
os.makedirs(OUT, exist_ok=True)

# %% Step 1: compartments and channels (what is painted on each membrane)
soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                   channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                             channels.HHNa(), channels.HHK()])
apical = Compartment("apical", length=400 * um, diameter=3 * um, nseg=4,
                     channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)])
cell = CellTemplate("tutorial", [soma, apical], connections=[("soma", "apical")],
                    Ra=150 * ohm * cm)
print(cell.segment_names)
print(cell.parameters[["variable", "value", "unit", "source"]].head(8))

# %% Step 2: linear properties at rest (no simulation)
lin = linearize(cell)
print(f"input resistance at the soma: {lin.input_resistance('soma')}")
print(f"steady-state attenuation soma -> apical_3: {lin.attenuation('soma', 'apical_3'):.3f}")

# %% Step 3: one neuron per current, all at rest at t = 0
group = cell.make_group(3)
group.I_ext_soma = [0.05, 0.15, 0.3] * nA
group.gbar_hhk_soma[2] = 50 * msiemens / cm**2   # heterogeneity: no recompilation
mon = StateMonitor(group, ["v_soma", "v_apical_3"], record=True)
Network(group, mon).run(60 * ms)

# %% Step 4: look
fig, ax = plt.subplots(figsize=(6, 3))
for k in range(3):
    ax.plot(mon.t / ms, mon.v_soma[k] / mV, label=f"{group.I_ext_soma[k] / nA:.2f} nA")
ax.set_xlabel("time (ms)")
ax.set_ylabel("v_soma (mV)")
ax.legend()
fig.savefig(os.path.join(OUT, "01_build_a_cell.png"), dpi=100)
print("figure:", os.path.join(OUT, "01_build_a_cell.png"))
