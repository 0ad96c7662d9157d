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
# # 7. A reconstructed neuron: from an SWC file to a running model
#
# Reconstructions come as SWC files (NeuroMorpho.Org holds hundreds of thousands).
# `Morphology.from_swc` reads one the way NEURON's Import3d does — the same sections, the
# same 3-D points — and `to_template` makes a `CellTemplate` of it: one compartment per
# section, `nseg` by NEURON's d_lambda rule, channels painted on regions (soma, axon, basal,
# apical) and densities that follow the path distance from the soma. Segment areas, axial
# resistances and simulated voltages agree with NEURON on the same file to round-off
# (docs/morphology.md, tests/test_crosscheck_morphology.py).
#
# The cell here is a small one shipped with the package (NeuroMorpho.Org,
# `mp_ma_40984_gc2`, CC BY 4.0): a soma and 28 basal dendrites.
#
# *Reduced size:* the test suite runs this notebook with `BRIAN2COMPARTMENTS_QUICK=1`
# (a shorter run); unset, it takes about a minute on two cores.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from brian2 import cm, mV, ms, nA, ohm, siemens, uF, um

import compartments
from compartments import channels, record
from compartments.morphology import DistanceRule, Morphology, example_swc, exponential
from compartments.morphology.plot import plot_morphology

compartments.backends.use("numpy")  # 29 segments, two cells: no compile step needed
QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"

# %% [markdown]
# ## Step 1: read the file
# `Morphology.from_swc` checks the file (a missing parent, a cycle, a zero radius or an
# unknown point type is an error naming the line) and splits it into NEURON's sections.
# `table()` lists them with NEURON's names (`dend[3]` is `basal_3` here), their parents,
# lengths, areas and the SWC line each starts on.

# %%
morph = Morphology.from_swc(example_swc("mp_ma_40984_gc2"))
print(morph)
morph.table().head(8)

# %% [markdown]
# ## Step 2: how finely to discretise
# NEURON's d_lambda rule gives each section an odd number of segments, enough that none is
# longer than a tenth of the AC length constant at 100 Hz. It depends on the axial
# resistance and the membrane capacitance; For a quick first
# look, one segment per section (`nseg=1`, 29 segments) keeps the unrolled solver fast;
# templates of hundreds of segments build with the tree solver.

# %%
counts = morph.nseg(Ra=150 * ohm * cm, cm=1 * uF / cm**2)
print(f"d_lambda: {sum(counts.values())} segments; longest section "
      f"{max(counts, key=counts.get)} gets {max(counts.values())}")

# %% [markdown]
# ## Step 3: paint channels, and an Ih density that rises with distance
# Hodgkin–Huxley sodium and potassium on the soma (at the squid's 6.3 °C, as NEURON's `hh`;
# at 34 °C their gates are so fast that `make_group` warns the default 0.025 ms step is too
# large), a leak everywhere, and an h-current in
# the dendrites whose density grows exponentially with the path distance from the soma — as
# in cortical pyramidal dendrites (Kole et al. 2006); the numbers here are for illustration,
# and the rule says so in the parameter table, where every value carries its source.

# %%
ih_rule = DistanceRule("gbar_hcn", "basal",
                       exponential(0 * siemens / cm**2, 2e-5 * siemens / cm**2,
                                   rate=1 / (100 * um)),
                       source="illustration: 0.02 mS/cm2, e-fold per 100 um")
cell = morph.to_template(
    "gc2",
    paint={"all": [channels.Leak(g=5e-5 * siemens / cm**2, E=-70 * mV)],
           "soma": [channels.HHNa(), channels.HHK()],
           "basal": [channels.HCN()]},
    nseg=1, Ra=150 * ohm * cm, cm=1 * uF / cm**2, rules=[ih_rule], celsius=6.3)
table = cell.parameters
table[table.parameter == "gbar_hcn"][["segment", "value", "unit", "source"]].head()

# %%
distance = {k: float(v / um) for k, v in cell.path_distances().items()}
gbar = table[table.parameter == "gbar_hcn"].set_index("segment").value
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
plot_morphology(morph, distance, ax=axes[0], label="path distance from the soma (µm)")
plot_morphology(morph, dict(gbar) | {"soma": 0.0}, ax=axes[1], cmap="magma",
                label="Ih density gbar_hcn (S/m²)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Step 4: one run, two cells: a small and a large current step into the soma
# `make_group(2)` starts both cells at rest (the h-current depolarises the dendrites a
# little). Neuron 0 gets a subthreshold step, neuron 1 one that makes it fire. Every
# segment's voltage is recorded.

# %%
group = cell.make_group(2)
voltages = [f"v_{s}" for s in cell.segment_names]
duration, start = (40 if QUICK else 120) * ms, 10 * ms
rest = record(group, voltages, start)                   # before the step
group.I_ext_soma = [0.05, 0.4] * nA
traces = record(group, voltages, duration - start)      # during the step

# %% [markdown]
# ## Step 5: where the voltage goes
# Left: the depolarisation the small step causes in each segment, against its path
# distance — it decays along the dendrites, more steeply along the thin ones. Right: the
# spikes of neuron 1 at the soma and at the farthest dendrite end, where the passive
# dendrite filters them to small, slow bumps.

# %%
end = traces[traces.neuron == 0].iloc[-1]
before = rest[rest.neuron == 0].iloc[-1]
dv = {s: end[f"v_{s}_mV"] - before[f"v_{s}_mV"] for s in cell.segment_names}
tip = max(distance, key=distance.get)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].scatter([distance[s] for s in dv], list(dv.values()), c="k", s=12)
axes[0].set_xlabel("path distance from the soma (µm)")
axes[0].set_ylabel("steady depolarisation (mV)")
axes[0].set_title("0.05 nA into the soma")
spiking = traces[traces.neuron == 1]
for name, colour in (("soma", "k"), (tip, "tab:red")):
    axes[1].plot(spiking.t_ms, spiking[f"v_{name}_mV"], color=colour,
                 label=f"{name} ({distance[name]:.0f} µm)")
axes[1].set_xlabel("time (ms)")
axes[1].set_ylabel("v (mV)")
axes[1].set_title("0.4 nA into the soma")
axes[1].legend()
fig.tight_layout()
plt.show()
print(f"soma: {dv['soma']:.2f} mV; farthest end {tip}: {dv[tip]:.2f} mV "
      f"({dv[tip] / dv['soma']:.0%} of the soma's)")

# %% [markdown]
# ## Where next
# - Your own reconstruction: `Morphology.from_swc("cell.swc", labels={5: "oblique"})` for
#   custom point types; `morph.region("apical")` names the compartments of a region, e.g. for
#   `synapses.connect(..., within=...)`.
# - Full resolution: `nseg="d_lambda"` (the default). The larger shipped cell, `tc200`,
#   has 490 segments by the rule; `benchmarks/morphology_neuron.py` runs it in 100
#   heterogeneous copies against NEURON.
# - Densities from published models: Hay et al. 2011's apical Ih rule is written out in
#   docs/morphology.md (`origin="region", normalize=True`).
