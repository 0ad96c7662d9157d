# %% [markdown]
# # 2. Cell types from the catalogue, and a heterogeneous population
# A catalogue cell type is a `CellTemplate` with sourced parameters and curated targets.
# One group holds every condition (here: step amplitudes) and every neuron its own
# parameters, so the type compiles once.
# Run: `.venv/bin/python tutorials/02_cell_types.py` (figures go to `tutorials/output/`).

# %%
import os

import numpy as np
from brian2 import ms, nA

import celltypes
from celltypes import characterise
from compartments.analysis import features, protocols
from compartments.plotting_cells import cell_type_figure

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
os.makedirs(OUT, exist_ok=True)

# %% Step 1: what is in the catalogue, with sources
print(celltypes.names())
pv = celltypes.get("PV")                       # alias of PV_BC
print(celltypes.table("PV_BC")[["compartment", "parameter", "value", "unit", "source"]].head(6))
print(pv.targets[["feature", "mean", "sd", "low", "high", "unit", "v1"]])   # data: mean, SD

# %% Step 2: the standard steps (one neuron per amplitude) and the summary features
recording, per_neuron = characterise.characterise(pv)
print(characterise.summary(per_neuron, characterise.STANDARD["PV_BC"], recording).round(3))
cell_type_figure(recording, per_neuron, title="PV_BC", path=os.path.join(OUT, "02_pv_bc.png"))

# %% Step 3: a heterogeneous population: lognormal densities, a size factor, one group
drawn = pv.sample(100, heterogeneity=0.15, seed=3)
print(drawn[["gbar_nat_soma", "gbar_kv3_soma", "size_factor"]].describe().loc[["mean", "std"]])
group = pv.make_group(100, heterogeneity=0.15, seed=3, dt=characterise.DT,
                      name=characterise.group_name(pv))   # same code as step 2: no recompile
rec = protocols.steps(group, np.full(100, 1.5) * nA, delay=50 * ms, duration=300 * ms,
                      after=50 * ms)
f = features.spike_features(rec)
print(f"silent (no spike in the step): {int((f.n_spikes == 0).sum())} of 100; "
      f"rate {f.rate_Hz.mean():.0f} +- {f.rate_Hz.std():.0f} Hz")
print("figure:", os.path.join(OUT, "02_pv_bc.png"))
