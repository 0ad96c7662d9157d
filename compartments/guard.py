"""Numerical integrity: step-size checks before a run, divergence checks during it.

Before a run, `check_step` compares the stiffness of each axial coupling with
the stability limit of an explicit method and says which dt or method would
be stable. During a run, every step, each neuron records the first segment
whose voltage is NaN or beyond ±`RUNAWAY` (variables ``diverged_segment`` and
``t_diverged``; the implicit updaters do this inside the state update, other
methods in a ``run_regularly`` operation). In runtime mode a
`DivergenceCheck` raises `SimulationDiverged` naming the compartment and
neuron every `GUARD_INTERVAL` and at the end of each run. In
``cpp_standalone`` there is no Python in the loop: call `check_divergence`
after the run (``compartments.record`` does this for you).
"""

import weakref

import numpy as np
from brian2 import BrianObject, Equations, get_device, get_dimensions, ms, second, volt
from brian2.devices.device import RuntimeDevice
from brian2.equations.equations import DIFFERENTIAL_EQUATION

from .integration import ImplicitCable

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


class DivergenceCheck(BrianObject):
    """Raises `SimulationDiverged` every `GUARD_INTERVAL` and after each run (runtime mode).

    It runs on the group's own clock: an object on a separate clock would
    switch Brian2's run loop to its slower multi-clock path.
    """

    add_to_magic_network = True

    def __init__(self, group):
        BrianObject.__init__(self, clock=group.clock, when="end", order=1,
                             name=f"{group.name}_divergence_raise")
        self.group = weakref.proxy(group)  # owned by the group, like its run_regularly
        self._every = max(1, int(round(float(GUARD_INTERVAL / group.clock.dt))))
        self._steps = 0

    def run(self):
        self._steps += 1
        if self._steps % self._every == 0:
            check_divergence(self.group)

    def after_run(self):
        check_divergence(self.group)


def attach(group, method):
    """Add the divergence check to ``group`` (called by ``make_group``).

    The implicit cable updaters record divergence inside the state update
    (no extra pass over the neurons); other methods get a ``run_regularly``
    operation on the group's clock.
    """
    if not isinstance(method, ImplicitCable) and method not in ("crank_nicolson",
                                                                 "backward_euler"):
        group.run_regularly(guard_code(voltage_names(group.equations)), when="end",
                            name=f"{group.name}_divergence_check")
    if isinstance(get_device(), RuntimeDevice):
        group.contained_objects.append(DivergenceCheck(group))


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
