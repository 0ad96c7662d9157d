"""The atlas page: ``index.html`` assembled from the files of each type's folder.

The page is rebuilt from what is on disk (``<type>/run.json`` and the CSV files
`celltypes.atlas.outputs` writes), so it can be written after every finished
type: an interrupted atlas still shows every type it completed.
"""

import html
import json
import os

import numpy as np
import pandas as pd

from compartments.files import atomic_path
from compartments.serialization import provenance
from compartments.tables import load_table, save_table

from ..characterise import STANDARD
from .simulate import MODULATORS

__all__ = ["write_page", "summary_table", "SUMMARY_FEATURES"]

SUMMARY_FEATURES = (("v_rest_mV", "V rest (mV)"), ("R_in_MOhm", "R in (MΩ)"),
                    ("tau_m_ms", "τ m (ms)"), ("sag_ratio", "sag"),
                    ("rheobase_nA", "rheobase (nA)"), ("fi_slope_Hz_per_nA", "F-I slope (Hz/nA)"),
                    ("max_rate_Hz", "max rate (Hz)"), ("ap_halfwidth_ms", "AP half-width (ms)"))

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1250px;
       color: #222; line-height: 1.35; }
h1 { margin-bottom: 0.2em; } h2 { border-top: 2px solid #ccc; padding-top: 0.6em; }
table { border-collapse: collapse; font-size: 0.82em; margin: 0.5em 0 1em 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; vertical-align: top; }
th { background: #f2f2f2; } td.text { text-align: left; max-width: 34em; }
td.meets { background: #d9f2d9; } td.misses { background: #f8d7d7; }
td.not-measured { background: #eee; }
.figs { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr));
        gap: 0.8em; align-items: start; }
.figs img { max-width: 100%; border: 1px solid #eee; }
figure { margin: 0; } figure.wide { grid-column: 1 / -1; }
.row { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; }
.row > div { flex: 1 1 30em; } .small { font-size: 0.8em; color: #555; }
nav a { margin-right: 0.8em; }
"""


def _read(folder, name):
    path = os.path.join(folder, name)
    return load_table(path) if os.path.exists(path) else None


def _cell(value, digits=3, zero=1e-9):
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return ""
        return "0" if abs(value) < zero else f"{value:.{digits}g}"
    return html.escape(str(value))


# features (mV, ms, nA, MΩ, Hz, ratios) below this are zero: e.g. the sag ratio of a cell
# without HCN comes out as 3e-08
FEATURE_ZERO = 1e-4


def _table(frame, text_columns=(), status_column=None, digits=3, zero=1e-9):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            cls = []
            if column in text_columns:
                cls.append("text")
            if column == status_column:
                cls.append(str(value).replace(" ", "-"))
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{_cell(value, digits, zero)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _types(out):
    found = []
    for name in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        run = os.path.join(out, name, "run.json")
        if os.path.exists(run):
            with open(run) as f:
                found.append(json.load(f))
    return found


def summary_table(out):
    """One row per type in ``out``: control features, targets met, and the rate at the
    reference step per condition (DataFrame)."""
    rows = []
    for run in _types(out):
        name = run["cell_type"]
        folder = os.path.join(out, name)
        features = _read(folder, "features.csv")
        control = features[features.condition == "control"].set_index("feature").value
        targets = _read(folder, "targets.csv")
        tested = targets[targets.v1 == "tested"]
        row = {"cell type": name}
        row.update({label: float(control.get(key, np.nan)) for key, label in SUMMARY_FEATURES})
        row["targets met"] = f"{(targets.status == 'meets').sum()} of {len(targets)}"
        row["tested met"] = f"{(tested.status == 'meets').sum()} of {len(tested)}"
        fi = _read(folder, "fi.csv")
        reference = STANDARD[name].reference
        at = fi[np.isclose(fi.amplitude_nA, reference)].set_index("condition").rate_Hz
        row["reference step (nA)"] = reference
        for condition in run["conditions"]:
            label = "rate (Hz)" if condition == "control" else f"Δ rate {condition}"
            value = at.get(condition, np.nan)
            row[label] = value if condition == "control" else value - at.get("control", np.nan)
        rows.append(row)
    table = pd.DataFrame(rows)
    deltas = [f"Δ rate {m}" for m in MODULATORS if f"Δ rate {m}" in table]  # DA, ACh, 5HT, NE
    return table[[c for c in table.columns if c not in deltas] + deltas]


def _figure(name, file, caption, wide=False):
    return (f'<figure{" class=wide" if wide else ""}><img src="{html.escape(name)}/{file}" '
            f'alt="{html.escape(caption)}"><figcaption class="small">{html.escape(caption)}'
            f'</figcaption></figure>')


def _section(out, run):
    name = run["cell_type"]
    folder = os.path.join(out, name)
    files = set(run["files"])
    comps = _read(folder, "compartments.csv")
    params = _read(folder, "parameters.csv")
    receptors = _read(folder, "receptors.csv")
    targets = _read(folder, "targets.csv")
    features = _read(folder, "features.csv")
    conditions = ", ".join(f"{c} ({lvl})" for c, lvl in run["conditions"].items())
    parts = [f'<h2 id="{name}">{name}</h2>',
             f'<p class="small">{run["segments"]} segments at {run["celsius"]:g} °C; '
             f'{run["neurons"]} neurons in one group ({conditions}); '
             f'backend {run["backend"]}; build {run["seconds"]["build"]:.1f} s, run '
             f'(compile + simulate) {run["seconds"]["run"]:.1f} s'
             + (f', STDP windows {run["seconds"]["stdp"]:.1f} s' if "stdp" in run["seconds"]
                else "") + '.</p>',
             '<div class="row"><div>',
             _figure(name, "morphology.png", "Morphology to scale"), "</div><div>",
             "<h3>Compartments and mechanisms</h3>",
             _table(comps.fillna(""), text_columns=("compartment", "parent", "channels",
                                                    "pools")),
             "<details><summary>Every parameter with its source "
             f"({len(params)} rows)</summary>",
             _table(params, text_columns=("compartment", "parameter", "unit", "source")),
             "</details>"]
    if receptors is not None:
        listed = ", ".join(dict.fromkeys(receptors.receptor))
        parts += ["<h3>Receptors</h3>", f"<p>{html.escape(listed)}</p>",
                  f"<details><summary>Expression per compartment with sources "
                  f"({len(receptors)} rows)</summary>",
                  _table(receptors, text_columns=("receptor", "compartment", "source")),
                  "</details>"]
    parts.append("</div></div>")
    parts += ["<h3>Features beside published targets</h3>",
              '<p class="small">status: the control against the target; <i>v1</i>: '
              '<b>tested</b> by the test suite, <b>calibration</b> awaits fitting.</p>',
              _table(targets, text_columns=("feature", "target", "unit", "status", "v1",
                                            "source"), status_column="status",
                     zero=FEATURE_ZERO)]
    wide = features.pivot_table(index="feature", columns="condition", values="value",
                                sort=False).reset_index()
    wide = wide[["feature"] + [c for c in run["conditions"] if c in wide.columns]]
    parts += ["<details><summary>All summary features per condition</summary>",
              _table(wide, text_columns=("feature",), zero=FEATURE_ZERO), "</details>",
              '<div class="figs">']
    captions = {"traces.png": "Voltage by compartment, standard steps (control)",
                "fi.png": "F-I curves per condition",
                "modulators.png": "Soma under each condition: reference and large negative step",
                "bap.png": "Back-propagating action potential: peak depolarisation per segment",
                "bac.png": "BAC firing: somatic pulse, distal EPSP, both (control)",
                "stdp.png": "STDP windows per modulator: the modulator's published rule "
                            "(title; rule level, spike pairs imposed, the paper's timing at "
                            "the atlas's level) with this type's expression of the receptor "
                            "it reads; grey: the rule's control. Measured in the rule's "
                            "preparation, a prediction for other types."}
    for file, caption in captions.items():
        if file in files:
            parts.append(_figure(name, file, caption, wide=file == "stdp.png"))
    data = [f for f in run["files"] if f.endswith((".csv", ".json"))]
    parts.append("</div><p class='small'>Data: " + " · ".join(
        f'<a href="{name}/{f}">{f}</a>' for f in data) + "</p>")
    return "\n".join(parts)


def write_page(out, title="Cell-type atlas", pending=()):
    """Write ``<out>/index.html`` and ``<out>/summary.csv`` from the types found in ``out``;
    return the page's path. ``pending``: types still running (listed as such)."""
    runs = _types(out)
    summary = summary_table(out)
    if len(summary):
        save_table(summary, os.path.join(out, "summary.csv"))
    info = provenance()
    nav = " ".join(f'<a href="#{r["cell_type"]}">{r["cell_type"]}</a>' for r in runs)
    waiting = (f"<p><b>Still running:</b> {html.escape(', '.join(pending))}</p>"
               if pending else "")
    body = [f"<h1>{html.escape(title)}</h1>",
            '<p class="small">brian2 ' + html.escape(info["brian2"]) + " · brian2compartments "
            + html.escape(info["brian2compartments"]) + " · written by <code>python -m celltypes "
            "atlas</code>. Each type: one group, one neuron per condition and stimulus; "
            "modulators at receptor-site levels, every neuron expressing the type's "
            "receptors.</p>", waiting, f"<nav>{nav}</nav>", "<h2>Summary</h2>",
            _table(summary, text_columns=("cell type", "targets met", "tested met"),
                   zero=FEATURE_ZERO)
            if len(summary) else "<p>No type finished yet.</p>",
            '<p class="small">Δ rate: change of the rate at the reference step from the '
            "control; blank where the type expresses no receptor of the modulator (not run). "
            'Data: <a href="summary.csv">summary.csv</a></p>']
    body += [_section(out, run) for run in runs]
    text = (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{_STYLE}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")
    path = os.path.join(out, "index.html")
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    return path
