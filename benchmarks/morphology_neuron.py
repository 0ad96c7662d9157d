"""A reconstructed neuron, many heterogeneous copies, against NEURON: build, compile, run, memory.

Issue 11's target: the 490-segment tc200 reconstruction (d_lambda rule), 100 copies with
heterogeneous densities, builds in < 60 s and matches NEURON (same SWC, same nseg) within
0.1 mV for a passive step and 0.2 ms in spike times with an HH soma.

Both simulators read the same SWC file (NEURON with its Import3d). Every copy k has its own
densities, drawn once (seed 1): the dendritic leak scaled by a lognormal factor (sigma 0.2)
and, with the HH soma, the soma's Na and K densities by two more. NEURON runs each copy in
turn; Brian2 runs all copies as one group (per-neuron parameters). Two protocols from
``finitialize(-65 mV)`` / ``make_group(init=-65*mV)``, dt 0.025 ms, Brian2 ``crank_nicolson``
vs NEURON ``secondorder=2``, ``usetable_hh = 0``:

- passive (pas everywhere): 0.1 nA into the soma from 2 to 22 ms, 30 ms; max |dv| at the
  soma over copies and time;
- HH soma (``hh`` on the soma sections, pas elsewhere): 0.6 nA from 2 to 38 ms, 40 ms; spike
  counts and max |dt| of the spike times.

Every measurement runs in a fresh process (peak resident memory is that process's):

- NEURON: build (Import3d, insert, set parameters) and the run of all copies;
- Brian2 cold, from an empty Brian2 cache directory: template (`Morphology.to_template`),
  `make_group`, first run (code generation, compilation, the protocol), then the protocol
  again (simulation only; "build - run" is then the cost before the first step: template,
  group, code generation, compilation); the step current is set between runs
  (``group.I_ext_soma``), so only the group's own code is compiled;
- Brian2 warm: the same in a new process with the cache the cold one left.

    PYTHONPATH=. python benchmarks/morphology_neuron.py                 # the target: tc200
    PYTHONPATH=. python benchmarks/morphology_neuron.py --small         # 29 segments, 5 copies
    ... [--copies N] [--target numpy|cython] [--solver tree|unrolled] [--protocols passive]

Run the full size only with the tree solver (issue 11): the unrolled solver's build grows
steeply beyond ~100 segments.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

DT, V_INIT, RA, CM, G_PAS, E_PAS = 0.025, -65.0, 150.0, 1.0, 5e-5, -70.0
PROTOCOLS = {"passive": (0.1, 2.0, 22.0, 30.0), "hh": (0.6, 2.0, 38.0, 40.0)}


def draws(copies, seed=1):
    """Per-copy density factors: dendritic leak, soma Na, soma K."""
    rng = np.random.default_rng(seed)
    return {k: rng.lognormal(0.0, 0.2, copies) for k in ("leak", "na", "k")}


def crossings(t, v):
    """Upward crossings of 0 mV, linearly interpolated (ms)."""
    i = np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0))
    return t[i] + (0 - v[i]) * (t[i + 1] - t[i]) / (v[i + 1] - v[i])


def peak_memory_mb():
    """Peak resident memory of this process (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def neuron_runs(path, nseg, factors, protocol):
    """Soma voltage of every copy (copies, steps) run in NEURON, and its timings."""
    from neuron import h

    from compartments.morphology import Morphology

    base = peak_memory_mb()
    t0 = time.perf_counter()
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(path)
    h.Import3d_GUI(reader, 0).instantiate(None)
    morph = Morphology.from_swc(path)
    secs = {s.name(): s for s in h.allsec()}
    h.secondorder, h.dt, h.steps_per_ms, h.celsius, h.usetable_hh = 2, DT, 1 / DT, 6.3, 0
    soma = [secs[s.neuron_name] for s in morph.sections if s.label == "soma"]
    for s in morph.sections:
        sec = secs[s.neuron_name]
        sec.nseg, sec.Ra, sec.cm = nseg[s.name], RA, CM
        sec.insert("hh" if protocol == "hh" and sec in soma else "pas")
    amp, start, stop, duration = PROTOCOLS[protocol]
    clamp = h.IClamp(secs[morph.root.neuron_name](0.5))
    clamp.delay, clamp.dur, clamp.amp = start, stop - start, amp
    v = h.Vector().record(secs[morph.root.neuron_name](0.5)._ref_v)
    t = h.Vector().record(h._ref_t)
    timings = {"build_s": time.perf_counter() - t0, "base_mb": base}
    t1 = time.perf_counter()
    out = []
    for k in range(len(factors["leak"])):
        for sec in secs.values():
            if sec in soma and protocol == "hh":
                sec.gnabar_hh = 0.12 * factors["na"][k]
                sec.gkbar_hh = 0.036 * factors["k"][k]
            else:
                sec.g_pas, sec.e_pas = G_PAS * factors["leak"][k], E_PAS
        h.finitialize(V_INIT)
        h.continuerun(duration)
        out.append(np.array(v))
    timings["run_s"] = time.perf_counter() - t1
    return np.array(t), np.array(out), timings


def run_protocol(group, segment, protocol):
    """The step of ``protocol`` into ``segment`` of every cell, set between runs (no code
    beyond the group's own is compiled); the recorded voltage of ``segment``."""
    from brian2 import ms, nA

    from compartments import record

    amp, start, stop, duration = PROTOCOLS[protocol]
    parts = []
    for current, length in ((0.0, start), (amp, stop - start), (0.0, duration - stop)):
        setattr(group, f"I_ext_{segment}", current * nA)
        parts.append(record(group, [f"v_{segment}"], length * ms))
    return pd.concat(parts, ignore_index=True)


def brian_runs(path, nseg, factors, protocol, target, solver, cache):
    """Soma voltage of every copy run as one Brian2 group, and its timings."""
    t0 = time.perf_counter()
    from brian2 import cm, mV, ms, ohm, prefs, siemens, uF

    import compartments
    from compartments import channels
    from compartments.morphology import Morphology

    compartments.backends.use(target)
    prefs.codegen.runtime.cython.cache_dir = cache
    timings = {"import_s": time.perf_counter() - t0, "base_mb": peak_memory_mb()}
    t0 = time.perf_counter()
    morph = Morphology.from_swc(path)
    leak = channels.Leak(g=G_PAS * siemens / cm**2, E=E_PAS * mV)
    paint = ({"all": [leak]} if protocol == "passive" else
             {"soma": [channels.HHNa(), channels.HHK(), channels.Leak()],
              **{r: [leak] for r in morph.labels if r != "soma"}})
    cell = morph.to_template("swc", paint=paint, nseg=lambda s: nseg[s.name],
                             Ra=RA * ohm * cm, cm=CM * uF / cm**2, celsius=6.3)
    timings["template_s"] = time.perf_counter() - t0
    copies = len(factors["leak"])
    t1 = time.perf_counter()
    options = {"solver": solver} if solver else {}
    group = cell.make_group(copies, dt=DT * ms, init=V_INIT * mV, **options)
    timings["make_group_s"] = time.perf_counter() - t1
    for seg in cell.segments:
        if protocol == "hh" and seg.compartment.name in morph.region("soma"):
            setattr(group, f"gbar_hhna_{seg.name}", 0.12 * factors["na"] * siemens / cm**2)
            setattr(group, f"gbar_hhk_{seg.name}", 0.036 * factors["k"] * siemens / cm**2)
        else:
            setattr(group, f"g_leak_{seg.name}", G_PAS * factors["leak"] * siemens / cm**2)
    soma = cell.spike_segment
    t2 = time.perf_counter()
    df = run_protocol(group, soma, protocol)
    timings["first_run_s"] = time.perf_counter() - t2
    timings["build_s"] = timings["template_s"] + timings["make_group_s"] + timings["first_run_s"]
    t3 = time.perf_counter()
    run_protocol(group, soma, protocol)
    timings["run_s"] = time.perf_counter() - t3
    v = np.stack([df[df.neuron == k][f"v_{soma}_mV"].to_numpy() for k in range(copies)])
    return df[df.neuron == 0].t_ms.to_numpy(), v, timings, len(cell.segments), type(group).__name__


def worker(args):
    """One measurement in this process; writes t, v and the numbers to ``args.out``."""
    from compartments.morphology import Morphology, example_swc

    path = example_swc(args.cell)
    morph = Morphology.from_swc(path)
    nseg = morph.nseg(1) if args.nseg1 else morph.nseg()
    factors = draws(args.copies)
    if args.side == "neuron":
        t, v, info = neuron_runs(path, nseg, factors, args.protocol)
    else:
        t, v, info, segments, group = brian_runs(path, nseg, factors, args.protocol, args.target,
                                                 args.solver, args.cache)
        info.update(segments=segments, group=group)
    info["peak_mb"] = peak_memory_mb()
    np.savez(args.out, t=t, v=v, info=json.dumps(info))


def measure(side, protocol, options, cache, folder):
    out = os.path.join(folder, f"{side}_{protocol}_{len(os.listdir(folder))}.npz")
    cmd = [sys.executable, __file__, "--worker", side, "--protocol", protocol, "--out", out,
           "--cache", cache, *options]
    subprocess.run(cmd, check=True)
    data = np.load(out)
    return data["t"], data["v"], json.loads(str(data["info"]))


def accuracy(protocol, t_n, v_n, t_b, v_b):
    steps = len(t_b)
    assert np.allclose(t_n[:steps], t_b, atol=1e-9)
    if protocol == "passive":
        return f"max dv {np.max(np.abs(v_b - v_n[:, :steps])):.2g} mV"
    spikes = [(crossings(t_n[:steps], v_n[k, :steps]), crossings(t_b, v_b[k]))
              for k in range(len(v_b))]
    same = all(len(a) == len(b) for a, b in spikes)
    dt = max((float(np.max(np.abs(a - b))) for a, b in spikes if len(a) == len(b) and len(a)),
             default=float("nan"))
    return f"{sum(len(a) for a, _ in spikes)} spikes, counts equal: {same}, max dt {dt:.2g} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true",
                        help="mp_ma_40984_gc2 with nseg 1 (29 segments), 5 copies, numpy")
    parser.add_argument("--copies", type=int)
    parser.add_argument("--target")
    parser.add_argument("--solver", help="tree or unrolled (default: the engine's choice)")
    parser.add_argument("--protocols", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS)
    parser.add_argument("--worker", choices=("neuron", "brian"), dest="side")
    parser.add_argument("--protocol", choices=PROTOCOLS)
    parser.add_argument("--out")
    parser.add_argument("--cache")
    parser.add_argument("--cell")
    parser.add_argument("--nseg1", action="store_true")
    args = parser.parse_args()
    if args.side:
        return worker(args)
    cell = "mp_ma_40984_gc2" if args.small else "tc200"
    copies = args.copies or (5 if args.small else 100)
    target = args.target or ("numpy" if args.small else "cython")
    options = ["--cell", cell, "--copies", str(copies), "--target", target,
               *(["--nseg1"] if args.small else []), *(["--solver", args.solver]
                                                       if args.solver else [])]
    rows = []
    with tempfile.TemporaryDirectory(prefix="b2c_morph_") as folder:
        for protocol in args.protocols:
            cache = tempfile.mkdtemp(dir=folder, prefix="cache_")  # empty: a cold compile
            t_n, v_n, neuron = measure("neuron", protocol, options, cache, folder)
            t_b, v_b, cold = measure("brian", protocol, options, cache, folder)
            _, _, warm = measure("brian", protocol, options, cache, folder)
            rows.append((protocol, neuron, cold, warm, accuracy(protocol, t_n, v_n, t_b, v_b)))
    print(f"{cell}, {rows[0][2]['segments']} segments, {copies} copies, target {target}, "
          f"{rows[0][2]['group']}, Python {sys.version.split()[0]}")
    print("| protocol | simulator | template (s) | make_group (s) | first run (s) | build (s) "
          "| run (s) | build - run (s) | peak memory (MB) | above imports (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for protocol, neuron, cold, warm, _ in rows:
        print(f"| {protocol} | NEURON | | | | {neuron['build_s']:.2f} | {neuron['run_s']:.2f} | "
              f"{neuron['build_s']:.2f} | {neuron['peak_mb']:.0f} | {neuron['peak_mb'] - neuron['base_mb']:.0f} |")
        for label, r in (("Brian2 cold", cold), ("Brian2 warm", warm)):
            print(f"| {protocol} | {label} | {r['template_s']:.2f} | {r['make_group_s']:.2f} | "
                  f"{r['first_run_s']:.2f} | {r['build_s']:.2f} | {r['run_s']:.2f} | "
                  f"{r['build_s'] - r['run_s']:.2f} | {r['peak_mb']:.0f} | {r['peak_mb'] - r['base_mb']:.0f} |")
    print("\n| protocol | accuracy vs NEURON | build cold / NEURON | build warm / NEURON "
          "| run / NEURON | memory / NEURON |")
    print("|---|---|---|---|---|---|")
    for protocol, neuron, cold, warm, acc in rows:
        print(f"| {protocol} | {acc} | {cold['build_s'] / neuron['build_s']:.0f} | "
              f"{warm['build_s'] / neuron['build_s']:.0f} | {warm['run_s'] / neuron['run_s']:.2f} "
              f"| {warm['peak_mb'] / neuron['peak_mb']:.1f} |")


if __name__ == "__main__":
    main()
