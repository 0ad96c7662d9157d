"""The tree solver: compartments as rows, one Hines solve over parent indices.

The default (*unrolled*) solver writes each segment of a template as its own
variables (``v_soma``, ``m_hhna_soma``, ...) in one row per neuron, and unrolls the
implicit voltage solve into straight-line code for that morphology: the fastest
code for reduced cells, but its size, and the compiler's time, grow with the
number of segments. The tree solver does what NEURON and Brian2's SpatialNeuron
do instead: a row per segment (and per junction of three or more segment ends,
a zero-area node, as NEURON's), the same equations in every row, and a solver
whose code does not depend on the morphology. For ``n`` cells of one template,
rows are node-major (``row = node*n + cell``), so every cell of a template is
solved in one pass and the parameters stay per neuron and per segment.

Each time step (``method='crank_nicolson'``, NEURON's ``secondorder=2``; or
``'backward_euler'``):

1. every row computes its membrane current ``I_m`` and ``dI_m/dv`` (derived once
   per mechanism, `compartments.derivation`), gates frozen;
2. the tree system ``(c C/dt + G_m + L) dv = I`` is solved leaves first and
   back-substituted roots first (Hines 1984), ``v += c dv`` (c = 2 or 1);
3. the gates and pools are advanced with the new voltages by the same exact /
   exponential-Euler update as the unrolled solver (`compartments.integration`).

This is NEURON's fixed-step scheme, as the unrolled solver's: both give the same
voltages to round-off (tests/test_tree.py).

A mechanism painted on only some segments is computed in every row and counts
only where it is present (``present_<mechanism>`` is 1 there, 0 elsewhere): the
work per row is that of the union of the mechanisms.

The group is a `TreeGroup`: a `NeuronGroup` of rows that also answers to the
unrolled names (``group.v_soma``, ``group.gbar_hhna_soma = ...``,
``group.I_ext_apical_3``) through per-segment subgroups (`TreeGroup.segment`);
`TreeGroup.cells` is the subgroup of spiking rows (one per cell), the source for
`Synapses` and `SpikeMonitor`. Which solver `make_group` picks: `choose_solver`.
"""

import warnings
import weakref

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg
from brian2 import BrianObject, CodeRunner, Equations, NeuronGroup, get_device
from brian2.codegen.runtime.numpy_rt import NumpyCodeObject
from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject
from brian2.devices.device import RuntimeDevice

from . import backends, guard
from .codegen import CellCythonCodeObject
from .codegen_cache import prime_substituted_expressions
from .constants import PHYSICAL_CONSTANTS
from .derivation import EquationGraph, Program
from .rest import StateSystem

__all__ = ["TreeGroup", "make_tree_group", "choose_solver", "unrolled_size", "TREE_THRESHOLD",
           "LargeUnrolledTemplate", "row_equations"]

#: Largest `unrolled_size` that gets the unrolled solver (see `choose_solver`).
TREE_THRESHOLD = 120
_FACTORS = {"crank_nicolson": 2, "backward_euler": 1}
_SCRATCH = ("hines_rhs", "hines_diag", "v_threshold")  # solver work arrays; +inf thresholds


def unrolled_size(template):
    """Segments plus mechanism instances: what the unrolled state update grows with."""
    return sum(1 + len(seg.compartment.mechanisms) for seg in template.segments)


def choose_solver(template):
    """``'unrolled'`` up to `TREE_THRESHOLD` (`unrolled_size`), else ``'tree'``.

    Measured (benchmarks/solver_choice.py, docs/build.md): the unrolled solver
    runs 2-2.5x faster per neuron-step, but its cold compile grows about
    quadratically (HH soma + passive dendrite: 32 s of compiler CPU at size 84,
    98 s at 164), while the tree solver's is constant (~14 s). At 120 the
    unrolled compile is ~50 s, 3-4x the tree's; every catalogue type (size <= 54)
    stays unrolled.
    """
    return "tree" if unrolled_size(template) > TREE_THRESHOLD else "unrolled"


class LargeUnrolledTemplate(UserWarning):
    """An unrolled solver asked for a template above `TREE_THRESHOLD`."""


def warn_if_large_unrolled(template):
    """Warn, with the measured cost and the alternative, when ``template`` is above
    `TREE_THRESHOLD` for the unrolled solver."""
    size = unrolled_size(template)
    if size > TREE_THRESHOLD:
        warnings.warn(
            f"Template '{template.name}' has {size} unrolled states (> TREE_THRESHOLD = "
            f"{TREE_THRESHOLD}): the unrolled solver's code, and its compile time, grow "
            f"faster than the template (measured: 32 s of compiler CPU at 84 states, 98 s "
            f"at 164; docs/build.md). solver='tree' compiles in ~14 s at any size.",
            LargeUnrolledTemplate, stacklevel=3)


class HinesCythonCodeObject(CellCythonCodeObject):
    templater = CellCythonCodeObject.templater.derive("compartments",
                                                      templates_dir="templates/cython")


class HinesNumpyCodeObject(NumpyCodeObject):
    templater = NumpyCodeObject.templater.derive("compartments", templates_dir="templates/numpy")


class HinesStandaloneCodeObject(CPPStandaloneCodeObject):
    templater = CPPStandaloneCodeObject.templater.derive("compartments",
                                                         templates_dir="templates/cpp")


def _hines_codeobj_class():
    if not isinstance(get_device(), RuntimeDevice):
        return HinesStandaloneCodeObject
    return HinesCythonCodeObject if backends.codeobj_class() else HinesNumpyCodeObject


# -- equations of one row ---------------------------------------------------------------
def _row_name(mech, local):
    return local if local in mech.shares else f"{local}_{mech.name}"


def row_equations(template):
    """The equations of one row and the mechanisms in it.

    Returns
    -------
    equations : `Equations`
    mechanisms : dict
        Mechanism name -> a representative instance (the same class and equations
        in every segment that has it).
    """
    mechanisms = {}
    for seg in template.segments:
        for mech in seg.compartment.mechanisms:
            seen = mechanisms.get(mech.name)
            if (seen is not None and type(seen) is not type(mech)
                    and str(seen.equations()) != str(mech.equations())):
                raise ValueError(
                    f"Template '{template.name}' has two mechanisms named '{mech.name}' with "
                    f"different equations; the tree solver needs one set of equations per "
                    f"mechanism name. Rename one (channels.define) or use solver='unrolled'.")
            mechanisms.setdefault(mech.name, mech)
    eqs = Equations("")
    currents, by_ion = [], {}
    for mech in mechanisms.values():
        local = mech.equations()
        mapping = {name: _row_name(mech, name) for name in local.names}
        for name in mech.requires:
            mapping[name] = "temperature" if name == "T" else name
        eqs += local.substitute(**{k: v for k, v in mapping.items() if k != v})
        eqs += Equations(f"present_{mech.name} : 1 (constant)")
        if getattr(mech, "kind", "") == "pool":
            continue
        term = f"present_{mech.name}*{_row_name(mech, mech.current)}"
        currents.append(term)
        by_ion.setdefault(mech.ion, []).append(term)
        for ion, part in mech.partial_currents.items():
            by_ion.setdefault(ion, []).append(f"present_{mech.name}*{_row_name(mech, part)}")
    for mech in mechanisms.values():
        if getattr(mech, "kind", "") == "pool":
            total = " + ".join(by_ion.get(mech.ion, [])) or "0*amp/meter**2"
            eqs += Equations(f"I_{mech.ion} = {total} : amp/meter**2")
    eqs += Equations(f"""
        I_m = {' + '.join(currents) or '0*amp/meter**2'} : amp/meter**2
        v : volt
        I_ext : amp
        area : meter**2 (constant)
        C : farad (constant)
        gax_parent : siemens (constant)
        hines_parent : integer (constant)
        hines_rhs : amp
        hines_diag : siemens
        v_threshold : volt (constant)
        """)
    if template.uses_temperature:
        eqs += Equations("temperature : kelvin (constant)")
    return eqs, mechanisms


def _hines_code(equations, factor):
    """Abstract code of step 1: membrane current and diagonal of every row."""
    graph = EquationGraph(equations, independent=("v",))
    program = Program(graph, "_h")
    current = program.value("I_m")
    slope = program.derivative("I_m", "v")
    lines = [f"{name} = {code}" for name, code in program.lines]
    lines.append(f"hines_rhs = area*{current} + I_ext")
    lines.append(f"hines_diag = {factor}*C/dt" + (f" - area*({slope})" if slope else ""))
    return "\n".join(lines)


class HinesSolve(CodeRunner):
    """Steps 1-2 of the tree solver: currents, then the voltage solve (before the gates)."""

    def __init__(self, group, factor):
        CodeRunner.__init__(self, group, "hines", code=_hines_code(group.user_equations, factor),
                            clock=group.clock, when="groups", order=-1,
                            name=f"{group.name}_hines*", template_kwds={
                                "factor": factor, "cells": group.cells_per_node},
                            codeobj_class=_hines_codeobj_class())


# -- the group ------------------------------------------------------------------------
class TreeDivergenceCheck(BrianObject):
    """Runtime targets: `TreeGroup.check_divergence` every `guard.GUARD_INTERVAL` and
    after each run (no work added to the per-step update)."""

    add_to_magic_network = True

    def __init__(self, group, kinetics=None):
        BrianObject.__init__(self, clock=group.clock, when="end", order=1,
                             name=f"{group.name}_divergence_raise")
        self._group = weakref.ref(group)  # owned by the group
        self._every, self._steps = 1, 0
        self._kinetics = kinetics  # (template, dt checked by make_group) or None

    def before_run(self, run_namespace):
        super().before_run(run_namespace)
        dt = self._group().clock.dt
        if self._kinetics is not None and dt != self._kinetics[1]:
            # the group follows defaultclock, changed since make_group
            guard.check_kinetics_step(self._kinetics[0], dt)
            self._kinetics = (self._kinetics[0], dt)
        self._every = max(1, int(round(float(guard.GUARD_INTERVAL / dt))))

    def run(self):
        self._steps += 1
        if self._steps % self._every == 0:
            self._group().check_divergence()

    def after_run(self):
        self._group().check_divergence()


class TreeGroup(NeuronGroup):
    """A `NeuronGroup` of rows (segments and junctions of ``n`` cells), made by
    `make_tree_group`; answers to the unrolled variable names.

    Attributes
    ----------
    template : `CellTemplate`
    cells_per_node : int
        Number of cells ``n``.
    nodes : list of str or None
        Per node (row block), the segment name, or None for a junction.
    """

    def _init_tree(self, template, n, nodes, aliases, mechanisms):
        object.__setattr__(self, "_tree", dict(
            template=template, n=n, nodes=nodes, aliases=aliases, subgroups={},
            mechanisms=mechanisms,
            node_of={name: k for k, name in enumerate(nodes) if name}))

    @property
    def template(self):
        return self._tree["template"]

    @property
    def cells_per_node(self):
        return self._tree["n"]

    @property
    def nodes(self):
        return self._tree["nodes"]

    @property
    def mechanisms(self):
        """Mechanism name -> the instance whose equations every row carries."""
        return self._tree["mechanisms"]

    def rows(self, segment):
        """Row indices (array) of ``segment`` in every cell."""
        k = self._node(segment)
        n = self.cells_per_node
        return np.arange(k * n, (k + 1) * n)

    def _node(self, segment):
        try:
            return self._tree["node_of"][segment]
        except KeyError:
            raise KeyError(f"Template '{self.template.name}' has no segment {segment!r}; "
                           f"segments: {self.template.segment_names}.") from None

    def segment(self, name):
        """The subgroup of segment ``name``'s rows (neuron i of it is cell i)."""
        subgroups = self._tree["subgroups"]
        if name not in subgroups:
            k, n = self._node(name), self.cells_per_node
            sub = self[k * n:(k + 1) * n]
            object.__setattr__(sub, "group", self)  # owned by the group (no unused warning)
            subgroups[name] = sub
        return subgroups[name]

    @property
    def cells(self):
        """The subgroup of spiking rows: one per cell, in cell order."""
        return self.segment(self.template.spike_segment)

    def alias(self, name):
        """(row variable, segment) of an unrolled variable name, or None."""
        return self.__dict__.get("_tree", {}).get("aliases", {}).get(name)

    def __getattr__(self, name):
        if not name.startswith("_"):
            target = self.alias(name[:-1] if name.endswith("_") else name)
            if target is not None:
                var, seg = target
                return getattr(self.segment(seg), var + ("_" if name.endswith("_") else ""))
        return NeuronGroup.__getattr__(self, name)

    def __setattr__(self, name, value, level=0):
        if not name.startswith("_"):
            target = self.alias(name[:-1] if name.endswith("_") else name)
            if target is not None:
                var, seg = target
                setattr(self.segment(seg), var + ("_" if name.endswith("_") else ""), value)
                return
        NeuronGroup.__setattr__(self, name, value, level=level + 1)

    def monitor_targets(self, variables, neurons):
        """For `compartments.record`: (row variable, rows) of each unrolled name."""
        out = []
        for name in variables:
            target = self.alias(name)
            if target is None:
                raise KeyError(f"Group '{self.name}' has no variable '{name}'; tree groups "
                               f"answer to the unrolled names (v_<segment>, ...).")
            var, seg = target
            out.append((var, self.rows(seg)[np.asarray(neurons)]))
        return out

    def equilibrate_rows(self):
        """`compartments.equilibrate` for this group: `equilibrate_tree`."""
        return equilibrate_tree(self)

    def check_divergence(self):
        """Raise `SimulationDiverged` naming segment, cell and group if a voltage is not finite
        or beyond ±`guard.RUNAWAY`."""
        v = np.asarray(self.variables["v"].get_value())
        bad = np.flatnonzero(~(np.abs(v) < float(guard.RUNAWAY)))
        if len(bad) == 0:
            return
        n = self.cells_per_node
        first = {}
        for row in bad:  # the first node (in solve order) of each diverged cell
            first.setdefault(row % n, row // n)
        cell, node = min(first.items(), key=lambda kv: kv[1])
        name = self.nodes[node] or f"a junction next to '{self.nodes[self._parent_node(node)]}'"
        raise guard.SimulationDiverged(
            f"The voltage of compartment '{name}' of neuron {cell} in group '{self.name}' "
            f"became NaN or left ±{guard.RUNAWAY} by t = {self.clock.t} ({len(first)} "
            f"neuron(s) diverged). Reduce dt or check the parameters of '{name}'.")

    def _parent_node(self, node):
        n = self.cells_per_node
        return int(np.asarray(self.variables["hines_parent"].get_value())[node * n]) // n

    def rest_system(self):
        """The `TreeRest` of the group's current parameters."""
        return TreeRest(self)


# -- the resting state ----------------------------------------------------------------
class TreeRest:
    """Resting state of a `TreeGroup`: Newton on the rows' current balance, with the
    tree's axial currents, solved with a sparse factorisation (all cells at once).

    A fixed point is accepted as stable when a random perturbation of it decays
    under 200 backward-Euler steps of 1 ms of the linearised system (a mode that
    grows at a rate above ~1/s is detected); otherwise the neurons are relaxed
    as in `compartments.rest`.
    """

    def __init__(self, group, values=None):
        self.group = group
        balance = Equations("dv/dt = (area*I_m + I_ext)/farad : volt")
        rest_eqs = Equations(list(balance.ordered) + [
            eq for eq in group.user_equations.ordered
            if eq.varname != "v" and eq.varname not in _SCRATCH])
        values = group_row_values(group) if values is None else values
        guess = {_row_name(m, local): float(np.asarray(q)) for m in group.mechanisms.values()
                 for local, q in m.initial_guess().items()}
        self.local = StateSystem(rest_eqs, values, guess=guess)
        self.states = self.local.states
        self.n_rows = len(group)
        parent = np.asarray(group.variables["hines_parent"].get_value()).astype(int)
        g = np.asarray(group.variables["gax_parent"].get_value(), dtype=float)
        child = np.flatnonzero(parent >= 0)
        vi = self.states.index("v")
        S = len(self.states)
        i, j = child * S + vi, parent[child] * S + vi
        self._axial = sparse.coo_matrix(
            (np.concatenate([-g[child], -g[child], g[child], g[child]]),
             (np.concatenate([i, j, i, j]), np.concatenate([i, j, j, i]))),
            shape=(self.n_rows * S,) * 2).tocsr()
        capacitance = np.ones((self.n_rows, S))
        capacitance[:, vi] = np.asarray(group.variables["C"].get_value(), dtype=float)
        self._mass = sparse.diags(capacitance.ravel())

    def residual(self, x):
        """Current balance (amp) of voltages, rates of the other states; shape (rows*states,)."""
        return self.local.f(x).ravel() + self._axial @ x.ravel()

    def jacobian(self, x):
        J = self.local.jacobian(x)
        S = len(self.states)
        rows = np.repeat(np.arange(self.n_rows) * S, S * S) + np.tile(np.repeat(np.arange(S), S), self.n_rows)
        cols = np.repeat(np.arange(self.n_rows) * S, S * S) + np.tile(np.tile(np.arange(S), S), self.n_rows)
        block = sparse.csr_matrix((J.ravel(), (rows, cols)), shape=(self.n_rows * S,) * 2)
        return (block + self._axial).tocsc()

    def guess(self):
        """Every row at -65 mV with its gates at their steady state (rows, states)."""
        return self.local.steady_gates(np.full((self.n_rows, 1), -65e-3))

    def solve(self, x0=None):
        """Newton from ``x0`` (default: -65 mV, gates at steady state); returns the states
        (rows, states) and whether the result is a stable fixed point."""
        S = len(self.states)
        vi = self.states.index("v")
        x = self.guess() if x0 is None else x0.copy()
        converged = False
        for _ in range(100):
            F = self.residual(x)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
                dx = sparse_linalg.spsolve(self.jacobian(x), -F).reshape(self.n_rows, S)
            if not np.all(np.isfinite(dx)):
                break
            big = np.max(np.abs(dx[:, vi]))
            dx *= min(1.0, 10e-3 / max(big, 1e-300))
            x += dx
            if np.all(np.abs(dx) <= 1e-11 * (1e-3 + np.abs(x))):
                converged = True
                break
        converged &= bool(np.all(np.isfinite(x)))
        return x, converged and self._decays(x)

    def _decays(self, x):
        """Whether small perturbations of ``x`` decay: power iteration of the 1 ms
        implicit-Euler propagator; its asymptotic growth per step (over the last 50 of
        300 steps) is below 1 exactly when the slowest mode decays. (The norm itself
        may grow at first: states of very different scales make transients non-normal.)"""
        A = (self._mass - 1e-3 * self.jacobian(x)).tocsc()
        lu = sparse_linalg.splu(A)
        y = np.random.default_rng(0).standard_normal(x.size)
        log_growth = []
        for _ in range(300):
            y = lu.solve(self._mass @ y)
            size = np.linalg.norm(y)
            log_growth.append(np.log(size))
            y /= size
        return bool(np.sum(log_growth[-50:]) < 0)


def group_row_values(group):
    """Per-row parameter values of a tree group (SI floats), by row variable name."""
    from brian2.equations.equations import PARAMETER

    eqs = group.user_equations
    return {name: np.asarray(group.variables[name].get_value(), dtype=float)
            for name in eqs.names if eqs[name].type == PARAMETER}


def equilibrate_tree(group):
    """Set every row of a `TreeGroup` to its resting state for its current parameters."""
    from . import rest as rest_module

    values = group_row_values(group)
    rest_module._check_finite(group, {k: a for k, a in values.items() if k not in _SCRATCH})
    rest = TreeRest(group, values)
    x, stable = rest.solve()
    if not stable:
        warnings.warn(f"Group '{group.name}' has no stable resting state that Newton's method "
                      f"could find; it starts after 1 s of relaxation at its current input.",
                      RuntimeWarning, stacklevel=3)
        x = _relax(rest, rest.guess())
    for k, name in enumerate(rest.states):
        group.variables[name].set_value(x[:, k])
    status = rest_module.REST if stable else rest_module.RELAXED
    rest_module._STATUS[group] = np.full(group.cells_per_node, status, dtype=object)
    return group


def _relax(rest, x, duration=1.0, max_steps=3000):
    """``duration`` (s) of backward Euler from ``x`` with adaptive steps (Newton at each
    step; the step halves when Newton fails, grows up to 5 ms when it converges),
    at most ``max_steps`` steps; returns the last state reached."""
    t, h = 0.0, 1e-4
    for _ in range(max_steps):
        if t >= duration:
            break
        step = min(h, duration - t)
        y = _implicit_step(rest, x, step)
        if y is None:
            h /= 2
            continue
        x, t, h = y, t + step, min(1.5 * h, 5e-3)
    return x


def _implicit_step(rest, x, h):
    """One backward-Euler step of size ``h`` (s) by Newton; None if it does not converge."""
    y = x.copy()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
        for _ in range(8):
            A = (rest._mass - h * rest.jacobian(y)).tocsc()
            g = rest._mass @ (y - x).ravel() - h * rest.residual(y)
            dy = sparse_linalg.spsolve(A, -g).reshape(x.shape)
            if not np.all(np.isfinite(dy)):
                return None
            y = y + dy
            if np.all(np.abs(dy) <= 1e-9 * (1e-3 + np.abs(y))):
                return y
    return None


# -- building ---------------------------------------------------------------------------
def make_tree_group(template, n, method, dt, init, name, kinetics=None):
    """A `TreeGroup` of ``n`` cells of ``template`` at rest (see `CellTemplate.make_group`)."""
    if method not in _FACTORS:
        raise ValueError(f"The tree solver integrates with 'crank_nicolson' or "
                         f"'backward_euler'. Got method={method!r}; use solver='unrolled' for "
                         f"Brian2's explicit methods.")
    segments, parent, conductance = template.topology.tree()
    nodes = [template.segments[k].name if k is not None else None for k in segments]
    eqs, mechanisms = row_equations(template)
    group = TreeGroup(len(nodes) * n, eqs, threshold="v > v_threshold",
                      refractory="v > v_threshold", method=method, dt=dt,
                      namespace=dict(PHYSICAL_CONSTANTS), name=name or f"{template.name}*",
                      codeobj_class=backends.codeobj_class())
    prime_substituted_expressions(group)
    aliases = {}
    values = _row_values(template, segments, nodes, parent, conductance, mechanisms, n, aliases)
    group._init_tree(template, n, nodes, aliases, mechanisms)
    for var, arr in values.items():
        group.variables[var].set_value(arr)
    group.contained_objects.append(HinesSolve(group, _FACTORS[method]))
    if isinstance(get_device(), RuntimeDevice):
        group.contained_objects.append(TreeDivergenceCheck(group, kinetics))
    if init is None:
        equilibrate_tree(group)
    else:
        rest = group.rest_system()
        x = rest.local.steady_gates(np.full((len(group), 1), float(init)))
        for k, state in enumerate(rest.states):
            group.variables[state].set_value(x[:, k])
    return group


def _row_values(template, segments, nodes, parent, conductance, mechanisms, n, aliases):
    """Per-row parameter arrays; fills ``aliases`` (unrolled name -> (row name, segment))."""
    rows = len(nodes) * n
    node_of = {name: k for k, name in enumerate(nodes) if name}
    values = {
        "area": np.zeros(rows), "C": np.zeros(rows),
        "gax_parent": np.repeat(np.asarray(conductance, dtype=float), n),
        "hines_parent": np.array([p * n + c if p >= 0 else -1 for p in parent
                                  for c in range(n)], dtype=np.int32),
        "v_threshold": np.full(rows, np.inf),
    }
    for mech in mechanisms.values():
        values[f"present_{mech.name}"] = np.zeros(rows)
        for p in mech.parameters.values():
            values[_row_name(mech, p.name)] = np.full(rows, float(np.asarray(p.value)))
        for local, value in mech.extra_constants(template.celsius).items():
            values[_row_name(mech, local)] = np.full(rows, float(value))
    if template.uses_temperature:
        values["temperature"] = np.full(rows, template.celsius + 273.15)
    for seg in template.segments:
        block = slice(node_of[seg.name] * n, (node_of[seg.name] + 1) * n)
        for local in ("v", "I_ext", "area", "C", "I_m"):
            aliases[f"{local}_{seg.name}"] = (local, seg.name)
        for mech in seg.compartment.mechanisms:
            values[f"present_{mech.name}"][block] = 1.0
            for local in mech.equations().names:
                aliases[template.mechanism_variable(mech, local, seg.name)] = (
                    _row_name(mech, local), seg.name)
    aliases["v_threshold"] = ("v_threshold", template.spike_segment)
    for _, _, _, var, value, _ in template._parameter_rows(couplings=False):
        if var in aliases:
            row_var, seg_name = aliases[var]
            k = node_of[seg_name]
            values[row_var][k * n:(k + 1) * n] = float(np.asarray(value))
    return values
