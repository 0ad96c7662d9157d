"""Background synaptic input per compartment: Poisson drive and point-conductance noise.

- `poisson_drive`: ``n_inputs`` independent Poisson trains of rate ``rate`` onto
  a receptor of a segment, incrementing ``x_<receptor>_<segment>``, in one of two ways:

  * ``method="events"``: the trains of a neuron merge into one Poisson process of rate
    ``n_inputs * rate``, simulated by its event times (exponential intervals): a
    generator neuron per target neuron holds the time of its next event, and its reset
    increments the target through a linked variable (`PoissonDrive`). The cost per step
    is one comparison per neuron; random numbers are drawn per event, from counter-based
    streams (`compartments.random_streams`), so a seed gives the same input on every
    backend and any number of OpenMP threads. At most one event per neuron is
    delivered per step (a second one in the same step goes one step later), so this is
    for ``n_inputs * rate * dt`` well below 1;
  * ``method="binomial"``: a Brian2 `PoissonInput` (a binomial count per step and
    neuron, exact for any rate; its cost per step is a random number per neuron and
    does not grow with ``n_inputs``).

  ``method="auto"`` (default) takes events when ``n_inputs * rate * dt`` is at most
  `EVENT_LIMIT` and the binomial count otherwise.
- `PointConductance` + `ou_conductances`: the point-conductance model of
  Destexhe, Rudolph, Fellous & Sejnowski (2001): excitatory and inhibitory
  conductances ``ge``, ``gi`` following Ornstein–Uhlenbeck processes with
  means ``ge0``, ``gi0``, standard deviations ``sigma_e``, ``sigma_i`` and
  correlation times ``tau_e``, ``tau_i``. They are advanced by the exact
  update of Gillespie (1996), as Destexhe's ``Gfluct2.mod`` does::

      g <- g0 + (g - g0) exp(-dt/tau) + sigma sqrt(1 - exp(-2 dt/tau)) N(0, 1)

  once per step before the membrane update (so the implicit cable sees them
  as given conductances); the current uses ``max(g, 0)``, as a conductance
  cannot be negative (Destexhe's mechanism clips likewise).

Randomness. The event drive draws from its own counter-based streams, keyed by
``seed`` and the target (group, receptor, segment): a seed gives the same input on
every target (numpy, Cython, cpp_standalone) and thread count, whatever other random
objects do; without a seed the key is fresh entropy (a new input each time).
The binomial drive and the OU noise: with ``seed=None`` they draw from Brian2's
generator inside the generated code (every target, cpp_standalone included;
``brian2.seed`` makes a run reproducible, the same seed giving the same result on the
same backend and thread count, not across backends). With ``seed=<int>`` they draw
from their own ``numpy.random.default_rng(seed)`` stream, once per step on the
runtime targets (numpy, Cython), so their noise does not depend on other random
objects or on the order in which helpers were made; Brian2's global generator is
never reseeded. In cpp_standalone (no Python in the loop) such a seed is refused:
seed the device with ``brian2.seed`` instead.
"""

import hashlib
import weakref
from types import MappingProxyType

import numpy as np
from brian2 import (BrianObject, Hz, NeuronGroup, PoissonInput, get_device, linked_var,
                    meter, mV, ms, siemens, usiemens, volt)
from brian2.core.variables import Subexpression
from brian2.devices.device import RuntimeDevice

from . import backends
from .channels.base import Channel, parameter
from .random_streams import hash_uniform, uniform
from .receptors import receptor_class
from .synapses import _segments_by_name, require_receptors
from .groups import template_of
from .validation import check_quantity

__all__ = ["PointConductance", "PoissonDrive", "poisson_drive", "ou_conductances",
           "SeededStream", "EVENT_LIMIT"]

EVENT_LIMIT = 0.01  # expected events per neuron and step up to which "auto" draws events

_DESTEXHE = ("Destexhe, Rudolph, Fellous & Sejnowski 2001 Neuroscience 107:13, point-conductance "
             "model of a layer-6 pyramidal cell under high-conductance state (Table/Fig. 2; "
             "ModelDB 8115 Gfluct.mod)")
_S_BOUNDS = (0 * siemens, None)


class PointConductance(Channel):
    """Fluctuating excitatory and inhibitory conductances (absolute, siemens) of one segment.

    ``I = (max(ge, 0) (E_e - v) + max(gi, 0) (E_i - v)) / area``; ``ge``, ``gi``
    are advanced by `ou_conductances` (without it they stay at their means).
    """

    name = "pc"
    requires = MappingProxyType({"v": volt, "area": meter**2})
    source = _DESTEXHE
    default_parameters = (
        parameter("ge0", 0.012 * usiemens, _DESTEXHE, "mean excitatory conductance",
                  bounds=_S_BOUNDS),
        parameter("gi0", 0.057 * usiemens, _DESTEXHE, "mean inhibitory conductance",
                  bounds=_S_BOUNDS),
        parameter("sigma_e", 0.003 * usiemens, _DESTEXHE, "SD of the excitatory conductance",
                  bounds=_S_BOUNDS),
        parameter("sigma_i", 0.0066 * usiemens, _DESTEXHE, "SD of the inhibitory conductance",
                  bounds=_S_BOUNDS),
        parameter("tau_e", 2.728 * ms, _DESTEXHE, "correlation time of ge",
                  bounds=(1e-3 * ms, None)),
        parameter("tau_i", 10.49 * ms, _DESTEXHE, "correlation time of gi",
                  bounds=(1e-3 * ms, None)),
        parameter("E_e", 0 * mV, _DESTEXHE, "excitatory reversal potential"),
        parameter("E_i", -75 * mV, _DESTEXHE, "inhibitory reversal potential"),
    )

    def _equations(self):
        return """
        I = (clip(ge, 0*siemens, inf*siemens)*(E_e - v)
             + clip(gi, 0*siemens, inf*siemens)*(E_i - v))/area : amp/meter**2
        ge : siemens
        gi : siemens
        """


class SeededStream(BrianObject):
    """Each step, ``update(rng, arrays, dt)`` changes a group's variables with numbers from
    the object's own ``numpy.random.default_rng(seed)`` (runtime targets only).

    ``arrays`` maps each of ``variables`` to its underlying array (SI values); a
    subexpression (``peak_norm``) is evaluated once, at the start of each run.
    """

    add_to_magic_network = True

    def __init__(self, group, variables, update, seed, when, name):
        BrianObject.__init__(self, clock=group.clock, when=when, order=0, name=name)
        self._group = weakref.ref(group)
        self._variables, self._update = list(variables), update
        self.rng = np.random.default_rng(seed)
        self._arrays = None

    def before_run(self, run_namespace):
        super().before_run(run_namespace)
        group = self._group()
        self._arrays = {v: np.asarray(getattr(group, v + "_")) if isinstance(
            group.variables[v], Subexpression) else group.variables[v].get_value()
            for v in self._variables}

    def run(self):
        self._update(self.rng, self._arrays, float(self.clock.dt_))

    def after_run(self):
        self._arrays = None


def _check_seed(seed, owner, any_target=False):
    """None, or an integer seed of the helper's own stream (runtime targets, unless
    ``any_target``: counter-based streams run on every target)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"The 'seed' parameter of {owner} must be None or a non-negative "
                        f"integer. Got {seed!r} instead.")
    if not any_target and not isinstance(get_device(), RuntimeDevice):
        raise ValueError(f"The 'seed' parameter of {owner} gives the helper its own random "
                         f"stream, which needs a runtime target (numpy, cython); in "
                         f"cpp_standalone pass seed=None and seed the device with "
                         f"brian2.seed({seed!r}). Got seed={seed!r}.")
    return int(seed)


def _check_nonnegative(value, name, owner):
    if not np.all(np.isfinite(np.asarray(value))) or np.any(np.asarray(value) < 0):
        raise ValueError(f"The '{name}' parameter of {owner} must be finite and >= 0. Got "
                         f"{value!r} instead.")
    return value


def _template(group, owner):
    template = template_of(group)
    if template is None:
        raise TypeError(f"The 'group' of {owner} must be a group made by "
                        f"CellTemplate.make_group. Got {group!r} instead.")
    return template


def poisson_drive(group, receptor, at, rate, n_inputs, gpeak, weight=1.0, seed=None,
                  method="auto"):
    """Independent Poisson inputs onto one receptor of one segment of every neuron.

    Parameters
    ----------
    group : `NeuronGroup` made by `CellTemplate.make_group`
    receptor : str
        Receptor short name (``'ampa'``); the segment must carry it.
    at : str
        Compartment (its middle segment) or segment name.
    rate : `Quantity`
        Rate of each input (Hz).
    n_inputs : int
        Number of independent inputs per neuron.
    gpeak : `Quantity`
        Peak conductance of one input at ``weight`` 1 (siemens).
    weight : float
        Dimensionless scale of ``gpeak``.
    seed : int, optional
        Events: the key of the drive's streams (with the group, receptor and segment;
        every target). Binomial: without it, a Brian2 `PoissonInput` (Brian2's
        generator); with it, a `SeededStream` drawing the per-step counts from its own
        generator (runtime targets). See the module docstring.
    method : {'auto', 'events', 'binomial'}
        How the inputs are simulated (see the module docstring).

    Returns
    -------
    `PoissonDrive` (events), `PoissonInput` or `SeededStream` (binomial); add it to
    your `Network`.

    Examples
    --------
    >>> from brian2 import Hz, nS, um
    >>> from compartments import CellTemplate, Compartment, background, channels
    >>> from compartments.receptors import AMPA
    >>> soma = Compartment("soma", length=20*um, diameter=20*um,
    ...                    channels=[channels.Leak(), AMPA()])
    >>> group = CellTemplate("ball", [soma]).make_group(10)
    >>> drive = background.poisson_drive(group, "ampa", at="soma", rate=20*Hz, n_inputs=2,
    ...                                  gpeak=0.5*nS, seed=1)
    >>> type(drive).__name__, len(drive)
    ('PoissonDrive', 10)
    """
    owner = "poisson_drive"
    template = _template(group, owner)
    cls = receptor_class(receptor)
    (segment,) = _segments_by_name(template, at, owner)
    require_receptors(template, [segment], [cls.name], owner)
    rate = _check_nonnegative(check_quantity(rate, Hz, "rate", owner, "a rate, e.g. 5*Hz"),
                              "rate", owner)
    gpeak = _check_nonnegative(check_quantity(gpeak, siemens, "gpeak", owner,
                                              "a peak conductance, e.g. 0.5*nS"), "gpeak", owner)
    _check_nonnegative(weight, "weight", owner)
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)) \
            or n_inputs < 1:
        raise ValueError(f"The 'n_inputs' parameter of {owner} must be a positive integer. "
                         f"Got {n_inputs!r} instead.")
    if method not in ("auto", "events", "binomial"):
        raise ValueError(f"The 'method' parameter of {owner} must be 'auto', 'events' or "
                         f"'binomial'. Got {method!r} instead.")
    total = float(rate) * int(n_inputs)
    events = method == "events" or (method == "auto"
                                     and total * float(group.clock.dt) <= EVENT_LIMIT)
    seed = _check_seed(seed, owner, any_target=events)
    mech = cls()
    target = template.mechanism_variable(mech, "x", segment)
    norm = template.mechanism_variable(mech, "peak_norm", segment)
    increment = float(weight) * float(gpeak)
    if events:
        key = _stream_key(seed, group.name, cls.name, segment)
        return PoissonDrive(group, target, norm, increment * siemens, total * Hz, key,
                            name=f"{group.name}_drive_{cls.name}_{segment}*")
    if seed is None:
        return PoissonInput(group, target, int(n_inputs), rate,
                            weight=f"{increment!r}*siemens*{norm}")
    n, p_per_second = int(n_inputs), float(rate)

    def add_counts(rng, arrays, dt):
        counts = rng.binomial(n, min(p_per_second * dt, 1.0), size=len(arrays[target]))
        arrays[target] += increment * arrays[norm] * counts

    return SeededStream(group, [target, norm], add_counts, seed, "synapses",
                        f"{group.name}_poisson_{receptor}_{segment}*")


def _stream_key(seed, *names):
    """A 31-bit key from ``seed`` and the target's names (fresh entropy when seed is None)."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    text = ":".join([str(int(seed)), *names]).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "little") & 0x7FFFFFFF


class PoissonDrive(NeuronGroup):
    """A Poisson process per neuron of ``group``, simulated by its event times.

    A `NeuronGroup` with one neuron per target neuron, holding ``t_next``, the time of
    the next event, and ``k_draw``, the number of intervals drawn. When ``t >= t_next`` it
    fires; its reset increments the target's receptor variable (a linked variable, so no
    `Synapses` and no spike queue are involved) and draws the next interval,
    ``-log(u)/rate``, ``u`` being draw ``k_draw`` of stream ``i``
    (`compartments.random_streams.hash_uniform`). ``rate`` and ``increment`` (shared;
    Hz, siemens: the conductance added per event before ``target_norm``) can be changed
    between runs.
    """

    def __init__(self, group, target, norm, increment, rate, key, name="poissondrive*"):
        model = """
        t_next : second
        k_draw : integer
        rate : Hz (constant, shared)
        increment : siemens (constant, shared)
        target_x : siemens (linked)
        target_norm : 1 (linked)
        """
        # values as variables and group-independent names (backends.codeobj_class): every
        # drive of a template and segment shares one compiled module (celltypes.precompile)
        NeuronGroup.__init__(
            self, len(group), model, threshold="t >= t_next",
            reset="target_x += increment*target_norm\n"
                  "t_next += -log(hash_uniform(stream_key, i, k_draw))/rate\n"
                  "k_draw += 1",
            clock=group.clock, namespace={"hash_uniform": hash_uniform, "stream_key": key},
            name=name, codeobj_class=backends.codeobj_class())
        self.target_x = linked_var(group, target)
        self.target_norm = linked_var(group, norm)
        self.increment = check_quantity(increment, siemens, "increment", "PoissonDrive",
                                        "a conductance, e.g. 1*nS")
        self.rate = rate
        self.k_draw = 1
        self.add_attribute("key")
        self.add_attribute("_first_intervals")
        self.key = key
        # draw 0 of each stream; counted from the start of the first run (before_run)
        self._first_intervals = -np.log(uniform(key, np.arange(len(group)), 0)) / float(rate)

    def before_run(self, run_namespace):
        if self._first_intervals is not None:
            try:
                start = float(self.clock.t_[:])
            except NotImplementedError:  # cpp_standalone before its first run
                start = 0.0
            self.t_next_ = start + self._first_intervals
            self._first_intervals = None
        super().before_run(run_namespace)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, neurons={len(self)}, key={self.key})"


def ou_conductances(group, seed=None, when="before_groups"):
    """Advance the `PointConductance` of every segment that has one by the exact OU update.

    Sets ``ge``, ``gi`` to their means and the group to its resting state for
    them first. Returns the object that draws the noise, already part of the
    group (it runs with it): a `run_regularly` drawing from Brian2's generator
    (``seed=None``), or a `SeededStream` with its own generator (``seed``: runtime
    targets; see the module docstring).
    """
    from .rest import equilibrate

    owner = "ou_conductances"
    template = _template(group, owner)
    segments = [seg.name for seg in template.segments
                if any(isinstance(ch, PointConductance) for ch in seg.compartment.channels)]
    if not segments:
        raise ValueError(f"{owner}: template '{template.name}' has no PointConductance; add it "
                         f"with cell.with_channels({{'soma': [PointConductance()]}}).")
    seed = _check_seed(seed, owner)
    mech = PointConductance()
    lines, processes = [], []
    for s in segments:
        var = {k: template.mechanism_variable(mech, k, s)
               for k in ("ge", "gi", "ge0", "gi0", "sigma_e", "sigma_i", "tau_e", "tau_i")}
        for x in ("e", "i"):
            g, g0, sd, tau = var[f"g{x}"], var[f"g{x}0"], var[f"sigma_{x}"], var[f"tau_{x}"]
            setattr(group, g, getattr(group, g0)[:])
            lines.append(f"{g} = {g0} + ({g} - {g0})*exp(-dt/{tau}) "
                         f"+ {sd}*sqrt(1 - exp(-2*dt/{tau}))*randn()")
            processes.append((g, g0, sd, tau))
    equilibrate(group)
    if seed is None:
        return group.run_regularly("\n".join(lines), when=when, name=f"{group.name}_ou*")

    def advance(rng, arrays, dt):
        for g, g0, sd, tau in processes:
            decay = np.exp(-dt / arrays[tau])
            arrays[g][:] = (arrays[g0] + (arrays[g] - arrays[g0]) * decay + arrays[sd]
                            * np.sqrt(1 - decay**2) * rng.standard_normal(len(arrays[g])))

    stream = SeededStream(group, sorted({v for p in processes for v in p}), advance, seed,
                          when, f"{group.name}_ou*")
    group.contained_objects.append(stream)
    return stream
