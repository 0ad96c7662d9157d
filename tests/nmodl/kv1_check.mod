: D-type (Kv1) current of Golomb et al. 2007 (PLoS Comput Biol 3:e156, Methods): a^3 b with
: Boltzmann steady states and constant time constants, no temperature dependence; written here
: from the paper for the clamp cross-check of potassium.Kv1.
NEURON {
    SUFFIX kv1check
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER {
    gbar = 0.00039 (S/cm2) e = -90 (mV)
    theta_a = -50 (mV) sigma_a = 20 (mV) tau_a = 2 (ms)
    theta_b = -70 (mV) sigma_b = -6 (mV) tau_b = 150 (ms)
}
ASSIGNED { v (mV) i (mA/cm2) ainf binf }
STATE { a b }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*a*a*a*b*(v - e)
}
INITIAL { rates(v) a = ainf b = binf }
DERIVATIVE states {
    rates(v)
    a' = (ainf - a)/tau_a
    b' = (binf - b)/tau_b
}
PROCEDURE rates(v (mV)) {
    ainf = 1/(1 + exp((theta_a - v)/sigma_a))
    binf = 1/(1 + exp((theta_b - v)/sigma_b))
}
