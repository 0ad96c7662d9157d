: Persistent Na current Nap_Et2 of Hay et al. 2011 (PLoS Comput Biol 7:e1002107), after
: Magistretti & Alonso 1999, written here from the published equations for the clamp
: cross-check of channels.NaP: Boltzmann steady states, tau_m six times that of NaTa_t,
: tau_h from the slow-inactivation rates; Q10 = 2.3 from 21 degC (follows celsius).
NEURON {
    SUFFIX napcheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.00172 (S/cm2) e = 50 (mV) }
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
    minf = 1/(1 + exp(-(v + 52.6)/4.6))
    am = 0.182*efun(-(v + 38), 6)
    bm = 0.124*efun(v + 38, 6)
    mtau = 6/(am + bm)/qt
    hinf = 1/(1 + exp((v + 48.8)/10))
    ah = 2.88e-6*efun(v + 17, 4.63)
    bh = 6.94e-6*efun(-(v + 64.4), 2.63)
    htau = 1/(ah + bh)/qt
    UNITSON
}
