"""Compile the catalogue's cell code once, before a user's first circuit.

``python -m celltypes precompile`` (run once by the set-up command, ``bash run.sh``)
builds, for every catalogue type, the code a circuit of that type runs: the group's
state update, threshold and reset, and — for the type with its standard synaptic
receptors (`with_standard_receptors`) — the synapses placed by distance (given pairs,
or a connection probability: `compartments.synapses.connect` passes it as a name, so any
probability reuses the module) and an event-driven Poisson drive onto the root segment. Compiled
modules go to Brian2's Cython cache (``prefs.codegen.runtime.cython.cache_dir``,
by default ``~/.cython/brian_extensions``); a later process building the same
templates compiles nothing (`compartments.codegen`: array names do not depend on the
group, so groups of any size and name share the modules).

cpp_standalone compiles a whole project per run directory; it is not precompiled
here (see docs/build.md).
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from brian2 import Hz, Network, SpikeGeneratorGroup, defaultclock, ms, nS, prefs, um
from brian2.codegen.runtime.cython_rt.extension_manager import (cython_extension_manager,
                                                                get_cython_cache_dir)

from compartments import backends, background, synapses
from compartments.receptors import AMPA, GABAA, NMDA

from .catalogue import get, names

__all__ = ["precompile", "with_standard_receptors", "STANDARD_RECEPTORS"]

#: Receptors every compartment of a circuit-ready catalogue cell carries.
STANDARD_RECEPTORS = (AMPA, NMDA, GABAA)

#: Receptor sets whose synapses are precompiled (as `compartments.synapses.connect`
#: takes them: excitatory AMPA + NMDA, inhibitory GABA_A).
SYNAPSE_SETS = ({"ampa": 1 * nS, "nmda": 1 * nS}, {"gabaa": 1 * nS})


def with_standard_receptors(cell):
    """``cell`` (a catalogue type) with AMPA, NMDA and GABA_A in every compartment —
    the circuit-ready variant whose code `precompile` builds; synapses then go anywhere
    on the cell (``synapses.connect(..., distance=...)``) without new code."""
    return cell.with_channels({c: [r() for r in STANDARD_RECEPTORS]
                               for c in cell.topology.compartments})


def _compile_type(name, backend, cache_dir):
    """Build and run (one step) a catalogue type plain and circuit-ready with synapses;
    returns (name, seconds, modules compiled)."""
    started = time.perf_counter()
    backends.use(backend)
    if cache_dir is not None:
        prefs.codegen.runtime.cython.cache_dir = cache_dir
    before = _modules()
    dt = defaultclock.dt
    plain = get(name).make_group(1, dt=dt)
    wired_cell = with_standard_receptors(get(name))
    wired = wired_cell.make_group(2, dt=dt)
    source = SpikeGeneratorGroup(1, [0], [0 * ms])
    reach = np.nanmax([float(d) for d in wired_cell.path_distances().values()]) / 1e-6
    objects = [plain, wired, source]
    for receptors in SYNAPSE_SETS:
        objects.append(synapses.connect(source, wired, receptors, i=0, j=[0, 1],
                                        distance=[0, reach] * um))
        objects.append(synapses.connect(source, wired, receptors, p=0.5, distance=0 * um))
    objects.append(background.poisson_drive(wired, "ampa", at=wired_cell.segment_names[0],
                                            rate=1 * Hz, n_inputs=10, gpeak=1 * nS, seed=0))
    Network(*objects).run(dt)
    return name, time.perf_counter() - started, len(_modules() - before)


def _modules():
    """Compiled modules in Brian2's Cython cache folder (the one it compiles into)."""
    directory = get_cython_cache_dir()
    if not directory or not os.path.isdir(directory):
        return set()
    return {f for f in os.listdir(directory) if f.endswith(cython_extension_manager.so_ext)}


def precompile(cells=None, backend="cython", jobs=1, cache_dir=None, progress=True):
    """Compile every catalogue type's code (see the module docstring).

    Parameters
    ----------
    cells : sequence of str, optional
        Cell types (default: the whole catalogue).
    backend : {'cython', 'numpy'}
        Code-generation target ('numpy' compiles nothing: a check that all types build).
    jobs : int
        Types compiled in parallel processes.
    cache_dir : str, optional
        Cython cache directory (default: Brian2's).
    progress : bool
        A progress bar on stderr.

    Returns
    -------
    `pandas.DataFrame`
        One row per type: ``cell``, ``seconds`` (wall), ``modules`` (newly compiled).
    """
    import pandas as pd
    from tqdm.auto import tqdm

    cells = list(names()) if cells is None else [get(c).name for c in cells]
    if backend not in ("cython", "numpy"):
        raise ValueError(f"The 'backend' parameter of precompile must be 'cython' or 'numpy' "
                         f"(cpp_standalone builds per project). Got {backend!r} instead.")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"The 'jobs' parameter of precompile must be a positive integer. "
                         f"Got {jobs!r} instead.")
    bar = tqdm(total=len(cells), desc="precompile", unit="type", disable=not progress)
    rows = []
    if jobs == 1:
        for name in cells:
            rows.append(_compile_type(name, backend, cache_dir))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_compile_type, name, backend, cache_dir) for name in cells]
            for future in futures:
                rows.append(future.result())
                bar.update()
    bar.close()
    return pd.DataFrame(rows, columns=["cell", "seconds", "modules"])


def add_precompile(subparsers):
    """The ``precompile`` command of ``python -m celltypes``."""
    p = subparsers.add_parser("precompile", help="compile every catalogue type's cell and "
                              "synapse code once (Brian2's Cython cache)",
                              description=__doc__.split("\n\n")[1])
    p.add_argument("--cells", type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
                   default=None, help="comma-separated cell types (default: all)")
    p.add_argument("--backend", default="cython", choices=("cython", "numpy"))
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="types compiled in parallel (default: min(2, CPUs))")
    p.add_argument("--cache-dir", default=None,
                   help="Cython cache folder (default: Brian2's, ~/.cython/brian_extensions)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_precompile)


def _run_precompile(args):
    table = precompile(args.cells, backend=args.backend, jobs=args.jobs,
                       cache_dir=args.cache_dir, progress=not args.no_progress)
    print(table.to_string(index=False))
    print(f"precompile: {int(table.modules.sum())} modules compiled in "
          f"{table.seconds.sum():.0f} s of work")
    return 0
