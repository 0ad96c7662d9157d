"""Choosing the code-generation target explicitly, and checking the tool chain first.

Brian2's default target ``'auto'`` silently falls back to numpy when Cython
cannot compile. `use` sets the target explicitly and fails loudly, naming
what is missing, when the C/C++ compiler, the Python headers or Cython are
absent. ``make_group`` calls ``use('cython')`` when the target is still
``'auto'``.
"""

import contextlib
import os
import shutil
import sysconfig

from brian2 import prefs, set_device

__all__ = ["use", "using", "check_toolchain", "TARGETS"]

TARGETS = ("cython", "numpy", "cpp_standalone")


def check_toolchain(target):
    """Raise ``RuntimeError`` naming what ``target`` needs and this machine lacks."""
    missing = []
    if target in ("cython", "cpp_standalone"):
        if shutil.which("gcc") is None and shutil.which("cc") is None:
            missing.append("a C compiler (gcc): apt-get install gcc")
        if shutil.which("g++") is None and shutil.which("c++") is None:
            missing.append("a C++ compiler (g++): apt-get install g++")
    if target == "cython":
        include = sysconfig.get_paths()["include"]
        if not os.path.exists(os.path.join(include, "Python.h")):
            missing.append(f"the Python headers ({include}/Python.h): apt-get install python3-dev")
        try:
            import Cython  # noqa: F401
        except ImportError:
            missing.append("Cython: pip install cython")
    if target == "cpp_standalone" and shutil.which("make") is None:
        missing.append("make: apt-get install make")
    if missing:
        raise RuntimeError(f"Code-generation target '{target}' needs " + "; ".join(missing)
                           + ". Install them, or choose target='numpy' (slow).")


def use(target="cython", directory=None):
    """Select the code-generation target after checking the tool chain.

    Parameters
    ----------
    target : {'cython', 'numpy', 'cpp_standalone'}
    directory : str, optional
        Build directory for ``cpp_standalone`` (reused between runs: an
        unchanged model is not recompiled).
    """
    if target not in TARGETS:
        raise ValueError(f"The 'target' parameter of use must be one of {TARGETS}. "
                         f"Got {target!r} instead.")
    check_toolchain(target)
    if target == "cpp_standalone":
        set_device("cpp_standalone", directory=directory, build_on_run=True)
    else:
        set_device("runtime")
        prefs.codegen.target = target
    return target


@contextlib.contextmanager
def using(target):
    """Context manager: run the block on a runtime ``target``, then restore the previous one.

    >>> from compartments import backends
    >>> with backends.using("numpy"):
    ...     pass
    """
    if target == "cpp_standalone":
        raise ValueError("The 'target' parameter of using must be a runtime target ('cython' "
                         "or 'numpy'): a cpp_standalone device cannot be left again in the "
                         "same process. Got 'cpp_standalone' instead.")
    old = prefs.codegen.target
    use(target)
    try:
        yield target
    finally:
        prefs.codegen.target = old


def codeobj_class():
    """The code object class for template groups on the current target (None: Brian2's).

    On the Cython runtime target, `compartments.codegen.CellCythonCodeObject`
    (compact, group-independent code; a safe cache).
    """
    from brian2 import get_device
    from brian2.devices.device import RuntimeDevice

    if isinstance(get_device(), RuntimeDevice) and prefs.codegen.target == "cython":
        from .codegen import CellCythonCodeObject

        return CellCythonCodeObject
    return None


def _unwrapped_numpy_exprel():
    """Give Brian2's numpy target the plain ``exprel`` (same function, same numbers).

    Brian2 2.9 wraps it in a unit check whose error message is formatted on every
    call (``f"... returned {result} ..."``): each step of a numpy-target run then
    prints arrays to strings, about 3x the run time of a one-compartment HH group
    (measured: 50 ms of 20 neurons, 8.6 s -> 2.6 s).
    """
    from brian2.core.functions import DEFAULT_FUNCTIONS
    from brian2.units.unitsafefunctions import exprel

    DEFAULT_FUNCTIONS["exprel"].implementations.add_implementation("numpy",
                                                                   code=exprel._orig_func)


_unwrapped_numpy_exprel()


def ensure_explicit_target():
    """Replace Brian2's silent 'auto' target by a checked 'cython'."""
    from brian2 import get_device
    from brian2.devices.device import RuntimeDevice

    if isinstance(get_device(), RuntimeDevice) and prefs.codegen.target == "auto":
        use("cython")
