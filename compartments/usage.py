"""Measuring a block of work: wall and CPU time, and the peak memory of this process and of the
processes it starts (a cpp_standalone binary, the compiler).

>>> from compartments.usage import Usage
>>> with Usage() as used:
...     _ = sum(range(10**5))
>>> used.wall_s >= 0 and used.peak_rss_MiB > 0
True

Memory is sampled (every ``interval`` seconds, default 10 ms) with psutil: the
resident set size of this process (its peak, and its growth over the block), and
the largest resident set of any child process alive at a sample. A child that
lives shorter than the interval can be missed.
"""

import threading
import time

__all__ = ["Usage"]


def _psutil():
    try:
        import psutil
    except ImportError as ex:
        raise ImportError("compartments.usage needs psutil (pip install psutil).") from ex
    return psutil


class Usage:
    """Context manager: time and memory of the block (see the module docstring).

    Attributes (after the block)
    ----------------------------
    wall_s, cpu_s : float
        Elapsed time, and CPU time of this process and its finished children (s).
    peak_rss_MiB, rss_growth_MiB : float
        Largest resident memory of this process during the block, and that minus
        its value at the start (MiB).
    child_peak_rss_MiB : float
        Largest resident memory of one child process seen during the block (MiB;
        0 if none).
    """

    def __init__(self, interval=0.01):
        self.interval = interval
        self.wall_s = self.cpu_s = 0.0
        self.peak_rss_MiB = self.rss_growth_MiB = self.child_peak_rss_MiB = 0.0

    def _sample(self):
        rss = self._process.memory_info().rss
        child = 0
        for c in self._process.children(recursive=True):
            try:
                child = max(child, c.memory_info().rss)
            except Exception:  # the child ended between listing and reading: skip it
                continue
        self._peak = max(self._peak, rss)
        self._child = max(self._child, child)

    def _watch(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        import os

        self._process = _psutil().Process()
        self._start_rss = self._process.memory_info().rss
        self._peak, self._child = self._start_rss, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._times = os.times()
        self._start = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        import os

        self.wall_s = time.perf_counter() - self._start
        self._stop.set()
        self._thread.join()
        self._sample()
        end = os.times()
        self.cpu_s = sum(end[:4]) - sum(self._times[:4])
        mib = 2.0**20
        self.peak_rss_MiB = self._peak / mib
        self.rss_growth_MiB = (self._peak - self._start_rss) / mib
        self.child_peak_rss_MiB = self._child / mib
        return False

    def as_dict(self):
        """The measurements as a dict (for a DataFrame row)."""
        return {"wall_s": self.wall_s, "cpu_s": self.cpu_s, "peak_rss_MiB": self.peak_rss_MiB,
                "rss_growth_MiB": self.rss_growth_MiB,
                "child_peak_rss_MiB": self.child_peak_rss_MiB}

    def __repr__(self):
        return (f"{type(self).__name__}(wall_s={self.wall_s:.2f}, cpu_s={self.cpu_s:.2f}, "
                f"peak_rss_MiB={self.peak_rss_MiB:.0f}, "
                f"child_peak_rss_MiB={self.child_peak_rss_MiB:.0f})")
