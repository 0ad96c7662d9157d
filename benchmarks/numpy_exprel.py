"""Brian2 2.9's numpy ``exprel`` (unit-checking wrapper) vs `compartments.functions.exprel`.

Runs PV_BC (whose channel rates call exprel eight times per step) for 2000 steps
of 10 neurons on the numpy target, with each implementation installed in turn,
and prints the times and the largest voltage difference (expected: 0).

    PYTHONPATH=. python benchmarks/numpy_exprel.py
"""

import time

import numpy as np
from brian2 import Network, StateMonitor, defaultclock, ms, nA
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.units import unitsafefunctions

import celltypes
from compartments import backends, functions


def run():
    group = celltypes.get("PV_BC").make_group(10)
    group.I_ext_soma = np.linspace(0, 2, 10) * nA
    mon = StateMonitor(group, "v_soma", record=True)
    net = Network(group, mon)
    net.run(1 * ms)                       # code generation out of the timing
    start = time.perf_counter()
    net.run(2000 * defaultclock.dt)
    return time.perf_counter() - start, np.asarray(mon.v_soma_)


if __name__ == "__main__":
    backends.use("numpy")
    implementations = DEFAULT_FUNCTIONS["exprel"].implementations
    implementations.add_numpy_implementation(unitsafefunctions.exprel)   # Brian2's default
    slow_s, slow_v = run()
    functions.install()
    fast_s, fast_v = run()
    print(f"Brian2 default exprel: {slow_s:.2f} s; compartments.functions.exprel: "
          f"{fast_s:.2f} s (x{slow_s / fast_s:.1f}); max |dv| = "
          f"{np.abs(slow_v - fast_v).max():.3g} V")
