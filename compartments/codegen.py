"""Compiling template groups fast, and caching the compiled code safely (Cython target).

Brian2's Cython code object declares every array it touches with a typed numpy
buffer, its length and its `Variable` (five Python operations, each with an error
path, per array). A template group touches hundreds of per-neuron arrays, and the
compiler's time grows faster than linearly with that function (benchmarks/
build_profile.py; docs/build.md). `CellCythonCodeObject` is Brian2's Cython code
object with four changes, used for template groups only:

- *compact loading* (state updates): each array is one pointer taken from the
  namespace, ``cdef double * _ptr_x = <double *> PyArray_DATA(...)``;
- *C division* (state updates without integer ``//`` or ``%``): no zero check with
  a Python exception path on every division — a division by zero gives inf/NaN,
  which the divergence guard reports;
- *names independent of the group*: arrays are named after the variable, not the
  group (``_ptr_v_soma``, not ``_array_L5_TTPC_3_v_soma``), so every group of a
  template — in this process, another process, or made by
  ``python -m celltypes precompile`` — reuses one compiled module;
- *a safe cache*: the compiler flags are part of the cache key (Brian2 2.9 ignores
  them: an ``-O0`` build was reused by ``-O3`` runs), and a module that does not
  load (a 0-byte or truncated file left by an interrupted build) is removed and
  rebuilt, with a warning.
"""

import functools
import hashlib
import os
import re
import sys
import time
import warnings

import numpy
from brian2.codegen.generators.cython_generator import CythonCodeGenerator
from brian2.codegen.runtime.cython_rt import CythonCodeObject
from brian2.codegen.runtime.cython_rt.extension_manager import (
    cython_extension_manager, get_cython_cache_dir)
from brian2.core.variables import ArrayVariable, DynamicArrayVariable

__all__ = ["CellCythonCodeObject", "compact_loads", "BrokenCacheEntry"]

COMPACT_TEMPLATES = ("stateupdate", "hines")

# Brian2 2.9's three lines for a 1-D array of a numeric type
_BUFFER = re.compile(
    r"cdef _numpy\.ndarray\[(?P<ctype>[\w ]+), ndim=1, mode='c'\] _buf_(?P<name>\w+) = "
    r"_namespace\['(?P=name)'\]\n"
    r"cdef (?P=ctype) \* (?P=name) = <(?P=ctype) \*> _buf_(?P=name)\.data\n")
_UNUSED = re.compile(r"^(_var_\w+ = _namespace\[\"_var_\w+\"\]|"
                     r"cdef size_t _num\w+ = len\(_namespace\['\w+'\]\))\n", re.MULTILINE)


class BrokenCacheEntry(UserWarning):
    """A compiled module in the cache did not load and was rebuilt."""


def compact_loads(load_namespace):
    """Brian2's Cython namespace loading with one pointer line per numeric array.

    Drops the typed buffer, the ``_var_`` object and the ``_num`` length of each
    array (the ``stateupdate`` template uses neither).
    """
    text = load_namespace + "\n"
    text = _BUFFER.sub(lambda m: (f"cdef {m['ctype']} * {m['name']} = <{m['ctype']} *> "
                                  f"_numpy.PyArray_DATA(_namespace['{m['name']}'])\n"), text)
    return _UNUSED.sub("", text).rstrip("\n")


class CompactCythonGenerator(CythonCodeGenerator):
    """Brian2's Cython generator with `compact_loads` for the state-update template."""

    def determine_keywords(self):
        keywords = super().determine_keywords()
        if self.template_name in COMPACT_TEMPLATES:
            keywords["load_namespace"] = compact_loads(keywords["load_namespace"])
        return keywords


def _module_path(code):
    """Where Brian2's extension manager keeps the module compiled from ``code``."""
    from Cython import __version__ as cython_version

    key = (code, sys.version_info, sys.executable, cython_version,
           ".".join(numpy.__version__.split(".")[:2]),
           os.environ.get("CC", None), os.environ.get("CXX", None))
    name = f"_cython_magic_{hashlib.md5(str(key).encode('utf-8')).hexdigest()}"
    lib_dir = os.path.expanduser(get_cython_cache_dir())
    return os.path.join(lib_dir, name + cython_extension_manager.so_ext)


class CellCythonCodeObject(CythonCodeObject):
    """Brian2's `CythonCodeObject` for template groups (see the module docstring)."""

    generator_class = CompactCythonGenerator
    class_name = "cython"  # function implementations registered for Cython apply

    def _renames(self):
        """Names in this code object -> names independent of the owning group.

        Array names (``_array_<group>_<var>``) become ``_ptr_<var>``; variable names that
        embed the owner's name get ``_owner_`` in its place, and those that embed a
        synapse's source or target group's name ``_source_``/``_target_`` (Brian2 names a
        synapse's references to post-synaptic subexpressions after the `Synapses` and
        the target: ``_peak_norm_ampa_soma_post_<synapses>_<target>_tau_rise_ampa_soma``).
        """
        synapses = getattr(self.owner, "synapses", self.owner)
        roles = {}
        for role, group in (("_source_", getattr(synapses, "source", None)),
                            ("_target_", getattr(synapses, "target", None)),
                            ("_owner_", synapses), ("_owner_", self.owner)):
            name = getattr(group, "name", None)
            if name:
                roles[name] = role
        owners = sorted(roles, key=len, reverse=True)

        def canonical(name):
            for owner in owners:
                name = name.replace(owner, roles[owner])
            return name

        names = {}
        for name, var in self.variables.items():
            canon = canonical(name)
            if canon != name:
                names[name] = canon
            if isinstance(var, ArrayVariable):
                names[self.device.get_array_name(var, self.variables)] = f"_ptr_{canon}"
            if isinstance(var, DynamicArrayVariable):
                dynamic = self.generator_class.get_array_name(var, access_data=False)
                names[dynamic] = f"_dyn_{canon}"
        return names

    def _rename(self, text, renames=None):
        renames = self._renames() if renames is None else renames
        if not renames:
            return text
        pattern = _rename_pattern(frozenset(renames))
        return pattern.sub(lambda m: (m.group(1) or "") + renames[m.group(2)], text)

    def variables_to_namespace(self):
        super().variables_to_namespace()
        renames = self._renames()
        for key in list(self.namespace):
            new = self._rename(key, renames)
            if new != key:
                self.namespace[new] = self.namespace[key]
        self.nonconstant_values = [(self._rename(name, renames), fn)
                                   for name, fn in self.nonconstant_values]

    def compile_block(self, block):
        code = getattr(self.code, block, "").strip()
        if not code or "EMPTY_CODE_BLOCK" in code:
            return None
        shim = _ClearEventspace.for_block(self, block, code)
        if shim is not None:
            return shim
        code = self._rename(code)
        if (self.template_name in COMPACT_TEMPLATES and "//" not in code
                and not re.search(r"[^%]%[^%]", code)):
            code = code.replace("#cython: cdivision=False", "#cython: cdivision=True", 1)
        flags = " ".join(self.extra_compile_args + [f"-D{m}" for m in
                                                    map(str, self.define_macros)])
        code += f"\n# compiled with: {flags}\n"
        path = _module_path(code)
        cached = os.path.exists(path)
        started = time.perf_counter()
        what = self.name.replace("_codeobject", "") + ("" if block == "run" else f" ({block})")
        if not cached:
            _progress(f"compiling {what} ...")
        try:
            module = self._create(code)
        except ImportError as ex:
            if not cached:
                raise
            warnings.warn(f"The compiled module {path} for '{self.owner.name}' did not load "
                          f"({ex}); it was probably left by an interrupted build. It is "
                          f"removed and rebuilt.", BrokenCacheEntry, stacklevel=2)
            os.remove(path)
            module = self._create(code)
        if not cached:
            where = _home_relative(os.path.dirname(path))
            _progress(f"compiled {what} in "
                      f"{time.perf_counter() - started:.1f} s, cached in {where}")
        return module

    def _create(self, code):
        return cython_extension_manager.create_extension(
            code, define_macros=self.define_macros, libraries=self.libraries,
            extra_compile_args=self.extra_compile_args, extra_link_args=self.extra_link_args,
            include_dirs=self.include_dirs, library_dirs=self.library_dirs,
            runtime_library_dirs=self.runtime_library_dirs, compiler=self.compiler,
            owner_name=f"{self.owner.name}_{self.template_name}", sources=self.sources)


class _ClearEventspace:
    """The ``after_run`` block of Brian2's threshold template (``eventspace[N] = 0``: no
    events pending after a run) done in Python, instead of compiling a Cython module
    for that one line (5-7 s of compiler CPU per template group, cold)."""

    _LINE = re.compile(r"^\s*_ptr\w*space\[N\] = 0\b", re.MULTILINE)

    def __init__(self, variable):
        self.variable = variable

    @classmethod
    def for_block(cls, codeobj, block, code):
        """The shim for ``codeobj``'s ``block``, or None where it does not apply."""
        if codeobj.template_name != "threshold" or block != "after_run":
            return None
        spaces = [v for k, v in codeobj.variables.items()
                  if isinstance(v, ArrayVariable) and re.fullmatch(r"_\w+space", k)]
        lines = [line for line in codeobj._rename(code).splitlines() if "[N]" in line]
        if len(spaces) != 1 or len(lines) != 1 or not cls._LINE.match(lines[0]):
            return None
        return cls(spaces[0])

    def main(self, namespace):
        self.variable.get_value()[-1] = 0


@functools.lru_cache(maxsize=64)
def _rename_pattern(names):
    """The pattern of `CellCythonCodeObject._rename` for a set of names (built once: a
    group's code objects are re-created at every run)."""
    alternatives = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    # also inside Brian2's derived names _buf_<array>, _num<array>, _var_<variable>
    return re.compile(r"\b(_buf_|_num|_var_)?(" + alternatives + r")\b")


def _home_relative(path):
    """``path`` with the home folder written ``~`` (no machine path in logs and notebooks)."""
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if path == home or path.startswith(home + os.sep) else path


def _progress(message):
    """A progress line on stderr while compiling (``BRIAN2COMPARTMENTS_QUIET=1`` silences it)."""
    if not os.environ.get("BRIAN2COMPARTMENTS_QUIET"):
        sys.stderr.write(f"brian2compartments: {message}\n")
        sys.stderr.flush()
