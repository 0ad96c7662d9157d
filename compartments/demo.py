"""The main job: build the demo cell, run a current-step protocol, write CSV + PNG.

Run with ``bash run.sh demo [--out DIR] [--target cython|numpy|cpp_standalone]``.
Results are written only when the run completed, each under a temporary name
renamed into place: an interrupted demo (Ctrl-C) exits with status 130 and
leaves the previous results as they were, never a partial file.
"""

import argparse
import os
import sys

import numpy as np
from brian2 import (Network, TimedArray, cm, mV, ms, msiemens, nA, network_operation, ohm, uF,
                    um)

from . import CellTemplate, Compartment, backends, channels, record
from .files import atomic_path
from .serialization import provenance
from .tables import save_table

STEPS = [0.0, 0.1, 0.2, 0.4] * nA
DELAY, WIDTH, TOTAL = 20 * ms, 100 * ms, 150 * ms
PROGRESS = 50 * ms  # a progress line every 50 ms of simulated time


def demo_cell():
    """Soma with Hodgkin–Huxley channels and a passive 4-segment apical dendrite."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                 channels.HHNa(), channels.HHK()])
    apical = Compartment("apical", length=400 * um, diameter=3 * um, nseg=4,
                         channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)])
    return CellTemplate("demo", [soma, apical], connections=[("soma", "apical")],
                        Ra=150 * ohm * cm)


def step_protocol(cell, amplitudes):
    """One neuron per amplitude; a somatic step from DELAY for WIDTH. Returns a DataFrame."""
    group = cell.make_group(len(amplitudes))
    n_steps = int(round(float(TOTAL / group.clock.dt)))
    t = np.arange(n_steps) * float(group.clock.dt)
    on = ((t >= float(DELAY)) & (t < float(DELAY + WIDTH))).astype(float)
    stimulus = TimedArray(np.outer(on, np.asarray(amplitudes / nA)) * nA,
                          dt=group.clock.dt, name="step_stimulus")
    group.namespace["stimulus"] = stimulus
    group.run_regularly("I_ext_soma = stimulus(t, i)", when="before_groups")
    segments = [f"v_{s}" for s in cell.segment_names]

    @network_operation(dt=PROGRESS, when="start")
    def progress(t):
        print(f"simulated {float(t / ms):g} of {float(TOTAL / ms):g} ms", flush=True)

    return record(group, segments + ["I_ext_soma"], TOTAL, network=Network(group, progress))


def plot(df, cell):
    """Figure of the somatic and distal traces per step (a matplotlib `Figure`)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5))
    axes = fig.subplots(2, 1, sharex=True)
    for neuron, trace in df.groupby("neuron"):
        amp = trace.I_ext_soma_nA.max()
        axes[0].plot(trace.t_ms, trace.v_soma_mV, label=f"{amp:.2f} nA")
        axes[1].plot(trace.t_ms, trace[f"v_{cell.segment_names[-1]}_mV"])
    axes[0].set_ylabel("soma (mV)")
    axes[1].set_ylabel(f"{cell.segment_names[-1]} (mV)")
    axes[1].set_xlabel("time (ms)")
    axes[0].legend(title="step", fontsize=8)
    fig.suptitle(f"{cell.name}: somatic current steps")
    fig.tight_layout()
    return fig


def save_figure(fig, cell, path):
    """Write ``fig`` as PNG with the provenance in its metadata (atomically)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120,
                    metadata={"Description": str(provenance(cell))})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results", help="output folder (default: results)")
    parser.add_argument("--target", default="cython", choices=backends.TARGETS)
    args = parser.parse_args(argv)
    backends.use(args.target, directory=os.path.join(args.out, "standalone"))
    os.makedirs(args.out, exist_ok=True)
    cell = demo_cell()
    try:
        df = step_protocol(cell, STEPS)
    except KeyboardInterrupt as ex:
        print(f"demo interrupted: {str(ex) or 'Ctrl-C.'} No results were written.",
              file=sys.stderr)
        sys.exit(130)
    csv = os.path.join(args.out, "demo_steps.csv")
    png = os.path.join(args.out, "demo_steps.png")
    save_table(df, csv, template=cell, extra={"protocol": "somatic steps " + ", ".join(
        f"{a:g}" for a in np.asarray(STEPS / nA)) + " nA"})
    save_figure(plot(df, cell), cell, png)
    counts = df.groupby("neuron").v_soma_mV.apply(
        lambda v: int(np.sum((v.values[1:] > 0) & (v.values[:-1] <= 0))))
    for amp, n in zip(np.asarray(STEPS / nA), counts):
        print(f"step {amp:.2f} nA: {n} spikes")
    print(f"traces: {os.path.abspath(csv)}")
    print(f"figure: {os.path.abspath(png)}")


if __name__ == "__main__":
    main()
