"""Modulated STDP presets, one per experimental preparation, every value with its source.

``preset(name)`` returns a `ModulatedSTDP`; ``PRESETS[name]`` holds the
values (`Cited`: value, source, status) and the paper's experiments
(`Experiment`: conditions, Δt tested, reported outcomes) that the tests and
the figure script (docs/figures_plasticity.py) run the preset against.

Status of a value: ``read`` (in the paper text read here), ``code`` (in the
authors' public model code, read here), ``fitted`` (fitted here to the
paper's reported means by docs/fit_plasticity_presets.py), ``recalled`` (from
the paper but not re-read here: re-check before relying on it), ``assumed``
(chosen here; the source says why). The two Brzosko et al. papers were read
in full (their Results state mean ± s.e.m. and n per condition: the
`Outcome` entries); He et al. 2015 and Seol et al. 2007 only in their
summaries (Seol et al.'s protocol and outcome signs also as described by
Maki-Marttunen et al. 2020, who model them), so their magnitudes and time
constants stay assumed (docs/plasticity_sources.md lists what was searched
and which figures would give them).

=================== ==========================================================
``Izhikevich2007``  dopamine converts one eligibility trace (c = c_ltp - c_ltd),
                    tau_c 1 s, DA transient 200 ms (ModelDB 84167 daspnet.m)
``CA1_Brzosko2015`` dopamine (D1-like, cAMP/PKA) converts the t-LTD trace
                    into potentiation, during or minutes after the pairing
``CA1_Brzosko2017`` + acetylcholine at induction writes pre-before-post
                    coincidences into the LTD trace (STDP biased to LTD); later
                    dopamine converts it into potentiation
``V1_He2015``       nothing without a modulator; beta-AR converts the LTP
                    trace, 5-HT2C the LTD trace, within seconds
``V1_Seol2007``     beta-AR (AC) and M1 (PLC) gate the branches: beta alone
                    potentiates at both orders, M1 alone depresses at both,
                    both restore the Hebbian window, none: no plasticity
=================== ==========================================================
"""

import difflib
from dataclasses import dataclass, field

import numpy as np
from brian2 import ms, nM, second, uM

from .analysis.modulated_pairing import Application, pairing_experiment
from .modulated_stdp import Gain, ModulatedSTDP
from .neuromodulation.pools import bath_to_receptor_site
from .stdp_signals import Effector, Level, Occupancy

__all__ = ["preset", "PRESETS", "Preset", "Cited", "Experiment", "Outcome", "UnknownPreset",
           "STATUSES", "with_reported"]

STATUSES = ("read", "code", "fitted", "recalled", "assumed")
minute = 60 * second


class UnknownPreset(KeyError):
    """An unknown preset name; the message lists close matches."""


@dataclass(frozen=True)
class Cited:
    """A value and where it comes from (``status`` in `STATUSES`)."""

    value: object
    source: str
    status: str

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"The status of a cited value must be one of {STATUSES}. "
                             f"Got {self.status!r}.")
        if not self.source.strip():
            raise ValueError("A cited value needs a source.")


@dataclass(frozen=True)
class Outcome:
    """The reported result of one condition at one Δt: sign (+1 LTP, -1 LTD, 0 none) and,
    where the paper states it, the mean ± s.e.m. (EPSP slope, % of baseline) of ``n`` cells.

    ``percent`` is the paper's number (100: no change), not a weight change: the model's
    ``change_percent`` compares with ``percent - 100``.
    """

    condition: str
    dt_ms: float
    sign: int
    source: str
    status: str
    percent: float = None
    sem: float = None
    n: int = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"The status of an outcome must be one of {STATUSES}. "
                             f"Got {self.status!r}.")
        if self.sign not in (-1, 0, 1):
            raise ValueError(f"The sign of an outcome must be -1, 0 or +1. Got {self.sign!r}.")
        if (self.percent is None) != (self.sem is None):
            raise ValueError("An outcome's 'percent' and 'sem' go together (mean ± s.e.m.).")


@dataclass(frozen=True)
class Experiment:
    """A paper's protocol: conditions (name -> [Application]), Δt tested, outcomes."""

    name: str
    conditions: dict
    dts_ms: tuple
    n_pairings: int
    period: object
    after: object
    outcomes: tuple
    source: str
    bracket: tuple = ()   # (condition effective, condition ineffective, source, status)


@dataclass(frozen=True)
class Preset:
    """A preparation: its values, how they build the rule, and its experiments."""

    name: str
    preparation: str
    paper: str
    values: dict
    build_rule: object = field(repr=False)
    experiments: tuple = ()

    def rule(self, signal="occupancy", pool=None):
        """The `ModulatedSTDP` (``signal``: 'occupancy', synapse-local; 'effector', the
        post-synaptic neuron's receptors, on template cells)."""
        if signal not in ("occupancy", "effector"):
            raise ValueError(f"The 'signal' of preset {self.name!r} must be 'occupancy' or "
                             f"'effector'. Got {signal!r} instead.")
        rule = self.build_rule({k: c.value for k, c in self.values.items()}, signal)
        return rule.with_pool(pool) if pool is not None else rule

    def run(self, which=0, n_pairings=None, **kwargs):
        """Run experiment ``which`` at rule level (`pairing_experiment`); adds the columns
        ``reported_sign``, ``reported_percent``, ``reported_sem`` (`with_reported`).

        ``n_pairings`` overrides the paper's number (quick checks); ``kwargs`` go to
        `pairing_experiment`.
        """
        exp = self.experiments[which]
        out = pairing_experiment(self.rule(), exp.conditions, np.asarray(exp.dts_ms) * ms,
                                 n_pairings or exp.n_pairings, exp.period, exp.after, **kwargs)
        return with_reported(out, exp.outcomes)

    def table(self):
        """The values with their sources: a DataFrame name, value, status, source."""
        import pandas as pd

        return pd.DataFrame([dict(name=k, value=repr(c.value), status=c.status, source=c.source)
                             for k, c in self.values.items()])


def with_reported(out, outcomes):
    """``out`` (a `pairing_experiment` table) with the paper's outcome per row: columns
    ``reported_sign``, ``reported_percent`` (% of baseline, 100: no change) and
    ``reported_sem`` (NaN where the paper reports none)."""
    out = out.copy()
    keys = list(zip(out.condition, out.dt_ms))
    for column, field_name in (("reported_sign", "sign"), ("reported_percent", "percent"),
                               ("reported_sem", "sem")):
        reported = {(o.condition, o.dt_ms): getattr(o, field_name) for o in outcomes}
        out[column] = [np.nan if reported.get(k) is None else reported[k] for k in keys]
    return out


def _receptor_signal(receptor_name, signal):
    return Occupancy(receptor_name) if signal == "occupancy" else Effector(receptor_name)


BATH_DA = bath_to_receptor_site(100 * uM)    # 20 uM at the receptors (BATH_FACTOR 0.2)

# -- Izhikevich 2007 -----------------------------------------------------------------------
_DASPNET = "Izhikevich 2007 Cereb Cortex 17:2443, ModelDB 84167 daspnet.m"


def _izhikevich(v, signal):
    return ModulatedSTDP(
        v["A_plus"], v["A_minus"], v["tau_plus"], v["tau_minus"],
        signals={"DA": Level("DA", scale=v["DA_scale"])},
        gains={"convert_ltp": Gain(0, {"DA": 1}), "convert_ltd": Gain(0, {"DA": 1})},
        conversion="continuous", tau_ltp=v["tau_c"], tau_ltd=v["tau_c"],
        tau_conversion=v["tau_conversion"], pairing=v["pairing"], w_min=0.0, w_max=v["w_max"],
        name="Izhikevich2007")


IZHIKEVICH2007 = Preset(
    "Izhikevich2007", "model network (cortical spiking neurons)", _DASPNET,
    values={
        "A_plus": Cited(0.1, f"{_DASPNET}: STDP(fired)=0.1; sd += STDP of the pre neuron at a "
                             f"post spike", "code"),
        "A_minus": Cited(0.15, f"{_DASPNET}: sd -= 1.5*STDP of the post neuron at a pre "
                               f"arrival", "code"),
        "tau_plus": Cited(20 * ms, f"{_DASPNET}: STDP *= 0.95 per 1-ms step (19.5 ms); 20 ms in "
                                   f"the paper text (recalled)", "code"),
        "tau_minus": Cited(20 * ms, f"{_DASPNET}: the same decay for both traces", "code"),
        "pairing": Cited("nearest", f"{_DASPNET}: STDP(fired)=0.1 resets the trace (no sum)",
                         "code"),
        "tau_c": Cited(1 * second, f"{_DASPNET}: sd *= 0.99 every 10 ms (0.995 s)", "code"),
        "tau_conversion": Cited(10 * ms, f"{_DASPNET}: s += (0.002 + DA)*sd every 10 ms, i.e. "
                                         f"dw/dt = (DA + 0.002) c / 10 ms", "code"),
        "DA_scale": Cited(1 * uM, "Izhikevich 2007: DA in uM (recalled); the code's DA is that "
                                  "number", "recalled"),
        "DA_tonic": Cited(0.002 * uM, f"{_DASPNET}: the 0.002 added to DA in the weight update "
                                      f"(pool tonic level)", "code"),
        "DA_tau": Cited(200 * ms, f"{_DASPNET}: DA *= 0.995 per 1-ms step (199.5 ms)", "code"),
        "DA_reward": Cited(0.5 * uM, f"{_DASPNET}: DA = DA + 0.5 at a reward", "code"),
        "reward_delay": Cited((1 * second, 3 * second), f"{_DASPNET}: reward 1000 + "
                                                       f"ceil(2000 rand) ms after the pairing",
                              "code"),
        "w_max": Cited(4.0, f"{_DASPNET}: sm = 4 (weights in [0, sm])", "code"),
    },
    build_rule=_izhikevich,
    experiments=(Experiment(
        "reward after a pairing",
        {name: [Application("DA", 0.002 * uM, reference="experiment")] + extra
         for name, extra in (
             ("no reward", []),
             ("reward 1 s after", [Application("DA", 0.5 * uM, 1 * second, decay=200 * ms,
                                               reference="end")]),
             ("reward 3 s after", [Application("DA", 0.5 * uM, 3 * second, decay=200 * ms,
                                               reference="end")]))},
        (-10.0, 10.0), 1, 1 * second, 10 * second,
        outcomes=tuple(Outcome(c, dt, sign, f"{_DASPNET}: the reward converts c = c_ltp - c_ltd "
                                            f"with its sign (Fig. 1: the rewarded pre-before-post "
                                            f"synapse grows)", "code")
                       for c in ("reward 1 s after", "reward 3 s after")
                       for dt, sign in ((10.0, +1), (-10.0, -1))),
        source=f"{_DASPNET}: one pre-before-post coincidence within 20 ms, reward 1-3 s later",
        bracket=("reward 1 s after", "", "rewards 1-3 s after the coincidence convert "
                                         "(daspnet.m)", "code")),))

# -- Brzosko 2015 ---------------------------------------------------------------------------
# Numbers read in the papers' full texts (eLife article XML, the journal's public repository
# elifesciences/elife-article-xml: articles/elife-09685-v1.xml and elife-27756-v2.xml):
# Results paragraphs and figure legends give mean ± s.e.m. (EPSP slope, % of baseline 40 min
# after pairing) and n per condition. Values "fitted here" come from
# docs/fit_plasticity_presets.py (weighted least squares on those means, closed form of the
# rule for pairings 5 s apart; the command prints the fit and checks it against the simulator).
_B15 = ("Brzosko, Schultz & Paulsen 2015 eLife 4:e09685 (full text read: eLife article XML, "
        "elifesciences/elife-article-xml elife-09685-v1.xml)")
_B17 = ("Brzosko, Zannone, Schultz, Clopath & Paulsen 2017 eLife 6:e27756 (full text read: "
        "eLife article XML, elife-27756-v2.xml)")
_FIT = "fitted here (docs/fit_plasticity_presets.py: weighted least squares on the means of "


def _brzosko2015(v, signal):
    return ModulatedSTDP(
        v["A_plus"], v["A_minus"], v["tau_plus"], v["tau_minus"],
        signals={"DA": _receptor_signal(v["receptor_DA"], signal)},
        gains={"convert_ltp": 1.0, "convert_ltd": Gain(1.0, {"DA": -v["DA_reverses_ltd"]})},
        conversion="continuous", consume=v["consume"], tau_ltp=v["tau_trace"], tau_ltd=v["tau_trace"],
        tau_conversion=v["tau_conversion"], w_min=0.0, w_max=1.0, name="CA1_Brzosko2015")


_FIT15 = _FIT + "Brzosko et al. 2015 Figs 1-3, see the outcomes)"
_BRZOSKO2015_VALUES = {
    "A_plus": Cited(0.00744, f"{_FIT15}: sets t-LTP at +10 ms (Fig. 1A: 182 ± 14 %)", "fitted"),
    "A_minus": Cited(0.00237, f"{_FIT15}: sets t-LTD at -20 ms (Fig. 1E: 74 ± 9 %)", "fitted"),
    "tau_plus": Cited(16.8 * ms, "assumed here for CA1: the Bi & Poo (2001) fit of hippocampal "
                                 "cultures (docs/synapse_sources.md §5, secondhand); Brzosko "
                                 "et al. test +10 ms only", "assumed"),
    "tau_minus": Cited(33.7 * ms, "assumed here for CA1: Bi & Poo (2001) fit (secondhand); "
                                  "Brzosko et al. 2015 Fig. 1D/G: -10 ms with DA antagonists "
                                  "72 ± 8 % and -20 ms 74 ± 9 %, consistent with it", "assumed"),
    "receptor_DA": Cited("D1", f"{_B15}: forskolin mimics dopamine and H-89 blocks it (Fig. 4B-C: "
                               "cAMP/PKA, Gs: D1/D5); D2 antagonist alone also partly blocks "
                               "(Fig. 4-figure supplement 1), not modelled. EC50 and Hill from "
                               "data/receptors.csv", "read"),
    "DA_reverses_ltd": Cited(8.0, f"{_FIT15}: dopamine turns the t-LTD trace's conversion "
                                  f"negative (1 - g x D1 occupancy): sets Fig. 1E (DA during "
                                  f"pairing, 144 ± 12 %) and Fig. 2B (DA 1 min after, 169 ± 16 %)",
                             "fitted"),
    "tau_trace": Cited(449 * second, f"{_FIT15}: the trace still converts 1 min after the "
                                      f"pairing (Fig. 2), half-way 10 min after (Fig. 3B: "
                                      f"94 ± 9 %), not 30 min after (Fig. 3C: 59 ± 12 %)",
                       "fitted"),
    "tau_conversion": Cited(449 * second, "assumed here: equal to tau_trace (without a "
                                          "modulator half of a trace is expressed, half decays): "
                                          "these means fix only A / tau_conversion "
                                          "(docs/fit_plasticity_presets.py)", "assumed"),
    "consume": Cited(False, "fitted here (docs/fit_plasticity_presets.py): a trace that the "
                            "conversion uses up cannot give both the t-LTD without dopamine "
                            "(74 ± 9 %) and the t-LTP with dopamine 1 min after (169 ± 16 %): "
                            "best consumed fit +28 % for the latter (chi2 10.9 on 7 means) "
                            "against +55 % without consumption (chi2 3.9); the paper itself separates de-depression "
                            "and potentiation (Fig. 4A: D-AP5 leaves 105 ± 12 %)", "fitted"),
    "DA_bath": Cited(100 * uM, f"{_B15}: 100 uM for 10-12 min after the pairing (Figs 2-4); "
                               f"20 uM during the pairing (Fig. 1E)", "read"),
    "DA_site": Cited(BATH_DA, "bath_to_receptor_site(100 uM): BATH_FACTOR 0.2 "
                              "(docs/neuromodulation.md)", "assumed"),
}

_CONTROL = "control"
_DA_DURING = "DA during pairing"
_DA_AFTER = "DA 1 min after"
_DA_10 = "DA 10 min after"
_DA_LATE = "DA 30 min after"


def _da_after(onset):
    return [Application("DA", BATH_DA, onset, 11 * minute, "end")]


def _brzosko_conditions():
    """Brzosko et al. 2015: 100 pairings at 0.2 Hz; DA 20 uM (bath) from 2 min before and
    during the pairing, or 100 uM for 10-12 min from 1, 10 or 30 min after it."""
    return {
        _CONTROL: [],
        _DA_DURING: [Application("DA", bath_to_receptor_site(20 * uM), -2 * minute,
                                 11 * minute, "start")],
        _DA_AFTER: _da_after(1 * minute),
        _DA_10: _da_after(10 * minute),
        _DA_LATE: _da_after(30 * minute),
    }


def _read(paper, figure, condition, dt, sign, percent, sem, n, note=""):
    return Outcome(condition, dt, sign, f"{paper}, {figure}{note}", "read", percent, sem, n)


CA1_BRZOSKO2015 = Preset(
    "CA1_Brzosko2015", "mouse hippocampal slices, CA3-CA1 synapses",
    "Brzosko, Schultz & Paulsen 2015 eLife 4:e09685",
    values=_BRZOSKO2015_VALUES, build_rule=_brzosko2015,
    experiments=(Experiment(
        "retroactive dopamine", _brzosko_conditions(), (-20.0, -10.0, 10.0), 100, 5 * second,
        60 * minute,
        outcomes=(
            _read(_B15, "Fig. 1A", _CONTROL, 10.0, +1, 182, 14, 5),
            _read(_B15, "Fig. 1E-F", _CONTROL, -20.0, -1, 74, 9, 9,
                  " (control interleaved with the DA experiments; Fig. 1B: 61 ± 9 %, n = 5)"),
            _read(_B15, "Fig. 1C-D", _CONTROL, -10.0, -1, 72, 8, 6,
                  " with D1/D2 antagonists: the preset has no endogenous dopamine (without "
                  "antagonists -10 ms gave t-LTP, 202 ± 21 %, n = 7, attributed by the authors "
                  "to endogenous dopamine)"),
            _read(_B15, "Fig. 1E-F", _DA_DURING, -20.0, +1, 144, 12, 6, " (DA 20 uM)"),
            Outcome(_DA_DURING, 10.0, +1,
                    f"{_B17}, Fig. 1-figure supplement 1aii and Results: dopamine yields "
                    f"potentiation 'irrespective of the precise spike order' (no number in the "
                    f"text)", "read"),
            _read(_B15, "Fig. 2A-B", _DA_AFTER, -20.0, +1, 169, 16, 6, " (DA 100 uM)"),
            _read(_B15, "Fig. 3B,D", _DA_10, -20.0, 0, 94, 9, 12, " (not significant)"),
            _read(_B15, "Fig. 3C-D", _DA_LATE, -20.0, -1, 59, 12, 6)),
        source=f"{_B15}: 100 pairings at 0.2 Hz (Results); EPSP slopes 40 min after the pairing "
               f"(60 min for DA 30 min after); the model reads all conditions 60 min after",
        bracket=(_DA_AFTER, _DA_LATE, "effective 1 min after (Fig. 2), ineffective 30 min after "
                                      "(Fig. 3C)", "read")),))

# -- Brzosko 2017 ---------------------------------------------------------------------------


def _brzosko2017(v, signal):
    ach = v["ACh_to_ltd"]
    ach_signal = (Occupancy(v["receptor_ACh"], ec50=v["ACh_ec50"]) if signal == "occupancy"
                  else Effector(v["receptor_ACh"]))
    return ModulatedSTDP(
        v["A_plus"], v["A_minus"], v["tau_plus"], v["tau_minus"],
        signals={"DA": _receptor_signal(v["receptor_DA"], signal), "ACh": ach_signal},
        gains={"ltp_trace": Gain(1.0, {"ACh": -ach}), "ltp_to_ltd": Gain(0.0, {"ACh": ach}),
               "convert_ltp": 1.0, "convert_ltd": Gain(1.0, {"DA": -v["DA_reverses_ltd"]})},
        conversion="continuous", consume=v["consume"], tau_ltp=v["tau_trace"], tau_ltd=v["tau_trace"],
        tau_conversion=v["tau_conversion"], w_min=0.0, w_max=1.0, name="CA1_Brzosko2017")


_FIT17 = _FIT + "Brzosko et al. 2017 Figs 1-2; the other values are the 2015 fit)"
_ACH = "ACh during pairing"
_ACH_LOW = "ACh 100 nM during pairing"
_ACH_DA = "ACh, then DA 1 min after"


def _ach(bath):
    """Brzosko et al. 2017: acetylcholine for 10 min from 1-2 min before the pairing."""
    return [Application("ACh", bath_to_receptor_site(bath), -1.5 * minute, 10 * minute, "start")]


CA1_BRZOSKO2017 = Preset(
    "CA1_Brzosko2017", "mouse hippocampal slices, CA3-CA1 synapses",
    "Brzosko, Zannone, Schultz, Clopath & Paulsen 2017 eLife 6:e27756",
    values={**_BRZOSKO2015_VALUES,
            "A_plus": Cited(0.00306, f"{_FIT17}: this series' control t-LTP at +10 ms (Fig. 1a-b: "
                                    f"135 ± 7 %; 162 ± 16 % in Fig. 1-figure supplement 2)",
                            "fitted"),
            "receptor_ACh": Cited("M1", f"{_B17}: atropine (100 nM) blocks the effect (Fig. 1c-d: "
                                        f"muscarinic); M1 is the Gq muscarinic receptor of CA1 "
                                        f"pyramidal cells (the paper names no subtype)", "read"),
            "ACh_to_ltd": Cited(1.0, f"{_B17}: acetylcholine 'biases STDP toward synaptic "
                                     f"depression' at +10 and 0 ms (Fig. 1a-b, e): at full "
                                     f"occupancy every pre-before-post coincidence is written "
                                     f"into the LTD trace (1: the largest value for which the "
                                     f"gain stays a redistribution between the traces: "
                                     f"assumed here; the sign is read)", "assumed"),
            "ACh_ec50": Cited(31 * nM, f"{_FIT17}: M1 occupancy at the synapse (receptor "
                                         f"site = 0.2 x bath) that makes 1 uM bath turn +10 ms "
                                         f"t-LTP into t-LTD (63 ± 8 %) and 100 nM only prevent "
                                         f"it (Fig. 1-figure supplement 2: 113 ± 9 %); "
                                         f"data/receptors.csv's 0.3 uM is itself assumed. signal='effector' reads the "
                                         f"cell's own M1 state instead (the table's EC50)",
                              "fitted"),
            "ACh_bath": Cited(1 * uM, f"{_B17}: 1 uM for 10 min from 1-2 min before the pairing "
                                      f"(Fig. 1); 100 nM in Fig. 1-figure supplement 2", "read")},
    build_rule=_brzosko2017,
    experiments=(Experiment(
        "acetylcholine then dopamine",
        {_CONTROL: [], _ACH: _ach(1 * uM), _ACH_LOW: _ach(0.1 * uM),
         _ACH_DA: _ach(1 * uM) + _da_after(1 * minute)},
        (-50.0, -20.0, 10.0, 50.0), 100, 5 * second, 60 * minute,
        outcomes=(
            _read(_B17, "Fig. 1a-b", _CONTROL, 10.0, +1, 135, 7, 8),
            _read(_B17, "Fig. 1e", _CONTROL, -20.0, -1, 66, 10, 7),
            _read(_B17, "Fig. 1a-b", _ACH, 10.0, -1, 63, 8, 6, " (ACh 1 uM)"),
            _read(_B17, "Fig. 1e", _ACH, -20.0, -1, 63, 12, 6),
            _read(_B17, "Fig. 1e", _ACH, 50.0, 0, 84, 11, 7, " (not significant)"),
            _read(_B17, "Fig. 1e", _ACH, -50.0, 0, 113, 15, 6, " (not significant)"),
            _read(_B17, "Fig. 1-figure supplement 2", _ACH_LOW, 10.0, 0, 113, 9, 10,
                  " (not significant; that series' control 162 ± 16 %, n = 6)"),
            _read(_B17, "Fig. 2a,c", _ACH_DA, 10.0, +1, 145, 15, 7,
                  " (DA 100 uM with atropine from ACh washout; ACh + atropine alone "
                  "79 ± 9 %, n = 10)")),
        source=f"{_B17}: protocol as Brzosko et al. 2015 (100 pairings at 0.2 Hz); ACh 1 uM for "
               f"10 min from 1-2 min before the pairing; DA 100 uM for 10-12 min from within "
               f"1 min after"),))

# -- He et al. 2015 -------------------------------------------------------------------------
_HE = "He et al. 2015 Neuron 88:528"
_HE_READ = (f"{_HE} highlights and summary (cell.com, read): 'beta2ARs and 5-HT2CRs convert the "
            f"traces into LTP and LTD, respectively'")
_HONG = ("Hong et al. 2022 Nat Commun 13:3202, Introduction (read), restating He et al. 2015: "
         "pre-then-post activity generates the LTP trace, converted into LTP by norepinephrine "
         "via beta2-AR in layer 2/3 V1 pyramidal neurons; post-then-pre activity the LTD trace, "
         "converted into LTD by serotonin via 5-HT2C")


def _he2015(v, signal):
    return ModulatedSTDP(
        v["A_plus"], v["A_minus"], v["tau_plus"], v["tau_minus"],
        signals={"NE": _receptor_signal(v["receptor_NE"], signal),
                 "HT": _receptor_signal(v["receptor_5HT"], signal)},
        gains={"convert_ltp": Gain(0.0, {"NE": 1.0}), "convert_ltd": Gain(0.0, {"HT": 1.0})},
        conversion="continuous", consume=True, tau_ltp=v["tau_trace"], tau_ltd=v["tau_trace"],
        tau_conversion=v["tau_conversion"], w_min=0.0, w_max=1.0, name="V1_He2015")


def _cortical_window(amplitude, reason):
    """Amplitudes and time constants of a V1 preset whose figures were not read."""
    return {"A_plus": Cited(amplitude, f"assumed here: +/-30 % at w = 0.5 {reason} (figures not "
                                       f"read)", "assumed"),
            "A_minus": Cited(amplitude, "assumed here: as A_plus (figures not read)", "assumed"),
            "tau_plus": Cited(20 * ms, "assumed here: a generic cortical window (the window was "
                                       "not read)", "assumed"),
            "tau_minus": Cited(20 * ms, "assumed here: as tau_plus (the window was not read)",
                               "assumed")}


_NE_SITE, _HT_SITE = 10 * uM, 10 * uM
V1_HE2015 = Preset(
    "V1_He2015", "mouse visual cortex slices, layer 2/3 pyramidal cells", _HE,
    values={
        **_cortical_window(0.08, "with the modulator given 5 s after 20 pairings"),
        "receptor_NE": Cited("b-AR", f"{_HE_READ}; {_HONG}; the table has one beta receptor "
                                     f"('b-AR', Gs) for beta1/beta2", "read"),
        "receptor_5HT": Cited("5-HT2C", f"{_HE_READ}; {_HONG}", "read"),
        "tau_trace": Cited(5 * second, "assumed here: the traces last seconds; the modulator is "
                                       "effective about 5-10 s after pairing (REFERENCES.md, "
                                       "recalled). One value for both traces: which trace is "
                                       "shorter is disputed among our own recollections "
                                       "(docs/synapse_sources.md §5c)", "assumed"),
        "tau_conversion": Cited(0.5 * second, "assumed here: a saturating modulator converts "
                                              "most of what is left within ~1 s", "assumed"),
        "no_modulator": Cited(0.0, f"{_HE}: pairing alone leaves no lasting change (issue 12; "
                                   f"the summary calls the traces 'silent', read)", "read"),
    },
    build_rule=_he2015,
    experiments=(Experiment(
        "trace conversion",
        {_CONTROL: [],
         "NE at 5 s": [Application("NE", _NE_SITE, 5 * second, 10 * second, "end")],
         "5-HT at 5 s": [Application("5HT", _HT_SITE, 5 * second, 10 * second, "end")],
         "NE at 30 s": [Application("NE", _NE_SITE, 30 * second, 10 * second, "end")]},
        (-10.0, 10.0), 20, 0.5 * second, 60 * second,
        outcomes=(Outcome(_CONTROL, 10.0, 0, _HE + ": silent traces (summary, read)", "read"),
                  Outcome(_CONTROL, -10.0, 0, _HE + ": silent traces (summary, read)", "read"),
                  Outcome("NE at 5 s", 10.0, +1, _HE_READ + "; 5 s recalled", "read"),
                  Outcome("NE at 5 s", -10.0, 0, _HE_READ + " (NE leaves the LTD trace)",
                          "read"),
                  Outcome("5-HT at 5 s", -10.0, -1, _HE_READ + "; 5 s recalled", "read"),
                  Outcome("5-HT at 5 s", 10.0, 0, _HE_READ + " (5-HT leaves the LTP trace)",
                          "read")),
        source="assumed here: 20 pairings at 2 Hz, Δt +/-10 ms, modulator 10 s (protocol not "
               "read)",
        bracket=("NE at 5 s", "NE at 30 s", "effective at ~5 s (recalled); ineffective at 30 s "
                                            "(assumed: traces of seconds)", "assumed")),))

# -- Seol et al. 2007 -----------------------------------------------------------------------
_SEOL = "Seol et al. 2007 Neuron 55:919"
_SEOL_READ = (f"{_SEOL} summary (cell.com, read): the outcome depends 'on the relative "
              f"activation of neuromodulator receptors coupled to AC and PLC'; neuromodulation "
              f"'can control the gating and the polarity'")
# Seol et al.'s Results were not reachable; Maki-Marttunen et al. 2020 model them and describe
# them (eLife article XML, read in full): the protocol they take "following the experiments of
# Seol et al., 2007" and the qualitative outcome per agonist. No number of Seol et al. is
# quoted there (nor anywhere else found: docs/plasticity_sources.md lists the search).
_MM20 = ("Maki-Marttunen, Iannella, Edwards, Einevoll & Blackwell 2020 eLife 9:e55714 (full text "
         "read: eLife article XML, elifesciences/elife-article-xml elife-55714-v2.xml)")
_MM20_OUTCOME = (f"{_SEOL} as described by {_MM20}, Results (section on paired pre- and "
                 f"post-synaptic stimulation, STDP)")


def _seol2007(v, signal):
    terms_ltp = {"NE": 1.0, "ACh": -1.0, ("NE", "ACh"): 1.0}
    terms_ltd = {"ACh": 1.0, "NE": -1.0, ("NE", "ACh"): 1.0}
    return ModulatedSTDP(
        v["A_plus"], v["A_minus"], v["tau_plus"], v["tau_minus"],
        signals={"NE": _receptor_signal(v["receptor_AC"], signal),
                 "ACh": _receptor_signal(v["receptor_PLC"], signal)},
        gains={"ltp": Gain(0.0, terms_ltp), "ltd": Gain(0.0, terms_ltd)},
        w_min=0.0, w_max=1.0, name="V1_Seol2007")


_SEOL_RULE = ("derived here: a branch takes its own sign where its own cascade is active (LTP: "
              "AC; LTD: PLC) and the other cascade's sign where only that one is: g_ltp = "
              "b - m + b m, g_ltd = m - b + b m (b, m: beta-AR and M1 signals); "
              "REFERENCES.md (recalled): beta-AR favours LTP, M1 favours LTD, both restore "
              "the Hebbian window; described so (without numbers or the order under beta-AR "
              "alone) by Maki-Marttunen et al. 2020 eLife 9:e55714, Results")
V1_SEOL2007 = Preset(
    "V1_Seol2007", "rat visual cortex slices, layer 2/3 pyramidal cells", _SEOL,
    values={
        **_cortical_window(0.00215, "after 120 pairings with both receptors saturated"),
        "receptor_AC": Cited("b-AR", f"{_SEOL_READ}; beta-adrenergic receptors are AC-coupled "
                                     f"(Gs)", "read"),
        "receptor_PLC": Cited("M1", f"{_SEOL_READ}; M1 is PLC-coupled (Gq)", "read"),
        "gating": Cited(_SEOL_RULE, _SEOL_RULE, "recalled"),
    },
    build_rule=_seol2007,
    experiments=(Experiment(
        "polarity control",
        {_CONTROL: [],
         "NE (beta)": [Application("NE", 10 * uM, -1 * minute, 5 * minute, "start")],
         "ACh (M1)": [Application("ACh", 10 * uM, -1 * minute, 5 * minute, "start")],
         "NE + ACh": [Application("NE", 10 * uM, -1 * minute, 5 * minute, "start"),
                      Application("ACh", 10 * uM, -1 * minute, 5 * minute, "start")]},
        (-10.0, 10.0), 120, 1 * second, 10 * second,
        outcomes=(
            Outcome(_CONTROL, 10.0, 0, f"{_MM20_OUTCOME}: without beta-AR and M1 agonists "
                                       f"their model 'reproduced the observation (Seol et al., "
                                       f"2007) that this stimulation protocol led to little "
                                       f"change'", "read"),
            Outcome(_CONTROL, -10.0, 0, f"{_MM20_OUTCOME}: 'little change' without "
                                        f"agonists", "read"),
            Outcome("NE (beta)", 10.0, +1, f"{_MM20_OUTCOME}: 'an ISI-dependent "
                                           f"potentiation of the EPSCs in the presence of "
                                           f"beta-adrenergic receptor agonists and absence of "
                                           f"cholinergic agonists was observed' (Seol et al.)",
                    "read"),
            Outcome("NE (beta)", -10.0, +1, f"{_SEOL}: potentiation at both orders under the "
                                            f"beta agonist alone (REFERENCES.md, recalled; the "
                                            f"secondary description does not state the order)",
                    "recalled"),
            Outcome("ACh (M1)", 10.0, -1, f"{_MM20_OUTCOME}: with M1 activated and beta-AR "
                                          f"blocked, depression 'throughout the tested ISIs', "
                                          f"'in line with the experimental data' (Seol et al.), "
                                          f"whose depression attenuated at large intervals "
                                          f"(Discussion)", "read"),
            Outcome("ACh (M1)", -10.0, -1, f"{_MM20_OUTCOME}: depression under M1 alone "
                                           f"at every interval (see +10 ms)", "read"),
            Outcome("NE + ACh", 10.0, +1, f"{_MM20_OUTCOME}: with both agonists, "
                                          f"'increased for small and moderate pre-post "
                                          f"intervals and decreased otherwise, which is "
                                          f"qualitatively similar to experimental data' (Seol "
                                          f"et al.)", "read"),
            Outcome("NE + ACh", -10.0, -1, f"{_MM20_OUTCOME}: with both agonists, "
                                           f"decreased for post-pre intervals (Hebbian window "
                                           f"restored)", "read")),
        source=f"{_MM20}, Methods 'Modelling the Ca2+ inputs and neuromodulatory inputs': "
               f"'following the experiments of Seol et al., 2007', 1.0 mM Mg2+ and 1 Hz "
               f"presynaptic stimulation, each pulse paired with a burst of postsynaptic "
               f"stimulus currents, Δt to the onset of the last spike of the burst (author "
               f"response); agonists bath-applied (decision letter, author response). 120 "
               f"pairings: the 2 min at 1 Hz of their simulated protocol (Fig. 5 legend), Seol "
               f"et al.'s own count not read. Assumed here: one postsynaptic spike per pairing "
               f"(rule level), Δt +/-10 ms, agonists 10 uM at the receptors from 1 min before"),))

PRESETS = {p.name: p for p in (IZHIKEVICH2007, CA1_BRZOSKO2015, CA1_BRZOSKO2017, V1_HE2015,
                               V1_SEOL2007)}


def preset(name, signal="occupancy", pool=None):
    """The `ModulatedSTDP` of preset ``name`` (see `PRESETS`).

    Parameters
    ----------
    name : str
        ``"Izhikevich2007"``, ``"CA1_Brzosko2015"``, ``"CA1_Brzosko2017"``,
        ``"V1_He2015"`` or ``"V1_Seol2007"``.
    signal : {'occupancy', 'effector'}
        Synapse-local receptor occupancy (rule level, any target) or the
        post-synaptic neuron's effector state (template cells expressing the
        receptors). Izhikevich2007 reads the dopamine level either way.
    pool : `NeuronGroup`, optional
        The modulator pool (default: the one the post-synaptic group reads).

    Examples
    --------
    >>> rule = preset("CA1_Brzosko2015")
    >>> float(rule.gain("convert_ltd").value(DA=1.0))
    -7.0
    """
    if name not in PRESETS:
        close = difflib.get_close_matches(name, list(PRESETS), n=3, cutoff=0.3)
        raise UnknownPreset(f"Unknown plasticity preset {name!r}; close matches: {close}; all: "
                            f"{list(PRESETS)}.")
    return PRESETS[name].rule(signal, pool)
