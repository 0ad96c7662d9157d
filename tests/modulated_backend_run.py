"""Run modulated STDP under one target and save the weights (used by test_modulated_backends).

Pre and post spike trains (random, on the 0.1 ms grid) through four rules sharing one
dopamine/noradrenaline pool (dopamine released by spikes, noradrenaline from a TimedArray):
immediate D1-reversed LTD (additive), continuous conversion with consumption and soft
bounds (Level and Occupancy signals), a noradrenaline-widened window (clock-driven traces),
and a rule reading a template cell's own D1 effector (Effector, connect).

Usage: python modulated_backend_run.py TARGET OUTFILE [BUILD_DIR]
"""

import sys

import numpy as np
from brian2 import Network, SpikeGeneratorGroup, TimedArray, defaultclock, ms, nA, nS, um, uM

import compartments
from compartments import CellTemplate, Compartment, channels, synapses
from compartments.modulated_stdp import Gain, ModulatedSTDP
from compartments.neuromodulation import modulator_pool, release
from compartments.plasticity import plastic_synapses
from compartments.receptors import AMPA
from compartments.stdp_signals import Effector, Level, Occupancy

DURATION = 400 * ms
RULES = ["immediate", "conversion", "window", "effector"]


def _trains(n, count, seed, start=1):
    rng = np.random.default_rng(seed)
    idx, times = [], []
    for k in range(n):
        steps = np.sort(rng.choice(np.arange(start * 10, 3800), count, replace=False))
        idx += [k] * count
        times += list(steps * 0.1)
    return np.asarray(idx), np.asarray(times) * ms


def rules(pool):
    base = dict(A_plus=0.02, A_minus=0.021, tau_plus=20 * ms, tau_minus=20 * ms)
    return {
        "immediate": ModulatedSTDP(**base, signals={"DA": Occupancy("D1")},
                                   gains={"ltd": Gain(1, {"DA": -2})}, pool=pool),
        "conversion": ModulatedSTDP(**base, signals={"DA": Level("DA", 1 * uM),
                                                     "NE": Occupancy("b-AR")},
                                    gains={"convert_ltp": Gain(0.1, {"DA": 1, "NE": 0.5}),
                                           "convert_ltd": Gain(0.1, {"DA": -1})},
                                    conversion="continuous", consume=True,
                                    tau_ltp=200 * ms, tau_ltd=150 * ms, tau_conversion=50 * ms,
                                    bounds="multiplicative", pool=pool),
        "window": ModulatedSTDP(**base, signals={"NE": Occupancy("b-AR")},
                                gains={"tau_plus": Gain(1, {"NE": 2})}, traces="clock-driven",
                                pairing="nearest", pool=pool),
    }


def run(target, build_dir=None):
    compartments.backends.use(target, directory=build_dir)
    defaultclock.dt = 0.1 * ms
    ne = np.r_[np.zeros(20), 5 * np.ones(20)]                       # uM, from 200 ms on
    pool = modulator_pool(("DA", "NE"), tau={"DA": 100 * ms},
                          timed_arrays={"NE": TimedArray(ne * uM, dt=10 * ms)})
    vta = SpikeGeneratorGroup(1, [0, 0, 0], [50, 150, 260] * ms)
    dopamine = release(vta, pool, "DA", 2 * uM)
    n = 20
    pre = SpikeGeneratorGroup(n, *_trains(n, 12, 1))
    post = SpikeGeneratorGroup(n, *_trains(n, 12, 2))
    objects = [pool, vta, dopamine, pre, post]
    out = {}
    made = {}
    for name, rule in rules(pool).items():
        made[name] = plastic_synapses(pre, post, rule, weight=0.5, j="i")
        objects.append(made[name])
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak(), AMPA()])
    cell = CellTemplate("da_cell", [soma], celsius=6.3).with_modulation(
        [dict(receptor="D1", compartment="soma", fraction=1, level=1, source="test")])
    group = cell.make_group(2, modulators=("DA",), pool=pool, receptors=("D1",))
    group.I_ext_soma = [0.1, 0.2] * nA
    effector = ModulatedSTDP(0.02, 0.021, 20 * ms, 20 * ms, signals={"DA": Effector("D1")},
                             gains={"ltd": Gain(1, {"DA": -2}), "ltp": Gain(1, {"DA": 1})})
    made["effector"] = synapses.connect(pre, group, {"ampa": 1 * nS}, at="soma",
                                        plasticity=effector, i=np.arange(n),
                                        j=np.arange(n) % 2, weight=0.5)
    objects += [group, made["effector"]]
    Network(*objects).run(DURATION)
    for name in RULES:
        out[f"w_{name}"] = np.asarray(made[name].w[:])
    out["e_D1"] = np.asarray(group.e_D1_[:])
    return out


if __name__ == "__main__":
    np.savez(sys.argv[2], **run(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None))
