"""Resting state: the stable fixed point of the full state, per neuron, vectorised.

The right-hand sides of all differential equations and their Jacobian (by the
chain rule over the subexpressions, `compartments.derivation`) are written as
numpy source, kept in the derived-artefact cache (`compartments.cache`), and
evaluated for every neuron at once. Newton's method
then solves ``f(x) = 0`` for voltages, gates and ion pools together, with the
voltage step limited to 10 mV per iteration. A fixed point is accepted when
every eigenvalue of the Jacobian there has a negative real part.

Where Newton fails or the fixed point is unstable (a pacemaker, a bistable
cell), the neuron is *relaxed*: integrated at zero input from v = -65 mV with
gates at steady state (scipy's BDF with the analytic, block-diagonal Jacobian)
in stages of `RELAX_STAGES` (at most `RELAX_TIME` and `RELAX_MAX_STEPS` steps
in all: bounded and deterministic); after each stage Newton is tried again from
where it ended (a 5 Hz pacemaker, the SST_MC type under 10 uM ACh, needs about
1,100 steps for its second; a group of fast oscillators reaches the cap first).
Each neuron ends with a status (`rest_status`): ``"rest"``
(Newton), ``"relaxed"`` (a stable rest found after relaxation) or ``"no rest"``
(still moving at the end: it starts where its relaxation ended, and a warning
names it).
"""

import json
import sys
import warnings
import weakref

import numpy as np
from brian2 import get_dimensions, volt
from brian2.core.functions import DEFAULT_CONSTANTS
from brian2.core.namespace import DEFAULT_UNITS
from brian2.equations.equations import DIFFERENTIAL_EQUATION, PARAMETER
from . import cache, derivation
from .constants import PHYSICAL_CONSTANTS
from .derivation import EquationGraph, Program, equations_text, names_in

__all__ = ["StateSystem", "equilibrate", "rest_status", "RELAX_TIME", "RELAX_STAGES",
           "RELAX_MAX_STEPS", "GUESS", "REST", "RELAXED", "NO_REST"]

RELAX_STAGES = (0.01, 0.05, 0.2, 1.0)  # s, ends of the relaxation stages (Newton after each)
RELAX_TIME = RELAX_STAGES[-1]  # s, the longest relaxation
RELAX_MAX_STEPS = 3000  # BDF steps over all stages: a cap on the cost, the same on any machine
GUESS = -65e-3  # volt, initial guess for every compartment
REST, RELAXED, NO_REST = "rest", "relaxed", "no rest"
_STATUS = weakref.WeakKeyDictionary()
_MAX_DV = 10e-3  # volt, largest voltage change per Newton iteration


def _np_exprel(x):
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2, np.expm1(safe) / safe)




_MODULES = [{"exprel": _np_exprel}, "numpy"]  # for sympy.lambdify (channels.kinetics)


def numpy_system(equations):
    """Python source of ``_f`` (all right-hand sides) and ``_jac`` (all Jacobian entries).

    Both take the states, then every other name the equations read, as numpy
    arrays or floats; derived by `compartments.derivation` (no substitution of
    subexpressions). Returns a dict: ``source``, ``arguments`` (names, states
    first) and ``jacobian`` (the (row, column) of each entry ``_jac`` returns).
    """
    graph = EquationGraph(equations)
    states = graph.states
    index = {s: i for i, s in enumerate(states)}
    program = Program(graph, "_r", "numpy")
    rhs = [program.rhs(s) for s in states]
    f_lines = len(program.lines)
    entries = {}
    for i, s in enumerate(states):
        for w in sorted(graph.dependencies(graph.names(("rhs", s))), key=index.get):
            d = program.derivative(s, w, rhs=True)
            if d is not None:
                entries[i, index[w]] = d
    used = set()
    for code in [c for _, c in program.lines] + rhs + list(entries.values()):
        used |= names_in(code)
    temporaries = {name for name, _ in program.lines}
    arguments = states + sorted(used - temporaries - set(states) - set(_namespace()))

    def function(name, lines, outputs):
        body = [f"    {target} = {code}" for target, code in lines]
        body.append(f"    return [{', '.join(outputs)}]")
        return f"def {name}({', '.join(arguments)}):\n" + "\n".join(body) + "\n"

    source = (function("_f", program.lines[:f_lines], rhs) + "\n"
              + function("_jac", program.lines, list(entries.values())))
    return {"source": source, "arguments": arguments, "jacobian": list(entries)}


def _namespace():
    namespace = {}
    exec("from numpy import *", namespace)  # noqa: S102 -- the names NumPyPrinter prints
    namespace["exprel"] = _np_exprel
    return namespace



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
        entry = cache.key(equations_text(equations), _DERIVING_MODULES, derivation.VERSIONS)
        text = cache.load("rest", entry)
        if text is None:
            text = json.dumps(numpy_system(equations))
            cache.store("rest", entry, text)
        system = json.loads(text)
        namespace = _namespace()
        exec(compile(system["source"], f"<resting state of {len(self.states)} states>", "exec"),
             namespace)
        self._f, self._jac = namespace["_f"], namespace["_jac"]
        self._jac_index = [tuple(ij) for ij in system["jacobian"]]
        parameters = {eq.varname for eq in equations.ordered if eq.type == PARAMETER}
        self._args = []
        for name in system["arguments"][len(self.states):]:
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
        (neurons, compartments) in volt (SI floats). A neuron whose gate solve
        fails (non-finite) keeps its starting values (``guess``, else 0).
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
        first = x.copy()
        for _ in range(50):
            F = self.f(x)[:, oi]
            J = self.jacobian(x)[:, oi][:, :, oi]
            dx = _solve(J, -F)
            x[:, oi] += dx
            if np.all(np.abs(dx) <= 1e-13 * (1 + np.abs(x[:, oi]))):
                break
        bad = ~np.all(np.isfinite(x), axis=1)
        x[bad] = first[bad]
        return x

    def newton(self, x, args=None):
        """Newton's method from ``x`` (changed in place); returns the converged mask.

        Converged means a finite fixed point; stability is not checked here.
        """
        vi = np.array([self.states.index(v) for v in self.voltages])
        ok = np.zeros(x.shape[0], dtype=bool)
        for _ in range(100):
            dx = _solve(self.jacobian(x, args), -self.f(x, args))
            big = np.max(np.abs(dx[:, vi]), axis=1) if len(vi) else np.zeros(x.shape[0])
            dx *= np.minimum(1.0, _MAX_DV / np.maximum(big, 1e-300))[:, None]
            x += np.where(np.isfinite(dx), dx, 0.0)
            ok = np.all(np.abs(dx) <= 1e-11 * (1e-3 + np.abs(x)), axis=1)
            if np.all(ok | ~np.isfinite(dx).all(axis=1)):
                break
        return ok & np.all(np.isfinite(x), axis=1)

    def is_stable(self, x, args=None):
        """Whether each state ``x`` (a fixed point) has only eigenvalues with negative real
        part."""
        if x.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        J = self.jacobian(x, args)
        finite = np.all(np.isfinite(J), axis=(1, 2))
        stable = np.zeros(x.shape[0], dtype=bool)
        if finite.any():
            stable[finite] = np.max(np.linalg.eigvals(J[finite]).real, axis=1) < 0
        return stable

    def rest(self, guess=GUESS, warn=True):
        """Resting state of every neuron: Newton, then staged relaxation where that fails.

        Afterwards ``self.stable`` marks the neurons at a stable fixed point and
        ``self.status`` holds `REST`, `RELAXED` or `NO_REST` per neuron.
        """
        x = self.steady_gates(np.full((self.n, len(self.voltages)), guess))
        start = x.copy()
        ok = self.newton(x)
        ok[ok] = self.is_stable(x[ok], self._subset(ok))
        status = np.where(ok, REST, NO_REST).astype(object)
        bad = np.flatnonzero(~ok)
        if len(bad):
            x[bad], settled = self.relax(start[bad], bad)
            status[bad[settled]] = RELAXED
        self.status = status
        self.stable = status != NO_REST
        moving = np.flatnonzero(~self.stable)
        if warn and len(moving):
            warnings.warn(
                f"Neurons {moving.tolist()[:10]}{' ...' if len(moving) > 10 else ''} have no "
                f"stable resting state: Newton's method and up to {RELAX_TIME:g} s of "
                f"relaxation at zero input from v = {guess * 1e3:g} mV found none; they start "
                f"where their relaxation ended (rest_status(group) lists them).",
                RuntimeWarning, stacklevel=3)
        return x

    def _subset(self, neurons):
        """The parameter arrays of some neurons (index or mask)."""
        return [a[neurons] if np.ndim(a) else a for a in self._args]

    def relax(self, x0, neurons):
        """Integrate neurons ``neurons`` from states ``x0`` at zero input, in `RELAX_STAGES`.

        After each stage, Newton is tried from where each neuron is; one that
        reaches a stable fixed point stops there. Returns the final states and
        a mask of the neurons that settled.
        """
        from scipy.integrate import BDF

        x = np.array(x0, dtype=float)
        settled = np.zeros(len(x), dtype=bool)
        steps, t = 0, 0.0
        for end in RELAX_STAGES:
            todo = np.flatnonzero(~settled)
            if not len(todo) or steps >= RELAX_MAX_STEPS:
                break
            args = self._subset(np.asarray(neurons)[todo])
            shape = x[todo].shape
            solver = BDF(lambda _, y: self.f(y.reshape(shape), args).ravel(), t,
                         x[todo].ravel(), end, rtol=1e-4, atol=1e-9,
                         jac=lambda _, y: _block_diagonal(self.jacobian(y.reshape(shape), args)))
            while solver.status == "running" and steps < RELAX_MAX_STEPS:
                solver.step()
                steps += 1
            t = end
            y = solver.y.reshape(shape)
            if not np.all(np.isfinite(y)):  # a failed stage: keep the last finite states
                y = np.where(np.isfinite(y), y, x[todo])
            x[todo] = y
            trial = y.copy()
            ok = self.newton(trial, args)
            ok[ok] = self.is_stable(trial[ok], [a[ok] if np.ndim(a) else a for a in args])
            x[todo[ok]] = trial[ok]
            settled[todo[ok]] = True
        return x, settled


def _solve(J, b):
    """Batched ``J x = b``; rows whose matrix is singular or non-finite get NaN."""
    out = np.full(b.shape, np.nan)
    good = np.all(np.isfinite(J), axis=(1, 2)) & np.all(np.isfinite(b), axis=1)
    if good.any():
        try:
            out[good] = np.linalg.solve(J[good], b[good][..., None])[..., 0]
        except np.linalg.LinAlgError:
            for k in np.flatnonzero(good):
                try:
                    out[k] = np.linalg.solve(J[k], b[k])
                except np.linalg.LinAlgError:
                    pass
    return out


def _block_diagonal(blocks):
    """Sparse block-diagonal matrix from an array of shape (n, s, s)."""
    from scipy.sparse import bsr_matrix

    n, s, _ = blocks.shape
    blocks = np.where(np.isfinite(blocks), blocks, 0.0)
    return bsr_matrix((blocks, np.arange(n), np.arange(n + 1)), shape=(n * s, n * s)).tocsc()


_DERIVING_MODULES = (sys.modules[__name__], derivation)


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


def _check_finite(group, values):
    for name, arr in values.items():
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            raise ValueError(f"The parameter '{name}' of group '{group.name}' must be finite to "
                             f"find a resting state. Got {float(arr[bad[0]])!r} for neuron(s) "
                             f"{bad.tolist()[:10]}{' ...' if len(bad) > 10 else ''} instead.")


def _start_guess(group):
    """Starting values of the non-voltage states: the template's (its initial state), so a
    solve does not depend on what a previous run left; finite current values otherwise."""
    from .groups import template_of

    template = template_of(group)
    if template is not None:
        return template.initial_guess()
    guess = {}
    for name, arr in group_states(group).items():
        finite = arr[np.isfinite(arr)]
        if len(finite):
            guess[name] = float(np.median(finite))
    return guess


def equilibrate(group, warn=True):
    """Set every neuron of ``group`` to its resting state for its current parameters.

    Call it after changing parameters (densities, reversal potentials,
    geometry) so that a run starts at rest. Whatever state a previous run
    left (spiking, diverged), the solve restarts from the template's initial
    state (v = -65 mV, gates at steady state). Neurons without a stable rest
    are relaxed for a bounded time (see the module docstring) and, with
    ``warn``, named in a warning; `rest_status` gives every neuron's status.
    Runtime targets only (numpy, Cython): in ``cpp_standalone`` values cannot
    be read before the build.

    Raises
    ------
    ValueError
        If a parameter is not finite (NaN or infinite) for some neuron.
    """
    if hasattr(type(group), "equilibrate_rows"):  # a tree-solver group (compartments.tree)
        return group.equilibrate_rows()
    values = group_values(group)
    _check_finite(group, values)
    system = StateSystem(group.user_equations, values, guess=_start_guess(group))
    for name, arr in system.unpack(system.rest(warn=warn)).items():
        setattr(group, name + "_", arr)
    _STATUS[group] = system.status
    return group


def rest_status(group):
    """Per-neuron status of the last `equilibrate` of ``group``: a `pandas.Series` of
    `REST`, `RELAXED` or `NO_REST` indexed by neuron.

    Raises
    ------
    KeyError
        If ``group`` was never equilibrated.
    """
    import pandas as pd

    if group not in _STATUS:
        raise KeyError(f"Group '{group.name}' has no rest status: call "
                       f"compartments.equilibrate(group) first.")
    return pd.Series(_STATUS[group], name="rest_status").rename_axis("neuron")
