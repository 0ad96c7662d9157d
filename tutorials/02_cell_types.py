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
# # 2. The cell-type catalogue, and heterogeneous populations
#
# `celltypes` holds cortical and thalamic cell types as data: one CSV file per type with
# every parameter, its unit and its source (paper and figure or table, or public model
# file), plus published target features. A catalogue type is a template: `make_group`
# gives a `NeuronGroup`. This notebook
#
# 1. looks at what the catalogue holds, with sources;
# 2. runs a type's standard protocol (current steps, one neuron per amplitude) and puts its
#    features beside the published targets;
# 3. draws a heterogeneous population — lognormal channel densities and a cell-size factor,
#    one draw per neuron, in one group — and looks at the spread of its firing.
#
# `python -m celltypes atlas` does step 2 for every type under each neuromodulator and writes
# an HTML page; this notebook shows the pieces. *Reduced size:* `BRIAN2COMPARTMENTS_QUICK=1`.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms, nA

import celltypes
import compartments
from celltypes import characterise
from celltypes.scoring import compare
from compartments.analysis import features, protocols
from compartments.plotting_cells import cell_type_figure
from compartments.plotting_morphology import morphology_figure
from compartments.plotting_network import raster_figure

compartments.backends.use("numpy")  # small templates: no compiler needed
QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"

# %% [markdown]
# ## Step 1: what is in the catalogue
# `names()` lists the types; `table(name)` is the type's data file; `targets(name)` its
# published features. Aliases: `PV`, `SST`, `VIP`.

# %%
print(celltypes.names())
pv = celltypes.get("PV")                       # alias of PV_BC
celltypes.table("PV_BC")[["compartment", "parameter", "value", "unit", "source"]].head(8)

# %%
pv.targets[["feature", "mean", "sd", "n", "low", "high", "unit", "v1"]]  # data: mean, SD, n

# %% [markdown]
# The templates are reduced cells — a soma and a few dendritic compartments — drawn here
# to scale (`morphology_figure`; line width follows the diameter):

# %%
shown = ["PV_BC", "SST_MC", "VIP_BP", "L23_PC", "L5_TTPC", "TC"]
fig, axes = plt.subplots(1, len(shown), figsize=(2.4 * len(shown), 3.4))
for ax, name in zip(axes, shown):
    morphology_figure(celltypes.get(name), title=name, ax=ax)
fig.tight_layout()

# %% [markdown]
# ## Step 2: the standard protocol, features beside targets
# `characterise` runs the type's standard steps (`characterise.STANDARD`: two
# hyperpolarising steps, an F-I series, controls with a channel removed) as one group, one
# neuron per step, so the type is built once. `summary` reads the features the targets
# name, and `compare` puts them side by side.

# %%
recording, per_neuron = characterise.characterise(pv)
summary = characterise.summary(per_neuron, characterise.STANDARD["PV_BC"], recording)
compare("PV_BC", summary)[["feature", "model", "target", "unit", "status", "v1"]].round(3)

# %%
fig = cell_type_figure(recording, per_neuron, title="PV_BC: standard steps and F-I curve")

# %% [markdown]
# `status` is the control model against the published data: within 2 SD of the mean of `n`
# recorded cells (Allen Cell Types, Patch-seq), or inside a range; `v1 = calibration` marks
# targets a type does not meet yet. PV_BC (catalogue v2: soma size and three conductances
# fitted here to those data) meets all of them, with the narrow, non-adapting spikes of
# fast-spiking basket cells.
#
# ## Step 3: a heterogeneous population in one group
# `sample(n, heterogeneity=cv)` draws per-neuron parameters: every conductance density is
# multiplied by a mean-1 lognormal factor with coefficient of variation `cv`, and a size
# factor scales every segment's area (and axial conductances with its square root). The
# draw depends only on the seed.

# %%
n = 30 if QUICK else 100
drawn = pv.sample(n, heterogeneity=0.15, seed=3)
fig, axes = plt.subplots(1, 3, figsize=(10, 2.6))
for ax, column in zip(axes, ["gbar_nat_soma", "gbar_kv3_soma", "size_factor"]):
    ax.hist(drawn[column] / drawn[column].mean(), bins=15, color="0.5")
    ax.set_xlabel(f"{column} / mean")
fig.tight_layout()

# %% [markdown]
# `make_group(n, heterogeneity=..., seed=...)` makes the group with the same draw and moves
# every neuron to its own resting state. With the same group name as the standard protocol,
# the compiled code is the same (on Cython: no second compilation). Every neuron gets the
# same 1.5 nA step:

# %%
group = pv.make_group(n, heterogeneity=0.15, seed=3, dt=characterise.DT,
                      name=characterise.group_name(pv))
duration = 150 * ms if QUICK else 300 * ms
rec = protocols.steps(group, np.full(n, 1.5) * nA, delay=50 * ms, duration=duration,
                      after=50 * ms)
f = features.spike_features(rec)
print(f"silent in the step: {int((f.n_spikes == 0).sum())} of {n}; "
      f"rate {f.rate_Hz.mean():.0f} ± {f.rate_Hz.std():.0f} Hz")
fig = raster_figure(rec.spikes, n, duration_ms=rec.duration, bin_ms=10,
                    title="100 PV cells drawn with CV 0.15, same 1.5 nA step" if not QUICK
                    else f"{n} PV cells, CV 0.15, 1.5 nA step")

# %% [markdown]
# The raster orders neurons by their index; the rate below it is the population mean in
# 10 ms bins. Which parameters make a cell fire faster? The drawn values are a table, so
# ask it:

# %%
table = drawn.assign(rate_Hz=f.rate_Hz.to_numpy())
correlation = table.corr(numeric_only=True)["rate_Hz"].drop("rate_Hz")
correlation.sort_values(key=abs, ascending=False).round(2).head(6)

# %% [markdown]
# The cell's size dominates (the soma's area, and with it the size factor): the same
# current depolarises a bigger cell less, so it fires slower. Next come the soma's leaks:
# PV_BC's leak is split into a K⁺ part and a cation part with a reversal of 0 mV, so more
# cation leak depolarises and speeds firing. The same kind of analysis, over thousands of
# neurons and parameter sets, is how a type's parameters are fitted to its targets.
