"""Building the whole atlas: every type in turn or in parallel processes, with a progress bar.

Each type is simulated and written by one task (`simulate_type` then
`write_type`); the page is rewritten after every finished type, so an
interrupted atlas keeps every type it completed, and a failing type does not
stop the others (it is reported at the end). Tasks run in this process
(``jobs=1``), or in fresh processes (``jobs>1``, and always for cpp_standalone,
whose device cannot be reset within a process). Compiled code is cached:
Cython modules in Brian2's cache (shared by all processes and runs), standalone
projects in a folder per type under `standalone_root` (only changed files are
recompiled).
"""

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time

from compartments.backends import TARGETS

from ..catalogue import canonical
from ..characterise import STANDARD
from .outputs import write_type
from .page import write_page
from .simulate import MODULATORS, simulate_type

__all__ = ["build_atlas", "atlas_types", "standalone_root", "AtlasError"]


class AtlasError(RuntimeError):
    """Some types of the atlas failed; the others were written."""


def atlas_types():
    """The catalogue types with a standard protocol (`celltypes.characterise.STANDARD`)."""
    return sorted(STANDARD)


def standalone_root():
    """Where cpp_standalone projects of the atlas are kept between runs:
    ``$XDG_CACHE_HOME/brian2compartments/atlas`` (default ``~/.cache/...``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "brian2compartments", "atlas")


def _one_type(name, out, modulators, backend, optimise):
    """Simulate and write one type (runs in a worker process or in this one)."""
    start = time.perf_counter()
    result = simulate_type(name, modulators, backend=backend, optimise=optimise,
                           standalone_dir=os.path.join(standalone_root(), name))
    files = write_type(result, out, backend=backend)
    return name, files, time.perf_counter() - start


@contextlib.contextmanager
def _workers_end_with_us():
    """End the worker processes started in the block if it is left by an exception, and
    turn SIGTERM into one (KeyboardInterrupt): a terminated atlas leaves no orphans running
    their types to the end. (Ctrl-C reaches the workers through the process group.)"""
    before = set(multiprocessing.active_children())

    def terminated(signum, frame):
        raise KeyboardInterrupt(f"the atlas received signal {signum}")

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminated) if main else None
    try:
        yield
    except BaseException:
        for child in set(multiprocessing.active_children()) - before:
            child.terminate()
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _check(cells, modulators, backend, jobs):
    cells = [canonical(c) for c in (cells or atlas_types())]
    missing = [c for c in cells if c not in STANDARD]
    if missing:
        raise ValueError(f"The 'cells' of the atlas name types without a standard protocol: "
                         f"{missing}; types with one: {atlas_types()}.")
    unknown = [m for m in modulators if m not in MODULATORS]
    if unknown:
        raise ValueError(f"The 'modulators' of the atlas must be among {list(MODULATORS)}. "
                         f"Got {unknown} instead.")
    if backend not in TARGETS:
        raise ValueError(f"The 'backend' of the atlas must be one of {TARGETS}. "
                         f"Got {backend!r} instead.")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"The 'jobs' of the atlas must be a positive integer. "
                         f"Got {jobs!r} instead.")
    # the largest templates first: the slowest tasks start early
    return sorted(dict.fromkeys(cells), key=lambda c: -len(STANDARD[c].segments))


def build_atlas(out, cells=None, modulators=MODULATORS, backend="cython", jobs=1,
                optimise=True, progress=True):
    """Build the atlas into folder ``out``; return the path of ``index.html``.

    Parameters
    ----------
    out : str
        Output folder (created).
    cells : sequence of str, optional
        Cell types (default `atlas_types`).
    modulators : sequence of str
        Modulators applied alone besides the control (default DA, ACh, 5HT, NE).
    backend : {'cython', 'numpy', 'cpp_standalone'}
    jobs : int
        Types simulated at the same time (processes).
    optimise : bool
        Cython at the default optimisation (False: -O0, quicker to compile).
    progress : bool
        Show a progress bar (tqdm) on stderr.

    Raises
    ------
    AtlasError
        After writing every other type, if some failed (naming them and why).
    """
    cells = _check(cells, tuple(modulators), backend, jobs)
    os.makedirs(out, exist_ok=True)
    from tqdm.auto import tqdm

    bar = tqdm(total=len(cells), desc="atlas", unit="type", disable=not progress,
               file=sys.stderr)
    pending, failed = list(cells), {}
    write_page(out, pending=pending)

    def finished(name, outcome):
        pending.remove(name)
        if isinstance(outcome, BaseException):
            failed[name] = f"{type(outcome).__name__}: {outcome}"
            bar.write(f"{name}: failed ({failed[name]})")
        else:
            bar.write(f"{name}: {outcome:.0f} s")
        write_page(out, pending=pending)
        bar.set_postfix_str(name)
        bar.update()

    args = (out, tuple(modulators), backend, optimise)
    if jobs == 1 and backend != "cpp_standalone":
        for name in cells:
            try:
                finished(name, _one_type(name, *args)[2])
            except Exception as ex:  # one failing type must not lose the others
                finished(name, ex)
    else:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=min(jobs, len(cells)),
                                                    mp_context=context,
                                                    max_tasks_per_child=1) as pool:
            with _workers_end_with_us():
                futures = {pool.submit(_one_type, name, *args): name for name in cells}
                for future in concurrent.futures.as_completed(futures):
                    name = futures[future]
                    try:
                        finished(name, future.result()[2])
                    except Exception as ex:
                        finished(name, ex)
    bar.close()
    page = os.path.join(out, "index.html")
    if failed:
        raise AtlasError("The atlas is written without " + "; ".join(
            f"{name} ({why})" for name, why in failed.items()) + f". Page: {page}")
    return page
