"""Where a simulation step's instructions go: callgrind counts per code object, vs Arbor.

Instruction counts are deterministic (independent of other jobs on the machine), so this
is the measurement behind the code-generation decisions in docs/performance.md. Cases:

- ``network``: the peers network (`peer_models`: HH soma + 2 passive dendrites, two
  Poisson AMPA inputs per cell, spikes recorded) in the project (cpp_standalone), and
  hand-written Brian2 with Brian2's ``PoissonInput`` and with event inputs (``project``:
  the project's build only);
- ``l5``: the catalogue's ``L5_TTPC`` (8 segments) with AMPA on the basal dendrite and
  the tuft, each driven by 50 Poisson inputs of 5 Hz (event drive), spikes recorded;
- ``arbor``: the peers network in Arbor, total and by ablation (no input events; no
  synapses; passive soma instead of ``hh``). Arbor's library has no symbols, so each
  count is the difference of two run lengths (set-up cancels).

Brian2 builds are cpp_standalone at ``-march=x86-64-v3`` (valgrind cannot run AVX-512),
counted inside ``Network::run``; a code object's count is inclusive (with the maths
library calls it makes). Categories: state update, threshold/reset (of the cells),
Poisson input (Brian2's ``PoissonInput``, or the event drive, `PoissonDrive`), synaptic
propagation (spike queue and ``on_pre``), monitors, divergence guard, and the rest of the
loop (scheduling, clocks).

Usage::

    PYTHONPATH=. python benchmarks/code_profile.py                 # all cases
    PYTHONPATH=. python benchmarks/code_profile.py --cases network arbor --n 1000

Writes ``benchmarks/results/code_profile.md`` (``--out``) and prints it.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (ROOT, HERE):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import peer_models as pm  # noqa: E402
from timing import (VALGRIND_MARCH, callgrind_functions, count_instructions,  # noqa: E402
                    run_worker, write_report)

CATEGORIES = ("state update", "threshold/reset", "Poisson input", "synaptic propagation",
              "monitors", "divergence guard", "rest of the loop")
ARBOR_VARIANTS = {"full": {}, "no input events": dict(inputs=None),
                  "no synapses": dict(inputs=None, synapses=False),
                  "passive soma, no synapses": dict(inputs=None, synapses=False,
                                                    soma_hh=False)}
ARBOR_MS = (10.0, 30.0)


def category(function):
    """The category of a generated code object's run function (None: not a code object)."""
    if not function.startswith("_run_") or not function.endswith("_codeobject()"):
        return None
    name = function[len("_run_"):-len("_codeobject()")]
    if "poissoninput" in name or "_drive_" in name or re.search(r"_gen\d", name):
        return "Poisson input"
    if "monitor" in name:
        return "monitors"
    if "divergence" in name:
        return "divergence guard"
    if "synapses" in name or "push_spikes" in name or name.endswith("_pre"):
        return "synaptic propagation"
    if "stateupdater" in name:
        return "state update"
    if "thresholder" in name or "resetter" in name:
        return "threshold/reset"
    return "rest of the loop"


# -- builds (subprocesses) --------------------------------------------------------------------
def build(case, n, duration_ms, directory):
    """Build one case in cpp_standalone (in this process); return its description."""
    import brian2
    from brian2 import Hz, Network, SpikeMonitor, device, ms, nS, prefs, set_device

    prefs.codegen.cpp.extra_compile_args_gcc = [
        f"-march={VALGRIND_MARCH}" if a.startswith("-march=") else a
        for a in prefs.codegen.cpp.extra_compile_args_gcc]
    set_device("cpp_standalone", directory=directory, build_on_run=False)
    brian2.defaultclock.dt = pm.DT * ms
    if case == "project":
        objects, *_ = pm.project_network(n)
    elif case == "hand-poissoninput":
        objects, *_ = pm.hand_network(n, "poisson")
    elif case == "hand-events":
        objects, *_ = pm.hand_network(n, "events")
    elif case == "l5":
        import celltypes
        from compartments import background
        from compartments.receptors import AMPA

        cell = celltypes.get("L5_TTPC").with_channels({"basal": [AMPA()], "tuft_0": [AMPA()]})
        group = cell.make_group(n)
        objects = [group, SpikeMonitor(group)]
        for seg in ("basal", "tuft_0"):
            objects.append(background.poisson_drive(group, "ampa", at=seg, rate=5 * Hz,
                                                    n_inputs=50, gpeak=0.5 * nS, seed=1,
                                                    method="events"))
    else:
        raise ValueError(case)
    Network(objects).run(duration_ms * ms)
    device.build(directory=directory, compile=True, run=False)
    return {"case": case}


def _subprocess(args):
    return run_worker(__file__, "--worker", args)


def arbor_run(n, duration_ms, variant):
    """Run one Arbor variant once (under valgrind)."""
    import arbor as A

    options = dict(ARBOR_VARIANTS[variant])
    inputs = options.pop("inputs", "poisson")
    sim = pm.arbor_simulation(pm.arbor_recipe(n, inputs, **options))
    sim.run(duration_ms * A.units.ms, pm.DT * A.units.ms)
    return {"spikes": len(sim.spikes())}


# -- profiles ---------------------------------------------------------------------------------
def profile_standalone(case, n, duration_ms, workdir):
    """Instructions per neuron-step by category (dict), and by code object."""
    d = os.path.join(workdir, case)
    _subprocess(dict(job="build", case=case, n=n, duration_ms=duration_ms, directory=d))
    total, functions = callgrind_functions(["./main"], cwd=d)
    per = n * round(duration_ms / pm.DT)
    by_cat = dict.fromkeys(CATEGORIES, 0.0)
    objects = {}
    for fn, count in functions.items():
        cat = category(fn)
        if cat is not None:
            by_cat[cat] += count / per
            objects[fn[len("_run_"):-len("_codeobject()")]] = count / per
    by_cat["rest of the loop"] += total / per - sum(by_cat.values())
    shutil.rmtree(d, ignore_errors=True)
    return {"total": total / per, "categories": by_cat, "objects": objects}


def profile_arbor(n):
    """Arbor's instructions per neuron-step for each ablation variant."""
    out = {}
    steps = [round(ms / pm.DT) for ms in ARBOR_MS]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for variant in ARBOR_VARIANTS:
        counts = []
        for ms_ in ARBOR_MS:
            cmd = [sys.executable, os.path.abspath(__file__), "--worker",
                   json.dumps(dict(job="arbor", n=n, duration_ms=ms_, variant=variant))]
            counts.append(count_instructions(cmd, toggle=None, env=env))
        out[variant] = (counts[1] - counts[0]) / (n * (steps[1] - steps[0]))
        print(f"    arbor {variant}: {out[variant]:.0f}", file=sys.stderr, flush=True)
    return out


def report(results, args, elapsed):
    lines = ["# Instructions per neuron-step, by code object (callgrind)", "",
             f"cpp_standalone builds at `-march={VALGRIND_MARCH}`, counted inside "
             f"`Network::run`, inclusive of the maths library calls each code object makes; "
             f"{args.duration:g} ms at dt {pm.DT} ms.", ""]
    cases = [c for c in ("project", "hand-poissoninput", "hand-events") if c in results]
    if cases:
        lines += [f"## Peers network, N = {args.n}", "",
                  "| | " + " | ".join(cases) + " |", "|---|" + "---:|" * len(cases)]
        for cat in CATEGORIES:
            lines.append(f"| {cat} | " + " | ".join(
                f"{results[c]['categories'][cat]:.0f}" for c in cases) + " |")
        lines.append("| **total** | " + " | ".join(
            f"**{results[c]['total']:.0f}**" for c in cases) + " |")
        lines.append("")
    if "arbor" in results:
        a = results["arbor"]
        lines += [f"## Arbor, the same network, N = {args.n}", "",
                  f"Differences of runs of {ARBOR_MS[1]:g} and {ARBOR_MS[0]:g} ms.", "",
                  "| variant | instructions per neuron-step | difference to the row above |",
                  "|---|---:|---:|"]
        prev = None
        for variant, count in a.items():
            diff = "" if prev is None else f"{prev - count:.0f}"
            lines.append(f"| {variant} | {count:.0f} | {diff} |")
            prev = count
        lines += ["", "Rows: input events (generation and delivery) = full − no input events; "
                  "synapses (`exp2syn` state and current) = next difference; `hh` = next; "
                  "the last row is the cable solve, passive membranes, spike detection and "
                  "the loop.", ""]
    if "l5" in results:
        r = results["l5"]
        lines += [f"## L5_TTPC, N = {args.l5_n}", "",
                  "| category | instructions per neuron-step | share |", "|---|---:|---:|"]
        for cat in CATEGORIES:
            lines.append(f"| {cat} | {r['categories'][cat]:.0f} | "
                         f"{100 * r['categories'][cat] / r['total']:.1f} % |")
        lines += [f"| **total** | **{r['total']:.0f}** | |", ""]
    for case in (c for c in ("project", "l5") if c in results):
        lines += [f"Code objects of `{case}` (instructions per neuron-step): " + ", ".join(
            f"`{k}` {v:.0f}" for k, v in sorted(results[case]["objects"].items(),
                                                 key=lambda kv: -kv[1])) + ".", ""]
    lines.append(f"Produced by `PYTHONPATH=. python benchmarks/code_profile.py"
                 f"{''.join(' ' + a for a in args.argv)}` in {elapsed / 60:.0f} min on "
                 f"{time.strftime('%Y-%m-%d')} ({platform.machine()}, valgrind "
                 f"{subprocess.run(['valgrind', '--version'], capture_output=True, text=True).stdout.strip()}).")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["network", "arbor", "l5"],
                        choices=["network", "project", "arbor", "l5"],
                        help="project: the peers network in the project only")
    parser.add_argument("--n", type=int, default=1000, help="cells of the peers network")
    parser.add_argument("--l5-n", type=int, default=100, help="L5_TTPC cells")
    parser.add_argument("--duration", type=float, default=20.0, help="ms (Brian2 builds)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "code_profile.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        job = spec.pop("job")
        print(json.dumps(build(**spec) if job == "build" else arbor_run(**spec)))
        return 0
    args.argv = list(sys.argv[1:] if argv is None else argv)
    t0 = time.perf_counter()
    results = {}
    workdir = tempfile.mkdtemp(prefix="code_profile_")
    try:
        network = [c for c in ("project", "hand-poissoninput", "hand-events")
                   if "network" in args.cases or c in args.cases]
        if network:
            for case in network:
                print(f"{case} ...", file=sys.stderr, flush=True)
                results[case] = profile_standalone(case, args.n, args.duration, workdir)
        if "arbor" in args.cases:
            print("arbor ...", file=sys.stderr, flush=True)
            results["arbor"] = profile_arbor(args.n)
        if "l5" in args.cases:
            print("l5 ...", file=sys.stderr, flush=True)
            results["l5"] = profile_standalone("l5", args.l5_n, args.duration, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = report(results, args, time.perf_counter() - t0)
    write_report(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
