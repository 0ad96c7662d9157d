"""Numerical integrity: step-size checks before a run, divergence checks during it.

Before a run, `check_step` compares the stiffness of each axial coupling with
the stability limit of an explicit method and says which dt or method would
be stable. During a run, every `GUARD_INTERVAL`, each neuron's first segment
whose voltage is NaN or beyond ±`RUNAWAY` is recorded (variables
``diverged_segment`` and ``t_diverged``). In runtime mode a
`DivergenceCheck` scans the voltage arrays and raises `SimulationDiverged`
naming the compartment and neuron, every `GUARD_INTERVAL` and at the end of
each run. In
``cpp_standalone`` there is no Python in the loop: call `check_divergence`
after the run (``compartments.record`` does this for you).
"""

import weakref

import numpy as np
from brian2 import BrianObject, Equations, get_device, get_dimensions, ms, second, volt
from brian2.devices.device import RuntimeDevice
from brian2.equations.equations import DIFFERENTIAL_EQUATION


__all__ = ["SimulationDiverged", "check_step", "check_divergence", "GUARD_INTERVAL",
           "RUNAWAY", "STABILITY_LIMITS"]

GUARD_INTERVAL = 1 * ms
RUNAWAY = 1 * volt
GUARD_EQUATIONS = Equations("""
diverged_segment : integer
t_diverged : second
""")

# Largest |lambda*dt| on the negative real axis for which each explicit method is stable.
STABILITY_LIMITS = {"euler": 2.0, "rk2": 2.0, "midpoint": 2.0, "heun": 2.0, "rk4": 2.785}


class SimulationDiverged(FloatingPointError):
    """A voltage became NaN or ran away; the message names compartment, neuron and time."""


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


def guard_code(voltages):
    """Abstract code recording the first voltage (1-based index) that is NaN or runs away.

    ``voltages`` are variable names (``v_soma``, ...) in the group's equation order.
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
    """Voltage state variables in equation order (the order `guard_code` numbers them)."""
    volt_dim = get_dimensions(volt)
    return [eq.varname for eq in equations.ordered
            if eq.type == DIFFERENTIAL_EQUATION and eq.dim is volt_dim]


def scan_voltages(group, voltages=None):
    """Record, from the voltage arrays, the first runaway segment of every neuron (runtime mode).

    Works on the underlying arrays (``Variable.get_value``, no copies, no unit
    handling): about 10 µs for 2000 neurons of 5 segments.
    """
    variables = group.variables
    voltages = voltage_names(group.equations) if voltages is None else voltages
    flags = variables["diverged_segment"].get_value()
    fresh = np.zeros(len(flags), dtype=flags.dtype)
    limit = float(RUNAWAY)
    for k in range(len(voltages) - 1, -1, -1):
        fresh[~(np.abs(variables[voltages[k]].get_value()) < limit)] = k + 1
    new = (flags == 0) & (fresh > 0)
    if new.any():
        flags[new] = fresh[new]
        variables["t_diverged"].get_value()[new] = float(group.clock.t_[:])


class DivergenceCheck(BrianObject):
    """Scans the voltages every `GUARD_INTERVAL` and after each run; raises `SimulationDiverged`.

    Runtime mode only. It runs on the group's own clock (an object on a
    separate clock would switch Brian2's run loop to its slower multi-clock
    path) and does no per-neuron work between checks.
    """

    add_to_magic_network = True

    def __init__(self, group):
        BrianObject.__init__(self, clock=group.clock, when="end", order=1,
                             name=f"{group.name}_divergence_raise")
        self.group = weakref.proxy(group)  # owned by the group, like its run_regularly
        self._every = max(1, int(round(float(GUARD_INTERVAL / group.clock.dt))))
        self._steps = 0
        self._voltages = voltage_names(group.equations)

    def run(self):
        self._steps += 1
        if self._steps % self._every == 0:
            self._check()

    def after_run(self):
        self._check()

    def _check(self):
        scan_voltages(self.group, self._voltages)
        if self.group.variables["diverged_segment"].get_value().any():
            check_divergence(self.group)


def attach(group):
    """Add the divergence check to ``group`` (called by ``make_group``).

    Runtime targets: a `DivergenceCheck` scanning the voltage arrays every
    `GUARD_INTERVAL`. ``cpp_standalone``: a ``run_regularly`` operation every
    `GUARD_INTERVAL` recording the first runaway segment, checked after the run.
    Neither adds work to the per-step update of the neurons.
    """
    if isinstance(get_device(), RuntimeDevice):
        group.contained_objects.append(DivergenceCheck(group))
    else:
        group.run_regularly(guard_code(voltage_names(group.equations)), dt=GUARD_INTERVAL,
                            when="end", name=f"{group.name}_divergence_check")


def check_divergence(group):
    """Raise `SimulationDiverged` if any neuron of ``group`` has diverged."""
    flags = np.asarray(group.diverged_segment_)
    bad = np.flatnonzero(flags)
    if len(bad) == 0:
        return
    k = int(bad[0])
    segment = voltage_names(group.equations)[int(flags[k]) - 1][len("v_"):]
    t = float(np.asarray(group.t_diverged_)[k]) * second
    raise SimulationDiverged(
        f"The voltage of compartment '{segment}' of neuron {k} in group '{group.name}' "
        f"became NaN or left ±{RUNAWAY} by t = {t} ({len(bad)} neuron(s) diverged). "
        f"Reduce dt, use method='crank_nicolson', or check the parameters of '{segment}'.")
