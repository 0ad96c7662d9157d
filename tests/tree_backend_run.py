"""The branched cell on the tree solver under one target (used by test_tree).

Usage: python tree_backend_run.py TARGET OUTFILE BUILD_DIR
"""

import sys

import numpy as np
from brian2 import Network, StateMonitor, defaultclock, ms, nA

import compartments
from cells import branched_cell

if __name__ == "__main__":
    compartments.backends.use(sys.argv[1], directory=sys.argv[3])
    defaultclock.dt = 0.025 * ms
    group = branched_cell().make_group(2, solver="tree")
    group.I_ext_left_2 = [0.1, 0.3] * nA
    mon = StateMonitor(group.segment("soma"), "v", record=True)
    Network(group, mon).run(20 * ms)
    np.savez(sys.argv[2], v=np.asarray(mon.v_))
