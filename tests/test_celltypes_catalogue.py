"""Cell-type catalogue v1: hallmark behaviours and curated targets, one group per type.

Each type runs its standard protocol (`celltypes.characterise.STANDARD`) once, as
one Cython-compiled group (the conditions are neurons), and the results are
shared by its tests.
"""

import functools

import numpy as np
import pytest

import celltypes
from celltypes import characterise as ch

V1_TYPES = sorted(ch.STANDARD)


@functools.lru_cache(maxsize=None)
def measured(name):
    """(per-neuron features, summary features) of the standard protocol of ``name``."""
    recording, per_neuron = ch.characterise(celltypes.get(name))
    return per_neuron, ch.summary(per_neuron, ch.STANDARD[name], recording)


def within(value, row):
    """Whether ``value`` meets a target row: inside [low, high], or mean +- 2 SD."""
    if np.isfinite(row.low) and np.isfinite(row.high):
        return row.low - 1e-9 <= value <= row.high + 1e-9
    return abs(value - row["mean"]) <= 2 * row.sd


def at(per_neuron, amplitude):
    """The features of the standard step of ``amplitude`` nA."""
    rows = per_neuron[(per_neuron.control == "") & np.isclose(per_neuron.amplitude_nA, amplitude)]
    return rows.iloc[0]


def control(per_neuron, label):
    """The features of the control neuron ``label`` (a channel removed, same group)."""
    return per_neuron[per_neuron.control == label].iloc[0]


@pytest.mark.parametrize("name", V1_TYPES)
def test_tested_targets_are_met(name):
    _, summary = measured(name)
    t = celltypes.targets(name)
    tested = t[t.v1 == "tested"]
    assert len(tested) >= 3
    missed = {row.feature: round(float(summary[row.feature]), 3)
              for _, row in tested.iterrows() if not within(summary[row.feature], row)}
    assert not missed, f"{name}: features outside their targets: {missed}"


@pytest.mark.parametrize("name", V1_TYPES)
def test_every_target_feature_is_measured(name):
    _, summary = measured(name)
    for feature in celltypes.targets(name).feature:
        assert feature in summary.index, feature


# -- hallmarks ------------------------------------------------------------------------

def test_pv_narrow_fast_non_adapting():
    per_neuron, s = measured("PV_BC")
    assert s.ap_halfwidth_ms < 0.5
    assert s.max_rate_Hz > 150
    firing = per_neuron[per_neuron.n_spikes >= 5]
    assert np.all(np.abs(firing.adaptation_index) < 0.05)
    assert s.tau_m_ms < 10
    for other in ("SST_MC", "VIP_BP"):   # lowest Rin, fastest membrane of the interneurons
        o = measured(other)[1]
        assert s.R_in_MOhm < o.R_in_MOhm and s.tau_m_ms < o.tau_m_ms, other


def test_sst_adapting_with_low_threshold_rebound_burst():
    per_neuron, s = measured("SST_MC")
    ref = at(per_neuron, 0.1)
    assert ref.isi_ratio > 1.4 and ref.adaptation_index > 0.02      # adapting
    assert s.rebound_spikes >= 2                                     # rebound after -0.15 nA
    large = per_neuron.iloc[1]
    assert large.n_spikes == 0 and large.burst_spikes >= 2           # ... as a burst (ISI < 10 ms)
    assert control(per_neuron, "no CaT").rebound_spikes == 0       # the T current's rebound


def test_l23_regular_spiking_adapts_through_the_m_current_and_the_slow_ahp():
    per_neuron, s = measured("L23_PC")
    ref = at(per_neuron, 0.2)          # v2: the reference step, rheobase + 0.05 nA
    assert ref.n_spikes >= 5 and ref.burst_spikes == 1              # regular: no bursts
    assert ref.isi_ratio > 2 and ref.adaptation_index > 0.05       # adapting
    no_km = control(per_neuron, "no Km")                           # Km carries most of it
    assert no_km.isi_ratio < ref.isi_ratio and no_km.n_spikes > ref.n_spikes
    blocked = control(per_neuron, "no Km or sAHP")                 # the sAHP most of the rest
    assert blocked.isi_ratio < min(1.5, no_km.isi_ratio) and blocked.n_spikes >= no_km.n_spikes


def test_tc_tonic_when_depolarised_burst_on_release_from_hyperpolarisation():
    per_neuron, s = measured("TC")
    tonic = at(per_neuron, 0.5)                                    # from rest, -61 mV
    assert tonic.n_spikes >= 5 and tonic.burst_spikes == 1 and tonic.isi_cv < 0.2
    large = per_neuron.iloc[1]                                    # -0.3 nA, then release
    assert large.burst_spikes >= 3 and s.rebound_spikes >= 3
    assert control(per_neuron, "no CaT").burst_spikes <= 1         # the burst needs CaT


def test_vip_highest_input_resistance_and_strongly_adapting():
    per_neuron, s = measured("VIP_BP")
    others = {name: measured(name)[1].R_in_MOhm for name in V1_TYPES if name != "VIP_BP"}
    assert s.R_in_MOhm > max(others.values()), others
    ref = at(per_neuron, 0.2)         # deterministic, no background noise
    assert ref.isi_cv > 0.5 and ref.isi_ratio > 3
    assert control(per_neuron, "no Km").isi_ratio < 2             # the adaptation is Km's


def test_l5_doublet_then_regular_firing():
    per_neuron, s = measured("L5_TTPC")
    ref = at(per_neuron, 0.3)
    assert ref.n_spikes >= 6 and ref.doublet_isi_ms < 10          # initial doublet ...
    assert ref.burst_spikes == 2                                     # ... of two spikes only
    assert ref.max_instantaneous_rate_Hz > 2 * ref.rate_Hz           # then slower, regular


def test_l5_bap_attenuates_along_the_trunk_and_bac_firing():
    _, s = measured("L5_TTPC")
    trunk = [s[f"bap_v_{seg}_mV"] for seg in ("soma", "apical_0", "apical_1", "apical_2", "tuft_0")]
    assert all(a > b for a, b in zip(trunk, trunk[1:])), trunk      # attenuates with distance
    assert s.bac_spikes_both >= 3 and s.ca_spike_ms_both > 10        # Ca spike + burst
    assert s.bac_spikes_soma < 3 and s.ca_spike_ms_soma < 5          # either input alone: no
    assert s.bac_spikes_distal == 0 and s.ca_spike_ms_distal == 0


def test_l5_large_sag_from_the_ih_gradient():
    per_neuron, s = measured("L5_TTPC")
    assert s.sag_ratio > 0.15
    assert control(per_neuron, "no HCN").sag_ratio < 0.05


def test_l5_ib_bursts_and_coupling_moves_it_from_regular_spiking_to_bursting():
    per_neuron, s = measured("L5_IB")
    ref = at(per_neuron, 0.6)
    assert ref.initial_burst_spikes >= 3                       # an initial burst (ISI < 10 ms)
    assert ref.n_spikes > ref.initial_burst_spikes + 3         # ... then single spikes
    # the same cell with the trunk coupling scaled down (x0.5 is L5_TTPC's coupling)
    swept = [at(per_neuron, 0.6).initial_burst_spikes,
             control(per_neuron, "coupling x0.75").initial_burst_spikes,
             control(per_neuron, "coupling x0.5").initial_burst_spikes]
    assert swept[-1] <= 2 < swept[0], swept                   # regular spiking -> bursting
    ttpc = at(measured("L5_TTPC")[0], 0.6)
    assert ttpc.initial_burst_spikes <= 2
