"""The docstring examples run and print what they claim."""

import doctest
import importlib

import pytest

MODULES = ["compartments", "compartments.backends", "compartments.channels.base", "compartments.channels.custom", "compartments.compartment",
           "compartments.template", "compartments.linearize", "compartments.plotting", "celltypes",
           "celltypes.celltype", "compartments.analysis.protocols", "compartments.space",
           "compartments.tables", "compartments.analysis.population",
           "compartments.plotting_network", "compartments.plotting_morphology",
           "celltypes.scoring", "celltypes.modulation", "compartments.usage",
           "compartments.modulated_stdp", "compartments.stdp_signals", "compartments.stdp_presets"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_module_has_a_docstring():
    import pkgutil

    import compartments

    for info in pkgutil.walk_packages(compartments.__path__, "compartments."):
        module = importlib.import_module(info.name)
        assert module.__doc__ and len(module.__doc__.strip()) > 20, info.name
