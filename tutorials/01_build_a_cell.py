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
# # 1. Build a cell, and check it against passive cable theory
#
# A neuron model here is a **template**: compartments (geometry, membrane capacitance, the ion
# channels painted on the membrane) joined into a tree. `make_group(n)` turns it into a plain
# Brian2 `NeuronGroup` of `n` cells with every parameter a per-neuron variable, started at rest.
#
# Before trusting a model with active channels, check its passive skeleton against theory
# that nobody here wrote: the charging curve of an isopotential soma, and Rall's cable
# equation for a dendrite. Then add Hodgkin–Huxley channels and inject current.
#
# *Reduced size:* the test suite runs this notebook with `BRIAN2COMPARTMENTS_QUICK=1`
# (shorter runs); unset, it runs in well under a minute on two cores.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from brian2 import Network, StateMonitor, cm, mV, ms, msiemens, nA, ohm, uF, um

import compartments
from compartments import CellTemplate, Compartment, channels, linearize, record
from compartments.plotting_cells import traces_figure
from compartments.plotting_morphology import morphology_figure

compartments.backends.use("numpy")  # small and short: Brian2's numpy target needs no compiler
QUICK = os.environ.get("BRIAN2COMPARTMENTS_QUICK") == "1"

# %% [markdown]
# ## Step 1: an isopotential soma and its membrane time constant
# A passive sphere-like soma (a 20 µm cylinder, 20 µm wide) with a leak of
# 0.05 mS/cm² and 1 µF/cm²: the membrane time constant is τ = c_m / g_L = 20 ms and the
# input resistance R = 1 / (g_L · area). A step of current I moves the voltage as
# V(t) = E_L + I·R·(1 − e^(−t/τ)).

# %%
leak = channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)
soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2, channels=[leak])
rc = CellTemplate("rc", [soma])
print(rc.parameters[["variable", "value", "unit", "source"]])

area = np.pi * (20 * um) * (20 * um)
tau = (1 * uF / cm**2) / (0.05 * msiemens / cm**2)
R = 1 / (0.05 * msiemens / cm**2 * area)
print(f"theory: tau = {tau / ms:.1f} ms, R = {R / 1e6 / ohm:.1f} MOhm")

# %%
group = rc.make_group(1)
group.I_ext_soma = 0.02 * nA
traces = record(group, "v_soma", 60 * ms if QUICK else 100 * ms)
t = traces.t_ms.to_numpy()
theory = -70 + float(0.02 * nA * R / mV) * (1 - np.exp(-t / float(tau / ms)))
print(f"largest difference simulation - theory: {np.abs(traces.v_soma_mV - theory).max():.2e} mV")

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(t, traces.v_soma_mV, lw=3, color="0.7", label="simulation")
ax.plot(t, theory, "k--", label="E + IR(1 - exp(-t/τ))")
ax.set_xlabel("time (ms)")
ax.set_ylabel("v_soma (mV)")
ax.legend();

# %% [markdown]
# The two curves lie on top of each other: the default integrator (NEURON's
# Crank–Nicolson scheme) agrees with the exponential to about 10⁻⁴ mV at Brian2's
# default step of 0.1 ms.
#
# ## Step 2: a dendrite, against Rall's sealed-end cable
# A 1 mm long, 2 µm thick passive dendrite with an axial resistivity of 100 Ω·cm has a
# length constant λ = √(d / (4 R_a g_L)) = 707 µm. Current injected at one end of a cable
# with a sealed far end sees R_in = r_∞ coth(L/λ), with r_∞ = R_a λ / (π d²/4), and the
# steady voltage falls off as cosh((L − x)/λ) / cosh(L/λ). The compartmental model
# approaches this as the number of segments (`nseg`) grows.

# %%
L, d, Ra, g = 1000 * um, 2 * um, 100 * ohm * cm, 0.1 * msiemens / cm**2
lam = np.sqrt(d / (4 * Ra * g))
r_inf = Ra * lam / (np.pi * d**2 / 4)
print(f"lambda = {lam / um:.1f} um; theory R_in = {r_inf / np.tanh(L / lam) / 1e6 / ohm:.1f} MOhm")

for nseg in (4, 16, 64):
    cable = Compartment("cable", length=L, diameter=d, nseg=nseg,
                        channels=[channels.Leak(g=g, E=-70 * mV)])
    lin = linearize(CellTemplate("cable", [cable], Ra=Ra))
    print(f"nseg = {nseg:2d}: R_in at the first segment = "
          f"{lin.input_resistance('cable_0') / 1e6 / ohm:.1f} MOhm")

# %% [markdown]
# The model's input resistance is measured at the centre of the first segment, L/(2·nseg)
# from the end, so it approaches the analytic end value from below as that centre moves to
# the end (error roughly ∝ 1/nseg). tests/test_cable_theory.py feeds the cable through a
# tiny tip at the very end instead and finds the second-order convergence of the scheme.
# Now simulate it: inject 0.05 nA at the first segment until steady state and compare the
# voltage along the cable with the cosh profile.

# %%
nseg = 32
cable = Compartment("cable", length=L, diameter=d, nseg=nseg,
                    channels=[channels.Leak(g=g, E=-70 * mV)])
cell = CellTemplate("cable", [cable], Ra=Ra)
group = cell.make_group(1)
group.I_ext_cable_0 = 0.05 * nA
steady = record(group, [f"v_{s}" for s in cell.segment_names], 50 * ms if QUICK else 150 * ms)
final = steady[steady.t_ms == steady.t_ms.max()]
x = (np.arange(nseg) + 0.5) / nseg * L
dv = np.array([float(final[f"v_{s}_mV"].iloc[0]) + 70 for s in cell.segment_names])
profile = dv[0] * np.cosh((L - x) / lam) / np.cosh((L - x[0]) / lam)

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(x / um, dv, "o", ms=4, label="simulation (steady state)")
ax.plot(x / um, profile, "k-", label="cosh((L - x)/λ), sealed end")
ax.set_xlabel("distance along the cable (µm)")
ax.set_ylabel("depolarisation (mV)")
ax.legend();

# %% [markdown]
# ## Step 3: an active soma with a dendrite, one neuron per condition
# Now the cell of the README: Hodgkin–Huxley sodium and potassium channels in the soma and a
# passive apical dendrite of four segments. One group holds three neurons, each with its own
# injected current — and the third with a larger potassium density, changed on the group
# without recompiling anything.

# %%
soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                   channels=[leak, channels.HHNa(), channels.HHK()])
apical = Compartment("apical", length=400 * um, diameter=3 * um, nseg=4, channels=[leak])
cell = CellTemplate("tutorial", [soma, apical], connections=[("soma", "apical")],
                    Ra=150 * ohm * cm)
print(cell.segment_names)
fig = morphology_figure(cell, title="the template to scale")

# %%
group = cell.make_group(3)
group.I_ext_soma = [0.05, 0.15, 0.3] * nA
group.gbar_hhk_soma[2] = 50 * msiemens / cm**2   # heterogeneity: no recompilation
mon = StateMonitor(group, ["v_soma", "v_apical_3"], record=True)
Network(group, mon).run(40 * ms if QUICK else 60 * ms)

# %% [markdown]
# `record` and the protocols return tidy tables (one row per sample and neuron, units in
# the column names). Here the monitor is turned into one by hand, and
# `traces_figure` draws one panel per compartment:

# %%
from compartments.recording import monitor_frame

traces = monitor_frame(mon, ["v_soma", "v_apical_3"], np.arange(3))
print(traces.head(3))
labels = ["0.05 nA", "0.15 nA", "0.3 nA, more K"]
fig = traces_figure(traces, labels=labels, title="somatic current, three neurons")

# %% [markdown]
# The 0.15 nA neuron fires repetitively; the dendrite's far end follows each spike
# attenuated and delayed. The third neuron, with more K⁺ conductance, needs more current.
#
# **Saving a run.** `compartments.tables.save_table(traces, "run.parquet", template=cell)`
# writes the table with its provenance (package versions, the template's content hash) in
# the file, atomically; `load_table` reads it back with the provenance in `.attrs`.
