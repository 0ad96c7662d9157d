"""compartments.usage.Usage: time and peak memory of a block, with its child processes."""

import subprocess
import sys

import numpy as np
import pytest

from compartments.usage import Usage

pytestmark = pytest.mark.codegen_independent


def test_memory_of_this_process_and_of_a_child():
    with Usage() as mine:
        block = np.ones(80 * 2**20 // 8)          # 80 MiB, touched
        block += 1
        del block
    assert mine.rss_growth_MiB > 60
    code = "import time; b = bytearray(120 * 2**20); time.sleep(0.5)"
    with Usage() as child:
        subprocess.run([sys.executable, "-c", code], check=True)
    assert child.child_peak_rss_MiB > 100
    assert child.wall_s > 0.5 and child.cpu_s > 0
    assert set(child.as_dict()) == {"wall_s", "cpu_s", "peak_rss_MiB", "rss_growth_MiB",
                                    "child_peak_rss_MiB"}
