"""Catalogue cells on a GPU (brian2cuda's ``cuda_standalone``), 10^5 and 10^6 neurons.

A prepared run for a machine with an NVIDIA GPU, brian2cuda and the CUDA toolkit (none
of which this project's default environment has: brian2cuda needs Brian2 >= 2.10.1 and
Python >= 3.12; set-up in docs/performance.md). For each size, a fresh process builds
``N`` cells of a catalogue type (default ``L23_PC``) with AMPA receptors on the basal and
apical dendrites, each driven by 20 Poisson inputs of 5 Hz (`poisson_drive`, event
times from counter-based streams, so the input is the same on GPU and CPU), records
spikes, and simulates ``--duration`` ms at dt 0.025 ms. Reported: construction, code
generation + compilation, the simulation loop (``device._last_run_time``) as ns per
neuron-step, and the mean firing rate. ``--cpu-n`` runs the same network on
cpp_standalone (one CPU thread) for a reference and checks that the first
``--cpu-n`` neurons fire alike on both (mean rate within 5 %).

Usage (on the GPU machine)::

    PYTHONPATH=. python benchmarks/gpu.py                      # N = 1e5 and 1e6, 100 ms
    PYTHONPATH=. python benchmarks/gpu.py --sizes 1000 --duration 10 --cpu-n 1000  # smoke

Without brian2cuda or nvcc it says what is missing and exits with status 2 (CI runs the
smoke test only where they exist: tests/test_gpu.py). Writes
``benchmarks/results/gpu.md`` (``--out``).
"""

import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (ROOT, HERE):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from timing import run_worker, write_report  # noqa: E402

DT_MS = 0.025
INPUTS = dict(rate_hz=5.0, n_inputs=20, gpeak_ns=0.5)


def network(cell_type, n):
    """(objects, group, spike monitor) of ``n`` driven catalogue cells."""
    from brian2 import Hz, SpikeMonitor, nS

    import celltypes
    from compartments import background
    from compartments.receptors import AMPA

    cell = celltypes.get(cell_type)
    dendrites = [c.name for c in cell.compartments if c.name != cell.topology.root][:2]
    cell = cell.with_channels({d: [AMPA()] for d in dendrites})
    group = cell.make_group(n, name="gpu_cells")
    objects = [group]
    for d in dendrites:
        objects.append(background.poisson_drive(
            group, "ampa", at=d, rate=INPUTS["rate_hz"] * Hz, n_inputs=INPUTS["n_inputs"],
            gpeak=INPUTS["gpeak_ns"] * nS, seed=1, method="events"))
    monitor = SpikeMonitor(group)
    return objects + [monitor], group, monitor


def worker(target, cell_type, n, duration_ms, directory):
    """Build and run one size on one target (in a fresh process); return its figures."""
    import brian2
    from brian2 import Network, device, ms

    from compartments import backends

    backends.use(target, directory=directory)
    brian2.defaultclock.dt = DT_MS * ms
    t0 = time.perf_counter()
    objects, group, monitor = network(cell_type, n)
    net = Network(objects)
    t1 = time.perf_counter()
    net.run(duration_ms * ms)  # builds, compiles and runs (build_on_run)
    t2 = time.perf_counter()
    loop = float(device._last_run_time)
    counts = [int(c) for c in monitor.count[:]]
    return {"target": target, "n": n, "construction_s": t1 - t0,
            "build_and_run_s": t2 - t1, "loop_s": loop,
            "ns_per_neuron_step": 1e9 * loop / (n * round(duration_ms / DT_MS)),
            "rate_hz": sum(counts) / n / (duration_ms / 1e3), "counts_head": counts[:10000]}


def _run(args):
    return run_worker(__file__, "--worker", args)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--cell", default="L23_PC", help="catalogue cell type")
    parser.add_argument("--duration", type=float, default=100.0, help="simulated ms")
    parser.add_argument("--cpu-n", type=int, default=10_000,
                        help="size of the cpp_standalone reference run (0: none)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "gpu.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(**json.loads(args.worker))))
        return 0
    from compartments import cuda

    try:
        cuda.check()
    except RuntimeError as ex:
        print(f"Not run: {ex}", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="gpu_") as tmp:
        for n in args.sizes:
            rows.append(_run(dict(target="cuda_standalone", cell_type=args.cell, n=n,
                                  duration_ms=args.duration,
                                  directory=os.path.join(tmp, f"cuda_{n}"))))
            print(f"cuda_standalone N={n}: {rows[-1]['ns_per_neuron_step']:.2f} ns/neuron-step",
                  file=sys.stderr, flush=True)
        if args.cpu_n:
            rows.append(_run(dict(target="cpp_standalone", cell_type=args.cell, n=args.cpu_n,
                                  duration_ms=args.duration,
                                  directory=os.path.join(tmp, "cpu"))))
    lines = [f"# {args.cell} on the GPU (brian2cuda) and one CPU thread", "",
             f"{INPUTS['n_inputs']} Poisson inputs of {INPUTS['rate_hz']:g} Hz on each of two "
             f"dendrites per cell (event drive), {args.duration:g} ms at dt {DT_MS} ms.", "",
             "| target | N | construction (s) | build + run (s) | loop (s) | "
             "ns per neuron-step | rate (Hz) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['target']} | {r['n']} | {r['construction_s']:.1f} | "
                     f"{r['build_and_run_s']:.1f} | {r['loop_s']:.2f} | "
                     f"{r['ns_per_neuron_step']:.2f} | {r['rate_hz']:.1f} |")
    status = 0
    cpu = [r for r in rows if r["target"] == "cpp_standalone"]
    if cpu:
        head = cpu[0]["n"]
        gpu = next((r for r in rows if r["target"] == "cuda_standalone"
                    and r["n"] >= head), None)
        if gpu is not None:
            a = sum(gpu["counts_head"][:head]) / head
            b = sum(cpu[0]["counts_head"][:head]) / head
            ok = abs(a - b) <= 0.05 * max(b, 1e-9)
            status = 0 if ok else 1
            lines += ["", f"First {head} neurons: {a:.2f} spikes per neuron on the GPU, "
                      f"{b:.2f} on the CPU ({'agree' if ok else 'DIFFER'} within 5 %)."]
    text = "\n".join(lines) + "\n"
    write_report(text, args.out)
    return status


if __name__ == "__main__":
    sys.exit(main())
