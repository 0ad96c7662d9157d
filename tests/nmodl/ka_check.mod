: A-type current of Hay et al. 2011 (PLoS Comput Biol 7:e1002107, K_Tst after Korngreen &
: Sakmann 2000), m^4 h with the -10 mV junction shift, rates at 21 degC and Q10 2.3;
: written here from the published expressions for the clamp cross-check of potassium.Ka.
NEURON {
    SUFFIX kacheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.0812 (S/cm2) e = -85 (mV) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) minf hinf taum (ms) tauh (ms) qt }
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar*m*m*m*m*h*(v - e)
}
INITIAL { rates(v) m = minf h = hinf }
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/taum
    h' = (hinf - h)/tauh
}
PROCEDURE rates(v (mV)) {
    LOCAL u
    qt = 2.3^((celsius - 21)/10)
    u = v + 10
    minf = 1/(1 + exp(-u/19))
    taum = (0.34 + 0.92*exp(-((u + 71)/59)*((u + 71)/59)))/qt
    hinf = 1/(1 + exp((u + 66)/10))
    tauh = (8 + 49*exp(-((u + 73)/23)*((u + 73)/23)))/qt
}
