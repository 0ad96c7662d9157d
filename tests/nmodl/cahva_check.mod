: High-voltage-activated Ca current of Hay et al. 2011 (Ca_HVA, after Reuveni et al. 1993),
: written here from the published rate functions, for the clamp cross-check of CaHVA.
: The reversal is NEURON's eca, as in Hay's Ca_HVA.mod: no mechanism writes it, so NEURON
: computes it by Nernst from cai, cao and celsius. cai is read only for that: with READ eca
: alone NEURON treats eca as a parameter (ion_style e_style 1, default 132.458 mV); reading cai
: makes it compute eca at finitialize (einit). In Hay's model CaDynamics_E2 writes cai, which
: also recomputes eca at every step (eadvance); the clamp holds cai fixed, so einit suffices.
NEURON {
    SUFFIX cahvacheck
    USEION ca READ cai, eca WRITE ica
    RANGE gbar
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S) = (siemens)
    (mM) = (milli/liter)
}
PARAMETER {
    gbar = 0.000992 (S/cm2)
}
ASSIGNED { v (mV) cai (mM) eca (mV) ica (mA/cm2) am (/ms) bm (/ms) ah (/ms) bh (/ms) }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = gbar*m*m*h*(v - eca)
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
