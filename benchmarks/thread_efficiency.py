"""Work of the project's 2-thread build against one thread, in CPU time, on a busy machine.

Wall-clock scaling (2 threads against 1) needs two free cores. On a machine shared with
other jobs a 2-thread run gets less than two cores and its threads wait for each other at
every parallel loop's barrier, so its wall time says little about the code. What can be
measured there is the *work*: the CPU time (user + system) of the whole process. If the
2-thread run does the 1-thread run's work (ratio near 1), it spends it on two cores at
once wherever two are free; CPU time above that is the cost of the threads (spinning or
sleeping at barriers, cache traffic between cores). OpenMP's wait policy decides what a
waiting thread does: by default GNU OpenMP spins (300,000 rounds, ~1 ms, when there are
no more threads than cores) before it sleeps, ``OMP_WAIT_POLICY=active`` spins for ever,
``passive`` sleeps in the kernel at once.

The peers network of `peer_models` (project, cpp_standalone), N cells, interleaved rounds:
1 thread (built without OpenMP), 2 threads with OpenMP's default wait policy and with
``OMP_WAIT_POLICY=passive``. Reports per neuron-step: process CPU time, wall time, and CPU time relative to
1 thread (median and range over the rounds), with the load average.

Usage::

    PYTHONPATH=. python benchmarks/thread_efficiency.py --n 10000 --duration 100 --repeats 3

Writes ``benchmarks/results/thread_efficiency.md`` (``--out``) and prints it.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import peer_models as pm  # noqa: E402
from timing import rotated, run_worker, write_report  # noqa: E402

VARIANTS = {"1 thread": (1, None), "2 threads, OpenMP's default wait policy": (2, None),
            "2 threads, OMP_WAIT_POLICY=passive": (2, "passive")}


def run_process(directory, wait_policy=None):
    """(CPU s, wall s) of one run of a built standalone project: user + system time of the
    process, and its wall time."""
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if wait_policy:
        env["OMP_WAIT_POLICY"] = wait_policy
    t0 = time.perf_counter()
    proc = subprocess.Popen(["./main"], cwd=directory, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{directory}/main exited with status {status}")
    return usage.ru_utime + usage.ru_stime, wall


def median_range(values):
    s = sorted(values)
    return s[len(s) // 2], s[0], s[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=100.0, help="ms per run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "thread_efficiency.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        from peers import worker_standalone_build

        print(json.dumps(worker_standalone_build(**json.loads(args.worker))))
        return 0
    argv_text = " ".join(sys.argv[1:] if argv is None else argv)
    t_start = time.perf_counter()
    workdir = tempfile.mkdtemp(prefix="thread_efficiency_")
    steps = args.n * round(args.duration / pm.DT)
    runs = {v: [] for v in VARIANTS}
    loads = [os.getloadavg()[0]]
    try:
        dirs = {}
        for threads in (1, 2):
            d = dirs[threads] = os.path.join(workdir, f"t{threads}")
            run_worker(__file__, "--worker", dict(model="project", n=args.n,
                                                  duration_ms=args.duration, directory=d,
                                                  threads=threads))
        for r in range(args.repeats):
            for variant in rotated(VARIANTS, r):
                threads, policy = VARIANTS[variant]
                runs[variant].append(run_process(dirs[threads], policy))
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{args.repeats}: " + ", ".join(
                f"{v}: {runs[v][-1][0]:.2f} s CPU, {runs[v][-1][1]:.2f} s wall" for v in VARIANTS),
                file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    lines = ["# Work of 2 threads against 1 (CPU time of the process)", "",
             f"Project network of `peer_models.py` (cpp_standalone), N = {args.n}, "
             f"{args.duration:g} ms per run, {args.repeats} interleaved rounds; whole process "
             f"(set-up included). Load average (1 min) during the rounds: "
             f"{min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} CPUs.", "",
             "| variant | CPU ns per neuron-step | wall ns per neuron-step | CPU / 1 thread |",
             "|---|---:|---:|---:|"]
    for variant in VARIANTS:
        cpu = median_range([c * 1e9 / steps for c, _ in runs[variant]])
        wall = median_range([w * 1e9 / steps for _, w in runs[variant]])
        ratio = median_range([c / c1 for (c, _), (c1, _) in zip(runs[variant],
                                                                  runs["1 thread"])])
        lines.append(f"| {variant} | {cpu[0]:.0f} ({cpu[1]:.0f}–{cpu[2]:.0f}) | "
                     f"{wall[0]:.0f} ({wall[1]:.0f}–{wall[2]:.0f}) | "
                     f"{ratio[0]:.2f} ({ratio[1]:.2f}–{ratio[2]:.2f}) |")
    lines += ["", f"Produced by `PYTHONPATH=. python benchmarks/thread_efficiency.py {argv_text}` "
              f"in {(time.perf_counter() - t_start) / 60:.0f} min on {time.strftime('%Y-%m-%d')} "
              f"({platform.machine()}, {os.cpu_count()} CPUs)."]
    write_report("\n".join(lines) + "\n", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
