"""Plasticity presets against the outcomes their papers report (compartments.stdp_presets).

For every preset and every condition x Δt its paper tested, the sign of Δw
(|Δw| < 1e-6 counts as no change) must be the reported one; where the paper
gives a mean ± s.e.m. (the two Brzosko et al. papers, read in full), the
model's change must lie within 2 s.e.m. of the paper's (its 95 % interval)
and, for a significant change, within a factor 2 of it; the modulator delay
that converts must lie inside the paper's bracket (converts at the effective
delay, at most a quarter of that effect at the ineffective one); a rule that
scales both branches alike (the usual single third factor) must fail the
same checks. He et al. 2015 and Seol et al. 2007 were read only in their
summaries (Seol et al.'s protocol and signs also as Maki-Marttunen et al. 2020
describe them): no number of theirs was reachable (docs/plasticity_sources.md
lists the search), so their magnitudes are assumed, and checked only as the
calibration they are (within 1.5x of the assumed +/-30 %).

Every preset runs its paper's full protocol (rule level, numpy; ~45 s, the
two CA1 presets ~40 s of it); the wrong rules run 10 CA1 pairings (signs only).
"""

import numpy as np
import pytest
from brian2 import ms, nM

from compartments.analysis.modulated_pairing import pairing_experiment
from compartments.modulated_stdp import Gain, ModulatedSTDP
from compartments.stdp_presets import (PRESETS, STATUSES, UnknownPreset, preset,
                                       with_reported)
from compartments.stdp_signals import Occupancy

pytestmark = pytest.mark.usefixtures("numpy_target")
QUICK = {"CA1_Brzosko2015": 10, "CA1_Brzosko2017": 10}


def observed_sign(dw):
    return np.where(np.abs(dw) < 1e-6, 0, np.sign(dw))


def mismatches(out):
    """Outcomes whose sign the model misses; a 'no significant change' with a mean ± s.e.m.
    is checked by its magnitude instead (test_magnitudes_within_the_papers_means)."""
    tested = out[out.reported_sign.notna() & ~((out.reported_sign == 0)
                                                & out.reported_sem.notna())]
    bad = tested[observed_sign(tested.dw) != tested.reported_sign]
    return bad[["condition", "dt_ms", "change_percent", "reported_sign"]]


def run_rule(name, rule):
    """A (wrong) rule through the paper's protocol, 10 pairings for the CA1 presets."""
    exp = PRESETS[name].experiments[0]
    out = pairing_experiment(rule, exp.conditions, np.asarray(exp.dts_ms) * ms,
                             QUICK.get(name, exp.n_pairings), exp.period, exp.after)
    return with_reported(out, exp.outcomes)


@pytest.fixture(scope="module")
def results():
    from compartments import backends

    with backends.using("numpy"):
        return {name: p.run() for name, p in PRESETS.items()}


@pytest.mark.parametrize("name", list(PRESETS))
def test_sign_at_every_tested_dt(results, name):
    out = results[name]
    assert out.reported_sign.notna().sum() >= 4
    assert mismatches(out).empty, mismatches(out)


@pytest.mark.parametrize("name", ["CA1_Brzosko2015", "CA1_Brzosko2017"])
def test_magnitudes_within_the_papers_means(results, name):
    """Brzosko et al. 2015 Figs 1-3 and 2017 Figs 1-2 (mean ± s.e.m., % of baseline): the
    model's change within 2 s.e.m. of each mean, and within a factor 2 of each significant
    change (the values are fitted to these means: docs/fit_plasticity_presets.py)."""
    out = results[name]
    numbers = out[out.reported_percent.notna()]
    assert len(numbers) >= 7
    paper = numbers.reported_percent - 100
    off = (numbers.change_percent - paper).abs() / numbers.reported_sem
    assert (off <= 2).all(), numbers.assign(sem_away=off)
    significant = numbers.reported_sign != 0
    ratio = numbers.change_percent[significant] / paper[significant]
    assert ratio.between(0.5, 2).all(), numbers[significant].assign(ratio=ratio)


@pytest.mark.parametrize("name", [n for n in PRESETS if PRESETS[n].experiments[0].bracket
                                  and PRESETS[n].experiments[0].bracket[1]])
def test_conversion_delay_within_the_bracket(results, name):
    """At the effective delay the modulator changes Δw (to the reported sign); at the
    ineffective one it changes Δw by less than a quarter of that."""
    effective, ineffective, _, _ = PRESETS[name].experiments[0].bracket
    out = results[name].set_index(["condition", "dt_ms"]).dw
    control = out[out.index.get_level_values(0)[0]]
    converted = [o for o in PRESETS[name].experiments[0].outcomes
                 if o.condition == effective and o.sign != observed_sign(control[o.dt_ms])]
    assert converted
    for o in converted:
        early = out[effective, o.dt_ms] - control[o.dt_ms]
        late = out[ineffective, o.dt_ms] - control[o.dt_ms]
        assert observed_sign(out[effective, o.dt_ms]) == o.sign
        assert abs(late) < 0.25 * abs(early), (o.dt_ms, early, late)


@pytest.mark.parametrize("name", ["V1_He2015", "V1_Seol2007"])
def test_calibration_of_the_assumed_magnitudes(results, name):
    out = results[name]
    converted = out[(out.reported_sign != 0) & out.reported_sign.notna()]
    assert np.all((np.abs(converted.change_percent) > 20) &
                  (np.abs(converted.change_percent) < 45)), converted


def test_scaling_both_branches_fails_the_papers(numpy_target):
    """The usual third factor multiplies the whole window (or both traces) by one gain:
    dopamine would then turn t-LTP at +10 ms into t-LTD in CA1 (Brzosko 2015 reports LTP), NE
    would convert the LTD trace in V1 (He 2015: only 5-HT does), and beta-AR with M1 would
    cancel instead of restoring the Hebbian window (Seol 2007)."""
    base = PRESETS["CA1_Brzosko2015"].values
    both = Gain(1.0, {"DA": -base["DA_reverses_ltd"].value})
    wrong_ca1 = ModulatedSTDP(
        base["A_plus"].value, base["A_minus"].value, base["tau_plus"].value,
        base["tau_minus"].value, signals={"DA": Occupancy("D1")},
        gains={"convert_ltp": both, "convert_ltd": both}, conversion="continuous",
        consume=base["consume"].value, tau_ltp=base["tau_trace"].value,
        tau_ltd=base["tau_trace"].value,
        tau_conversion=base["tau_conversion"].value)
    he = PRESETS["V1_He2015"].values
    wrong_v1 = ModulatedSTDP(
        he["A_plus"].value, he["A_minus"].value, he["tau_plus"].value, he["tau_minus"].value,
        signals={"NE": Occupancy("b-AR"), "HT": Occupancy("5-HT2C")},
        gains={"convert_ltp": Gain(0, {"NE": 1, "HT": 1}),
               "convert_ltd": Gain(0, {"NE": 1, "HT": 1})},
        conversion="continuous", consume=True, tau_ltp=he["tau_trace"].value,
        tau_ltd=he["tau_trace"].value, tau_conversion=he["tau_conversion"].value)
    seol = PRESETS["V1_Seol2007"].values
    wrong_seol = ModulatedSTDP(
        seol["A_plus"].value, seol["A_minus"].value, seol["tau_plus"].value,
        seol["tau_minus"].value, signals={"NE": Occupancy("b-AR"), "ACh": Occupancy("M1")},
        gains={"ltp": Gain(0, {"NE": 1, "ACh": -1}), "ltd": Gain(0, {"NE": 1, "ACh": -1})})
    for name, rule in (("CA1_Brzosko2015", wrong_ca1), ("V1_He2015", wrong_v1),
                       ("V1_Seol2007", wrong_seol)):
        assert not mismatches(run_rule(name, rule)).empty, name


@pytest.mark.codegen_independent
def test_every_value_has_a_source_and_a_status():
    for p in PRESETS.values():
        assert p.paper and p.preparation
        for key, cited in p.values.items():
            assert cited.status in STATUSES and len(cited.source) > 15, (p.name, key)
        assumed = p.table()
        assert set(assumed.columns) == {"name", "value", "status", "source"}
        for exp in p.experiments:
            assert all(o.status in STATUSES and o.source for o in exp.outcomes)


@pytest.mark.codegen_independent
def test_unknown_preset_lists_close_matches():
    with pytest.raises(UnknownPreset) as info:
        preset("CA1_Brzosko2016")
    assert "CA1_Brzosko2015" in str(info.value) and isinstance(info.value, KeyError)
    with pytest.raises(ValueError, match="'signal'"):
        PRESETS["V1_He2015"].rule(signal="bath")


@pytest.mark.codegen_independent
def test_dose_dependence_follows_the_receptor():
    """Brzosko 2015's conversion gain at receptor-site DA levels: LTD at 0, LTP above ~0.14
    uM (D1 EC50 1 uM, gain 1 - 8 occupancy); the bath of 100 uM (20 uM at the receptors)
    saturates it. (Acetylcholine's dose dependence, 1 uM vs 100 nM in Brzosko et al. 2017, is
    among the means of test_magnitudes_within_the_papers_means.)"""
    rule = preset("CA1_Brzosko2015")
    occ = rule.signals["DA"]
    k = [rule.gain("convert_ltd").value(DA=occ.value(c * nM)) for c in (0, 100, 300, 20000)]
    assert k[0] == 1.0 and k[1] > 0 and k[2] < 0 and k[3] < -4
