"""Voltage-gated calcium currents: high-voltage-activated (HVA) and low-threshold T-type.

Both currents carry calcium (``ion = "ca"``): the engine adds them to the
compartment's ``I_ca`` and so to its `CalciumPool`, which a compartment with
either channel must have (it provides ``ca_i`` and ``ca_o``):

- `CaHVA` (``cahva``): the high-voltage-activated current ``m^2 h`` of Hay et
  al. 2011 (``Ca_HVA``, after Reuveni et al. 1993, neocortical layer 5
  pyramidal cells), carried by L-/N-/P/Q-type channels, with the Nernst
  reversal ``E_ca = R T/(2 F) ln(ca_o/ca_i)``, as in Hay's NEURON model: there
  ``CaDynamics_E2`` writes ``cai`` and ``eca`` is never set, so NEURON
  computes ``eca`` from ``cai``/``cao`` by Nernst at every step (131.06 mV at
  rest: cai = 1e-4 mM, cao = 2 mM, 34 °C; 121.9, 116.5 and 100.6 mV at
  0.2, 0.3 and 1 µM). ``ca_i`` then enters the pool equation non-linearly;
  the engine's updater advances such a state by exponential Euler on its
  linearisation (`compartments.integration`), and the resting-state solver
  starts the pool at ``ca_min``. Present in the soma and the apical "hot
  zone" of L5 pyramidal cells (Hay et al.) and in most cortical cells (BBP
  models reuse it).
- `CaT` (``cat``): the low-threshold, transient T-type current ``m^2 h`` of
  Destexhe et al. 1998 (after Huguenard & McCormick 1992 and Huguenard &
  Prince 1992) with a Goldman–Hodgkin–Katz (GHK) driving force and
  permeability ``pcabar``. It de-inactivates below about -80 mV and gives the
  rebound low-threshold spike of thalamic relay cells and of low-threshold
  spiking (SST/Martinotti) interneurons. GHK rather than a fixed E_Ca because
  the current is a permeation through a channel with a 10^4-fold
  concentration ratio: its reversal is far above any voltage the cell reaches
  and the current rectifies (inward current falls much less than linearly as
  v rises), which shapes the low-threshold spike; and it follows ``ca_i`` as
  the pool fills.

GHK current density for z = 2, inward positive, with u = z F v / (R T)::

    I = -pcabar m^2 h  z F (ca_i - ca_o exp(-u)) / exprel(-u)

(since v z^2 F^2/(R T) / (1 - exp(-u)) = z F / exprel(-u)), finite at v = 0.

References
----------
Hay E, Hill S, Schürmann F, Markram H, Segev I (2011) PLoS Comput Biol
7:e1002107, doi:10.1371/journal.pcbi.1002107; ModelDB 139653 (``Ca_HVA.mod``,
``L5PCbiophys3.hoc``).
Reuveni I, Friedman A, Amitai Y, Gutnick MJ (1993) J Neurosci 13:4609-4621.
Destexhe A, Neubig M, Ulrich D, Huguenard J (1998) J Neurosci 18:3574-3588;
ModelDB 279 (``ITGHK.mod``), as reused with Q10 2.5 for both gates (Amarillo
et al. 2014 J Neurophysiol 112:393) in ``TC_ITGHK_Des98.mod`` of the Blue Brain
thalamic cells (BlueBrain/BluePyOpt ``examples/thalamo-cortical-cell``).
Huguenard JR, McCormick DA (1992) J Neurophysiol 68:1373-1383.
"""

from types import MappingProxyType

from brian2 import cm, kelvin, meter, mmolar, msiemens, mV, second, siemens, volt

from .base import Channel, parameter

__all__ = ["CaHVA", "CaT"]

_HAY = "Hay et al. 2011 PLoS Comput Biol 7:e1002107"
_HAY_HVA = (f"{_HAY}, Ca_HVA.mod (ModelDB 139653), after Reuveni et al. 1993 "
            f"J Neurosci 13:4609")
_DESTEXHE = ("Destexhe et al. 1998 J Neurosci 18:3574, ITGHK.mod (ModelDB 279), "
             "after Huguenard & McCormick 1992 J Neurophysiol 68:1373")
_BBP_IT = ("TC_ITGHK_Des98.mod (BlueBrain/BluePyOpt examples/thalamo-cortical-cell): "
           "Destexhe 1998 kinetics with qm = qh = 2.5 from Amarillo et al. 2014 "
           "J Neurophysiol 112:393")
_CA_REQUIRES = MappingProxyType({"v": volt, "T": kelvin, "ca_i": mmolar, "ca_o": mmolar})


class CaHVA(Channel):
    """High-voltage-activated calcium current ``gbar m^2 h (E_ca - v)`` of Hay et al. 2011.

    ``E_ca = R T/(2 F) ln(ca_o/ca_i)`` is the Nernst potential of the
    compartment's calcium pool, as NEURON computes ``eca`` in Hay's model
    (no mechanism there writes ``eca``; see the module docstring), so the
    channel requires ``T``, ``ca_i`` and ``ca_o``. ``alpha_m`` is written
    ``0.209 / exprel(-(v + 27)/3.8)`` (0.209 = 0.055 * 3.8), with 3.8 mV as
    the fraction ``38*mV/10`` so that SymPy's ``expand`` keeps ``exprel``
    (see `compartments.channels.sodium`). Rates in 1/ms, v in mV (no
    temperature dependence in the source)::

        alpha_m = 0.055 (-27 - v) / (exp((-27 - v)/3.8) - 1)
        beta_m  = 0.94 exp((-75 - v)/17)
        alpha_h = 0.000457 exp((-13 - v)/50)
        beta_h  = 0.0065 / (exp((-v - 15)/28) + 1)
    """

    name = "cahva"
    ion = "ca"
    requires = _CA_REQUIRES
    reference_temperature = None  # Hay's rates carry no temperature factor
    q10 = None
    source = _HAY_HVA
    default_parameters = (
        parameter("gbar", 0.992 * msiemens / cm**2,
                  f"{_HAY}, somatic gCa_HVAbar_Ca_HVA = 0.000992 S/cm2 (L5PCbiophys3.hoc)",
                  "peak HVA calcium conductance density",
                  bounds=(0 * siemens / meter**2, None)),
    )

    def _equations(self):
        return """
        I = gbar*m**2*h*(E_ca - v) : amp/meter**2
        E_ca = gas_constant*T/(2*faraday)*log(ca_o/ca_i) : volt
        dm/dt = alpha_m*(1 - m) - beta_m*m : 1
        dh/dt = alpha_h*(1 - h) - beta_h*h : 1
        alpha_m = (0.209/ms)/exprel(-(v + 27*mV)/(38*mV/10)) : Hz
        beta_m = (0.94/ms)*exp(-(v + 75*mV)/(17*mV)) : Hz
        alpha_h = (0.000457/ms)*exp(-(v + 13*mV)/(50*mV)) : Hz
        beta_h = (0.0065/ms)/(exp(-(v + 15*mV)/(28*mV)) + 1) : Hz
        """


class CaT(Channel):
    """Low-threshold T-type calcium current ``pcabar m^2 h GHK(v, ca_i, ca_o)``.

    Destexhe et al. 1998 kinetics (``ITGHK.mod``), v in mV, times in ms at
    24 °C, with ``Vm = v + vshift``::

        m_inf = 1 / (1 + exp(-(Vm + 57)/6.2))
        h_inf = 1 / (1 + exp((Vm + 81)/4))
        tau_m = 0.612 + 1 / (exp(-(Vm + 132)/16.7) + exp((Vm + 16.8)/18.2))
        tau_h = exp((Vm + 467)/66.6)           if Vm < -80
                28 + exp(-(Vm + 22)/10.5)      otherwise

    The switch of ``tau_h`` at Vm = -80 mV is written as a 0.1 mV-wide
    ``tanh`` step (so that the equations stay differentiable for the resting
    state solver); it equals the two branches to better than 1e-8 more than
    1 mV away from -80 mV. Both gates scale with Q10 = 2.5 (Amarillo et al.
    2014, as in the Blue Brain thalamic model; Destexhe's file uses 5 for m
    and 3 for h).
    """

    name = "cat"
    ion = "ca"
    requires = _CA_REQUIRES
    reference_temperature = 24.0
    q10 = 2.5
    source = f"{_DESTEXHE}; Q10 as {_BBP_IT}"
    default_parameters = (
        parameter("pcabar", 0.2e-3 * cm / second,
                  f"{_DESTEXHE}, default pcabar = 0.2e-3 cm/s",
                  "maximum calcium permeability", bounds=(0 * meter / second, None)),
        parameter("vshift", 2 * mV,
                  f"{_DESTEXHE}, shift = 2 mV (screening charge of 2 mM external Ca)",
                  "shift of both gates' voltage dependence (Vm = v + vshift)"),
    )

    def _equations(self):
        return """
        I = -pcabar*m**2*h*2*faraday*(ca_i - ca_o*exp(-u_ghk))/exprel(-u_ghk) : amp/meter**2
        u_ghk = 2*faraday*v/(gas_constant*T) : 1
        dm/dt = phi*(m_inf - m)/tau_m : 1
        dh/dt = phi*(h_inf - h)/tau_h : 1
        m_inf = 1/(1 + exp(-(v + vshift + 57*mV)/(6.2*mV))) : 1
        h_inf = 1/(1 + exp((v + vshift + 81*mV)/(4*mV))) : 1
        tau_m = (0.612 + 1/(exp(-(v + vshift + 132*mV)/(16.7*mV))
                             + exp((v + vshift + 16.8*mV)/(18.2*mV))))*ms : second
        w_h = 0.5*(1 - tanh((v + vshift + 80*mV)/(0.1*mV))) : 1
        tau_h = (w_h*exp((v + vshift + 467*mV)/(66.6*mV))
                 + (1 - w_h)*(28 + exp(-(v + vshift + 22*mV)/(10.5*mV))))*ms : second
        """
