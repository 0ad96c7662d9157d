"""Run the demo cell under one code-generation target and save its traces (used by test_backends).

Usage: python backend_run.py TARGET OUTFILE [BUILD_DIR]
"""

import sys

import numpy as np
from brian2 import Network, StateMonitor, defaultclock, ms, nA

import compartments
from cells import demo_cell

AMPLITUDES = [0.0, 0.15, 0.4] * nA
DURATION = 40 * ms
VARIABLES = ["v_soma", "v_apical_3", "m_hhna_soma"]


def run(target, build_dir=None):
    compartments.backends.use(target, directory=build_dir)
    defaultclock.dt = 0.025 * ms
    group = demo_cell().make_group(len(AMPLITUDES))
    group.I_ext_soma = AMPLITUDES
    mon = StateMonitor(group, VARIABLES, record=True)
    Network(group, mon).run(DURATION)
    return {var: np.asarray(getattr(mon, var + "_")) for var in VARIABLES}


if __name__ == "__main__":
    traces = run(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None)
    np.savez(sys.argv[2], **traces)
