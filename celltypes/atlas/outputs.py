"""The files of one cell type in the atlas: figures (PNG) and tables (CSV with provenance).

`write_type` writes, into ``<out>/<type>/`` (every file atomically, see
`compartments.tables`):

==================  =====================================================================
``morphology.png``  the template to scale, coloured by compartment
``bap.png``         the same coloured by the back-propagating AP (control), and vs distance
``traces.png``      voltages by recorded compartment for example steps (control)
``modulators.png``  soma at the reference and the large negative step, per condition
``fi.png``          F-I curves per condition
``bac.png``         BAC conditions at the soma and the distal site (types with a tuft)
``stdp.png``        STDP windows per modulator, control beside the modulator (`atlas.stdp`)
``compartments.csv``  geometry and mechanisms per compartment
``parameters.csv``  every catalogue row (compartment, parameter, value, unit, source)
``receptors.csv``   receptor expression (fraction, level, source)
``features.csv``    summary features per condition
``targets.csv``     targets beside the model per condition, status, source
``per_neuron.csv``  spike and passive features of every neuron of the run
``fi.csv``          condition, amplitude_nA, rate_Hz
``bap.csv``         bAP per condition and segment
``traces.csv``      the drawn traces (control, every 0.025 ms)
``stdp.csv``        the STDP windows: modulator, rule, receptor, expression, condition, Δt, Δw
``run.json``        conditions, backend, neurons, timings, provenance
==================  =====================================================================
"""

import json
import os

import numpy as np
import pandas as pd
from brian2 import molar, um

from compartments.files import atomic_path
from compartments.plotting import finish_figure
from compartments.plotting_cells import fi_curves_figure, traces_figure
from compartments.plotting_morphology import morphology_figure
from compartments.serialization import provenance
from compartments.tables import save_table

from ..catalogue import get, table
from ..characterise import STANDARD, SUMMARY_UNITS
from ..scoring import compare

__all__ = ["write_type", "FIGURES", "TABLES", "example_neurons", "compartment_table",
           "stdp_figure"]

FIGURES = ("morphology.png", "bap.png", "traces.png", "modulators.png", "fi.png", "bac.png",
           "stdp.png")
TABLES = ("compartments.csv", "parameters.csv", "receptors.csv", "features.csv", "targets.csv",
          "per_neuron.csv", "fi.csv", "bap.csv", "traces.csv", "stdp.csv")
# traces are kept and drawn at the run's step (0.025 ms): every 2nd sample would cut the
# L5_TTPC spike peaks by up to 13 mV (measured), so no decimation


def compartment_table(cell):
    """One row per compartment: geometry, parent and mechanisms."""
    parents = {conn[1]: conn[0] for conn in cell.connections}
    rows = []
    for comp in cell.compartments:
        rows.append(dict(
            compartment=comp.name, parent=parents.get(comp.name, ""), nseg=comp.nseg,
            length_um=float(comp.length / um) if comp.is_cylinder else np.nan,
            diameter_um=float(comp.diameter / um) if comp.is_cylinder else np.nan,
            area_um2=float(sum(s.area for s in comp.segments) / um**2),
            channels=" ".join(m.name for m in comp.channels),
            pools=" ".join(m.name for m in comp.pools)))
    return pd.DataFrame(rows)


def example_neurons(result, condition="control"):
    """Standard steps to draw: the large negative step, the first that fires, the
    reference step and the largest step (neuron numbers, amplitude order)."""
    std = STANDARD[result.name]
    f = result.features
    steps = f[(f.condition == condition) & (f.protocol == "step") & (f.control == "")]
    chosen = [steps.amplitude_nA.idxmin()]
    firing = steps[(steps.amplitude_nA > 0) & (steps.n_spikes > 0)]
    if len(firing):
        chosen.append(firing.amplitude_nA.idxmin())
    chosen += [steps.index[np.isclose(steps.amplitude_nA, std.reference)][0],
               steps.amplitude_nA.idxmax()]
    chosen = list(dict.fromkeys(chosen))
    return steps.loc[chosen].sort_values("amplitude_nA").neuron.astype(int).tolist()


def _modulators_figure(result, path):
    """Soma voltage at the reference step (colour) and the large negative step (grey), one
    row per condition."""
    import matplotlib.pyplot as plt

    std = STANDARD[result.name]
    f = result.features
    conditions = list(result.conditions)
    fig, axes = plt.subplots(len(conditions), 1, figsize=(7.5, 1.35 * len(conditions) + 0.8),
                             sharex=True, sharey=True, squeeze=False)
    for k, (ax, condition) in enumerate(zip(axes[:, 0], conditions)):
        steps = f[(f.condition == condition) & (f.protocol == "step") & (f.control == "")]
        for amplitude, colour in ((std.large_negative, "0.6"),
                                  (std.reference, "k" if k == 0 else f"C{k}")):
            n = int(steps.neuron[np.isclose(steps.amplitude_nA, amplitude)].iloc[0])
            t, v = result.recording.trace(n)
            ax.plot(t, v, lw=0.7, color=colour, label=f"{amplitude:+g} nA")
        level = _level_text(result.conditions[condition])
        ax.set_ylabel(f"{condition}\n{level}", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel("time (ms)")
    fig.suptitle(f"{result.name}: soma under each condition", fontsize=10)
    return finish_figure(fig, path, dpi=90)


def stdp_figure(windows, title=None, path=None):
    """One panel per modulator: the weight change against Δt under the rule's control
    (grey) and with the modulator (colour); ``windows`` from `atlas.stdp.stdp_windows`."""
    import matplotlib.pyplot as plt

    modulators = list(dict.fromkeys(windows.modulator))
    fig, axes = plt.subplots(1, len(modulators), figsize=(2.9 * len(modulators) + 0.6, 3.0),
                             sharey=True, squeeze=False)
    for k, (ax, modulator) in enumerate(zip(axes[0], modulators)):
        rows = windows[windows.modulator == modulator]
        first = rows.iloc[0]
        for condition, style in (("control", dict(color="0.55", ls="--", marker="o")),
                                 (modulator, dict(color=f"C{k}", ls="-", marker="o"))):
            part = rows[rows.condition == condition].sort_values("dt_ms")
            for side, label in ((part.dt_ms < 0, condition), (part.dt_ms > 0, None)):
                # the two branches apart: no line across Δt = 0
                ax.plot(part.dt_ms[side], part.change_percent[side], ms=3, lw=1.3,
                        label=label, **style)
        ax.axhline(0, color="0.75", lw=0.7)
        ax.axvline(0, color="0.85", lw=0.7)
        expressed = (f"{first.receptor} x{first.expression:g}" if first.expression > 0
                     else f"no {first.receptor}: as control")
        ax.set_title(f"{modulator}: {first.rule}\n{expressed}", fontsize=8)
        ax.set_xlabel("Δt = t_post − t_pre (ms)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False)
    axes[0, 0].set_ylabel("weight change (%)", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return finish_figure(fig, path, dpi=90)


def _level_text(spec):
    levels = (spec or {}).get("levels", {})
    return ", ".join(f"{float(q / molar) * 1e6:g} µM" for q in levels.values()) or "no modulator"


def _tidy_traces(result, neurons):
    traces = result.recording.traces
    part = traces[traces.neuron.isin(neurons)].round(4)
    part = part.merge(result.neurons[["neuron", "condition", "amplitude_nA"]], on="neuron")
    return part[["condition", "neuron", "amplitude_nA", "t_ms"]
                + [c for c in traces.columns if c.startswith("v_")]]


def _targets_table(result):
    """Targets with the model per condition and the control's status."""
    summary = result.summary.set_index("condition")
    out = compare(result.name, summary.loc["control"])
    out = out.rename(columns={"model": "control"})
    for condition in summary.index[1:]:
        values = summary.loc[condition]
        out.insert(out.columns.get_loc("status"), condition,
                   [float(values.get(f, np.nan)) for f in out.feature])
    return out


def _features_table(result):
    units = dict(SUMMARY_UNITS)
    long = result.summary.melt(id_vars="condition", var_name="feature", value_name="value")
    long["unit"] = [units.get(f, "mV" if f.endswith("_mV") else "ms" if f.endswith("_ms")
                              else "1") for f in long.feature]
    return long


def write_type(result, out, backend="cython"):
    """Write every file of ``result`` (a `TypeResult`) into ``<out>/<name>/``; return the
    names of the files written."""
    folder = os.path.join(out, result.name)
    os.makedirs(folder, exist_ok=True)
    cell = get(result.name)
    std = STANDARD[result.name]
    meta = {"protocol": "atlas standard steps", "backend": backend}
    written = []

    def save(frame, name):
        save_table(frame, os.path.join(folder, name), template=cell, extra=meta)
        written.append(name)

    def figure(fig_function, name, *args, **kwargs):
        fig_function(*args, path=os.path.join(folder, name), **kwargs)
        written.append(name)

    save(compartment_table(cell), "compartments.csv")
    save(table(result.name)[["compartment", "parameter", "value", "unit", "source"]],
         "parameters.csv")
    if cell.expression is not None:
        save(cell.expression.table, "receptors.csv")
    save(_features_table(result), "features.csv")
    save(_targets_table(result), "targets.csv")
    save(result.features, "per_neuron.csv")
    steps = result.features[(result.features.protocol == "step")
                            & (result.features.control == "")]
    save(steps[["condition", "amplitude_nA", "rate_Hz"]].sort_values(
        ["condition", "amplitude_nA"], kind="stable"), "fi.csv")
    save(result.bap, "bap.csv")
    examples = example_neurons(result)
    save(_tidy_traces(result, examples), "traces.csv")

    figure(morphology_figure, "morphology.png", cell, title=f"{result.name} (to scale)")
    control_bap = result.bap[result.bap.condition == "control"].set_index("segment").bap_mV
    figure(morphology_figure, "bap.png", cell, values=control_bap,
           label="bAP: peak − rest (mV)", title=f"{result.name}: back-propagating AP (control)")
    labels = [f"{a:+.3g} nA" for a in result.neurons.amplitude_nA[examples]]
    figure(traces_figure, "traces.png", result.recording.traces, neurons=examples,
           labels=labels, title=f"{result.name}: standard steps (control)")
    figure(_modulators_figure, "modulators.png", result)
    figure(fi_curves_figure, "fi.png", steps, title=f"{result.name}: F-I per condition")
    if std.bac:
        bac = result.bac["control"]
        distal = std.bac[0]
        figure(traces_figure, "bac.png", bac.traces, neurons=[0, 1, 2],
               variables=["v_soma_mV", f"v_{distal}_mV"], labels=list(bac.conditions.condition),
               xlim=(bac.window[0] - 10, bac.window[0] + 80),
               title=f"{result.name}: BAC firing (control)")
    if result.stdp is not None and len(result.stdp):
        save(result.stdp, "stdp.csv")
        figure(stdp_figure, "stdp.png", result.stdp,
               title=f"{result.name}: STDP windows per modulator (rule level)")
    run = {"cell_type": result.name, "backend": backend, "neurons": int(len(result.neurons)),
           "segments": len(cell.segment_names), "celsius": cell.celsius,
           "conditions": {c: _level_text(s) for c, s in result.conditions.items()},
           "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
           "provenance": provenance(cell), "files": written + ["run.json"]}
    with atomic_path(os.path.join(folder, "run.json")) as tmp:
        with open(tmp, "w") as f:
            json.dump(run, f, indent=1)
    return run["files"]
