"""Synaptic receptors: ligand-gated conductances that live in the post-synaptic template.

A receptor is a `Channel` whose conductance is driven by pre-synaptic spikes
instead of the voltage. Insert it like a channel (``channels=[AMPA()]``) or
add it to a ready template with ``cell.with_channels({"apical": [AMPA()]})``;
for each segment ``s`` of the compartment the template then carries

- ``g_<r>_s`` (siemens): the summed conductance of every synapse of receptor
  ``r`` on the segment, a state variable;
- ``x_<r>_s`` (siemens): its rising-phase partner, the variable a spike
  increments;
- ``peak_norm_<r>_s``: the factor that makes one increment of ``gpeak *
  peak_norm`` give a conductance transient with peak ``gpeak``.

Kinetics are the difference of exponentials of NEURON's ``Exp2Syn``, written
so that a spike increments one variable::

    dx/dt = -x / tau_rise
    dg/dt = x (1/tau_rise - 1/tau_decay) - g / tau_decay

After an increment X at t = 0, g(t) = X (exp(-t/tau_decay) - exp(-t/tau_rise)),
peaking at t_peak = tau_rise tau_decay / (tau_decay - tau_rise) ln(tau_decay /
tau_rise). Because the kinetics are linear, all synapses of a receptor on a
segment share the two variables: any number of Brian2 `Synapses` (and
`PoissonInput`) can target them, and the cost per step does not grow with the
number of synapses. Per-synapse non-linear kinetics (e.g. short-term
depression) stay in the `Synapses` model.

Receptors
---------
- `AMPA` (``ampa``), `GABAA` (``gabaa``): linear conductances, reversal ``E``.
- `NMDA` (``nmda``): multiplied by the Mg block of Jahr & Stevens (1990),
  ``B(v) = 1 / (1 + [Mg]/3.57 mM * exp(-0.062/mV * v))`` with ``mg`` a
  per-neuron parameter; the fraction ``frac_ca`` of its current is carried by
  calcium and, where the compartment has a `CalciumPool`, enters it
  (``partial_currents``).
- `GABAB` (``gabab``): the slow metabotropic inhibition, modelled as GIRK
  channels opened by the receptor's G-protein drive: ``g`` is the GIRK
  conductance before rectification and the current has GIRK's potassium
  reversal and instantaneous inward rectification (`compartments.channels.GIRK`).
  Approximation: the G-protein cascade (Destexhe & Sejnowski 1995: receptor,
  G-protein, 4 binding sites) is replaced by the two-exponential time course
  it produces for a single release, so GABA_B summation is linear in the
  number of presynaptic spikes (the cascade's supralinear dependence on
  release intensity is not modelled).
"""

from types import MappingProxyType

from brian2 import meter, mmolar, ms, mV, volt

from .channels.base import Channel, parameter
from .channels.kca import GIRK, KIR_RECTIFICATION
from .mechanism import RegistryView

__all__ = ["Receptor", "AMPA", "NMDA", "GABAA", "GABAB", "registry", "receptor_class"]

_TAU_BOUNDS = (1e-3 * ms, None)
_GIRK = {p.name: p for p in GIRK.default_parameters}
_BBP_AMPANMDA = ("Blue Brain neocortical microcircuit synapse (Markram et al. 2015 Cell 163:456), "
                 "ProbAMPANMDA_EMS.mod (BlueBrain/bluepyopt-test mechanisms), 34 C")
_BBP_GABA = ("Blue Brain neocortical microcircuit synapse (Markram et al. 2015 Cell 163:456), "
             "ProbGABAAB_EMS.mod (BlueBrain/bluepyopt-test mechanisms), 34 C")
_JAHR_STEVENS = ("Jahr & Stevens 1990 J Neurosci 10:3178 (as in ModelDB 18198 nmda.mod mgblock, "
                 "BBP ProbAMPANMDA_EMS.mod, Brunel & Wang 2001)")


class Receptor(Channel):
    """Base class of synaptic receptors: difference-of-exponentials conductance, reversal ``E``.

    Subclasses set ``name``, ``default_parameters`` (``tau_rise``,
    ``tau_decay``, ``E`` at least) and may override `open_fraction` (a
    dimensionless factor of the conductance, e.g. the Mg block).
    """

    kind = "receptor"
    requires = MappingProxyType({"v": volt, "area": meter**2})
    increment = "x"
    conductance = "g"

    def __init__(self, **values):
        super().__init__(**values)
        rise, decay = self.value("tau_rise"), self.value("tau_decay")
        if not rise < decay:
            raise ValueError(f"The 'tau_rise' of receptor {type(self).__name__} must be shorter "
                             f"than its 'tau_decay'. Got tau_rise={rise!r}, "
                             f"tau_decay={decay!r}.")

    def open_fraction(self):
        """Dimensionless factor multiplying the conductance (1: none)."""
        return "1"

    def extra_equations(self):
        """More local equations (subexpressions) the current needs."""
        return ""

    def _equations(self):
        return f"""
        dx/dt = -x/tau_rise : siemens
        dg/dt = x*(1/tau_rise - 1/tau_decay) - g/tau_decay : siemens
        I = g*({self.open_fraction()})*(E - v)/area : amp/meter**2
        t_peak = tau_rise*tau_decay/(tau_decay - tau_rise)*log(tau_decay/tau_rise) : second
        peak_norm = 1/(exp(-t_peak/tau_decay) - exp(-t_peak/tau_rise)) : 1
        {self.extra_equations()}
        """


def _kinetics(rise, decay, E, source_kinetics, source_E):
    return (
        parameter("tau_rise", rise, source_kinetics, "rise time constant", bounds=_TAU_BOUNDS),
        parameter("tau_decay", decay, source_kinetics, "decay time constant",
                  bounds=_TAU_BOUNDS),
        parameter("E", E, source_E, "reversal potential"),
    )


class AMPA(Receptor):
    """AMPA receptor: fast excitatory conductance, reversal 0 mV."""

    name = "ampa"
    source = "see docs/synapses.md"
    default_parameters = _kinetics(
        0.2 * ms, 1.7 * ms, 0 * mV, _BBP_AMPANMDA, _BBP_AMPANMDA)


class GABAA(Receptor):
    """GABA_A receptor: fast chloride conductance, reversal -75 mV."""

    name = "gabaa"
    source = "see docs/synapses.md"
    default_parameters = _kinetics(
        0.2 * ms, 8.0 * ms, -80 * mV, _BBP_GABA, _BBP_GABA)


class NMDA(Receptor):
    """NMDA receptor: slow excitatory conductance with the Jahr & Stevens (1990) Mg block."""

    name = "nmda"
    source = "see docs/synapses.md"
    partial_currents = MappingProxyType({"ca": "I_ca"})
    default_parameters = _kinetics(
        0.29 * ms, 43.0 * ms, 0 * mV, _BBP_AMPANMDA, _BBP_AMPANMDA) + (
        parameter("mg", 1.0 * mmolar, f"{_BBP_AMPANMDA}; ModelDB 18198 nmda.mod (1 mM; CSF "
                  "0.8-1.2 mM)", "extracellular magnesium concentration",
                  bounds=(0 * mmolar, None)),
        parameter("mg_k", 3.57 * mmolar, _JAHR_STEVENS, "Mg dissociation constant at 0 mV",
                  bounds=(1e-6 * mmolar, None)),
        parameter("mg_slope", 0.062 / mV, _JAHR_STEVENS, "voltage dependence of the block"),
        parameter("frac_ca", 0.1, "Schneggenburger et al. 1993 Neuron 11:133 (fractional Ca "
                  "current of native NMDA receptors ~10% near -60 mV; Burnashev et al. 1995 "
                  "J Physiol 485:403: ~11%)",
                  "fraction of the current carried by calcium", bounds=(0.0, 1.0)),
    )

    def open_fraction(self):
        return "mg_block"

    def extra_equations(self):
        return """
        mg_block = 1/(1 + mg/mg_k*exp(-mg_slope*v)) : 1
        I_ca = frac_ca*I : amp/meter**2
        """


class GABAB(Receptor):
    """GABA_B receptor acting through GIRK channels (slow, potassium, inwardly rectifying).

    ``available`` is the fraction of the segment's GIRK channels not already opened by
    neuromodulators (1 without them): where a modulated group opens a `GIRK` channel in the
    same segment (5-HT1A, D2, M2), the modulation plan sets it to GIRK's closed fraction,
    so the two share one saturating pool of channels and occlude each other (Andrade,
    Malenka & Nicoll 1986 Science 234:1261: 5-HT and GABA_B receptors couple to the same
    K channels in hippocampal pyramidal cells).
    """

    name = "gabab"
    source = "see docs/synapses.md"
    ion = "k"
    default_parameters = _kinetics(
        60.0 * ms, 190.0 * ms, _GIRK["E"].value,
        "fitted here: the single-release response of the Destexhe & Sejnowski 1995 GABA_B "
        "kinetic model (ModelDB 18198 gabab.mod, fit to Otis et al. 1993 IPSCs) peaks at "
        "~102 ms and decays with tau ~190 ms (docs/synapse_sources.md 1b); tau_rise 60 ms "
        "puts the peak at 101 ms",
        _GIRK["E"].source) + (_GIRK["vshift"], _GIRK["k"], parameter(
            "available", 1.0, "1 unless neuromodulators open the segment's GIRK channels "
            "(set by the modulation plan; see the class docstring)",
            "fraction of the GIRK channels left to GABA_B", bounds=(0.0, 1.0)))

    def open_fraction(self):
        return "rectification*available"

    def extra_equations(self):
        return f"rectification = {KIR_RECTIFICATION} : 1"


registry = RegistryView(lambda cls: issubclass(cls, Receptor))


def receptor_class(name):
    """The receptor class for a short name (``'ampa'``) or class name (``'AMPA'``)."""
    if isinstance(name, type) and issubclass(name, Receptor):
        return name
    by_name = {cls.name: cls for cls in registry.values()}
    cls = (by_name.get(name.lower()) or registry.get(name)) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"Unknown receptor {name!r}; known receptors: {sorted(by_name)}.")
    return cls
