"""Where build time and memory go, by template size (issue: the build pipeline).

For each size N, one fresh subprocess (its own empty Cython cache unless ``--warm``)
builds a uniform passive cable of N segments (Rallpack 1: 1 mm, 1 um diameter,
Ra 100 ohm*cm, Rm 40 000 ohm*cm2, cm 1 uF/cm2) or, with ``--cell TYPE``, a catalogue
cell type, and times each phase:

- ``template``: `CellTemplate` construction (topology, conductances);
- ``equations``: composing the Brian2 `Equations` of the unrolled solver (not timed for
  the tree solver, which builds row equations instead: its cost is in ``make_group``);
- ``make_group``: everything `make_group` does (Brian2's `NeuronGroup`, the rest solve);
  the sub-phases ``neurongroup`` (Brian2 parsing the equations) and ``rest`` (deriving
  and solving the resting state) are timed inside it;
- ``codegen``: the state updater derivation and Brian2's code generation (a run of 0 s
  with compilation switched off is not possible in Brian2, so this is the first
  ``run(dt)`` minus the compile time reported by the compiler sub-process);
- ``compile``: wall time spent in C/C++ compiler sub-processes (gcc/g++), read from the
  children's CPU accounting;
- ``run``: simulating 10 ms after the build;
- ``cpu``: CPU seconds of the whole child (Python and compilers) — the figure to trust
  on a shared machine, where wall times include waiting for a core.

"Cold" is an empty Cython cache and an empty cache of derived artefacts
(``BRIAN2COMPARTMENTS_CACHE``, `compartments.cache`); "warm" is a second process on
both. ``--solver`` forces the unrolled or the tree solver (default: make_group's rule).

Peak memory is the largest resident set of the Python process (``ru_maxrss``) and of
any compiler child. Usage::

    PYTHONPATH=. python benchmarks/build_profile.py                 # 3, 30, 300 segments
    PYTHONPATH=. python benchmarks/build_profile.py --sizes 3 30 300 1000 --timeout 1800
    PYTHONPATH=. python benchmarks/build_profile.py --cell L5_TTPC --target cpp_standalone

Writes a Markdown table to stdout (and ``--out FILE``).
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

PHASES = ("template", "equations", "neurongroup", "rest", "make_group", "codegen", "compile",
          "first_run", "run", "cpu")


def _child_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def rallpack_cable(n):
    """Rallpack 1's uniform passive cable as one compartment of ``n`` segments."""
    from brian2 import cm, mV, ohm, uF, um

    from compartments import CellTemplate, Compartment, channels

    leak = channels.Leak(g=1 / (40000 * ohm * cm**2), E=-65 * mV)
    cable = Compartment("cable", length=1000 * um, diameter=1 * um, cm=1 * uF / cm**2,
                        nseg=n, channels=[leak])
    return CellTemplate("rallpack1", [cable], Ra=100 * ohm * cm)


def measure(size, cell, target, cache, solver):
    """Run in a child process: time every phase of one build, print JSON."""
    os.environ["BRIAN2COMPARTMENTS_CACHE"] = os.path.join(cache, "derived")
    os.environ["BRIAN2COMPARTMENTS_QUIET"] = "1"
    cpu_start = time.process_time()
    import brian2
    from brian2 import Network, ms, prefs

    brian2.defaultclock.dt = 0.025 * ms
    if target == "cython":
        prefs.codegen.runtime.cython.cache_dir = cache
        prefs.codegen.target = "cython"
    elif target == "numpy":
        prefs.codegen.target = "numpy"
    else:
        brian2.set_device("cpp_standalone", directory=os.path.join(cache, "standalone"),
                          build_on_run=False)
    times = {}
    t0 = time.perf_counter()
    if cell:
        import celltypes

        template = celltypes.get(cell)
    else:
        template = rallpack_cable(size)
    times["template"] = time.perf_counter() - t0

    from compartments.tree import choose_solver

    if (solver or choose_solver(template)) == "unrolled":  # the tree solver does not use them
        t0 = time.perf_counter()
        template.equations
        times["equations"] = time.perf_counter() - t0

    # sub-phases of make_group, timed where the classes are defined (both solvers use them)
    from brian2.groups.neurongroup import NeuronGroup

    from compartments.rest import StateSystem

    spent = {"neurongroup": 0.0, "rest": 0.0}
    depth = {"neurongroup": 0, "rest": 0}

    def timed(cls, method, phase):
        original = getattr(cls, method)

        def wrapper(*args, **kwargs):  # outermost call only (rest() calls f, jacobian, ...)
            depth[phase] += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                depth[phase] -= 1
                if depth[phase] == 0:
                    spent[phase] += time.perf_counter() - start
        setattr(cls, method, wrapper)

    timed(NeuronGroup, "__init__", "neurongroup")
    for method in ("__init__", "rest", "steady_gates", "f", "jacobian"):
        timed(StateSystem, method, "rest")
    t0 = time.perf_counter()
    group = template.make_group(1, solver=solver)
    times["make_group"] = time.perf_counter() - t0
    times.update(spent)

    net = Network(group)
    children = _child_seconds()
    t0 = time.perf_counter()
    if target == "cpp_standalone":
        net.run(10 * ms)
        before = time.perf_counter()
        brian2.device.build(directory=os.path.join(cache, "standalone"), compile=True, run=False)
        times["first_run"] = time.perf_counter() - t0
        times["compile"] = _child_seconds() - children
        times["codegen"] = times["first_run"] - times["compile"]
        t0 = time.perf_counter()
        brian2.device.run(os.path.join(cache, "standalone"), with_output=False, run_args=[])
        times["run"] = time.perf_counter() - t0
        del before
    else:
        net.run(brian2.defaultclock.dt)
        times["first_run"] = time.perf_counter() - t0
        times["compile"] = _child_seconds() - children
        times["codegen"] = times["first_run"] - times["compile"]
        t0 = time.perf_counter()
        net.run(10 * ms)
        times["run"] = time.perf_counter() - t0
    times["cpu"] = time.process_time() - cpu_start + _child_seconds()
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"size": len(template.segment_names), "solver": type(group).__name__,
                      "times": times,
                      "rss_mb": self_rss, "compiler_rss_mb": child_rss}))


def run_one(size, cell, target, timeout, solver, warm_cache=None):
    cache = warm_cache or tempfile.mkdtemp(prefix="build_profile_")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, __file__, "--child", str(size), "--target", target, "--cache", cache]
    if solver:
        cmd += ["--solver", solver]
    if cell:
        cmd += ["--cell", cell]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"size": size, "error": f"timeout after {timeout} s"}, cache
    if out.returncode != 0:
        return {"size": size, "error": out.stderr.strip().splitlines()[-1:]}, cache
    return json.loads(out.stdout.strip().splitlines()[-1]), cache


def table(rows, title):
    head = ["segments", "group", *PHASES, "peak RSS (MB)", "compiler RSS (MB)"]
    lines = [f"### {title}", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['size']} | " + f"{row['error']} |" + " |" * (len(head) - 2))
            continue
        t = row["times"]
        cells = [str(row["size"]), row["solver"]] + [f"{t.get(p, float('nan')):.2f}" for p in PHASES]
        cells += [f"{row['rss_mb']:.0f}", f"{row['compiler_rss_mb']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 30, 300])
    parser.add_argument("--cell", default=None, help="a catalogue type instead of the cable")
    parser.add_argument("--target", default="cython", choices=["cython", "numpy",
                                                               "cpp_standalone"])
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--out", default=None)
    parser.add_argument("--solver", default=None, choices=["unrolled", "tree"],
                        help="default: make_group's choice by size")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        measure(args.child, args.cell, args.target, args.cache, args.solver)
        return
    sizes = [0] if args.cell else args.sizes
    cold, warm = [], []
    for size in sizes:
        row, cache = run_one(size, args.cell, args.target, args.timeout, args.solver)
        cold.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        if "error" not in row:
            again, _ = run_one(size, args.cell, args.target, args.timeout, args.solver,
                               warm_cache=cache)
            warm.append(again)
            print(json.dumps(again), file=sys.stderr, flush=True)
    what = args.cell or "Rallpack 1 cable"
    text = "\n\n".join([table(cold, f"{what}, {args.target}, cold (empty cache), seconds"),
                        table(warm, f"{what}, {args.target}, warm (second process), seconds")])
    if args.out:
        write_report(text + "\n", args.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
