: Low-threshold T-type Ca current of Destexhe et al. 1998 (after Huguenard & McCormick 1992)
: with a GHK driving force, written here from the published kinetics (m2h, shift, tau_h
: switching at Vm = -80 mV) with one Q10 for both gates, for the clamp cross-check of CaT.
NEURON {
    SUFFIX catcheck
    USEION ca READ cai, cao WRITE ica
    RANGE pcabar, shift, q10
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
}
PARAMETER {
    pcabar = 0.2e-3 (cm/s)
    shift = 2 (mV)
    q10 = 2.5
}
ASSIGNED {
    v (mV) ica (mA/cm2) cai (mM) cao (mM) celsius (degC)
    minf hinf taum (ms) tauh (ms) phi
}
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ica = pcabar*m*m*h*ghk(v, cai, cao)
}
INITIAL { rates(v) m = minf h = hinf }
DERIVATIVE states {
    rates(v)
    m' = phi*(minf - m)/taum
    h' = phi*(hinf - h)/tauh
}
FUNCTION ghk(v (mV), ci (mM), co (mM)) (.001 coul/cm3) { LOCAL u, w
    : z F (ci - co exp(-u)) u/(1 - exp(-u)), u = z F v/(R T), z = 2 (outward positive)
    UNITSOFF
    u = 2*96485.33212*v*0.001/(8.314462618*(celsius + 273.15))
    if (fabs(u) < 1e-6) { w = 1 + u/2 } else { w = u/(1 - exp(-u)) }
    ghk = 0.001*2*96485.33212*(ci - co*exp(-u))*w
    UNITSON
}
PROCEDURE rates(v (mV)) { LOCAL vm
    UNITSOFF
    phi = q10^((celsius - 24)/10)
    vm = v + shift
    minf = 1/(1 + exp(-(vm + 57)/6.2))
    hinf = 1/(1 + exp((vm + 81)/4))
    taum = 0.612 + 1/(exp(-(vm + 132)/16.7) + exp((vm + 16.8)/18.2))
    if (vm < -80) { tauh = exp((vm + 467)/66.6) } else { tauh = 28 + exp(-(vm + 22)/10.5) }
    UNITSON
}
