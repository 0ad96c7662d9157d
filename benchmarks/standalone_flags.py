"""Which compiler settings for cpp_standalone? The peers network under each, side by side.

Variants of the project's network (`peer_models.project_network`, N cells, one thread):

- ``default``: what users get (Brian2's flags ``-O3 -ffast-math -fno-finite-math-only
  -march=native``, the project's vectorised state update);
- ``brian2-loop``: the same flags with Brian2's own state-update code object (a scalar
  loop: what the project's template replaces);
- ``x86-64-v2``, ``x86-64``: portable builds (SSE4.2; SSE2), for binaries that must run
  on other machines;
- ``finite-math``: plain ``-ffast-math`` (assumes no NaN or inf: Brian2 adds
  ``-fno-finite-math-only`` so that NaN checks, e.g. the divergence guard's, work);
- ``O2``: ``-O2`` instead of ``-O3``.

Each variant is built once; the binaries run in interleaved rounds (CPU time of the
loop, as in `peers.py`); reported: ns per neuron-step and the per-round ratio to
``default`` (median, min-max), and the largest difference of the final somatic voltages
from ``default`` (the same model and input: the event drive's streams do not depend on
the build), and callgrind instructions per neuron-step for the variants valgrind can run.

Usage::

    PYTHONPATH=. python benchmarks/standalone_flags.py [--n 1000] [--duration 200] [--repeats 5]

Writes ``benchmarks/results/standalone_flags.md`` (``--out``).
"""

import argparse
import glob
import os
import shutil
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import peer_models as pm  # noqa: E402
from peers import _subprocess  # noqa: E402
from timing import (VALGRIND_MARCH, count_instructions, rotated, run_binary,  # noqa: E402
                    write_report)

BRIAN_FLAGS = ["-w", "-O3", "-ffast-math", "-fno-finite-math-only", "-march=native",
               "-std=c++11"]
VARIANTS = {
    "default": {},
    "brian2-loop": dict(brian_codeobj=True),
    "x86-64-v2": dict(march="x86-64-v2"),
    "x86-64": dict(march="x86-64"),
    "finite-math": dict(flags=[f for f in BRIAN_FLAGS if f != "-fno-finite-math-only"]),
    "O2": dict(flags=["-O2" if f == "-O3" else f for f in BRIAN_FLAGS]),
}
COUNTED = ("default", "brian2-loop", "x86-64")  # valgrind runs these (no AVX-512 needed)


def final_v_soma(directory):
    """The final somatic voltages the binary wrote (results/_array_peer3_v_soma_*)."""
    path = glob.glob(os.path.join(directory, "results", "_array_peer3_v_soma_*"))[0]
    return np.fromfile(path, dtype=np.float64)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=200.0, help="ms per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-instructions", action="store_true")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "standalone_flags.md"))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    workdir = tempfile.mkdtemp(prefix="flags_")
    dirs, times, v_end, ir = {}, {v: [] for v in VARIANTS}, {}, {}
    try:
        for name, opts in VARIANTS.items():
            dirs[name] = os.path.join(workdir, name)
            _subprocess(dict(job="standalone_build", model="project", n=args.n,
                             duration_ms=args.duration, directory=dirs[name], **opts))
            run_binary(dirs[name])
            v_end[name] = final_v_soma(dirs[name])
            print(f"built {name}", file=sys.stderr, flush=True)
        for r in range(args.repeats):
            for name in rotated(VARIANTS, r):
                times[name].append(run_binary(dirs[name])[0])
        if not args.no_instructions and shutil.which("valgrind"):
            for name in COUNTED:
                d = os.path.join(workdir, f"ir_{name}")
                opts = dict(VARIANTS[name])
                opts.setdefault("march", VALGRIND_MARCH)
                counts = []
                for ms_ in (10.0, 30.0):
                    _subprocess(dict(job="standalone_build", model="project", n=args.n,
                                     duration_ms=ms_, directory=d + f"_{ms_:g}", **opts))
                    counts.append(count_instructions(["./main"], cwd=d + f"_{ms_:g}",
                                                     toggle=None))
                ir[name] = (counts[1] - counts[0]) / (args.n * 800)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    steps = round(args.duration / pm.DT)
    base = np.array(times["default"])
    lines = ["# cpp_standalone compiler settings on the peers network", "",
             f"Project network, N = {args.n}, {args.duration:g} ms per run, {args.repeats} "
             f"interleaved rounds, one thread; CPU time of the loop. Instructions: callgrind, "
             f"`-march={VALGRIND_MARCH}` unless the variant sets its own, per neuron-step "
             f"(difference of 30 and 10 ms runs).", "",
             "| variant | ns per neuron-step (median, min–max) | / default | "
             "max \\|ΔV_soma\\| at the end vs default (mV) | instructions per neuron-step |",
             "|---|---:|---:|---:|---:|"]
    for name in VARIANTS:
        t = np.array(times[name])
        ns = 1e9 * t / (args.n * steps)
        ratio = t / base
        dv = float(np.max(np.abs(v_end[name] - v_end["default"]))) * 1e3
        count = f"{ir[name]:.0f}" if name in ir else "–"
        lines.append(f"| {name} | {np.median(ns):.0f} ({ns.min():.0f}–{ns.max():.0f}) | "
                     f"{np.median(ratio):.2f} ({ratio.min():.2f}–{ratio.max():.2f}) | "
                     f"{dv:.2g} | {count} |")
    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.1f} (2 CPUs, shared). "
              f"Produced by `PYTHONPATH=. python benchmarks/standalone_flags.py"
              f"{''.join(' ' + a for a in (argv if argv is not None else sys.argv[1:]))}` "
              f"in {(time.perf_counter() - t0) / 60:.0f} min on {time.strftime('%Y-%m-%d')}."]
    text = "\n".join(lines) + "\n"
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
