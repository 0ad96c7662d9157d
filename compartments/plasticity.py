"""Spike-timing-dependent plasticity, eligibility traces and third factors.

A rule is a small object with the pieces a Brian2 `Synapses` needs — ``model``,
``on_pre``, ``on_post``, ``namespace``, ``method`` and ``configure(synapses)``
(sets the per-synapse parameters after connecting) — so it plugs into
`compartments.synapses.connect(..., plasticity=rule)` or, at rule level
between any two spiking groups, into `plastic_synapses`.

The weight ``w`` is dimensionless: it scales the synapse's peak conductance.
Every rule parameter is a per-synapse ``(constant)`` variable (set
``S.A_plus[:10] = ...`` without recompiling).

Timing convention
-----------------
Pairs are timed at the synapse: ``on_pre`` runs when the pre-synaptic spike
*arrives* (spike time + ``delay``, axonal delay), ``on_post`` at the
post-synaptic spike, so Δt = t_post − (t_pre + delay). NEST's
``stdp_*_synapse`` models count the delay as dendritic instead
(Δt = t_post + delay − t_pre); the two agree for delays below one step.

Event-driven or clock-driven
----------------------------
- The pre/post STDP traces are **event-driven**: linear decays whose value is
  only needed at spikes, computed exactly then (`exp(-(t - lastupdate)/tau)`).
- Eligibility traces are event-driven when they are converted at events
  (``conversion="event"``): a conversion reads their exactly decayed value.
- With ``conversion="continuous"`` the weight obeys
  ``dw/dt = (c_ltp - c_ltd) (M - b) / tau_conversion``, where the third factor
  ``M(t)`` changes between the synapse's own spikes; the traces and ``w``
  are then **clock-driven** (integrated every step), because an event-driven
  update would take ``M`` at the event only (Brian2 integrates
  event-driven equations analytically with coefficients frozen at the event).

Rules
-----
- `STDP`: pair-based additive or multiplicative (soft-bounded, Gütig et al.
  2003 with mu = 1) STDP with all-to-all or nearest-spike pairing (Morrison,
  Diesmann & Gerstner 2008).
- `EligibilitySTDP`: the same coincidences written into an LTP trace (at post
  spikes) and an LTD trace (at pre spikes), kept apart as in He et al. (2015),
  converted into weight changes by a third factor: continuously with a
  baseline (Izhikevich 2007; NEST ``stdp_dopamine_synapse``) or by consuming
  the traces at conversion events (`conversion_events`).

Third factor
------------
`third_factor` makes a group holding ``M`` (dimensionless): a constant you
set between runs, a `TimedArray`, or a trace that jumps at spikes of any group
(`drive_third_factor`) and relaxes to a tonic level. Plastic synapses read it
through a linked variable (``S.M``), one factor per synapse by the index
``factor_index`` (default 0). Mapping to NEST's dopamine synapse: NEST's
``n`` is ``M / tau_n`` when ``M`` jumps by 1 per dopamine spike and decays
with ``tau_n``; with ``tau_conversion = tau_n`` and ``b = b_NEST tau_n`` the
weight equations coincide.
"""

import weakref

import numpy as np
from brian2 import NeuronGroup, Quantity, Synapses, TimedArray, linked_var, second

from .neuromodulation.pools import drivers, register_driver
from .validation import check_positive, check_quantity

__all__ = ["STDP", "EligibilitySTDP", "plastic_synapses", "third_factor", "drive_third_factor",
           "conversion_events", "rule_of", "PAIRINGS", "BOUNDS", "CONVERSIONS"]

PAIRINGS = ("all-to-all", "nearest")
BOUNDS = ("additive", "multiplicative")
CONVERSIONS = ("continuous", "event")
_RULES = weakref.WeakKeyDictionary()


def register_rule(synapses, rule):
    """Remember which rule made ``synapses`` (for `rule_of`, `conversion_events`)."""
    _RULES[synapses] = rule


def rule_of(synapses):
    """The plasticity rule of ``synapses`` made by `connect` or `plastic_synapses` (or None)."""
    return _RULES.get(synapses)


def _check_choice(value, choices, param, owner):
    if value not in choices:
        raise ValueError(f"The '{param}' parameter of {owner} must be one of {list(choices)}. "
                         f"Got {value!r} instead.")
    return value


def _check_number(value, param, owner, low=None):
    if isinstance(value, Quantity) and not value.is_dimensionless:
        raise TypeError(f"The '{param}' parameter of {owner} must be a dimensionless number. "
                        f"Got {value!r} instead.")
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or (low is not None and np.any(arr < low)):
        bound = f" >= {low}" if low is not None else ""
        raise ValueError(f"The '{param}' parameter of {owner} must be a finite number{bound}. "
                         f"Got {value!r} instead.")
    return value


def _check_time(value, param, owner):
    return check_positive(check_quantity(value, second, param, owner, "a time constant, e.g. "
                                         "20*ms"), param, owner)


class STDP:
    """Pair-based STDP with exponential windows.

    Δw = A_plus exp(-Δt/tau_plus) for Δt = t_post - t_pre > 0 and
    -A_minus exp(Δt/tau_minus) for Δt < 0 (additive), times ``(w_max - w)``
    for potentiation and ``(w - w_min)`` for depression with
    ``bounds="multiplicative"``; ``w`` is clipped to [w_min, w_max].

    Parameters
    ----------
    A_plus, A_minus : float
        Amplitudes (dimensionless, >= 0; depression has the minus sign built in).
    tau_plus, tau_minus : `Quantity`
        Window time constants.
    pairing : {'all-to-all', 'nearest'}
        'all-to-all': every earlier spike of the other side counts (traces add
        1 per spike); 'nearest': only the most recent one (traces reset to 1;
        Morrison et al. 2008's symmetric nearest-spike scheme).
    bounds : {'additive', 'multiplicative'}
    w_min, w_max : float
        Weight bounds, 0 <= w_min < w_max.

    Examples
    --------
    >>> from brian2 import ms
    >>> rule = STDP(A_plus=0.01, A_minus=0.0105, tau_plus=20*ms, tau_minus=20*ms)
    >>> "apre" in rule.model
    True
    """

    method = "exact"

    def __init__(self, A_plus, A_minus, tau_plus, tau_minus, pairing="all-to-all",
                 bounds="additive", w_min=0.0, w_max=1.0):
        owner = type(self).__name__
        self.A_plus = _check_number(A_plus, "A_plus", owner, low=0)
        self.A_minus = _check_number(A_minus, "A_minus", owner, low=0)
        self.tau_plus = _check_time(tau_plus, "tau_plus", owner)
        self.tau_minus = _check_time(tau_minus, "tau_minus", owner)
        self.pairing = _check_choice(pairing, PAIRINGS, "pairing", owner)
        self.bounds = _check_choice(bounds, BOUNDS, "bounds", owner)
        self.w_min = _check_number(w_min, "w_min", owner, low=0)
        self.w_max = _check_number(w_max, "w_max", owner, low=0)
        if not np.all(np.asarray(w_min) < np.asarray(w_max)):
            raise ValueError(f"The weight bounds of {owner} must satisfy w_min < w_max. "
                             f"Got w_min={w_min!r}, w_max={w_max!r}.")

    # -- pieces -------------------------------------------------------------------------
    @property
    def parameters(self):
        """Per-synapse parameters: name -> (value, unit string)."""
        return {"A_plus": (self.A_plus, "1"), "A_minus": (self.A_minus, "1"),
                "tau_plus": (self.tau_plus, "second"), "tau_minus": (self.tau_minus, "second"),
                "w_min": (self.w_min, "1"), "w_max": (self.w_max, "1")}

    def _trace_equations(self):
        return ("w : 1\n"
                "dapre/dt = -apre/tau_plus : 1 (event-driven)\n"
                "dapost/dt = -apost/tau_minus : 1 (event-driven)\n")

    @property
    def model(self):
        """Synapse model lines (traces, parameters)."""
        params = "".join(f"{k} : {unit} (constant)\n" for k, (_, unit) in self.parameters.items())
        return self._trace_equations() + params

    def _spike(self, trace):
        return f"{trace} += 1" if self.pairing == "all-to-all" else f"{trace} = 1"

    def _soft(self, kind):
        if self.bounds == "additive":
            return ""
        return "*(w_max - w)" if kind == "ltp" else "*(w - w_min)"

    @property
    def on_pre(self):
        """Depression by the post trace, then the pre trace's jump."""
        return (f"w = clip(w - A_minus*apost{self._soft('ltd')}, w_min, w_max)\n"
                f"{self._spike('apre')}")

    @property
    def on_post(self):
        """Potentiation by the pre trace, then the post trace's jump."""
        return (f"w = clip(w + A_plus*apre{self._soft('ltp')}, w_min, w_max)\n"
                f"{self._spike('apost')}")

    @property
    def namespace(self):
        return {}

    @property
    def dependencies(self):
        """Objects besides the synapses that must run with them (none for plain STDP)."""
        return []

    def bind(self, target, compartment=None):
        """The rule's pieces for synapses onto ``target`` (the rule itself: nothing depends
        on the target)."""
        return self

    def configure(self, synapses):
        """Write the per-synapse parameters after ``synapses.connect``."""
        for k, (value, _) in self.parameters.items():
            setattr(synapses, k, value)
        register_rule(synapses, self)

    def __repr__(self):
        return (f"{type(self).__name__}(A_plus={self.A_plus!r}, A_minus={self.A_minus!r}, "
                f"tau_plus={self.tau_plus!r}, tau_minus={self.tau_minus!r}, "
                f"pairing={self.pairing!r}, bounds={self.bounds!r})")


class EligibilitySTDP(STDP):
    """STDP coincidences stored in separate LTP and LTD eligibility traces, converted by a third factor.

    At a post spike ``c_ltp += A_plus * apre``; at a pre spike
    ``c_ltd += A_minus * apost``; the traces decay with ``tau_ltp`` and
    ``tau_ltd``. The weight changes only through conversion:

    - ``conversion="continuous"``: ``dw/dt = (c_ltp - c_ltd) (M - b) / tau_conversion``
      with the third factor ``M`` linked from ``factor`` (Izhikevich 2007; NEST
      ``stdp_dopamine_synapse``); ``w`` is clipped to [w_min, w_max] every step.
    - ``conversion="event"``: at each spike of a conversion source
      (`conversion_events`), ``w += gain_ltp * c_ltp - gain_ltd * c_ltd`` and
      the converted traces are consumed (set to 0).

    With ``bounds="multiplicative"`` potentiation is scaled by ``(w_max - w)``
    and depression by ``(w - w_min)`` at conversion.

    Parameters
    ----------
    A_plus, A_minus, tau_plus, tau_minus, pairing, bounds, w_min, w_max
        As in `STDP`.
    tau_ltp, tau_ltd : `Quantity`
        Decay time constants of the eligibility traces (seconds in He et al.
        2015; Izhikevich's tau_c = 1 s for both).
    conversion : {'continuous', 'event'}
    factor : `NeuronGroup`, optional
        A `third_factor` group (required for 'continuous').
    baseline : float
        ``b``: the weight drifts only where ``M`` differs from it.
    tau_conversion : `Quantity`
        Time scale of continuous conversion.
    """

    def __init__(self, A_plus, A_minus, tau_plus, tau_minus, tau_ltp, tau_ltd,
                 conversion="continuous", factor=None, baseline=0.0, tau_conversion=None,
                 pairing="all-to-all", bounds="additive", w_min=0.0, w_max=1.0):
        super().__init__(A_plus, A_minus, tau_plus, tau_minus, pairing, bounds, w_min, w_max)
        owner = type(self).__name__
        self.tau_ltp = _check_time(tau_ltp, "tau_ltp", owner)
        self.tau_ltd = _check_time(tau_ltd, "tau_ltd", owner)
        self.conversion = _check_choice(conversion, CONVERSIONS, "conversion", owner)
        self.baseline = _check_number(baseline, "baseline", owner)
        self.factor = factor
        if conversion == "continuous":
            if not isinstance(factor, NeuronGroup) or "M" not in factor.variables:
                raise TypeError(f"The 'factor' parameter of {owner} with continuous conversion "
                                f"must be a group made by third_factor(). Got {factor!r} "
                                f"instead.")
            self.tau_conversion = _check_time(tau_conversion, "tau_conversion", owner)
        elif tau_conversion is not None or factor is not None:
            raise TypeError(f"{owner}: 'factor' and 'tau_conversion' belong to continuous "
                            f"conversion; with conversion='event' use conversion_events().")
        self.method = "exact" if conversion == "event" else "euler"

    @property
    def parameters(self):
        params = dict(super().parameters)
        params.update(tau_ltp=(self.tau_ltp, "second"), tau_ltd=(self.tau_ltd, "second"))
        if self.conversion == "continuous":
            params.update(b=(self.baseline, "1"), tau_conversion=(self.tau_conversion, "second"))
        return params

    @property
    def model(self):
        if self.conversion == "event":
            traces = ("dc_ltp/dt = -c_ltp/tau_ltp : 1 (event-driven)\n"
                      "dc_ltd/dt = -c_ltd/tau_ltd : 1 (event-driven)\n")
        else:
            traces = (f"dc_ltp/dt = -c_ltp/tau_ltp : 1 (clock-driven)\n"
                      f"dc_ltd/dt = -c_ltd/tau_ltd : 1 (clock-driven)\n"
                      f"dw/dt = (c_ltp{self._soft('ltp')} - c_ltd{self._soft('ltd')})*(M - b)"
                      f"/tau_conversion : 1 (clock-driven)\n"
                      f"M : 1 (linked)\n"
                      f"factor_index : integer (constant)\n")
        return traces + super().model.replace("w : 1\n", "" if self.conversion == "continuous"
                                              else "w : 1\n")

    @property
    def on_pre(self):
        return f"c_ltd += A_minus*apost\n{self._spike('apre')}"

    @property
    def on_post(self):
        return f"c_ltp += A_plus*apre\n{self._spike('apost')}"

    @property
    def dependencies(self):
        """The third-factor group and what drives it (continuous conversion)."""
        if self.factor is None:
            return []
        out = [self.factor]
        for syn in drivers(self.factor):
            out += [syn, syn.source]
        return out

    def configure(self, synapses):
        super().configure(synapses)
        if self.conversion == "continuous":
            synapses.factor_index = 0
            synapses.M = linked_var(self.factor, "M", index="factor_index")
            synapses.run_regularly("w = clip(w, w_min, w_max)", when="after_groups",
                                   name=f"{synapses.name}_weight_bounds")


def plastic_synapses(source, target, rule, weight=0.5, delay=None, name=None, **connect_args):
    """Rule-level plastic synapses between any two spiking groups (no transmission).

    Returns a `Synapses` with ``w`` and the rule's variables; ``connect_args``
    go to `Synapses.connect`. Objects the rule depends on (``rule.dependencies``:
    a third factor or modulator pool and what drives it) must run in the same
    `Network`.
    """
    rule = rule.bind(target)
    syn = Synapses(source, target, model=rule.model, on_pre=rule.on_pre,
                   on_post=rule.on_post, namespace=dict(rule.namespace), method=rule.method,
                   name=name or "plastic*")
    syn.connect(**connect_args)
    syn.w = weight
    if delay is not None:
        syn.delay = delay
    rule.configure(syn)
    return syn


def third_factor(n=1, tonic=0.0, tau=None, timed_array=None, name="third_factor*"):
    """A group of ``n`` third-factor signals ``M`` (dimensionless).

    Parameters
    ----------
    n : int
        Number of independent signals (regions); synapses pick one by
        ``factor_index``.
    tonic : float
        Constant level (no ``tau``), or the level ``M`` relaxes to with ``tau``.
    tau : `Quantity`, optional
        Decay time constant of ``M`` toward ``tonic`` after jumps from
        `drive_third_factor`.
    timed_array : `TimedArray`, optional
        ``M = timed_array(t)`` (1-D) or ``timed_array(t, i)`` (2-D, one column
        per signal), set at the start of every time step; excludes ``tonic``
        and ``tau``.
    """
    owner = "third_factor"
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"The 'n' parameter of {owner} must be a positive integer. "
                         f"Got {n!r} instead.")
    _check_number(tonic, "tonic", owner)
    if timed_array is not None:
        if not isinstance(timed_array, TimedArray):
            raise TypeError(f"The 'timed_array' parameter of {owner} must be a brian2 "
                            f"TimedArray. Got {timed_array!r} instead.")
        if tau is not None or np.any(np.asarray(tonic) != 0):
            raise TypeError(f"The 'timed_array' parameter of {owner} excludes 'tonic' and 'tau'. "
                            f"Got tonic={tonic!r}, tau={tau!r} with it.")
        # A state variable refreshed before anything else in each step (monitors
        # included), not a subexpression: synapses link to M, and a linked
        # subexpression would be resolved in the synapses' namespace (no
        # factor_values there; 'i' would be the synapse's index).
        call = "t" if timed_array.values.ndim == 1 else "t, i"
        group = NeuronGroup(n, "M : 1", name=name, namespace={"factor_values": timed_array})
        group.run_regularly(f"M = factor_values({call})", when="before_start",
                            name=f"{group.name}_timed_array")
        return group
    if tau is None:
        group = NeuronGroup(n, "M : 1", name=name)
    else:
        _check_time(tau, "tau", owner)
        group = NeuronGroup(n, "dM/dt = (M_tonic - M)/tau_M : 1\nM_tonic : 1 (constant)\n"
                               "tau_M : second (constant)", method="exact", name=name)
        group.tau_M = tau
        group.M_tonic = tonic
    group.M = tonic
    return group


def drive_third_factor(source, factor, increment=1.0, delay=None, **connect_args):
    """Make spikes of ``source`` add ``increment`` to ``M`` of ``factor``; returns the `Synapses`.

    By default every source neuron drives every signal (``connect_args`` go to
    `Synapses.connect`).
    """
    _check_number(increment, "increment", "drive_third_factor")
    syn = Synapses(source, factor, model="increment : 1 (constant)",
                   on_pre="M_post += increment", name="factor_drive*")
    syn.connect(**(connect_args or {"p": 1.0}))
    syn.increment = increment
    if delay is not None:
        syn.delay = delay
    register_driver(factor, syn)
    return syn


def conversion_events(source, plastic, traces=("ltp", "ltd"), gain=1.0, consume=True, **connect_args):
    """Convert eligibility traces into weight at every spike of ``source``; returns the `Synapses`.

    Parameters
    ----------
    source : spiking group (e.g. a reward signal, a modulatory nucleus)
    plastic : `Synapses` with an `EligibilitySTDP(conversion="event")` rule
    traces : sequence of {'ltp', 'ltd'}
        Which traces this source converts (He et al. 2015: noradrenaline the
        LTP trace, serotonin the LTD trace).
    gain : float
        ``w += gain * c_ltp`` and/or ``w -= gain * c_ltd`` (per conversion synapse).
    consume : bool
        Set the converted traces to 0 (default) or leave them.
    """
    owner = "conversion_events"
    for trace in traces:
        _check_choice(trace, ("ltp", "ltd"), "traces", owner)
    rule = _RULES.get(plastic)
    if not isinstance(rule, EligibilitySTDP) or rule.conversion != "event":
        raise TypeError(f"The 'plastic' parameter of {owner} must be synapses with an "
                        f"EligibilitySTDP(conversion='event') rule. Got {plastic!r} instead.")
    _check_number(gain, "gain", owner, low=0)
    lines = []
    sign = {"ltp": "+", "ltd": "-"}
    soft = {"ltp": "(w_max_post - w_post)", "ltd": "(w_post - w_min_post)"}
    multiplicative = rule.bounds == "multiplicative"
    for trace in traces:
        value = f"c_{trace}_post*exp(-(t - lastupdate_post)/tau_{trace}_post)"
        scale = f"*{soft[trace]}" if multiplicative else ""
        lines.append(f"w_post = clip(w_post {sign[trace]} gain*{value}{scale}, w_min_post, "
                     f"w_max_post)")
    if consume:
        lines += [f"c_{trace}_post = 0" for trace in traces]
    syn = Synapses(source, plastic, model="gain : 1 (constant)", on_pre="\n".join(lines),
                   name="conversion*")
    syn.connect(**(connect_args or {"p": 1.0}))
    syn.gain = gain
    return syn

