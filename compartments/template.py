"""CellTemplate: compartments + couplings -> Brian2 `Equations` -> `NeuronGroup`.

Variable names (the public naming scheme)
-----------------------------------------
For every segment ``s`` (a compartment, or ``<name>_<i>`` of an nseg chain):

- ``v_s`` (volt), the membrane potential, and ``I_ext_s`` (amp), injected current;
- ``area_s`` (metre**2) and ``C_s`` (farad), per-neuron constants from geometry;
- ``I_m_s`` (amp/metre**2), the sum of the membrane currents of its channels
  (inward positive), and ``I_axial_s`` (amp), the current from its neighbours;
- for channel ``ch``: ``<local>_<ch>_<s>``, e.g. ``m_hhna_soma``,
  ``gbar_hhna_soma``, ``I_hhna_soma``, and ``phi_<ch>_<s>`` (temperature factor);
- ``gax_<a>__<b>`` (siemens), the axial conductance between segments a and b
  (``cell.coupling_name(a, b)`` returns it).

Every parameter is a per-neuron ``(constant)`` variable: change it on the group
(``group.gbar_hhna_soma[:10] = ...``) without recompiling.
"""

import hashlib
import json
import numbers

import numpy as np
import pandas as pd
from brian2 import Equations, NeuronGroup, Quantity, cm, defaultclock, kelvin, mV, ms, ohm, \
    second, volt
from brian2.stateupdaters.base import StateUpdateMethod

from . import backends, guard, integration, memory  # noqa: F401  (integration: the methods)
from .compartment import Compartment
from .constants import PHYSICAL_CONSTANTS
from .codegen_cache import prime_substituted_expressions, template_equations
from .extension import combine, read_description
from .groups import extensions_of, missing_variable, modulation_of, register, template_of
from .quantities import quantity_to_data
from .reading import read_template
from .rest import StateSystem
from .topology import Topology
from .validation import check_finite_values, check_name, check_positive, check_quantity, \
    unit_name

__all__ = ["CellTemplate", "template_of", "modulation_of", "extensions_of", "missing_variable",
           "DEFAULT_METHOD", "DEFAULT_DT", "FORMAT_VERSION"]

DEFAULT_METHOD = "crank_nicolson"
DEFAULT_DT = 0.025 * ms  # the documented step (docs/integrators.md); see make_group
BRIAN2_DEFAULT_DT = 0.1 * ms
FORMAT_VERSION = 2  # of to_dict; 1: before expression and class were stored
_CLASSES = {}  # "module.QualName" -> CellTemplate subclass, filled at class definition


def _celsius(celsius, temperature, owner):
    """Degrees Celsius from either keyword, checked (finite, above absolute zero)."""
    if celsius is not None and temperature is not None:
        raise TypeError(f"{owner}: give either 'celsius' (a number of degrees Celsius) or "
                        f"'temperature' (kelvin), not both.")
    if temperature is not None:
        kelvins = check_quantity(temperature, kelvin, "temperature", owner,
                                 "a temperature, e.g. 307.15*kelvin")
        if np.ndim(kelvins) or not np.isfinite(float(kelvins)) or not float(kelvins) > 0:
            raise ValueError(f"The 'temperature' parameter of {owner} must be a single finite "
                             f"temperature above absolute zero (0 kelvin). Got {temperature!r} "
                             f"instead.")
        return float(kelvins / kelvin) - 273.15
    if celsius is None:
        return 6.3
    if isinstance(celsius, (bool, Quantity)) or not isinstance(celsius, numbers.Real):
        raise TypeError(f"The 'celsius' parameter of {owner} must be a number of degrees "
                        f"Celsius (as NEURON's celsius), e.g. 34. Got {celsius!r} instead.")
    if not np.isfinite(celsius) or not celsius > -273.15:
        raise ValueError(f"The 'celsius' parameter of {owner} must be a finite temperature "
                         f"above absolute zero (-273.15). Got {celsius!r} instead.")
    return float(celsius)


def check_method(method, owner, allow_callable=False):
    """A registered integration method name (or, where allowed, a Brian2 state updater)."""
    if isinstance(method, str):
        if method not in StateUpdateMethod.stateupdaters:
            raise ValueError(f"The 'method' parameter of {owner} must be an integration method "
                             f"registered with Brian2, one of "
                             f"{sorted(StateUpdateMethod.stateupdaters)}. Got {method!r} "
                             f"instead.")
        return method
    if allow_callable and callable(method):
        return method
    expected = "a method name or a Brian2 state updater" if allow_callable else "a method name"
    raise TypeError(f"The 'method' parameter of {owner} must be {expected}, e.g. "
                    f"'{DEFAULT_METHOD}'. Got {method!r} instead.")


def check_n(n, owner):
    """A positive number of neurons."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"The 'n' parameter of {owner} must be a positive integer. "
                         f"Got {n!r} instead.")
    return int(n)


def group_step(dt, owner="make_group"):
    """The time step of a new group: ``(step, dt for NeuronGroup)``.

    ``dt=None`` follows ``defaultclock`` unless it still has Brian2's own
    default (0.1 ms), which is too coarse for spiking templates; then the
    group gets its own clock at `DEFAULT_DT`.
    """
    if dt is None:
        if abs(float(defaultclock.dt) - float(BRIAN2_DEFAULT_DT)) < 1e-15:
            return DEFAULT_DT, DEFAULT_DT
        return defaultclock.dt, None
    dt = check_quantity(dt, second, "dt", owner, "a time step, e.g. 0.025*ms")
    if np.ndim(dt) or not np.isfinite(float(dt)) or not float(dt) > 0:
        raise ValueError(f"The 'dt' parameter of {owner} must be a single positive, finite "
                         f"time step, e.g. 0.025*ms. Got {dt!r} instead.")
    return dt, dt


def _readonly(name, doc):
    return property(lambda self: getattr(self, "_" + name), doc=doc)


class CellTemplate:
    """An immutable multi-compartment cell: compartments, channels, couplings.

    A closed description: everything it holds is given to the constructor,
    read-only afterwards, written by `to_dict` and compared by ``==``,
    ``hash`` and `content_hash`. Changed copies come from `replace`,
    `with_channels` and `with_modulation`.

    Parameters
    ----------
    name : str
        Template name (used in group names and provenance).
    compartments : sequence of `Compartment`
        The first is usually the soma; names must be unique.
    connections : sequence of tuple
        ``(parent, child)``, ``(parent, child, at)`` with ``at`` in {0, 0.5, 1}
        (default 1, or 0.5 when the parent is the root), or
        ``(parent, child, g)`` with an explicit conductance (siemens).
    Ra : `Quantity`
        Axial resistivity (ohm*metre), positive, default ``150*ohm*cm``.
    celsius : float, optional
        Temperature as a number of degrees Celsius (NEURON's ``celsius``).
    temperature : `Quantity`, optional
        Temperature in kelvin (e.g. ``307.15*kelvin``), instead of ``celsius``.
        Default (neither given): 6.3 °C, NEURON's default.
    spike_compartment : str, optional
        Where spikes are detected; default the root. For an nseg chain, its
        middle segment.
    spike_threshold : `Quantity`
        Upward crossing that counts as a spike, default ``0*mV``.
    method : str
        Default integration method (see docs/integrators.md), default
        ``'crank_nicolson'``.
    expression : `compartments.neuromodulation.Expression` or table, optional
        Receptor expression per compartment (neuromodulation): an
        `Expression`, a DataFrame or a list of row dicts with columns
        ``receptor, compartment, fraction, level, source``. Groups made with
        ``modulators=...`` carry the receptors' effects.

    Examples
    --------
    >>> from brian2 import um
    >>> from compartments import Compartment, CellTemplate, channels
    >>> soma = Compartment("soma", length=20*um, diameter=20*um,
    ...                    channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    >>> cell = CellTemplate("hh", [soma])
    >>> cell.segment_names
    ('soma',)
    """

    name = _readonly("name", "Template name.")
    compartments = _readonly("compartments", "The `Compartment` objects (tuple).")
    connections = _readonly("connections", "The connections as given (tuple of tuples).")
    Ra = _readonly("Ra", "Axial resistivity (ohm*metre).")
    celsius = _readonly("celsius", "Temperature (degrees Celsius).")
    spike_compartment = _readonly("spike_compartment", "Compartment where spikes are detected.")
    spike_threshold = _readonly("spike_threshold", "Spike threshold (volt).")
    method = _readonly("method", "Default integration method.")
    expression = _readonly("expression", "Receptor expression (an `Expression`) or None.")
    topology = _readonly("topology", "The `Topology` (couplings, solve order).")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _CLASSES[f"{cls.__module__}.{cls.__qualname__}"] = cls

    def __init__(self, name, compartments, connections=(), Ra=150 * ohm * cm, celsius=None,
                 spike_compartment=None, spike_threshold=0 * mV, method=DEFAULT_METHOD,
                 temperature=None, expression=None):
        self._name = check_name(name, "template")
        owner = f"CellTemplate '{name}'"
        if isinstance(compartments, (str, Compartment)) or not np.iterable(compartments):
            raise TypeError(f"The 'compartments' of {owner} must be a sequence of Compartment "
                            f"objects. Got {compartments!r} instead.")
        compartments = tuple(compartments)
        if not compartments:
            raise ValueError(f"{owner} needs at least one compartment.")
        seen = set()
        for comp in compartments:
            if not isinstance(comp, Compartment):
                raise TypeError(f"The 'compartments' of {owner} must be Compartment objects. "
                                f"Got {comp!r} instead.")
            for seg in comp.segment_names:
                if seg in seen:
                    raise ValueError(f"{owner} has two compartments or segments named '{seg}'.")
                seen.add(seg)
        self._compartments = compartments
        if isinstance(connections, (str, tuple)) and connections and \
                not isinstance(connections[0], (tuple, list)):
            raise TypeError(f"The 'connections' of {owner} must be a sequence of tuples such "
                            f"as [('soma', 'apical')]. Got {connections!r} instead.")
        self._connections = tuple(tuple(c) if isinstance(c, list) else c for c in connections)
        self._Ra = check_positive(check_quantity(Ra, ohm * cm, "Ra", owner, "a resistivity"),
                                  "Ra", owner)
        self._celsius = _celsius(celsius, temperature, owner)
        self._topology = Topology(compartments, self._connections, self._Ra)
        spike_compartment = spike_compartment or self.topology.root
        if spike_compartment not in self.topology.compartments:
            raise ValueError(f"The 'spike_compartment' parameter of {owner} must name one of "
                             f"its compartments {list(self.topology.compartments)}. "
                             f"Got {spike_compartment!r} instead.")
        self._spike_compartment = spike_compartment
        self._spike_threshold = check_quantity(spike_threshold, volt, "spike_threshold", owner,
                                               "a voltage")
        if np.ndim(self._spike_threshold) or not np.isfinite(float(self._spike_threshold)):
            raise ValueError(f"The 'spike_threshold' parameter of {owner} must be a single "
                             f"finite voltage. Got {spike_threshold!r} instead.")
        self._method = check_method(method, owner)
        self._expression = None
        if expression is not None:
            self._expression = read_description("expression", expression,
                                                f"expression of template '{name}'")
            unknown = sorted(set(self._expression.compartments())
                             - set(self.topology.compartments))
            if unknown:
                raise ValueError(f"The 'expression' of {owner} names compartments {unknown} "
                                 f"that it does not have (compartments: "
                                 f"{list(self.topology.compartments)}).")
        self._equations = None

    def _init_args(self):
        """The constructor's arguments that rebuild this template (subclasses add theirs)."""
        return dict(name=self.name, compartments=self.compartments,
                    connections=self.connections, Ra=self.Ra, celsius=self.celsius,
                    spike_compartment=self.spike_compartment,
                    spike_threshold=self.spike_threshold, method=self.method,
                    expression=self.expression)

    def replace(self, **changes):
        """A copy with some constructor arguments changed (``cell.replace(celsius=34)``).

        The copy is built by the constructor, so it is checked like a new template.
        """
        args = self._init_args()
        unknown = sorted(set(changes) - set(args) - {"temperature"})
        if unknown:
            raise TypeError(f"{type(self).__name__}.replace got unknown arguments {unknown}; "
                            f"known: {sorted(args)}.")
        if "temperature" in changes:
            args.pop("celsius")
        return type(self)(**{**args, **changes})

    @property
    def modulation(self):
        """Deprecated alias of `expression`."""
        import warnings

        warnings.warn("CellTemplate.modulation is deprecated; use CellTemplate.expression.",
                      DeprecationWarning, stacklevel=2)
        return self.expression

    # -- structure ------------------------------------------------------------------
    @property
    def segments(self):
        """All segments in solve order (parents first)."""
        return self.topology.segments

    @property
    def segment_names(self):
        """Names of all segments (the suffixes of ``v_<name>``), parents first."""
        return tuple(s.name for s in self.segments)

    @property
    def spike_segment(self):
        """Segment whose voltage is compared with the spike threshold."""
        segs = self.topology.compartments[self.spike_compartment].segments
        return segs[len(segs) // 2].name

    def coupling_name(self, a, b):
        """Variable name of the axial conductance between segments ``a`` and ``b``."""
        i, j = sorted((self.topology.index[a], self.topology.index[b]))
        return f"gax_{self.segments[i].name}__{self.segments[j].name}"

    def axial_conductance(self, a, b):
        """Axial conductance (siemens) between the centres of segments ``a`` and ``b``.

        Zero when they are not coupled; siblings meeting at a junction are
        coupled (star–mesh transform, see `compartments.topology`).
        """
        return self.topology.conductance(a, b)

    def path_distances(self):
        """Path distance of every segment's centre from the root's centre (segment -> metre).

        ``nan`` for compartments joined by an explicit conductance (no geometry).
        """
        return self.topology.path_distances()

    def with_channels(self, additions):
        """A copy of the template with more mechanisms in some compartments.

        Parameters
        ----------
        additions : dict
            Compartment name -> sequence of `Channel` (e.g. receptors:
            ``{"apical": [AMPA(), NMDA()], "soma": [GABAA()]}``).

        Returns
        -------
        template : `CellTemplate`
            Same class, name and settings; the original is unchanged.
        """
        if not isinstance(additions, dict):
            raise TypeError(f"The 'additions' of {self.name}.with_channels must be a dict from "
                            f"compartment name to channels. Got {additions!r} instead.")
        unknown = sorted(set(additions) - set(self.topology.compartments))
        if unknown:
            raise ValueError(f"The 'additions' of {self.name}.with_channels name unknown "
                             f"compartments {unknown}; known: {list(self.topology.compartments)}.")
        return self.replace(compartments=tuple(
            c.with_channels(additions[c.name]) if c.name in additions else c
            for c in self.compartments))

    def with_modulation(self, expression):
        """A copy of the template with a receptor expression table (neuromodulation).

        Parameters
        ----------
        expression : `compartments.neuromodulation.Expression` or DataFrame
            Per receptor and compartment: fraction of cells expressing, level
            when expressed, source. Groups made with ``modulators=...`` then
            carry the receptors' effects (see docs/neuromodulation.md).
        """
        return self.replace(expression=expression)

    def modulation_plan(self, modulators, effects=None, pool=None, pool_index=0, seed=None,
                        receptors=()):
        """The `ModulationPlan` (receptors, effects, equations) for ``modulators``;
        ``receptors``: modelled even without an effect on a channel (see make_group)."""
        if self.expression is None:
            raise ValueError(f"Template '{self.name}' has no receptor expression, so it cannot "
                             f"respond to modulators={modulators!r}: give it one with "
                             f"cell.with_modulation(table) (celltypes types have theirs).")
        return self.expression.plan(self, modulators, effects, pool=pool,
                                    pool_index=pool_index, seed=seed, keep=receptors)

    # -- equations ------------------------------------------------------------------
    @property
    def equations(self):
        """The template's Brian2 `Equations` (built once, then cached)."""
        if self._equations is None:
            self._equations = template_equations(self, lambda: self._build_equations(combine(())))
        return self._equations

    def mechanism_variable(self, mechanism, local, segment):
        """Variable name of a mechanism's local name in a segment (``gbar`` -> ``gbar_hhna_soma``)."""
        if local in mechanism.shares:
            return f"{local}_{segment}"
        return f"{local}_{mechanism.name}_{segment}"

    def _mechanism_equations(self, mech, seg, extension):
        subs = extension.substitutions(seg, mech.name)
        unknown = sorted(set(subs) - set(mech.parameters))
        if unknown:
            raise ValueError(f"An extension substitutes {unknown} in mechanism '{mech.name}' of "
                             f"segment '{seg}', which are not its parameters "
                             f"{sorted(mech.parameters)}.")
        local = mech.equations(subs)
        mapping = {name: self.mechanism_variable(mech, name, seg) for name in local.names}
        for p in subs:
            mapping[f"mod_{p}"] = self.mechanism_variable(mech, f"mod_{p}", seg)
        for name in mech.requires:
            mapping[name] = "temperature" if name == "T" else f"{name}_{seg}"
        return local.substitute(**mapping)

    @property
    def uses_temperature(self):
        """Whether any mechanism reads the temperature ``T`` (variable ``temperature``)."""
        return any("T" in m.requires for c in self.compartments for m in c.mechanisms)

    def _build_equations(self, extension):
        eqs = Equations("")
        index = self.topology.index
        neighbours = {s.name: [] for s in self.segments}
        for i, j in self.topology.pairs:
            a, b = self.segments[i].name, self.segments[j].name
            neighbours[a].append(b)
            neighbours[b].append(a)
        for seg in self.segments:
            s = seg.name
            comp = seg.compartment
            currents, by_ion = [], {}
            for ch in comp.channels:
                eqs += self._mechanism_equations(ch, s, extension)
                name = self.mechanism_variable(ch, ch.current, s)
                currents.append(name)
                by_ion.setdefault(ch.ion, []).append(name)
                for ion, part in ch.partial_currents.items():
                    by_ion.setdefault(ion, []).append(self.mechanism_variable(ch, part, s))
            for pool in comp.pools:
                eqs += self._mechanism_equations(pool, s, extension)
                ion_sum = " + ".join(by_ion.get(pool.ion, [])) or "0*amp/meter**2"
                eqs += Equations(f"I_{pool.ion}_{s} = {ion_sum} : amp/meter**2")
            currents += extension.currents(s)
            membrane = " + ".join(currents) if currents else "0*amp/meter**2"
            axial = " + ".join(f"{self.coupling_name(s, t)}*(v_{t} - v_{s})"
                               for t in sorted(neighbours[s], key=index.get)) or "0*amp"
            eqs += Equations(
                f"""
                dv_{s}/dt = (area_{s}*I_m_{s} + I_axial_{s} + I_ext_{s})/C_{s} : volt
                I_m_{s} = {membrane} : amp/meter**2
                I_axial_{s} = {axial} : amp
                I_ext_{s} : amp
                area_{s} : meter**2 (constant)
                C_{s} : farad (constant)
                """)
        for i, j in self.topology.pairs:
            eqs += Equations(f"{self.coupling_name(self.segments[i].name, self.segments[j].name)}"
                             f" : siemens (constant)")
        if self.uses_temperature:
            eqs += Equations("temperature : kelvin (constant)")
        eqs += Equations("v_threshold : volt (constant)")
        return eqs + extension.equations()

    # -- parameters -----------------------------------------------------------------
    def _parameter_rows(self, couplings=True):
        """(compartment, segment, parameter, variable, value, source) of every parameter;
        without the axial conductances if ``couplings`` is false (they need the
        star–mesh matrix, quadratic in the number of segments)."""
        for seg in self.segments:
            comp = seg.compartment
            sf = comp.spine_factor
            spines = f" x spine_factor {sf:g}" if sf != 1 else ""
            geo = {"cylinder": "geometry: pi*diameter*length", "area": "given area",
                   "points": "geometry: frusta between 3-D points (NEURON)"}[comp.geometry]
            yield (comp.name, seg.name, "area", f"area_{seg.name}", seg.area, geo)
            yield (comp.name, seg.name, "C", f"C_{seg.name}", comp.cm * seg.area * sf,
                   f"geometry: cm*area{spines}")
            for mech in comp.mechanisms:
                scaled = getattr(mech, "spine_scaled", ())
                for p in mech.parameters.values():
                    factor, note = (sf, spines) if p.name in scaled else (1.0, "")
                    value, source = comp.parameter_value(mech, p, seg.index)
                    yield (comp.name, seg.name, f"{p.name}_{mech.name}",
                           self.mechanism_variable(mech, p.name, seg.name), value * factor,
                           source + note)
                for name, value in mech.extra_constants(self.celsius).items():
                    yield (comp.name, seg.name, f"{name}_{mech.name}",
                           self.mechanism_variable(mech, name, seg.name), Quantity(value),
                           f"temperature factor at celsius={self.celsius} "
                           f"(T_ref={mech.reference_temperature})")
        if couplings:
            G = self.topology.conductance_matrix()
            for i, j in self.topology.pairs:
                a, b = self.segments[i], self.segments[j]
                yield (a.compartment.name, a.name, f"gax_{b.name}",
                       self.coupling_name(a.name, b.name), G[i, j],
                       "geometry: half-segment resistances, star-mesh at junctions")
        if self.uses_temperature:
            yield ("template", "", "temperature", "temperature",
                   (self.celsius + 273.15) * kelvin, "template celsius + 273.15")
        yield (self.spike_compartment, self.spike_segment, "v_threshold", "v_threshold",
               self.spike_threshold, "spike detection threshold")

    @property
    def parameters(self):
        """Every per-neuron parameter: a DataFrame with compartment, segment, parameter,
        variable, value (SI), unit and source."""
        rows = [dict(compartment=c, segment=s, parameter=p, variable=var,
                     value=float(np.asarray(q)), unit=unit_name(q), source=src)
                for c, s, p, var, q, src in self._parameter_rows()]
        return pd.DataFrame(rows)

    def initial_values(self, n):
        """Per-neuron parameter arrays (SI floats) for ``n`` neurons, by variable name."""
        return {var: np.full(n, float(np.asarray(q)))
                for _, _, _, var, q, _ in self._parameter_rows()}

    def initial_guess(self):
        """Starting values of non-voltage states for the rest solve (variable -> SI float)."""
        return {self.mechanism_variable(m, local, seg.name): float(np.asarray(q))
                for seg in self.segments for m in seg.compartment.mechanisms
                for local, q in m.initial_guess().items()}

    # -- groups ---------------------------------------------------------------------
    def make_group(self, n, method=None, dt=None, init=None, name=None, check_step=True,
                   modulators=None, pool=None, pool_index=0, seed=None, effects=None,
                   solver=None, extensions=(), receptors=()):
        """Create a plain `NeuronGroup` of ``n`` cells, at rest.

        Parameters
        ----------
        n : int
            Number of neurons.
        method : str or callable, optional
            Integration method; default the template's (``'crank_nicolson'``).
            Brian2's explicit methods (``'rk4'``, ``'exponential_euler'``, ...)
            are accepted; their step size is checked against the coupling
            stiffness first.
        dt : `Quantity`, optional
            Time step of the group. Default: ``defaultclock.dt`` if you have
            set it, else `DEFAULT_DT` (0.025 ms, on the group's own clock) rather
            than Brian2's own default of 0.1 ms, which is too coarse for
            spiking templates (docs/engine.md, "Time step").
        init : `Quantity`, optional
            If given, start every compartment at this voltage with every gate
            at its steady state for it (NEURON's ``finitialize(init)``), instead
            of the resting state.
        name : str, optional
            Group name (default ``<template>*``, made unique by Brian2).
        check_step : bool
            Check the step size (default True): refuse an explicit method's dt
            that is unstable for the coupling stiffness, and warn
            (`compartments.guard.StepTooLargeWarning`) when dt exceeds what the
            fastest gating kinetics allow (also at a run whose dt changed).
        modulators : sequence of str, optional
            Neuromodulators the group responds to (``"DA", "ACh", "5HT", "NE"``),
            through the receptors of the template's `expression`. Without it
            the group has no modulation terms.
        pool : `NeuronGroup`, optional
            A `compartments.neuromodulation.modulator_pool` with those
            modulators (required with ``modulators``); read through linked
            variables ``c_<M>``.
        pool_index : int or array
            Which pool neuron (region) each neuron reads (default 0).
        seed : int, optional
            Seed of the per-neuron receptor expression draw.
        effects : sequence of `Effect`, optional
            Instead of the default effect table.
        solver : {'unrolled', 'tree'}, optional
            ``'unrolled'``: one row per neuron, the voltage solve unrolled for the
            morphology (fastest per step for reduced cells). ``'tree'``: one row
            per segment, a Hines solve over parent indices whose code does not
            depend on the morphology (`compartments.tree`, a `TreeGroup`). Default:
            `compartments.tree.choose_solver` (the tree solver above
            `compartments.tree.TREE_THRESHOLD` unrolled states).
        extensions : sequence of `compartments.extension.Extension`
            Layers that add to the group (``modulators=...`` adds the
            template's `ModulationPlan` to them).
        receptors : sequence of str, optional
            Receptors to model where the type expresses them even if they act
            on none of its channels (their occupancy and effector state
            ``e_<R>`` then exist for plasticity rules to read; see
            docs/plasticity.md). Needs ``modulators``.

        Returns
        -------
        group : `NeuronGroup`
            Spikes are upward crossings of ``v_threshold`` at the spike
            compartment, with refractoriness while above it (one event per AP).
        """
        owner = "make_group"
        n = check_n(n, owner)
        method = self.method if method is None else check_method(method, owner, True)
        step, group_dt = group_step(dt, owner)
        if init is not None:
            init = check_quantity(init, volt, "init", owner, "a voltage")
        extensions = list(extensions)
        if modulators is not None:
            extensions.append(self.modulation_plan(modulators, effects, pool=pool,
                                                   pool_index=pool_index, seed=seed,
                                                   receptors=receptors))
        elif receptors:
            raise TypeError(f"The 'receptors' of {owner} ({tuple(receptors)}) need "
                            f"'modulators' (and a 'pool') to bind.")
        elif pool is not None or effects is not None:
            raise TypeError(f"{owner} got 'pool' or 'effects' without 'modulators': name the "
                            f"modulators the group responds to, e.g. modulators=('DA',).")
        extension = combine(extensions)
        backends.ensure_explicit_target()
        if check_step:
            guard.check_step(self, step, method)
            guard.check_kinetics_step(self, step)
        from .tree import choose_solver, make_tree_group, warn_if_large_unrolled

        if solver is None:
            solver = choose_solver(self)
        elif solver == "unrolled":
            warn_if_large_unrolled(self)
        elif solver != "tree":
            raise ValueError(f"The 'solver' parameter of {owner} must be 'unrolled' or "
                             f"'tree'. Got {solver!r} instead.")
        if solver == "tree":
            if extensions:
                raise NotImplementedError(
                    f"Neuromodulation and other group extensions are not available with the "
                    f"tree solver yet; template '{self.name}' has {len(self.segments)} "
                    f"segments: use solver='unrolled' (slower to compile) or no modulators.")
            group = make_tree_group(self, n, method, group_dt, init, name,
                                    kinetics=(self, step) if check_step else None)
            register(group, self, ())
            return group
        eqs = self._build_equations(extension) if extensions else self.equations
        memory.check_group_fits(self, n, eqs)
        spike = f"v_{self.spike_segment} > v_threshold"
        group = NeuronGroup(n, eqs + guard.GUARD_EQUATIONS, threshold=spike, refractory=spike,
                            method=method, dt=group_dt, namespace=dict(PHYSICAL_CONSTANTS),
                            name=name or f"{self.name}*", codeobj_class=backends.codeobj_class())
        values = self.initial_values(n)
        values.update(extension.values(n))
        memory.set_values(group, values)
        values.update(extension.attach(group))
        check_finite_values(values, f"the group of template '{self.name}'")
        system = StateSystem(group.user_equations, values, guess=self.initial_guess())
        if init is None:
            state = system.rest()
        else:
            state = system.steady_gates(np.full((n, len(system.voltages)), float(init)))
        memory.set_values(group, system.unpack(state))
        guard.attach(group, {seg.name: seg.compartment.name for seg in self.segments},
                     kinetics=(self, step) if check_step else None)
        register(group, self, extension.parts)
        prime_substituted_expressions(group)
        return group

    # -- serialisation --------------------------------------------------------------
    def to_dict(self):
        """A plain-data description (JSON/YAML-ready) that `from_dict` restores exactly.

        It holds everything the template holds, its class included
        (``"class": "celltypes.celltype.CellType"`` for a catalogue type).
        """
        connections = []
        for conn in self.connections:
            entry = {"parent": conn[0], "child": conn[1]}
            if len(conn) == 3:
                third = conn[2]
                if isinstance(third, Quantity) and not third.is_dimensionless:
                    entry["g"] = quantity_to_data(third)
                else:
                    entry["at"] = float(third)
            connections.append(entry)
        cls = type(self)
        return {
            "format": FORMAT_VERSION,
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "name": self.name,
            "compartments": [c.to_dict() for c in self.compartments],
            "connections": connections,
            "Ra": quantity_to_data(self.Ra),
            "celsius": self.celsius,
            "spike_compartment": self.spike_compartment,
            "spike_threshold": quantity_to_data(self.spike_threshold),
            "method": self.method,
            "expression": None if self.expression is None else self.expression.to_data(),
        }

    @classmethod
    def from_dict(cls, data):
        """Rebuild a template from `to_dict` output (of this or an earlier format).

        The class written in ``data`` is restored (a `celltypes.CellType` stays one).
        Malformed data is an error naming the entry.
        """
        return read_template(data, _CLASSES, base=CellTemplate)

    @classmethod
    def _args_from_data(cls, data, reader):
        """Constructor arguments from `to_dict` data (subclasses add theirs)."""
        return reader.template_args(data)

    @property
    def content_hash(self):
        """SHA-256 of the canonical JSON of `to_dict` (first 16 hex digits)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __eq__(self, other):
        return isinstance(other, CellTemplate) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(self.content_hash)

    def __repr__(self):
        return (f"{type(self).__name__}({self.name!r}, compartments="
                f"{[c.name for c in self.compartments]}, celsius={self.celsius})")

