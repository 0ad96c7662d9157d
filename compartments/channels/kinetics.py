"""Gate kinetics and voltage-clamp currents of a single channel, for validation and docs.

`gate_kinetics` evaluates every gating variable's steady state and time
constant from the channel's own equations (each gate is conditionally linear,
``dx/dt = A x + B``, so ``x_inf = -B/A`` and ``tau_x = -1/A``), at the given
voltages, calcium concentration and temperature. `voltage_clamp` runs a
family of voltage steps on the channel alone with Brian2 and returns the
current density traces.
"""

import functools

import numpy as np
import pandas as pd
import sympy as sp
from brian2 import (Equations, Network, NeuronGroup, StateMonitor, mM,
                    ms, volt)
from brian2.core.namespace import DEFAULT_UNITS
from brian2.equations.equations import DIFFERENTIAL_EQUATION, SUBEXPRESSION
from brian2.parsing.sympytools import str_to_sympy

from ..constants import PHYSICAL_CONSTANTS
from ..rest import _MODULES

__all__ = ["gate_kinetics", "voltage_clamp"]


def _values(channel, celsius):
    """The channel's parameters and temperature inputs as SI floats, by local name."""
    values = {p.name: float(np.asarray(p.value)) for p in channel.parameters.values()}
    values.update(channel.extra_constants(celsius))
    values["T"] = celsius + 273.15
    return values


@functools.lru_cache(maxsize=None)
def _gate_rates(cls):
    """Per channel class: the gates, the argument names and one numpy function of all gate
    right-hand sides (parameters are arguments, so every instance shares it)."""
    eqs = cls().equations()
    subs = {}
    for eq in eqs.ordered:
        if eq.type == SUBEXPRESSION:
            subs[sp.Symbol(eq.varname, real=True)] = str_to_sympy(eq.expr.code).xreplace(subs)
    gates = [eq.varname for eq in eqs.ordered if eq.type == DIFFERENTIAL_EQUATION]
    rhs = [str_to_sympy(eqs[g].expr.code).xreplace(subs) for g in gates]
    args = sorted({s.name for e in rhs for s in e.free_symbols})
    return gates, args, sp.lambdify(args, rhs, modules=_MODULES)


def gate_kinetics(channel, v, celsius=None, ca_i=5e-5 * mM):
    """Steady states and time constants of every gate of ``channel``.

    Parameters
    ----------
    channel : `Channel`
    v : `Quantity`
        Voltages (array, volt).
    celsius : float, optional
        Temperature in degrees Celsius (default: the channel's reference temperature).
    ca_i : `Quantity`
        Intracellular calcium for calcium-dependent gates (mmolar).

    Returns
    -------
    DataFrame
        Columns ``v_mV`` and, per gate ``x``, ``x_inf`` and ``tau_x_ms``.
    """
    celsius = channel.reference_temperature if celsius is None else celsius
    celsius = 36.0 if celsius is None else celsius
    values = _values(channel, celsius)
    v = np.asarray(v / volt, dtype=float)
    env = {**{k: float(u) for k, u in DEFAULT_UNITS.items()},
           **{k: float(c) for k, c in PHYSICAL_CONSTANTS.items()}, **values,
           "v": v, "ca_i": float(ca_i / mM) * 1.0}
    gates, args, rates = _gate_rates(type(channel))
    out = {"v_mV": v * 1e3}
    # each gate is conditionally linear, dx/dt = A x + B: B = f(0), A = f(1) - f(0)
    with np.errstate(all="ignore"):
        b = rates(*[0.0 if n in gates else env[n] for n in args])
        ab = rates(*[1.0 if n in gates else env[n] for n in args])
    for gate, b_k, ab_k in zip(gates, b, ab):
        a_k = np.broadcast_to(ab_k - b_k, v.shape)
        out[f"{gate}_inf"] = -np.broadcast_to(b_k, v.shape) / a_k
        out[f"tau_{gate}_ms"] = -1e3 / a_k
    return pd.DataFrame(out)


def voltage_clamp(channel, steps, hold, duration, celsius=None, ca_i=5e-5 * mM,
                  dt=0.005 * ms):
    """Current density of ``channel`` after stepping from ``hold`` to each of ``steps``.

    The gates start at their steady state at ``hold``; the voltage is then
    held at each step (one neuron per step) for ``duration``. The current is
    inward positive (amp/meter**2).

    Returns
    -------
    DataFrame
        ``t_ms``, ``step_mV`` and ``I_uA_per_cm2`` (inward positive).
    """
    celsius = channel.reference_temperature if celsius is None else celsius
    celsius = 36.0 if celsius is None else celsius
    eqs, values = channel.equations(), _values(channel, celsius)
    extra = Equations("v : volt (constant)")
    if "T" in channel.requires:
        extra += Equations("T : kelvin (constant)")
    if "ca_i" in channel.requires:
        extra += Equations("ca_i : mmolar (constant)")
    if "ca_o" in channel.requires:
        extra += Equations("ca_o : mmolar (constant)")
    steps = np.asarray(steps / volt, dtype=float)
    group = NeuronGroup(len(steps), eqs + extra, method="exponential_euler", dt=dt,
                        namespace=dict(PHYSICAL_CONSTANTS))
    for name, value in values.items():
        if name in group.variables:
            setattr(group, name + "_", value)
    if "ca_i" in channel.requires:
        group.ca_i = ca_i
    if "ca_o" in channel.requires:
        group.ca_o_ = 2.0
    start = gate_kinetics(channel, np.array([float(hold / volt)]) * volt, celsius, ca_i)
    for col in start.columns:
        if col.endswith("_inf"):
            setattr(group, col[:-4], float(start[col].iloc[0]))
    group.v_ = steps
    mon = StateMonitor(group, channel.current, record=True)
    Network(group, mon).run(duration)
    current = np.asarray(getattr(mon, channel.current + "_")) * 100.0  # A/m2 -> uA/cm2
    t = np.asarray(mon.t_) * 1e3
    return pd.DataFrame({"t_ms": np.tile(t, len(steps)), "step_mV": np.repeat(steps * 1e3, len(t)),
                         "I_uA_per_cm2": current.ravel()})


