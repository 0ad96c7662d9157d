"""docs/img/morphology_tc200.png: the tc200 reconstruction (490 segments by the d_lambda rule)
coloured by path distance from the soma, and an Ih density rising with it (the
docs/morphology.md example rule).

    PYTHONPATH=. python docs/figures_morphology.py
"""

import os

import matplotlib.pyplot as plt
from brian2 import cm, siemens, um

from compartments import channels
from compartments.morphology import DistanceRule, Morphology, example_swc, exponential
from compartments.morphology.plot import plot_morphology

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    morph = Morphology.from_swc(example_swc("tc200"))
    rule = DistanceRule("gbar_hcn", "basal",
                        exponential(0 * siemens / cm**2, 1e-4 * siemens / cm**2,
                                    rate=1 / (200 * um)),
                        source="assumed here: e-fold per 200 um")
    cell = morph.to_template("tc200", paint={"all": [channels.Leak()],
                                             "basal": [channels.HCN()]}, rules=[rule])
    distance = {k: v / um for k, v in cell.path_distances().items()}
    table = cell.parameters
    gbar = table[table.parameter == "gbar_hcn"].set_index("segment").value
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    plot_morphology(morph, distance, ax=axes[0], label="path distance from the soma (µm)")
    plot_morphology(morph, {k: v for k, v in gbar.items()} | {
        s: 0.0 for s in cell.segment_names if s.startswith("soma")}, ax=axes[1],
        cmap="magma", label="Ih density gbar_hcn (S/m²)")
    fig.suptitle(f"tc200: {len(morph.sections)} sections, {len(cell.segments)} segments "
                 f"(d_lambda 0.1 at 100 Hz)")
    fig.tight_layout()
    out = os.path.join(HERE, "img", "morphology_tc200.png")
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    main()
