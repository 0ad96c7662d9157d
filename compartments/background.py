"""Background synaptic input per compartment: Poisson drive and point-conductance noise.

- `poisson_drive`: ``n_inputs`` independent Poisson trains of rate ``rate`` onto
  a receptor of a segment, as a Brian2 `PoissonInput` (a binomial count per
  step, exact for any rate) incrementing ``x_<receptor>_<segment>``; the cost
  does not grow with ``n_inputs``.
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

Randomness comes from Brian2's generator: give ``seed`` (or call
``brian2.seed``) for reproducible runs; the same seed gives the same result on
the same backend (see DESIGN.md, conventions).
"""

from types import MappingProxyType

import numpy as np
from brian2 import Hz, PoissonInput, meter, mV, ms, siemens, usiemens, volt
from brian2 import seed as brian_seed

from .channels.base import Channel, parameter
from .receptors import receptor_class
from .synapses import _segments_by_name, require_receptors
from .template import template_of
from .validation import check_quantity

__all__ = ["PointConductance", "poisson_drive", "ou_conductances"]

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


def _template(group, owner):
    template = template_of(group)
    if template is None:
        raise TypeError(f"The 'group' of {owner} must be a group made by "
                        f"CellTemplate.make_group. Got {group!r} instead.")
    return template


def poisson_drive(group, receptor, at, rate, n_inputs, gpeak, weight=1.0, seed=None):
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
        Seeds Brian2's random generator (global) before the run.

    Returns
    -------
    `PoissonInput` (add it to your `Network`).
    """
    owner = "poisson_drive"
    template = _template(group, owner)
    cls = receptor_class(receptor)
    (segment,) = _segments_by_name(template, at, owner)
    require_receptors(template, [segment], [cls.name], owner)
    rate = check_quantity(rate, Hz, "rate", owner, "a rate, e.g. 5*Hz")
    gpeak = check_quantity(gpeak, siemens, "gpeak", owner, "a peak conductance, e.g. 0.5*nS")
    if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
        raise ValueError(f"The 'n_inputs' parameter of {owner} must be a positive integer. "
                         f"Got {n_inputs!r} instead.")
    if seed is not None:
        brian_seed(seed)
    mech = cls()
    target = template.mechanism_variable(mech, "x", segment)
    norm = template.mechanism_variable(mech, "peak_norm", segment)
    return PoissonInput(group, target, int(n_inputs), rate,
                        weight=f"{float(weight) * float(gpeak)!r}*siemens*{norm}")


def ou_conductances(group, seed=None, when="before_groups"):
    """Advance the `PointConductance` of every segment that has one by the exact OU update.

    Sets ``ge``, ``gi`` to their means and the group to its resting state for
    them first. Returns the `run_regularly` objects (already part of the
    group, so they run with it).
    """
    from .rest import equilibrate

    owner = "ou_conductances"
    template = _template(group, owner)
    segments = [seg.name for seg in template.segments
                if any(isinstance(ch, PointConductance) for ch in seg.compartment.channels)]
    if not segments:
        raise ValueError(f"{owner}: template '{template.name}' has no PointConductance; add it "
                         f"with cell.with_channels({{'soma': [PointConductance()]}}).")
    if seed is not None:
        brian_seed(seed)
    mech = PointConductance()
    lines = []
    for s in segments:
        var = {k: template.mechanism_variable(mech, k, s)
               for k in ("ge", "gi", "ge0", "gi0", "sigma_e", "sigma_i", "tau_e", "tau_i")}
        for x in ("e", "i"):
            g, g0, sd, tau = var[f"g{x}"], var[f"g{x}0"], var[f"sigma_{x}"], var[f"tau_{x}"]
            setattr(group, g, getattr(group, g0)[:])
            lines.append(f"{g} = {g0} + ({g} - {g0})*exp(-dt/{tau}) "
                         f"+ {sd}*sqrt(1 - exp(-2*dt/{tau}))*randn()")
    equilibrate(group)
    return group.run_regularly("\n".join(lines), when=when, name=f"{group.name}_ou*")
