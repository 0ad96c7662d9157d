"""Background input: point-conductance OU noise vs theory, Poisson drive vs Campbell's theorem.

Point-conductance model (Destexhe et al. 2001; parameters of ModelDB 8115
``Gfluct.mod``, 34,636 um2 passive compartment, g_L 0.0452 mS/cm2, E_L -80 mV).
Theory (effective-time-constant approximation; Richardson 2004, Rudolph &
Destexhe 2005): V_mean = (g_L E_L + g_e0 E_e + g_i0 E_i) / g_T with
g_T = g_L + g_e0 + g_i0, and

    var(V) = sum_x (sigma_x (E_x - V_mean) / g_T)^2 tau_x / (tau_x + tau_eff),

tau_eff = C / g_T. Tolerances: mean within 0.3 mV, SD within 5 % (the
approximation's own error is of order a few %, docs/synapse_sources.md §3;
the estimate's sampling error with 40 cells x 4 s is ~2 % in SD).
"""

import numpy as np
import pytest
from brian2 import (Hz, Network, SpikeMonitor, StateMonitor, cm, defaultclock, mV, ms, msiemens,
                    nS, second, uF, um)

from compartments import CellTemplate, Compartment, channels
from compartments.background import PointConductance, ou_conductances, poisson_drive
from compartments.receptors import AMPA

pytestmark = pytest.mark.usefixtures("numpy_target")

AREA_UM2 = 34636.0
G_L = 0.0452e-3 * 1e4 * AREA_UM2 * 1e-12      # S
C_M = 1e-2 * AREA_UM2 * 1e-12                  # F (1 uF/cm2)
GE0, GI0, SE, SI, TE, TI, EE, EI, EL = 12e-9, 57e-9, 3e-9, 6.6e-9, 2.728e-3, 10.49e-3, 0.0, \
    -75e-3, -80e-3


def _cell(extra):
    soma = Compartment("soma", area=AREA_UM2 * um**2, cm=1 * uF / cm**2,
                       channels=[channels.Leak(g=0.0452 * msiemens / cm**2, E=EL * 1e3 * mV),
                                 *extra])
    return CellTemplate("pc_cell", [soma], celsius=36)


def test_ou_membrane_statistics_match_effective_time_constant_theory():
    defaultclock.dt = 0.1 * ms
    cell = _cell([PointConductance(ge0=GE0 * 1e9 * nS, gi0=GI0 * 1e9 * nS, sigma_e=SE * 1e9 * nS,
                                   sigma_i=SI * 1e9 * nS)])
    group = cell.make_group(40, dt=defaultclock.dt)
    ou_conductances(group, seed=11)
    mon = StateMonitor(group, "v_soma", record=True, dt=1 * ms)
    Network(group, mon).run(4.2 * second)
    v = np.asarray(mon.v_soma[:, 200:])               # drop the first 200 ms
    g_t = G_L + GE0 + GI0
    v_mean = (G_L * EL + GE0 * EE + GI0 * EI) / g_t
    tau_eff = C_M / g_t
    var = sum((s * (e - v_mean) / g_t) ** 2 * tau / (tau + tau_eff)
              for s, e, tau in ((SE, EE, TE), (SI, EI, TI)))
    assert abs(v.mean() - v_mean) < 0.3e-3
    assert abs(v.std() / np.sqrt(var) - 1) < 0.05
    # the noise is real: without it the SD would be ~0
    assert v.std() > 1e-3


def test_ou_is_seeded():
    defaultclock.dt = 0.1 * ms
    runs = []
    for seed in (3, 3, 4):
        group = _cell([PointConductance()]).make_group(2, dt=defaultclock.dt)
        ou_conductances(group, seed=seed)
        Network(group).run(20 * ms)
        runs.append(np.asarray(group.v_soma[:]))
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize("method, duration", [
    ("binomial", 2.1 * second),
    pytest.param("events", 1.1 * second, marks=pytest.mark.long)])
def test_poisson_drive_mean_conductance_follows_campbell(method, duration):
    """Mean conductance = n rate X (tau_d - tau_r), X = gpeak * peak_norm the increment;
    within 3 % over 20 cells x 2 s (sampling error ~1 %), 4 % over 20 cells x 1 s for the
    event drive, here at 0.1 events per step (a second event in a step goes one step
    later: the mean is unchanged)."""
    defaultclock.dt = 0.1 * ms
    group = _cell([AMPA()]).make_group(20, dt=defaultclock.dt)
    drive = poisson_drive(group, "ampa", at="soma", rate=5 * Hz, n_inputs=200, gpeak=0.5 * nS,
                          seed=5, method=method)
    mon = StateMonitor(group, "g_ampa_soma", record=True, dt=0.5 * ms)
    Network(group, drive, mon).run(duration)
    tr, td = 0.2e-3, 1.7e-3
    tp = tr * td / (td - tr) * np.log(td / tr)
    increment = 0.5e-9 / (np.exp(-tp / td) - np.exp(-tp / tr))
    expected = 200 * 5 * increment * (td - tr)
    got = np.asarray(mon.g_ampa_soma[:, 200:]).mean()
    assert abs(got / expected - 1) < (0.03 if method == "binomial" else 0.04)


def test_event_drive_is_a_poisson_process():
    """2 inputs x 20 Hz per neuron, 100 neurons x 1 s at dt 0.1 ms (auto picks events: 0.004
    per step; the cells do not run, the statistics are the generator's): mean count 40 +- 5 %
    (SE 1.6 %), Fano factor of the counts 1 +- 0.45 (SE 0.14), coefficient of variation of
    the intervals 1 +- 0.06 (SE 0.016)."""
    defaultclock.dt = 0.1 * ms
    group = _cell([AMPA()]).make_group(100)
    group.active = False
    drive = poisson_drive(group, "ampa", at="soma", rate=20 * Hz, n_inputs=2, gpeak=0.1 * nS,
                          seed=11)
    mon = SpikeMonitor(drive)
    Network(group, drive, mon).run(1 * second)
    assert type(drive).__name__ == "PoissonDrive"
    counts = np.asarray(mon.count[:])
    assert abs(counts.mean() / 40 - 1) < 0.05
    assert abs(counts.var(ddof=1) / counts.mean() - 1) < 0.45
    trains = mon.spike_trains()
    isi = np.concatenate([np.diff(np.asarray(trains[k])) for k in trains])
    assert abs(isi.std() / isi.mean() - 1) < 0.06


def test_event_drive_streams_follow_seed_and_target():
    """Same seed and target: the same event times; another seed or another target (same
    seed): different ones."""
    defaultclock.dt = 0.1 * ms

    def times(seed, name):
        group = _cell([AMPA()]).make_group(3, name=name)
        group.active = False
        drive = poisson_drive(group, "ampa", at="soma", rate=50 * Hz, n_inputs=1,
                              gpeak=0.1 * nS, seed=seed)
        mon = SpikeMonitor(drive)
        Network(group, drive, mon).run(100 * ms)
        return np.asarray(mon.t_[:])

    a = times(1, "cells_a")
    assert len(a) > 5
    assert np.array_equal(a, times(1, "cells_a"))
    assert not np.array_equal(a, times(2, "cells_a"))
    assert not np.array_equal(a, times(1, "cells_b"))


def test_hash_uniform_is_uniform_and_uncorrelated():
    """10^6 draws: in (0, 1]; chi-square over 100 bins below the 99.9 % point (149.4);
    correlation of consecutive draws and of neighbouring streams below 0.005 (SE 0.001)."""
    from compartments.random_streams import uniform

    u = uniform(7, np.arange(1000)[:, None], np.arange(1000)[None, :])
    assert u.min() > 0 and u.max() <= 1
    hist = np.histogram(u, bins=100, range=(0, 1))[0]
    assert np.sum((hist - 1e4) ** 2 / 1e4) < 149.4
    assert abs(np.corrcoef(u[:, :-1].ravel(), u[:, 1:].ravel())[0, 1]) < 0.005
    assert abs(np.corrcoef(u[:-1].ravel(), u[1:].ravel())[0, 1]) < 0.005
    assert not np.array_equal(uniform(7, 0, np.arange(10)), uniform(8, 0, np.arange(10)))


@pytest.mark.parametrize("kwargs, match", [
    (dict(receptor="ampa", at="soma", method="exact"), "method"),
    (dict(receptor="gabaa", at="soma"), "gabaa"),
    (dict(receptor="ampa", at="axon"), "axon"),
    (dict(receptor="ampa", at="soma", rate=5), "rate"),
    (dict(receptor="ampa", at="soma", n_inputs=0), "n_inputs"),
])
def test_bad_background_input_is_named(kwargs, match):
    group = _cell([AMPA()]).make_group(1)
    args = dict(rate=5 * Hz, n_inputs=10, gpeak=1 * nS)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError, Exception), match=match):
        poisson_drive(group, **args)
    with pytest.raises(ValueError, match="PointConductance"):
        ou_conductances(group)


def test_seeded_helpers_have_their_own_streams(numpy_target):
    """A helper's seed fixes its own noise whatever other random objects do, and leaves
    Brian2's generator alone (it used to reseed it globally: the last seed governed all)."""
    from brian2 import PoissonGroup, SpikeMonitor
    from brian2 import seed as brian_seed

    defaultclock.dt = 0.1 * ms
    runs = []
    for other_seed in (1, 2):
        brian_seed(other_seed)
        group = _cell([AMPA()]).make_group(3, dt=defaultclock.dt)
        drive = poisson_drive(group, "ampa", at="soma", rate=50 * Hz, n_inputs=20,
                              gpeak=0.5 * nS, seed=7)
        other = PoissonGroup(5, 100 * Hz)          # unrelated randomness, Brian2's generator
        spikes = SpikeMonitor(other)
        mon = StateMonitor(group, "g_ampa_soma", record=True)
        Network(group, drive, other, spikes, mon).run(20 * ms)
        runs.append((np.asarray(mon.g_ampa_soma_), np.asarray(spikes.t_)))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])   # the drive: its own stream
    assert runs[0][0].max() > 0
    assert not np.array_equal(runs[0][1], runs[1][1])       # the rest: brian2.seed's
