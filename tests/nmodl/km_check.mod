: Slow M-current of Pospischil et al. 2008 (Biol Cybern 99:427, I_M): first-order p,
: tau_p = tau_max/(3.3 exp((v+35)/20) + exp(-(v+35)/20)), Q10 2.3 about 36 degC; written
: here from the paper for the clamp cross-check of potassium.Km.
NEURON {
    SUFFIX kmcheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, taumax
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.00007 (S/cm2) e = -100 (mV) taumax = 1000 (ms) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) pinf taup (ms) tadj }
STATE { p }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*p*(v - e)
}
INITIAL { rates(v) p = pinf }
DERIVATIVE states {
    rates(v)
    p' = (pinf - p)/taup
}
PROCEDURE rates(v (mV)) {
    LOCAL x
    tadj = 2.3^((celsius - 36)/10)
    x = (v + 35)/20
    pinf = 1/(1 + exp(-2*x))
    taup = taumax/(3.3*exp(x) + exp(-x))/tadj
}
