"""Peak memory of ``make_group`` by template and number of neurons, against its estimate.

Each measurement runs in a fresh process on the numpy target (no compilation;
``make_group`` does not run the network): import, build the template, one
``make_group(1)`` (sympy work, caches), then ``make_group(n)``; the peak resident
memory of that last call above the process's size before it (from
``/proc/self/status`` VmHWM, reset with ``/proc/self/clear_refs``) is compared with
`compartments.memory.group_bytes` — the estimate ``make_group`` refuses groups by.

Usage::

    PYTHONPATH=. python benchmarks/make_group_memory.py        # ~10 min
    PYTHONPATH=. python benchmarks/make_group_memory.py --quick

Writes ``benchmarks/results/make_group_memory.csv`` and ``.md``.
"""

import argparse
import json
import os
import subprocess
import sys

import pandas as pd

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = {"demo": (1000, 10000, 40000), "PV_BC": (1000, 10000, 40000),
         "L5_TTPC": (300, 3000, 10000)}
QUICK = {"demo": (1000, 10000), "PV_BC": (1000, 10000)}

CHILD = r"""
import json, sys
import celltypes, compartments
from compartments.demo import demo_cell
from compartments.memory import group_bytes

def rss(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

name, n = sys.argv[1], int(sys.argv[2])
compartments.backends.use("numpy")
cell = demo_cell() if name == "demo" else celltypes.get(name)
cell.make_group(1)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current size
before = rss("VmRSS")
group = cell.make_group(n)
print(json.dumps({"peak": rss("VmHWM") - before, "estimate": group_bytes(cell, n)}))
"""


def measure(name, n):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", CHILD, name, str(n)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    rows = []
    for name, sizes in (QUICK if args.quick else CASES).items():
        for n in sizes:
            m = measure(name, n)
            rows.append(dict(template=name, n=n, peak_MiB=m["peak"] / 2**20,
                             estimate_MiB=m["estimate"] / 2**20,
                             estimate_over_peak=m["estimate"] / max(m["peak"], 1)))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    stem = "make_group_memory_quick" if args.quick else "make_group_memory"
    os.makedirs(args.out, exist_ok=True)
    table.to_csv(os.path.join(args.out, f"{stem}.csv"), index=False)
    with open(os.path.join(args.out, f"{stem}.md"), "w") as f:
        f.write("# make_group: peak memory against the estimate it refuses groups by\n\n"
                "Written by benchmarks/make_group_memory.py (numpy target, fresh process per "
                "row).\n\n")
        f.write(table.to_markdown(index=False, floatfmt=".3g"))
        f.write("\n")
    print(table.to_string())


if __name__ == "__main__":
    main()
