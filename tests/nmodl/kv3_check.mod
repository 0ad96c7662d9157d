: Kv3.1 current of Hay et al. 2011 (PLoS Comput Biol 7:e1002107, SKv3_1, after Rettig et al.
: 1992), no temperature dependence; written here from the published expressions for the clamp
: cross-check of potassium.Kv3.
NEURON {
    SUFFIX kv3check
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, vshift
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.693 (S/cm2) e = -85 (mV) vshift = 0 (mV) }
ASSIGNED { v (mV) i (mA/cm2) minf taum (ms) }
STATE { m }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*(v - e)
}
INITIAL { rates(v) m = minf }
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/taum
}
PROCEDURE rates(v (mV)) {
    LOCAL u
    u = v - vshift
    minf = 1/(1 + exp((18.7 - u)/9.7))
    taum = 4/(1 + exp((-46.56 - u)/44.14))
}
