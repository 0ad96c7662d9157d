"""Hodgkin–Huxley channels against the paper's rate functions and an independent NMODL version.

Reference values: Hodgkin & Huxley 1952 (J Physiol 117:500) rate functions,
voltage axis shifted to rest = -65 mV as in NEURON's ``hh``; computed here
in closed form. Voltage clamp: ``tests/nmodl/hh_k_check.mod`` (written here
from the paper) in NEURON vs `channels.voltage_clamp`, within 1 % of the peak
current.
"""

import numpy as np
import pytest
from brian2 import mV, ms

import compartments
from compartments import channels

V = np.array([-90.0, -65.0, -40.0, -20.0, 0.0, 30.0])


def test_hhna_rates_match_paper():
    k = channels.gate_kinetics(channels.HHNa(), V * mV, celsius=6.3)
    with np.errstate(invalid="ignore"):
        am = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
    am[V == -40] = 1.0  # the limit at the removable singularity
    bm = 4 * np.exp(-(V + 65) / 18)
    ah = 0.07 * np.exp(-(V + 65) / 20)
    bh = 1 / (1 + np.exp(-(V + 35) / 10))
    np.testing.assert_allclose(k.m_inf, am / (am + bm), rtol=1e-9)
    np.testing.assert_allclose(k.tau_m_ms, 1 / (am + bm), rtol=1e-9)
    np.testing.assert_allclose(k.h_inf, ah / (ah + bh), rtol=1e-9)
    np.testing.assert_allclose(k.tau_h_ms, 1 / (ah + bh), rtol=1e-9)


def test_hhk_rates_match_paper():
    k = channels.gate_kinetics(channels.HHK(), V * mV, celsius=6.3)
    an = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
    bn = 0.125 * np.exp(-(V + 65) / 80)
    np.testing.assert_allclose(k.n_inf, an / (an + bn), rtol=1e-9)
    np.testing.assert_allclose(k.tau_n_ms, 1 / (an + bn), rtol=1e-9)


@pytest.mark.crosscheck
def test_hhk_voltage_clamp_matches_nmodl():
    pytest.importorskip("neuron")
    from nrn_clamp import clamp_error, neuron_voltage_clamp

    compartments.backends.use("numpy")
    steps = [-40.0, 0.0, 40.0]
    _, traces = neuron_voltage_clamp("hhkcheck", steps, -65.0, 10.0, celsius=16.3)
    brian = channels.voltage_clamp(channels.HHK(), steps * mV, -65 * mV, 10 * ms, celsius=16.3)
    assert np.all(clamp_error(brian, traces, steps) < 1e-4)
