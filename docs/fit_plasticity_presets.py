"""Fit the CA1 presets' free values to the means Brzosko et al. 2015 and 2017 report.

The values marked "fitted" in `compartments.stdp_presets` (CA1_Brzosko2015: A_plus, A_minus,
DA_reverses_ltd, tau_trace = tau_conversion; CA1_Brzosko2017: its own A_plus and the M1 EC50
at the synapse, the rest from the 2015 fit) minimise sum(((model - paper) / s.e.m.)^2) over the
outcomes that state a mean ± s.e.m. (`Outcome.percent`, `Outcome.sem`), with
scipy.optimize.least_squares on log parameters.

The model is evaluated in closed form: with pairings 5 s apart and |Δt| <= 50 ms a pairing
only sees its own partner (exp(-5 s / 34 ms) = 0), so each pairing writes A exp(-|Δt|/tau)
into the traces at its coincidence; between coincidences and modulator steps every gain is
constant and the consumed conversion is exact (dc/dt = -c/tau - |k| c/tau_conversion,
dw/dt = k c/tau_conversion). `--check` runs the simulator (`Preset.run`, numpy) with the
fitted values and prints both.

Run: PYTHONPATH=. python docs/fit_plasticity_presets.py [--check]   (fit: seconds; check:
about 2 min on a loaded 2-core machine)
"""

import argparse
import dataclasses

import numpy as np
from brian2 import ms, uM
from scipy.optimize import least_squares

from compartments.analysis.modulated_pairing import _Schedule
from compartments.stdp_presets import PRESETS, with_reported

FREE = {"CA1_Brzosko2015": ("A_plus", "A_minus", "DA_reverses_ltd", "tau_trace"),
        "CA1_Brzosko2017": ("A_plus", "ACh_ec50")}
# These means identify only A / tau_conversion (a slower conversion with larger amplitudes
# fits them as well), so the conversion is tied to the trace: without a modulator half of a
# trace is expressed and half decays (assumed here).
TIED = {"tau_conversion": "tau_trace"}


def closed_form(preset, values, weight=0.5):
    """% change (100 Δw / w) of every condition x Δt of the preset's first experiment."""
    rule = preset.build_rule(values, "occupancy")
    exp = preset.experiments[0]
    schedule = _Schedule(np.asarray(exp.dts_ms) * ms, exp.n_pairings, exp.period,
                         exp.conditions, exp.after, "closed_form")
    tau = {"ltp": float(rule.tau_ltp), "ltd": float(rule.tau_ltd)}
    tau_c = float(rule.tau_conversion)
    rows = []
    for name, apps in exp.conditions.items():
        steps = [(a.modulator, *schedule.windows(a), a.level) for a in apps]
        for dt in schedule.dts:
            rows.append(dict(condition=name, dt_ms=dt * 1e3,
                             change_percent=100 * (_weight(rule, steps, schedule, dt, tau, tau_c,
                                                           weight) / weight - 1)))
    import pandas as pd

    return pd.DataFrame(rows)


def _signals(rule, steps, t):
    levels = {}
    for modulator, on, off, level in steps:
        if on <= t < off:
            levels[modulator] = levels.get(modulator, 0 * uM) + level
    return {k: s.value(levels.get(s.modulator, 0 * uM)) for k, s in rule.signals.items()}


def _weight(rule, steps, schedule, dt, tau, tau_c, w):
    post = schedule.first + schedule.period * np.arange(schedule.n)
    coincidences = post if dt > 0 else post - dt          # LTP at the post spike, LTD at pre
    amplitude = (rule.A_plus * np.exp(-dt / float(rule.tau_plus)) if dt > 0
                 else rule.A_minus * np.exp(dt / float(rule.tau_minus)))
    edges = sorted({*coincidences, schedule.end,
                    *[t for _, on, off, _ in steps for t in (on, off) if np.isfinite(t)]})
    c = {"ltp": 0.0, "ltd": 0.0}
    now = 0.0
    hits = set(np.round(coincidences, 9))
    for edge in edges:
        if edge > schedule.end:
            break
        span = edge - now
        if span > 0:
            g = _signals(rule, steps, now + span / 2)
            for branch, sign in (("ltp", 1.0), ("ltd", -1.0)):
                k = rule.gain(f"convert_{branch}").value(**g)
                r = 1 / tau[branch] + (abs(k) / tau_c if rule.consume else 0.0)
                w += sign * k * c[branch] * (1 - np.exp(-r * span)) / (r * tau_c)
                c[branch] *= np.exp(-r * span)
        now = edge
        if round(edge, 9) in hits:
            g = _signals(rule, steps, edge)
            own, other = ("ltp", "ltd") if dt > 0 else ("ltd", "ltp")
            c[own] += amplitude * rule.gain(f"{own}_trace").value(**g)
            c[other] += amplitude * rule.gain(f"{own}_to_{other}").value(**g)
    return w     # unclipped (a clipped residual has no gradient); report() shows the bounds


def residuals(preset, values):
    out = with_reported(closed_form(preset, values), preset.experiments[0].outcomes)
    out = out[out.reported_percent.notna()]
    return ((out.change_percent - (out.reported_percent - 100)) / out.reported_sem).to_numpy()


def fit(name, start=None):
    preset = PRESETS[name]
    values = {k: c.value for k, c in preset.values.items()}
    values.update(start or {})
    free = FREE[name]
    x0 = np.log([float(values[k]) for k in free])
    units = {k: values[k] / float(values[k]) for k in free}

    def unpack(x):
        out = {**values, **{k: float(np.exp(v)) * units[k] for k, v in zip(free, x)}}
        return {**out, **{k: out[v] for k, v in TIED.items()}}

    result = least_squares(lambda x: residuals(preset, unpack(x)), x0, x_scale=1.0)
    return unpack(result.x), result


def report(name, values, simulate=False):
    preset = dataclasses.replace(PRESETS[name], values={
        k: dataclasses.replace(c, value=values[k]) for k, c in PRESETS[name].values.items()})
    out = with_reported(closed_form(preset, values), preset.experiments[0].outcomes)
    if simulate:
        out["simulated"] = preset.run().change_percent.to_numpy()
    out = out[out.reported_sign.notna()]
    print(out.round(1).to_string(index=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="also run the simulator")
    args = parser.parse_args()
    fitted15, r15 = fit("CA1_Brzosko2015")
    print("CA1_Brzosko2015:", {k: fitted15[k] for k in (*FREE["CA1_Brzosko2015"], *TIED)},
          f"chi2 {2 * r15.cost:.2f} on {r15.fun.size} means")
    report("CA1_Brzosko2015", fitted15, args.check)
    shared = {k: fitted15[k] for k in (*FREE["CA1_Brzosko2015"], *TIED) if k != "A_plus"}
    fitted17, r17 = fit("CA1_Brzosko2017", shared)
    print("CA1_Brzosko2017:", {k: fitted17[k] for k in FREE["CA1_Brzosko2017"]},
          f"chi2 {2 * r17.cost:.2f} on {r17.fun.size} means")
    report("CA1_Brzosko2017", fitted17, args.check)


if __name__ == "__main__":
    main()
