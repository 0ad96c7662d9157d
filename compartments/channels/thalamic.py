"""Thalamic relay-cell Ih: the hyperpolarisation-activated cation current of TC neurons.

`IhTC` (``ihtc``) is the Ih of thalamocortical relay neurons as the Blue
Brain thalamic models write it (``TC_ih_Bud97.mod``, BlueBrain/BluePyOpt
``examples/vbtc/mechanisms``): one activation gate, ``I = gbar m (E - v)``,
with the steady state of Budde et al. 1997 and the time constant of
Huguenard & McCormick 1992 (v in mV, ms)::

    m_inf = 1 / (1 + exp((v + 86.4)/11.2))
    tau_m = 1 / (exp(-14.59 - 0.086 v) + exp(-1.87 + 0.0701 v))

at 34 °C with Q10 = 4 (Santoro et al. 2000). It activates about 10 mV more
negative and an order of magnitude more slowly than the cortical `HCN`
(Kole et al. 2006), and together with the T current sets the rebound and
the slow oscillations of TC cells (McCormick & Pape 1990). The
calcium-dependent up-regulation of Destexhe et al. 1996 (``iar.mod``) is not
included.

References
----------
Huguenard JR, McCormick DA (1992) J Neurophysiol 68:1373-1383.
Budde T, White JA, Kay AR (1997) J Neurophysiol 78:1213 (not re-read; via the mod file).
Santoro B et al. (2000) J Neurosci 20:5264 (Q10; via the mod file).
Destexhe A, Bal T, McCormick DA, Sejnowski TJ (1996) J Neurophysiol 76:2049.
"""

from brian2 import cm, meter, mV, siemens

from .base import Channel, parameter

__all__ = ["IhTC"]

_BBP = ("TC_ih_Bud97.mod (BlueBrain/BluePyOpt examples/vbtc/mechanisms): m_inf after Budde "
        "et al. 1997 J Neurophysiol 78:1213, tau_m after Huguenard & McCormick 1992 "
        "J Neurophysiol 68:1373")


class IhTC(Channel):
    """Thalamocortical Ih ``gbar m (E - v)`` (Budde 1997 steady state, Huguenard &
    McCormick 1992 time constant), Q10 4 about 34 °C."""

    name = "ihtc"
    ion = "h"
    reference_temperature = 34.0
    q10 = 4.0
    source = _BBP
    default_parameters = (
        parameter("gbar", 2.2e-5 * siemens / cm**2, f"{_BBP}: gh_max = 2.2e-5 S/cm2",
                  "peak Ih conductance density", bounds=(0 * siemens / meter**2, None)),
        parameter("E", -43 * mV, f"{_BBP}: e_h = -43 mV", "Ih reversal potential (mixed Na/K)"),
        parameter("vshift", 0 * mV, "0 mV: no shift in TC_ih_Bud97.mod's defaults",
                  "shift of every voltage dependence (positive: depolarised)"),
    )

    def _equations(self):
        return """
        I = gbar*m*(E - v) : amp/meter**2
        dm/dt = phi*(m_inf - m)/tau_m : 1
        m_inf = 1/(1 + exp((v - vshift + 86.4*mV)/(11.2*mV))) : 1
        tau_m = 1*ms/(exp(-14.59 - 0.086*(v - vshift)/mV) + exp(-1.87 + 0.0701*(v - vshift)/mV)) : second
        """
