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

Three builds are timed (plus an A/A control, below):

- ``hand``: the hand-written group;
- ``template``: ``cell.make_group(...)`` as users get it, *with* its divergence guard (as the
  engine builds it: statements inside the implicit state updaters or a ``run_regularly``,
  and in runtime mode a Python check object; the report lists what it found);
- ``template-noguard``: a `NeuronGroup` of the template's own equations, threshold,
  refractoriness, namespace and initial state, without the guard: what the guard costs.

What is timed: the simulation loop only -- not code generation, compilation, start-up,
loading or writing of arrays -- as CPU time of the simulating process, so that other processes
on a shared machine disturb it less (wall-clock ratios are reported as well):

- Cython runtime: ``brian2.device._last_run_time``, which ``Network.run`` sets from two clock
  readings around its time-step loop (``before_run`` -- code generation, compilation, cache
  loading -- is outside them). The benchmark points ``brian2.core.network.time`` at a stand-in
  (`timing.LoopClock`) whose ``time()`` returns the process CPU time and records the wall time. Per
  method, one subprocess builds the three variants, runs each 1 ms to compile, stores it, then
  restores and runs it for the full duration, variants interleaved (rotating order),
  ``--repeats`` rounds.
- cpp_standalone: each variant is built in its own subprocess with its own build directory
  (``device.build(compile=True, run=False)``, then one untimed ``device.run``); the binaries
  are then run in turn (interleaved, ``--repeats`` rounds), and the time is the one the binary
  writes to ``results/last_run_info.txt`` (what ``device._last_run_time`` reads): Brian2 takes
  it with ``std::clock()`` around ``Network::run``'s loop, i.e. CPU time of the loop.

Reported: the minimum over the rounds per variant, the ratio of the minima, and the median
of the per-round ratios template / hand-written ("paired median", the verdict: the script
exits with status 1 if it exceeds 1.05 for a target and method). An A/A control -- the
hand-written code run once more in its own slot of each round -- shows the resolution of the
machine for both statistics. On a shared machine many short interleaved runs give stabler
statistics than a few long ones, hence the defaults (runs of 50 ms, 31 rounds).

Instruction counts (deterministic, independent of the machine's load): if valgrind is
installed, the three cpp_standalone variants are built once more with ``-march=x86-64-v3``
(valgrind cannot execute AVX-512) for 1000 neurons and 10 ms, and callgrind counts the
instructions executed inside ``Network::run`` (``--no-instructions`` skips this).

The equivalence of the two sides is checked before timing: same voltages (Cython, and the
final state of every cpp_standalone run), and the same generated state-update code statement
by statement (`compare_code`).

Usage::

    PYTHONPATH=. python benchmarks/overhead.py            # 2000 neurons, 31 rounds of 50 ms
    PYTHONPATH=. python benchmarks/overhead.py --quick    # 1000 neurons, 15 rounds of 25 ms
    PYTHONPATH=. python benchmarks/overhead.py --duration 200 --repeats 7   # longer runs

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
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from timing import (VALGRIND_MARCH, LoopClock, count_instructions, rotated,  # noqa: E402
                    run_binary, timed_run)

DT_MS = 0.025
METHODS = ("exponential_euler", "crank_nicolson")
BUILT = ("hand", "template", "template-noguard")
# "hand-again" runs the hand-written build once more in its own slot: an A/A control that
# shows how far two runs of the *same* code differ on this machine
VARIANTS = BUILT + ("hand-again",)
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
    from brian2 import cm, msiemens, mV, ohm, uF, um

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
    """The README's demo cell (the main job's template)."""
    from compartments.demo import demo_cell as build

    return build()


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
    # for "hand" and "template-noguard" this group only supplies the initial state (and
    # threshold, namespace) and is never run
    name = f"tmpl_{method}" if variant == "template" else f"init_{method}"
    tmpl = cell.make_group(n, method=method, dt=DT_MS * ms, name=name)
    tmpl.I_ext_soma_ = I_MAX_NA * 1e-9 * np.linspace(0, 1, n)
    if variant == "template":
        group = tmpl
    else:
        tmpl.active = False
        if variant == "hand":
            group = hand_group(n, method, tmpl)
        elif variant == "template-noguard":
            group = unguarded_group(cell, tmpl, n, method)
        else:
            raise ValueError(variant)
    return group, Network(group)


def unguarded_group(cell, tmpl, n, method):
    """The template's own equations, threshold, refractoriness and state, without the guard.

    ``make_group`` adds the divergence guard (its variables, code inside the implicit state
    updaters or a ``run_regularly``, and a Python check in runtime mode); this group is what
    ``make_group`` would give without it.
    """
    from brian2 import NeuronGroup, ms

    spike = tmpl.events["spike"]
    group = NeuronGroup(n, cell.equations, threshold=spike, refractory=spike, method=method,
                        dt=DT_MS * ms, namespace=dict(tmpl.namespace), name=f"noguard_{method}")
    for name in cell.equations.diff_eq_names | cell.equations.parameter_names:
        setattr(group, name + "_", np.asarray(getattr(tmpl, name + "_")))
    return group


def guard_objects(group):
    """Names of the guard's objects among a template group's contained objects."""
    return [o.name for o in group.contained_objects if "_divergence_" in o.name]


# --------------------------------------------------------------------------------------
# Equivalence check (Cython runtime, a few neurons)
# --------------------------------------------------------------------------------------
TEMPLATE_TO_HAND = {**{t: h for h, t in STATE_MAP.items()}, **{t: h for h, t in PARAM_MAP.items()},
                    "I_ext_soma": "I_s", **{f"I_ext_apical_{k}": f"I_{k}" for k in range(4)}}


def _rename(name):
    """Template name -> hand-written name (also Brian2's temporaries ``_x`` and ``_BA_x``)."""
    for prefix in ("", "_BA_", "_"):
        if name.startswith(prefix) and name[len(prefix):] in TEMPLATE_TO_HAND:
            return prefix + TEMPLATE_TO_HAND[name[len(prefix):]]
    return name


def compare_code(hand, tmpl):
    """Compare the state-update abstract code of the two groups, statement by statement.

    Template names are renamed to the hand-written ones; each right-hand side is parsed with
    sympy (canonical term order), so the comparison is of expressions, not of text.
    Returns a dict: total (hand-written statements), same (identical in the template),
    diff (differing pairs) and extra (template statements assigning names the hand-written
    code does not assign, e.g. the divergence guard).
    """
    import re

    from brian2.parsing.sympytools import str_to_sympy

    def statements(code, rename):
        out = []
        for line in code.strip().splitlines():
            if rename:
                line = re.sub(r"\b\w+\b", lambda m: _rename(m.group(0)), line)
            lhs, op, rhs = re.match(r"\s*(\w+)\s*(\S?=)\s*(.*)$", line).groups()
            try:
                rhs = str_to_sympy(rhs)
            except Exception:
                rhs = rhs.replace(" ", "")
            out.append((lhs, op, rhs))
        return out

    a = statements(hand.state_updater.abstract_code, False)
    b = statements(tmpl.state_updater.abstract_code, True)
    # statements only the template has (the guard, if it is inside the state update)
    extra = [y for y in b if y not in a]
    b = [y for y in b if y in a or y[0] in {x[0] for x in a}]
    diff = [f"hand-written `{' '.join(map(str, x))}`, template `{' '.join(map(str, y))}`"
            for x, y in zip(a, b) if x != y]
    same = sum(x == y for x, y in zip(a, b))
    return dict(total=len(a), same=same, diff=diff,
                extra=[" ".join(map(str, y)) for y in extra if y[0] not in {x[0] for x in a}])


def equivalence(method, n=5, duration_ms=60.0):
    """Max |v_soma(hand) - v_soma(template)| over a run, spike counts, and `compare_code`."""
    from brian2 import Network, SpikeMonitor, StateMonitor, ms

    cell = demo_cell()
    tmpl = cell.make_group(n, method=method, dt=DT_MS * ms, name=f"eq_tmpl_{method}")
    tmpl.I_ext_soma_ = I_MAX_NA * 1e-9 * np.linspace(0, 1, n)
    hand = hand_group(n, method, tmpl)
    mt, mh = StateMonitor(tmpl, "v_soma", record=True), StateMonitor(hand, "v_s", record=True)
    st, sh = SpikeMonitor(tmpl), SpikeMonitor(hand)
    Network(tmpl, hand, mt, mh, st, sh).run(duration_ms * ms, namespace={})
    diff = float(np.max(np.abs(mt.v_soma_ - mh.v_s_)))
    return diff, int(st.num_spikes), int(sh.num_spikes), compare_code(hand, tmpl)


# --------------------------------------------------------------------------------------
# Workers (run in subprocesses)
# --------------------------------------------------------------------------------------
def _quiet():
    from brian2.utils.logger import BrianLogger

    # the "init_*" template group of the hand variant only supplies the initial state
    BrianLogger.suppress_name("unused_brian_object")


def worker_cython(method, n, duration_ms, repeats, cache_dir):
    import brian2.core.network
    from brian2 import ms, prefs

    import compartments

    compartments.backends.use("cython")
    if cache_dir:
        prefs.codegen.runtime.cython.cache_dir = cache_dir
    diff, spikes_t, spikes_h, code = equivalence(method)
    nets = {}
    for variant in BUILT:
        group, net = build(variant, n, method)
        if variant == "template":
            guard = guard_objects(group)
        net.run(1 * ms, namespace={})  # generate and compile the code objects, outside the timing
        net.store()
        nets[variant] = net
    nets["hand-again"] = nets["hand"]
    clock = LoopClock()
    brian2.core.network.time = clock
    cpu, wall = {v: [] for v in VARIANTS}, {v: [] for v in VARIANTS}
    for r in range(repeats):
        for variant in rotated(VARIANTS, r):
            c, w = timed_run(nets[variant], duration_ms * ms, clock)
            cpu[variant].append(c)
            wall[variant].append(w)
    # the guard's fixed cost per time step, seen with a single neuron (Python loop overhead)
    small = {}
    for variant in ("template", "template-noguard"):
        _, net = build(variant, 1, method)
        net.run(1 * ms, namespace={})
        net.store()
        small[variant] = net
    per_step = {v: [] for v in small}
    steps = int(round(200 / DT_MS))
    for r in range(3 * repeats):
        for variant, net in small.items():
            per_step[variant].append(timed_run(net, 200 * ms, clock)[0] / steps)
    brian2.core.network.time = time
    return {"times": cpu, "wall": wall, "max_dv_mV": diff * 1e3,
            "spikes": [spikes_t, spikes_h], "code": code, "guard_objects": guard,
            "step_us_1": {v: 1e6 * min(x) for v, x in per_step.items()}}


def worker_standalone_build(variant, method, n, duration_ms, directory, march=None):
    from brian2 import device, ms, prefs, set_device

    if march is not None:  # e.g. for valgrind, which does not decode AVX-512
        prefs.codegen.cpp.extra_compile_args_gcc = [
            f"-march={march}" if a.startswith("-march=") else a
            for a in prefs.codegen.cpp.extra_compile_args_gcc]
    set_device("cpp_standalone", directory=directory, build_on_run=False)
    group, net = build(variant, n, method)
    net.run(duration_ms * ms, namespace={})
    t0 = time.perf_counter()
    device.build(directory=directory, compile=True, run=False)
    compile_s = time.perf_counter() - t0
    if march is not None:
        return {"compile_s": compile_s}
    device.run(directory, with_output=False, run_args=[])  # untimed first run: warm-up
    v = np.asarray(group.v_s_ if variant == "hand" else group.v_soma_)
    return {"compile_s": compile_s, "v_soma_end": v.tolist()}


INSTRUCTION_MARCH = VALGRIND_MARCH
INSTRUCTION_N, INSTRUCTION_MS = 1000, 10.0


def measure_instructions(method, workdir):
    """Deterministic instruction counts of the three builds (cpp_standalone, valgrind)."""
    counts = {}
    for variant in BUILT:
        d = os.path.join(workdir, f"ir_{method}_{variant}")
        _subprocess(dict(kind="standalone", variant=variant, method=method, n=INSTRUCTION_N,
                         duration_ms=INSTRUCTION_MS, directory=d, march=INSTRUCTION_MARCH))
        counts[variant] = count_instructions(["./main"], cwd=d)
    return counts


def _subprocess(args, timeout=3600):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(args)]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _worker_main(spec):
    _quiet()
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
    dirs, compile_s, v_end = {}, {}, {}
    for variant in BUILT:
        d = os.path.join(workdir, f"{method}_{variant}")
        r = _subprocess(dict(kind="standalone", variant=variant, method=method, n=n,
                             duration_ms=duration_ms, directory=d))
        dirs[variant], compile_s[variant] = d, r["compile_s"]
        v_end[variant] = np.array(r["v_soma_end"])
    # the same model: final somatic voltages of all neurons after the whole run
    max_dv = max(float(np.max(np.abs(v_end[v] - v_end["hand"]))) for v in BUILT)
    dirs["hand-again"] = dirs["hand"]
    cpu, wall = {v: [] for v in VARIANTS}, {v: [] for v in VARIANTS}
    for r in range(repeats):
        for variant in rotated(VARIANTS, r):
            c, w, _ = run_binary(dirs[variant])
            cpu[variant].append(c)
            wall[variant].append(w)
    return {"times": cpu, "wall": wall, "compile_s": compile_s, "max_dv_mV": max_dv * 1e3}


def summary(res):
    """Statistics of one (target, method): minima, ratios of minima, paired medians."""
    times = {v: np.array(x) for v, x in res["times"].items()}
    t = {v: float(np.min(x)) for v, x in times.items()}

    def paired(a, b):  # median over rounds of a/b (a and b ran in the same round)
        return float(np.median(times[a] / times[b]))

    wall = {v: min(res["wall"][v]) for v in VARIANTS}
    return dict(t=t, ratio=t["template"] / t["hand"], paired=paired("template", "hand"),
                aa_ratio=t["hand-again"] / t["hand"], aa_paired=paired("hand-again", "hand"),
                guard=paired("template", "template-noguard") - 1,
                wall_ratio=wall["template"] / wall["hand"])


def table(sums):
    lines = ["| target | method | hand-written s | template s | ratio | paired median ratio | "
             "A/A control: ratio, paired | template without guard s | guard cost |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for target, method, s in sums:
        t = s["t"]
        lines.append(f"| {target} | {method} | {t['hand']:.3f} | {t['template']:.3f} | "
                     f"{s['ratio']:.3f} | **{s['paired']:.3f}** | {s['aa_ratio']:.3f}, "
                     f"{s['aa_paired']:.3f} | {t['template-noguard']:.3f} | "
                     f"{100 * s['guard']:+.1f} % |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1000 neurons, runs of 25 ms, 15 rounds (a smoke run, noisier)")
    parser.add_argument("--n", type=int, default=None, help="neurons (default 2000)")
    parser.add_argument("--duration", type=float, default=None,
                        help="simulated time of one run in ms (default 50)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="rounds: timed runs per variant (default 31)")
    parser.add_argument("--targets", default="cython,cpp_standalone")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--cache-dir", default=None,
                        help="Cython cache directory (default: Brian2's)")
    parser.add_argument("--no-instructions", action="store_true",
                        help="skip the instruction counts (valgrind, cpp_standalone)")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "overhead.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_main(args.worker)
    n = args.n or (1000 if args.quick else 2000)
    duration = args.duration or (25.0 if args.quick else 50.0)
    repeats = args.repeats or (15 if args.quick else 31)
    targets = [t for t in args.targets.split(",") if t]
    methods = [m for m in args.methods.split(",") if m]

    rows, notes, guard_notes = [], [], []
    workdir = tempfile.mkdtemp(prefix="overhead_standalone_")
    t_start = time.perf_counter()
    try:
        for target in targets:
            for method in methods:
                print(f"[{time.perf_counter() - t_start:6.0f} s] {target} / {method} ...",
                      flush=True)
                if target == "cython":
                    res = measure_cython(method, n, duration, repeats, args.cache_dir)
                    notes.append(f"- cython, {method}: hand-written and template v_soma agree to "
                                 f"{res['max_dv_mV']:.2g} mV over 60 ms (5 neurons, "
                                 f"0-{I_MAX_NA} nA); spikes template/hand "
                                 f"{res['spikes'][0]}/{res['spikes'][1]}.")
                    c = res["code"]
                    notes.append(f"- {method}: generated state-update code, template vs. "
                                 f"hand-written after renaming the variables: {c['same']} of "
                                 f"{c['total']} statements identical (compared as sympy "
                                 f"expressions)"
                                 + (f"; the other: {'; '.join(c['diff'])}" if c['diff'] else "")
                                 + (f"; the template has {len(c['extra'])} more (the divergence "
                                    f"guard inside the state update, `" + "`, `".join(
                                        x.split(" ")[0] for x in c["extra"]) + "`)"
                                    if c["extra"] else "") + ".")
                    guard_notes.append(f"- cython, {method}: guard objects in the template "
                                       f"group: {', '.join(res['guard_objects']) or 'none'}; "
                                       f"guard statements inside its state update: "
                                       f"{len(c['extra'])}.")
                    s1 = res["step_us_1"]
                    g_us = s1["template"] - s1["template-noguard"]
                    step_us = 1e6 * min(res["times"]["hand"]) / round(duration / DT_MS)
                    guard_notes.append(
                        f"- cython, {method}: one neuron, per time step: template "
                        f"{s1['template']:.1f} us, without guard {s1['template-noguard']:.1f} us: "
                        f"guard {g_us:+.1f} us/step, i.e. {100 * g_us / step_us:.1f} % of a "
                        f"step of {n} neurons ({step_us:.0f} us).")
                elif target == "cpp_standalone":
                    res = measure_standalone(method, n, duration, repeats, workdir)
                    notes.append(f"- cpp_standalone, {method}: final v_soma of all {n} neurons "
                                 f"after {duration:g} ms, template vs. hand-written: max "
                                 f"difference {res['max_dv_mV']:.2g} mV. Build (code generation "
                                 f"+ compilation) per variant: " + ", ".join(
                                     f"{v} {t:.0f} s" for v, t in res["compile_s"].items()) + ".")
                else:
                    raise ValueError(f"unknown target {target!r}")
                rows.append((target, method, res))
                s = summary(res)
                print("    minima: " + ", ".join(f"{v} {t:.3f} s" for v, t in s["t"].items())
                      + f"; template/hand: minima {s['ratio']:.3f}, paired median "
                      f"{s['paired']:.3f}; A/A: {s['aa_ratio']:.3f}, {s['aa_paired']:.3f}",
                      flush=True)
        instructions = {}
        if not args.no_instructions and shutil.which("valgrind"):
            for method in methods:
                print(f"[{time.perf_counter() - t_start:6.0f} s] instructions / {method} ...",
                      flush=True)
                instructions[method] = measure_instructions(method, workdir)
                print("    " + ", ".join(f"{v} {c}" for v, c in instructions[method].items()),
                      flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - t_start

    import brian2

    sums = [(target, method, summary(res)) for target, method, res in rows]
    worst = max((x["paired"] for _, _, x in sums), default=float("nan"))
    worst_min = max((x["ratio"] for _, _, x in sums), default=float("nan"))
    worst_aa = max((abs(x["aa_ratio"] - 1) for _, _, x in sums), default=float("nan"))
    wall = "; ".join(f"{t} {m} {x['wall_ratio']:.3f}" for t, m, x in sums)
    options = (["--quick"] if args.quick else []) + [
        f"--{k.replace('_', '-')} {v}" for k, v in
        (("n", args.n), ("duration", args.duration), ("repeats", args.repeats))
        if v is not None]
    if args.targets != parser.get_default("targets"):
        options.append(f"--targets {args.targets}")
    if args.methods != parser.get_default("methods"):
        options.append(f"--methods {args.methods}")
    steps_ir = int(round(INSTRUCTION_MS / DT_MS))
    ir_table = []
    if instructions:
        ir_table = [
            f"Instructions executed in `Network::run` (valgrind callgrind, deterministic): "
            f"cpp_standalone builds with `-march={INSTRUCTION_MARCH}` (valgrind cannot run "
            f"AVX-512), {INSTRUCTION_N} neurons, {INSTRUCTION_MS:g} ms; per neuron and step "
            f"in parentheses. `guard` = template / template-without-guard - 1.",
            "",
            "| method | hand-written | template | ratio | template without guard | guard |",
            "|---|---:|---:|---:|---:|---:|"]
        for method, c in instructions.items():
            per = {v: c[v] / (INSTRUCTION_N * steps_ir) for v in c}
            ir_table.append(
                f"| {method} | {c['hand'] / 1e6:.1f} M ({per['hand']:.0f}) | "
                f"{c['template'] / 1e6:.1f} M ({per['template']:.0f}) | "
                f"{c['template'] / c['hand']:.3f} | {c['template-noguard'] / 1e6:.1f} M "
                f"({per['template-noguard']:.0f}) | "
                f"{100 * (c['template'] / c['template-noguard'] - 1):+.1f} % |")
        ir_table.append("")
    doc = [
        "# Template overhead: template-built group vs. hand-written Brian2",
        "",
        f"Demo cell (soma 20x20 um with Leak + HHNa + HHK, apical dendrite 400x3 um, nseg=4, "
        f"passive), {n} neurons, dt = {DT_MS} ms, somatic current 0-{I_MAX_NA} nA spread over "
        f"the neurons (silent to regular firing). The hand-written side is a plain "
        f"`NeuronGroup` whose equations were written by hand (`HAND_EQUATIONS` in the "
        f"script); both sides use the same integration method and have the same per-neuron "
        f"`(constant)` parameters (densities, reversal potentials, temperature factors, "
        f"areas, capacitances, axial conductances). The template group includes its "
        f"divergence guard.",
        "",
        f"Timing: {repeats} rounds; in each round every variant runs {duration:g} ms "
        f"({int(round(duration / DT_MS))} steps) from the same initial state, back to back, "
        f"in rotating order. Times are CPU seconds of the simulation loop only (no code "
        f"generation, compilation, loading or writing of arrays). Cython runtime: "
        f"`device._last_run_time` as set by `Network.run` around its time-step loop, with "
        f"that loop's clock read as process CPU time; cpp_standalone: the loop time the binary "
        f"writes to `results/last_run_info.txt` (Brian2 takes it with `std::clock`, i.e. CPU "
        f"time), one build directory and subprocess per variant.",
        "",
        "Columns: the minimum over the rounds of each variant; `ratio` = template / "
        "hand-written of these minima; `paired median ratio` = median over the rounds of "
        "template / hand-written within a round (the verdict); `A/A control` = the same two "
        "statistics for the hand-written code against itself (run once more in its own slot "
        "of each round), i.e. the resolution of this machine; `guard cost` = paired median of "
        "template / template-without-guard, minus 1.",
        "",
        table(sums),
        "",
        f"**Worst paired median ratio: {worst:.3f}** (limit {RATIO_LIMIT}: "
        f"{'met' if worst <= RATIO_LIMIT else 'NOT met'}"
        f"{'; --quick is a smoke run, too short for a verdict' if args.quick else ''}). "
        f"Worst ratio of minima: "
        f"{worst_min:.3f}; the A/A control's ratio of minima is off 1 by up to "
        f"{worst_aa:.3f}, so differences of that size between minima are noise. Wall-clock "
        f"ratios of the minima (more exposed to other processes on the machine): {wall}.",
        "",
        *ir_table,
        "Equivalence checks (the two sides are one model):",
        *notes,
        "",
        *(["The divergence guard in runtime mode, and its fixed (size-independent) cost per "
           "time step, measured with one neuron (template vs. template without guard); it "
           "matters for small groups:", *guard_notes, ""] if guard_notes else []),
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs (shared "
        f"with other jobs while this ran), Python {platform.python_version()}, Brian2 "
        f"{brian2.__version__}, numpy {np.__version__}. Produced by "
        f"`PYTHONPATH=. python benchmarks/overhead.py{''.join(' ' + a for a in options)}` "
        f"in {elapsed / 60:.0f} min on {time.strftime('%Y-%m-%d')}.",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(doc) + "\n")
    print("\n".join(doc))
    return 0 if not sums or worst <= RATIO_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
