"""Linearisation of a template or group at rest: input resistances, attenuation, time constants.

The Jacobian of the full state (voltages, gates, pools) at the resting state
is obtained by sympy differentiation of the model equations (see
`compartments.rest.StateSystem`) and evaluated numerically; eigenvalues are
computed numerically, so large templates are fine. The steady-state response
to a small constant current ``dI`` into segment ``a`` is
``dx = -J^{-1} e_a dI / C_a``; its voltage entries give input and transfer
resistances and the attenuation ``dv_b / dv_a``.
"""

import warnings

import numpy as np
from brian2 import ohm, second

from .rest import StateSystem, group_states, group_values

__all__ = ["linearize", "Linearization"]


class Linearization:
    """Linear response of one neuron at rest (see `linearize`)."""

    def __init__(self, system, state, capacitance):
        self.system = system
        self.state = state
        self.jacobian = system.jacobian(state[None, :])[0]
        self.capacitance = capacitance

    def __repr__(self):
        return f"{type(self).__name__}(states={len(self.system.states)})"

    def _column(self, segment):
        name = f"v_{segment}"
        if name not in self.system.voltages:
            raise KeyError(f"Unknown segment '{segment}'; segments: "
                           f"{[v[2:] for v in self.system.voltages]}.")
        e = np.zeros(len(self.system.states))
        k = self.system.states.index(name)
        e[k] = 1.0 / self.capacitance[segment]
        return -np.linalg.solve(self.jacobian, e)

    def transfer_resistance(self, inject, measure):
        """dv(measure)/dI(inject) at steady state (ohm)."""
        dx = self._column(inject)
        return dx[self.system.states.index(f"v_{measure}")] * ohm

    def input_resistance(self, segment):
        """dv/dI at steady state for current into ``segment`` (ohm)."""
        return self.transfer_resistance(segment, segment)

    def attenuation(self, inject, measure):
        """Steady-state dv(measure)/dv(inject) for current into ``inject``."""
        return float(self.transfer_resistance(inject, measure) / self.input_resistance(inject))

    @property
    def time_constants(self):
        """-1/Re(eigenvalue) of the Jacobian, slowest first (second)."""
        eig = np.linalg.eigvals(self.jacobian)
        return np.sort(-1.0 / eig.real)[::-1] * second

    @property
    def resting_potentials(self):
        """Resting voltage of each segment (dict of volt quantities)."""
        from brian2 import volt

        return {v[2:]: self.state[self.system.states.index(v)] * volt
                for v in self.system.voltages}


def linearize(model, neuron=0):
    """Linearise a `CellTemplate` (at its defaults) or one neuron of a group at rest.

    Examples
    --------
    >>> from brian2 import um, msiemens, cm, mV
    >>> from compartments import Compartment, CellTemplate, channels, linearize
    >>> soma = Compartment("soma", length=20*um, diameter=20*um,
    ...                    channels=[channels.Leak(g=0.05*msiemens/cm**2, E=-70*mV)])
    >>> lin = linearize(CellTemplate("rc", [soma]))
    >>> round(float(lin.time_constants[0] * 1e3), 3)   # cm/g = 20 ms
    20.0
    """
    from .template import CellTemplate

    if isinstance(model, CellTemplate):
        values = model.initial_values(1)
        eqs = model.equations
        guess = model.initial_guess()
    else:
        values = {k: v[neuron:neuron + 1] for k, v in group_values(model).items()}
        eqs = model.equations
        guess = group_states(model, neuron)
    system = StateSystem(eqs, values, guess=guess)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        state = system.rest()[0]
    if not system.stable[0]:
        raise ValueError("Cannot linearise: the model has no stable resting state at zero input "
                         "(it oscillates or diverges); linearisation is only meaningful about "
                         "a stable fixed point.")
    caps = {v[2:]: float(values[f"C_{v[2:]}"][0]) for v in system.voltages}
    return Linearization(system, state, caps)
