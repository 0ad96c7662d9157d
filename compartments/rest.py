"""Resting state: the stable fixed point of the full state, per neuron, vectorised.

The right-hand sides of all differential equations (subexpressions substituted)
and their Jacobian (differentiated by sympy) are compiled to numpy with
``sympy.lambdify`` and evaluated for every neuron at once. Newton's method
then solves ``f(x) = 0`` for voltages, gates and ion pools together, with the
voltage step limited to 10 mV per iteration. A fixed point is accepted when
every eigenvalue of the Jacobian there has a negative real part.

Where Newton fails or the fixed point is unstable (a pacemaker, a bistable
cell), the neuron is *relaxed*: integrated at zero input for 1 s from
v = -65 mV with gates at steady state (scipy's LSODA), and started from where
it ends; a warning names those neurons.
"""

import warnings

import numpy as np
import sympy as sp
from brian2 import get_dimensions, volt
from brian2.core.functions import DEFAULT_CONSTANTS
from brian2.core.namespace import DEFAULT_UNITS
from brian2.equations.equations import DIFFERENTIAL_EQUATION, PARAMETER, SUBEXPRESSION
from brian2.parsing.sympytools import str_to_sympy

from .constants import PHYSICAL_CONSTANTS

__all__ = ["StateSystem", "equilibrate", "RELAX_TIME", "GUESS"]

RELAX_TIME = 1.0  # seconds of relaxation for neurons without a stable fixed point
GUESS = -65e-3  # volt, initial guess for every compartment
_MAX_DV = 10e-3  # volt, largest voltage change per Newton iteration


def _np_exprel(x):
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2, np.expm1(safe) / safe)


_MODULES = [{"exprel": _np_exprel}, "numpy"]


class StateSystem:
    """The ODE system ``dx/dt = f(x)`` of a group's equations, evaluated with numpy.

    Parameters
    ----------
    equations : `Equations`
        Model equations as given to the group (``group.user_equations``:
        ``(constant over dt)`` subexpressions are still subexpressions there).
    values : dict
        Per-neuron parameter arrays (SI floats) by variable name; parameters
        missing here (e.g. ``I_ext_*``) are taken as zero.
    guess : dict, optional
        Starting values (SI) of non-voltage states for the solves, by name
        (default 0; a calcium pool starts at its resting concentration, where
        a Nernst potential is finite).
    """

    def __init__(self, equations, values, guess=None):
        self.guess = dict(guess or {})
        self.states = [eq.varname for eq in equations.ordered if eq.type == DIFFERENTIAL_EQUATION]
        volt_dim = get_dimensions(volt)
        self.voltages = [s for s in self.states if equations[s].dim is volt_dim]
        self.others = [s for s in self.states if s not in self.voltages]
        self.n = len(next(iter(values.values())))
        subs = {}
        for eq in equations.ordered:
            if eq.type == SUBEXPRESSION:
                subs[sp.Symbol(eq.varname, real=True)] = str_to_sympy(eq.expr.code).xreplace(subs)
        rhs = [str_to_sympy(equations[s].expr.code).xreplace(subs) for s in self.states]
        self._symbols = [sp.Symbol(s, real=True) for s in self.states]
        free = sorted({s.name for e in rhs for s in e.free_symbols} - set(self.states))
        parameters = {eq.varname for eq in equations.ordered if eq.type == PARAMETER}
        self._args = []
        for name in free:
            if name in values:
                self._args.append(np.asarray(values[name], dtype=float))
            elif name in parameters or name == "t":
                self._args.append(np.zeros(self.n))
            elif name in PHYSICAL_CONSTANTS:
                self._args.append(float(PHYSICAL_CONSTANTS[name]))
            elif name in DEFAULT_UNITS:
                self._args.append(float(DEFAULT_UNITS[name]))
            elif name in DEFAULT_CONSTANTS:
                self._args.append(float(DEFAULT_CONSTANTS[name].value))
            else:
                raise KeyError(f"Cannot evaluate '{name}' to find the resting state: it is "
                               f"neither a state, a parameter nor a unit.")
        syms = self._symbols + [sp.Symbol(name, real=True) for name in free]
        entries = {}
        for i, e in enumerate(rhs):
            present = e.free_symbols
            for j, s in enumerate(self._symbols):
                if s in present:
                    d = sp.diff(e, s)
                    if d != 0:
                        entries[i, j] = d
        # one lambdified function for all right-hand sides, one for all Jacobian entries:
        # compiling per entry costs O(states * arguments) each, O(n^2) in all
        self._f = sp.lambdify(syms, rhs, modules=_MODULES)
        self._jac_index = list(entries)
        self._jac = sp.lambdify(syms, list(entries.values()), modules=_MODULES)

    def __repr__(self):
        return (f"{type(self).__name__}(neurons={self.n}, voltages={len(self.voltages)}, "
                f"other states={len(self.others)})")

    # -- evaluation ------------------------------------------------------------------
    def _call(self, fn, x, args=None):
        with np.errstate(all="ignore"):  # Newton may probe far from rest; NaN is handled
            out = fn(*x.T, *(self._args if args is None else args))
        return [np.broadcast_to(np.asarray(o, dtype=float), (x.shape[0],)) for o in out]

    def f(self, x, args=None):
        """Right-hand sides, shape (neurons, states), for states ``x`` of that shape.

        ``args`` replaces the parameter arrays (used for a subset of neurons).
        """
        return np.stack(self._call(self._f, x, args), axis=1)

    def jacobian(self, x, args=None):
        """Jacobian df/dx, shape (neurons, states, states) (``args`` as in `f`)."""
        J = np.zeros((x.shape[0], len(self.states), len(self.states)))
        for (i, j), value in zip(self._jac_index, self._call(self._jac, x, args)):
            J[:, i, j] = value
        return J

    def unpack(self, x):
        """Dictionary state name -> array of values."""
        return {name: x[:, k] for k, name in enumerate(self.states)}

    # -- solves ----------------------------------------------------------------------
    def steady_gates(self, voltages):
        """Full states with the given voltages, every other state at steady state.

        This is NEURON's ``finitialize(v)``. ``voltages`` has shape
        (neurons, compartments) in volt (SI floats).
        """
        x = np.zeros((self.n, len(self.states)))
        vi = [self.states.index(v) for v in self.voltages]
        oi = [self.states.index(o) for o in self.others]
        x[:, vi] = voltages
        for name, value in self.guess.items():
            if name in self.others:
                x[:, self.states.index(name)] = value
        if not oi:
            return x
        for _ in range(50):
            F = self.f(x)[:, oi]
            J = self.jacobian(x)[:, oi][:, :, oi]
            dx = np.linalg.solve(J, -F[..., None])[..., 0]
            x[:, oi] += dx
            if np.all(np.abs(dx) <= 1e-13 * (1 + np.abs(x[:, oi]))):
                break
        return x

    def rest(self, guess=GUESS):
        """Resting state of every neuron: Newton, then relaxation where that fails.

        Afterwards ``self.stable`` marks the neurons whose state is a stable
        fixed point (the others were relaxed).
        """
        x = self.steady_gates(np.full((self.n, len(self.voltages)), guess))
        start = x.copy()
        vi = np.array([self.states.index(v) for v in self.voltages])
        ok = np.zeros(self.n, dtype=bool)
        for _ in range(100):
            J = self.jacobian(x)
            try:
                dx = np.linalg.solve(J, -self.f(x)[..., None])[..., 0]
            except np.linalg.LinAlgError:
                break
            big = np.max(np.abs(dx[:, vi]), axis=1) if len(vi) else np.zeros(self.n)
            dx *= np.minimum(1.0, _MAX_DV / np.maximum(big, 1e-300))[:, None]
            x += dx
            ok = np.all(np.abs(dx) <= 1e-11 * (1e-3 + np.abs(x)), axis=1)
            if np.all(ok):
                break
        ok &= np.all(np.isfinite(x), axis=1)
        if np.any(ok):
            eig = np.linalg.eigvals(self.jacobian(x[ok], self._subset(ok)))
            stable = np.max(eig.real, axis=1) < 0
            ok[np.flatnonzero(ok)[~stable]] = False
        self.stable = ok
        if not np.all(ok):
            bad = np.flatnonzero(~ok)
            warnings.warn(
                f"Neurons {bad.tolist()[:10]}{' ...' if len(bad) > 10 else ''} have no stable "
                f"resting state that Newton's method could find; they start after "
                f"{RELAX_TIME} s of relaxation at zero input from v = {GUESS * 1e3:g} mV.",
                RuntimeWarning, stacklevel=3)
            x[bad] = self.relax(start[bad], bad)
        return x

    def _subset(self, neurons):
        """The parameter arrays of some neurons (index or mask)."""
        return [a[neurons] if np.ndim(a) else a for a in self._args]

    def relax(self, x0, neurons):
        """Integrate neurons ``neurons`` from ``x0`` for RELAX_TIME at zero input."""
        from scipy.integrate import solve_ivp

        args = self._subset(neurons)
        shape = x0.shape
        sol = solve_ivp(lambda t, y: self.f(y.reshape(shape), args).ravel(), (0, RELAX_TIME),
                        x0.ravel(), method="LSODA", rtol=1e-8, atol=1e-10)
        return sol.y[:, -1].reshape(shape)


def group_values(group):
    """Current per-neuron parameter values of a (runtime) group, by name (SI floats).

    Linked variables (a modulator pool's concentrations) are read through their
    index; ``(constant over dt)`` subexpressions are not parameters here.
    """
    eqs = group.user_equations
    return {name: np.asarray(getattr(group, name + "_"), dtype=float)
            for name in eqs.names if eqs[name].type == PARAMETER}


def group_states(group, neurons=slice(None)):
    """Current values of a (runtime) group's state variables, by name (SI floats)."""
    return {name: np.asarray(group.variables[name].get_value(), dtype=float)[neurons]
            for name in group.equations.diff_eq_names}


def equilibrate(group):
    """Set every neuron of ``group`` to its resting state for its current parameters.

    Call it after changing parameters (densities, reversal potentials,
    geometry) so that a run starts at rest. Runtime targets only (numpy,
    Cython): in ``cpp_standalone`` values cannot be read before the build.
    """
    system = StateSystem(group.user_equations, group_values(group), guess=group_states(group))
    for name, arr in system.unpack(system.rest()).items():
        setattr(group, name + "_", arr)
    return group
