"""Steady states and time constants of the calcium and Ca-/receptor-activated K channels.

Run from the repository root: ``PYTHONPATH=. python docs/channels/figures_calcium.py``.
Writes ``docs/channels/img/{cahva,cat,sk,sahp,girk}.png`` (docs/channels/calcium.md).
CaHVA, CaT, SK and SAHP come from `channels.gate_kinetics` (via
`compartments.plotting` for the voltage-gated ones); GIRK has no gate and is
drawn from its current.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import cm, mM, ms, msiemens, mV

import compartments
from compartments import channels, plotting

IMG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "img")
CA = np.logspace(-5, -1.3, 300)  # mM


def _save(fig, name):
    fig.tight_layout()
    path = os.path.join(IMG, f"{name}.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def voltage_gated(channel, temperatures, title, window):
    v = (np.linspace(-120.0, 50.0, 681) + 0.005) * mV  # off the removable singularity at -27 mV
    plotting.gate_kinetics_figure(channel, v, temperatures, title,
                                  (window, lambda k: k.m_inf ** 2 * k.h_inf),
                                  os.path.join(IMG, f"{channel.name}.png"))


def calcium_gate(channel, gate, rate_note, title, name):
    """Steady state and time constant of a calcium-gated gate against ca_i (at -60 mV)."""
    kin = [channels.gate_kinetics(channel, np.array([-60.0]) * mV, ca_i=c * mM) for c in CA]
    x_inf = [float(k[f"{gate}_inf"].iloc[0]) for k in kin]
    tau = [float(k[f"tau_{gate}_ms"].iloc[0]) for k in kin]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.semilogx(CA * 1e3, x_inf, label=f"{gate}$_\\infty$ (voltage independent)")
    left.set_xlabel("ca$_i$ (µM)")
    left.set_ylabel("steady state")
    left.legend(fontsize=8)
    right.semilogx(CA * 1e3, tau, label=f"$\\tau_{gate}$ {rate_note}")
    right.set_xlabel("ca$_i$ (µM)")
    right.set_ylabel("time constant (ms)")
    right.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    _save(fig, name)


def girk():
    v = np.linspace(-140.0, -20.0, 240) + 0.25  # off v = E, where the chord is 0/0
    clamp = channels.voltage_clamp(channels.GIRK(activation=1.0), v * mV, -70 * mV, 0.1 * ms,
                                   dt=0.1 * ms)
    current = clamp[clamp.t_ms == 0].I_uA_per_cm2.to_numpy()
    gbar = float(channels.GIRK().value("gbar") / (msiemens / cm**2))
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.plot(v, current / (gbar * (-90.0 - v)), label="g / gbar (activation 1)")
    left.set_xlabel("v (mV)")
    left.set_ylabel("relative chord conductance")
    left.legend(fontsize=8)
    right.plot(v, current, label="I (inward +), activation 1")
    right.axhline(0, color="k", lw=0.5)
    right.set_xlabel("v (mV)")
    right.set_ylabel("current density (µA/cm²)")
    right.legend(fontsize=8)
    fig.suptitle("GIRK (Sanders et al. 2013 KIR rectification, E = -90 mV)", fontsize=10)
    _save(fig, "girk")


def main():
    os.makedirs(IMG, exist_ok=True)
    compartments.backends.use("numpy")
    voltage_gated(channels.CaHVA(), (34.0,),
                  "CaHVA (Hay et al. 2011 Ca_HVA), temperature independent",
                  "m$_\\infty^2$h$_\\infty$")
    voltage_gated(channels.CaT(), (36.0, 24.0),
                  "CaT (Destexhe et al. 1998, shift 2 mV), Q10 2.5 from 24 °C",
                  "m$_\\infty^2$h$_\\infty$")
    calcium_gate(channels.SK(), "z", "", "SK (Hay et al. 2011 SK_E2, after Köhler et al. 1996)",
                 "sk")
    calcium_gate(channels.SAHP(), "q", "", "sAHP (Traub et al. 1991 q gate, ca_half = 1 µM)",
                 "sahp")
    girk()


if __name__ == "__main__":
    main()
