"""Numerical integrity: step-size checks before a run, divergence checks during it.

Before a run, `check_step` compares the stiffness of each axial coupling with
the stability limit of an explicit method and says which dt or method would
be stable, and `check_kinetics_step` warns when dt is too large for the
template's fastest gating kinetics (spike counts and times go wrong long
before anything diverges). During a run, every `GUARD_INTERVAL`, each neuron's first segment
(in solve order, root first) whose voltage is NaN or beyond ±`RUNAWAY` is
recorded (variables ``diverged_segment`` and ``t_diverged``).

In runtime mode a `DivergenceCheck` scans the voltage arrays at the start of
each run, every `GUARD_INTERVAL` and at its end, and raises
`SimulationDiverged` naming the neuron and the segment where the divergence
*started*: by the time of a check a NaN has usually spread to every segment
(the implicit solve couples them all within one step), so the check keeps a
copy of the group's state at each check and, on divergence, replays the last
interval step by step with the group's own update code, from that copy and
without input from other groups, and names the first segment to go bad. In
``cpp_standalone`` there is no Python in the loop: call `check_divergence`
after the run (``compartments.record`` does this for you); it names the
first bad segment in solve order at the check.
"""

import functools
import warnings
import weakref

import numpy as np
from brian2 import BrianObject, Equations, get_device, get_dimensions, mV, ms, second, volt
from brian2.devices.device import RuntimeDevice
from brian2.equations.equations import DIFFERENTIAL_EQUATION, PARAMETER


__all__ = ["SimulationDiverged", "RunInterrupted", "StepTooLargeWarning", "check_step",
           "check_kinetics_step", "check_divergence", "fastest_gate", "run_to_end",
           "GUARD_INTERVAL", "RUNAWAY", "STABILITY_LIMITS", "KINETICS_RATIO", "GATE_RANGE_MV"]

GUARD_INTERVAL = 1 * ms
RUNAWAY = 1 * volt
GUARD_EQUATIONS = Equations("""
diverged_segment : integer
t_diverged : second
""")

# Largest |lambda*dt| on the negative real axis for which each explicit method is stable.
STABILITY_LIMITS = {"euler": 2.0, "rk2": 2.0, "midpoint": 2.0, "heun": 2.0, "rk4": 2.785}

# Largest dt / (fastest gating time constant) at which every catalogue type's spike counts
# equal a converged run's (benchmarks/dt_rule.py; docs/engine.md, "Time step").
KINETICS_RATIO = 2.0
# Voltages (mV) whose kinetics count: rest, spikes and afterhyperpolarisations. Below it HH's
# m gate gets ever faster without mattering (HH at 20 degC: 8 us at -100 mV, 24 us from -80
# to +50 mV; it fires correctly at dt = 0.025 ms, not at 0.05).
GATE_RANGE_MV = (-90.0, 50.0)


class SimulationDiverged(FloatingPointError):
    """A voltage became NaN or ran away; the message names compartment, neuron and time."""


class StepTooLargeWarning(UserWarning):
    """dt is too large for a template's fastest gating kinetics (see `check_kinetics_step`)."""


class RunInterrupted(KeyboardInterrupt):
    """A run stopped before its end (Ctrl-C: Brian2 finishes the step and returns early)."""


def run_to_end(network, duration, **kwargs):
    """``network.run(duration)``, raising `RunInterrupted` if it stopped early.

    Brian2 turns a Ctrl-C during a run into a stop after the current step and
    returns normally; results read afterwards would silently end early.
    """
    start = float(network.t)
    network.run(duration, **kwargs)
    end, asked = float(network.t), start + float(duration)
    if end < asked - 1e-12 * max(1.0, asked):
        raise RunInterrupted(f"The run stopped at t = {end * 1e3:g} ms of the {asked * 1e3:g} ms "
                             f"asked (interrupted, e.g. Ctrl-C): its results are incomplete and "
                             f"were not used.")


def check_step(template, dt, method):
    """Raise ``ValueError`` if ``dt`` is unstable for ``method`` on the template's couplings.

    Only Brian2's explicit methods in `STABILITY_LIMITS` are checked; the
    implicit ``crank_nicolson``/``backward_euler`` updaters and
    ``exponential_euler`` (coupling frozen within a step; bounded but
    inaccurate for stiff couplings) have no such limit.
    """
    if not isinstance(method, str) or method not in STABILITY_LIMITS:
        return
    limit = STABILITY_LIMITS[method]
    G = np.asarray(template.topology.conductance_matrix())
    C = np.array([float(s.compartment.cm * s.area) for s in template.segments])
    worst = None
    for i, j in template.topology.pairs:
        lam = G[i, j] * (1 / C[i] + 1 / C[j])
        if worst is None or lam > worst[0]:
            worst = (lam, i, j)
    if worst is None:
        return
    lam, i, j = worst
    if lam * float(dt) > limit:
        a, b = template.segments[i].name, template.segments[j].name
        raise ValueError(
            f"The coupling between '{a}' and '{b}' has a time constant of "
            f"{1e3 / lam:.3g} ms, too stiff for method '{method}' at dt = {float(dt) * 1e3:g} ms: "
            f"|lambda*dt| = {lam * float(dt):.3g} exceeds its stability limit {limit}. "
            f"Use dt <= {limit / lam * 1e3:.3g} ms, or method='crank_nicolson' "
            f"(implicit, no limit).")


def check_kinetics_step(template, dt):
    """Warn (`StepTooLargeWarning`) if ``dt`` exceeds `KINETICS_RATIO` times the template's
    fastest gating time constant (`fastest_gate`), at which spike counts and times are no
    longer those of a converged run, whatever the method."""
    tau, gate, v_mV = fastest_gate(template)
    limit = KINETICS_RATIO * float(tau)
    if float(dt) > limit * (1 + 1e-9):
        warnings.warn(
            f"dt = {float(dt) * 1e3:g} ms is too large for template '{template.name}': its "
            f"fastest gate, {gate}, has a time constant of {float(tau) * 1e3:.3g} ms (at "
            f"{v_mV:g} mV, {template.celsius:g} degC), and above {KINETICS_RATIO:g} times it "
            f"spike counts and times differ from a converged run (docs/engine.md, 'Time "
            f"step'). Use dt <= {limit * 1e3:.3g} ms (check_step=False silences this).",
            StepTooLargeWarning, stacklevel=3)


@functools.lru_cache(maxsize=256)
def _gate_taus(channel, celsius):
    """(tau in ms, gate, v in mV) of the fastest gate of ``channel`` over `GATE_RANGE_MV`."""
    from .channels.kinetics import gate_kinetics

    low, high = GATE_RANGE_MV
    table = gate_kinetics(channel, np.arange(low, high + 0.5, 1.0) * mV, celsius)
    best = (np.inf, None, None)
    for col in (c for c in table.columns if c.startswith("tau_")):
        taus = table[col].to_numpy()
        taus = np.where(np.isfinite(taus) & (taus > 0), taus, np.inf)
        k = int(np.argmin(taus))
        if taus[k] < best[0]:
            best = (float(taus[k]), f"{col[len('tau_'):-len('_ms')]}_{channel.name}",
                    float(table.v_mV.iloc[k]))
    return best


def fastest_gate(template):
    """The fastest voltage-gated kinetics of ``template`` at its temperature.

    Returns ``(tau, gate, v_mV)``: the smallest gating time constant of any
    channel (receptors, pools and ungated channels excluded) over `GATE_RANGE_MV`,
    the gate (``m_nat``) and the voltage where it is smallest. ``tau`` is
    ``inf*ms`` for a template without gates.
    """
    best = (np.inf, None, None)
    seen = set()
    for comp in template.compartments:
        for ch in comp.channels:
            if ch.kind != "channel" or ch in seen:
                continue
            seen.add(ch)
            found = _gate_taus(ch, template.celsius)
            if found[0] < best[0]:
                best = found
    return best[0] * ms, best[1], best[2]


def guard_code(voltages):
    """Abstract code recording the first voltage (1-based index) that is NaN or runs away.

    ``voltages`` are variable names (``v_soma``, ...) in the order they are numbered.
    """
    lines, prev = [], "0"
    for k in reversed(range(len(voltages))):
        bad = f"int(not (abs({voltages[k]}) < {float(RUNAWAY)}*volt))"
        lines.append(f"_first{k} = {bad}*{k + 1} + (1 - {bad})*{prev}")
        prev = f"_first{k}"
    lines.append(f"_new = int(diverged_segment == 0)*{prev}")
    lines.append("t_diverged = t_diverged + int(_new > 0)*t")
    lines.append("diverged_segment = diverged_segment + _new")
    return "\n".join(lines)


def voltage_names(equations):
    """Voltage state variables in equation order."""
    volt_dim = get_dimensions(volt)
    return [eq.varname for eq in equations.ordered
            if eq.type == DIFFERENTIAL_EQUATION and eq.dim is volt_dim]


_VOLTAGES = weakref.WeakKeyDictionary()  # group -> voltages in the order flags number them
_COMPARTMENTS = weakref.WeakKeyDictionary()  # group -> {segment: compartment}


def _voltages(group):
    return _VOLTAGES.get(group) or voltage_names(group.equations)


def _first_bad(arrays):
    """Per neuron, 1 + the index of the first bad voltage in ``arrays`` (0: none)."""
    first = np.zeros(len(arrays[0]), dtype=np.int32)
    limit = float(RUNAWAY)
    for k in range(len(arrays) - 1, -1, -1):
        first[~(np.abs(arrays[k]) < limit)] = k + 1
    return first


def scan_voltages(group, voltages=None):
    """Record, from the voltage arrays, the first runaway segment of every neuron (runtime mode).

    Works on the underlying arrays (``Variable.get_value``, no copies, no unit
    handling): about 10 µs for 2000 neurons of 5 segments.
    """
    variables = group.variables
    voltages = _voltages(group) if voltages is None else voltages
    flags = variables["diverged_segment"].get_value()
    fresh = _first_bad([variables[v].get_value() for v in voltages])
    new = (flags == 0) & (fresh > 0)
    if new.any():
        flags[new] = fresh[new]
        variables["t_diverged"].get_value()[new] = float(group.clock.t_[:])


class DivergenceCheck(BrianObject):
    """Scans the voltages at the start of a run, every `GUARD_INTERVAL` and after it; raises
    `SimulationDiverged` naming where the divergence started (see the module docstring).

    Runtime mode only. It runs on the group's own clock (an object on a
    separate clock would switch Brian2's run loop to its slower multi-clock
    path) and does no per-neuron work between checks; each check copies the
    group's state (its differential equations and run-time parameters).
    """

    add_to_magic_network = True

    def __init__(self, group, voltages, kinetics=None):
        BrianObject.__init__(self, clock=group.clock, when="end", order=1,
                             name=f"{group.name}_divergence_raise")
        self._kinetics = kinetics  # (template, dt checked by make_group) or None
        self._group = weakref.ref(group)  # owned by the group, like its run_regularly
        self._voltages = list(voltages)
        eqs = group.equations
        self._state_names = [eq.varname for eq in eqs.ordered
                             if eq.type == DIFFERENTIAL_EQUATION
                             or (eq.type == PARAMETER and "constant" not in eq.flags
                                 and eq.varname not in ("diverged_segment", "t_diverged"))]
        self._every, self._steps, self._since = 1, 0, 0
        self._arrays, self._saved, self._bad_at_start = None, None, False

    @property
    def group(self):
        return self._group()

    def before_run(self, run_namespace):
        super().before_run(run_namespace)
        if self._kinetics is not None and self.group.clock.dt != self._kinetics[1]:
            # the group follows defaultclock, changed since make_group
            check_kinetics_step(self._kinetics[0], self.group.clock.dt)
            self._kinetics = (self._kinetics[0], self.group.clock.dt)
        variables = self.group.variables
        self._arrays = {name: variables[name].get_value() for name in self._state_names}
        self._every = max(1, int(round(float(GUARD_INTERVAL / self.group.clock.dt))))
        self._since = 0
        # raised in the first step: Brian2 would wrap an error raised here in another one
        self._bad_at_start = bool(_first_bad([self._arrays[v] for v in self._voltages]).any())
        if self._bad_at_start:
            scan_voltages(self.group, self._voltages)
        else:
            self._save()

    def run(self):
        if self._bad_at_start:
            check_divergence(self.group, at_start=True)
        self._steps += 1
        self._since += 1
        if self._steps % self._every == 0:
            self._check()

    def after_run(self):
        self._check()
        self._arrays = self._saved = None  # no references kept between runs

    def _save(self):
        self._saved = {name: arr.copy() for name, arr in self._arrays.items()}
        self._since = 0

    def _check(self):
        first = _first_bad([self._arrays[v] for v in self._voltages])
        if not first.any():
            self._save()
            return
        scan_voltages(self.group, self._voltages)
        check_divergence(self.group, origin=self._replay(int(np.flatnonzero(first)[0])))

    def _replay(self, neuron):
        """(segment, steps after the last check) where ``neuron`` first went bad when the
        interval since the last check is replayed; None if the replay does not diverge."""
        if self._saved is None:
            return None
        group = self.group
        updaters = [o for o in (group.subexpression_updater, group.state_updater)
                    if o is not None]
        now = {name: arr.copy() for name, arr in self._arrays.items()}
        limit = float(RUNAWAY)
        try:
            for name, arr in self._arrays.items():
                arr[:] = self._saved[name]
            previous = np.array([self._arrays[v][neuron] for v in self._voltages])
            for step in range(1, 2 * self._since + 2):
                for updater in updaters:
                    updater.run()
                current = np.array([self._arrays[v][neuron] for v in self._voltages])
                bad = np.flatnonzero(~(np.abs(current) < limit))
                if len(bad):
                    # several at once (a NaN spreads through the implicit solve in one step):
                    # the one that was most extreme just before
                    k = bad[np.argmax(np.abs(previous[bad]))] if len(bad) > 1 else bad[0]
                    return self._voltages[k][len("v_"):], step
                previous = current
        finally:
            for name, arr in self._arrays.items():
                arr[:] = now[name]
        return None


def attach(group, segments=None, kinetics=None):
    """Add the divergence check to ``group`` (called by ``make_group``).

    ``segments``: dict segment name -> compartment name in solve order (root
    first), the order in which the first bad segment is looked for.
    ``kinetics``: ``(template, dt)``, the dt `check_kinetics_step` checked; a
    run at another dt (the group follows a changed ``defaultclock``) is checked
    again (runtime targets). Runtime targets: a `DivergenceCheck`.
    ``cpp_standalone``: a ``run_regularly`` operation every `GUARD_INTERVAL`
    recording the first runaway segment, checked after the run. Neither adds
    work to the per-step update of the neurons.
    """
    voltages = ([f"v_{s}" for s in segments] if segments is not None
                else voltage_names(group.equations))
    _VOLTAGES[group] = voltages
    _COMPARTMENTS[group] = dict(segments or {})
    if isinstance(get_device(), RuntimeDevice):
        group.contained_objects.append(DivergenceCheck(group, voltages, kinetics))
    else:
        group.run_regularly(guard_code(voltages), dt=GUARD_INTERVAL,
                            when="end", name=f"{group.name}_divergence_check")


def check_divergence(group, origin=None, at_start=False):
    """Raise `SimulationDiverged` if any neuron of ``group`` has diverged.

    ``origin``: ``(segment, steps)`` where the divergence started, found by a
    replay (`DivergenceCheck`); without it the first bad segment in solve order
    at the check is named.
    """
    if hasattr(type(group), "check_divergence"):  # a group with its own scan (tree solver)
        return group.check_divergence()
    flags = np.asarray(group.diverged_segment_)
    bad = np.flatnonzero(flags)
    if len(bad) == 0:
        return
    k = int(bad[0])
    first = _voltages(group)[int(flags[k]) - 1][len("v_"):]
    t = float(np.asarray(group.t_diverged_)[k]) * second
    others = f"{len(bad)} neuron(s) diverged"
    compartment = _COMPARTMENTS.get(group, {})

    def named(segment):
        comp = compartment.get(segment, segment)
        return f"compartment '{comp}'" + (f" (segment '{segment}')" if comp != segment else "")

    if at_start:
        raise SimulationDiverged(
            f"The voltage of {named(first)} of neuron {k} in group '{group.name}' is NaN or "
            f"beyond ±{RUNAWAY} at the start of the run, t = {t} ({others}): it was set so "
            f"before the run, or an earlier run diverged.")
    if origin is not None:
        segment, steps = origin
        where = (f"started in {named(segment)}: replaying the interval since the check before "
                 f"(without input from other groups), it went bad there first, {steps} "
                 f"step(s) in")
    else:
        segment = first
        why = (": a replay without input from other groups did not diverge"
               if isinstance(get_device(), RuntimeDevice) else " in cpp_standalone")
        where = (f"was found first in {named(segment)} (in solve order; where it started is "
                 f"not known{why})")
    raise SimulationDiverged(
        f"The voltage of neuron {k} in group '{group.name}' became NaN or left ±{RUNAWAY} by "
        f"t = {t} ({others}); the divergence {where}. Reduce dt, use "
        f"method='crank_nicolson', or check the parameters of {named(segment)}.")
