: Fast-inactivating Na current NaTa_t of Hay et al. 2011 (PLoS Comput Biol 7:e1002107), after
: Colbert & Pan 2002, written here from the published rate equations for the clamp cross-check
: of channels.NaTa. Unlike the original file (qt fixed for 34 degC), the Q10 of 2.3 from 21 degC
: follows NEURON's celsius.
NEURON {
    SUFFIX natacheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 2.04 (S/cm2) e = 50 (mV) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) minf hinf mtau (ms) htau (ms) qt }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*m*m*h*(v - e)
}
INITIAL { rates(v) m = minf h = hinf }
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}
FUNCTION efun(x, k) {
    : x/(exp(x/k) - 1), with its limit k at x = 0
    if (fabs(x/k) < 1e-6) { efun = k*(1 - x/k/2) } else { efun = x/(exp(x/k) - 1) }
}
PROCEDURE rates(v (mV)) {
    LOCAL am, bm, ah, bh
    UNITSOFF
    qt = 2.3^((celsius - 21)/10)
    am = 0.182*efun(-(v + 38), 6)
    bm = 0.124*efun(v + 38, 6)
    ah = 0.015*efun(v + 66, 6)
    bh = 0.015*efun(-(v + 66), 6)
    minf = am/(am + bm)
    mtau = 1/(am + bm)/qt
    hinf = ah/(ah + bh)
    htau = 1/(ah + bh)/qt
    UNITSON
}
