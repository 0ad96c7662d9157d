"""Shared fixtures: a clean Brian2 state per test, numpy target unless a test asks otherwise."""

import warnings

import pytest
from brian2 import defaultclock, ms, prefs, set_device


@pytest.fixture(autouse=True)
def _brian_defaults():
    """Each test starts on the runtime device with dt = 0.025 ms; what it changes is undone."""
    target = prefs.codegen.target
    defaultclock.dt = 0.025 * ms
    yield
    set_device("runtime")
    prefs.codegen.target = target
    defaultclock.dt = 0.025 * ms


@pytest.fixture(autouse=True, scope="module")
def _module_defaults():
    """What a module-scoped fixture changes (target, device) is undone after the module:
    a module that switches to numpy for its shared fixture must not leave later modules on
    numpy (the catalogue's characterisation is ~20x slower there)."""
    target = prefs.codegen.target
    yield
    set_device("runtime")
    prefs.codegen.target = target


@pytest.fixture
def numpy_target():
    """Run on Brian2's numpy target (no compilation: for small, short unit tests)."""
    import compartments

    compartments.backends.use("numpy")


def pytest_configure(config):
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="brian2")
