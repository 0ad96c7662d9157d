# %% [markdown]
# # 6. Neuromodulated plasticity: dopamine reshapes the STDP window
# A `ModulatedSTDP` rule reads the modulator pools that act on excitability — receptor
# occupancy at the synapse, or the post-synaptic neuron's own effector state — and scales
# each branch of the window (LTP, LTD), the eligibility traces and their conversion.
# Presets reproduce published preparations, each value with its source. Here: the CA1
# preset (dopamine converts t-LTD into t-LTP, Brzosko et al. 2015), then a small network of
# L2/3 pyramidal cells that learns which of two cues predicts a delayed reward — which the
# unmodulated rule, blind to the reward, does not.
#
# *Reduced size:* `BRIAN2COMPARTMENTS_QUICK=1` (the test suite's setting).

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor, defaultclock, ms, nA, nS, second, uM

import celltypes
import compartments
from compartments import synapses
from compartments.analysis.modulated_pairing import pairing_experiment
from compartments.modulated_stdp import Gain, ModulatedSTDP
from compartments.neuromodulation import modulator_pool, release
from compartments.plasticity import STDP
from compartments.plotting_plasticity import preset_windows_figure
from compartments.receptors import AMPA
from compartments.stdp_presets import PRESETS, preset
from compartments.stdp_signals import Effector, Occupancy, UnexpressedReceptorWarning

compartments.backends.use("numpy")  # small groups, no compile step
QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"

# %% [markdown]
# ## Step 1
# A preset, its sources and what each gain does

# %%
ca1 = PRESETS["CA1_Brzosko2015"]
print(ca1.table()[["name", "status", "source"]].to_string(max_colwidth=70))
print(preset("CA1_Brzosko2015").describe()[["gain", "base", "terms"]])

# %% [markdown]
# ## Step 2
# The window under dopamine (rule level, the paper's conditions: DA 20 µM during the pairing,
# 100 µM from 1 min after it): DA turns t-LTD into t-LTP. At full size, the paper's 100
# pairings at 0.2 Hz beside its means ± s.e.m. (Brzosko et al. 2015 Figs 1–2, squares); at
# reduced size 10 pairings and no paper points.

# %%
experiment = ca1.experiments[0]
conditions = {k: experiment.conditions[k]
              for k in ("control", "DA during pairing", "DA 1 min after")}
n_pairings = 10 if QUICK else experiment.n_pairings
window = pairing_experiment(preset("CA1_Brzosko2015"), conditions,
                            np.arange(-40, 41, 20 if QUICK else 10) * ms, n_pairings=n_pairings,
                            period=experiment.period, after=experiment.after)
preset_windows_figure(window, () if QUICK else experiment.outcomes,
                      title=f"CA1_Brzosko2015, {n_pairings} pairings")
print(window.pivot(index="dt_ms", columns="condition", values="change_percent").round(1))

# %% [markdown]
# ## Step 3
# L2/3 pyramidal cells do not express dopamine receptors in the catalogue (make_group refuses
# modulators=("DA",) for them): a rule reading their own D1 effector would do nothing — it
# says so, naming the types that do

# %%
defaultclock.dt = 0.025 * ms           # cells, inputs, synapses and the pool on one clock
l23 = celltypes.get("L23_PC").with_channels({"apical": [AMPA()]})
cells = l23.make_group(4)              # neurons 0, 1: DA-gated rule; 2, 3: unmodulated rule
own_d1 = ModulatedSTDP(0.01, 0.01, 20 * ms, 20 * ms, signals={"DA": Effector("D1")},
                       gains={"ltd": Gain(1, {"DA": -2})})
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", UnexpressedReceptorWarning)
    own_d1.bind(cells)
print(caught[0].message)
# ...so the network below reads dopamine at the synapse: D1 occupancy of a pool's level

# %% [markdown]
# ## Step 4
# Two cues, same spike timing, only cue A is followed by dopamine 0.3 s later. Dopamine-gated
# rule: pre-before-post pairings write an LTP eligibility trace (0.5 s) that dopamine converts
# into potentiation and that, unrewarded, drifts into mild depression. A teaching pulse (3 nA,
# 5 ms, 5 ms after each cue's onset) fires every cell about 5 ms after the last input spike:
# pre-before-post at both cues.

# %%
pool = modulator_pool(("DA",), tau={"DA": 100 * ms})    # DA cleared in ~0.1 s
gated = ModulatedSTDP(0.3, 0.3, 20 * ms, 20 * ms, signals={"DA": Occupancy("D1")},
                      gains={"convert_ltp": Gain(-0.1, {"DA": 3.0}),
                             "convert_ltd": Gain(1.0, {"DA": -1.3})},
                      conversion="continuous", consume=True, tau_ltp=0.5 * second,
                      tau_ltd=0.5 * second, tau_conversion=0.2 * second, pool=pool)
plain = STDP(A_plus=0.1, A_minus=0.1, tau_plus=20 * ms, tau_minus=20 * ms)
n_in, period, n_trials = 10, 0.8, 2 if QUICK else 6
cues = ["A" if k % 2 == 0 else "B" for k in range(n_trials)]
starts = 0.02 + period * np.arange(n_trials)                       # s
rng = np.random.default_rng(0)
idx, times = [], []
for cue, start in zip(cues, starts):
    first = 0 if cue == "A" else n_in
    idx += list(range(first, first + n_in))
    times += list(np.round(start + rng.uniform(0, 0.004, n_in), 4))
inputs = SpikeGeneratorGroup(2 * n_in, idx, np.asarray(times) * second)
rewards = SpikeGeneratorGroup(1, [0] * len(starts[::2]), (starts[::2] + 0.3) * second)
dopamine = release(rewards, pool, "DA", 4 * uM)
cells.namespace.update(teach=3 * nA, t0=(starts[0] + 0.005) * second, trial=period * second,
                       width=5 * ms)
cells.run_regularly("I_ext_soma = teach*int(t >= t0)*int((t - t0 + 0.5*dt) % trial < width)",
                    when="start")
weights = {name: synapses.connect(inputs, cells, {"ampa": 0.4 * nS}, at="apical",
                                  plasticity=rule, weight=0.5, condition=condition)
           for name, rule, condition in (("gated", gated, "j < 2"), ("plain", plain, "j >= 2"))}
spikes = SpikeMonitor(cells)
Network(inputs, rewards, dopamine, pool, cells, spikes, *weights.values()).run(
    (starts[-1] + 0.6) * second)    # the last trace has mostly converted by then
print(f"{spikes.num_spikes} post-synaptic spikes ({n_trials} trials x 4 cells)")

# %% [markdown]
# ## Step 5
# The gated rule separates the cues; the plain rule changes both alike

# %%
summary = {}
for name, syn in weights.items():
    w = np.asarray(syn.w[:])
    cue_a = np.asarray(syn.i[:]) < n_in
    summary[name] = (w[cue_a].mean(), w[~cue_a].mean())
    print(f"{name:6s}: cue A synapses {summary[name][0]:.3f}, cue B synapses "
          f"{summary[name][1]:.3f} (start 0.5)")
fig, ax = plt.subplots(figsize=(4.5, 3.2))
for k, name in enumerate(summary):
    ax.bar([3 * k, 3 * k + 1], summary[name], color=["C1", "C0"])
ax.set_xticks([0.5, 3.5], ["DA-gated", "unmodulated"])
ax.axhline(0.5, color="0.5", lw=0.8)
ax.set_ylabel("mean weight (A: orange, B: blue)")
fig.tight_layout()
plt.show()
assert summary["gated"][0] > summary["gated"][1] + 0.05        # the rewarded cue wins
assert abs(summary["plain"][0] - summary["plain"][1]) < 0.02   # no preference without DA
