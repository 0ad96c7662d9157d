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

from brian2 import get_device, prefs, set_device

__all__ = ["use", "using", "check_toolchain", "openmp_environment", "TARGETS"]

TARGETS = ("cython", "numpy", "cpp_standalone", "cuda_standalone")
# threads waiting at a parallel loop's barrier sleep instead of spinning: on a machine
# shared with other jobs GNU OpenMP's default spinning made 2 threads ~10x slower than
# one (docs/performance.md, "Threads"; benchmarks/thread_efficiency.py)
OPENMP_ENVIRONMENT = {"OMP_WAIT_POLICY": "passive"}


def openmp_environment():
    """Environment variables a multithreaded standalone run gets: `OPENMP_ENVIRONMENT`,
    less those the user has set (dict)."""
    return {k: v for k, v in OPENMP_ENVIRONMENT.items() if k not in os.environ}


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
    if target == "cuda_standalone":
        from .cuda import check

        check()
    if missing:
        raise RuntimeError(f"Code-generation target '{target}' needs " + "; ".join(missing)
                           + ". Install them, or choose target='numpy' (slow).")


def use(target="cython", directory=None, threads=None):
    """Select the code-generation target after checking the tool chain.

    Parameters
    ----------
    target : {'cython', 'numpy', 'cpp_standalone', 'cuda_standalone'}
        ``cuda_standalone`` is brian2cuda's GPU device (see `compartments.cuda`).
    directory : str, optional
        Build directory for the standalone targets (reused between runs: an
        unchanged model is not recompiled).
    threads : int, optional
        ``cpp_standalone`` only: OpenMP threads (Brian2's
        ``devices.cpp_standalone.openmp_threads``; default: one thread, no OpenMP).
        Results do not depend on the number (docs/performance.md). With more than one,
        the simulation runs with ``OMP_WAIT_POLICY=passive`` unless the environment sets
        it (`openmp_environment`).
    """
    if target not in TARGETS:
        raise ValueError(f"The 'target' parameter of use must be one of {TARGETS}. "
                         f"Got {target!r} instead.")
    if threads is not None and (target != "cpp_standalone" or isinstance(threads, bool)
                                or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"The 'threads' parameter of use must be a positive integer, and "
                         f"only with target 'cpp_standalone'. Got threads={threads!r} with "
                         f"target {target!r}.")
    check_toolchain(target)
    if target == "cuda_standalone":
        from .cuda import activate

        return activate(directory)
    if target == "cpp_standalone":
        prefs.devices.cpp_standalone.openmp_threads = 0 if threads in (None, 1) else threads
        set_device("cpp_standalone", directory=directory, build_on_run=True)
        if threads not in (None, 1):
            get_device().run_environment_variables.update(openmp_environment())
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
    if target in ("cpp_standalone", "cuda_standalone"):
        raise ValueError(f"The 'target' parameter of using must be a runtime target ('cython' "
                         f"or 'numpy'): a standalone device cannot be left again in the "
                         f"same process. Got {target!r} instead.")
    old = prefs.codegen.target
    use(target)
    try:
        yield target
    finally:
        prefs.codegen.target = old


def codeobj_class():
    """The code object class for template groups on the current target (None: Brian2's).

    On the Cython runtime target, `compartments.codegen.CellCythonCodeObject`
    (compact, group-independent code; a safe cache); on cpp_standalone,
    `compartments.standalone.CellCPPStandaloneCodeObject` (vectorised state updates).
    """
    from brian2 import get_device
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import RuntimeDevice

    device = get_device()
    if isinstance(device, RuntimeDevice) and prefs.codegen.target == "cython":
        from .codegen import CellCythonCodeObject

        return CellCythonCodeObject
    if type(device) is CPPStandaloneDevice:
        from .standalone import CellCPPStandaloneCodeObject

        return CellCPPStandaloneCodeObject
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
