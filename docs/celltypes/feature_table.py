"""The closing table: every cell type's summary features next to its targets.

Runs each type's standard protocol (`celltypes.characterise`), writes
docs/celltypes/features.md (and features.csv) and, with --figures, one figure per
type in docs/celltypes/img/.

    PYTHONPATH=. python docs/celltypes/feature_table.py [--figures]
"""

import argparse
import os

import numpy as np
import pandas as pd

import celltypes
from celltypes import characterise as ch
from compartments.plotting_cells import cell_type_figure

HERE = os.path.dirname(os.path.abspath(__file__))


def status(value, row):
    """'meets' / 'misses' against a target row (range, or mean +- 2 SD)."""
    if not np.isfinite(value):
        return "not measured"
    if np.isfinite(row.low) and np.isfinite(row.high):
        ok = row.low - 1e-9 <= value <= row.high + 1e-9
    else:
        ok = abs(value - row["mean"]) <= 2 * row.sd
    return "meets" if ok else "misses"


def short_source(row):
    """The first author-year words of a target's source, with n where given."""
    text = row.source.split("(")[0].split(",")[0].strip()
    n = f", n = {int(row.n)}" if np.isfinite(pd.to_numeric(row.n, errors="coerce")) else ""
    return f"{text[:45]}{n}"


def target_text(row):
    if np.isfinite(row.low) and np.isfinite(row.high):
        return f"{row.low:g} to {row.high:g}"
    return f"{row['mean']:g} ± {row.sd:g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in sorted(ch.STANDARD):
        rec, per_neuron = ch.characterise(celltypes.get(name))
        summary = ch.summary(per_neuron, ch.STANDARD[name], rec)
        if args.figures:
            os.makedirs(os.path.join(HERE, "img"), exist_ok=True)
            cell_type_figure(rec, per_neuron, title=name,
                             path=os.path.join(HERE, "img", f"{name}.png"))
        for _, t in celltypes.targets(name).iterrows():
            value = float(summary.get(t.feature, np.nan))
            rows.append(dict(cell_type=name, feature=t.feature, model=round(value, 3),
                             target=target_text(t), unit=t.unit, v1=t.v1,
                             status=status(value, t), source=short_source(t)))
    table = pd.DataFrame(rows)
    table.to_csv(os.path.join(HERE, "features.csv"), index=False)
    lines = ["# Cell-type features vs targets (generated)", "",
             "Written by `PYTHONPATH=. python docs/celltypes/feature_table.py`; do not edit.",
             "Targets (catalogue v2): a range, or mean ± SD of the data, met within 2 SD. "
             "`tested`: the test suite checks it (tests/test_celltypes_catalogue.py); "
             "`calibration`: a remaining miss, explained in docs/celltypes/README.md. Full "
             "sources in celltypes/targets/*.csv.", "",
             "| cell type | feature | model | target | unit | checked | status | source |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['cell_type']} | {r['feature']} | {r['model']:g} | {r['target']} | "
                     f"{r['unit']} | {r['v1']} | {r['status']} | {r['source']} |")
    with open(os.path.join(HERE, "features.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(table[["cell_type", "feature", "model", "target", "v1", "status"]].to_string())


if __name__ == "__main__":
    main()
