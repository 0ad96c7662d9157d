"""A small sweep run as its own process (tests/test_sweep.py kills it mid-study and resumes).

    python tests/sweep_run.py DIRECTORY OUTPUT.parquet [numpy|cython]
"""

import os
import sys

from brian2 import mV, ms, nA

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compartments  # noqa: E402
from compartments.analysis.series import StepSeries  # noqa: E402
from compartments.sweep import grid, sweep  # noqa: E402

from cells import hh_soma  # noqa: E402

DESIGN = grid({"E_leak_soma": [-72, -68, -64, -60, -56, -52] * mV,
               "scale(gbar_hhk_*)": [0.8, 1.0, 1.25]})
STEPS = StepSeries([-0.05, 0.1, 0.2] * nA, reference=0.2 * nA, delay=10 * ms,
                   duration=40 * ms, after=10 * ms)
BATCH = 3


def run(directory, target="numpy", client=None):
    compartments.backends.use(target)
    return sweep(hh_soma(), DESIGN, [STEPS], directory=directory, batch_size=BATCH,
                 client=client, progress=False, target=target)


if __name__ == "__main__":
    table = run(sys.argv[1], *(sys.argv[3:4] or ["numpy"]))
    table.to_parquet(sys.argv[2], index=False)
