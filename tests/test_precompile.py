"""`python -m celltypes precompile`: the catalogue's code compiled ahead of a circuit.

The long test compiles one type in a fresh Cython cache and checks that a user's circuit
of that type — another group size and name, synapses placed by distance — then
compiles nothing.
"""

import numpy as np
import pytest
from brian2 import Network, SpikeGeneratorGroup, ms, nS, um

import celltypes
from celltypes.precompile import STANDARD_RECEPTORS, precompile, with_standard_receptors
from compartments import synapses
from compartments.synapses import receptor_segments


def test_standard_receptors_in_every_compartment():
    cell = with_standard_receptors(celltypes.get("L23_PC"))
    for receptor in STANDARD_RECEPTORS:
        assert set(receptor_segments(cell, receptor.name)) == set(cell.segment_names)
    assert not receptor_segments(celltypes.get("L23_PC"), "ampa")  # the original unchanged


def test_precompile_builds_every_requested_type(numpy_target):
    table = precompile(["HH_squid"], backend="numpy", progress=False)
    assert list(table.cell) == ["HH_squid"]
    assert (table.modules == 0).all() and (table.seconds > 0).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(backend="cpp_standalone"), "'backend' parameter of precompile"),
    (dict(jobs=0), "'jobs' parameter of precompile"),
    (dict(cells=["no_such_type"]), "no_such_type"),
])
def test_precompile_bad_input(kwargs, match):
    with pytest.raises(Exception, match=match):
        precompile(**{"cells": ["HH_squid"], **kwargs, "progress": False})


@pytest.mark.long  # a cold Cython compile of one catalogue type (~1-3 min)
def test_circuit_after_precompile_compiles_nothing():
    from test_compilation import compiled_modules, counting_compiles

    with counting_compiles() as (cache_dir, counter):
        table = precompile(["HH_squid"], cache_dir=cache_dir, progress=False)
        assert table.modules.sum() >= 3
        modules, calls = compiled_modules(cache_dir), counter.calls
        cell = with_standard_receptors(celltypes.get("HH_squid"))
        group = cell.make_group(7, name="my_circuit", dt=0.025 * ms)
        source = SpikeGeneratorGroup(2, [0, 1], [1, 2] * ms)
        exc = synapses.connect(source, group, {"nmda": 1 * nS, "ampa": 2 * nS}, i=0,
                               j=np.arange(7), distance=np.zeros(7) * um)
        inh = synapses.connect(source, group, {"gabaa": 1 * nS}, i=1, j=[2, 3],
                               distance=[0, 0] * um)
        Network(group, source, exc, inh).run(5 * ms)
        assert compiled_modules(cache_dir) == modules and counter.calls == calls


def test_command_line(numpy_target, capsys):
    from celltypes.__main__ import main

    assert main(["precompile", "--cells", "HH_squid", "--backend", "numpy",
                 "--no-progress", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "HH_squid" in out and "modules compiled" in out
