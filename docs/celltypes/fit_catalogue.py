"""Catalogue v2: each type's declared free parameters fitted to its targets.

For one cell type: the free parameters below (with bounds), the type's standard
protocols (`celltypes.characterise.series`) and its target table
(`celltypes/targets/<type>.csv`, every row) go to `compartments.fit.fit` (CMA-ES, one
vectorised group per generation, a durable study directory, so an interrupted fit
resumes). ``--write`` puts the fitted values into `celltypes/data/<type>.csv`, each row
marked "fitted here" with this command, the settings and the value it replaces.
`KEEP` adds, as ranges, the type's hallmark behaviour (tests/test_celltypes_catalogue.py)
to the objective, so that a fit meeting the data does not lose what the type is for (the
first L23_PC fit without them met all 8 data rows with an 11-spike onset burst and
depolarisation block above 0.65 nA). Types whose standard protocol compiles at -O0
(`characterise.STANDARD[...].quick_compile`) are fitted the same way.

    PYTHONPATH=. python docs/celltypes/fit_catalogue.py PV_BC [--population 12]
        [--generations 16] [--seed 1] [--directory results/catalogue_fits] [--write]

How a fitted name becomes CSV rows (`EDITS`): ``scale(area_soma, C_soma)`` multiplies
the soma's length and diameter by the square root of the factor (area and capacitance
scale by it, the shape is kept); ``scale(<leak variables>)`` multiplies those ``g``
rows; ``gbar_<mechanism>_<compartment>`` is that row's ``gbar``.
"""

import argparse
import csv
import os
import sys

import numpy as np
import pandas as pd
from brian2 import cm, msiemens, mV

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

import celltypes  # noqa: E402
from celltypes import characterise  # noqa: E402
from compartments.fit import fit  # noqa: E402

MS_CM2 = msiemens / cm**2
# type -> fitted name -> (bounds, log scale)
FREE = {
    "PV_BC": {"scale(area_soma, C_soma)": ((0.15, 1.0), False),
              "gbar_hcn_soma": ((0.002, 0.5) * MS_CM2, True),
              "gbar_kv3_soma": ((20, 150) * MS_CM2, True),
              "gbar_nat_soma": ((30, 120) * MS_CM2, False)},
    "SST_MC": {"scale(area_soma, C_soma)": ((0.2, 1.5), True),
               "scale(g_kleak_soma)": ((0.5, 8.0), True),
               "scale(g_leak_soma, g_leak_dend)": ((0.3, 5.0), True)},
    # VIP: factor on the 30 um soma set by hand in v2 (20, 30, 38 um probed; README)
    "VIP_BP": {"scale(area_soma, C_soma)": ((0.4, 2.5), True)},
    "L23_PC": {"scale(area_soma, C_soma)": ((0.25, 1.2), True),
               "gbar_hcn_soma": ((0.002, 1.0) * MS_CM2, True),
               "gbar_kdr_soma": ((1.5, 8.0) * MS_CM2, False),
               "gbar_km_soma": ((0.05, 0.5) * MS_CM2, True)},
    "L5_TTPC": {"gbar_nata_tuft_1": ((2.0, 25.0) * MS_CM2, False),
                "gbar_kv3_soma": ((100, 700) * MS_CM2, True)},
}
# type -> behaviour the fit must keep besides the data targets: the type's hallmarks
# (tests/test_celltypes_catalogue.py), as ranges; not data
KEEP = {
    "L23_PC": {"burst_spikes": {"low": 0.5, "high": 1.5},     # regular: no bursts
               "isi_ratio": {"low": 2.2, "high": 30.0},       # adapting (hallmark > 2)
               "max_rate_Hz": {"low": 20.0, "high": 200.0}},  # no depolarisation block at 1 nA
    "SST_MC": {"isi_ratio": {"low": 1.5, "high": 30.0},       # adapting (hallmark > 1.4)
               "rebound_spikes": {"low": 2.0, "high": 20.0}},  # rebound burst after -0.15 nA
    "VIP_BP": {"isi_cv": {"low": 0.55, "high": 5.0},           # irregular onset (hallmark > 0.5)
               "isi_ratio": {"low": 3.3, "high": 100.0}},     # strongly adapting (hallmark > 3)
    "L5_TTPC": {"burst_spikes": {"low": 1.5, "high": 2.5},     # initial doublet only
                "max_rate_Hz": {"low": 20.0, "high": 250.0},   # repetitive firing at 2 nA
                "ca_spike_ms_both": {"low": 10.0, "high": 100.0},  # BAC: a tuft Ca spike
                "bac_spikes_soma": {"low": 0.0, "high": 2.5}},     # ... the pulse alone < 3
}
DATA = os.path.join(ROOT, "celltypes", "data")


def run(name, population, generations, seed, directory, progress=True):
    cell = celltypes.get(name)
    params = {k: b for k, (b, _) in FREE[name].items()}
    log = [k for k, (_, lg) in FREE[name].items() if lg]
    with characterise.quick_compile(characterise.STANDARD[name].quick_compile):
        return fit(cell, params, targets(name), characterise.series(cell),
                   optimizer="cma", population=population, generations=generations,
                   seed=seed, log=log,
                   directory=os.path.join(directory, name) if directory else None,
                   progress=progress, dt=characterise.DT, stop_when_met=False)


def targets(name):
    """The type's target rows (celltypes/targets/<name>.csv) and its `KEEP` ranges."""
    table = celltypes.targets(name)
    keep = pd.DataFrame([dict(feature=f, mean=np.nan, sd=np.nan, low=r["low"], high=r["high"])
                         for f, r in KEEP.get(name, {}).items()])
    return pd.concat([table, keep], ignore_index=True) if len(keep) else table


def _csv_edits(name, parameter, si_value):
    """(compartment, CSV parameter, how) rows for one fitted name: how is ('set', SI value)
    or ('scale', factor)."""
    if parameter.startswith("scale("):
        variables = [v.strip() for v in parameter[6:-1].split(",")]
        factor = float(si_value)
        if set(variables) == {"area_soma", "C_soma"}:
            return [("soma", "length", ("scale", np.sqrt(factor))),
                    ("soma", "diameter", ("scale", np.sqrt(factor)))]
        edits = []
        for v in variables:
            local, segment = v.rsplit("_", 1)
            mechanism = local.split("_", 1)[1]
            edits.append((segment, f"{mechanism}.g", ("scale", factor)))
        return edits
    local, mechanism, segment = parameter.split("_", 2)
    return [(segment, f"{mechanism}.{local}", ("set", float(si_value)))]


_TO_CSV = {"msiemens/cm**2": 10.0, "um": 1e-6, "mV": 1e-3}  # SI per CSV unit


def write(name, result, command):
    """Replace the fitted rows of celltypes/data/<name>.csv, each with a 'fitted here'
    source naming ``command``."""
    path = os.path.join(DATA, f"{name}.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    table = result.table().set_index("parameter")
    for parameter in FREE[name]:
        si = float(result.parameters_[parameter])
        for compartment, csv_parameter, (how, value) in _csv_edits(name, parameter, si):
            matches = [r for r in rows if r["compartment"] == compartment
                       and r["parameter"] == csv_parameter]
            if not matches:
                raise KeyError(f"{path}: no row {compartment},{csv_parameter} to write the "
                               f"fitted {parameter} into.")
            row = matches[0]
            old = float(row["value"])
            new = old * value if how == "scale" else value / _TO_CSV[row["unit"]]
            row["value"] = f"{new:.6g}"
            fitted = table.loc[parameter]
            row["source"] = (f"fitted here (catalogue v2): {parameter} = {fitted.value:.4g}"
                             f"{' ' + fitted.unit if fitted.unit else ''} (bounds {fitted.low:g}"
                             f"-{fitted.high:g}), was {old:g}, by `{command}` "
                             f"(compartments.fit, CMA-ES, targets celltypes/targets/{name}.csv); "
                             f"before: {row['source']}")
    with open(path, "rb") as f:
        newline = "\r\n" if b"\r\n" in f.read() else "\n"
    write_rows(path, rows, newline)


def write_rows(path, rows, newline="\n"):
    """Write catalogue rows as the files are kept: plain fields, the source always quoted,
    the file's own line ends."""
    with open(path, "w", newline="") as f:
        f.write("compartment,parameter,value,unit,source" + newline)
        for r in rows:
            source = r["source"].replace('"', '""')
            f.write(f'{r["compartment"]},{r["parameter"]},{r["value"]},{r["unit"]},"{source}"'
                    + newline)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cell_type", choices=sorted(FREE))
    parser.add_argument("--population", type=int, default=12)
    parser.add_argument("--generations", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--directory", default=os.path.join(ROOT, "results", "catalogue_fits"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    result = run(args.cell_type, args.population, args.generations, args.seed, args.directory)
    print(result)
    print(result.table().to_string(index=False))
    print(result.comparison().round(4).to_string(index=False))
    print(result.identifiability().round(4).to_string(index=False))
    if args.write:
        command = (f"PYTHONPATH=. python docs/celltypes/fit_catalogue.py {args.cell_type} "
                   f"--population {args.population} --generations {args.generations} "
                   f"--seed {args.seed} --write")
        write(args.cell_type, result, command)


if __name__ == "__main__":
    main()
