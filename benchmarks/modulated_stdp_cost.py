"""Cost per step of modulated STDP: event-driven vs clock-driven traces, with and without
continuous conversion (docs/plasticity.md).

N synapses between two Poisson groups at 5 Hz, one run of 1 s at dt 0.1 ms after a warm-up
run (compilation excluded), on the target given (default cython). Prints the wall time per
simulated second and the ratio to plain event-driven STDP in the same process.

Run: PYTHONPATH=. python benchmarks/modulated_stdp_cost.py [numpy|cython] [N]
"""

import sys
import time

from brian2 import Hz, Network, PoissonGroup, defaultclock, ms, second

import compartments
from compartments.modulated_stdp import Gain, ModulatedSTDP
from compartments.neuromodulation import modulator_pool
from compartments.plasticity import STDP, plastic_synapses
from compartments.stdp_signals import Occupancy


def rules(pool):
    base = dict(A_plus=0.01, A_minus=0.01, tau_plus=20 * ms, tau_minus=20 * ms)
    sig = {"NE": Occupancy("b-AR")}
    return {
        "STDP (event-driven)": STDP(**base),
        "ModulatedSTDP, immediate gains": ModulatedSTDP(**base, signals=sig,
                                                        gains={"ltd": Gain(1, {"NE": -2})},
                                                        pool=pool),
        "ModulatedSTDP, clock-driven traces (tau gain)": ModulatedSTDP(
            **base, signals=sig, gains={"tau_plus": Gain(1, {"NE": 1})},
            traces="clock-driven", pool=pool),
        "ModulatedSTDP, continuous conversion": ModulatedSTDP(
            **base, signals=sig, gains={"convert_ltp": Gain(0, {"NE": 1}),
                                        "convert_ltd": Gain(0, {"NE": 1})},
            conversion="continuous", tau_ltp=1 * second, tau_ltd=1 * second,
            tau_conversion=0.2 * second, pool=pool),
    }


def main(target="cython", n=300):
    compartments.backends.use(target)
    defaultclock.dt = 0.1 * ms
    times = {}
    for name in rules(None):
        pool = modulator_pool(("NE",))
        rule = rules(pool)[name]
        pre, post = PoissonGroup(n, 5 * Hz), PoissonGroup(n, 5 * Hz)
        syn = plastic_synapses(pre, post, rule)         # n * n synapses
        net = Network(pre, post, syn, pool)
        net.run(10 * ms)                                 # compile / warm up
        t0 = time.perf_counter()
        net.run(1 * second)
        times[name] = time.perf_counter() - t0
    ref = times["STDP (event-driven)"]
    print(f"{target}, {n * n} synapses, 1 s at dt 0.1 ms")
    for name, t in times.items():
        print(f"  {name:48s} {t:7.2f} s   x{t / ref:5.2f}")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["cython"]), *(int(a) for a in sys.argv[2:3]))
