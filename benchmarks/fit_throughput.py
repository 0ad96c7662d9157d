"""Candidates per second: one vectorised group vs one run per candidate vs a NEURON loop.

The model is benchmarks/integrators.py's "cell3" (HH soma + two passive dendrites, the
same numbers in both simulators). Each candidate is a parameter set (somatic gnabar,
gkbar, leak; Latin hypercube, seed 1) run on two current steps (-0.05 and +0.3 nA,
50 + 200 + 20 ms at dt 0.025 ms, Crank-Nicolson / NEURON secondorder=2):

1. **one group**: `compartments.evaluation.Evaluator` on all N candidates at once
   (2N neurons, one compiled code path, features of every candidate), Cython;
2. **one run per candidate**: the same Evaluator called with one candidate at a time
   (the group and its compiled code are reused; each call sets the parameters,
   equilibrates, runs, reads features);
3. **NEURON loop**: two cells (one per step) built once; per candidate: set the
   densities, ``finitialize(-65)``, run, count spikes (no feature extraction).

Timings are wall-clock on the same machine in the same process, the first (cold)
call reported apart. The per-candidate loops run on a subset and are reported as
candidates per second.

    PYTHONPATH=. .venv/bin/python benchmarks/fit_throughput.py [--n 1000] [--loop 40]
"""

import argparse
import os
import sys
import time

import numpy as np
from brian2 import ms, nA, siemens, cm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from integrators import CELSIUS, engine_template, neuron_build, neuron_h  # noqa: E402
from timing import write_report  # noqa: E402

import compartments  # noqa: E402
from compartments.analysis.series import StepSeries  # noqa: E402
from compartments.evaluation import Evaluator, clear_cache  # noqa: E402
from compartments.space import latin_hypercube  # noqa: E402

S_CM2 = siemens / cm**2
BOUNDS = {"gbar_hhna_soma": (0.08, 0.16) * S_CM2, "gbar_hhk_soma": (0.024, 0.048) * S_CM2,
          "g_leak_soma": (1e-4, 5e-4) * S_CM2}
AMPS, DELAY, DURATION, AFTER = (-0.05, 0.3), 50.0, 200.0, 20.0


def protocol():
    return StepSeries(np.array(AMPS) * nA, reference=AMPS[1] * nA, delay=DELAY * ms,
                      duration=DURATION * ms, after=AFTER * ms)


def vectorised(evaluator, design):
    t0 = time.perf_counter()
    table = evaluator.evaluate(design.si())
    return time.perf_counter() - t0, table


def per_candidate(evaluator, design, count):
    t0 = time.perf_counter()
    rows = [evaluator.evaluate(design.si(slice(k, k + 1))) for k in range(count)]
    return time.perf_counter() - t0, rows


def neuron_loop(design, count):
    h = neuron_h()
    cells = [neuron_build("cell3", f"bench{k}") for k in range(len(AMPS))]
    clamps, counters = [], []
    for cell, amp in zip(cells, AMPS):
        stim = h.IClamp(cell["soma"](0.5))
        stim.delay, stim.dur, stim.amp = DELAY, DURATION, amp
        apc = h.APCount(cell["soma"](0.5))
        apc.thresh = 0.0
        clamps.append(stim)
        counters.append(apc)
    h.celsius, h.usetable_hh, h.secondorder, h.dt = CELSIUS, 0, 2, 0.025
    si = design.si()
    counts = []
    t0 = time.perf_counter()
    for k in range(count):
        for cell in cells:
            for seg in cell["soma"]:
                seg.hh.gnabar = si["gbar_hhna_soma"][k] * 1e-4  # S/m2 -> S/cm2
                seg.hh.gkbar = si["gbar_hhk_soma"][k] * 1e-4
                seg.hh.gl = si["g_leak_soma"][k] * 1e-4
        h.finitialize(-65.0)
        h.continuerun(DELAY + DURATION + AFTER)
        counts.append([int(a.n) for a in counters])
    return time.perf_counter() - t0, np.array(counts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="candidates in the group")
    parser.add_argument("--loop", type=int, default=40, help="candidates in each loop")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "fit_throughput.md"))
    args = parser.parse_args()
    compartments.backends.use("cython")
    template = engine_template("cell3")
    design = latin_hypercube(BOUNDS, n=args.n, seed=1)
    evaluator = Evaluator(template, list(BOUNDS), [protocol()], target="cython")
    rows = []
    cold, _ = vectorised(evaluator, design)
    warm, table = vectorised(evaluator, design)
    rows.append(("one group of all candidates (Cython)", args.n, warm, cold))
    clear_cache()
    first, _ = per_candidate(evaluator, design, 1)
    loop, singles = per_candidate(evaluator, design, args.loop)
    rows.append(("one run per candidate, same compiled code (Cython)", args.loop, loop, first))
    nrn, counts = neuron_loop(design, args.loop)
    rows.append(("NEURON loop (hh + pas, secondorder 2)", args.loop, nrn, None))
    # the same candidates give the same spike counts in both simulators (sanity check)
    ours = np.array([[r["rate_Hz_at_0.3nA"].iloc[0] * DURATION / 1e3] for r in singles])
    agree = float(np.mean(np.abs(ours[:, 0] - counts[:, 1]) <= 1))
    best = args.n / warm
    lines = ["# Candidates per second (generated by benchmarks/fit_throughput.py)", "",
             f"Model: HH soma + 2 passive dendrites (benchmarks/integrators.py 'cell3'); "
             f"3 varied somatic densities; 2 steps of {DELAY + DURATION + AFTER:g} ms at "
             f"dt 0.025 ms. Machine load at the start: {os.getloadavg()[0]:.1f}.", "",
             "| how | candidates timed | wall (s) | candidates/s | vs one group | first call (s) |",
             "|---|---|---|---|---|---|"]
    for name, count, wall, first_call in rows:
        rate = count / wall
        lines.append(f"| {name} | {count} | {wall:.2f} | {rate:.1f} | {rate / best:.3f} | "
                     f"{'' if first_call is None else f'{first_call:.1f}'} |")
    lines += ["", f"Spike counts at +0.3 nA, engine vs NEURON, within one spike: "
                  f"{agree:.0%} of the {args.loop} looped candidates.",
              f"Status of the group's candidates: {table.status.value_counts().to_dict()}."]
    write_report("\n".join(lines) + "\n", args.out)


if __name__ == "__main__":
    main()
