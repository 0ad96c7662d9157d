"""Which solver for which template: cold compile and run time, unrolled vs tree, by size.

The template is an HH soma (20 x 20 um, `HHNa`, `HHK`, `Leak`) with a passive dendrite of
``nseg`` segments (400 x 3 um): the common shape of a reduced cell. For each size and
solver, one fresh process (empty Cython and derived-artefact caches) builds ``--cells``
cells, runs one step (code generation and compilation), then ``--duration`` with 0.2 nA
into the soma. Reported: the compiler's CPU time (seconds in gcc/g++ sub-processes,
robust to other load on the machine), the whole first run's wall time, and the CPU time
per neuron-step of the simulation. The rule in `compartments.tree.choose_solver` is read
off this table (docs/build.md)::

    PYTHONPATH=. python benchmarks/solver_choice.py --sizes 4 10 20 40 80

"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def child(solver, nseg, cells, duration, cache):
    import brian2
    from brian2 import Network, cm, mV, ms, msiemens, nA, ohm, prefs, uF, um

    from compartments import CellTemplate, Compartment, channels

    prefs.codegen.target = "cython"
    prefs.codegen.runtime.cython.cache_dir = cache
    brian2.defaultclock.dt = 0.025 * ms
    leak = channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[leak, channels.HHNa(), channels.HHK()])
    dend = Compartment("dend", length=400 * um, diameter=3 * um, nseg=nseg, channels=[leak])
    cell = CellTemplate("choice", [soma, dend], connections=[("soma", "dend")],
                        Ra=150 * ohm * cm)
    group = cell.make_group(cells, solver=solver)
    group.I_ext_soma = 0.2 * nA
    net = Network(group)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    net.run(brian2.defaultclock.dt)
    first = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    compile_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    c0 = time.process_time()
    net.run(duration * ms)
    sim = time.process_time() - c0
    steps = duration / 0.025
    print(json.dumps({"solver": solver, "segments": nseg + 1, "compile_cpu": compile_cpu,
                      "first_run": first, "ns_per_neuron_step": 1e9 * sim / steps / cells}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 10, 20, 40],
                        help="dendrite segments (the soma adds one)")
    parser.add_argument("--cells", type=int, default=100)
    parser.add_argument("--duration", type=float, default=200.0, help="ms")
    parser.add_argument("--solvers", nargs="+", default=["unrolled", "tree"])
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--child", nargs=2, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.cells, args.duration, args.cache)
        return
    print("| segments | solver | compile CPU (s) | first run wall (s) | ns per neuron-step |")
    print("|---|---|---|---|---|")
    for nseg in args.sizes:
        for solver in args.solvers:
            cache = tempfile.mkdtemp(prefix="solver_choice_")
            env = dict(os.environ, BRIAN2COMPARTMENTS_CACHE=os.path.join(cache, "derived"),
                       PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
            cmd = [sys.executable, __file__, "--child", solver, str(nseg), "--cache", cache,
                   "--cells", str(args.cells), "--duration", str(args.duration)]
            try:
                out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                     timeout=args.timeout)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"| {r['segments']} | {solver} | {r['compile_cpu']:.1f} | "
                      f"{r['first_run']:.1f} | {r['ns_per_neuron_step']:.0f} |", flush=True)
            except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError):
                print(f"| {nseg + 1} | {solver} | failed or timed out | | |", flush=True)


if __name__ == "__main__":
    main()
