"""cpp_standalone: one build, re-runs with other parameters reuse the binary (test_build).

Usage: python standalone_rerun.py TARGET OUTFILE BUILD_DIR   (TARGET: cpp_standalone)
"""

import os
import sys

import numpy as np
from brian2 import Network, SpikeMonitor, defaultclock, device, ms, nA

import compartments
from cells import demo_cell

AMPLITUDES = [0.0, 0.15, 0.4] * nA


def run(build_dir):
    compartments.backends.use("cpp_standalone", directory=build_dir)
    defaultclock.dt = 0.025 * ms
    group = demo_cell().make_group(len(AMPLITUDES))
    group.I_ext_soma = AMPLITUDES
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(40 * ms)  # code generation, compilation, first run
    binary = os.path.join(build_dir, "main")
    built = os.stat(binary).st_mtime_ns
    first = np.bincount(np.asarray(spikes.i[:]), minlength=len(AMPLITUDES))
    device.run(run_args={group.I_ext_soma: [0.4, 0.15, 0.0] * nA})  # same binary, new values
    second = np.bincount(np.asarray(spikes.i[:]), minlength=len(AMPLITUDES))
    return dict(first=first, second=second, rebuilt=os.stat(binary).st_mtime_ns != built)


if __name__ == "__main__":
    np.savez(sys.argv[2], **run(sys.argv[3]))
