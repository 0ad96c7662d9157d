: Traub-Miles delayed rectifier in the form of Pospischil et al. 2008 (Biol Cybern 99:427),
: I_Kd with threshold shift VT, Q10 3 about 36 degC (as their HH_traub.mod), written here
: from the paper's equations for the clamp cross-check of potassium.Kdr.
NEURON {
    SUFFIX kdrcheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, vt
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.005 (S/cm2) e = -100 (mV) vt = -55 (mV) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) an (/ms) bn (/ms) tadj }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*n*n*n*n*(v - e)
}
INITIAL { rates(v) n = an/(an + bn) }
DERIVATIVE states {
    rates(v)
    n' = (an*(1 - n) - bn*n)*tadj
}
PROCEDURE rates(v (mV)) {
    LOCAL u
    u = v - vt - 15
    if (fabs(u) < 1e-6) { an = 0.032*5*(1 + u/10) } else { an = 0.032*u/(1 - exp(-u/5)) }
    bn = 0.5*exp(-(v - vt - 10)/40)
    tadj = 3^((celsius - 36)/10)
}
