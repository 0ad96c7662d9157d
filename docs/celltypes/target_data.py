"""Target rows (mean and SD) from primary data tables, for celltypes/targets/*.csv (v2).

Reads two public data tables (not part of this repository; give their paths):

- the Allen Cell Types Database's cell feature summary, ``cell_types_specimen_details.csv``
  (one row per recorded cell: Cre line, layer, dendrite type, ``ef__*`` features from
  1 s long-square steps at 34 C; Allen Institute 2015, celltypes.brain-map.org;
  Gouwens et al. 2019 Nat Neurosci 22:1182);
- Scala et al. 2021 (Nature 598:144) mouse M1 Patch-seq features at physiological
  temperature, ``m1_patchseq_phys_temp_ephys_features.csv`` with its
  ``m1_patchseq_phys_temp_meta_data.csv`` (RNA family per cell; 33-34 C), as published
  with the paper (berenslab/mini-atlas, data/).

and prints, per catalogue type, mean, SD and n of the features its targets take from
them, with this library's feature names and units:

    PYTHONPATH=. python docs/celltypes/target_data.py ALLEN_CSV SCALA_FEATURES SCALA_META

Conversions: Allen F-I slope Hz/pA -> Hz/nA (x1000), rheobase pA -> nA; Scala's sag
ratio r = (v_peak - v_base)/(v_ss - v_base) -> this library's 1 - 1/r; Scala rheobase
pA -> nA. The catalogue uses, per type, the rows its targets file names.
"""

import argparse

import pandas as pd

# catalogue type -> Allen cells (mouse): Cre line and/or layer, dendrite type
ALLEN = {
    "PV_BC": dict(line="Pvalb-IRES-Cre", dendrite="aspiny"),
    "SST_MC": dict(line="Sst-IRES-Cre", dendrite="aspiny"),
    "VIP_BP": dict(line="Vip-IRES-Cre", dendrite="aspiny"),
    "L23_PC": dict(layer="2/3", dendrite="spiny"),
    "L5_TTPC": dict(line="Sim1-Cre_KJ18", dendrite="spiny"),  # L5 pyramidal tract (ET) cells
}
ALLEN_FEATURES = {"ef__vrest": ("v_rest_mV", 1.0), "ef__ri": ("R_in_MOhm", 1.0),
                  "ef__tau": ("tau_m_ms", 1.0), "ef__threshold_i_long_square": ("rheobase_nA", 1e-3),
                  "ef__f_i_curve_slope": ("fi_slope_initial_Hz_per_nA", 1e3),
                  "ef__adaptation": ("adaptation_index", 1.0)}
# catalogue type -> Scala et al. 2021 RNA family (34 C recordings)
SCALA = {"PV_BC": "Pvalb", "SST_MC": "Sst", "L23_PC": "IT", "L5_TTPC": "ET"}
SCALA_FEATURES = {"AP width (ms)": "ap_halfwidth_ms", "Sag ratio": "sag_ratio",
                  "Input resistance (MOhm)": "R_in_MOhm", "Rheobase (pA)": "rheobase_nA"}


def allen_rows(path):
    data = pd.read_csv(path)
    mouse = data[data.donor__species == "Mus musculus"]
    rows = []
    for cell_type, sel in ALLEN.items():
        mask = mouse.tag__dendrite_type == sel["dendrite"]
        if "line" in sel:
            mask &= mouse.line_name == sel["line"]
        if "layer" in sel:
            mask &= mouse.structure__layer == sel["layer"]
        cells = mouse[mask]
        for column, (feature, factor) in ALLEN_FEATURES.items():
            x = cells[column].dropna() * factor
            rows.append(dict(cell_type=cell_type, feature=feature, mean=x.mean(), sd=x.std(),
                             n=len(x), source=f"Allen {column} {sel}"))
    return rows


def scala_rows(features_path, meta_path):
    features = pd.read_csv(features_path)
    meta = pd.read_csv(meta_path, sep="\t")
    data = features.merge(meta, left_on="cell id", right_on="Cell")
    data["Sag ratio"] = 1 - 1 / data["Sag ratio"]
    data["Rheobase (pA)"] = data["Rheobase (pA)"] * 1e-3
    rows = []
    for cell_type, family in SCALA.items():
        cells = data[data["RNA family"] == family]
        for column, feature in SCALA_FEATURES.items():
            x = cells[column].dropna()
            rows.append(dict(cell_type=cell_type, feature=feature, mean=x.mean(), sd=x.std(),
                             n=len(x), source=f"Scala 2021 {family} {column}"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("allen")
    parser.add_argument("scala_features")
    parser.add_argument("scala_meta")
    args = parser.parse_args()
    table = pd.DataFrame(allen_rows(args.allen) + scala_rows(args.scala_features,
                                                             args.scala_meta))
    pd.set_option("display.width", 200)
    print(table.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
