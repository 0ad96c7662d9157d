"""Rallpacks 1 and 2 (Bhalla et al. 1992): accuracy, build time and memory, cold and warm.

Rallpack 1 is a uniform passive cable of 1,000 segments, Rallpack 2 a binary tree of
1,023 passive cylinders; both are compared with the analytic solutions shipped in
brian2's tests/rallpack_data (relative RMS and maximum error over 250 ms, scaled by
the range of the reference, as brian2's own tests compute them), recorded at the
injection site and at a distal end (segment centres next to the cable ends).

Each case runs in a fresh process, first with empty caches (Brian2's compiled code
and this package's derived artefacts: *cold*), then again with them (*warm*), and
reports the seconds spent building (template + `make_group`), in the first run's
code generation and compilation (a run of one time step), simulating 250 ms, and the
process's peak resident memory (including the compiler's)::

    PYTHONPATH=. python benchmarks/rallpacks.py                       # Cython, tree solver
    PYTHONPATH=. python benchmarks/rallpacks.py --target cpp_standalone
    PYTHONPATH=. python benchmarks/rallpacks.py --solver unrolled --sizes 10 30   # (slow)

Writes a Markdown table to stdout (and to ``--out``).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from timing import write_report  # benchmarks/timing.py (this folder)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def accuracy(t, v, reference):
    """(relative RMS, relative maximum) error of v(t) (volt) against a reference file."""
    import numpy as np

    data = np.loadtxt(reference)
    ref = np.interp(t, data[:, 0], data[:, 1])
    scale = data[:, 1].max() - data[:, 1].min()
    err = v - ref
    return float(np.sqrt(np.mean(err**2)) / scale), float(np.max(np.abs(err)) / scale)


def child(case, target, solver, cache, nseg):
    import brian2
    import numpy as np
    from brian2 import Network, StateMonitor, ms, nA, prefs

    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from cells import RALLPACK_DATA, rallpack1, rallpack2

    dt = 0.05 * ms
    brian2.defaultclock.dt = dt
    build_dir = os.path.join(cache, "standalone")
    if target == "cpp_standalone":
        brian2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    else:
        prefs.codegen.target = target
        prefs.codegen.runtime.cython.cache_dir = os.path.join(cache, "cython")
    times = {}
    t0 = time.perf_counter()
    template = rallpack1(nseg) if case == "rallpack1" else rallpack2()
    group = template.make_group(1, solver=solver, init=-65 * brian2.mV)
    times["build"] = time.perf_counter() - t0
    first = template.segment_names[0]
    last = template.segment_names[-1]
    setattr(group, f"I_ext_{first}", 0.1 * nA)
    if solver == "tree":
        rows = [int(group.rows(first)[0]), int(group.rows(last)[0])]
        mon = StateMonitor(group, "v", record=rows, when="start")
    else:
        mon = StateMonitor(group, [f"v_{first}", f"v_{last}"], record=[0], when="start")
    net = Network(group, mon)
    if target == "cpp_standalone":
        net.run(250 * ms + dt)
        t0 = time.perf_counter()
        brian2.device.build(directory=build_dir, compile=True, run=False)
        times["first_run"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        brian2.device.run(build_dir, with_output=False, run_args=[])
        times["simulate"] = time.perf_counter() - t0
    else:
        t0 = time.perf_counter()
        net.run(dt)
        times["first_run"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        net.run(250 * ms)
        times["simulate"] = time.perf_counter() - t0
    t = np.asarray(mon.t_)
    if solver == "tree":
        v0, vx = np.asarray(mon.v_)
    else:
        v0, vx = np.asarray(getattr(mon, f"v_{first}_"))[0], np.asarray(getattr(mon, f"v_{last}_"))[0]
    name = "cable" if case == "rallpack1" else "branch"
    err0 = accuracy(t, v0, os.path.join(RALLPACK_DATA, f"ref_{name}.0"))
    errx = accuracy(t, vx, os.path.join(RALLPACK_DATA, f"ref_{name}.x"))
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"case": case, "segments": len(template.segment_names), "times": times,
                      "rms_0": err0[0], "max_0": err0[1], "rms_x": errx[0], "max_x": errx[1],
                      "rss_mb": rss}))


def run(case, target, solver, nseg, cache, timeout):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               BRIAN2COMPARTMENTS_CACHE=os.path.join(cache, "derived"))
    cmd = [sys.executable, __file__, "--child", case, "--target", target, "--solver", solver,
           "--cache", cache, "--nseg", str(nseg)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"case": case, "error": f"timeout after {timeout} s"}
    if out.returncode != 0:
        return {"case": case, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(result, label):
    if "error" in result:
        return f"| {result['case']} | {label} | {result['error']} | | | | | | |"
    t = result["times"]
    return (f"| {result['case']} ({result['segments']} segments) | {label} | {t['build']:.2f} | "
            f"{t['first_run']:.2f} | {t['build'] + t['first_run']:.2f} | {t['simulate']:.2f} | "
            f"{100 * max(result['rms_0'], result['rms_x']):.3f} | "
            f"{100 * max(result['max_0'], result['max_x']):.3f} | {result['rss_mb']:.0f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="cython", choices=["cython", "cpp_standalone",
                                                               "numpy"])
    parser.add_argument("--solver", default="tree", choices=["tree", "unrolled"])
    parser.add_argument("--cases", nargs="+", default=["rallpack1", "rallpack2"])
    parser.add_argument("--nseg", type=int, default=1000, help="segments of Rallpack 1")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--out", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.target, args.solver, args.cache, args.nseg)
        return
    lines = [f"Target {args.target}, solver {args.solver}, dt 0.05 ms, 250 ms.", "",
             "| case | caches | build (s) | first run: codegen + compile (s) | build + compile "
             "(s) | simulate 250 ms (s) | rel. RMS error (%) | rel. max error (%) | peak RSS "
             "(MB) |", "|---|---|---|---|---|---|---|---|---|"]
    for case in args.cases:
        cache = tempfile.mkdtemp(prefix="rallpack_")
        for label in ("cold", "warm"):
            result = run(case, args.target, args.solver, args.nseg, cache, args.timeout)
            print(json.dumps(result), file=sys.stderr, flush=True)
            lines.append(row(result, label))
    text = "\n".join(lines)
    if args.out:
        write_report(text + "\n", args.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
