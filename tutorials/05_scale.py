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
# # 5. Scale: the same circuit on Cython and on C++ standalone
#
# Brian2 turns equations into code for a *target*. Two matter for runs of any length:
#
# - **Cython** (runtime mode): Python drives the run loop and calls a compiled module per
#   object and step. Interactive: change a parameter, run again, look, in one session.
# - **cpp_standalone**: the whole network becomes one C++ program, compiled once and run
#   without Python. Far less overhead per step, optional OpenMP threads, and parameters can
#   change between runs *without recompiling* (`device.run(run_args=...)`).
#
# Circuits should run on cpp_standalone. This notebook builds one E/I circuit of catalogue
# cells — L2/3 pyramidal cells and PV basket cells with AMPA and GABA_A synapses and Poisson
# background input — runs it on both targets, measures time and memory, and sweeps the
# inhibitory weight on each. *Reduced size:* `BRIAN2COMPARTMENTS_QUICK=1`.

# %%
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from brian2 import Hz, Network, SpikeMonitor, defaultclock, device, ms, nS, prefs, seed

import celltypes
import compartments
from compartments import background, synapses
from compartments.analysis.population import spike_frame
from compartments.plotting_network import raster_figure
from compartments.receptors import AMPA, GABAA
from compartments.usage import Usage

QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"
N_E, N_I = (80, 20) if QUICK else (400, 100)
DURATION = 300 * ms if QUICK else 1000 * ms
WEIGHTS = [0.0, 1.0, 3.0] if QUICK else [0.0, 0.5, 1.0, 2.0, 4.0]   # inhibitory weight w
defaultclock.dt = 0.05 * ms

# %% [markdown]
# ## Step 1: the circuit, as one function
# Everything is ordinary Brian2: `make_group` gives `NeuronGroup`s, `synapses.connect` gives
# `Synapses`, `poisson_drive` gives `PoissonInput`s. Heterogeneity is drawn with `sample`
# and written into the groups (no read-back from the device, so the same code runs on
# cpp_standalone). The function is called once per target.

# %%
E_CELL = celltypes.get("L23_PC").with_channels({"apical": [AMPA()], "soma": [GABAA()]})
I_CELL = celltypes.get("PV_BC").with_channels({"soma": [AMPA(), GABAA()]})


def heterogeneous(cell, n, seed_):
    group = cell.make_group(n)
    for name, values in cell.sample(n, heterogeneity=0.1, seed=seed_).items():
        if name != "size_factor":
            setattr(group, name + "_", values.to_numpy())
    return group


def circuit(n_e, n_i, seed_=1):
    """E/I circuit: returns the network and its parts (by name)."""
    seed(seed_)
    E = heterogeneous(E_CELL, n_e, seed_)
    I = heterogeneous(I_CELL, n_i, seed_ + 1)
    parts = {
        "E": E, "I": I,
        # drives (E / I) tuned to the refitted cells of catalogue v2: at the former
        # 2.2 / 1.5 nS they fire at ~67 / ~61 Hz without I->E inhibition; at 0.9 / 0.6 nS
        # the E rate falls from ~25 Hz to ~1 Hz across the sweep
        "drive_E": background.poisson_drive(E, "ampa", at="apical", rate=20 * Hz,
                                            n_inputs=200, gpeak=0.9 * nS),
        "drive_I": background.poisson_drive(I, "ampa", at="soma", rate=20 * Hz, n_inputs=200,
                                            gpeak=0.6 * nS),
        "EE": synapses.connect(E, E, {"ampa": 0.5 * nS}, at="apical", p=0.1,
                               delay=1.5 * ms),
        "EI": synapses.connect(E, I, {"ampa": 1.0 * nS}, at="soma", p=0.2, delay=1 * ms),
        "IE": synapses.connect(I, E, {"gabaa": 2.0 * nS}, at="soma", p=0.3, delay=1 * ms),
        "II": synapses.connect(I, I, {"gabaa": 1.0 * nS}, at="soma", p=0.3, delay=1 * ms),
        "spikes_E": SpikeMonitor(E), "spikes_I": SpikeMonitor(I),
    }
    return Network(*parts.values()), parts


def rates(parts, duration, skip=100 * ms):
    """Mean rate (Hz) of E and I cells after the first ``skip`` (the start-up transient)."""
    out = {}
    for pop in ("E", "I"):
        t = np.asarray(parts[f"spikes_{pop}"].t / ms)
        out[f"rate_{pop}_Hz"] = np.sum(t >= skip / ms) / len(parts[pop]) / float(
            (duration - skip) / (1000 * ms))
    return out


# %% [markdown]
# ## Step 2: Cython
# The first run generates and compiles the code (cached on disk: a second session skips
# the compilation), the second only simulates. `Usage` measures wall and CPU time and
# peak memory of the block.

# %%
compartments.backends.use("cython")
measurements = []
with Usage() as used:
    net, parts = circuit(N_E, N_I)
    net.store("initial")
measurements.append(dict(target="cython", step="build groups", **used.as_dict()))
with Usage() as used:
    net.run(DURATION)
measurements.append(dict(target="cython", step="first run (compile + simulate)",
                         **used.as_dict()))
with Usage() as used:
    net.restore("initial")
    net.run(DURATION)
measurements.append(dict(target="cython", step="same run again (simulate)", **used.as_dict()))
print(rates(parts, DURATION))

spikes = spike_frame({"E": parts["spikes_E"], "I": parts["spikes_I"]})
fig = raster_figure(spikes, {"E": N_E, "I": N_I}, duration_ms=float(DURATION / ms), bin_ms=5,
                    smooth_ms=5, title="E/I circuit (Cython)")

# %% [markdown]
# The sweep on Cython: restore the stored initial state, change the weight of every I→E
# synapse (a per-synapse variable, so nothing recompiles), run again.

# %%
sweep = []
with Usage() as used:
    for weight in WEIGHTS:
        net.restore("initial")
        parts["IE"].w = weight
        net.run(DURATION)
        sweep.append(dict(target="cython", w_IE=weight, **rates(parts, DURATION)))
measurements.append(dict(target="cython", step=f"sweep of {len(WEIGHTS)} runs",
                         **used.as_dict()))

# %% [markdown]
# ## Step 3: C++ standalone
# The same function builds the same circuit on the standalone device. `build_on_run`: the
# first `run` writes, compiles and runs the C++ project (in a folder that can be reused:
# an unchanged model is not recompiled). `device.run(run_args=...)` then reruns the
# compiled program with new initial values of any variable — here the I→E weights — without
# recompiling. (A process cannot go back from standalone to runtime mode: this comes last.)

# %%
project = os.path.join(tempfile.gettempdir(), "brian2compartments_tutorial05")
compartments.backends.use("cpp_standalone", directory=project)
prefs.devices.cpp_standalone.openmp_threads = 0   # 0: one thread; 2 would use both cores
with Usage() as used:
    net, parts = circuit(N_E, N_I)
measurements.append(dict(target="cpp_standalone", step="build groups", **used.as_dict()))
with Usage() as used:
    net.run(DURATION)
measurements.append(dict(target="cpp_standalone", step="first run (compile + simulate)",
                         **used.as_dict()))
print(rates(parts, DURATION))

with Usage() as used:
    for k, weight in enumerate(WEIGHTS):
        device.run(run_args={parts["IE"].w: weight}, results_directory=f"results_{k}")
        sweep.append(dict(target="cpp_standalone", w_IE=weight, **rates(parts, DURATION)))
measurements.append(dict(target="cpp_standalone", step=f"sweep of {len(WEIGHTS)} runs",
                         **used.as_dict()))

# %% [markdown]
# ## Step 4: time and memory
# `cpu_s` counts this process and the processes it started (the compiler, the standalone
# program); `child_peak_rss_MiB` is the largest of those processes (on the standalone
# runs: the compiled program, or the compiler while it builds).

# %%
pd.DataFrame(measurements).round(2)

# %% [markdown]
# On two cores the first Cython run pays for compiling the cell templates (minutes cold,
# seconds from the disk cache); standalone compiles the whole project once, and each later
# run of the program costs only the simulation, with no Python in the loop. The longer the
# run and the larger the network, the more the per-step overhead of runtime mode shows.
#
# ## Step 5: the sweep
# The circuit's rates against the inhibitory weight, on both targets. They agree in trend,
# not spike for spike: the two targets draw their random numbers (Poisson input,
# connectivity) from different generators.

# %%
sweep = pd.DataFrame(sweep)
fig, ax = plt.subplots(figsize=(5, 3.2))
for k, (target, part) in enumerate(sweep.groupby("target")):
    ax.plot(part.w_IE, part.rate_E_Hz, "o-", color=f"C{k}", label=f"E, {target}")
    ax.plot(part.w_IE, part.rate_I_Hz, "s--", color=f"C{k}", label=f"I, {target}")
ax.set_xlabel("I→E weight w (× 2 nS)")
ax.set_ylabel("rate (Hz)")
ax.legend(fontsize=8);
sweep.round(2)

# %% [markdown]
# For larger sweeps, a parameter that belongs to a neuron (a channel density, a receptor
# level) is better swept *inside* one group — one neuron per parameter set, as the
# catalogue's protocols do — so that one run covers the whole sweep.
