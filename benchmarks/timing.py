"""Timing helpers shared by the benchmarks: CPU time of a simulation loop, interleaving,
standalone binaries with their peak memory, and callgrind instruction counts.

On a machine shared with other jobs, CPU time of the simulation loop is much less
disturbed than wall time, runs of the compared variants are interleaved (each goes first
in turn) and the verdicts are ratios within a round; instruction counts (valgrind) are
deterministic and independent of the load.
"""

import os
import re
import subprocess
import time

__all__ = ["LoopClock", "timed_run", "rotated", "run_binary", "peak_rss", "count_instructions",
           "callgrind_functions", "run_worker", "write_report", "VALGRIND_MARCH"]

# valgrind cannot execute AVX-512: builds that are counted use AVX2 + FMA at most
VALGRIND_MARCH = "x86-64-v3"


class LoopClock:
    """Stand-in for the ``time`` module inside ``brian2.core.network``.

    ``Network.run`` reads ``time.time()`` exactly twice around its time-step loop (without
    ``report``, ``profile`` or a maximum run time) and stores the difference in
    ``device._last_run_time``. This stand-in returns the process CPU time instead, so that
    ``_last_run_time`` is the loop's CPU time (as cpp_standalone's, which uses
    ``std::clock``), and keeps the wall-clock readings in ``wall``. Install it with
    ``brian2.core.network.time = LoopClock()``.
    """

    def __init__(self):
        self.wall = []

    def __getattr__(self, name):
        return getattr(time, name)

    def time(self):
        self.wall.append(time.perf_counter())
        return time.process_time()


def timed_run(net, duration, clock, namespace=None):
    """Restore ``net`` and run it; return (loop CPU s, loop wall s) (Brian2 runtime)."""
    from brian2 import device

    net.restore()
    clock.wall.clear()
    net.run(duration, namespace=namespace if namespace is not None else {})
    assert len(clock.wall) == 2, clock.wall
    return float(device._last_run_time), clock.wall[1] - clock.wall[0]


def rotated(items, r):
    """``items`` in the order of round ``r``: each goes first in turn."""
    items = list(items)
    k = r % len(items)
    return items[k:] + items[:k]


def peak_rss(pid="self"):
    """Peak resident memory (bytes) of a running process's own address space: ``VmHWM``
    of ``/proc/PID/status`` (Linux); None where unavailable.

    Not ``ru_maxrss``: a child's ``ru_maxrss`` starts at its parent's resident size when
    it was spawned (Linux carries the old address space's high-water mark over ``exec``),
    so a large benchmark process would lend its size to every binary it runs.
    """
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def run_binary(directory, env=None, poll_s=0.005):
    """Run a compiled Brian2 standalone project once.

    Returns (loop s, process wall s, peak resident memory in bytes). The loop time is the
    one the binary writes to ``results/last_run_info.txt`` (``std::clock`` around
    ``Network::run``: CPU time; with OpenMP ``omp_get_wtime``: wall time). The peak memory
    is the binary's own (`peak_rss`, read every ``poll_s`` while it runs; ``ru_maxrss``
    where ``/proc`` is missing).
    """
    info = os.path.join(directory, "results", "last_run_info.txt")
    if os.path.exists(info):
        os.remove(info)
    t0 = time.perf_counter()
    proc = subprocess.Popen(["./main"], cwd=directory, stdout=subprocess.DEVNULL,
                            env=env)
    peak = None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak or 0, peak_rss(proc.pid) or 0) or None
        time.sleep(poll_s)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{directory}/main exited with status {proc.returncode}")
    with open(info) as f:
        return float(f.read().split()[0]), wall, peak or usage.ru_maxrss * 1024


def count_instructions(command, cwd=None, toggle="Network::run*", env=None):
    """Instructions executed by ``command`` (a list) under callgrind.

    ``toggle``: count only inside functions matching this pattern (None: everything, for
    stripped binaries; take differences of two run lengths then).
    """
    args = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    if toggle:
        args.append(f"--toggle-collect={toggle}")
    out = subprocess.run(args + list(command), cwd=cwd, capture_output=True, text=True,
                         check=True, env=env)
    return int(re.search(r"Collected\s*:\s*(\d+)", out.stderr).group(1))


def callgrind_functions(command, cwd=None, toggle="Network::run*", env=None):
    """Inclusive instruction counts per function of ``command`` under callgrind.

    Returns (total counted, {function name: inclusive count}); names as
    ``callgrind_annotate`` prints them, without file and object.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out_file = os.path.join(tmp, "callgrind.out")
        args = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}"]
        if toggle:
            args.append(f"--toggle-collect={toggle}")
        subprocess.run(args + list(command), cwd=cwd, capture_output=True, check=True,
                       env=env)
        text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                               out_file], capture_output=True, text=True, check=True).stdout
    counts, total = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$", line)
        if not m:
            continue
        count, what = int(m.group(1).replace(",", "")), m.group(2)
        if what.startswith("PROGRAM TOTALS"):
            total = count
            continue
        name = what.split(":", 1)[1] if ":" in what.split(" [")[0] else what
        name = name.split(" [")[0].strip()
        counts[name] = max(count, counts.get(name, 0))
    return total, counts


def run_worker(script, flag, args, timeout=None):
    """Run ``python script flag JSON(args)`` in a fresh process with the repository on
    ``PYTHONPATH``; return the JSON its last line of output holds."""
    import json
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, os.path.abspath(script), flag, json.dumps(args)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_report(text, path):
    """Write a benchmark's report (creating its folder) and print it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    print(text)
