"""Pair each tutorial script (jupytext percent format) with its notebook, and execute it.

The scripts ``tutorials/NN_*.py`` are the source (readable diffs); the notebooks
``NN_*.ipynb`` beside them are generated from them and stored executed, with their
figures, for reading on GitHub or in Jupyter.

    python tutorials/build.py              # every tutorial: write the notebook, execute it
    python tutorials/build.py 03 05        # some of them
    python tutorials/build.py --quick      # reduced size (BRIAN2COMPARTMENTS_QUICK=1)
    python tutorials/build.py --check      # only check that each notebook matches its script

The test suite (tests/test_tutorials_and_demo.py) runs `execute` on every notebook at the
reduced size, without writing it back.
"""

import argparse
import contextlib
import glob
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK_VARIABLE = "BRIAN2COMPARTMENTS_QUICK"


def scripts(selection=()):
    """The tutorial scripts (all, or those whose names start with one of ``selection``)."""
    paths = sorted(glob.glob(os.path.join(HERE, "[0-9][0-9]_*.py")))
    return [p for p in paths if not selection
            or any(os.path.basename(p).startswith(s) for s in selection)]


def notebook_of(script):
    """The notebook paired with ``script``, built from the script's cells."""
    import jupytext

    return jupytext.read(script, fmt="py:percent")


def code_cells(notebook):
    return [c.source.strip() for c in notebook.cells if c.cell_type == "code"]


@contextlib.contextmanager
def _environment(quick):
    """The kernel inherits this process's environment: the reduced-size switch, and no
    MPLBACKEND (so that ipykernel's inline backend shows the figures)."""
    saved = {k: os.environ.get(k) for k in (QUICK_VARIABLE, "MPLBACKEND")}
    os.environ.pop("MPLBACKEND", None)
    if quick:
        os.environ[QUICK_VARIABLE] = "1"
    else:
        os.environ.pop(QUICK_VARIABLE, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(notebook, quick=True, timeout=900):
    """Run every cell of ``notebook`` in a fresh Python kernel (working directory: this
    folder); return the executed notebook. A failing cell raises
    ``nbclient.exceptions.CellExecutionError`` with the cell and its traceback."""
    import nbclient

    with _environment(quick):
        client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                         resources={"metadata": {"path": HERE}})
        return client.execute()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tutorials", nargs="*", help="number prefixes, e.g. 01 05")
    parser.add_argument("--quick", action="store_true", help="reduced size")
    parser.add_argument("--check", action="store_true",
                        help="only check that every notebook matches its script")
    args = parser.parse_args(argv)
    import nbformat

    stale = []
    for script in scripts(args.tutorials):
        path = script[:-3] + ".ipynb"
        if args.check:
            if not os.path.exists(path) or (code_cells(nbformat.read(path, as_version=4))
                                            != code_cells(notebook_of(script))):
                stale.append(os.path.basename(path))
            continue
        start = time.perf_counter()
        executed = execute(notebook_of(script), quick=args.quick)
        nbformat.write(executed, path)
        print(f"{os.path.basename(path)}: executed in {time.perf_counter() - start:.0f} s")
    if stale:
        print("notebooks that do not match their scripts (run python tutorials/build.py): "
              + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
