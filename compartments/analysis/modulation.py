"""Excitability under neuromodulation: one group, conditions x current steps as neurons.

`modulated_excitability` measures, for each condition (control, a modulator at
a receptor-site concentration, optionally restricted to some receptors as a
selective agonist or antagonist would), the resting potential, input
resistance, rheobase, F-I gain and adaptation of a template with a receptor
expression. Every condition reads its own pool neuron (region), so the type
compiles once. Effectors start at their steady state for the tonic level
(the resting-state solve includes them): the result is the steady effect of
a bath application, not its onset.

By default every neuron expresses every receptor of the table at its level
(``all_expressing=True``): published effects are measured in responding
cells; set it False to see the population average with the expression
fractions.
"""

import numpy as np
import pandas as pd
from brian2 import Network, amp, molar, ms, mV, nA

from ..neuromodulation import MODULATORS, modulator_pool
from ..neuromodulation.receptors import RECEPTORS
from ..groups import modulation_of
from .features import fi_curve, rheobase, spike_features
from .protocols import steps

__all__ = ["modulated_excitability", "modulated_group"]


def _condition_table(conditions):
    rows = []
    for name, spec in conditions.items():
        spec = dict(spec or {})
        levels = dict(spec.get("levels", {}))
        receptors = spec.get("receptors")
        for m in levels:
            if m not in MODULATORS:
                raise ValueError(f"Condition {name!r} names unknown modulator {m!r}; known: "
                                 f"{list(MODULATORS)}.")
        for r in receptors or ():
            if r not in RECEPTORS:
                raise ValueError(f"Condition {name!r} names unknown receptor {r!r}; known: "
                                 f"{list(RECEPTORS)}.")
        rows.append((name, levels, receptors))
    return rows


def modulated_group(cell, conditions, n_per_condition, all_expressing=True, seed=0,
                    method=None, dt=None, name=None, at_rest=True):
    """One group of ``cell`` for several modulatory conditions, at rest in each.

    Condition ``c`` (in the order of ``conditions``) is neurons
    ``c*n_per_condition`` to ``(c+1)*n_per_condition - 1``, which read pool
    neuron ``c``; its receptor expression is set as in `modulated_excitability`
    (every neuron expressing at the table's level, or drawn; restricted to a
    condition's ``receptors``), then every neuron is moved to its resting state
    (``at_rest``).

    Parameters
    ----------
    cell : `CellTemplate` with a receptor expression
    conditions : dict
        As for `modulated_excitability`.
    n_per_condition : int
    all_expressing, seed, method : as for `modulated_excitability`
    dt : `Quantity`, optional
        The group's time step.
    name : str, optional
        The group's name.
    at_rest : bool
        Move every neuron to its resting state (default). False leaves that to
        the caller, who may change more parameters first (one rest solve, not two).

    Returns
    -------
    group : `NeuronGroup`
    pool : `NeuronGroup`
        The `modulator_pool`, one neuron per condition (run it with the group).
    index : ndarray of int
        The condition of every neuron.
    """
    from ..rest import equilibrate

    table = _condition_table(conditions)
    modulators = sorted({m for _, levels, _ in table for m in levels}) or [
        RECEPTORS[cell.expression.receptors()[0]].ligand]  # control only: any acting one
    n_c = len(table)
    pool = modulator_pool(modulators, n=n_c, tonic={
        m: np.array([float(levels.get(m, 0 * molar) / molar) for _, levels, _ in table])
        * molar for m in modulators})
    index = np.repeat(np.arange(n_c), int(n_per_condition))
    # gates at -65 mV only: the rest is solved once, below, for the final expression
    group = cell.make_group(len(index), modulators=tuple(modulators), pool=pool,
                            pool_index=index, seed=seed, method=method, init=-65 * mV, dt=dt,
                            name=name)
    plan_receptors = {r.name: r.key for r in modulation_of(group).receptors}
    for row in cell.expression.table.itertuples():
        key = plan_receptors.get(row.receptor)
        if key is None:
            continue
        x = np.asarray(getattr(group, f"x_{key}_{row.compartment}_"), dtype=float)
        if all_expressing:
            x = np.full(len(x), row.level)
        for c, (_, _, receptors) in enumerate(table):
            if receptors is not None and row.receptor not in receptors:
                x[index == c] = 0.0
        setattr(group, f"x_{key}_{row.compartment}_", x)
    if at_rest:
        equilibrate(group)
    return group, pool, index


def modulated_excitability(cell, conditions, amplitudes=(-0.05, 0.1, 0.2, 0.3, 0.4) * nA,
                           delay=100 * ms, duration=500 * ms, after=100 * ms,
                           all_expressing=True, seed=0, method=None):
    """Excitability features of ``cell`` per modulatory condition.

    Parameters
    ----------
    cell : `CellTemplate` with a receptor expression (``with_modulation``)
    conditions : dict
        Name -> ``{"levels": {modulator: concentration}, "receptors": [names]}``;
        ``{}`` is the control. ``receptors`` (optional) keeps only those
        receptors' expression (a selective agonist); default all.
    amplitudes : `Quantity`
        Step amplitudes; one negative step gives the input resistance.
    delay, duration, after : `Quantity`
        The step protocol.
    all_expressing : bool
        Every neuron expresses every receptor at its level (default), or
        draws expression with the table's fractions (``seed``).

    Returns
    -------
    summary : DataFrame
        One row per condition: ``condition, v_rest_mV, R_in_MOhm, rheobase_nA,
        fi_slope_Hz_per_nA, adaptation_index`` (mean over the firing steps),
        ``rate_Hz_at_<amp>nA`` for each positive step.
    features : DataFrame
        The per-neuron features (with ``condition``).
    """
    table = _condition_table(conditions)
    amps = np.atleast_1d(np.asarray(amplitudes / amp, dtype=float))
    n_c, n_a = len(table), len(amps)
    group, pool, index = modulated_group(cell, conditions, n_a, all_expressing=all_expressing,
                                         seed=seed, method=method)
    net = Network(group, pool)
    recording = steps(group, np.tile(amps, n_c) * amp, delay=delay, duration=duration,
                      after=after, network=net)
    features = spike_features(recording)
    features["condition"] = [table[c][0] for c in index]
    rows = []
    for c, (name, _, _) in enumerate(table):
        f = features[features.condition == name]
        neg = f[f.amplitude_nA < 0]
        _, slope = fi_curve(f)
        firing = f[(f.amplitude_nA > 0) & (f.n_spikes >= 3)]
        row = dict(condition=name, v_rest_mV=float(f.v_base_mV.iloc[0]),
                   R_in_MOhm=float(neg.R_in_MOhm.mean()) if len(neg) else np.nan,
                   rheobase_nA=rheobase(f), fi_slope_Hz_per_nA=slope,
                   adaptation_index=float(firing.adaptation_index.mean())
                   if len(firing) else np.nan)
        for a, rate in zip(f.amplitude_nA, f.rate_Hz):
            if a > 0:
                row[f"rate_Hz_at_{a:g}nA"] = float(rate)
        rows.append(row)
    return pd.DataFrame(rows), features

