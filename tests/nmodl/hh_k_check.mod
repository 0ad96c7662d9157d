: Hodgkin & Huxley 1952 potassium current, written here from the paper's equations
: (voltage axis shifted to rest = -65 mV, as NEURON's hh) for the clamp cross-check of HHK.
NEURON {
    SUFFIX hhkcheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.036 (S/cm2) e = -77 (mV) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) an (/ms) bn (/ms) phi }
STATE { n }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*n*n*n*n*(v - e)
}
INITIAL { rates(v) n = an/(an + bn) }
DERIVATIVE states {
    rates(v)
    n' = (an*(1 - n) - bn*n)*phi
}
PROCEDURE rates(v (mV)) {
    LOCAL x
    x = -(v + 55)/10
    if (fabs(x) < 1e-6) { an = 0.1*(1 - x/2) } else { an = 0.01*(v + 55)/(1 - exp(x)) }
    bn = 0.125*exp(-(v + 65)/80)
    phi = 3^((celsius - 6.3)/10)
}
