"""Template overhead: a template-built group against the same model written by hand in Brian2.

The model is the demo cell (soma 20x20 um with Leak(0.05 mS/cm2, -70 mV) + HHNa + HHK; apical
400x3 um, nseg=4, passive). The hand-written side (`hand_group`) is written directly in Brian2,
the way an experienced user would: one differential equation per segment with the couplings
inline, HH gating variables, and every density, reversal potential, temperature factor, area,
capacitance and axial conductance a per-neuron ``(constant)``; threshold and refractoriness on
``v_soma > 0 mV`` as the template's. Its parameter values are computed here from the geometry
(not read from the template) and checked against ``cell.parameters``; both groups start from
the same state and are checked to produce the same voltages before anything is timed.

Both sides use the same integration method: Brian2's ``exponential_euler`` and the engine's
``crank_nicolson`` (a registered Brian2 state updater once ``compartments`` is imported).

Three variants are timed:

- ``hand``: the hand-written group;
- ``template``: ``cell.make_group(...)`` as users get it, *with* its divergence guard (a
  ``run_regularly`` every 1 ms and, in runtime mode, a Python ``NetworkOperation`` every 1 ms);
- ``template-noguard``: the same group with the two guard objects removed, to show what the
  guard costs.

What is timed (the simulation only, not code generation, compilation or start-up):

- Cython runtime: ``brian2.device._last_run_time``, which ``Network.run`` sets to the wall time
  of its time-step loop (``before_run`` -- code generation, compilation, cache loading -- is not
  included). Each variant is built in one process per method, run once (1 ms) to compile, then
  ``store``/``restore``-d and run for the full duration, variants interleaved, ``--repeats``
  times; the minimum is reported.
- cpp_standalone: each variant is built in its own subprocess with its own build directory
  (``device.build(compile=True, run=False)``); the compiled binaries are then run in turn
  (interleaved, ``--repeats`` times), and the time is the one the binary itself writes to
  ``results/last_run_info.txt`` (also what ``device._last_run_time`` reads): the wall time of
  ``Network::run``, i.e. the time-step loop, excluding loading and writing of arrays.

Usage::

    PYTHONPATH=. python benchmarks/overhead.py            # 2000 neurons, 300 ms, 5 repeats
    PYTHONPATH=. python benchmarks/overhead.py --quick    # 1000 neurons, 100 ms, 3 repeats

Writes ``benchmarks/results/overhead.md`` (``--out`` to change) and prints the table.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DT_MS = 0.025
METHODS = ("exponential_euler", "crank_nicolson")
VARIANTS = ("hand", "template", "template-noguard")
RATIO_LIMIT = 1.05
I_MAX_NA = 0.4  # neuron k gets I_soma = I_MAX * k/(n-1): a spread of rates, silent to ~70 Hz

# --------------------------------------------------------------------------------------
# The hand-written model
# --------------------------------------------------------------------------------------
HAND_EQUATIONS = """
dv_s/dt = (area_s*(gL_s*(EL_s - v_s) + gNa*m**3*h*(ENa - v_s) + gK*n**4*(EK - v_s)) + g_s0*(v_0 - v_s) + I_s)/C_s : volt
dv_0/dt = (area_0*gL_0*(EL_0 - v_0) + g_s0*(v_s - v_0) + g_01*(v_1 - v_0) + I_0)/C_0 : volt
dv_1/dt = (area_1*gL_1*(EL_1 - v_1) + g_01*(v_0 - v_1) + g_12*(v_2 - v_1) + I_1)/C_1 : volt
dv_2/dt = (area_2*gL_2*(EL_2 - v_2) + g_12*(v_1 - v_2) + g_23*(v_3 - v_2) + I_2)/C_2 : volt
dv_3/dt = (area_3*gL_3*(EL_3 - v_3) + g_23*(v_2 - v_3) + I_3)/C_3 : volt
dm/dt = phi_Na*(alpha_m*(1 - m) - beta_m*m) : 1
dh/dt = phi_Na*(alpha_h*(1 - h) - beta_h*h) : 1
dn/dt = phi_K*(alpha_n*(1 - n) - beta_n*n) : 1
alpha_m = (1/ms)/exprel(-(v_s + 40*mV)/(10*mV)) : Hz
beta_m = (4/ms)*exp(-(v_s + 65*mV)/(18*mV)) : Hz
alpha_h = (0.07/ms)*exp(-(v_s + 65*mV)/(20*mV)) : Hz
beta_h = (1/ms)/(1 + exp(-(v_s + 35*mV)/(10*mV))) : Hz
alpha_n = (0.1/ms)/exprel(-(v_s + 55*mV)/(10*mV)) : Hz
beta_n = (0.125/ms)*exp(-(v_s + 65*mV)/(80*mV)) : Hz
I_s : amp
I_0 : amp
I_1 : amp
I_2 : amp
I_3 : amp
gL_s : siemens/meter**2 (constant)
EL_s : volt (constant)
gNa : siemens/meter**2 (constant)
ENa : volt (constant)
gK : siemens/meter**2 (constant)
EK : volt (constant)
phi_Na : 1 (constant)
phi_K : 1 (constant)
gL_0 : siemens/meter**2 (constant)
gL_1 : siemens/meter**2 (constant)
gL_2 : siemens/meter**2 (constant)
gL_3 : siemens/meter**2 (constant)
EL_0 : volt (constant)
EL_1 : volt (constant)
EL_2 : volt (constant)
EL_3 : volt (constant)
area_s : meter**2 (constant)
area_0 : meter**2 (constant)
area_1 : meter**2 (constant)
area_2 : meter**2 (constant)
area_3 : meter**2 (constant)
C_s : farad (constant)
C_0 : farad (constant)
C_1 : farad (constant)
C_2 : farad (constant)
C_3 : farad (constant)
g_s0 : siemens (constant)
g_01 : siemens (constant)
g_12 : siemens (constant)
g_23 : siemens (constant)
"""

# hand-written name -> template name (for the state and the parameter check)
STATE_MAP = {"v_s": "v_soma", "v_0": "v_apical_0", "v_1": "v_apical_1", "v_2": "v_apical_2",
             "v_3": "v_apical_3", "m": "m_hhna_soma", "h": "h_hhna_soma", "n": "n_hhk_soma"}
PARAM_MAP = {"gL_s": "g_leak_soma", "EL_s": "E_leak_soma", "gNa": "gbar_hhna_soma",
             "ENa": "E_hhna_soma", "gK": "gbar_hhk_soma", "EK": "E_hhk_soma",
             "phi_Na": "phi_hhna_soma", "phi_K": "phi_hhk_soma", "area_s": "area_soma",
             "C_s": "C_soma", "g_s0": "gax_soma__apical_0", "g_01": "gax_apical_0__apical_1",
             "g_12": "gax_apical_1__apical_2", "g_23": "gax_apical_2__apical_3"}
for _k in range(4):
    PARAM_MAP.update({f"gL_{_k}": f"g_leak_apical_{_k}", f"EL_{_k}": f"E_leak_apical_{_k}",
                      f"area_{_k}": f"area_apical_{_k}", f"C_{_k}": f"C_apical_{_k}"})


def hand_parameters():
    """The hand-written model's parameters (SI floats), from the demo cell's description."""
    from brian2 import cm, mV, msiemens, ohm, uF, um

    Ra, Cm = 150 * ohm * cm, 1 * uF / cm**2
    d_s, L_s = 20 * um, 20 * um
    d_a, L_a = 3 * um, 400 * um / 4
    area_s, area_a = np.pi * d_s * L_s, np.pi * d_a * L_a
    half = Ra * (L_a / 2) / (np.pi * (d_a / 2) ** 2)  # centre of a dendritic segment to its end
    p = {"gL_s": 0.05 * msiemens / cm**2, "EL_s": -70 * mV,
         "gNa": 120 * msiemens / cm**2, "ENa": 50 * mV,
         "gK": 36 * msiemens / cm**2, "EK": -77 * mV,
         "phi_Na": 1.0, "phi_K": 1.0,  # q10=3 at celsius = reference 6.3 degC
         "area_s": area_s, "C_s": Cm * area_s,
         "g_s0": 1 / half,  # the dendrite starts at the soma's centre
         "g_01": 1 / (2 * half), "g_12": 1 / (2 * half), "g_23": 1 / (2 * half)}
    for k in range(4):
        p.update({f"gL_{k}": 0.05 * msiemens / cm**2, f"EL_{k}": -70 * mV,
                  f"area_{k}": area_a, f"C_{k}": Cm * area_a})
    return {k: float(np.asarray(v)) for k, v in p.items()}


def demo_cell():
    from brian2 import cm, mV, msiemens, ohm, uF, um

    from compartments import CellTemplate, Compartment, channels

    soma = Compartment("soma", length=20 * um, diameter=20 * um, cm=1 * uF / cm**2,
                       channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                 channels.HHNa(), channels.HHK()])
    apical = Compartment("apical", length=400 * um, diameter=3 * um, nseg=4,
                         channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV)])
    return CellTemplate("demo", [soma, apical], connections=[("soma", "apical")],
                        Ra=150 * ohm * cm)


def check_parameters(cell):
    """The hand-computed parameters equal the template's (so both sides are one model)."""
    table = dict(zip(cell.parameters.variable, cell.parameters.value))
    for hand, value in hand_parameters().items():
        ref = table[PARAM_MAP[hand]]
        if not np.isclose(value, ref, rtol=1e-12, atol=0):
            raise AssertionError(f"hand-written {hand} = {value} but template "
                                 f"{PARAM_MAP[hand]} = {ref}")


def hand_group(n, method, template_group):
    """The hand-written NeuronGroup, with the template group's initial state and inputs."""
    from brian2 import NeuronGroup, ms

    group = NeuronGroup(n, HAND_EQUATIONS, threshold="v_s > 0*mV", refractory="v_s > 0*mV",
                        method=method, dt=DT_MS * ms, namespace={}, name=f"hand_{method}")
    for var, value in hand_parameters().items():
        setattr(group, var + "_", np.full(n, value))
    for hand, tmpl in STATE_MAP.items():
        setattr(group, hand + "_", np.asarray(getattr(template_group, tmpl + "_")))
    group.I_s_ = np.asarray(template_group.I_ext_soma_)
    return group


def build(variant, n, method):
    """(group, network) of one variant, on the current device."""
    from brian2 import Network, ms

    cell = demo_cell()
    check_parameters(cell)
    tmpl = cell.make_group(n, method=method, dt=DT_MS * ms, name=f"tmpl_{method}")
    tmpl.I_ext_soma_ = I_MAX_NA * 1e-9 * np.linspace(0, 1, n)
    if variant == "hand":
        group = hand_group(n, method, tmpl)
    else:
        group = tmpl
        if variant == "template-noguard":
            strip_guard(group)
    return group, Network(group)


def strip_guard(group):
    """Remove the divergence guard (run_regularly + NetworkOperation) from a template group."""
    before = len(group.contained_objects)
    group.contained_objects[:] = [o for o in group.contained_objects
                                  if "_divergence_" not in o.name]
    assert len(group.contained_objects) == before - (2 if _runtime() else 1), \
        [o.name for o in group.contained_objects]


def _runtime():
    from brian2 import get_device
    from brian2.devices.device import RuntimeDevice

    return isinstance(get_device(), RuntimeDevice)


# --------------------------------------------------------------------------------------
# Equivalence check (Cython runtime, a few neurons)
# --------------------------------------------------------------------------------------
def equivalence(method, n=5, duration_ms=60.0):
    """Max |v_soma(hand) - v_soma(template)| over a run, and the spike counts of both."""
    from brian2 import Network, SpikeMonitor, StateMonitor, ms

    cell = demo_cell()
    tmpl = cell.make_group(n, method=method, dt=DT_MS * ms, name=f"eq_tmpl_{method}")
    tmpl.I_ext_soma_ = I_MAX_NA * 1e-9 * np.linspace(0, 1, n)
    hand = hand_group(n, method, tmpl)
    mt, mh = StateMonitor(tmpl, "v_soma", record=True), StateMonitor(hand, "v_s", record=True)
    st, sh = SpikeMonitor(tmpl), SpikeMonitor(hand)
    Network(tmpl, hand, mt, mh, st, sh).run(duration_ms * ms, namespace={})
    diff = float(np.max(np.abs(mt.v_soma_ - mh.v_s_)))
    return diff, int(st.num_spikes), int(sh.num_spikes)


# --------------------------------------------------------------------------------------
# Workers (run in subprocesses)
# --------------------------------------------------------------------------------------
def worker_cython(method, n, duration_ms, repeats, cache_dir):
    from brian2 import device, ms, prefs

    import compartments

    compartments.backends.use("cython")
    if cache_dir:
        prefs.codegen.runtime.cython.cache_dir = cache_dir
    diff, spikes_t, spikes_h = equivalence(method)
    nets = {}
    for variant in VARIANTS:
        _, net = build(variant, n, method)
        net.run(1 * ms, namespace={})  # generate and compile the code objects, outside the timing
        net.store()
        nets[variant] = net
    times = {v: [] for v in VARIANTS}
    for r in range(repeats):
        order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]
        for variant in order:
            net = nets[variant]
            net.restore()
            net.run(duration_ms * ms, namespace={})
            times[variant].append(float(device._last_run_time))
    return {"times": times, "max_dv_mV": diff * 1e3, "spikes": [spikes_t, spikes_h]}


def worker_standalone_build(variant, method, n, duration_ms, directory):
    from brian2 import device, ms, set_device

    set_device("cpp_standalone", directory=directory, build_on_run=False)
    _, net = build(variant, n, method)
    net.run(duration_ms * ms, namespace={})
    t0 = time.perf_counter()
    device.build(directory=directory, compile=True, run=False)
    return {"compile_s": time.perf_counter() - t0}


def run_binary(directory):
    """Run a compiled standalone project; return the run time it records (seconds)."""
    info = os.path.join(directory, "results", "last_run_info.txt")
    if os.path.exists(info):
        os.remove(info)
    subprocess.run(["./main"], cwd=directory, check=True, stdout=subprocess.DEVNULL)
    with open(info) as f:
        return float(f.read().split()[0])


def _subprocess(args, timeout=3600):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(args)]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _worker_main(spec):
    args = json.loads(spec)
    kind = args.pop("kind")
    if kind == "cython":
        result = worker_cython(**args)
    else:
        result = worker_standalone_build(**args)
    print(json.dumps(result))


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------
def measure_cython(method, n, duration_ms, repeats, cache_dir):
    return _subprocess(dict(kind="cython", method=method, n=n, duration_ms=duration_ms,
                            repeats=repeats, cache_dir=cache_dir))


def measure_standalone(method, n, duration_ms, repeats, workdir):
    dirs, compile_s = {}, {}
    for variant in VARIANTS:
        d = os.path.join(workdir, f"{method}_{variant}")
        r = _subprocess(dict(kind="standalone", variant=variant, method=method, n=n,
                             duration_ms=duration_ms, directory=d))
        dirs[variant], compile_s[variant] = d, r["compile_s"]
    for variant in VARIANTS:  # one untimed run each: page cache, CPU frequency
        run_binary(dirs[variant])
    times = {v: [] for v in VARIANTS}
    for r in range(repeats):
        order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]
        for variant in order:
            times[variant].append(run_binary(dirs[variant]))
    return {"times": times, "compile_s": compile_s}


def table(rows, n, duration_ms, repeats):
    lines = ["| target | method | hand-written s | template s | ratio | "
             "template without guard s | guard cost |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for target, method, res in rows:
        t = {v: min(res["times"][v]) for v in VARIANTS}
        ratio = t["template"] / t["hand"]
        guard = t["template"] / t["template-noguard"] - 1
        lines.append(f"| {target} | {method} | {t['hand']:.3f} | {t['template']:.3f} | "
                     f"{ratio:.3f} | {t['template-noguard']:.3f} | {100 * guard:+.1f} % |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1000 neurons, 100 ms, 3 repeats (a smoke run, noisier)")
    parser.add_argument("--n", type=int, default=None, help="neurons (default 2000)")
    parser.add_argument("--duration", type=float, default=None,
                        help="simulated time in ms (default 300)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per variant")
    parser.add_argument("--targets", default="cython,cpp_standalone")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--cache-dir", default=None,
                        help="Cython cache directory (default: Brian2's)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "overhead.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_main(args.worker)
    n = args.n or (1000 if args.quick else 2000)
    duration = args.duration or (100.0 if args.quick else 300.0)
    repeats = args.repeats or (3 if args.quick else 5)
    targets = [t for t in args.targets.split(",") if t]
    methods = [m for m in args.methods.split(",") if m]

    rows, notes = [], []
    workdir = tempfile.mkdtemp(prefix="overhead_standalone_")
    t_start = time.perf_counter()
    try:
        for target in targets:
            for method in methods:
                print(f"[{time.perf_counter() - t_start:6.0f} s] {target} / {method} ...",
                      flush=True)
                if target == "cython":
                    res = measure_cython(method, n, duration, repeats, args.cache_dir)
                    notes.append(f"- {method}: hand-written and template v_soma agree to "
                                 f"{res['max_dv_mV']:.2g} mV over 60 ms (5 neurons, "
                                 f"0-{I_MAX_NA} nA); spikes template/hand "
                                 f"{res['spikes'][0]}/{res['spikes'][1]}.")
                elif target == "cpp_standalone":
                    res = measure_standalone(method, n, duration, repeats, workdir)
                else:
                    raise ValueError(f"unknown target {target!r}")
                rows.append((target, method, res))
                for v in VARIANTS:
                    print(f"    {v:17s} " + " ".join(f"{x:.3f}" for x in res["times"][v]),
                          flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    import brian2

    text = table(rows, n, duration, repeats)
    worst = max(min(r["times"]["template"]) / min(r["times"]["hand"]) for _, _, r in rows)
    doc = [
        "# Template overhead: template-built group vs. hand-written Brian2",
        "",
        f"Demo cell, {n} neurons, {duration:g} ms at dt = {DT_MS} ms, somatic current "
        f"0-{I_MAX_NA} nA spread over the neurons. Minimum of {repeats} interleaved runs; "
        f"simulation loop only (Cython: `device._last_run_time`, the wall time of "
        f"`Network.run`'s time-step loop; cpp_standalone: the run time the binary writes to "
        f"`results/last_run_info.txt`). `ratio` = template / hand-written, both with the same "
        f"method and the same per-neuron `(constant)` parameters. The template includes its "
        f"divergence guard; `guard cost` = template / template-without-guard - 1.",
        "",
        text,
        "",
        f"Worst ratio: {worst:.3f} (limit {RATIO_LIMIT}).",
        "",
        "Equivalence (Cython, checked before timing):",
        *notes,
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Brian2 {brian2.__version__}, numpy "
        f"{np.__version__}. Produced by `benchmarks/overhead.py"
        f"{' --quick' if args.quick else ''}`.",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(doc) + "\n")
    print("\n".join(doc))
    return 0 if worst <= RATIO_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
