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

import sympy as sp
from brian2 import get_dimensions, volt
from brian2.parsing.sympytools import str_to_sympy, sympy_to_str
from brian2.stateupdaters.base import StateUpdateMethod, UnsupportedEquationsException

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
        diff = equations.get_substituted_expressions(variables)
        exprs = {name: str_to_sympy(expr.code, variables) for name, expr in diff}
        voltages = [name for name, _ in diff
                    if get_dimensions(equations[name].dim) is get_dimensions(volt)]
        others = [name for name, _ in diff if name not in voltages]
        symbols = {}
        for expr in exprs.values():
            for s in expr.free_symbols:
                symbols.setdefault(s.name, s)
        code = _Code()
        dv = self._voltage_solve(code, exprs, voltages, symbols)
        factor = "2" if self.scheme == "crank_nicolson" else "1"
        for v in voltages:
            code.lines.append(f"{v} = {v} + {factor}*{dv[v]}")
        self._gate_update(code, exprs, others)
        return "\n".join(code.lines)

    # -- step 1-2: voltages ------------------------------------------------------------
    def _voltage_solve(self, code, exprs, voltages, symbols):
        n = len(voltages)
        vsym = [symbols.get(v, sp.Symbol(v, real=True)) for v in voltages]
        f = [exprs[v] for v in voltages]
        J = {}
        for i in range(n):
            free = f[i].free_symbols
            for j in range(n):
                if vsym[j] in free:
                    d = sp.diff(f[i], vsym[j])
                    if d != 0:
                        J[i, j] = d
        pattern = {(i, j) for (i, j) in J if i != j}
        pattern |= {(j, i) for (i, j) in pattern}
        keys = [("f", i) for i in range(n)] + [("J", ij) for ij in sorted(J)]
        values = [f[i] for i in range(n)] + [J[ij] for ij in sorted(J)]
        replacements, reduced = sp.cse(values, symbols=sp.numbered_symbols("_cse"))
        for sym, expr in replacements:
            code.lines.append(f"{sym} = {sympy_to_str(expr)}")
        computed = dict(zip(keys, reduced))
        c = "2" if self.scheme == "crank_nicolson" else "1"
        b, a = {}, {}
        for i in range(n):
            b[i] = code.temp("b", sympy_to_str(computed["f", i]))
            jii = computed.get(("J", (i, i)), 0)
            a[i, i] = code.temp("a", f"{c}/dt - ({sympy_to_str(jii)})")
        for i, j in sorted(pattern):
            jij = computed.get(("J", (i, j)), 0)
            a[i, j] = code.temp("a", f"-({sympy_to_str(jij)})") if jij != 0 else "0"
        order, _ = elimination_order(n, pattern)
        done, upper = set(), {}
        for k in order:
            nb = sorted(j for j in range(n) if j not in done and j != k and (k, j) in a)
            upper[k] = (a[k, k], b[k], [(j, a[k, j]) for j in nb])
            for i in nb:
                r = code.temp("r", f"{a[i, k]}/{a[k, k]}")
                for j in nb:
                    old = a.get((i, j), "0")
                    a[i, j] = code.temp("a", f"{old} - {r}*{a[k, j]}")
                b[i] = code.temp("b", f"{b[i]} - {r}*{b[k]}")
            done.add(k)
        x = {}
        for k in reversed(order):
            diag, rhs, row = upper[k]
            terms = "".join(f" - {akj}*{x[j]}" for j, akj in row)
            x[k] = code.temp("x", f"({rhs}{terms})/{diag}")
        return {voltages[k]: x[k] for k in range(n)}

    # -- step 3: gates -----------------------------------------------------------------
    def _gate_update(self, code, exprs, others):
        updates = {}
        states = {s for name in exprs for s in exprs[name].free_symbols if s.name in exprs}
        for name in others:
            var = next((s for s in exprs[name].free_symbols if s.name == name),
                       sp.Symbol(name, real=True))
            f = exprs[name]
            cascade = _linear_cascade(var, f, exprs, states)
            if cascade is not None:
                updates[name] = code.temp("new", cascade)
                continue
            A = sp.diff(f, var)
            if A.has(var):
                # not conditionally linear (e.g. a pool whose Nernst current depends on it):
                # exponential Euler on the linearisation about the current value,
                # x + dt f(x) exprel(A dt) -- NEURON likewise treats the other mechanisms'
                # currents as given within a step
                rate = code.temp("A", sympy_to_str(A))
                new = f"{name} + dt*({sympy_to_str(f)})*exprel({rate}*dt)"
                updates[name] = code.temp("new", new)
                continue
            # no expand(): it would rewrite exprel(x) as (exp(x) - 1)/x, inaccurate near 0
            B = f.subs(var, 0)
            if A == 0:
                new = f"{name} + dt*({sympy_to_str(B)})"
            else:
                BA = code.temp("BA", sympy_to_str(B / A))
                new = f"({name} + {BA})*exp(({sympy_to_str(A)})*dt) - {BA}"
            updates[name] = code.temp("new", new)
        for name, tmp in updates.items():
            code.lines.append(f"{name} = {tmp}")


def _linear_cascade(var, f, exprs, states):
    """Exact update of ``dg/dt = a g + c y`` driven by a decaying ``dy/dt = b y``, or None.

    With constant a, b, c (no state in them), g(dt) = g e^(a dt) + c y
    (e^(b dt) - e^(a dt)) / (b - a) — the difference-of-exponentials
    conductance of a synaptic receptor, which exponential Euler with ``y``
    frozen over the step would overestimate by ~dt / (2 tau_rise).
    """
    a = sp.diff(f, var)
    rest = sp.expand(f - a * var)
    drivers = [s for s in rest.free_symbols if s in states]
    if a.free_symbols & states or len(drivers) != 1 or drivers[0] == var:
        return None
    y = drivers[0]
    c = sp.diff(rest, y)
    fy = exprs[y.name]
    b = sp.diff(fy, y)
    if (c.free_symbols & states or sp.simplify(rest - c * y) != 0
            or b.free_symbols & states or sp.simplify(fy - b * y) != 0
            or sp.simplify(a - b) == 0):
        return None
    return (f"{var.name}*exp(({sympy_to_str(a)})*dt) + ({sympy_to_str(c)})*{y.name}*"
            f"(exp(({sympy_to_str(b)})*dt) - exp(({sympy_to_str(a)})*dt))/"
            f"(({sympy_to_str(b)}) - ({sympy_to_str(a)}))")


crank_nicolson = ImplicitCable("crank_nicolson")
backward_euler = ImplicitCable("backward_euler")
StateUpdateMethod.register("crank_nicolson", crank_nicolson)
StateUpdateMethod.register("backward_euler", backward_euler)
