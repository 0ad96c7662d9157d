"""The command line of the cell-type catalogue: ``python -m celltypes <command>``.

Commands
--------
``atlas``
    Every catalogue type under control, DA, ACh, 5-HT and NE: the standard
    protocols (steps, F-I, sag and rebound, bAP, BAC), written as
    ``<out>/index.html`` with the PNG and CSV files behind it
    (`celltypes.atlas`).
``precompile``
    Compile every catalogue type's cell and synapse code once (`celltypes.precompile`).

Each command is one sub-parser: ``add_<command>(subparsers)`` declares it and
sets the function that runs it.
"""

import argparse
import os
import sys

from .precompile import add_precompile


def _names(text):
    return [t.strip() for t in text.split(",") if t.strip()]


def _modulators(text):
    return [] if text.strip().lower() == "none" else _names(text)


def _run_atlas(args):
    os.environ.setdefault("MPLBACKEND", "Agg")  # a command writing files: no windows
    from .atlas.build import AtlasError, build_atlas

    try:
        page = build_atlas(args.out, cells=args.cells, modulators=args.modulators,
                           backend=args.backend, jobs=args.jobs, optimise=not args.quick,
                           progress=not args.no_progress)
    except AtlasError as ex:
        print(f"atlas: {ex}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as ex:   # Ctrl-C or SIGTERM: the workers are ended too
        print(f"atlas: interrupted ({ex or 'Ctrl-C'}); the types that finished are in "
              f"{os.path.join(os.path.abspath(args.out), 'index.html')}", file=sys.stderr)
        return 130
    print(f"atlas: {os.path.abspath(page)}")
    return 0


def add_atlas(subparsers):
    """The ``atlas`` command."""
    from .atlas.simulate import MODULATORS

    p = subparsers.add_parser("atlas", help="every cell type under each neuromodulator, as an "
                              "HTML page with its figures and tables",
                              description=__doc__.split("``atlas``")[1]
                              .split("``precompile``")[0].strip())
    p.add_argument("--out", default="atlas", help="output folder (default: atlas)")
    p.add_argument("--cells", type=_names, default=None,
                   help="comma-separated cell types (default: every type with a standard "
                        "protocol)")
    p.add_argument("--modulators", type=_modulators, default=list(MODULATORS),
                   help="comma-separated modulators besides the control, or 'none' "
                        f"(default: {','.join(MODULATORS)})")
    p.add_argument("--backend", default="cython",
                   choices=("cython", "numpy", "cpp_standalone"),
                   help="code-generation target (default: cython)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="cell types simulated in parallel processes (default: min(2, CPUs))")
    p.add_argument("--quick", action="store_true",
                   help="compile Cython without optimisation (-O0): quicker to compile, "
                        "slower to run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_atlas)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m celltypes",
                                     description="The cell-type catalogue's commands.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    add_atlas(subparsers)
    add_precompile(subparsers)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
