"""Why the L2/3 and L5 AP half-widths stay below their targets: the sweeps.

For each type, a grid over the somatic parameters that set the spike's width, run on the
type's standard protocols (`celltypes.characterise.series`, one vectorised group per
type, `compartments.sweep`) from the current catalogue values:

- L23_PC: Kdr density, NaT ``VT`` shift, and the Kdr rate factor ``phi_kdr`` (a Q10
  temperature factor the template derives from its temperature; not a catalogue row);
- L5_TTPC: somatic Kv3 density.

It prints the half-width next to the features that show whether the cell still fires
as its type (rates, bursts, adaptation at the reference step). Numbers and the
conclusion: docs/celltypes/README.md, "Remaining misses".

    PYTHONPATH=. python docs/celltypes/halfwidth_sweeps.py [L23_PC] [L5_TTPC]
"""

import sys

import pandas as pd
from brian2 import cm, msiemens, mV

import celltypes
from celltypes import characterise as ch
from compartments.sweep import grid, sweep

MS_CM2 = msiemens / cm**2
GRIDS = {
    "L23_PC": {"gbar_kdr_soma": [5.87, 3.5, 2.4] * MS_CM2, "VT_nat_soma": [-55, -50] * mV,
               "phi_kdr_soma": [1.0, 0.5]},
    "L5_TTPC": {"gbar_kv3_soma": [652, 150, 40] * MS_CM2},
}
SHOWN = ["ap_halfwidth_ms", "rheobase_nA", "fi_slope_initial_Hz_per_nA", "max_rate_Hz",
         "adaptation_index", "isi_ratio", "burst_spikes", "bac_spikes", "status"]


def run(name):
    cell = celltypes.get(name)
    with ch.quick_compile(ch.STANDARD[name].quick_compile):
        table = sweep(cell, grid(GRIDS[name]), ch.series(cell), dt=ch.DT, progress=False)
    varied = [c for c in table.columns if any(c.startswith(k) for k in GRIDS[name])]
    rates = [c for c in table.columns if c.startswith("rate_Hz_at_")][3::4]
    return table[varied + [c for c in SHOWN if c in table.columns] + rates]


def main():
    pd.set_option("display.width", 250)
    for name in sys.argv[1:] or sorted(GRIDS):
        print(name)
        print(run(name).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
