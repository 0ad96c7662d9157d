"""Integration methods for template cells: accuracy against NEURON, stability, cost.

Compares the engine's implicit updaters ``crank_nicolson`` and ``backward_euler``
(NEURON's fixed-step schemes, ``secondorder=2`` and ``0``) with Brian2's ``rk4``,
``exponential_euler``, ``rk2`` and ``heun`` on

  (i)   ``cell3``: an HH soma (NEURON ``hh`` defaults) with two passive dendrites,
        tonic firing under a constant somatic current;
  (ii)  ``l5``: an L5-like template (soma, AIS 20 x 1.2 um with 5x the somatic
        sodium density, axon, basal, apical trunk with nseg=3, tuft; HH densities
        scaled per compartment);
  (iii) 1,000 heterogeneous copies of (i) and (ii) (per-neuron gbar and current
        drawn with a seed) for the run time per neuron-step (Cython target) and
        the compile time; optionally ``cpp_standalone``.

Reference: NEURON built in this script from the same numbers (``hh`` / ``pas``,
``usetable_hh = 0``, ``secondorder = 2``, dt = 1 us, checked against dt = 0.5 us).
Each accuracy run simulates two neurons: neuron 0 with a suprathreshold current
(spike times: upward 0 mV crossings, located by a local cubic through four
samples, the same in both simulators) and neuron 1 with a subthreshold current
(largest voltage error over every segment and the whole run).

Usage::

    PYTHONPATH=. python benchmarks/integrators.py            # full: ~11 min with case (ii) in
                                                             # the Cython cache, +12-15 min if not
    PYTHONPATH=. python benchmarks/integrators.py --quick    # case (i), dt 0.1/0.025, 100 ms:
                                                             # ~45 s cached, ~2 min cold
    PYTHONPATH=. python benchmarks/integrators.py --compile-only l5   # cold compile times, printed

Writes ``benchmarks/results/integrators.csv`` and ``.md`` (``--out`` to change); ``--quick``
writes ``integrators_quick.csv`` and ``.md`` there instead, so that it never overwrites
the recorded full results. See docs/integrators.md.
"""

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

METHODS = ["crank_nicolson", "backward_euler", "rk4", "exponential_euler", "rk2", "heun"]
IMPLICIT = {"crank_nicolson": 2, "backward_euler": 0}  # NEURON secondorder of the same scheme
DTS = [0.1, 0.05, 0.025, 0.01]  # ms
INIT = -65.0  # mV, both simulators start here with gates at steady state
RA = 150.0  # ohm cm
CELSIUS = 6.3
THRESHOLD = 0.0  # mV, spike = upward crossing
LATE = 20.0  # ms: the subthreshold voltage error is also reported from here on (after the
#              start-up transient of the current step at t = 0)

# -- the cells, as plain numbers (um, S/cm2, mV, nA) -------------------------------------
# Each compartment: name, L, diam, nseg, parent, at (where on the parent), and densities.
# gna = gk = 0 -> passive (NEURON `pas`, engine Leak); otherwise NEURON `hh` with
# gnabar/gkbar/gl/el, engine HHNa + HHK + Leak with the same numbers.
HH_GL, HH_EL = 3e-4, -54.3
PAS_G, PAS_E = 5e-5, -65.0


def _comp(name, L, diam, nseg=1, parent=None, at=None, gna=0.0, gk=0.0, gl=PAS_G, el=PAS_E):
    return dict(name=name, L=L, diam=diam, nseg=nseg, parent=parent, at=at, gna=gna, gk=gk,
                gl=gl, el=el)


CASES = {
    "cell3": dict(
        title="(i) HH soma + 2 passive dendrites (3 compartments)",
        compartments=[
            _comp("soma", 20, 20, gna=0.12, gk=0.036, gl=HH_GL, el=HH_EL),
            _comp("apical", 400, 3, parent="soma", at=0.5),
            _comp("basal", 200, 2, parent="soma", at=0.5),
        ],
        I_supra=0.3, I_sub=0.05),
    "l5": dict(
        title="(ii) L5-like: soma, AIS, axon, basal, apical trunk (nseg 3), tuft (6 compartments, 9 segments)",
        compartments=[
            _comp("soma", 20, 20, gna=0.12, gk=0.036, gl=HH_GL, el=HH_EL),
            _comp("ais", 20, 1.2, parent="soma", at=0, gna=0.6, gk=0.072, gl=HH_GL, el=HH_EL),
            _comp("axon", 200, 1.0, nseg=2, parent="ais", at=1, gna=0.12, gk=0.036, gl=HH_GL,
                  el=HH_EL),
            _comp("basal", 200, 2, parent="soma", at=0.5),
            _comp("trunk", 400, 3, nseg=3, parent="soma", at=1, gna=0.024, gk=0.0072),
            _comp("tuft", 200, 1.5, parent="trunk", at=1, gna=0.012, gk=0.0036),
        ],
        I_supra=0.3, I_sub=0.05),
}


def segments(spec):
    """(segment name in the engine, compartment, x in NEURON) for every segment."""
    out = []
    for c in spec["compartments"]:
        for i in range(c["nseg"]):
            name = c["name"] if c["nseg"] == 1 else f"{c['name']}_{i}"
            out.append((name, c["name"], (i + 0.5) / c["nseg"]))
    return out


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- engine ------------------------------------------------------------------------------
def engine_template(case):
    from brian2 import cm, mV, ohm, siemens, um

    from compartments import CellTemplate, Compartment, channels

    spec = CASES[case]
    comps, conns = [], []
    for c in spec["compartments"]:
        chans = [channels.Leak(g=c["gl"] * siemens / cm**2, E=c["el"] * mV)]
        if c["gna"] or c["gk"]:
            chans += [channels.HHNa(gbar=c["gna"] * siemens / cm**2),
                      channels.HHK(gbar=c["gk"] * siemens / cm**2)]
        comps.append(Compartment(c["name"], length=c["L"] * um, diameter=c["diam"] * um,
                                 nseg=c["nseg"], channels=chans))
        if c["parent"]:
            conns.append((c["parent"], c["name"], c["at"]))
    return CellTemplate(case, comps, connections=conns, Ra=RA * ohm * cm, celsius=CELSIUS)


def engine_group(template, n, method, dt, name):
    """A group on ``defaultclock`` (a group-specific dt creates a new Clock whose name,
    ``<name>_clock_1`` while the old one is alive, changes the generated code and
    defeats Brian2's Cython cache)."""
    from brian2 import defaultclock, mV, ms

    defaultclock.dt = dt * ms
    return template.make_group(n, method=method, init=INIT * mV, name=name, check_step=False)


def refused_by_check_step(template, method, dt):
    from brian2 import ms

    from compartments import guard

    try:
        guard.check_step(template, dt * ms, method)
    except ValueError:
        return True
    return False


def engine_accuracy_run(case, method, dt, tstop):
    """Two neurons (supra, sub); returns dict with traces or the divergence."""
    from brian2 import Network, SpikeMonitor, StateMonitor, ms, nA
    from brian2.core.base import BrianObjectException

    from compartments import SimulationDiverged

    built = time.perf_counter()
    spec = CASES[case]
    template = engine_template(case)
    segs = [s for s, _, _ in segments(spec)]
    group = engine_group(template, 2, method, dt, name=f"acc_{case}")
    group.I_ext_soma = [spec["I_supra"], spec["I_sub"]] * nA
    mon = StateMonitor(group, [f"v_{s}" for s in segs], record=[0, 1], name=f"acc_{case}_mon")
    # the timing network (group + spike monitor) is a subset: its code is cached from here
    spikes = SpikeMonitor(group, name=f"acc_{case}_spikes")
    net = Network(group, mon, spikes)
    t0 = time.perf_counter()
    out = dict(diverged=False, t_diverged_ms=np.nan, how="")
    try:
        net.run(tstop * ms)
    except SimulationDiverged:
        out.update(diverged=True, how="SimulationDiverged",
                   t_diverged_ms=float(np.asarray(group.t_diverged_)[np.flatnonzero(
                       np.asarray(group.diverged_segment_))[0]]) * 1e3)
    except BrianObjectException as exc:
        # A blow-up can make generated code divide by zero (e.g. 1/exprel(-huge)) before
        # the divergence guard (every GUARD_INTERVAL) sees it: also a divergence.
        if not isinstance(exc.__cause__, ArithmeticError):
            raise
        out.update(diverged=True, how=type(exc.__cause__).__name__,
                   t_diverged_ms=float(net.t / ms))
    out["wall_s"] = time.perf_counter() - t0
    out["build_s"] = time.perf_counter() - built  # group creation + code generation + run
    if not out["diverged"]:
        out["t"] = np.asarray(mon.t_) * 1e3
        out["v"] = {s: np.asarray(getattr(mon, f"v_{s}_")) * 1e3 for s in segs}  # (2, steps)
    del net, mon, spikes, group
    gc.collect()  # free the names (acc_<case>, its clock) so the next group reuses the cached code
    return out


def heterogeneous(group, case, seed):
    """Per-neuron densities and current: gbar x U(0.8, 1.2) per neuron, I = U(0.85, 1.35) x I_supra."""
    from brian2 import nA

    spec = CASES[case]
    rng = np.random.default_rng(seed)
    n = len(group)
    fna, fk = rng.uniform(0.8, 1.2, n), rng.uniform(0.8, 1.2, n)
    for name, comp, _ in segments(spec):
        c = next(c for c in spec["compartments"] if c["name"] == comp)
        if c["gna"] or c["gk"]:
            setattr(group, f"gbar_hhna_{name}_", c["gna"] * 1e4 * fna)
            setattr(group, f"gbar_hhk_{name}_", c["gk"] * 1e4 * fk)
    group.I_ext_soma = rng.uniform(0.85, 1.35, n) * spec["I_supra"] * nA


def updater_time(profiling_info, case):
    """Seconds spent in the state updater, from a ``profiling_info`` dict."""
    return sum(float(v) for k, v in profiling_info.items()
               if k.startswith(f"acc_{case}_stateupdater"))


def engine_timing(case, methods, n, dt, duration, repeats, seed):
    """Cython run time of ``n`` heterogeneous neurons, for every method.

    One group per method (all named ``acc_<case>``, so each reuses the code compiled
    for the accuracy runs), each in its own Network. After a first run (code
    generation; compilation unless the Cython cache has the code), rounds of a
    one-step run and a ``duration`` run go through the methods in turn, so that
    load on a shared machine spreads over all of them. Each ``Network.run`` has a
    fixed cost (preparing the objects, ~0.3-0.5 s here), so the time per step is
    ``(min t(duration) - min t(one step)) / (steps - 1)``, with t the process CPU
    time (robust to other processes on a shared machine; wall time is kept too).
    The long runs are profiled (``profile=True``) for the state updater's share of
    the time in code objects (median over rounds).
    """
    from brian2 import Network, SpikeMonitor, ms
    from brian2.core.base import BrianObjectException

    from compartments import SimulationDiverged

    steps = int(round(duration / dt))
    nets, res = {}, {}
    template = engine_template(case)

    def attempt(method, fn):
        try:
            return fn()
        except (SimulationDiverged, BrianObjectException) as exc:
            if isinstance(exc, BrianObjectException) and not isinstance(exc.__cause__,
                                                                         ArithmeticError):
                raise
            res[method].update(diverged=True, how=type(exc.__cause__ or exc).__name__)
            del nets[method]
            return None

    for method in methods:
        group = engine_group(template, n, method, dt, name=f"acc_{case}")
        heterogeneous(group, case, seed)
        spikes = SpikeMonitor(group, name=f"acc_{case}_spikes")
        nets[method] = (Network(group, spikes), spikes)
        res[method] = dict(n_neurons=n, steps=steps, dt_ms=dt, diverged=False, short=[],
                           long=[], short_wall=[], long_wall=[], updater=[])
        t0 = time.perf_counter()
        if attempt(method, lambda: nets[method][0].run(duration * ms)) is None \
                and method in nets:
            res[method]["first_run_s"] = time.perf_counter() - t0
        log(f"  {method}: first run {time.perf_counter() - t0:.1f} s"
            + (" (diverged)" if res[method]["diverged"] else ""))
    for _ in range(repeats):
        for method in methods:
            if method not in nets:
                continue
            net = nets[method][0]
            r = res[method]
            t0, w0 = time.process_time(), time.perf_counter()
            if attempt(method, lambda: net.run(dt * ms)) is None and method in nets:
                r["short"].append(time.process_time() - t0)
                r["short_wall"].append(time.perf_counter() - w0)
            else:
                continue
            t0, w0 = time.process_time(), time.perf_counter()
            if attempt(method, lambda: net.run(duration * ms, profile=True)) is None \
                    and method in nets:
                r["long"].append(time.process_time() - t0)
                r["long_wall"].append(time.perf_counter() - w0)
                prof = dict(net.profiling_info)
                r["updater"].append(updater_time(prof, case) / sum(float(v) for v in prof.values()))
    for method in methods:
        r = res[method]
        if method in nets:
            net, spikes = nets[method]
            per_step = (min(r["long"]) - min(r["short"])) / (steps - 1)
            per_step_wall = (min(r["long_wall"]) - min(r["short_wall"])) / (steps - 1)
            r.update(run_s=min(r["long"]), run_overhead_s=min(r["short"]) - per_step,
                     ns_per_neuron_step=per_step / n * 1e9,
                     ns_per_neuron_step_wall=per_step_wall / n * 1e9,
                     updater_share=float(np.median(r["updater"])),
                     first_run_overhead_s=r["first_run_s"] - min(r["long_wall"]),
                     rate_hz=spikes.num_spikes / n / float(net.t / ms) * 1e3)
        for key in ("short", "long", "short_wall", "long_wall", "updater"):
            r[key] = ";".join(f"{x:.4g}" for x in r[key])
    nets.clear()
    gc.collect()
    return res


# -- NEURON ------------------------------------------------------------------------------
_H = None


def neuron_h():
    global _H
    if _H is None:
        from neuron import h

        h.load_file("stdrun.hoc")
        _H = h
    return _H


def neuron_build(case, tag):
    h = neuron_h()
    spec = CASES[case]
    secs = {}
    for c in spec["compartments"]:
        sec = h.Section(name=f"{tag}_{c['name']}")
        sec.L, sec.diam, sec.nseg, sec.Ra, sec.cm = c["L"], c["diam"], c["nseg"], RA, 1.0
        if c["gna"] or c["gk"]:
            sec.insert("hh")
            for seg in sec:
                seg.hh.gnabar, seg.hh.gkbar = c["gna"], c["gk"]
                seg.hh.gl, seg.hh.el = c["gl"], c["el"]
        else:
            sec.insert("pas")
            for seg in sec:
                seg.pas.g, seg.pas.e = c["gl"], c["el"]
        secs[c["name"]] = sec
    for c in spec["compartments"]:
        if c["parent"]:
            secs[c["name"]].connect(secs[c["parent"]](c["at"]), 0)
    return secs


def neuron_run(case, dt, secondorder, tstop):
    """Same two neurons in NEURON; returns t (ms) and v[segment] of shape (2, steps+1)."""
    h = neuron_h()
    spec = CASES[case]
    cells = [neuron_build(case, f"{case}{k}") for k in range(2)]
    stims = []
    for cell, amp in zip(cells, (spec["I_supra"], spec["I_sub"])):
        st = h.IClamp(cell["soma"](0.5))
        st.delay, st.dur, st.amp = 0, 1e9, amp
        stims.append(st)
    h.celsius = CELSIUS
    h.usetable_hh = 0
    h.secondorder = secondorder
    h.dt = dt
    recs = {s: [h.Vector().record(cell[comp](x)._ref_v) for cell in cells]
            for s, comp, x in segments(spec)}
    h.finitialize(INIT)
    steps = int(round(tstop / dt))
    t0 = time.perf_counter()
    h(f"for _i = 1, {steps} {{ fadvance() }}")
    wall = time.perf_counter() - t0
    v = {s: np.array([np.array(r) for r in pair]) for s, pair in recs.items()}
    return dict(t=np.arange(steps + 1) * dt, v=v, wall_s=wall)


def neuron_reference(case, dt_ref, tstop, window):
    """Converged NEURON reference: Richardson extrapolation of secondorder=2 runs.

    Runs at dt_ref, dt_ref/2 and dt_ref/4. The scheme is second order, so
    ``R(h, h/2) = x(h/2) + (x(h/2) - x(h)) / 3`` cancels the leading error of spike
    times and voltages. The reference is R(dt_ref/2, dt_ref/4) on the dt_ref grid;
    its error is estimated by |R(dt_ref, dt_ref/2) - R(dt_ref/2, dt_ref/4)| (an
    upper bound in practice), and the plain runs' convergence by |x(dt/2) - x(dt/4)|.
    """
    levels = [neuron_run(case, dt_ref / 2**k, 2, tstop) for k in range(3)]
    if len(spike_times(levels[0]["t"], levels[0]["v"]["soma"][1], tstop)):
        raise RuntimeError(f"{case}: the subthreshold neuron fires; lower I_sub")
    spikes = [spike_times(lv["t"], lv["v"]["soma"][0], window) for lv in levels]
    if len({len(x) for x in spikes}) != 1:
        raise RuntimeError(f"{case}: the NEURON reference is not converged (spike counts "
                           f"{[len(x) for x in spikes]})")

    def rich(coarse, fine):
        return fine + (fine - coarse) / 3

    def on_grid(v, k):  # samples of level k on the dt_ref grid
        return v[:, ::2**k]

    r1 = {s: rich(on_grid(levels[0]["v"][s], 0), on_grid(levels[1]["v"][s], 1)) for s in levels[0]["v"]}
    r2 = {s: rich(on_grid(levels[1]["v"][s], 1), on_grid(levels[2]["v"][s], 2)) for s in levels[0]["v"]}
    t = levels[0]["t"]
    sub = [np.abs(r1[s][1] - r2[s][1]).max() for s in r1]
    plain = [np.abs(on_grid(levels[1]["v"][s], 1)[1] - on_grid(levels[2]["v"][s], 2)[1]).max()
             for s in r1]
    conv = dict(plain_spike_ms=float(np.abs(spikes[1] - spikes[2]).max()),
                plain_v_mV=float(max(plain)),
                rich_spike_ms=float(np.abs(rich(spikes[0], spikes[1])
                                           - rich(spikes[1], spikes[2])).max()),
                rich_v_mV=float(max(sub)),
                sub=(min(r2[s][1].min() for s in r2), max(r2[s][1].max() for s in r2)))
    ref = dict(t=t, v=r2, spikes=rich(spikes[1], spikes[2]))
    return ref, conv


# -- metrics -----------------------------------------------------------------------------
def spike_times(t, v, tmax):
    """Upward crossings of THRESHOLD, located by a cubic through 4 samples (linear at edges)."""
    up = np.flatnonzero((v[:-1] < THRESHOLD) & (v[1:] >= THRESHOLD))
    out = []
    for k in up:
        lo, hi = k - 1, k + 3
        if lo >= 0 and hi <= len(v):
            tt, vv = t[lo:hi] - t[k], v[lo:hi] - THRESHOLD
            roots = np.roots(np.polyfit(tt, vv, 3))
            span = t[k + 1] - t[k]
            ok = [r.real for r in roots if abs(r.imag) < 1e-12 and -1e-9 <= r.real <= span + 1e-9]
            if ok:
                out.append(t[k] + min(ok, key=lambda r: abs(r - span / 2)))
                continue
        out.append(t[k] + (THRESHOLD - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k]))
    out = np.array(out)
    return out[out <= tmax]


def spike_error(ts, tref):
    if len(ts) != len(tref) or len(ts) == 0:
        return np.nan, np.nan
    d = np.abs(ts - tref)
    return float(d.mean()), float(d.max())


def voltage_error(run, ref, dt_ref, neuron=1, after=0.0):
    """Largest |v - v_ref| over all segments of ``neuron``, on the run's time grid
    (from time ``after`` ms on)."""
    ratio = (run["t"][1] - run["t"][0]) / dt_ref
    stride = int(round(ratio))
    if abs(ratio - stride) > 1e-6:
        raise ValueError(f"dt = {run['t'][1] - run['t'][0]} ms is not a multiple of {dt_ref} ms")
    n = len(run["t"])
    keep = np.asarray(run["t"][:n]) >= after
    return float(max(np.max(np.abs(run["v"][s][neuron][:n] - ref["v"][s][neuron][::stride][:n])[keep])
                     for s in run["v"]))


# -- cpp_standalone child ----------------------------------------------------------------
def standalone_child(args):
    """Run in a subprocess: build and run 1,000 neurons in cpp_standalone, print JSON."""
    from brian2 import SpikeMonitor, device, magic_network, ms, run, set_device

    import compartments

    case, method, n, dt, duration = args.case, args.method, args.n, args.dt, args.duration
    build = tempfile.mkdtemp(prefix="standalone_")
    compartments.backends.check_toolchain("cpp_standalone")
    set_device("cpp_standalone", directory=build, build_on_run=False)  # build, then time runs
    template = engine_template(case)
    group = engine_group(template, n, method, dt, name=f"acc_{case}")
    heterogeneous(group, case, args.seed)
    spikes = SpikeMonitor(group, name=f"acc_{case}_spikes")
    t0 = time.perf_counter()
    run(duration * ms, profile=True)
    device.build(directory=build, compile=True, run=False)
    build_s = time.perf_counter() - t0
    steps = int(round(duration / dt))
    cpu, loop = [], []
    for _ in range(3):  # CPU time of the binary (it is a child process) and its loop's wall time
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        device.run(directory=build, with_output=False)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        loop.append(float(device._last_run_time))
    prof = dict(magic_network.profiling_info)
    out = dict(case=case, method=method, n_neurons=n, steps=steps, dt_ms=dt,
               first_run_overhead_s=build_s, run_s=min(cpu),
               ns_per_neuron_step=min(cpu) / (n * steps) * 1e9,
               ns_per_neuron_step_wall=min(loop) / (n * steps) * 1e9,
               updater_share=updater_time(prof, case) / sum(float(v) for v in prof.values()),
               rate_hz=len(spikes.i) / n / (duration * 1e-3))
    compartments.check_divergence(group)
    shutil.rmtree(build, ignore_errors=True)
    print("RESULT " + json.dumps(out))


def standalone(case, method, n, dt, duration, seed):
    cmd = [sys.executable, os.path.abspath(__file__), "--standalone-child", "--case", case,
           "--method", method, "--n", str(n), "--dt", str(dt), "--duration", str(duration),
           "--seed", str(seed)]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"standalone {method} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


def accuracy(case, dts, tstop, dt_ref, refs, measure_cold):
    """Accuracy and stability rows of one case (and cold compile times if asked)."""
    log(f"{case}: NEURON reference, secondorder=2, dt = {dt_ref}, {dt_ref / 2}, {dt_ref / 4} ms")
    window = tstop - max(dts)  # spikes after this are not compared (edge of the run)
    ref, conv = neuron_reference(case, dt_ref, tstop, window)
    sref = ref["spikes"]
    refs[case] = dict(n_spikes=len(sref), rate_hz=len(sref) / (window * 1e-3), dt_ref=dt_ref,
                      tstop=tstop, window=window, **conv)
    log(f"  {len(sref)} spikes; plain |ref(dt/2) - ref(dt/4)|: spikes {conv['plain_spike_ms']:.1e} ms, "
        f"V {conv['plain_v_mV']:.1e} mV; Richardson |R(dt, dt/2) - R(dt/2, dt/4)|: spikes "
        f"{conv['rich_spike_ms']:.1e} ms, V {conv['rich_v_mV']:.1e} mV")
    neuron_same = {(m, dt): neuron_run(case, dt, so, tstop) for dt in dts
                   for m, so in IMPLICIT.items()}
    template = engine_template(case)
    rows = []
    if measure_cold:
        rows.append(shared_compile_row(case, 0.01))
    for method in METHODS:
        for dt in dts:
            r = engine_accuracy_run(case, method, dt, tstop)
            row = dict(kind="accuracy", case=case, method=method, dt_ms=dt, tstop_ms=tstop,
                       refused_by_check_step=refused_by_check_step(template, method, dt),
                       diverged=r["diverged"], diverged_how=r["how"],
                       t_diverged_ms=r["t_diverged_ms"], n_spikes_ref=len(sref),
                       wall_s=r["wall_s"])
            if measure_cold and dt == dts[0]:
                again = engine_accuracy_run(case, method, dt, tstop)
                row["compile_cold_s"] = r["build_s"] - again["build_s"]
                row["wall_s"] = again["wall_s"]
            if r["diverged"]:
                row.update(status="diverged", n_spikes=np.nan)
            else:
                ts = spike_times(r["t"], r["v"]["soma"][0], window)
                m, mx = spike_error(ts, sref)
                row.update(n_spikes=len(ts), spike_err_mean_ms=m, spike_err_max_ms=mx,
                           v_err_sub_max_mV=voltage_error(r, ref, dt_ref),
                           v_err_sub_late_mV=voltage_error(r, ref, dt_ref, after=LATE),
                           status="ok" if len(ts) == len(sref) else "spike count mismatch")
                first = spike_times(r["t"], r["v"]["soma"][0], tstop)
                row["first_spike_err_ms"] = abs(first[0] - sref[0]) if len(first) else np.nan
                k = min(len(ts), len(sref))
                if len(ts) != len(sref) and k:  # how far off the spikes that do match are
                    row["spike_err_prefix_max_ms"] = float(np.max(np.abs(ts[:k] - sref[:k])))
                if method in IMPLICIT:
                    nr = neuron_same[method, dt]
                    tn = spike_times(nr["t"], nr["v"]["soma"][0], window)
                    row["vs_neuron_same_scheme_spike_max_ms"] = spike_error(ts, tn)[1]
                    row["vs_neuron_same_scheme_v_max_mV"] = voltage_error(r, nr, dt, neuron=1)
            rows.append(row)
            log(f"  {case} {method:17s} dt={dt:<6} {row['status']:8s} "
                f"max|dt_spike|={fmt(row.get('spike_err_max_ms'))} ms "
                f"max|dV|sub={fmt(row.get('v_err_sub_max_mV'))} mV  ({r['build_s']:.1f} s"
                + (f", cold compile {row['compile_cold_s']:.1f} s)" if "compile_cold_s" in row else ")"))
    # NEURON's own schemes at the test dt against the reference (context)
    for (method, dt), nr in neuron_same.items():
        tn = spike_times(nr["t"], nr["v"]["soma"][0], window)
        m, mx = spike_error(tn, sref)
        rows.append(dict(kind="neuron", case=case, method=f"NEURON secondorder={IMPLICIT[method]}",
                         dt_ms=dt, tstop_ms=tstop, n_spikes=len(tn), n_spikes_ref=len(sref),
                         spike_err_mean_ms=m, spike_err_max_ms=mx,
                         v_err_sub_max_mV=voltage_error(nr, ref, dt_ref),
                         v_err_sub_late_mV=voltage_error(nr, ref, dt_ref, after=LATE),
                         status="ok" if len(tn) == len(sref) else "spike count mismatch",
                         wall_s=nr["wall_s"]))
    return rows


def shared_compile_row(case, dt):
    """Cold compile of what every method shares (threshold, guard, monitors), compiled with
    Brian2's 'euler': a 1 ms run in the current cache minus the same again (cached)."""
    first = engine_accuracy_run(case, "euler", dt, 1.0)["build_s"]
    again = engine_accuracy_run(case, "euler", dt, 1.0)["build_s"]
    log(f"  {case} cold compile of the shared objects (+ euler updater): {first - again:.1f} s")
    return dict(kind="compile", case=case, method="shared objects (+ euler updater)",
                compile_cold_s=first - again)


def cold_compile_rows(case):
    """Cold compile time per state updater: build + 1 ms run in the current (fresh) Cython
    cache minus the same again (cached); shared objects compiled first with 'euler'."""
    rows = [shared_compile_row(case, 0.005)]
    for method in METHODS:
        first = engine_accuracy_run(case, method, 0.005, 1.0)["build_s"]
        again = engine_accuracy_run(case, method, 0.005, 1.0)["build_s"]
        rows.append(dict(kind="compile", case=case, method=f"{method} state updater",
                         compile_cold_s=first - again, cached_build_s=again))
        log(f"  {case} {method}: cold compile {first - again:.1f} s "
            f"(cached build + 1 ms run {again:.1f} s)")
    return rows


def compile_only(case):
    from brian2 import prefs

    old = prefs.codegen.runtime.cython.cache_dir
    fresh = tempfile.mkdtemp(prefix="cython_cold_")
    prefs.codegen.runtime.cython.cache_dir = fresh
    try:
        rows = cold_compile_rows(case)
    finally:
        prefs.codegen.runtime.cython.cache_dir = old
        shutil.rmtree(fresh, ignore_errors=True)
    print(f"Cold Cython compile time, case {case} (fresh cache dir):\n")
    print("| what | cold compile (s) | cached build + 1 ms run (s) |\n|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['compile_cold_s']:.1f} | {fmt(r.get('cached_build_s'), '.1f')} |")


def timings(case, timing, seed):
    log(f"timing {case}: {timing['n']} neurons, dt={timing['dt']} ms, "
        f"{timing['repeats']} rounds of {timing['duration']:g} ms")
    res = engine_timing(case, METHODS, timing["n"], timing["dt"], timing["duration"],
                        timing["repeats"], seed)
    unstable = [m for m in METHODS if res[m]["diverged"]]
    if unstable:  # their cost per step, at a dt where they run (cost per step ~ independent of dt)
        dt = timing["dt"] / 5
        log(f"  diverged at dt={timing['dt']} ms: {unstable}; timing them at dt={dt:g} ms")
        for m, r in engine_timing(case, unstable, timing["n"], dt, timing["duration"] / 5,
                                  timing["repeats"], seed).items():
            r["diverged_at_dt_ms"] = timing["dt"]
            r["first_run_overhead_s"] = np.nan  # code generated in the diverged attempt
            res[m] = r
    rows = []
    for method in METHODS:
        r = res[method]
        status = "diverged" if r["diverged"] else "ok"
        if "diverged_at_dt_ms" in r:
            status = (f"diverged at dt {r['diverged_at_dt_ms']:g}; timed at dt {r['dt_ms']:g}"
                      + (", diverged too" if r["diverged"] else ""))
        rows.append(dict(kind="timing", case=case, method=method, target="cython",
                         status=status, **r))
        log(f"  {method:17s} {fmt(r.get('ns_per_neuron_step'), '.0f')} ns/neuron-step CPU, "
            f"{fmt(r.get('ns_per_neuron_step_wall'), '.0f')} wall "
            f"(state updater {fmt(100 * r.get('updater_share', np.nan), '.0f')}%), "
            f"first run +{fmt(r.get('first_run_overhead_s'), '.1f')} s  [{status}]")
    return rows


# -- main --------------------------------------------------------------------------------
def fmt(x, spec=".2g"):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    return format(x, spec)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller version (case i, fewer dt, shorter)")
    p.add_argument("--out", default=os.path.join(HERE, "results"), help="output folder")
    p.add_argument("--no-standalone", action="store_true", help="skip the cpp_standalone timing")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-compile measurement")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--compile-only", choices=list(CASES), metavar="CASE",
                   help="only measure cold Cython compile times of CASE's state updaters "
                        "(printed, no files written)")
    p.add_argument("--standalone-child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--case", help=argparse.SUPPRESS)
    p.add_argument("--method", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    p.add_argument("--dt", type=float, help=argparse.SUPPRESS)
    p.add_argument("--duration", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    from brian2 import prefs

    prefs.logging.console_log_level = "ERROR"
    if args.standalone_child:
        return standalone_child(args)

    import brian2
    import neuron

    import compartments

    compartments.backends.use("cython")
    started = time.perf_counter()
    if args.compile_only:
        return compile_only(args.compile_only)
    if args.quick:
        cases, dts, tstop, dt_ref = ["cell3"], [0.1, 0.025], 100.0, 0.001
        timing = dict(cases=["cell3"], n=1000, dt=0.025, duration=25.0, repeats=3)
        cold = standalone_on = False
    else:
        cases, dts, tstop, dt_ref = list(CASES), DTS, 200.0, 0.001
        timing = dict(cases=list(CASES), n=1000, dt=0.025, duration=100.0, repeats=5)
        cold, standalone_on = not args.no_cold, not args.no_standalone
    rows, notes = [], []
    refs = {}

    for case in cases:
        # The first case, in the full run, compiles into a fresh Cython cache: its first
        # run per method minus an identical cached run is the cold compile time.
        measure_cold = cold and case == cases[0]
        old_cache = prefs.codegen.runtime.cython.cache_dir
        if measure_cold:
            fresh = tempfile.mkdtemp(prefix="cython_cold_")
            prefs.codegen.runtime.cython.cache_dir = fresh
        try:
            rows += accuracy(case, dts, tstop, dt_ref, refs, measure_cold)
            if case in timing["cases"]:
                rows += timings(case, timing, args.seed)
        finally:
            if measure_cold:
                prefs.codegen.runtime.cython.cache_dir = old_cache
                shutil.rmtree(fresh, ignore_errors=True)
    if standalone_on:
        for method in ["crank_nicolson", "exponential_euler"]:
            log(f"cpp_standalone {method} (subprocess)")
            try:
                res = standalone("cell3", method, timing["n"], timing["dt"], 200.0, args.seed)
                rows.append(dict(kind="timing", case="cell3", method=method,
                                 target="cpp_standalone", status="ok",
                                 **{k: v for k, v in res.items() if k not in ("case", "method")}))
                log(f"  {res['ns_per_neuron_step']:.0f} ns/neuron-step CPU, "
                    f"{res['ns_per_neuron_step_wall']:.0f} wall (build {res['first_run_overhead_s']:.0f} s)")
            except Exception as exc:  # report, don't lose the rest
                notes.append(f"cpp_standalone {method}: {exc}")
                log(f"  failed: {exc}")

    df = pd.DataFrame(rows)
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, "integrators_quick" if args.quick else "integrators")
    df.to_csv(stem + ".csv", index=False)
    cmd = "PYTHONPATH=. python benchmarks/integrators.py" + (" --quick" if args.quick else "")
    md = markdown(df, refs, cases, dts, timing, notes, cmd, time.perf_counter() - started,
                  versions=dict(brian2=brian2.__version__, neuron=neuron.__version__,
                                python=platform.python_version(), machine=platform.machine(),
                                cpus=os.cpu_count()))
    with open(stem + ".md", "w") as f:
        f.write(md)
    print(md)
    log(f"done in {time.perf_counter() - started:.0f} s; wrote {stem}.csv and {stem}.md")


def markdown(df, refs, cases, dts, timing, notes, cmd, elapsed, versions):
    L = [f"# Integrators: measured results{' (--quick)' if '--quick' in cmd else ''}\n",
         f"Command: `{cmd}` ({elapsed:.0f} s; brian2 {versions['brian2']}, NEURON "
         f"{versions['neuron']}, Python {versions['python']}, {versions['cpus']} CPUs, "
         f"{versions['machine']}).\n"]
    for case in cases:
        r = refs[case]
        tstop = r["tstop"]
        L.append(f"## {CASES[case]['title']}\n")
        L.append(f"NEURON reference: secondorder=2 at dt = {r['dt_ref']}, {r['dt_ref'] / 2} and "
                 f"{r['dt_ref'] / 4} ms, Richardson-extrapolated (R(dt/2, dt/4)); "
                 f"{r['n_spikes']} spikes in the first {r['window']:g} ms of {tstop:g} ms "
                 f"({r['rate_hz']:.0f} Hz) at {CASES[case]['I_supra']} nA. Converged: plain runs "
                 f"dt/2 vs dt/4 differ by {r['plain_spike_ms']:.1e} ms (spike times) and "
                 f"{r['plain_v_mV']:.1e} mV (subthreshold V); the extrapolated reference's error, "
                 f"|R(dt, dt/2) - R(dt/2, dt/4)|, is below {r['rich_spike_ms']:.1e} ms and "
                 f"{r['rich_v_mV']:.1e} mV. Subthreshold neuron ({CASES[case]['I_sub']} nA): V in "
                 f"[{r['sub'][0]:.1f}, {r['sub'][1]:.1f}] mV.\n")
        acc = df[(df.kind == "accuracy") & (df.case == case)]
        L.append("| method | dt (ms) | status | spikes | mean \\|Δt\\| (ms) | max \\|Δt\\| (ms) "
                 f"| max \\|ΔV\\| sub (mV) | same, t ≥ {LATE:g} ms (mV) "
                 "| vs NEURON same scheme, same dt: max \\|Δt\\| (ms) / \\|ΔV\\| (mV) "
                 "| refused by check_step |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for _, x in acc.iterrows():
            status = x.status if x.status != "diverged" else (
                f"**diverged** by {x.t_diverged_ms:.2g} ms"
                + ("" if x.diverged_how == "SimulationDiverged" else f" ({x.diverged_how})"))
            if x.status == "spike count mismatch":
                status = (f"**fail**: spike count (first {min(x.n_spikes, x.n_spikes_ref):.0f} "
                          f"off by up to {fmt(x.get('spike_err_prefix_max_ms'))} ms)")
            same = "–"
            if x.method in IMPLICIT and x.status != "diverged":
                same = f"{fmt(x.vs_neuron_same_scheme_spike_max_ms)} / {fmt(x.vs_neuron_same_scheme_v_max_mV)}"
            L.append(f"| {x.method} | {x.dt_ms:g} | {status} | {fmt(x.n_spikes, '.0f')}/{x.n_spikes_ref:.0f} "
                     f"| {fmt(x.get('spike_err_mean_ms'))} | {fmt(x.get('spike_err_max_ms'))} "
                     f"| {fmt(x.get('v_err_sub_max_mV'))} | {fmt(x.get('v_err_sub_late_mV'))} | {same} "
                     f"| {'yes' if x.refused_by_check_step else 'no'} |")
        nrn = df[(df.kind == "neuron") & (df.case == case)]
        L.append("\nNEURON's own fixed-step schemes at the same dt, against the same reference:\n")
        L.append("| NEURON | dt (ms) | spikes | mean \\|Δt\\| (ms) | max \\|Δt\\| (ms) "
                 f"| max \\|ΔV\\| sub (mV) | same, t ≥ {LATE:g} ms (mV) |")
        L.append("|---|---|---|---|---|---|---|")
        for _, x in nrn.iterrows():
            L.append(f"| {x.method} | {x.dt_ms:g} | {x.n_spikes:.0f}/{x.n_spikes_ref:.0f} "
                     f"| {fmt(x.spike_err_mean_ms)} | {fmt(x.spike_err_max_ms)} "
                     f"| {fmt(x.v_err_sub_max_mV)} | {fmt(x.v_err_sub_late_mV)} |")
        L.append("")
    L.append("## Stability (accuracy runs above)\n")
    L.append("Diverged = the run raised `SimulationDiverged` (a voltage NaN or beyond ±1 V) or, "
             "where noted, the blow-up surfaced first as an arithmetic error in the generated "
             "Cython code (`BrianObjectException` caused by `ZeroDivisionError`). 'wrong spike "
             "count' = stable but a failure of the accuracy criterion.\n")
    acc = df[df.kind == "accuracy"]
    head = "| case | method | " + " | ".join(f"dt {d:g}" for d in dts) + " |"
    L += [head, "|---|---|" + "---|" * len(dts)]
    for case in cases:
        for method in METHODS:
            cells = []
            for d in dts:
                x = acc[(acc.case == case) & (acc.method == method) & (acc.dt_ms == d)].iloc[0]
                cells.append("**diverged**" if x.diverged else
                             ("stable" if x.status == "ok" else "stable, wrong spike count"))
            L.append(f"| {case} | {method} | " + " | ".join(cells) + " |")
    tim = df[df.kind == "timing"]
    L.append(f"\n## Cost: {timing['n']} heterogeneous neurons (gbar x U(0.8, 1.2), "
             f"I x U(0.85, 1.35) x I_supra), dt = {timing['dt']} ms\n")
    L.append(f"Cython: one group per method, each first run once, then {timing['repeats']} rounds "
             f"through the methods of (one-step run, {timing['duration']:g} ms run). ns per "
             f"neuron-step = (min t(long) - min t(one step)) / (steps - 1) / neurons, with t the "
             f"process CPU time (the machine is shared; wall-clock in the next column), which "
             f"removes the fixed cost of each `Network.run` (column 'run() overhead'). "
             f"'state updater' = its share of the time in code objects (`profile=True`). "
             f"Relative = CPU ns per neuron-step / crank_nicolson's in the same case and target. "
             f"First-run overhead = first run minus a cached run (code generation and loading "
             f"the compiled code, which is in the Cython cache from the accuracy runs; "
             f"for cpp_standalone: code generation + compilation). A method that diverged at "
             f"dt = {timing['dt']} ms is timed at dt / 5 (the cost of a step does not depend on dt).\n")
    L.append("| case | target | method | dt timed (ms) | status | ns / neuron-step (CPU) "
             "| ns / neuron-step (wall) | relative | state updater share | rate (Hz) "
             "| run() overhead (s) | first-run overhead / build (s) |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (case, target), sub in tim.groupby(["case", "target"], sort=False):
        base = sub[sub.method == "crank_nicolson"].ns_per_neuron_step
        base = float(base.iloc[0]) if len(base) else np.nan
        for _, x in sub.iterrows():
            ns = x.get("ns_per_neuron_step", np.nan)
            L.append(f"| {case} | {target} | {x.method} | {x.dt_ms:g} | {x.status} "
                     f"| {fmt(ns, '.0f')} | {fmt(x.get('ns_per_neuron_step_wall'), '.0f')} "
                     f"| {fmt(ns / base, '.2f')} | {fmt(100 * x.get('updater_share', np.nan), '.0f')}% "
                     f"| {fmt(x.get('rate_hz'), '.0f')} | {fmt(x.get('run_overhead_s'), '.2f')} "
                     f"| {fmt(x.get('first_run_overhead_s'), '.1f')} |")
    if (tim.target == "cpp_standalone").any():
        L.append("\ncpp_standalone: one subprocess per method, 200 ms, built once and run 3 times; "
                 "CPU = CPU time of the binary (min), wall = its simulation loop "
                 "(`device._last_run_time`, min).")
    comp = df[df.kind == "compile"]
    cold = df[(df.kind == "accuracy") & df.get("compile_cold_s", pd.Series(dtype=float)).notna()] \
        if "compile_cold_s" in df else df.iloc[:0]
    if len(cold):
        case = cold.case.iloc[0]
        L.append(f"\n## Cold compile time (Cython, fresh cache dir, case {case})\n")
        L.append("Build + first run in an empty Cython cache minus the same build + run with "
                 "the code cached. The objects the methods share (threshold, monitors, and the "
                 "`run_regularly` divergence guard of Brian2's methods; the implicit updaters "
                 "carry the guard inside) were compiled first, together with Brian2's `euler` "
                 "updater, so the per-method figure is its state updater alone.\n")
        L.append("| what | cold compile (s) |")
        L.append("|---|---|")
        for _, x in comp.iterrows():
            L.append(f"| {x.method} | {x.compile_cold_s:.1f} |")
        for _, x in cold.iterrows():
            L.append(f"| {x.method} state updater | {x.compile_cold_s:.1f} |")
    for n in notes:
        L.append(f"\nNote: {n}")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
