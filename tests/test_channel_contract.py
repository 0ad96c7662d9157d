"""Contract tests run over every channel in the library (``channels.registry``)."""

import numpy as np
import pytest
from brian2 import amp, get_dimensions, meter, mV, um

from compartments import CalciumPool, CellTemplate, Compartment, channels
from compartments.rest import StateSystem

CHANNELS = sorted(channels.registry.items())
IDS = [name for name, _ in CHANNELS]


def compartment_for(channel):
    needs_pool = channel.ion == "ca" or "ca_i" in channel.requires
    return Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.Leak(E=-70 * mV), channel] if channel.name != "leak"
                       else [channel], pools=[CalciumPool()] if needs_pool else [])


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name, cls", CHANNELS, ids=IDS)
def test_declarations(name, cls):
    ch = cls()
    assert ch.name and ch.name == ch.name.lower() and ch.name.isidentifier()
    assert cls.__doc__ and len(cls.__doc__) > 20
    eqs = ch.equations()
    assert ch.current in eqs.names
    assert get_dimensions(eqs[ch.current].dim) is get_dimensions(amp / meter**2)
    for p in ch.parameters.values():
        assert p.source and len(p.source) > 10, p.name
        assert p.unit
    if ch.q10 is not None:
        assert ch.reference_temperature is not None


@pytest.mark.codegen_independent
def test_names_are_unique():
    names = [cls().name for _, cls in CHANNELS]
    assert len(names) == len(set(names))


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name, cls", CHANNELS, ids=IDS)
def test_resting_state_is_finite(name, cls):
    cell = CellTemplate("contract", [compartment_for(cls())], celsius=34.0)
    system = StateSystem(cell.equations, cell.initial_values(1), guess=cell.initial_guess())
    state = system.rest()
    assert np.all(np.isfinite(state))
    assert -0.1 < state[0, system.states.index("v_soma")] < 0.0


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name, cls", [c for c in CHANNELS if c[1].q10 is not None],
                         ids=[n for n, c in CHANNELS if c.q10 is not None])
def test_rates_scale_with_q10(name, cls):
    ch = cls()
    v = np.linspace(-90, 30, 7) * mV
    cold = channels.gate_kinetics(ch, v, celsius=ch.reference_temperature)
    warm = channels.gate_kinetics(ch, v, celsius=ch.reference_temperature + 10)
    taus = [c for c in cold.columns if c.startswith("tau_")]
    assert taus
    for col in taus:
        np.testing.assert_allclose(warm[col], cold[col] / ch.q10, rtol=1e-9)
    for col in [c for c in cold.columns if c.endswith("_inf")]:
        np.testing.assert_allclose(warm[col], cold[col], rtol=1e-9)


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name, cls", CHANNELS, ids=IDS)
def test_units_are_consistent(name, cls):
    cls().check_units()
