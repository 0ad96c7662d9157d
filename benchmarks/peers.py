"""Simulation speed, build cost and memory of the project against its peers, side by side.

One command runs the matrix in one run, on the network of `peer_models` (N independent
3-compartment HH cells with passive basal and apical dendrites, two Poisson inputs per
cell through AMPA conductance synapses, spikes recorded; 1 s at dt = 0.025 ms) in

- this project: ``project-standalone`` (cpp_standalone, one thread; the baseline of every
  ratio), ``project-standalone-2t`` (OpenMP, 2 threads), ``project-cython``;
- hand-written Brian2 (cpp_standalone): ``hand-standalone`` (every parameter a per-neuron
  constant, as the template has them) and ``hand-namespace-standalone`` (constants baked
  into the code);
- ``dendrify-standalone`` (Dendrify 2.2 on Brian2, rk2);
- ``neuron`` (NEURON 9, ``secondorder = 2``, exact hh rates: ``usetable_hh = 0``) and
  ``neuron-tables`` (NEURON's default rate tables; not in the default set);
- ``arbor`` and ``arbor-2t`` (Arbor 0.12 on 1 and 2 threads, its default scheme, one CV
  per section, each thread's cells in one cell group so that mechanisms run vectorised).

Matched accuracy first: every peer runs the same 4 cells with the same fixed input spike
times (on the dt grid, delivered as Brian2 delivers them) and its spike times are compared
with a converged NEURON reference (``secondorder = 2`` at dt 0.001 ms, its own error shown
against dt 0.0005 ms); the project's voltages are also compared with NEURON's same scheme
at the same dt (``usetable_hh = 0``). Arbor's scheme is first order in dt (implicit Euler
for the cable): its error at 0.025 ms, and the dt it needs for the project's accuracy, are
in the report.

Timing (CPU time of the simulation loop, so that other jobs on a shared machine disturb
it less): Brian2 standalone: the loop time the binary writes (``std::clock``; with OpenMP
``omp_get_wtime``, wall); Cython: ``device._last_run_time`` with the loop's clock read as
process CPU time (`timing.LoopClock`); NEURON: process CPU time of ``psolve``; Arbor:
process CPU time of ``simulation.run`` (wall time for 2 threads). The peers run in
``--repeats`` interleaved rounds (each peer first in turn), one size at a time; Python
peers are long-lived worker processes (built once, re-initialised for every run),
standalone peers their compiled binaries. Reported per size: ns per neuron-step (median
over rounds, min-max), each peer / ``project-standalone`` as the median of the per-round
ratios (min-max), spikes per neuron per second (same workload), and peak resident memory
of the simulating process (its own ``VmHWM``, `timing.peak_rss`); per peer: model construction, code generation and compilation
(cold: empty cache / fresh build directory; warm: a new process with the cache or build
directory filled), and memory per neuron (slope of peak memory between the two largest
sizes).

``--instructions`` adds callgrind instruction counts per neuron-step (deterministic; builds
at ``-march=x86-64-v3``, which valgrind can execute), taken as the difference of two run
lengths so that set-up costs cancel (Arbor's library has no symbols to select its loop by).

Usage::

    PYTHONPATH=. python benchmarks/peers.py                 # N 100, 1000, 10000; 1 s; 3 rounds
    PYTHONPATH=. python benchmarks/peers.py --quick         # N 100, 1000; 200 ms; 2 rounds
    PYTHONPATH=. python benchmarks/peers.py --peers arbor,project-standalone --sizes 1000

Writes ``benchmarks/results/peers.md`` (``--out``) and ``peers.json`` beside it.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (ROOT, HERE):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import peer_models as pm  # noqa: E402
from timing import (VALGRIND_MARCH, LoopClock, count_instructions, rotated,  # noqa: E402
                    peak_rss, run_binary, run_worker, write_report)

BASELINE = "project-standalone"
PEERS = {
    "project-standalone": dict(kind="standalone", model="project", threads=1,
                               label="project, cpp_standalone"),
    "project-standalone-2t": dict(kind="standalone", model="project", threads=2,
                                  label="project, cpp_standalone, 2 threads"),
    "project-cython": dict(kind="cython", model="project", label="project, Cython"),
    "hand-standalone": dict(kind="standalone", model="hand", threads=1,
                            label="hand-written Brian2, per-neuron constants"),
    "hand-events-standalone": dict(kind="standalone", model="hand-events", threads=1,
                                   label="hand-written Brian2, per-neuron constants, event inputs"),
    "hand-namespace-standalone": dict(kind="standalone", model="hand-namespace", threads=1,
                                      label="hand-written Brian2, namespace constants"),
    "dendrify-standalone": dict(kind="standalone", model="dendrify", threads=1,
                                label="Dendrify 2.2 (rk2), cpp_standalone"),
    "neuron": dict(kind="neuron", usetable=False, label="NEURON 9, exact rates"),
    "neuron-tables": dict(kind="neuron", usetable=True, label="NEURON 9, rate tables"),
    "arbor": dict(kind="arbor", threads=1, label="Arbor 0.12, 1 thread"),
    "arbor-2t": dict(kind="arbor", threads=2, label="Arbor 0.12, 2 threads"),
}
DEFAULT_PEERS = [p for p in PEERS if p != "neuron-tables"]
SINGLE_THREAD = [p for p, s in PEERS.items() if s.get("threads", 1) == 1]
INSTRUCTION_N, INSTRUCTION_MS = 1000, (10.0, 30.0)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# Brian2 models (workers)
# ------------------------------------------------------------------------------------------
def brian_network(model, n, inputs="poisson"):
    """(objects, group, spike monitor, voltage name) of a Brian2-based peer's network."""
    if model == "project":
        return (*pm.project_network(n, inputs), "v_soma")
    if model == "hand":
        return (*pm.hand_network(n, inputs), "v_s")
    if model == "hand-events":
        return (*pm.hand_network(n, "events" if inputs == "poisson" else inputs,
                                 name="handev3"), "v_s")
    if model == "hand-namespace":
        return (*pm.hand_network(n, inputs, constants="namespace", name="handns3"), "v_s")
    if model == "dendrify":
        return (*pm.dendrify_network(n, inputs), "V_soma")
    raise ValueError(f"unknown Brian2 model {model!r}")


def _children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def worker_standalone_build(model, n, duration_ms, directory, threads=1, march=None,
                            flags=None, brian_codeobj=False):
    """Build a standalone project; return the times of construction, codegen, compile.

    ``march`` replaces Brian2's ``-march=native``; ``flags`` (a list) replaces all of
    Brian2's compiler flags; ``brian_codeobj`` builds template groups with Brian2's own
    code object (its scalar state-update loop) instead of the project's.
    """
    import brian2
    from brian2 import Network, device, ms, prefs, set_device

    if flags is not None:
        prefs.codegen.cpp.extra_compile_args_gcc = list(flags)
    if march is not None:
        prefs.codegen.cpp.extra_compile_args_gcc = [
            f"-march={march}" if a.startswith("-march=") else a
            for a in prefs.codegen.cpp.extra_compile_args_gcc]
    if brian_codeobj:
        import compartments.backends

        compartments.backends.codeobj_class = lambda: None
    # 0: no OpenMP at all (1 would compile OpenMP in and run it on one thread)
    prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
    set_device("cpp_standalone", directory=directory, build_on_run=False)
    brian2.defaultclock.dt = pm.DT * ms
    t0 = time.perf_counter()
    objects, *_ = brian_network(model, n)
    Network(objects).run(duration_ms * ms)
    t1 = time.perf_counter()
    device.build(directory=directory, compile=False, run=False)
    t2 = time.perf_counter()
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    cpu0 = _children_cpu()
    device.compile_source(directory, get_compiler_and_args()[0], debug=False, clean=False)
    from compartments.backends import openmp_environment

    return {"build_s": t1 - t0, "codegen_s": t2 - t1, "compile_s": time.perf_counter() - t2,
            "compile_cpu_s": _children_cpu() - cpu0,
            "run_env": openmp_environment() if threads > 1 else {}}


class BrianServer:
    """A Brian2 runtime (Cython) network kept in a worker process: run, restore, run."""

    def __init__(self, model, n, duration_ms, cache_dir=None):
        import brian2
        import brian2.core.network
        from brian2 import Network, ms, prefs

        import compartments

        compartments.backends.use("cython")
        if cache_dir:
            prefs.codegen.runtime.cython.cache_dir = cache_dir
        brian2.defaultclock.dt = pm.DT * ms
        t0 = time.perf_counter()
        objects, _, self.monitor, _ = brian_network(model, n)
        self.net = Network(objects)
        t1 = time.perf_counter()
        self.net.run(pm.DT * ms, namespace={})  # code generation, compilation, loading
        t2 = time.perf_counter()
        self.net.store()
        self.duration = duration_ms * ms
        self.clock = LoopClock()
        brian2.core.network.time = self.clock
        self.info = {"build_s": t1 - t0, "first_run_s": t2 - t1}

    def run(self):
        self.net.restore()
        self.clock.wall.clear()
        self.net.run(self.duration, namespace={})
        from brian2 import device

        return {"loop_s": float(device._last_run_time),
                "wall_s": self.clock.wall[1] - self.clock.wall[0],
                "spikes": int(self.monitor.num_spikes)}


class NeuronServer:
    """The NEURON network in a worker process."""

    def __init__(self, n, duration_ms, usetable):
        t0 = time.perf_counter()
        self.h, self.cells, self.keep, self.spikes = pm.neuron_network(n, usetable=usetable)
        self.pc = self.h.ParallelContext()
        self.pc.set_maxstep(10)
        self.h.finitialize(pm.V_INIT)
        self.duration = duration_ms
        self.info = {"build_s": time.perf_counter() - t0, "first_run_s": 0.0}

    def run(self):
        self.h.finitialize(pm.V_INIT)
        c0, w0 = time.process_time(), time.perf_counter()
        self.pc.psolve(self.duration)
        return {"loop_s": time.process_time() - c0, "wall_s": time.perf_counter() - w0,
                "spikes": int(self.spikes[0].size())}


class ArborServer:
    """The Arbor network in a worker process."""

    def __init__(self, n, duration_ms, threads, dt=pm.DT):
        import arbor as A

        t0 = time.perf_counter()
        self.sim = pm.arbor_simulation(pm.arbor_recipe(n), threads=threads)
        self.duration, self.dt, self.threads = duration_ms, dt, threads
        self.units = A.units
        self.info = {"build_s": time.perf_counter() - t0, "first_run_s": 0.0}

    def run(self):
        self.sim.reset()
        self.sim.clear_samplers()
        U = self.units
        c0, w0 = time.process_time(), time.perf_counter()
        self.sim.run(self.duration * U.ms, self.dt * U.ms)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        return {"loop_s": cpu if self.threads == 1 else wall, "wall_s": wall,
                "spikes": int(len(self.sim.spikes()))}


def serve(spec):
    """Worker main: build one peer, then answer 'run' lines with JSON until 'quit'."""
    peer = PEERS[spec["peer"]]
    kind, n, duration = peer["kind"], spec["n"], spec["duration_ms"]
    if kind == "cython":
        server = BrianServer(peer["model"], n, duration, spec.get("cache_dir"))
    elif kind == "neuron":
        server = NeuronServer(n, duration, peer["usetable"])
    elif kind == "arbor":
        server = ArborServer(n, duration, peer["threads"])
    else:
        raise ValueError(kind)
    print(json.dumps(server.info), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        result = server.run()
        result["maxrss_bytes"] = (peak_rss()
                                  or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        print(json.dumps(result), flush=True)


class Worker:
    """A long-lived peer process (see `serve`)."""

    def __init__(self, spec):
        cmd = [sys.executable, os.path.abspath(__file__), "--serve", json.dumps(spec)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=_env())
        self.info = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"worker {self.proc.args[-1]} died "
                               f"(exit status {self.proc.returncode})")
        return json.loads(line)

    def run(self):
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait()


def _env():
    return dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _subprocess(args, timeout=7200):
    """Run a one-shot worker function in a fresh process; return its JSON result."""
    return run_worker(__file__, "--once", args, timeout=timeout)


def once(spec):
    job = spec.pop("job")
    if job == "standalone_build":
        return worker_standalone_build(**spec)
    if job == "cython_compile":
        server = BrianServer(spec["model"], spec["n"], pm.DT, spec["cache_dir"])
        return server.info
    if job == "validate":
        return validate(**spec)
    if job == "count_python":
        return count_python_worker(**spec)
    raise ValueError(job)


# ------------------------------------------------------------------------------------------
# Validation: the same fixed inputs in every peer, against a converged NEURON reference
# ------------------------------------------------------------------------------------------
VALIDATION_N, VALIDATION_MS, VALIDATION_SEED = 4, 500.0, 3
REFERENCE_DT = (0.001, 0.0005)
ARBOR_DTS = (0.025, 0.0125, 0.005, 0.0025, 0.001)


def validation_inputs():
    """Input spike times (ms) per source 2*i + k, on the dt grid, fixed by a seed."""
    rng = np.random.default_rng(VALIDATION_SEED)
    count = pm.RATE_HZ * VALIDATION_MS / 1e3
    return [np.unique(np.round(rng.uniform(0, VALIDATION_MS - 1, rng.poisson(count))
                               / pm.DT)) * pm.DT for _ in range(2 * VALIDATION_N)]


def spike_times_of(t, v):
    from integrators import THRESHOLD, spike_times

    assert THRESHOLD == pm.THRESHOLD
    return [spike_times(t, x, VALIDATION_MS - 1) for x in v]


def _neuron_validation(inputs, dt, usetable):
    """Spike times and somatic voltages (NEURON records after each step)."""
    # NEURON delivers at the event time: Brian2's delivery (end of the step the spike falls
    # in) is one coarse step later, whatever NEURON's own dt
    shifted = [x + pm.DT - dt for x in inputs]
    h, cells, keep, _ = pm.neuron_network(VALIDATION_N, shifted, usetable=usetable, dt=dt)
    rec = [h.Vector().record(c["soma"](0.5)._ref_v) for c in cells]
    h.finitialize(pm.V_INIT)
    h.continuerun(VALIDATION_MS)
    v = np.array([np.array(r) for r in rec])
    t = np.arange(v.shape[1]) * dt
    for c in cells:  # free the sections for the next run in this process
        for sec in c.values():
            h.delete_section(sec=sec)
    return spike_times_of(t, v), v


def _arbor_validation(inputs, dt):
    import arbor as A

    recipe = pm.arbor_recipe(VALIDATION_N, [x + pm.DT for x in inputs], probe=True)
    sim = pm.arbor_simulation(recipe)
    handles = [sim.sample((g, "v"), A.regular_schedule(dt * A.units.ms))
               for g in range(VALIDATION_N)]
    sim.run(VALIDATION_MS * A.units.ms, dt * A.units.ms)
    data = [sim.samples(hd)[0][0] for hd in handles]
    return spike_times_of(data[0][:, 0], np.array([d[:, 1] for d in data]))


def _brian_validation(model, inputs):
    from brian2 import Network, SpikeGeneratorGroup, StateMonitor, ms

    idx = np.concatenate([[k] * len(x) for k, x in enumerate(inputs)]).astype(int)
    times = np.concatenate(inputs) * ms
    source = SpikeGeneratorGroup(2 * VALIDATION_N, idx, times, sorted=False)
    objects, group, _, var = brian_network(model, VALIDATION_N, inputs=source)
    mon = StateMonitor(group, var, record=True)
    Network(objects, source, mon).run(VALIDATION_MS * ms, namespace={})
    v = getattr(mon, var + "_") * 1e3
    return spike_times_of(np.asarray(mon.t_) * 1e3, v), v


def _spike_error(spikes, reference):
    """Max |dt| over all spikes (ms), or None when a spike count differs."""
    if [len(x) for x in spikes] != [len(x) for x in reference]:
        return None
    return float(max(np.max(np.abs(a - b), initial=0) for a, b in zip(spikes, reference)))


def validate():
    """Spike-time errors of every peer against the converged reference, and the
    project's voltage difference to NEURON's same scheme (numpy target for Brian2)."""
    import brian2
    from brian2 import ms

    import compartments

    compartments.backends.use("numpy")
    brian2.defaultclock.dt = pm.DT * ms
    inputs = validation_inputs()
    ref_fine, _ = _neuron_validation(inputs, REFERENCE_DT[1], False)
    ref, _ = _neuron_validation(inputs, REFERENCE_DT[0], False)
    out = {"reference_error_ms": _spike_error(ref, ref_fine),
           "reference_spikes": [len(x) for x in ref_fine], "peers": {}}

    def record(name, spikes):
        out["peers"][name] = {"spikes": int(sum(len(x) for x in spikes)),
                              "max_dt_ms": _spike_error(spikes, ref_fine)}

    same_scheme, v_neuron = _neuron_validation(inputs, pm.DT, False)
    record("neuron", same_scheme)
    record("neuron-tables", _neuron_validation(inputs, pm.DT, True)[0])
    for name in ("project", "hand", "hand-namespace", "dendrify"):
        spikes, v = _brian_validation(name, inputs)
        record(name, spikes)
        k = v.shape[1]
        # Brian2's sample k is the state at t_k before the step; NEURON's record k at t_k
        out["peers"][name]["max_dv_vs_neuron_mV"] = float(np.max(np.abs(v - v_neuron[:, :k])))
    for dt in ARBOR_DTS:
        record(f"arbor@{dt:g}", _arbor_validation(inputs, dt))
    project_err = out["peers"]["project"]["max_dt_ms"]
    matched = [dt for dt in ARBOR_DTS if out["peers"][f"arbor@{dt:g}"]["max_dt_ms"] is not None
               and out["peers"][f"arbor@{dt:g}"]["max_dt_ms"] <= project_err]
    out["arbor_matched_dt"] = max(matched) if matched else None
    return out


# ------------------------------------------------------------------------------------------
# Instruction counts (callgrind), per neuron-step, by difference of two run lengths
# ------------------------------------------------------------------------------------------
def count_python_worker(peer, n, duration_ms):
    """Build and run one Python peer once (for valgrind); prints nothing useful."""
    spec = PEERS[peer]
    if spec["kind"] == "neuron":
        server = NeuronServer(n, duration_ms, spec["usetable"])
    else:
        server = ArborServer(n, duration_ms, 1)
    return server.run()


def instructions(peers, workdir):
    """Instructions per neuron-step of each single-thread peer (dict)."""
    out = {}
    steps = [round(ms / pm.DT) for ms in INSTRUCTION_MS]
    for peer in peers:
        spec = PEERS[peer]
        if spec.get("threads", 1) != 1 or spec["kind"] == "cython":
            continue
        counts = []
        for ms_ in INSTRUCTION_MS:
            if spec["kind"] == "standalone":
                d = os.path.join(workdir, f"ir_{peer}_{ms_:g}")
                _subprocess(dict(job="standalone_build", model=spec["model"], n=INSTRUCTION_N,
                                 duration_ms=ms_, directory=d, march=VALGRIND_MARCH))
                counts.append(count_instructions(["./main"], cwd=d, toggle=None))
            else:
                cmd = [sys.executable, os.path.abspath(__file__), "--once",
                       json.dumps(dict(job="count_python", peer=peer, n=INSTRUCTION_N,
                                       duration_ms=ms_))]
                counts.append(count_instructions(cmd, toggle=None, env=_env()))
        out[peer] = (counts[1] - counts[0]) / (INSTRUCTION_N * (steps[1] - steps[0]))
        log(f"    instructions {peer}: {out[peer]:.0f} per neuron-step")
    return out


# ------------------------------------------------------------------------------------------
# Orchestration
# ------------------------------------------------------------------------------------------
def build_costs(peers, workdir, n):
    """Construction, code generation and compilation, cold and warm (at size n)."""
    rows = {}
    for peer in peers:
        spec = PEERS[peer]
        if spec["kind"] == "standalone":
            d = os.path.join(workdir, f"costs_{peer}")
            args = dict(job="standalone_build", model=spec["model"], n=n, duration_ms=1.0,
                        directory=d, threads=spec["threads"])
            cold = _subprocess(dict(args))
            warm = _subprocess(dict(args))
            rows[peer] = {"build_s": warm["build_s"], "codegen_s": warm["codegen_s"],
                          "compile_cold_s": cold["compile_s"],
                          "compile_cold_cpu_s": cold["compile_cpu_s"],
                          "compile_warm_s": warm["compile_s"]}
        elif spec["kind"] == "cython":
            cache = os.path.join(workdir, f"cython_cache_{peer}")
            args = dict(job="cython_compile", model=spec["model"], n=n, cache_dir=cache)
            cold = _subprocess(dict(args))
            warm = _subprocess(dict(args))
            rows[peer] = {"build_s": warm["build_s"], "codegen_s": None,
                          "compile_cold_s": cold["first_run_s"],
                          "compile_warm_s": warm["first_run_s"]}
        else:
            worker = Worker(dict(peer=peer, n=n, duration_ms=1.0))
            worker.close()
            rows[peer] = {"build_s": worker.info["build_s"], "codegen_s": None,
                          "compile_cold_s": None, "compile_warm_s": None}
        log(f"    costs {peer}: {rows.get(peer)}")
    return rows


def _run_env(info):
    """Environment of a standalone peer's runs: with threads, the project's OpenMP
    settings as ``backends.use`` sets them (found by the build worker: this process
    imports no Brian2, so that its size does not enter anyone's memory figures)."""
    return dict(os.environ, **info["run_env"]) if info.get("run_env") else None


def time_size(peers, n, duration_ms, repeats, workdir):
    """Interleaved timed runs of every peer at size n: {peer: {info, runs}}."""
    res, binaries, workers = {}, {}, {}
    try:
        for peer in peers:
            spec = PEERS[peer]
            if spec["kind"] == "standalone":
                d = os.path.join(workdir, f"{peer}_{n}")
                info = _subprocess(dict(job="standalone_build", model=spec["model"], n=n,
                                        duration_ms=duration_ms, directory=d,
                                        threads=spec["threads"]))
                binaries[peer] = d
                run_binary(d, env=_run_env(info))  # untimed first run: page cache, loading
            else:
                workers[peer] = Worker(dict(peer=peer, n=n, duration_ms=duration_ms))
                info = workers[peer].info
                workers[peer].run()  # untimed first run
            res[peer] = {"info": info, "runs": []}
            log(f"    {peer} N={n} built: {info}")
        for r in range(repeats):
            for peer in rotated(peers, r):
                if peer in binaries:
                    loop, wall, rss = run_binary(binaries[peer],
                                                 env=_run_env(res[peer]["info"]))
                    spikes = _standalone_spikes(binaries[peer])
                    run = {"loop_s": loop, "wall_s": wall, "maxrss_bytes": rss,
                           "spikes": spikes}
                else:
                    run = workers[peer].run()
                res[peer]["runs"].append(run)
            log(f"    N={n} round {r + 1}/{repeats}: " + ", ".join(
                f"{p} {res[p]['runs'][-1]['loop_s']:.2f} s" for p in peers))
    finally:
        for w in workers.values():
            w.close()
        for d in binaries.values():
            shutil.rmtree(d, ignore_errors=True)
    return res


def _standalone_spikes(directory):
    """Number of spikes the binary recorded (size of the spike monitor's result file)."""
    results = os.path.join(directory, "results")
    sizes = [os.path.getsize(os.path.join(results, f)) for f in os.listdir(results)
             if re.fullmatch(r"_dynamic_array_spikemonitor(_\d+)?_i_\d+", f)]
    return int(sizes[0] // 4) if sizes else None


def summarise(timings, n, duration_ms):
    """Per-peer statistics at one size."""
    steps = round(duration_ms / pm.DT)
    base = np.array([r["loop_s"] for r in timings[BASELINE]["runs"]]) if BASELINE in timings \
        else None
    out = {}
    for peer, res in timings.items():
        t = np.array([r["loop_s"] for r in res["runs"]])
        ns = 1e9 * t / (n * steps)
        row = {"ns_median": float(np.median(ns)), "ns_min": float(ns.min()),
               "ns_max": float(ns.max()),
               "maxrss_bytes": int(max(r["maxrss_bytes"] for r in res["runs"])),
               "rate_hz": (None if res["runs"][-1]["spikes"] is None else
                           res["runs"][-1]["spikes"] / n / (duration_ms / 1e3))}
        if base is not None:
            ratio = t / base
            row.update(ratio_median=float(np.median(ratio)), ratio_min=float(ratio.min()),
                       ratio_max=float(ratio.max()))
        out[peer] = row
    return out


def fmt(x, spec=".3g"):
    return "–" if x is None else format(x, spec)


def report(args, results, elapsed):
    import brian2

    lines = ["# Peers: simulation speed, build cost and memory, side by side", "",
             f"Network of `benchmarks/peer_models.py`: N independent cells (HH soma 20x20 um, "
             f"passive apical 400x3 um and basal 200x2 um, one segment each), one AMPA "
             f"synapse per dendrite driven by its own Poisson train of {pm.RATE_HZ:g} Hz "
             f"(peak {pm.GPEAK_NS:g} nS), spikes recorded; dt = {pm.DT} ms, "
             f"{args.duration:g} ms per run, {args.repeats} interleaved rounds. "
             f"Times are CPU time of the simulation loop (wall time for the 2-thread peers); "
             f"ratios are per-round ratios to `{BASELINE}`, median (min–max).", ""]
    v = results.get("validation")
    if v:
        lines += ["## Validation: matched accuracy on the same cells", "",
                  f"{VALIDATION_N} cells, {VALIDATION_MS:g} ms, the same fixed input spike "
                  f"times in every peer; reference: NEURON secondorder=2, exact rates, "
                  f"dt {REFERENCE_DT[1]} ms ({sum(v['reference_spikes'])} spikes; vs dt "
                  f"{REFERENCE_DT[0]} ms: {fmt(v['reference_error_ms'])} ms). Brian2-based "
                  f"peers on the numpy target.", "",
                  "| peer | dt (ms) | spikes | max \\|Δt\\| vs reference (ms) | "
                  "max \\|ΔV\\| vs NEURON same scheme (mV) |", "|---|---|---:|---:|---:|"]
        for name, row in v["peers"].items():
            dt = name.split("@")[1] if "@" in name else f"{pm.DT}"
            err = fmt(row["max_dt_ms"]) if row["max_dt_ms"] is not None else \
                "spike count differs"
            lines.append(f"| {name.split('@')[0]} | {dt} | {row['spikes']} | {err} | "
                         f"{fmt(row.get('max_dv_vs_neuron_mV'), '.2g')} |")
        lines += ["", f"Arbor's largest tested dt with the project's accuracy (max |Δt| ≤ "
                  f"{fmt(v['peers']['project']['max_dt_ms'])} ms): "
                  f"{fmt(v['arbor_matched_dt'])} ms.", ""]
    for n, summary in results["timing"].items():
        lines += [f"## N = {n}", "",
                  "| peer | ns per neuron-step: median (min–max) | / project-standalone | "
                  "spikes/neuron/s | peak memory (MB) |", "|---|---:|---:|---:|---:|"]
        for peer, row in summary.items():
            ratio = (f"{row['ratio_median']:.2f} ({row['ratio_min']:.2f}–"
                     f"{row['ratio_max']:.2f})" if "ratio_median" in row else "–")
            lines.append(f"| {PEERS[peer]['label']} | {row['ns_median']:.0f} "
                         f"({row['ns_min']:.0f}–{row['ns_max']:.0f}) | {ratio} | "
                         f"{fmt(row['rate_hz'], '.1f')} | {row['maxrss_bytes'] / 2**20:.0f} |")
        lines.append("")
    sizes = sorted(int(n) for n in results["timing"])
    if len(sizes) >= 2:
        a, b = sizes[-2], sizes[-1]
        lines += [f"## Memory per neuron (peak memory at N={b} minus N={a}, per neuron)", "",
                  "| peer | bytes per neuron |", "|---|---:|"]
        for peer in results["timing"][str(b)]:
            if peer in results["timing"][str(a)]:
                d = (results["timing"][str(b)][peer]["maxrss_bytes"]
                     - results["timing"][str(a)][peer]["maxrss_bytes"]) / (b - a)
                lines.append(f"| {PEERS[peer]['label']} | {d:.0f} |")
        lines.append("")
    costs = results.get("costs")
    if costs:
        lines += [f"## Build costs (N = {args.cost_n}, s)", "",
                  "Construction (Python objects until the run starts; NEURON: sections and "
                  "`finitialize`; Arbor: recipe and simulation), code generation, compilation "
                  "cold (empty cache or build directory) and warm (a new process, cache or "
                  "build directory filled). Cython: code generation, compilation and loading "
                  "together, as the first run of one step. NEURON and Arbor compile nothing "
                  "(built-in mechanisms).", "",
                  "| peer | construction | code generation | compile cold (wall; CPU) | "
                  "compile warm |", "|---|---:|---:|---:|---:|"]
        for peer, row in costs.items():
            cold = fmt(row["compile_cold_s"], ".1f")
            if row.get("compile_cold_cpu_s") is not None:
                cold += f"; {row['compile_cold_cpu_s']:.1f}"
            lines.append(f"| {PEERS[peer]['label']} | {fmt(row['build_s'], '.2f')} | "
                         f"{fmt(row['codegen_s'], '.1f')} | {cold} | "
                         f"{fmt(row['compile_warm_s'], '.1f')} |")
        lines.append("")
    ir = results.get("instructions")
    if ir:
        lines += ["## Instructions per neuron-step (callgrind)", "",
                  f"N = {INSTRUCTION_N}, difference of runs of {INSTRUCTION_MS[1]:g} and "
                  f"{INSTRUCTION_MS[0]:g} ms (set-up cancels); Brian2 standalone built with "
                  f"`-march={VALGRIND_MARCH}`.", "",
                  "| peer | instructions per neuron-step | / project-standalone |",
                  "|---|---:|---:|"]
        for peer, count in ir.items():
            ratio = count / ir[BASELINE] if BASELINE in ir else None
            lines.append(f"| {PEERS[peer]['label']} | {count:.0f} | {fmt(ratio, '.2f')} |")
        lines.append("")
    load = os.getloadavg()
    lines += [f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"load average at the end {load[0]:.1f} (shared with other jobs), Python "
              f"{platform.python_version()}, Brian2 {brian2.__version__}, "
              f"{_versions()}. Produced by `PYTHONPATH=. python benchmarks/peers.py"
              f"{''.join(' ' + a for a in args.argv)}` in {elapsed / 60:.0f} min on "
              f"{time.strftime('%Y-%m-%d')}."]
    return "\n".join(lines) + "\n"


def _versions():
    out = []
    for mod in ("neuron", "arbor", "dendrify"):
        try:
            out.append(f"{mod} {__import__(mod).__version__}")
        except Exception:  # noqa: BLE001  (a peer that is not installed)
            out.append(f"{mod} not installed")
    return ", ".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="N 100 and 1000, 200 ms, 2 rounds (a smoke run)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--duration", type=float, default=None, help="ms per run (1000)")
    parser.add_argument("--repeats", type=int, default=None, help="rounds (3)")
    parser.add_argument("--peers", default=",".join(DEFAULT_PEERS))
    parser.add_argument("--cost-n", type=int, default=1000,
                        help="size for the build-cost table")
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--no-costs", action="store_true")
    parser.add_argument("--no-timing", action="store_true", help="skip the timed runs")
    parser.add_argument("--instructions", action="store_true",
                        help="callgrind instruction counts per neuron-step")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "peers.md"))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--once", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(json.loads(args.serve))
    if args.once:
        print(json.dumps(once(json.loads(args.once))))
        return 0
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 10000])
    args.duration = args.duration or (200.0 if args.quick else 1000.0)
    args.repeats = args.repeats or (2 if args.quick else 3)
    peers = [p for p in args.peers.split(",") if p]
    unknown = sorted(set(peers) - set(PEERS))
    if unknown:
        parser.error(f"unknown peers {unknown}; known: {sorted(PEERS)}")
    t_start = time.perf_counter()
    results = {"timing": {}}
    workdir = tempfile.mkdtemp(prefix="peers_")
    try:
        if not args.no_validate:
            log("validation ...")
            results["validation"] = _subprocess(dict(job="validate"))
        if not args.no_costs:
            log("build costs ...")
            results["costs"] = build_costs(peers, workdir, args.cost_n)
        for n in [] if args.no_timing else args.sizes:
            log(f"N = {n} ...")
            timing = time_size(peers, n, args.duration, args.repeats, workdir)
            results["timing"][str(n)] = summarise(timing, n, args.duration)
        if args.instructions and shutil.which("valgrind"):
            log("instructions ...")
            results["instructions"] = instructions(peers, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = report(args, results, time.perf_counter() - t_start)
    write_report(text, args.out)
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
