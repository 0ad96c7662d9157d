: Ih of Kole, Hallermann & Stuart 2006 (J Neurosci 26:1677) as used by Hay et al. 2011
: (Ih.mod): one activation gate, fixed reversal, no temperature dependence. Written here
: from the published rate equations for the clamp cross-check of channels.HCN.
NEURON {
    SUFFIX hcncheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.0002 (S/cm2) e = -45 (mV) }
ASSIGNED { v (mV) i (mA/cm2) minf mtau (ms) }
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - e)
}
INITIAL { rates(v) m = minf }
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}
FUNCTION efun(x, k) {
    : x/(exp(x/k) - 1), with its limit k at x = 0
    if (fabs(x/k) < 1e-6) { efun = k*(1 - x/k/2) } else { efun = x/(exp(x/k) - 1) }
}
PROCEDURE rates(v (mV)) {
    LOCAL am, bm
    UNITSOFF
    am = 0.00643*efun(v + 154.9, 11.9)
    bm = 0.193*exp(v/33.1)
    minf = am/(am + bm)
    mtau = 1/(am + bm)
    UNITSON
}
