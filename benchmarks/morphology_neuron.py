"""A reconstructed neuron, many heterogeneous copies, against NEURON: build time and accuracy.

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

Build time: template (`Morphology.to_template`), `make_group` and the first run (code
generation, compilation into an empty Cython cache directory, and the protocol itself).

    PYTHONPATH=. python benchmarks/morphology_neuron.py                 # the target: tc200
    PYTHONPATH=. python benchmarks/morphology_neuron.py --small         # 29 segments, 5 copies

Run the full size only with a solver for large templates (issue 11): the unrolled solver's
build grows steeply beyond ~100 segments.
"""

import argparse
import sys
import tempfile
import time

import numpy as np

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


def neuron_runs(path, nseg, factors, protocol):
    """Soma voltage of every copy (copies, steps) run in NEURON."""
    from neuron import h

    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    reader = h.Import3d_SWC_read()
    reader.quiet = 1
    reader.input(path)
    h.Import3d_GUI(reader, 0).instantiate(None)
    from compartments.morphology import Morphology

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
    return np.array(t), np.array(out)


def brian_runs(path, nseg, factors, protocol, target):
    """Soma voltage of every copy run as one Brian2 group, and the build timings."""
    from brian2 import TimedArray, cm, mV, ms, nA, ohm, prefs, siemens, uF

    import compartments
    from compartments import channels, record
    from compartments.morphology import Morphology

    compartments.backends.use(target)
    prefs.codegen.runtime.cython.cache_dir = tempfile.mkdtemp(prefix="b2c_morph_")  # cold
    timings = {}
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
    group = cell.make_group(copies, dt=DT * ms, init=V_INIT * mV)
    timings["make_group_s"] = time.perf_counter() - t1
    for seg in cell.segments:
        comp = seg.compartment
        if protocol == "hh" and comp.name in morph.region("soma"):
            setattr(group, f"gbar_hhna_{seg.name}", 0.12 * factors["na"] * siemens / cm**2)
            setattr(group, f"gbar_hhk_{seg.name}", 0.036 * factors["k"] * siemens / cm**2)
        else:
            setattr(group, f"g_leak_{seg.name}", G_PAS * factors["leak"] * siemens / cm**2)
    amp, start, stop, duration = PROTOCOLS[protocol]
    n = int(round(duration / DT))
    current = np.zeros(n)
    current[int(round(start / DT)):int(round(stop / DT))] = amp
    soma = cell.spike_segment
    group.namespace["stim"] = TimedArray(current * nA, dt=DT * ms)
    group.run_regularly(f"I_ext_{soma} = stim(t)", when="before_groups")
    t2 = time.perf_counter()
    df = record(group, [f"v_{soma}"], duration * ms)
    timings["first_run_s"] = time.perf_counter() - t2
    timings["build_s"] = timings["template_s"] + timings["make_group_s"] + timings["first_run_s"]
    v = np.stack([df[df.neuron == k][f"v_{soma}_mV"].to_numpy() for k in range(copies)])
    return df[df.neuron == 0].t_ms.to_numpy(), v, timings, len(cell.segments)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true",
                        help="mp_ma_40984_gc2 with nseg 1 (29 segments), 5 copies, numpy")
    parser.add_argument("--copies", type=int)
    parser.add_argument("--target")
    args = parser.parse_args()
    from compartments.morphology import Morphology, example_swc

    name = "mp_ma_40984_gc2" if args.small else "tc200"
    copies = args.copies or (5 if args.small else 100)
    target = args.target or ("numpy" if args.small else "cython")
    path = example_swc(name)
    morph = Morphology.from_swc(path)
    nseg = morph.nseg(1) if args.small else morph.nseg()
    factors = draws(copies)
    rows = []
    for protocol in PROTOCOLS:
        t_n, v_n = neuron_runs(path, nseg, factors, protocol)
        t_b, v_b, timings, segments = brian_runs(path, nseg, factors, protocol, target)
        steps = len(t_b)
        assert np.allclose(t_n[:steps], t_b, atol=1e-9)
        row = dict(protocol=protocol, segments=segments, copies=copies, **timings)
        if protocol == "passive":
            row["max_dv_mV"] = float(np.max(np.abs(v_b - v_n[:, :steps])))
        else:
            spikes = [(crossings(t_n[:steps], v_n[k, :steps]), crossings(t_b, v_b[k]))
                      for k in range(copies)]
            row["spikes"] = sum(len(a) for a, _ in spikes)
            row["same_counts"] = all(len(a) == len(b) for a, b in spikes)
            row["max_dt_ms"] = max((float(np.max(np.abs(a - b))) for a, b in spikes
                                    if len(a) == len(b) and len(a)), default=float("nan"))
        rows.append(row)
    print(f"{name}, {rows[0]['segments']} segments, {copies} copies, target {target}, "
          f"Python {sys.version.split()[0]}")
    print("| protocol | template (s) | make_group (s) | first run (s) | build (s) | accuracy |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        acc = (f"max dv {r['max_dv_mV']:.2g} mV" if r["protocol"] == "passive" else
               f"{r['spikes']} spikes, counts equal: {r['same_counts']}, max dt "
               f"{r['max_dt_ms']:.2g} ms")
        print(f"| {r['protocol']} | {r['template_s']:.1f} | {r['make_group_s']:.1f} | "
              f"{r['first_run_s']:.1f} | {r['build_s']:.1f} | {acc} |")


if __name__ == "__main__":
    main()
