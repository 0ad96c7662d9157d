"""How large may dt be? Spike counts and times of every catalogue type against a converged run.

For each cell type (and the demo cell, and Hodgkin-Huxley's soma at 20 degC) three
somatic steps (the type's reference step, the middle and the largest of its F-I
series; 100 ms delay, 500 ms step, 100 ms after) run with ``crank_nicolson`` at
dt = 0.2, 0.1, 0.05, 0.025, 0.0125 and 0.00625 ms, and at the reference dt = 0.003125 ms.
Per dt: the spike counts and the largest spike-time shift of matched spikes against the
reference. A dt *passes* when every count equals the reference's: no spike lost, none
added (the failure the warning is for: L5_TTPC at 0.1 ms fired spurious doublets).
The shift is reported beside it: it is the drift accumulated over 500 ms of firing,
second order in dt for ``crank_nicolson``, and says which dt a spike-time comparison
needs.

Next to it, the template's fastest gating time constant `guard.fastest_gate` (over
`guard.GATE_RANGE_MV` at the template's temperature, every voltage-gated channel,
receptors and pools excluded): the largest passing dt divided by it is the ratio the warning in
``make_group`` uses (docs/engine.md, "Time step").

Usage::

    PYTHONPATH=. python benchmarks/dt_rule.py                  # every type, ~25 min cold
    PYTHONPATH=. python benchmarks/dt_rule.py --types PV_BC TC  # some
    PYTHONPATH=. python benchmarks/dt_rule.py --types L5_TTPC --reference 0.0015625
    PYTHONPATH=. python benchmarks/dt_rule.py --from-csv benchmarks/results/dt_rule.csv

Writes ``benchmarks/results/dt_rule.csv`` and ``dt_rule.md``.
"""

import argparse
import os
import time

import numpy as np
import pandas as pd
from brian2 import Network, SpikeMonitor, cm, mV, ms, msiemens, nA, ohm, um

import celltypes
from celltypes import characterise
from compartments import CellTemplate, Compartment, backends, channels
from compartments.demo import demo_cell
from compartments.guard import fastest_gate

DTS = (0.2, 0.1, 0.05, 0.025, 0.0125, 0.00625)
REFERENCE = 0.003125
DELAY, STEP, AFTER = 100.0, 500.0, 100.0
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def warm_hh():
    """Hodgkin-Huxley's squid soma at 20 degC: fast gates (Q10 3) outside the catalogue's range."""
    soma = Compartment("soma", length=20 * um, diameter=20 * um, channels=[
        channels.HHNa(), channels.HHK(), channels.Leak(g=0.3 * msiemens / cm**2, E=-54.4 * mV)])
    return CellTemplate("HH_20C", [soma], Ra=150 * ohm * cm, celsius=20.0)


EXTRA = {"demo": (demo_cell, [0.1, 0.2, 0.4]), "HH_20C": (warm_hh, [0.1, 0.3, 1.0])}


def amplitudes(name):
    """Reference step, middle and largest step of the type's F-I series (nA)."""
    if name in EXTRA:
        return EXTRA[name][1]
    std = characterise.STANDARD[name]
    series = list(std.series)
    return [std.reference, series[len(series) // 2], series[-1]]


def spikes(cell, amps, dt):
    """Spike times (ms) per neuron of one run at ``dt`` (ms)."""
    group = cell.make_group(len(amps), dt=dt * ms, name=f"dtrule_{cell.name}")
    mon = SpikeMonitor(group)
    net = Network(group, mon)
    net.run(DELAY * ms)
    group.I_ext_soma = np.asarray(amps) * nA
    net.run(STEP * ms)
    group.I_ext_soma = 0 * nA
    net.run(AFTER * ms)
    trains = mon.spike_trains()
    return [np.asarray(trains[k] / ms) for k in range(len(amps))]


def compare(trains, reference):
    """(largest shift of matched spikes in ms, count differences)."""
    shift, diffs = 0.0, []
    for got, ref in zip(trains, reference):
        diffs.append(len(got) - len(ref))
        k = min(len(got), len(ref))
        if k:
            shift = max(shift, float(np.max(np.abs(got[:k] - ref[:k]))))
    return shift, diffs


def run(names, reference_dt=REFERENCE):
    rows = []
    for name in names:
        cell = EXTRA[name][0]() if name in EXTRA else celltypes.get(name)
        amps = amplitudes(name)
        tau, gate, v_at = fastest_gate(cell)
        quick = name not in EXTRA and characterise.STANDARD[name].quick_compile
        start = time.time()
        with characterise.quick_compile(quick):
            reference = spikes(cell, amps, reference_dt)
            for dt in DTS:
                shift, diffs = compare(spikes(cell, amps, dt), reference)
                rows.append(dict(cell=name, celsius=cell.celsius, dt_ms=dt,
                                 tau_min_ms=float(tau / ms), fastest_gate=gate,
                                 at_mV=v_at, dt_over_tau=dt / float(tau / ms),
                                 ref_counts=";".join(str(len(r)) for r in reference),
                                 count_diff=";".join(str(d) for d in diffs),
                                 max_shift_ms=shift, passes=not any(diffs)))
                print(f"{name:9s} dt={dt:<8g} counts {diffs} shift {shift:8.3f} ms "
                      f"{'pass' if rows[-1]['passes'] else 'FAIL'}", flush=True)
        print(f"{name}: {time.time() - start:.0f} s", flush=True)
    return pd.DataFrame(rows)


def summary(table):
    """Largest passing dt per type (every smaller dt passing too) and its ratio to tau_min."""
    out = []
    for name, rows in table.groupby("cell", sort=False):
        rows = rows.sort_values("dt_ms")
        passing = rows.passes.to_numpy()
        k = len(passing) if passing.all() else int(np.argmin(passing))
        largest = rows.dt_ms.iloc[k - 1] if k else np.nan
        first_fail = rows.dt_ms.iloc[k] if k < len(rows) else np.nan
        tau = rows.tau_min_ms.iloc[0]
        shift = rows.max_shift_ms.iloc[k - 1] if k else np.nan
        out.append(dict(cell=name, celsius=rows.celsius.iloc[0], tau_min_ms=tau,
                        fastest_gate=rows.fastest_gate.iloc[0],
                        largest_passing_dt_ms=largest, shift_there_ms=shift,
                        first_failing_dt_ms=first_fail,
                        passing_ratio=largest / tau, failing_ratio=first_fail / tau))
    return pd.DataFrame(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", nargs="*", default=list(EXTRA) + [
        n for n in celltypes.names() if n != "HH_squid"])
    parser.add_argument("--reference", type=float, default=REFERENCE,
                        help="dt of the reference run (ms); halve it to check the reference")
    parser.add_argument("--from-csv", help="summarise a table written before, run nothing")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    if args.from_csv:  # passes recomputed: the criterion is the counts
        table = pd.read_csv(args.from_csv, dtype={"ref_counts": str, "count_diff": str})
        table["passes"] = [all(int(d) == 0 for d in c.split(";")) for c in table.count_diff]
        for name, rows in table.groupby("cell"):  # the fastest gate as the code now finds it
            cell = EXTRA[name][0]() if name in EXTRA else celltypes.get(name)
            tau, gate, v_at = fastest_gate(cell)
            table.loc[rows.index, ["tau_min_ms", "fastest_gate", "at_mV"]] = \
                [float(tau / ms), gate, v_at]
        table["dt_over_tau"] = table.dt_ms / table.tau_min_ms
    else:
        backends.use("cython")
        table = run(args.types, args.reference)
    os.makedirs(args.out, exist_ok=True)
    table.to_csv(os.path.join(args.out, "dt_rule.csv"), index=False)
    summ = summary(table)
    with open(os.path.join(args.out, "dt_rule.md"), "w") as f:
        f.write(f"# dt rule: largest dt whose spike counts equal those at dt = "
                f"{args.reference} ms\n\n"
                f"Three somatic steps per type; `shift_there_ms`: the largest spike-time shift "
                f"of matched spikes at that dt. Written by benchmarks/dt_rule.py.\n\n")
        f.write(summ.to_markdown(index=False, floatfmt=".4g"))
        f.write("\n\nPer dt:\n\n")
        f.write(table.to_markdown(index=False, floatfmt=".4g"))
        f.write("\n")
    print(summ.to_string())


if __name__ == "__main__":
    main()
