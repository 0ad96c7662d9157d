"""Brian2's code-generation steps kept on disk, so a warm process does not redo them.

Brian2 turns a group's equations into code in two sympy-heavy steps that it
repeats in every process, even when the compiled module is cached: the
substitution of subexpressions into the differential equations (its
`StateUpdater` does it at the first run, only to check identifiers) and
``make_statements`` (parsing each abstract-code line, typing it and pulling out
loop invariants). For L5_TTPC they were 1.1 and 0.8 s of CPU of a 4.3 s warm
build (docs/build.md). Both results are pure functions of text and of the
variables' declarations, so they are kept in `compartments.cache` (checksummed,
atomic), keyed by:

- the equations' text (substitution), or the abstract code, the dtype, the
  block name and the declaration of every variable the code reaches —
  class, dtype, dimensions, scalar/constant/read-only flags, a subexpression's
  expression, a constant's value, a function's signature (statements);
- Brian2's version and the preferences the step reads
  (``codegen.loop_invariant_optimisations``, ``core.default_float_dtype``);
- the source of this module.

The statements cache serves every Brian2 object of a process that imported
`compartments` (`install`); the substitution and the template equations are cached for
template groups (`CellTemplate.make_group`).
"""

import base64
import json
import pickle
import sys

import brian2
from brian2 import Equations
from brian2.codegen import translation
from brian2.codegen.generators import base as generator_base
from brian2.core.functions import Function
from brian2.core.preferences import prefs
from brian2.core.variables import Constant, Subexpression
from brian2.utils.stringtools import get_identifiers

from . import cache

__all__ = ["install", "prime_substituted_expressions", "template_equations", "parsed_equations"]

_MODULES = (sys.modules[__name__],)
_BRIAN_MAKE_STATEMENTS = translation.make_statements
_STATEMENTS = {}  # entry -> statements, in this process (as Brian2's own memo)


def _versions():
    return (f"brian2 {brian2.__version__}; loop invariants "
            f"{prefs['codegen.loop_invariant_optimisations']}; float "
            f"{prefs['core.default_float_dtype'].__name__}")


def _declaration(name, var):
    """Everything of ``var`` that code generation reads, as text."""
    if isinstance(var, Function):
        signature = {k: _text(getattr(var, k, None)) for k in (
            "_arg_units", "_arg_types", "_return_unit", "_return_type")}
        return (f"{name}: function {signature!r} stateless={var.stateless} "
                f"vectorise={var.auto_vectorise}")
    text = (f"{name}: {type(var).__name__} {getattr(var, 'dtype', None)} "
            f"{getattr(var, 'dim', None)!r} scalar={getattr(var, 'scalar', None)} "
            f"constant={getattr(var, 'constant', None)} "
            f"read_only={getattr(var, 'read_only', None)}")
    if isinstance(var, Subexpression):
        text += f" = {var.expr}"
    if isinstance(var, Constant):
        text += f" value={var.value!r}"
    return text


def _text(value):
    """``repr`` without memory addresses (a callable by its qualified name)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_text, value)) + "]"
    if callable(value) and not isinstance(value, type):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)}"
    return repr(value)


def _reached(code, variables):
    """Declarations of every variable ``code`` reaches (through subexpressions), sorted."""
    seen, todo = set(), set(get_identifiers(code))
    while todo:
        name = todo.pop()
        if name in seen or name not in variables:
            continue
        seen.add(name)
        var = variables[name]
        if isinstance(var, Subexpression):
            todo |= set(get_identifiers(var.expr))
    return "\n".join(_declaration(name, variables[name]) for name in sorted(seen))


def _load(kind, entry):
    text = cache.load(kind, entry)
    if text is None:
        return None
    try:
        return pickle.loads(base64.b64decode(text))
    except Exception:  # an entry of an incompatible Brian2/sympy: derive again
        return None


def _store(kind, entry, value):
    cache.store(kind, entry, base64.b64encode(pickle.dumps(value)).decode("ascii"))


def _load_or_derive(kind, entry, derive):
    """The pickled artefact ``kind``/``entry``; on a miss ``derive()``, stored."""
    value = _load(kind, entry)
    if value is None:
        value = derive()
        _store(kind, entry, value)
    return value


def _make_statements(code, variables, dtype, optimise=True, blockname=""):
    """Brian2's ``make_statements``, its result kept on disk and in this process."""
    if cache.cache_dir() is None:
        return _BRIAN_MAKE_STATEMENTS(code, variables, dtype, optimise, blockname)
    material = (f"{code}\n--\ndtype={getattr(dtype, '__name__', dtype)} optimise={optimise} "
                f"block={blockname}\n--\n{_reached(code, variables)}")
    entry = cache.key(material, _MODULES, _versions())
    if entry not in _STATEMENTS:
        _STATEMENTS[entry] = _load_or_derive("statements", entry, lambda: _BRIAN_MAKE_STATEMENTS(
            code, variables, dtype, optimise, blockname))
    return _STATEMENTS[entry]


def install():
    """Make Brian2's ``make_statements`` (used by its generators and by its analysis of
    the identifiers of abstract code) the disk-cached `_make_statements` in this process.

    Done once, when `compartments` is imported: the cached function returns what
    Brian2's does for the same key (the text and declarations it reads), for every
    group of the process. It is also cheaper in-process than Brian2's own memo, whose
    key hashes every variable a code object can see (a `Synapses` onto a template group
    sees thousands: 30 s of CPU to build a 100-cell circuit, benchmarks/circuit_build.py).
    """
    translation.make_statements = generator_base.make_statements = _make_statements


def _mechanism_signature(mech):
    """What a mechanism's equations are built from, beyond the template's `to_dict`."""
    return json.dumps({
        "class": f"{type(mech).__module__}.{type(mech).__qualname__}",
        "equations": mech._equations(), "kind": mech.kind, "shares": list(mech.shares),
        "requires": {k: str(u) for k, u in mech.requires.items()},
        "current": getattr(mech, "current", None), "ion": getattr(mech, "ion", None),
        "partial_currents": dict(getattr(mech, "partial_currents", {})),
        "parameters": {k: str(p.unit) for k, p in mech.parameters.items()},
        "constants": sorted(mech.extra_constants(0.0))}, sort_keys=True)


def template_equations(template, build):
    """``template``'s `Equations` (without extensions) from the disk cache; ``build()``
    makes them on a miss. Keyed by the template's `to_dict`, each mechanism class's
    equations and declarations, and the source of the modules that build them."""
    if cache.cache_dir() is None:
        return build()
    mechanisms = {type(m): m for seg in template.segments for m in seg.compartment.mechanisms}
    modules = {sys.modules[type(template).__module__], sys.modules["compartments.template"],
               sys.modules["compartments.mechanism"]}
    modules |= {sys.modules[cls.__module__] for cls in mechanisms}
    text = json.dumps(template.to_dict(), sort_keys=True) + "\n".join(
        sorted(_mechanism_signature(m) for m in mechanisms.values()))
    entry = cache.key(text, _MODULES + tuple(sorted(modules, key=lambda m: m.__name__)),
                      _versions())
    return _load_or_derive("equations", entry, build)


def prime_substituted_expressions(group):
    """Give ``group``'s equations their subexpression-substituted form from the disk cache
    (deriving and storing it on a miss), before Brian2's `StateUpdater` asks for it.

    The group's namespace must be explicit (template groups': physical constants),
    so that the variables resolved here are those Brian2 resolves at the run.
    """
    equations = group.equations
    if cache.cache_dir() is None or getattr(equations, "_substituted_expressions", 0) is not None:
        return
    names = sorted(equations.identifiers | equations.names)
    try:
        variables = group.resolve_all(names, run_namespace={}, user_identifiers=set())
    except KeyError:  # a name only the run's namespace gives: Brian2 derives it then
        return
    functions = "\n".join(_declaration(name, var) for name, var in sorted(variables.items())
                          if isinstance(var, Function))
    text = "\n".join(sorted(str(equations).splitlines()))  # Brian2's order varies by process
    entry = cache.key(f"{text}\n--\n{functions}", _MODULES, _versions())
    equations._substituted_expressions = _load_or_derive(
        "substituted", entry, lambda: equations.get_substituted_expressions(variables))


def parsed_equations(text, substitutions=None):
    """``Equations(text, **substitutions)`` from the disk cache (parsed, and its expressions
    checked by sympy, on a miss): a mechanism's equations, parsed whenever a template is
    made (L5_TTPC's 46 mechanism instances: ~1 s of CPU per process)."""
    substitutions = dict(substitutions or {})
    if cache.cache_dir() is None:
        return Equations(text, **substitutions)
    entry = cache.key(f"{text}\n--\n{sorted(substitutions.items())!r}", _MODULES, _versions())
    return _load_or_derive("parsed", entry, lambda: Equations(text, **substitutions))
