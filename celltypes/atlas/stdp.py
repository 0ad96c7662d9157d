"""STDP windows per modulator for the atlas: published rules, the type's receptor expression.

For every modulator a type has receptors for, the atlas runs the modulated
STDP rule of `compartments.stdp_presets` that reads that modulator through a
receptor (`RULES`), at rule level (`pairing_experiment`: pre and post spikes
imposed, one synapse per condition and Δt), under the preset's own control
condition and its modulator condition — the paper's timing (pairings, period,
application window), the atlas's level (`celltypes.modulation.standard_level`).

What is modelled of the type: its receptor expression. A rule's signal is the
receptor's occupancy times the type's expression level of that receptor (its
``level`` where ``fraction > 0``, every neuron expressing, as in the rest of
the atlas; 0 where the type lacks the receptor, so the modulator condition
then equals the control). What is not: the type's own spikes (the spike pairs
are imposed) and any evidence that the preparation's rule holds in this type —
every rule was measured in one preparation (`RULES`), and the windows of other
types are what that rule predicts given their receptors.
"""

import copy

import numpy as np
import pandas as pd
from brian2 import ms

from compartments import backends
from compartments.analysis.modulated_pairing import Application, pairing_experiment
from compartments.modulated_stdp import Gain
from compartments.stdp_presets import PRESETS

from ..modulation import expression, has_expression, standard_level

__all__ = ["RULES", "DTS_MS", "receptor_levels", "expressed_rule", "stdp_windows"]

# modulator -> (preset, its experiment's condition applying that modulator alone)
RULES = {
    "DA": ("CA1_Brzosko2015", "DA during pairing"),   # D1 (the only preset reading DA receptors)
    "ACh": ("V1_Seol2007", "ACh (M1)"),               # M1 gates LTD (V1 layer 2/3)
    "5HT": ("V1_He2015", "5-HT at 5 s"),               # 5-HT2C converts the LTD trace (V1 L2/3)
    "NE": ("V1_He2015", "NE at 5 s"),                  # beta-AR converts the LTP trace (V1 L2/3)
}
CONTROL = "control"
# multiples of 10 ms: the pairing phase then runs at a 10-ms step (Δw does not depend on
# it, `pairing_experiment`), half the steps of a 5-ms grid
DTS_MS = (-50.0, -40.0, -30.0, -20.0, -10.0, 10.0, 20.0, 30.0, 40.0, 50.0)


def receptor_levels(cell_type):
    """``{receptor: level}`` of the receptors ``cell_type`` expresses (fraction > 0; the
    largest level over its compartments); empty without an expression table."""
    if not has_expression(cell_type):
        return {}
    table = expression(cell_type).table
    table = table[table.fraction > 0]
    return {r: float(v) for r, v in table.groupby("receptor", sort=False)["level"].max().items()}


def expressed_rule(rule, levels):
    """``rule`` (a `ModulatedSTDP` with receptor signals) with every signal scaled by the
    expression level of its receptor in ``levels`` (0 for a receptor not in it): each gain
    term's coefficient times the levels of the signals it multiplies."""
    factor = {key: levels.get(signal.receptor.name, 0.0)
              for key, signal in rule.signals.items()}
    new = copy.copy(rule)
    new.given = {name: Gain(g.base, {names: c * float(np.prod([factor[n] for n in names]))
                                     for names, c in g.terms.items()})
                 for name, g in rule.given.items()}
    return new


def _experiment(preset_name, condition):
    experiment = PRESETS[preset_name].experiments[0]
    if condition not in experiment.conditions or CONTROL not in experiment.conditions:
        raise KeyError(f"Preset {preset_name!r} has no conditions {CONTROL!r} and "
                       f"{condition!r}; it has {list(experiment.conditions)}.")
    return experiment


def stdp_windows(cell_type, modulators, target="cython", dts_ms=DTS_MS):
    """The STDP window of each modulator's rule (`RULES`) for ``cell_type``, control and
    modulator, at rule level (see the module docstring).

    Parameters
    ----------
    cell_type : str
        Canonical catalogue name.
    modulators : sequence of str
        Modulators to run (those the type has no receptor of are skipped).
    target : {'cython', 'numpy'}
        Runtime code-generation target of the pairing runs.
    dts_ms : sequence of float
        Δt = t_post - t_pre (ms).

    Returns
    -------
    DataFrame: modulator, rule, receptor, expression (the level the signal is scaled
    by), condition ('control' or the modulator), dt_ms, n_pairings, w_before, w_after,
    dw, change_percent. Empty if no modulator applies.
    """
    from ..modulation import expressed_modulators

    levels = receptor_levels(cell_type)
    chosen = [m for m in modulators if m in expressed_modulators(cell_type) and m in RULES]
    level = standard_level(cell_type)
    frames = []
    with backends.using(target):
        for preset_name in dict.fromkeys(RULES[m][0] for m in chosen):
            mine = [m for m in chosen if RULES[m][0] == preset_name]
            conditions, experiment = {}, None
            for m in mine:
                experiment = _experiment(preset_name, RULES[m][1])
                conditions[CONTROL] = list(experiment.conditions[CONTROL])
                conditions[m] = [Application(a.modulator, level, a.onset, a.duration,
                                             a.reference, a.decay)
                                 for a in experiment.conditions[RULES[m][1]]]
            rule = expressed_rule(PRESETS[preset_name].rule(), levels)
            out = pairing_experiment(rule, conditions, np.asarray(dts_ms) * ms,
                                     experiment.n_pairings, experiment.period, experiment.after)
            receptors = {s.modulator: s.receptor.name for s in rule.signals.values()}
            for m in mine:
                part = out[out.condition.isin([CONTROL, m])].copy()
                receptor = receptors[m]
                part.insert(0, "modulator", m)
                part.insert(1, "rule", preset_name)
                part.insert(2, "receptor", receptor)
                part.insert(3, "expression", levels.get(receptor, 0.0))
                frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["modulator", "rule", "receptor", "expression", "condition",
                                     "dt_ms", "n_pairings", "w_before", "w_after", "dw",
                                     "change_percent"])
    out = pd.concat(frames, ignore_index=True)
    return out.drop(columns=[c for c in ("eligibility",) if c in out])
