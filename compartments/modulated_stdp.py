"""STDP whose window and eligibility conversion are reshaped by neuromodulators, per branch.

`ModulatedSTDP` is pair-based STDP (`compartments.plasticity.STDP`: traces
``apre``/``apost``, all-to-all or nearest pairing, additive or multiplicative
bounds) in which every stage of each branch is scaled by a `Gain`, a
polynomial of modulator signals (`compartments.stdp_signals`: pool levels,
receptor occupancies, post-synaptic effector states):

============== ===================================================================
gain           where it acts
============== ===================================================================
``ltp``        immediate change per LTP coincidence ``A+ apre`` at a post spike
``ltd``        immediate change per LTD coincidence ``A- apost`` at a pre spike
               (negative values reverse the branch's sign: LTD -> LTP)
``ltp_trace``  LTP coincidence written into the LTP eligibility trace ``c_ltp``
``ltd_trace``  LTD coincidence written into the LTD trace ``c_ltd``
``ltp_to_ltd`` LTP coincidence written into the LTD trace (a tag of the other
               kind, e.g. acetylcholine at induction)
``ltd_to_ltp`` LTD coincidence written into the LTP trace
``convert_ltp``rate at which ``c_ltp`` becomes potentiation (signed)
``convert_ltd``rate at which ``c_ltd`` becomes depression (signed: < 0 converts the
               LTD trace into potentiation)
``tau_plus``,  factors on the window's time constants (clock-driven traces only)
``tau_minus``
``tau_ltp``,   factors on the eligibility time constants
``tau_ltd``
============== ===================================================================

Immediate gains are evaluated in the spike's own code, from the signals at
that time step: exact at the event, no per-step cost. Eligibility traces are
converted continuously,

    dw/dt = (k_ltp c_ltp - k_ltd c_ltd) / tau_conversion,
    dc_ltp/dt = -c_ltp / (tau_ltp f_ltp),   dc_ltd/dt = -c_ltd / (tau_ltd f_ltd),

integrated once per step *exactly* for signals held over the step
(``w += k c (1 - exp(-dt r)) / (r tau_conversion)``, ``c *= exp(-dt r)`` with
``r = 1/tau`` (+ ``|k|/tau_conversion`` when conversion consumes the trace);
with soft bounds the distance to the bound decays by ``exp(-|P|)`` for a step
increment ``P``), so a step-wise modulator application gives the same Δw at
any dt. With ``k_ltp = k_ltd = M - b`` this is Izhikevich (2007) and NEST's
``stdp_dopamine_synapse`` (``n = M / tau_conversion``).

Modulated window time constants (``tau_plus``/``tau_minus`` gains) need
``traces="clock-driven"``: Brian2 integrates an event-driven trace from its
last update with the time constant frozen at the event, so a modulator
changing between spikes would be ignored. Clock-driven traces cost one
update per synapse per step (docs/plasticity.md gives the measured factor).
"""

import copy
import itertools
import weakref

import numpy as np
from brian2 import NeuronGroup, linked_var

from .neuromodulation.pools import drivers, pool_link
from .plasticity import STDP, _check_choice, _check_number, _check_time, register_rule
from .stdp_signals import Effector, Level, Occupancy, check_signal_name, expression_variable
from .groups import template_of

__all__ = ["Gain", "ModulatedSTDP", "GAINS", "TRACES", "CONVERSIONS"]

GAINS = {
    "ltp": "immediate change per LTP coincidence (A+ apre at a post spike), signed",
    "ltd": "immediate change per LTD coincidence (A- apost at a pre spike), signed",
    "ltp_trace": "LTP coincidence written into the LTP eligibility trace",
    "ltd_trace": "LTD coincidence written into the LTD eligibility trace",
    "ltp_to_ltd": "LTP coincidence written into the LTD eligibility trace",
    "ltd_to_ltp": "LTD coincidence written into the LTP eligibility trace",
    "convert_ltp": "rate of conversion of the LTP trace into potentiation, signed",
    "convert_ltd": "rate of conversion of the LTD trace into depression, signed",
    "tau_plus": "factor on tau_plus (clock-driven traces)",
    "tau_minus": "factor on tau_minus (clock-driven traces)",
    "tau_ltp": "factor on tau_ltp",
    "tau_ltd": "factor on tau_ltd",
}
_IMMEDIATE = ("ltp", "ltd")
_INDUCTION = ("ltp_trace", "ltd_trace", "ltp_to_ltd", "ltd_to_ltp")
_CONVERSION = ("convert_ltp", "convert_ltd")
_WINDOW_TAUS = ("tau_plus", "tau_minus")
_TRACE_TAUS = ("tau_ltp", "tau_ltd")
TRACES = ("event-driven", "clock-driven")
CONVERSIONS = (None, "continuous")
POOL_INDEX = "pool_index_plasticity"


class Gain:
    """``base + sum_k coefficient_k * prod(signals of term k)``: a polynomial in signals.

    Parameters
    ----------
    base : float
        Value with every signal at 0.
    terms : dict, optional
        Signal name, or tuple of names (their product), -> coefficient.

    Examples
    --------
    >>> g = Gain(1.0, {"DA": -3.0})             # 1 at no dopamine, -2 at full occupancy
    >>> float(g.value(DA=0.5))
    -0.5
    >>> float(Gain(0.0, {"NE": 1.0, "ACh": -1.0, ("NE", "ACh"): 1.0}).value(NE=1, ACh=1))
    1.0
    """

    def __init__(self, base=0.0, terms=None):
        self.base = float(_check_number(base, "base", "Gain"))
        self.terms = {}
        for key, coefficient in dict(terms or {}).items():
            names = (key,) if isinstance(key, str) else tuple(key)
            if not names or not all(isinstance(n, str) for n in names):
                raise TypeError(f"The terms of Gain must be keyed by a signal name or a tuple "
                                f"of names. Got {key!r}.")
            self.terms[tuple(sorted(names))] = float(_check_number(coefficient, f"terms[{key!r}]",
                                                                   "Gain"))

    @classmethod
    def of(cls, value):
        """A `Gain` from a `Gain` or a number (a constant gain)."""
        return value if isinstance(value, Gain) else cls(value)

    @property
    def signals(self):
        """Names of the signals the gain reads."""
        return sorted({n for names in self.terms for n in names})

    @property
    def is_constant(self):
        return not self.terms

    def variables(self, gain):
        """Per-synapse coefficient variables of gain ``gain``: name -> value."""
        out = {f"{gain}_base": self.base}
        for names, coefficient in self.terms.items():
            out[f"{gain}__{'_'.join(names)}"] = coefficient
        return out

    def expression(self, gain):
        """The Brian2 expression (coefficients as variables, signals as ``sig_<name>``)."""
        parts = [f"{gain}_base"] + [f"{gain}__{'_'.join(names)}*" +
                                    "*".join(f"sig_{n}" for n in names) for names in self.terms]
        return "(" + " + ".join(parts) + ")"

    def value(self, **signals):
        """The gain for signal values given by name (missing ones are 0)."""
        total = self.base
        for names, coefficient in self.terms.items():
            total = total + coefficient * np.prod([signals.get(n, 0.0) for n in names], axis=0)
        return total

    def extremes(self, bounded):
        """(min, max) over every corner of the signal box: signals in ``bounded`` within
        [0, 1], the others (levels) within [0, inf) (inf if a term can grow without bound)."""
        names = self.signals
        values = [self.value(**dict(zip(names, corner)))
                  for corner in itertools.product((0.0, 1.0), repeat=len(names))]
        lo, hi = min(values), max(values)
        unbounded = [n for n in names if n not in bounded]
        for names_, coefficient in self.terms.items():
            if any(n in unbounded for n in names_):
                lo = -np.inf if coefficient < 0 else lo
                hi = np.inf if coefficient > 0 else hi
        return lo, hi

    def __eq__(self, other):
        return isinstance(other, Gain) and (self.base, self.terms) == (other.base, other.terms)

    def __hash__(self):
        return hash((self.base, tuple(sorted(self.terms.items()))))

    def __repr__(self):
        terms = {k[0] if len(k) == 1 else k: v for k, v in self.terms.items()}
        return f"Gain({self.base!r}, {terms!r})" if terms else f"Gain({self.base!r})"


class ModulatedSTDP(STDP):
    """Pair-based STDP with per-branch modulation of amplitude, sign, eligibility and conversion.

    Parameters
    ----------
    A_plus, A_minus, tau_plus, tau_minus, pairing, bounds, w_min, w_max
        As in `STDP` (amplitudes of the coincidences ``A+ apre`` and ``A- apost``).
    signals : dict, optional
        Signal name -> `Level`, `Occupancy` or `Effector`.
    gains : dict, optional
        Gain name (see the module docstring; `GAINS`) -> `Gain` or number.
        Without conversion the defaults are ``ltp = ltd = 1`` (plain STDP).
        With conversion ``ltp = ltd = 0``, ``ltp_trace = ltd_trace = 1``, cross
        terms 0, and at least one ``convert_*`` gain must be given.
    conversion : {None, 'continuous'}
        Eligibility traces and their continuous conversion (clock-driven).
    tau_ltp, tau_ltd, tau_conversion : `Quantity`
        Eligibility time constants and the conversion time scale (with
        conversion).
    consume : bool
        Conversion uses the trace up: ``dc/dt = -c/tau - |k| c/tau_conversion``,
        so a trace is converted at most once (a strong modulator converts all
        that is left). Default False (Izhikevich 2007, NEST: the trace decays
        with tau whatever is converted).
    traces : {'event-driven', 'clock-driven'}
        How ``apre``/``apost`` are integrated; 'clock-driven' is required for
        ``tau_plus``/``tau_minus`` gains.
    pool : `NeuronGroup`, optional
        A `compartments.neuromodulation.modulator_pool` for `Level` and
        `Occupancy` signals. Default: the pool the post-synaptic template group
        reads (each synapse follows its post neuron's region).
    pool_index : int, optional
        The pool neuron (region) every synapse reads (with ``pool``; default 0).
    name : str, optional
        A label (presets use their names).

    Examples
    --------
    >>> from brian2 import ms
    >>> from compartments.stdp_signals import Occupancy
    >>> rule = ModulatedSTDP(0.01, 0.01, 20*ms, 20*ms, signals={"DA": Occupancy("D1")},
    ...                      gains={"ltd": Gain(1, {"DA": -2})})    # DA turns LTD into LTP
    >>> float(rule.gain("ltd").value(DA=1.0))
    -1.0
    """

    def __init__(self, A_plus, A_minus, tau_plus, tau_minus, signals=None, gains=None,
                 conversion=None, tau_ltp=None, tau_ltd=None, tau_conversion=None,
                 consume=False, traces="event-driven", pairing="all-to-all", bounds="additive",
                 w_min=0.0, w_max=1.0, pool=None, pool_index=None, name=None):
        super().__init__(A_plus, A_minus, tau_plus, tau_minus, pairing, bounds, w_min, w_max)
        owner = name or type(self).__name__
        self.name = name
        self.signals = {}
        for key, signal in dict(signals or {}).items():
            check_signal_name(key, owner)
            if not isinstance(signal, (Level, Occupancy, Effector)):
                raise TypeError(f"The signals of {owner} must be Level, Occupancy or Effector "
                                f"objects. Got {signal!r} for {key!r}.")
            self.signals[key] = signal
        self.conversion = _check_choice(conversion, CONVERSIONS, "conversion", owner)
        self.traces = _check_choice(traces, TRACES, "traces", owner)
        given = dict(gains or {})
        unknown = sorted(set(given) - set(GAINS))
        if unknown:
            raise ValueError(f"Unknown gains {unknown} of {owner}; known gains: {list(GAINS)}.")
        self.given = {k: Gain.of(v) for k, v in given.items()}
        self._check_gains(owner)
        if self.conversion == "continuous":
            self.tau_ltp = _check_time(tau_ltp, "tau_ltp", owner)
            self.tau_ltd = _check_time(tau_ltd, "tau_ltd", owner)
            self.tau_conversion = _check_time(tau_conversion, "tau_conversion", owner)
        elif any(v is not None for v in (tau_ltp, tau_ltd, tau_conversion)) or consume:
            raise TypeError(f"{owner}: 'tau_ltp', 'tau_ltd', 'tau_conversion' and 'consume' belong to "
                            f"conversion='continuous' (eligibility traces); without conversion "
                            f"the window acts at the spikes.")
        if pool is not None and not (isinstance(pool, NeuronGroup)
                                     and any(v.startswith("c_") for v in pool.variables)):
            raise TypeError(f"The 'pool' of {owner} must be a modulator_pool. Got {pool!r}.")
        self.consume = bool(consume)
        self.pool = pool
        self.pool_index = pool_index
        self._post_expression = None       # set by bind(): signal -> expression variable
        self.method = "exact"

    # -- validation ---------------------------------------------------------------------
    def _check_gains(self, owner):
        allowed = set(_IMMEDIATE) | set(_WINDOW_TAUS)
        if self.conversion == "continuous":
            allowed |= set(_INDUCTION) | set(_CONVERSION) | set(_TRACE_TAUS)
        for key in self.given:
            if key not in allowed:
                raise ValueError(f"The gain {key!r} of {owner} needs eligibility traces "
                                 f"(conversion='continuous'); without them only "
                                 f"{sorted(allowed)} apply.")
        if self.conversion == "continuous" and not set(_CONVERSION) & set(self.given):
            raise ValueError(f"{owner} with conversion='continuous' needs a 'convert_ltp' and/or "
                             f"'convert_ltd' gain: without one the eligibility traces never "
                             f"become weight.")
        used = {n for g in self.given.values() for n in g.signals}
        missing = sorted(used - set(self.signals))
        if missing:
            raise ValueError(f"The gains of {owner} read signals {missing} that are not among "
                             f"its signals {sorted(self.signals)}.")
        unused = sorted(set(self.signals) - used)
        if unused:
            raise ValueError(f"The signals {unused} of {owner} are read by no gain.")
        modulated_window = sorted(k for k in _WINDOW_TAUS
                                  if k in self.given and not self.given[k].is_constant)
        if modulated_window and self.traces == "event-driven":
            raise ValueError(
                f"{owner}: the gains {modulated_window} make the window's time constant depend "
                f"on modulators, but the STDP traces are event-driven. Brian2 integrates an "
                f"event-driven trace analytically from its last update with every coefficient "
                f"frozen at the event, so a modulator changing between two spikes would be "
                f"ignored (or applied to the whole interval at the next spike). Use "
                f"traces='clock-driven' (one exact update per synapse and time step; see "
                f"docs/plasticity.md for the cost).")
        bounded = {k for k, s in self.signals.items() if not isinstance(s, Level)}
        for key in _WINDOW_TAUS + _TRACE_TAUS:
            if key in self.given:
                lo, _ = self.given[key].extremes(bounded)
                if not lo > 0:
                    raise ValueError(f"The gain {key!r} of {owner} multiplies a time constant "
                                     f"and must stay > 0 for every signal value (signals in "
                                     f"[0, 1], levels >= 0); {self.given[key]!r} reaches {lo}.")

    # -- gains ----------------------------------------------------------------------------
    def gain(self, key):
        """The `Gain` in effect for ``key`` (given or default)."""
        if key in self.given:
            return self.given[key]
        if key in _IMMEDIATE:
            return Gain(1.0 if self.conversion is None else 0.0)
        return Gain(1.0 if key in ("ltp_trace", "ltd_trace") + _WINDOW_TAUS + _TRACE_TAUS
                    else 0.0)

    def _factor(self, key):
        """'*g_<key>' for a given gain, '' for a default 1; None for a default 0."""
        if key in self.given:
            return f"*g_{key}"
        return "" if self.gain(key).base == 1.0 else None

    def without_modulation(self):
        """The same rule with every signal at 0: gains reduced to their base values."""
        new = copy.copy(self)
        new.signals = {}
        new.given = {k: Gain(g.base) for k, g in self.given.items()}
        new._post_expression = None
        return new

    # -- binding to a target ------------------------------------------------------------
    def bind(self, target, compartment=None):
        """The rule's pieces for synapses onto ``target`` (a spiking group).

        Post-synaptic signals resolve to the target's receptor variables (a
        warning names the types expressing a receptor the target's type lacks:
        the signal is then 0); synapse-local signals need a pool (the rule's,
        or the one the target group reads).
        """
        owner = self.name or type(self).__name__
        template = template_of(target)
        new = copy.copy(self)
        new._post_expression = {}
        for key, signal in self.signals.items():
            if signal.post_synaptic:
                new._post_expression[key] = expression_variable(signal, target, template,
                                                                compartment, owner)
        local = [k for k, s in self.signals.items() if not isinstance(s, Effector)]
        if local and self.pool is None:
            link = pool_link(target)
            if link is None:
                raise TypeError(f"{owner} reads {local} from a modulator pool: give the rule a "
                                f"'pool' (rule.with_pool(pool)) or connect it to a template "
                                f"group made with modulators=... and pool=....")
            new._target_link = link
        new._target = weakref.ref(target)
        return new

    def with_pool(self, pool, pool_index=None):
        """A copy reading its synapse-local signals from ``pool`` (region ``pool_index``)."""
        new = copy.copy(self)
        if not (isinstance(pool, NeuronGroup) and any(v.startswith("c_") for v in pool.variables)):
            raise TypeError(f"The 'pool' of {self.name or type(self).__name__} must be a "
                            f"modulator_pool. Got {pool!r}.")
        new.pool, new.pool_index = pool, pool_index
        return new

    def _check_bound(self):
        if self.signals and self._post_expression is None:
            raise TypeError(f"{self.name or type(self).__name__} reads modulator signals: its "
                            f"pieces exist for a target only (rule.bind(target)); connect() and "
                            f"plastic_synapses() bind it.")
        return self._post_expression or {}

    def _pool(self):
        if self.pool is not None:
            return self.pool
        link = getattr(self, "_target_link", None)
        return None if link is None else link[0]

    @property
    def dependencies(self):
        """Objects besides the synapses that must run with them: the pool and what drives it."""
        pool = self._pool() if self.signals else None
        if pool is None:
            return []
        out = [pool]
        for syn in drivers(pool):
            out += [syn, syn.source]
        return out

    # -- pieces ---------------------------------------------------------------------------
    @property
    def parameters(self):
        params = dict(super().parameters)
        if self.conversion == "continuous":
            params.update(tau_ltp=(self.tau_ltp, "second"), tau_ltd=(self.tau_ltd, "second"),
                          tau_conversion=(self.tau_conversion, "second"))
        return params

    def _trace_equations(self):
        if self.traces == "clock-driven":
            lines = "w : 1\napre : 1\napost : 1\n"
        else:
            lines = super()._trace_equations()
            if "tau_plus" in self.given or "tau_minus" in self.given:
                lines = lines.replace("-apre/tau_plus", "-apre/(tau_plus*g_tau_plus)").replace(
                    "-apost/tau_minus", "-apost/(tau_minus*g_tau_minus)")
        if self.conversion == "continuous":
            lines += "c_ltp : 1\nc_ltd : 1\n"
        return lines

    @property
    def model(self):
        bound = self._check_bound()
        lines = [super().model]
        modulators = sorted({s.pool_variable for s in self.signals.values()
                             if not isinstance(s, Effector)})
        for variable in modulators:
            lines.append(f"{variable} : mmolar (linked)\n")
        if modulators:
            lines.append(f"{POOL_INDEX} : integer (constant)\n")
        for key, signal in self.signals.items():
            lines.append(signal.model(key))
            if isinstance(signal, Level):
                expr = signal.expression(key)
            else:
                variable = bound.get(key)
                if signal.post_synaptic and variable is None:
                    expr = "0"
                else:
                    expr = signal.expression(key, variable)
            lines.append(f"sig_{key} = {expr} : 1\n")
        for key, gain in self.given.items():
            lines += [f"{v} : 1 (constant)\n" for v in gain.variables(key)]
            lines.append(f"g_{key} = {gain.expression(key)} : 1\n")
        return "".join(lines)

    def _immediate(self, key):
        """Statements of an immediate gain (None: a default 0)."""
        factor = self._factor(key)
        if factor is None:
            return []
        amount = "A_plus*apre" if key == "ltp" else "A_minus*apost"
        sign = "+" if key == "ltp" else "-"
        if self.bounds == "additive":
            return [f"w = clip(w {sign} {amount}{factor}, w_min, w_max)"]
        toward, away = (("(w_max - w)", "(w - w_min)") if key == "ltp"
                        else ("(w - w_min)", "(w_max - w)"))
        return [f"d_{key} = {amount}{factor}",
                f"w = clip(w {sign} d_{key}*({toward}*int(d_{key} > 0) + {away}*int(d_{key} < 0)),"
                f" w_min, w_max)"]

    def _induction(self, key):
        if self.conversion is None:
            return []
        amount = "A_plus*apre" if key == "ltp" else "A_minus*apost"
        other = "ltd" if key == "ltp" else "ltp"
        out = []
        for target, gain in ((key, f"{key}_trace"), (other, f"{key}_to_{other}")):
            factor = self._factor(gain)
            if factor is not None:
                out.append(f"c_{target} += {amount}{factor}")
        return out

    @property
    def on_pre(self):
        self._check_bound()
        return "\n".join(self._immediate("ltd") + self._induction("ltd") + [self._spike("apre")])

    @property
    def on_post(self):
        self._check_bound()
        return "\n".join(self._immediate("ltp") + self._induction("ltp")
                         + [self._spike("apost")])

    def step_code(self):
        """Per-step statements (clock-driven traces, conversion), or '' when none."""
        lines = []
        if self.traces == "clock-driven":
            lines += [f"apre *= exp(-dt/(tau_plus{self._factor('tau_plus')}))",
                      f"apost *= exp(-dt/(tau_minus{self._factor('tau_minus')}))"]
        if self.conversion == "continuous":
            parts, decays = [], []
            for trace in ("ltp", "ltd"):
                k = self._factor(f"convert_{trace}")
                tau = f"tau_{trace}{self._factor(f'tau_{trace}')}"
                rate = f"(1/({tau}) + abs(1{k})/tau_conversion)" if self.consume and k is not None \
                    else f"(1/({tau}))"
                decays.append(f"c_{trace} *= exp(-dt*{rate})")
                if k is None:
                    continue
                sign = "+" if trace == "ltp" else "-"
                parts.append(f"{sign} c_{trace}{k}*(1 - exp(-dt*{rate}))/{rate}")
            lines.append(f"step_w = ({' '.join(parts)})/tau_conversion")
            if self.bounds == "additive":
                lines.append("w = clip(w + step_w, w_min, w_max)")
            else:
                lines.append("w = clip(w + ((w_max - w)*int(step_w > 0) - (w - w_min)"
                             "*int(step_w < 0))*(1 - exp(-abs(step_w))), w_min, w_max)")
            lines += decays
        return "\n".join(lines)

    def configure(self, synapses):
        """Write parameters, gains and signal constants; link the pool; add the step."""
        super().configure(synapses)
        for key, gain in self.given.items():
            for variable, value in gain.variables(key).items():
                setattr(synapses, variable, value)
        for key, signal in self.signals.items():
            signal.configure(synapses, key)
        locals_ = [s for s in self.signals.values() if not isinstance(s, Effector)]
        if locals_:
            self._link_pool(synapses, {s.pool_variable for s in locals_})
        code = self.step_code()
        if code:
            synapses.run_regularly(code, when="end", name=f"{synapses.name}_plasticity_step")
        register_rule(synapses, self)

    def _link_pool(self, synapses, variables):
        owner = self.name or type(self).__name__
        pool = self._pool()
        for variable in sorted(variables):
            if variable not in pool.variables:
                raise ValueError(f"{owner}: the pool {pool.name!r} has no {variable}; make it "
                                 f"with modulator_pool(modulators=[..., "
                                 f"{variable[2:]!r}]).")
        if self.pool is not None:
            index = 0 if self.pool_index is None else self.pool_index
            if np.any(np.asarray(index) < 0) or np.any(np.asarray(index) >= len(pool)):
                raise ValueError(f"The 'pool_index' of {owner} must lie in [0, {len(pool)}). "
                                 f"Got {index!r} instead.")
            setattr(synapses, POOL_INDEX, index)
        else:
            neuron_index = self._target_link[1]
            if np.all(neuron_index == neuron_index[0]):
                setattr(synapses, POOL_INDEX, int(neuron_index[0]))
            else:
                try:
                    post = np.asarray(synapses.j[:])
                except NotImplementedError:
                    raise ValueError(f"{owner}: the post-synaptic neurons read different pool "
                                     f"regions, which cpp_standalone cannot map to synapses "
                                     f"before the run; give the rule pool_index=....") from None
                setattr(synapses, POOL_INDEX, neuron_index[post])
        for variable in sorted(variables):
            setattr(synapses, variable, linked_var(pool, variable, index=POOL_INDEX))

    def describe(self):
        """The gains in effect: a DataFrame gain, role, base, terms, given."""
        import pandas as pd

        rows = [dict(gain=k, role=GAINS[k], base=self.gain(k).base,
                     terms={(n[0] if len(n) == 1 else n): c for n, c in self.gain(k).terms.items()},
                     given=k in self.given) for k in GAINS
                if k in self.given or (self.conversion == "continuous" or k in _IMMEDIATE)]
        return pd.DataFrame(rows)

    def __repr__(self):
        label = f"{self.name!r}, " if self.name else ""
        return (f"{type(self).__name__}({label}signals={self.signals!r}, gains={self.given!r}, "
                f"conversion={self.conversion!r}, traces={self.traces!r})")

