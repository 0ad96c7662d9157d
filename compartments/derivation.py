"""Derivatives of Brian2 equations by the chain rule over their subexpressions.

A template's equations are many small expressions: each channel's rate functions,
gates and current, each segment's membrane and axial current. Substituting the
subexpressions into the right-hand sides and differentiating the result, as a
computer-algebra system would, costs time and memory that grow faster than the
model (whole-cell currents become large expression trees, differentiated once per
state). Here the expressions stay as they are written, and:

- each expression is reduced to its *form* — its code with every name replaced by
  a placeholder in order of first appearance — so the copies of a mechanism in
  many segments share one form, which sympy parses, differentiates and prints once
  per process;
- `Program` differentiates in forward mode: the derivative of a subexpression with
  respect to a state is the sum, over the names it reads, of its partial
  derivative times theirs, each computed once, named as a temporary and reused,
  and assembled as code text (no sympy arithmetic per copy).

The cost is proportional to the size of the equations plus the number of distinct
forms. `Program` emits straight-line code in Brian2's abstract-code syntax (the
state updaters of `compartments.integration`) or numpy syntax (the resting state
of `compartments.rest`).
"""

import json
import keyword
import re
import sys

import brian2
import sympy as sp
from brian2.equations.equations import DIFFERENTIAL_EQUATION, SUBEXPRESSION
from brian2.parsing.sympytools import str_to_sympy, sympy_to_str
from sympy.printing.numpy import NumPyPrinter

from . import cache

__all__ = ["EquationGraph", "Program", "equations_text", "names_in"]

_NAME = re.compile(r"\b([A-Za-z_]\w*)\b(?!\s*\()")
_PLACEHOLDER = re.compile(r"\b_P(\d+)\b")
_KEEP = set(keyword.kwlist) | {"True", "False"}
VERSIONS = f"sympy {sp.__version__} brian2 {brian2.__version__}"  # part of every cache key
_FORMS = {}      # form -> sympy expression over placeholders (parsed when needed)
_RECORDS = {}    # form -> {"present": placeholders read, "printed": {key: code or None}}
_NUMPY = NumPyPrinter({"fully_qualified_modules": False, "inline": True,
                       "allow_unknown_functions": True,
                       "user_functions": {"exprel": "exprel"}})
DIALECTS = {"brian": sympy_to_str, "numpy": _NUMPY.doprint}


def _placeholder(k):
    return sp.Symbol(f"_P{k}", real=True)


def _form(code):
    """(form, names): ``code`` with its names replaced by placeholders, and the names."""
    names = []

    def replace(match):
        name = match.group(1)
        if name in _KEEP:
            return name
        if name not in names:
            names.append(name)
        return f"_P{names.index(name)}"

    return _NAME.sub(replace, code), tuple(names)


def _sympy(form, variables=None):
    if form not in _FORMS:
        _FORMS[form] = str_to_sympy(form, variables)
    return _FORMS[form]


def _record(form, variables=None):
    """What is known of a form: from this process, the disk cache, or parsed now."""
    if form not in _RECORDS:
        entry = cache.key(form, (sys.modules[__name__],), VERSIONS)
        text = cache.load("forms", entry)
        if text is None:
            expr = _sympy(form, variables)
            present = sorted(int(x.name[2:]) for x in expr.free_symbols
                             if x.name.startswith("_P"))
            record = {"present": present, "printed": {}, "entry": entry}
        else:
            record = dict(json.loads(text), entry=entry)
        _RECORDS[form] = record
    return _RECORDS[form]


def _printed(form, transform, dialect):
    """Code (over placeholders) of a form, its partial derivative ``("d", k)``, the form
    with placeholder k set to zero ``("0", k)``, or, for a form linear in placeholder k
    (``a x + b``), its zero ``-b/a`` simplified (``("inf", k)``: the steady state of a
    gate, where factors common to ``a`` and ``b`` cancel); None when that is identically
    zero. Computed once per form, then kept in the derived-artefact cache."""
    record = _record(form)
    key = f"{transform[0]}{transform[1]}|{dialect}" if transform else f"|{dialect}"
    if key not in record["printed"]:
        expr = _sympy(form)
        if transform is not None:
            kind, k = transform
            x = _placeholder(k)
            if kind == "d":
                expr = sp.diff(expr, x)
            elif kind == "0":
                expr = expr.subs(x, 0)
            else:
                expr = sp.cancel(-expr.subs(x, 0) / sp.diff(expr, x))
        record["printed"][key] = None if expr == 0 else DIALECTS[dialect](expr)
        cache.store("forms", record["entry"], json.dumps(
            {"present": record["present"], "printed": record["printed"]}))
    return record["printed"][key]


def names_in(code):
    """The names (not function names) that a piece of code reads (set)."""
    return set(_NAME.findall(code))


def equations_text(equations):
    """A canonical text of equations (types, names, units, expressions, flags), for cache keys.

    By variable name: Brian2's ``ordered`` sorts subexpressions topologically, in an order
    that varies between processes (sets), and every artefact derived from it is valid in
    any such order."""
    return "\n".join(f"{eq.type}|{eq.varname}|{eq.dim!r}|{eq.var_type}|"
                     f"{eq.expr.code if eq.expr is not None else ''}|{sorted(eq.flags)}"
                     for eq in sorted(equations.ordered, key=lambda eq: eq.varname))


class EquationGraph:
    """A group's equations as forms with names, and their state dependencies.

    Parameters
    ----------
    equations : `Equations`
        Differential equations, subexpressions and parameters (a group's
        ``equations`` or ``user_equations``).
    variables : dict, optional
        Brian2 variables (to recognise function names), as given to a state updater.
    independent : sequence of str
        Parameters that count as states for dependencies and derivatives (the
        voltage of a row of `compartments.tree`, advanced by its own solver).

    Attributes
    ----------
    states : list of str
        Differential equation variables, in equation order.
    subexpressions : list of str
        Subexpression names, in dependency order.
    depends : dict
        Subexpression or state -> frozenset of the states its value depends on
        (through any chain of subexpressions).
    """

    def __init__(self, equations, variables=None, independent=()):
        self._variables = variables
        self.states = []
        self.subexpressions = []
        self._forms = {}  # item (a subexpression name or ("rhs", state)) -> (form, names)
        for eq in equations.ordered:
            if eq.type == SUBEXPRESSION:
                self._parse(eq.varname, eq.expr.code, variables)
                self.subexpressions.append(eq.varname)
            elif eq.type == DIFFERENTIAL_EQUATION:
                self._parse(("rhs", eq.varname), eq.expr.code, variables)
                self.states.append(eq.varname)
        self._is_subexpression = set(self.subexpressions)
        self._is_state = set(self.states) | set(independent)
        self.depends = {s: frozenset((s,)) for s in self._is_state}
        for name in self.subexpressions:
            self.depends[name] = self.dependencies(self.names(name))

    def _parse(self, item, code, variables):
        form, names = _form(code)
        # names sympy simplified away (x - x, 0*x) are not read
        present = _record(form, variables)["present"]
        self._forms[item] = (form, names, frozenset(names[k] for k in present))

    def quotient(self, state):
        """The right-hand side of ``state`` as ``numerator / denominator``, when the
        denominator is a product of parameters (e.g. ``(area*I_m + I_axial)/C``): the
        item of the numerator (an expression of this graph, ``("num", state)``) and the
        denominator's code; None otherwise."""
        form, names, _ = self._forms[("rhs", state)]
        numerator, denominator = sp.fraction(_sympy(form))
        if denominator == 1 or not denominator.is_Mul and not denominator.is_Symbol:
            return None
        for factor in sp.Mul.make_args(denominator):
            if not factor.is_Symbol or not _PLACEHOLDER.fullmatch(factor.name):
                return None
            name = names[int(factor.name[2:])]
            if name in self._is_subexpression or name in self._is_state:
                return None
        item = ("num", state)

        def rename(code):
            return _PLACEHOLDER.sub(lambda m: names[int(m.group(1))], code)

        self._parse(item, rename(sympy_to_str(numerator)), self._variables)
        return item, rename(sympy_to_str(denominator))

    def is_subexpression(self, name):
        return name in self._is_subexpression

    def names(self, item):
        """The names an expression reads (frozenset)."""
        return self._forms[item][2]

    def dependencies(self, names):
        """States (frozenset) that code reading ``names`` depends on."""
        out = set()
        for name in names:
            if name in self._is_subexpression:
                out |= self.depends[name]
            elif name in self._is_state:
                out.add(name)
        return frozenset(out)

    def code(self, item, dialect, rename, transform=None):
        """Code of an expression (or its partial ``("d", name)``, zeroing ``("0", name)`` or
        zero ``("inf", name)``, see `_printed`) in ``dialect``, each name replaced by
        ``rename(name)``; None if zero."""
        form, names, _ = self._forms[item]
        if transform is not None:
            transform = (transform[0], names.index(transform[1]))
        text = _printed(form, transform, dialect)
        if text is None:
            return None
        return _PLACEHOLDER.sub(lambda m: rename(names[int(m.group(1))]), text)

    def sympy(self, item):
        """The expression as sympy (for structural tests on a few small expressions)."""
        form, names, _ = self._forms[item]
        return _sympy(form).xreplace({_placeholder(k): sp.Symbol(n, real=True)
                                      for k, n in enumerate(names)})


class Program:
    """Straight-line code computing values and derivatives of an `EquationGraph`.

    Parameters
    ----------
    graph : `EquationGraph`
    prefix : str
        Prefix of the temporaries (two programs in one code block need two).
    dialect : {'brian', 'numpy'}
        Syntax of the code.
    reuse : `Program`, optional
        An earlier program in the same code block: its values of subexpressions that do
        not depend on the states in ``changed`` (assigned in between) are used, not
        computed again.
    changed : iterable of str
        States assigned between ``reuse`` and this program.

    Notes
    -----
    ``lines`` is the list of ``(name, code)`` assignments emitted so far, each
    reading states, parameters and earlier temporaries only. `value`, `rhs`,
    `derivative` and `temporary` return code (a name or an expression) and emit
    what it needs.
    """

    def __init__(self, graph, prefix, dialect="brian", reuse=None, changed=()):
        self.graph = graph
        self.prefix = prefix
        self.dialect = dialect
        self._reuse, self._changed = reuse, frozenset(changed)
        self.lines = []
        self.depends = {}  # temporary -> states it depends on
        self._values = {}
        self._derivatives = {}
        self._count = 0

    def temporary(self, code, depends=None, name=None):
        """A new temporary holding ``code``; returns its name."""
        if name is None:
            name = f"{self.prefix}{self._count}"
            self._count += 1
        self.lines.append((name, code))
        self.depends[name] = self.dependencies(code) if depends is None else depends
        return name

    def dependencies(self, code):
        """States that code over names and temporaries depends on."""
        out = set()
        for name in names_in(code):
            if name in self.depends:
                out |= self.depends[name]
            else:
                out |= self.graph.dependencies((name,))
        return frozenset(out)

    def value(self, name):
        """Name holding the value of ``name`` (a subexpression is emitted as a temporary)."""
        if not self.graph.is_subexpression(name):
            return name
        earlier = self._reuse._values if self._reuse is not None else {}
        if (name not in self._values and name in earlier
                and not self.graph.depends[name] & self._changed):
            self._values[name] = earlier[name]
            self.depends[earlier[name]] = self.graph.depends[name]
        if name not in self._values:
            code = self.graph.code(name, self.dialect, self.value) or "0"
            self._values[name] = self.temporary(code, self.graph.depends[name],
                                                name=f"{self.prefix}_{name}")
        return self._values[name]

    def rhs(self, state, zero=None, item=None):
        """Code of the right-hand side of ``state`` (with ``zero`` set to 0 if given), or
        of another ``item`` of the graph (e.g. `EquationGraph.quotient`'s numerator)."""
        transform = None if zero is None else ("0", zero)
        return self.graph.code(item or ("rhs", state), self.dialect, self.value,
                               transform) or "0"

    def steady_state(self, state):
        """Code of the zero of the right-hand side of ``state``, linear in it and reading it
        directly (``-b/a`` for ``a x + b``, simplified); None if zero."""
        return self.graph.code(("rhs", state), self.dialect, self.value, ("inf", state))

    def derivative(self, name, wrt, rhs=False):
        """d(name)/d(wrt), every other state held fixed: a name, code or None (zero).

        ``name`` is a subexpression, a state whose right-hand side is meant when
        ``rhs`` is true, or another item of the graph (a tuple, e.g. ``("num", v)``);
        ``wrt`` is a state.
        """
        key = (name, wrt, rhs)
        if key in self._derivatives:
            return self._derivatives[key]
        if isinstance(name, tuple):
            item = name
        elif rhs:
            item = ("rhs", name)
        elif self.graph.is_subexpression(name):
            item = name
        else:
            return "1" if name == wrt else None
        terms = []
        for read in sorted(self.graph.names(item)):
            if read == wrt:
                inner = "1"
            elif self.graph.is_subexpression(read) and wrt in self.graph.depends[read]:
                inner = self.derivative(read, wrt)
            else:
                continue
            if inner is None:
                continue
            partial = self.graph.code(item, self.dialect, self.value, ("d", read))
            if partial is not None:
                terms.append(f"({partial})" if inner == "1" else f"({partial})*{inner}")
        if not terms:
            result = None
        else:
            result = self.temporary(" + ".join(terms))
        self._derivatives[key] = result
        return result
