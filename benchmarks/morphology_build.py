"""Per-segment parameter values: one compartment per section with per-segment values, or one
compartment per segment? Build cost of both for the same ~500-segment morphology.

The cell is tc200 (compartments/morphology/data, 204 sections, 490 segments by the d_lambda
rule) with a leak everywhere, HH channels on the soma and an Ih density that rises with path
distance in the dendrites (a `DistanceRule`, 490 different values).

- ``values``: `Morphology.to_template` — a compartment per section, the Ih densities as
  ``segment_values`` of its compartment (the design chosen).
- ``segments``: the same segments built as one nseg=1 compartment each, its points cut from
  the section's at the segment boundaries, each with its own ``HCN(gbar=...)``.

Each variant runs in a fresh process (no shared caches) and reports the seconds of: building
the template, its parameter table, and (with ``--equations``) its Brian2 equations.

    PYTHONPATH=. python benchmarks/morphology_build.py [--equations]
"""

import json
import subprocess
import sys
import time

VARIANT = r'''
import json, sys, time
import numpy as np
from brian2 import cm, msiemens, siemens, um
from compartments import CellTemplate, Compartment, channels
from compartments.compartment import arc_lengths
from compartments.morphology import DistanceRule, Morphology, example_swc, exponential

variant, equations = sys.argv[1], sys.argv[2] == "1"
morph = Morphology.from_swc(example_swc("tc200"))
rule = DistanceRule("gbar_hcn", "basal", exponential(0 * siemens / cm**2, 0.1 * msiemens / cm**2,
                    1 / (200 * um)), source="benchmark")
paint = {"all": [channels.Leak()], "soma": [channels.HHNa(), channels.HHK()],
         "basal": [channels.HCN()]}
t0 = time.perf_counter()
if variant == "values":
    cell = morph.to_template("tc", paint=paint, rules=[rule])
else:
    nseg = morph.nseg()
    reference = morph.to_template("ref", paint=paint, rules=[rule])
    gbar = reference.parameters.set_index("variable").value
    t0 = time.perf_counter()
    comps, conns, ends = [], [], {}
    for s in morph.sections:
        n, pts = nseg[s.name], s.points
        arc = arc_lengths(pts)
        cuts = np.linspace(0, arc[-1], n + 1)
        names = [s.name if n == 1 else f"{s.name}_{k}" for k in range(n)]
        for k in range(n):
            inside = (arc > cuts[k]) & (arc < cuts[k + 1])
            piece = np.vstack([[np.interp(cuts[k], arc, pts[:, j]) for j in range(4)],
                               pts[inside],
                               [np.interp(cuts[k + 1], arc, pts[:, j]) for j in range(4)]])
            chans = [channels.Leak()] + ([channels.HHNa(), channels.HHK()] if s.label == "soma"
                                         else [channels.HCN(gbar=gbar[f"gbar_hcn_{names[k]}"]
                                                            * siemens / cm**2 / 1e4)]
                                         if s.label == "basal" else [])
            comps.append(Compartment(names[k], points=piece * um, channels=chans))
            if k:
                conns.append((names[k - 1], names[k], 1))
        ends[s.name] = names
        if s.parent is not None:
            p = ends[s.parent]
            at = {0: (p[0], 0), 1: (p[-1], 1), 0.5: (p[len(p) // 2], 0.5)}[s.parent_x]
            conns.append((at[0], names[0], at[1]))
    cell = CellTemplate("tc", comps, conns)
t1 = time.perf_counter()
table = cell.parameters
t2 = time.perf_counter()
out = {"variant": variant, "compartments": len(cell.compartments),
       "segments": len(cell.segments), "template_s": t1 - t0, "parameters_s": t2 - t1,
       "area_um2": float(table[table.parameter == "area"].value.sum() * 1e12)}
if equations:
    cell.equations
    out["equations_s"] = time.perf_counter() - t2
print(json.dumps(out))
'''


def main():
    equations = "--equations" in sys.argv
    rows = []
    for variant in ("values", "segments"):
        result = subprocess.run([sys.executable, "-c", VARIANT, variant, str(int(equations))],
                                capture_output=True, text=True, check=True)
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    print("| variant | compartments | segments | template (s) | parameter table (s) |"
          + (" equations (s) |" if equations else "") + " total area (um2) |")
    print("|---|---|---|---|---|" + ("---|" if equations else "") + "---|")
    for r in rows:
        print(f"| {r['variant']} | {r['compartments']} | {r['segments']} | {r['template_s']:.2f} | "
              f"{r['parameters_s']:.2f} |" + (f" {r['equations_s']:.1f} |" if equations else "")
              + f" {r['area_um2']:.1f} |")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - start:.0f} s)")
