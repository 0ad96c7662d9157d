"""Changing a modulator level between runs never recompiles (Cython runtime target).

Compilations are counted as in test_compilation: new modules in a dedicated Cython cache
and calls of ``cythonize`` by Brian2's extension manager. A small modulated group (GIRK
opened by 5-HT1A) and its pool compile once; then the pool's tonic level, its current
concentration and a receptor's EC50 change between runs, which changes the voltage and
compiles nothing.
"""

import numpy as np
from brian2 import Network, cm, mV, ms, msiemens, uM, um
from test_compilation import compiled_modules, counting_compiles

from compartments import CellTemplate, Compartment, channels
from compartments.neuromodulation import modulator_pool


def test_changing_levels_compiles_nothing():
    with counting_compiles() as (cache_dir, counter):
        soma = Compartment("soma", length=20 * um, diameter=20 * um,
                           channels=[channels.Leak(g=0.05 * msiemens / cm**2, E=-70 * mV),
                                     channels.GIRK(gbar=1 * msiemens / cm**2)])
        cell = CellTemplate("mod_probe", [soma]).with_modulation(
            [dict(receptor="5-HT1A", compartment="soma", fraction=1, level=1, source="test")])
        pool = modulator_pool(("5HT",), name="mod_probe_pool")
        group = cell.make_group(2, modulators=("5HT",), pool=pool, name="mod_probe_group")
        net = Network(group, pool)
        net.run(5 * ms, namespace={})          # the cold compile
        cold = compiled_modules(cache_dir)
        calls = counter.calls
        assert len(cold) >= 2 and calls == len(cold)
        v_before = np.asarray(group.v_soma_).copy()
        pool.c_5HT_tonic = 1 * uM
        pool.c_5HT = 1 * uM
        group.ec50_HT1A[1] = 10 * uM
        net.run(200 * ms, namespace={})
        assert compiled_modules(cache_dir) == cold
        assert counter.calls == calls
        v_after = np.asarray(group.v_soma_)
        assert v_after[0] < v_before[0] - 1e-3                    # GIRK opened
        assert v_after[0] < v_after[1] - 1e-3                     # lower affinity: less
