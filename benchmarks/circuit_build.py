"""A user's first catalogue circuit after ``precompile``: how long until it has run 1 s?

The issue's circuit: 80 L23_PC, 10 PV_BC and 10 SST_MC (the circuit-ready variants with
AMPA, NMDA and GABA_A everywhere, `celltypes.precompile.with_standard_receptors`),
E -> E and E -> I AMPA + NMDA, PV -> E GABA_A on the soma, SST -> E GABA_A on the
dendrites (synapses placed by path distance), Poisson background onto every cell, 1 s
at dt 0.025 ms, Cython.

Steps, each in fresh processes sharing one Cython cache and one derived-artefact cache
(``BRIAN2COMPARTMENTS_CACHE``), both empty at the start:

1. ``precompile``: ``python -m celltypes precompile --cells L23_PC,PV_BC,SST_MC``
   (what the set-up command runs for the whole catalogue);
2. ``first run``: a new process builds the circuit and runs 1 s;
3. ``warm run``: another new process does the same.

Each run process reports wall and CPU seconds (its own and its compilers') for
building (groups, synapses, drives), for the first ``run(1 s)`` and for a second
``run(1 s)`` in the same process — the simulation alone; the first run minus the
second is code generation and compilation, and ``outside simulation`` is build + that.

Targets (issue): the first run after precompile in < 60 s wall on 2 cores, a warm
re-run spending < 5 s outside simulation. Usage::

    PYTHONPATH=. python benchmarks/circuit_build.py [--duration 1000] [--out FILE]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from timing import run_worker, write_report  # benchmarks/timing.py (this folder)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TYPES = ("L23_PC", "PV_BC", "SST_MC")


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _phase(results, name, started):
    wall, (cpu, compilers) = time.perf_counter() - started[0], _cpu()
    results[f"{name}_wall"] = wall
    results[f"{name}_cpu"] = cpu - started[1] + compilers - started[2]
    results[f"{name}_compile_cpu"] = compilers - started[2]
    return time.perf_counter(), cpu, compilers


def build_circuit(n_e=80, n_pv=10, n_sst=10, seed=1):
    """The circuit (see the module docstring); returns the Brian2 objects."""
    from brian2 import Hz, SpikeMonitor, ms, nS, um
    from brian2 import seed as brian_seed

    import celltypes
    from celltypes.precompile import with_standard_receptors
    from compartments import background, synapses

    brian_seed(seed)
    E = with_standard_receptors(celltypes.get("L23_PC")).make_group(n_e)
    PV = with_standard_receptors(celltypes.get("PV_BC")).make_group(n_pv)
    SST = with_standard_receptors(celltypes.get("SST_MC")).make_group(n_sst)
    excitation = {"ampa": 0.5 * nS, "nmda": 0.25 * nS}
    objects = [E, PV, SST, SpikeMonitor(E), SpikeMonitor(PV), SpikeMonitor(SST)]
    objects += [
        synapses.connect(E, E, excitation, distance=150 * um, p=0.1, delay=1.5 * ms),
        synapses.connect(E, PV, excitation, distance=0 * um, p=0.2, delay=1 * ms),
        synapses.connect(E, SST, excitation, distance=0 * um, p=0.2, delay=1 * ms),
        synapses.connect(PV, E, {"gabaa": 2 * nS}, distance=0 * um, p=0.3, delay=1 * ms),
        synapses.connect(SST, E, {"gabaa": 1 * nS}, distance=200 * um, p=0.3, delay=1 * ms),
    ]
    objects += [background.poisson_drive(g, "ampa", at="soma", rate=5 * Hz, n_inputs=100,
                                         gpeak=1 * nS, seed=seed + k)
                for k, g in enumerate((E, PV, SST))]
    return objects


def _record_compiles(compiled):
    """Append the owner of every Cython module this process builds to ``compiled``."""
    from brian2.codegen.runtime.cython_rt import extension_manager

    from compartments.codegen import _module_path

    manager = extension_manager.cython_extension_manager
    create = manager.create_extension

    def recording(code, *args, owner_name="", **kwargs):
        if not os.path.exists(_module_path(code)):
            compiled.append(owner_name)
        return create(code, *args, owner_name=owner_name, **kwargs)

    manager.create_extension = recording


def worker(args):
    """One process: build, first run, second run (the simulation alone)."""
    mark = time.perf_counter(), *_cpu()
    from brian2 import Network, defaultclock, ms, prefs

    from compartments import backends

    backends.use("cython")
    prefs.codegen.runtime.cython.cache_dir = args["cython_cache"]
    defaultclock.dt = 0.025 * ms  # synapses and drives on the cells' step
    results = {"compiled": []}
    _record_compiles(results["compiled"])
    mark = _phase(results, "import", mark)
    objects = build_circuit()
    net = Network(*objects)
    mark = _phase(results, "build", mark)
    net.run(args["duration"] * ms)
    mark = _phase(results, "first_run", mark)
    net.run(args["duration"] * ms)
    _phase(results, "simulation", mark)
    results["spikes"] = int(sum(len(o.t) for o in objects if type(o).__name__ == "SpikeMonitor"))
    results["outside_simulation_wall"] = (results["build_wall"] + results["first_run_wall"]
                                          - results["simulation_wall"])
    results["outside_simulation_cpu"] = (results["build_cpu"] + results["first_run_cpu"]
                                         - results["simulation_cpu"])
    print(json.dumps(results))


def precompile_step(env, cython_cache):
    started, before = time.perf_counter(), _cpu()[1]
    subprocess.run([sys.executable, "-m", "celltypes", "precompile", "--cells", ",".join(TYPES),
                    "--cache-dir", cython_cache, "--no-progress"], env=env, check=True,
                   cwd=ROOT, capture_output=True)
    return time.perf_counter() - started, _cpu()[1] - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=1000.0, help="ms per run")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "circuit_build.md"))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        return worker(json.loads(args.worker))
    scratch = tempfile.mkdtemp(prefix="circuit_build_")
    try:
        env = dict(os.environ, BRIAN2COMPARTMENTS_CACHE=os.path.join(scratch, "derived"),
                   BRIAN2COMPARTMENTS_QUIET="1",
                   PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        cython_cache = os.path.join(scratch, "cython")
        os.environ.update(env)
        pre_wall, pre_cpu = precompile_step(env, cython_cache)
        runs = {step: run_worker(__file__, "--worker", {"duration": args.duration,
                                                         "cython_cache": cython_cache})
                for step in ("first run", "warm run")}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()[0]
    lines = [f"# A catalogue circuit after precompile (benchmarks/circuit_build.py)", "",
             f"80 L23_PC + 10 PV_BC + 10 SST_MC, {args.duration:g} ms per run, Cython; "
             f"load average {load:.1f} at the end (2 cores). Seconds.", "",
             f"precompile (3 types): {pre_wall:.0f} s wall, {pre_cpu:.0f} s CPU", "",
             "| process | build | first run | of which compile (CPU) | simulation | "
             "outside simulation | spikes |", "|---|---|---|---|---|---|---|"]
    for step, r in runs.items():
        lines.append(
            f"| {step} | {r['build_wall']:.1f} wall / {r['build_cpu']:.1f} CPU | "
            f"{r['first_run_wall']:.1f} / {r['first_run_cpu']:.1f} | "
            f"{r['first_run_compile_cpu'] + r['build_compile_cpu']:.1f} | "
            f"{r['simulation_wall']:.1f} / {r['simulation_cpu']:.1f} | "
            f"{r['outside_simulation_wall']:.1f} / {r['outside_simulation_cpu']:.1f} | "
            f"{r['spikes']} |")
    lines += ["", "Targets: first run after precompile < 60 s wall (build + first run); "
              "warm run < 5 s outside simulation.", ""]
    for step, r in runs.items():
        lines.append(f"Modules compiled by the {step} process ({len(r['compiled'])}): "
                     f"{', '.join(r['compiled']) or 'none'}.")
    write_report("\n".join(lines) + "\n", args.out)


if __name__ == "__main__":
    main()
