"""The command line of the cell-type catalogue: ``python -m celltypes <command>``.

Commands
--------
``precompile``
    Compile every catalogue type's cell and synapse code once (`celltypes.precompile`).

Each command is one sub-parser: ``add_<command>(subparsers)`` declares it and
sets the function that runs it.
"""

import argparse
import sys

from .precompile import add_precompile


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m celltypes",
                                     description="The cell-type catalogue's commands.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    add_precompile(subparsers)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
