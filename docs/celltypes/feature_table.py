"""The closing table: every cell type's summary features next to its targets.

Runs each type's standard protocol (`celltypes.characterise`), writes
docs/celltypes/features.md (and features.csv) and, with --figures, one figure per
type in docs/celltypes/img/.

    PYTHONPATH=. python docs/celltypes/feature_table.py [--figures]
"""

import argparse
import os

import pandas as pd

import celltypes
from celltypes import characterise as ch
from celltypes.scoring import compare, short_source
from compartments.plotting_cells import cell_type_figure

HERE = os.path.dirname(os.path.abspath(__file__))


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
        for r in compare(name, summary).itertuples():
            rows.append(dict(cell_type=name, feature=r.feature, model=round(r.model, 3),
                             target=r.target, unit=r.unit, v1=r.v1, status=r.status,
                             source=short_source(r.source, r.n)))
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
