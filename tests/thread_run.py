"""Build and run a small driven network in cpp_standalone on a given number of OpenMP
threads; save spikes and the final state (used by test_threads).

Usage: python thread_run.py THREADS OUTFILE BUILD_DIR
"""

import sys

import numpy as np
from brian2 import (Hz, Network, SpikeMonitor, defaultclock, device, ms, nS, prefs,
                    set_device)

from cells import demo_cell
from compartments import background
from compartments.receptors import AMPA

N, DURATION = 300, 100 * ms


def run(threads, build_dir):
    prefs.devices.cpp_standalone.openmp_threads = threads
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    defaultclock.dt = 0.025 * ms
    cell = demo_cell().with_channels({"apical": [AMPA()]})
    group = cell.make_group(N)
    drive = background.poisson_drive(group, "ampa", at="apical_3", rate=40 * Hz, n_inputs=2,
                                     gpeak=4 * nS, seed=7)
    spikes, events = SpikeMonitor(group), SpikeMonitor(drive)
    Network(group, drive, spikes, events).run(DURATION)
    device.build(directory=build_dir)
    state = {name: np.asarray(getattr(group, name + "_")) for name in
             sorted(group.equations.diff_eq_names)}
    return dict(state, spike_i=np.asarray(spikes.i[:]), spike_t=np.asarray(spikes.t_[:]),
                events=np.asarray(events.num_spikes))


if __name__ == "__main__":
    np.savez(sys.argv[2], **run(int(sys.argv[1]), sys.argv[3]))
