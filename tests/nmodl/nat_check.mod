: Transient Na current of Pospischil et al. 2008 (Biol Cybern 99:427): Traub & Miles 1991
: rate functions in the shifted voltage v - vt, Q10 = 3 from 36 degC, written here from the
: published rate equations for the clamp cross-check of channels.NaT.
NEURON {
    SUFFIX natcheck
    NONSPECIFIC_CURRENT i
    RANGE gbar, e, vt
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { gbar = 0.05 (S/cm2) e = 50 (mV) vt = -55 (mV) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) minf hinf mtau (ms) htau (ms) tadj }
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
    LOCAL u, am, bm, ah, bh
    UNITSOFF
    u = v - vt
    tadj = 3^((celsius - 36)/10)
    am = 0.32*efun(13 - u, 4)
    bm = 0.28*efun(u - 40, 5)
    ah = 0.128*exp((17 - u)/18)
    bh = 4/(1 + exp((40 - u)/5))
    minf = am/(am + bm)
    mtau = 1/(am + bm)/tadj
    hinf = ah/(ah + bh)
    htau = 1/(ah + bh)/tadj
    UNITSON
}
