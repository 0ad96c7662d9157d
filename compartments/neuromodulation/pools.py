"""Modulator pools: effective receptor-site concentrations of DA, ACh, 5-HT and NE.

A pool is a `NeuronGroup` (one neuron per region or population) holding, for
each modulator ``M`` it carries, the concentration ``c_M`` (molar): a tonic
level ``c_M_tonic`` that release events (spikes of any group, `release`)
raise and that relaxes back with ``tau_M``, or a `TimedArray` read at the
start of every step. Template groups made with ``modulators=...`` read the
pool through linked variables, so changing a level (``pool.c_DA_tonic =
50*nM``) between runs never recompiles.

The levels are *receptor-site* concentrations. Slice papers report bath
concentrations, which exceed what reaches the receptors (uptake, diffusion into
the slice, degradation; docs/neuromodulation.md); convert them with
`bath_to_receptor_site` rather than using them raw.

In cpp_standalone there is no Python between steps: mid-run changes come from
a `TimedArray`, from `release` events, or from a ``run_regularly`` on the pool.
"""

import weakref

import numpy as np
from brian2 import NeuronGroup, Synapses, TimedArray, linked_var, molar, ms, nmolar, second

from ..groups import modulation_of
from ..validation import check_positive, check_quantity

__all__ = ["MODULATORS", "modulator_pool", "release", "bath_to_receptor_site",
           "check_modulators", "pool_levels", "link_pool", "pool_link", "drivers",
           "register_driver", "BATH_FACTOR"]

# Public names -> variable suffixes (identifiers cannot start with a digit)
MODULATORS = {"DA": "DA", "ACh": "ACh", "5HT": "5HT", "NE": "NE"}
# Default decay of released modulator back to tonic (volume transmission, seconds scale)
_DEFAULT_TAU = 200 * ms

# Fraction of a bath concentration of a transported modulator (DA, NE, 5-HT; ACh is
# hydrolysed) that reaches the receptors in a slice: blocking dopamine uptake with cocaine
# made bath dopamine ~5x more potent in midbrain slices (Lacey et al. 1990; see
# docs/neuromodulation.md). Synthetic agonists that are not taken up: use factor=1.
BATH_FACTOR = 0.2
# Levels a pool was created with, readable where the device is not (cpp_standalone)
_LEVELS = weakref.WeakKeyDictionary()
# Which pool (and pool neuron per neuron) a modulated group reads; release synapses per pool
_DRIVERS = weakref.WeakKeyDictionary()


def check_modulators(modulators, owner):
    """Validate a sequence of modulator names; return them as a tuple."""
    if isinstance(modulators, str):
        modulators = (modulators,)
    modulators = tuple(modulators)
    for m in modulators:
        if m not in MODULATORS:
            raise ValueError(f"Unknown modulator {m!r} in the 'modulators' of {owner}; known "
                             f"modulators: {list(MODULATORS)}.")
    if len(set(modulators)) != len(modulators):
        raise ValueError(f"The 'modulators' of {owner} name a modulator twice: {modulators}.")
    return modulators


def _concentration(value, name, owner):
    q = check_quantity(value, molar, name, owner, "a concentration, e.g. 20*nM")
    if np.any(np.asarray(q) < 0):
        raise ValueError(f"The '{name}' parameter of {owner} must be a concentration >= 0. "
                         f"Got {value!r} instead.")
    return q


def bath_to_receptor_site(bath, factor=BATH_FACTOR):
    """Receptor-site concentration (molar) for a slice bath concentration ``bath`` (molar):
    ``factor * bath``, ``factor`` in (0, 1]."""
    bath = _concentration(bath, "bath", "bath_to_receptor_site")
    if not 0 < factor <= 1:
        raise ValueError(f"The 'factor' parameter of bath_to_receptor_site must be in (0, 1]. "
                         f"Got {factor!r} instead.")
    return bath * factor


def modulator_pool(modulators=("DA", "ACh", "5HT", "NE"), n=1, tonic=None, tau=None,
                   timed_arrays=None, name="modulator_pool*"):
    """A group of ``n`` pools with concentrations ``c_<M>`` for each modulator.

    Parameters
    ----------
    modulators : sequence of str
        From ``"DA", "ACh", "5HT", "NE"``.
    n : int
        Number of pools (regions); template neurons pick one with ``pool_index``.
    tonic : dict, optional
        Modulator -> tonic level (molar `Quantity`, scalar or one per pool, e.g.
        ``10*nM``; default 0).
    tau : dict, optional
        Modulator -> decay time constant of released modulator (second; default 200 ms).
    timed_arrays : dict, optional
        Modulator -> `TimedArray` of concentrations (1-D, or 2-D with one column
        per pool): ``c_M`` follows it instead of tonic level and release.
    """
    owner = "modulator_pool"
    modulators = check_modulators(modulators, owner)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"The 'n' parameter of {owner} must be a positive integer. "
                         f"Got {n!r} instead.")
    tonic, tau, timed = dict(tonic or {}), dict(tau or {}), dict(timed_arrays or {})
    for key in list(tonic) + list(tau) + list(timed):
        if key not in modulators:
            raise ValueError(f"{owner}: {key!r} is not among the pool's modulators "
                             f"{list(modulators)}.")
    lines, namespace, refresh = [], {}, []
    for m in modulators:
        v = MODULATORS[m]
        if m in timed:
            ta = timed[m]
            if not isinstance(ta, TimedArray):
                raise TypeError(f"The timed_arrays[{m!r}] of {owner} must be a brian2 "
                                f"TimedArray. Got {ta!r} instead.")
            namespace[f"level_{v}"] = ta
            lines.append(f"c_{v} : mmolar")
            call = "t" if ta.values.ndim == 1 else "t, i"
            refresh.append(f"c_{v} = level_{v}({call})")
        else:
            lines.append(f"dc_{v}/dt = (c_{v}_tonic - c_{v})/tau_{v} : mmolar")
            lines.append(f"c_{v}_tonic : mmolar (constant)")
            lines.append(f"tau_{v} : second (constant)")
    # each level relaxes linearly to a constant: exponential Euler is exact for it, and takes
    # ~1 s to derive where Brian2's "exact" (a symbolic matrix exponential) takes ~7 s
    group = NeuronGroup(n, "\n".join(lines), method="exponential_euler", namespace=namespace,
                        name=name)
    for m in modulators:
        v = MODULATORS[m]
        if m in timed:
            continue
        level = _concentration(tonic.get(m, 0 * nmolar), f"tonic[{m!r}]", owner)
        setattr(group, f"c_{v}_tonic", level)
        setattr(group, f"c_{v}", level)
        t = check_positive(check_quantity(tau.get(m, _DEFAULT_TAU), second, f"tau[{m!r}]",
                                          owner, "a time constant"), f"tau[{m!r}]", owner)
        setattr(group, f"tau_{v}", t)
    if refresh:
        group.run_regularly("\n".join(refresh), when="before_start", name=f"{group.name}_levels")
    _LEVELS[group] = {f"c_{MODULATORS[m]}": np.broadcast_to(
        np.asarray(tonic.get(m, 0 * nmolar), dtype=float), (n,)).copy()
        for m in modulators if m not in timed}
    return group


def pool_levels(pool, variable):
    """Current concentrations (SI) of ``variable`` in ``pool``; in cpp_standalone, before
    the run, the levels it was created with (a TimedArray level counts as 0 there)."""
    try:
        return np.asarray(getattr(pool, variable + "_"), dtype=float)
    except NotImplementedError:
        return _LEVELS.get(pool, {}).get(variable, np.zeros(len(pool)))


def release(source, pool, modulator, amount, delay=None, **connect_args):
    """Spikes of ``source`` add ``amount`` (molar) to ``c_<modulator>`` of ``pool``.

    Returns the `Synapses` (by default every source neuron reaches every pool).
    """
    owner = "release"
    (modulator,) = check_modulators((modulator,), owner)
    v = MODULATORS[modulator]
    if f"c_{v}_tonic" not in pool.variables:
        raise ValueError(f"{owner}: the pool has no releasable {modulator} (a TimedArray "
                         f"level or not among its modulators).")
    amount = _concentration(amount, "amount", owner)
    syn = Synapses(source, pool, model="amount : mmolar (constant)",
                   on_pre=f"c_{v}_post += amount", name="release*")
    syn.connect(**(connect_args or {"p": 1.0}))
    syn.amount = amount
    if delay is not None:
        syn.delay = delay
    register_driver(pool, syn)
    return syn


def register_driver(group, synapses):
    """Record that ``synapses`` change a state of ``group`` (release onto a pool, a third
    factor's drive), so that `drivers` can list them."""
    _DRIVERS.setdefault(group, []).append(weakref.ref(synapses))


def drivers(group):
    """The `release` synapses that drive ``group`` (alive ones), for protocols that must run
    every object a pool depends on."""
    return [s for s in (ref() for ref in _DRIVERS.get(group, [])) if s is not None]


def pool_link(group):
    """``(pool, pool_index)`` a modulated template group reads (``pool_index`` one int per
    neuron), or ``None`` for a group made without modulators: read from the group's
    `ModulationPlan` (`compartments.groups.modulation_of`), which `link_pool` realises."""
    plan = modulation_of(group)
    if plan is None or plan.pool is None:
        return None
    return plan.pool, np.broadcast_to(np.asarray(plan.pool_index, dtype=int), (len(group),)).copy()


def link_pool(group, modulators, pool, pool_index=0):
    """Link ``c_<M>`` of a modulated template group to ``pool`` for each modulator.

    ``pool_index`` (int or one per neuron) picks the pool neuron (region) each
    neuron reads. Returns the concentrations (mol/m**3, SI floats) each neuron
    sees now, for the resting-state solve.
    """
    if pool is None:
        raise TypeError(f"make_group with modulators={tuple(modulators)} needs a 'pool' (a "
                        f"compartments.neuromodulation.modulator_pool) to read them from.")
    index = np.broadcast_to(np.asarray(pool_index, dtype=int), (len(group),))
    if np.any(index < 0) or np.any(index >= len(pool)):
        raise ValueError(f"The 'pool_index' of make_group must lie in [0, {len(pool)}). "
                         f"Got {pool_index!r} instead.")
    out = {}
    for m in modulators:
        var = f"c_{MODULATORS[m]}"
        if var not in pool.variables:
            raise ValueError(f"The 'pool' of make_group has no {m} (variable {var}); make it "
                             f"with modulator_pool(modulators=[..., {m!r}]).")
        setattr(group, var, linked_var(pool, var, index=index.copy()))
        out[var] = pool_levels(pool, var)[index]
    return out
