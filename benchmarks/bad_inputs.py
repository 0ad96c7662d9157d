"""Count how bad inputs are met: clear error, obscure error, silently accepted, or a hang.

Runs every case of ``tests/bad_inputs.py`` (numpy target) in a worker process,
one at a time, with a time limit per case; a case that runs past it is a *hang*
and the worker is replaced. Each case is classified:

- ``clear``: an error of the stated type whose message contains every string
  the case lists (the parameter and the value received);
- ``obscure``: an error of another type, or whose message lacks them (typically
  raised deep inside Brian2, numpy or scipy);
- ``silent``: no error at all;
- ``hang``: still running after ``--timeout`` seconds.

Usage (from the repository root; ``--source`` counts another checkout, e.g. an
older commit extracted with ``git archive``, against the same cases)::

    PYTHONPATH=. python benchmarks/bad_inputs.py [--timeout 60] [--source DIR] [--label NAME]

Writes ``docs/bad_inputs.md`` (``--out`` to change).
"""

import argparse
import json
import os
import subprocess
import sys
import time

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("clear", "obscure", "silent", "hang")

WORKER = r"""
import json, sys, traceback
sys.path.insert(0, sys.argv[1])
import warnings
warnings.simplefilter("ignore")
from bad_inputs import CASES, missing_names
from compartments import backends
backends.use("numpy")
print(json.dumps({"ready": len(CASES)}), flush=True)
for line in sys.stdin:
    k = int(line)
    case = CASES[k]
    try:
        case.call()
    except BaseException as ex:
        message = str(ex)
        clear = isinstance(ex, case.error) and not missing_names(case, message)
        where = traceback.extract_tb(ex.__traceback__)[-1].filename if ex.__traceback__ else ""
        out = {"kind": "clear" if clear else "obscure", "error": type(ex).__name__,
               "message": message.splitlines()[0][:160] if message else "", "where": where}
    else:
        out = {"kind": "silent", "error": "", "message": "", "where": ""}
    print(json.dumps(out), flush=True)
"""


class Worker:
    """A process that runs cases by index and answers one JSON line per case."""

    def __init__(self, source):
        env = dict(os.environ, PYTHONPATH=source + os.pathsep + os.environ.get("PYTHONPATH", ""),
                   MPLBACKEND="Agg")
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, os.path.join(ROOT, "tests")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env, cwd=source)
        self.count = json.loads(self.proc.stdout.readline())["ready"]

    def run(self, k, timeout):
        """The worker's answer for case ``k``, or None after ``timeout`` seconds."""
        import selectors

        self.proc.stdin.write(f"{k}\n")
        self.proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.kill()
        self.proc.wait()


def count(source, timeout):
    from bad_inputs import CASES  # noqa: E402  (tests/ is on the path, see main)

    rows, worker = [], Worker(source)
    for k, case in enumerate(CASES):
        start = time.time()
        answer = worker.run(k, timeout)
        if answer is None:
            worker.close()
            worker = Worker(source)
            answer = {"kind": "hang", "error": "", "message": f"> {timeout} s", "where": ""}
        rows.append(dict(api=case.api, case=case.name, expected=case.error.__name__,
                         seconds=round(time.time() - start, 2), **answer))
        print(f"{answer['kind']:8s} {case.api}: {case.name}", flush=True)
    worker.close()
    return pd.DataFrame(rows)


def write(table, path, label):
    by_api = table.pivot_table(index="api", columns="kind", values="case", aggfunc="count",
                               fill_value=0).reindex(columns=list(KINDS), fill_value=0)
    by_api.loc["all"] = by_api.sum()
    shown = table[table.kind != "clear"][["api", "case", "kind", "error", "message"]]
    with open(path, "w") as f:
        f.write(f"# Bad inputs: {label}\n\nWritten by `PYTHONPATH=. python benchmarks/bad_inputs.py`"
                f" over the {len(table)} cases of tests/bad_inputs.py (each: the call, the "
                f"error type it must raise, the strings its message must contain).\n\n")
        f.write(by_api.to_markdown())
        f.write("\n\nCases that are not clear:\n\n")
        f.write(shown.to_markdown(index=False) if len(shown) else "none")
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--source", default=ROOT, help="checkout whose packages are counted")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "bad_inputs.md"))
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    table = count(os.path.abspath(args.source), args.timeout)
    write(table, args.out, args.label)
    print(table.kind.value_counts().reindex(list(KINDS), fill_value=0).to_string())


if __name__ == "__main__":
    main()
