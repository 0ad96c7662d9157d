"""Implicit cable integration as a Brian2 state updater (NEURON's scheme).

Each time step does what NEURON's fixed-step ``fadvance`` does:

1. The membrane voltages are advanced implicitly with the gating states held
   fixed. The voltage right-hand side ``f(v)`` is linearised about the current
   voltages — the Jacobian ``J = df/dv`` comes from sympy, so coupling
   terms and channel conductances (``di/dv``) enter exactly — and the linear
   system ``(c/dt I - J) dv = f(v)`` is solved, with ``c = 2`` and
   ``v += 2 dv`` for Crank–Nicolson (NEURON ``secondorder=2``) or ``c = 1``
   and ``v += dv`` for backward Euler (NEURON's default ``secondorder=0``).
2. The solve is Gaussian elimination unrolled into straight-line code for the
   template's fixed sparsity pattern. Nodes are eliminated leaves first
   (minimum degree), which for a tree is Hines' ordering and creates no
   fill-in; the sibling cliques of a star–mesh junction create none either.
3. Every other state (gates, ion pools) is then advanced by exponential Euler
   with the *new* voltages — staggered in time as in NEURON, which is what
   makes the scheme second order with the gates. A state that is
   conditionally linear (``dx/dt = A x + B``, every gate) is advanced exactly
   for frozen coefficients; any other (a calcium pool whose Nernst current
   depends on it) by exponential Euler on its linearisation,
   ``x + dt f(x) exprel(f'(x) dt)``.

The result is plain abstract code, so Brian2 compiles it for any target
(numpy, Cython, C++ standalone, GPU devices) like its own updaters.
Voltages are the differential equations with units of volt.
"""

import sys

import sympy as sp
from brian2 import get_dimensions, volt
from brian2.parsing.sympytools import sympy_to_str
from brian2.stateupdaters.base import StateUpdateMethod, UnsupportedEquationsException

from . import cache, derivation
from .derivation import EquationGraph, Program, equations_text

__all__ = ["ImplicitCable", "crank_nicolson", "backward_euler", "elimination_order"]


def elimination_order(n, pattern):
    """Order in which to eliminate ``n`` nodes of a structurally symmetric matrix.

    Greedy minimum degree (ties: highest index first), so leaves of a tree go
    before their parents, as in Hines (1984).

    Parameters
    ----------
    n : int
        Number of nodes.
    pattern : set of (int, int)
        Off-diagonal non-zeros, both (i, j) and (j, i).

    Returns
    -------
    order : list of int
    fill : set of (int, int)
        The pattern after elimination (input pattern plus fill-in).
    """
    neighbours = {i: set() for i in range(n)}
    for i, j in pattern:
        neighbours[i].add(j)
    remaining = set(range(n))
    order, fill = [], set(pattern)
    while remaining:
        k = min(remaining, key=lambda i: (len(neighbours[i] & remaining), -i))
        order.append(k)
        nb = neighbours[k] & remaining - {k}
        for i in nb:
            for j in nb:
                if i != j and (i, j) not in fill:
                    fill.add((i, j))
                    neighbours[i].add(j)
        remaining.remove(k)
    return order, fill


class _Code:
    """Straight-line abstract code with single-assignment temporaries."""

    def __init__(self):
        self.lines = []
        self.count = 0

    def temp(self, prefix, expr):
        name = f"_{prefix}{self.count}"
        self.count += 1
        self.lines.append(f"{name} = {expr}")
        return name


class ImplicitCable(StateUpdateMethod):
    """Brian2 state updater: implicit voltages (Hines solve) + staggered exponential-Euler gates.

    Parameters
    ----------
    scheme : {'crank_nicolson', 'backward_euler'}
        Time discretisation of the voltages.
    """

    def __init__(self, scheme):
        if scheme not in ("crank_nicolson", "backward_euler"):
            raise ValueError(f"The 'scheme' parameter of ImplicitCable must be "
                             f"'crank_nicolson' or 'backward_euler'. Got {scheme!r} instead.")
        self.scheme = scheme
        self.__name__ = scheme

    def __repr__(self):
        return f"ImplicitCable({self.scheme!r})"

    def __call__(self, equations, variables=None, method_options=None):
        if equations.is_stochastic:
            raise UnsupportedEquationsException(
                f"The {self.scheme} cable updater cannot integrate stochastic equations; "
                f"use method='euler' or 'heun' for noise, or model noise as a "
                f"conductance driven by a separate group.")
        entry = cache.key(f"{self.scheme}\n{equations_text(equations)}", _DERIVING_MODULES,
                          derivation.VERSIONS)
        code = cache.load("updater", entry)
        if code is None:
            code = self._derive(equations, variables)
            cache.store("updater", entry, code)
        return code

    def _derive(self, equations, variables):
        graph = EquationGraph(equations, variables)
        voltages = [name for name in graph.states
                    if get_dimensions(equations[name].dim) is get_dimensions(volt)]
        others = [name for name in graph.states if name not in voltages]
        code = _Code()
        dv, currents = self._voltage_solve(code, graph, voltages)
        factor = "2" if self.scheme == "crank_nicolson" else "1"
        for v in voltages:
            code.lines.append(f"{v} = {v} + {factor}*{dv[v]}")
        self._gate_update(code, Program(graph, "_q", reuse=currents, changed=voltages), others)
        return "\n".join(code.lines)

    # -- step 1-2: voltages ------------------------------------------------------------
    def _voltage_solve(self, code, graph, voltages):
        n = len(voltages)
        index = {v: i for i, v in enumerate(voltages)}
        program = Program(graph, "_p")
        # row i of the system is multiplied by the denominator D_i of dv_i/dt = N_i/D_i
        # when D_i is a product of parameters (the capacitance): (c D/dt - dN/dv) dv = N,
        # NEURON's form, with no division by C in the step
        items, scale = [], []
        for v in voltages:
            split = graph.quotient(v)
            items.append(split[0] if split else ("rhs", v))
            scale.append(f"*{split[1]}" if split else "")
        f = [program.rhs(v, item=item) for v, item in zip(voltages, items)]
        J = {}
        for i, v in enumerate(voltages):
            read = graph.dependencies(graph.names(items[i])) & index.keys()
            for w in sorted(read, key=index.get):
                d = program.derivative(items[i], w)
                if d is not None:
                    J[i, index[w]] = d
        code.lines += [f"{name} = {expr}" for name, expr in program.lines]
        pattern = {(i, j) for (i, j) in J if i != j}
        pattern |= {(j, i) for (i, j) in pattern}
        c = "2" if self.scheme == "crank_nicolson" else "1"
        b, a = {}, {}
        for i in range(n):
            b[i] = code.temp("b", f[i])
            a[i, i] = code.temp("a", f"({c}/dt){scale[i]} - ({J.get((i, i), 0)})")
        for i, j in sorted(pattern):
            a[i, j] = code.temp("a", f"-({J[i, j]})") if (i, j) in J else "0"
        order, _ = elimination_order(n, pattern)
        done, upper = set(), {}
        neighbours = {i: set() for i in range(n)}
        for i, j in a:
            if i != j:
                neighbours[i].add(j)
        for k in order:
            nb = sorted(j for j in neighbours[k] if j not in done)
            upper[k] = (a[k, k], b[k], [(j, a[k, j]) for j in nb])
            for i in nb:
                r = code.temp("r", f"{a[i, k]}/{a[k, k]}")
                for j in nb:
                    old = a.get((i, j), "0")
                    a[i, j] = code.temp("a", f"{old} - {r}*{a[k, j]}")
                    if i != j:
                        neighbours[i].add(j)
                b[i] = code.temp("b", f"{b[i]} - {r}*{b[k]}")
            done.add(k)
        x = {}
        for k in reversed(order):
            diag, rhs, row = upper[k]
            terms = "".join(f" - {akj}*{x[j]}" for j, akj in row)
            x[k] = code.temp("x", f"({rhs}{terms})/{diag}")
        return {voltages[k]: x[k] for k in range(n)}, program

    # -- step 3: gates -----------------------------------------------------------------
    def _gate_update(self, code, program, others):
        """Step 3, computed by ``program`` (which may reuse step 1's values)."""
        graph = program.graph
        updates = {}
        for name in others:
            cascade = _linear_cascade(graph, name, others)
            if cascade is not None:
                updates[name] = cascade
                continue
            f = program.rhs(name)
            A = program.derivative(name, name, rhs=True)
            if A is None:
                updates[name] = f"{name} + dt*({f})"
            elif name in program.dependencies(A):
                # not conditionally linear (e.g. a pool whose Nernst current depends on it):
                # exponential Euler on the linearisation about the current value,
                # x + dt f(x) exprel(A dt) -- NEURON likewise treats the other mechanisms'
                # currents as given within a step
                updates[name] = f"{name} + dt*({f})*exprel(({A})*dt)"
            else:
                read = graph.names(("rhs", name))
                direct = not any(graph.is_subexpression(r) and name in graph.depends[r]
                                 for r in read)
                # x(dt) = x_inf + (x - x_inf) exp(A dt), x_inf = -B/A; read directly, x_inf
                # is simplified once per form (phi/tau cancels: x_inf, alpha/(alpha + beta))
                if direct and graph.code(("rhs", name), "brian", str, ("0", name)) is None:
                    updates[name] = f"{name}*exp(({A})*dt)"
                    continue
                if direct:
                    inf = program.temporary(program.steady_state(name))
                else:
                    inf = program.temporary(f"-(({f}) - ({A})*{name})/({A})")
                updates[name] = f"{inf} + ({name} - {inf})*exp(({A})*dt)"
        code.lines += [f"{name} = {expr}" for name, expr in program.lines]
        new = {name: code.temp("new", expr) for name, expr in updates.items()}
        for name, tmp in new.items():
            code.lines.append(f"{name} = {tmp}")


def _linear_cascade(graph, name, others):
    """Exact update of ``dg/dt = a g + c y`` driven by a decaying ``dy/dt = b y``, or None.

    With constant a, b, c (no state in them), g(dt) = g e^(a dt) + c y
    (e^(b dt) - e^(a dt)) / (b - a) — the difference-of-exponentials
    conductance of a synaptic receptor, which exponential Euler with ``y``
    frozen over the step would overestimate by ~dt / (2 tau_rise). ``c/(b - a)``
    is simplified (-1 for a receptor's ``x (1/tau_rise - 1/tau_decay)``).
    """
    drivers = graph.dependencies(graph.names(("rhs", name))) - {name}
    if len(drivers) != 1:
        return None
    (y_name,) = drivers
    if y_name not in others or graph.dependencies(graph.names(("rhs", y_name))) != {y_name}:
        return None
    if any(graph.is_subexpression(r) for item in (name, y_name)
           for r in graph.names(("rhs", item))):
        return None
    var, y = sp.Symbol(name, real=True), sp.Symbol(y_name, real=True)
    f, fy = graph.sympy(("rhs", name)), graph.sympy(("rhs", y_name))
    a = sp.diff(f, var)
    rest = sp.expand(f - a * var)
    c = sp.diff(rest, y)
    b = sp.diff(fy, y)
    states = set(graph.states)
    if any(s.name in states for e in (a, b, c) for s in e.free_symbols):
        return None
    if (sp.simplify(rest - c * y) != 0 or sp.simplify(fy - b * y) != 0
            or sp.simplify(a - b) == 0):
        return None
    k = sp.cancel(c / (b - a))
    first, second = (f"exp(({sympy_to_str(e)})*dt)" for e in (b, a))
    if k.could_extract_minus_sign():
        k, first, second = -k, second, first
    factor = "" if k == 1 else f"({sympy_to_str(k)})*"
    return f"{name}*exp(({sympy_to_str(a)})*dt) + {factor}{y_name}*({first} - {second})"


_DERIVING_MODULES = (sys.modules[__name__], derivation)
crank_nicolson = ImplicitCable("crank_nicolson")
backward_euler = ImplicitCable("backward_euler")
StateUpdateMethod.register("crank_nicolson", crank_nicolson)
StateUpdateMethod.register("backward_euler", backward_euler)
