"""From a template, its receptor expression and the requested modulators to equations.

`ModulationPlan` decides which receptors act (expressed somewhere, ligand
requested, and — if metabotropic — with at least one effect on a channel the
expressing compartments carry) and writes, in the template's naming scheme:

- ``c_<M>`` (molar, linked to a pool) for each modulator used;
- per receptor ``k`` (``D1``, ``HT1A``, ...): ``ec50_k``, ``hill_k``,
  ``tau_on_k``, ``tau_off_k`` (per-neuron constants),
  ``occ_k = (c/ec50)^n / (1 + (c/ec50)^n)`` and its time constant
  ``tau_e_k`` as ``(constant over dt)`` subexpressions (computed once per step,
  not inside every current), and the effector state ``e_k``
  (``de_k/dt = (occ_k - e_k)/tau_e_k``; τ_on while rising, τ_off while
  falling, switched by a steep tanh so the resting-state solver can
  differentiate it);
- ``x_k_<compartment>``: the neuron's expression (Bernoulli(fraction) x level);
- ``s_k__<channel>_<parameter>``: effect strengths (per-neuron constants);
- ``mod_<parameter>_<channel>_<segment>`` (constant over dt): the factor the
  channel's parameter is multiplied by (or, for ``open``, the closed
  fraction), substituted into the channel's own equations;
- ``mod_available_gabab_<segment>``: where the modulators open GIRK in a
  segment that also has the GABA_B receptor, the closed fraction of GIRK, by
  which GABA_B's conductance is scaled (one shared, saturating channel pool);
- ionotropic receptors: states ``a_k`` (activation) and ``d_k``
  (desensitisation) and a current ``I_k_<segment>`` in every segment of an
  expressing compartment, added to its membrane current.

Without modulators none of this exists: the template's equations are unchanged.
The plan is an `Extension` (compartments/extension.py): ``make_group`` asks it
for substitutions, currents, equations and values, and `attach` links the
group to the modulator pool.
"""

import warnings
from collections import defaultdict

import numpy as np
import pandas as pd
from brian2 import Equations

from ..extension import Extension
from .effects import DEFAULT_EFFECTS, check_effect
from .pools import MODULATORS, check_modulators, link_pool
from .receptors import RECEPTORS, occupancy

__all__ = ["ModulationPlan", "TANH_GAIN"]

TANH_GAIN = 1e6  # steepness of the tau_on/tau_off switch (per unit of occupancy)


def _si(q):
    return float(np.asarray(q))


class ModulationPlan(Extension):
    """Receptors, effects and equations of a modulated template group (an `Extension`).

    Parameters
    ----------
    template : `CellTemplate`
    expression : `Expression`
    modulators : sequence of str
    effects : sequence of `Effect`, optional
        Default `DEFAULT_EFFECTS` (effects on absent channels are skipped);
        given explicitly, an effect on a channel no compartment carries is an
        error.
    pool : `NeuronGroup`, optional
        The `modulator_pool` the group reads (needed to `attach`).
    pool_index : int or array
        Which pool neuron (region) each neuron reads.
    seed : int, optional
        Seed of the per-neuron expression draw (`values`).
    keep : sequence of str, optional
        Receptors modelled (occupancy, effector state, expression) wherever
        the type expresses them, even without an effect on its channels: the
        ones a plasticity rule reads (`compartments.stdp_signals.Effector`).
    """

    layer = "modulation"

    def __init__(self, template, expression, modulators, effects=None, pool=None, pool_index=0,
                 seed=None, keep=()):
        owner = f"make_group of template '{template.name}'"
        self.template = template
        self.modulators = check_modulators(modulators, owner)
        self.pool, self.pool_index, self.seed = pool, pool_index, seed
        keep = (keep,) if isinstance(keep, str) else tuple(keep)
        for name in keep:
            if name not in RECEPTORS:
                raise ValueError(f"Unknown receptor {name!r} in the 'receptors' of {owner}; "
                                 f"known receptors: {list(RECEPTORS)}.")
            if RECEPTORS[name].ligand not in self.modulators:
                raise ValueError(f"The 'receptors' of {owner} name {name!r}, which binds "
                                 f"{RECEPTORS[name].ligand}; add {RECEPTORS[name].ligand!r} to "
                                 f"'modulators' (got {list(self.modulators)}).")
        self.kept = keep
        explicit = effects is not None
        self.effects = tuple(check_effect(e) for e in (effects if explicit else DEFAULT_EFFECTS))
        comps = template.topology.compartments
        unknown = sorted(set(expression.table.compartment) - set(comps))
        if unknown:
            raise ValueError(f"{expression.where}: compartments {unknown} are not in template "
                             f"'{template.name}' (compartments: {list(comps)}).")
        self.expression = expression
        if explicit:
            carried = {ch.name for c in template.compartments for ch in c.channels}
            for e in self.effects:
                if e.channel not in carried:
                    raise ValueError(f"The effect of {e.receptor} on channel '{e.channel}' "
                                     f"cannot apply: no compartment of template "
                                     f"'{template.name}' carries it (channels: "
                                     f"{sorted(carried)}).")
        self._applied, self._skipped = [], []
        self._targets = defaultdict(list)  # (segment, channel, parameter) -> [(effect, comp)]
        self.receptors = []
        for name in expression.receptors():
            rec = RECEPTORS[name]
            if rec.ligand not in self.modulators:
                continue
            acts = rec.ionotropic or name in keep
            for comp, fraction, level in expression.rows(name):
                if fraction == 0 or level == 0:
                    continue
                for e in (e for e in self.effects if e.receptor == name):
                    compartment = comps[comp]
                    mech = next((ch for ch in compartment.channels if ch.name == e.channel), None)
                    if mech is None or e.parameter not in mech.parameters:
                        self._skipped.append((name, comp, e.channel, e.parameter, e.kind, e.s,
                                              "channel not in compartment" if mech is None
                                              else "no such parameter"))
                        continue
                    acts = True
                    self._applied.append((name, comp, e.channel, e.parameter, e.kind, e.s, ""))
                    for seg in compartment.segments:
                        self._targets[seg.name, e.channel, e.parameter].append((e, comp))
            if acts:
                self.receptors.append(rec)
        self._check_acting(expression, comps, owner)
        # GABA_B in a segment whose GIRK the modulators open: one shared pool (occlusion)
        self._shared_girk = sorted(
            seg.name for c in template.compartments if "gabab" in {ch.name for ch in c.channels}
            for seg in c.segments if (seg.name, "girk", "activation") in self._targets)
        for (seg, ch, p), items in self._targets.items():
            kinds = {e.kind for e, _ in items}
            if "open" in kinds and len(kinds) > 1:
                raise ValueError(f"Effects on {ch}.{p} mix 'open' with scaling kinds {kinds}; "
                                 f"a parameter is either a fraction opened or a density "
                                 f"scaled.")

    def _check_acting(self, expression, comps, owner):
        """Refuse modulators none of which acts; warn about each requested one that does not."""
        def acts(name):
            rows = [comp for comp, fraction, level in expression.rows(name) if fraction * level]
            return rows and (RECEPTORS[name].ionotropic or name in self.kept or any(
                e.receptor == name and any(ch.name == e.channel and e.parameter in ch.parameters
                                           for comp in rows for ch in comps[comp].channels)
                for e in self.effects))

        acting = {name: bool(acts(name)) for name in expression.receptors()}
        reasons = {}
        for m in self.modulators:
            mine = [name for name in acting if RECEPTORS[name].ligand == m]
            if not any(acting[name] for name in mine):
                reasons[m] = (f"{m}: its receptors {mine} have no effect on the channels of "
                              f"this template" if mine else f"{m}: no receptor of it is "
                              f"expressed (expressed: {list(acting) or 'none'})")
        if not reasons:
            return
        useful = sorted({RECEPTORS[name].ligand for name, a in acting.items() if a})
        idle = tuple(name for name, a in acting.items()
                     if not a and RECEPTORS[name].ligand in reasons)
        text = (f"{'; '.join(reasons.values())}. Modulators that act on it: {useful}. Remove "
                f"them from 'modulators', or give the template an expression table "
                f"(with_modulation) with receptors of theirs that act"
                + (f", or, for a plasticity rule that reads them, keep them with "
                   f"receptors={idle!r}." if idle else "."))
        if len(reasons) == len(self.modulators):
            raise ValueError(f"None of the 'modulators' {self.modulators} of {owner} acts on "
                             f"it — {text}")
        warnings.warn(f"Some 'modulators' of {owner} act on nothing — {text}", UserWarning,
                      stacklevel=6)

    # -- what the template needs ------------------------------------------------------
    @property
    def used_modulators(self):
        return [m for m in self.modulators if any(r.ligand == m for r in self.receptors)]

    def substitutions(self, segment, channel):
        """Local parameter -> expression (local names) for a channel in a segment."""
        out = {}
        if channel == "gabab" and segment in self._shared_girk:
            out["available"] = "(available*mod_available)"
        for (seg, ch, p), items in self._targets.items():
            if seg == segment and ch == channel:
                out[p] = (f"(1 - (1 - {p})*mod_{p})" if items[0][0].kind == "open"
                          else f"({p}*mod_{p})")
        return out

    def currents(self, segment):
        """Extra membrane current densities (variable names) of a segment."""
        comp = self.template.segments[self.template.topology.index[segment]].compartment.name
        return [f"I_{r.key}_{segment}" for r in self.receptors if r.ionotropic
                for c, f, lev in self.expression.rows(r.name) if c == comp and f > 0 and lev > 0]

    def equations(self):
        """Template-level equations of the modulation (receptors, effectors, factors)."""
        lines = []
        for m in self.used_modulators:
            lines.append(f"c_{MODULATORS[m]} : mmolar (linked)")
        for r in self.receptors:
            k, c = r.key, f"c_{MODULATORS[r.ligand]}"
            lines += [f"ec50_{k} : mmolar (constant)", f"hill_{k} : 1 (constant)",
                      f"tau_on_{k} : second (constant)", f"tau_off_{k} : second (constant)",
                      f"occ_{k} = {occupancy(c, f'ec50_{k}', f'hill_{k}')} : 1 (constant over dt)"]
            if r.ionotropic:
                lines += [
                    f"gmax_{k} : siemens/meter**2 (constant)", f"E_{k} : volt (constant)",
                    f"tau_des_{k} : second (constant)", f"tau_rec_{k} : second (constant)",
                    f"da_{k}/dt = (occ_{k} - a_{k})/tau_a_{k} : 1",
                    f"dd_{k}/dt = (occ_{k} - d_{k})/tau_d_{k} : 1",
                    f"tau_a_{k} = {self._switch(f'occ_{k}', f'a_{k}', f'tau_on_{k}', f'tau_off_{k}')}"
                    f" : second (constant over dt)",
                    f"tau_d_{k} = {self._switch(f'occ_{k}', f'd_{k}', f'tau_des_{k}', f'tau_rec_{k}')}"
                    f" : second (constant over dt)"]
                for comp, fraction, level in self.expression.rows(r.name):
                    if fraction == 0 or level == 0:
                        continue
                    for seg in self.template.topology.compartments[comp].segments:
                        lines.append(f"I_{k}_{seg.name} = gmax_{k}*x_{k}_{comp}*a_{k}*(1 - d_{k})"
                                     f"*(E_{k} - v_{seg.name}) : amp/meter**2")
            else:
                lines += [f"de_{k}/dt = (occ_{k} - e_{k})/tau_e_{k} : 1",
                          f"tau_e_{k} = {self._switch(f'occ_{k}', f'e_{k}', f'tau_on_{k}', f'tau_off_{k}')}"
                          f" : second (constant over dt)"]
            for comp, fraction, level in self.expression.rows(r.name):
                lines.append(f"x_{k}_{comp} : 1 (constant)")
        for e in {e for items in self._targets.values() for e, _ in items}:
            lines.append(f"{self._strength(e)} : 1 (constant)")
        for (seg, ch, p), items in self._targets.items():
            lines.append(f"{self._factor_name(seg, ch, p)} = {self._factor(items)} "
                         f": 1 (constant over dt)")
        for seg in self._shared_girk:  # GABA_B gets the GIRK channels left closed
            lines.append(f"{self._factor_name(seg, 'gabab', 'available')} = "
                         f"{self._factor_name(seg, 'girk', 'activation')} : 1 (constant over dt)")
        return Equations("\n".join(dict.fromkeys(lines)))

    def values(self, n, seed=None):
        """Per-neuron values (SI floats) of the plan's constants for ``n`` neurons.

        The expression is drawn with ``seed`` (default: the plan's).
        """
        seed = self.seed if seed is None else seed
        out = {}
        for r in self.receptors:
            k = r.key
            out.update({f"ec50_{k}": _si(r.ec50), f"hill_{k}": r.hill,
                        f"tau_on_{k}": _si(r.tau_on), f"tau_off_{k}": _si(r.tau_off)})
            if r.ionotropic:
                out.update({f"gmax_{k}": _si(r.gmax), f"E_{k}": _si(r.E),
                            f"tau_des_{k}": _si(r.tau_des), f"tau_rec_{k}": _si(r.tau_rec)})
        for e in {e for items in self._targets.values() for e, _ in items}:
            out[self._strength(e)] = e.s
        out = {k: np.full(n, float(v)) for k, v in out.items()}
        keys = {r.name: r.key for r in self.receptors}
        for (name, comp), arr in self.expression.sample(n, seed).items():
            if name in keys:
                out[f"x_{keys[name]}_{comp}"] = np.asarray(arr, dtype=float)
        return out

    def attach(self, group):
        """Link the group's ``c_<M>`` to the pool; the concentrations each neuron sees now."""
        return link_pool(group, self.used_modulators, self.pool, self.pool_index)

    def report(self):
        """Effects applied and skipped (channel absent): a DataFrame."""
        rows = [dict(receptor=r, compartment=c, channel=ch, parameter=p, kind=k, s=s,
                     applied=not why, reason=why)
                for r, c, ch, p, k, s, why in self._applied + self._skipped]
        return pd.DataFrame(rows, columns=["receptor", "compartment", "channel", "parameter",
                                           "kind", "s", "applied", "reason"])

    # -- pieces -------------------------------------------------------------------------
    @staticmethod
    def _switch(target, state, tau_up, tau_down):
        return (f"0.5*({tau_up} + {tau_down}) + 0.5*({tau_down} - {tau_up})"
                f"*tanh({TANH_GAIN:g}*({state} - {target}))")

    @staticmethod
    def _strength(effect):
        return f"s_{RECEPTORS[effect.receptor].key}__{effect.channel}_{effect.parameter}"

    def _factor_name(self, seg, channel, parameter):
        return f"mod_{parameter}_{channel}_{seg}"

    def _factor(self, items):
        def activation(e, comp):
            k = RECEPTORS[e.receptor].key
            return f"x_{k}_{comp}*e_{k}"

        kinds = {e.kind for e, _ in items}
        if kinds == {"open"}:
            return "*".join(f"(1 - {self._strength(e)}*{activation(e, c)})" for e, c in items)
        factor = []
        dec = [(e, c) for e, c in items if e.kind == "decrease"]
        inc = [(e, c) for e, c in items if e.kind == "increase"]
        factor += [f"(1 - {self._strength(e)}*{activation(e, c)})" for e, c in dec]
        if len(inc) == 1:
            e, c = inc[0]
            factor.append(f"(1 + {self._strength(e)}*{activation(e, c)})")
        elif inc and max(e.s for e, _ in inc) > 0:
            # saturating union, normalised by the largest tabled strength (a number)
            smax = max(e.s for e, _ in inc)
            prod = "*".join(f"(1 - {self._strength(e)}*{activation(e, c)}/{smax!r})"
                            for e, c in inc)
            factor.append(f"(1 + {smax!r}*(1 - {prod}))")
        return "*".join(factor)
