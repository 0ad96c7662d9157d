: High-voltage-activated Ca current of Hay et al. 2011 (Ca_HVA, after Reuveni et al. 1993),
: written here from the published rate functions, with a fixed reversal e, for the clamp
: cross-check of CaHVA.
NEURON {
    SUFFIX cahvacheck
    USEION ca WRITE ica
    RANGE gbar, e
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
}
PARAMETER {
    gbar = 0.000992 (S/cm2)
    e = 131 (mV)
}
ASSIGNED { v (mV) ica (mA/cm2) am (/ms) bm (/ms) ah (/ms) bh (/ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*h*(v - e)
}
INITIAL { rates(v) m = am/(am + bm) h = ah/(ah + bh) }
DERIVATIVE states {
    rates(v)
    m' = am*(1 - m) - bm*m
    h' = ah*(1 - h) - bh*h
}
PROCEDURE rates(v (mV)) { LOCAL x
    UNITSOFF
    x = (-27 - v)/3.8
    if (fabs(x) < 1e-6) { am = 0.055*3.8*(1 - x/2) } else { am = 0.055*(-27 - v)/(exp(x) - 1) }
    bm = 0.94*exp((-75 - v)/17)
    ah = 0.000457*exp((-13 - v)/50)
    bh = 0.0065/(exp((-v - 15)/28) + 1)
    UNITSON
}
