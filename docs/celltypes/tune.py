"""Parameter sweeps behind the values marked 'tuned here' in celltypes/data/*.csv.

One group: every (parameter value, step amplitude) pair is a neuron; prints the
step features. Example (the PV_BC Kv3 density):

    PYTHONPATH=. python docs/celltypes/tune.py PV_BC gbar_kv3_soma 40,60,80 1,2,3,4 --scale 10

``--scale`` converts the listed values to SI (10: mS/cm2 -> S/m2; 1e-3: mV -> V).
"""

import argparse

import numpy as np
import pandas as pd
from brian2 import defaultclock, ms, nA

import celltypes
import compartments
from compartments.analysis import features, protocols

COLUMNS = ["amplitude_nA", "v_base_mV", "n_spikes", "rate_Hz", "first_spike_latency_ms",
           "adaptation_index", "isi_cv", "ap_halfwidth_ms", "ap_peak_mV", "ahp_mV", "isi_ratio",
           "sag_ratio", "rebound_spikes", "burst_spikes", "R_in_MOhm"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cell_type")
    parser.add_argument("variable", help="group variable, e.g. gbar_kv3_soma ('none': no sweep)")
    parser.add_argument("values", help="comma-separated values (times --scale gives SI)")
    parser.add_argument("amplitudes", help="comma-separated step amplitudes (nA)")
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=500.0, help="step (ms)")
    parser.add_argument("--target", default="cython")
    args = parser.parse_args()
    compartments.backends.use(args.target)
    defaultclock.dt = 0.025 * ms
    values = np.array([float(x) for x in args.values.split(",")])
    amps = np.array([float(x) for x in args.amplitudes.split(",")])
    V, A = np.meshgrid(values, amps, indexing="ij")
    group = celltypes.get(args.cell_type).make_group(V.size)
    if args.variable != "none":
        setattr(group, args.variable + "_", V.ravel() * args.scale)
        compartments.equilibrate(group)
    rec = protocols.steps(group, A.ravel() * nA, duration=args.duration * ms, after=300 * ms)
    f = features.spike_features(rec)
    f.insert(0, args.variable, V.ravel())
    pd.set_option("display.width", 250)
    print(f[[args.variable] + COLUMNS].round(3).to_string())


if __name__ == "__main__":
    main()
