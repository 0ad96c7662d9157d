"""Steady states and time constants of the calcium and Ca-/receptor-activated K channels.

Run from the repository root: ``PYTHONPATH=. python docs/channels/figures_calcium.py``.
Writes ``docs/channels/img/{cahva,cat,sk,sahp,girk}.png`` (docs/channels/calcium.md).
CaHVA, CaT and SK come from `channels.gate_kinetics`; SAHP from its rate
subexpressions evaluated by Brian2 (``gate_kinetics`` drops ``ca_i`` from a gate
whose closing rate does not depend on it; see the docs); GIRK has no gate and
is drawn from its current.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Equations, Network, NeuronGroup, cm, mM, ms, msiemens, mV

import compartments
from compartments import channels
from compartments.constants import PHYSICAL_CONSTANTS

IMG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "img")
CA = np.logspace(-5, -1.3, 300)  # mM


def _save(fig, name):
    fig.tight_layout()
    path = os.path.join(IMG, f"{name}.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def voltage_gated(channel, temperatures, title, window):
    v = np.linspace(-120.0, 50.0, 681) + 0.005  # off the removable singularity at -27 mV
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for celsius, style in zip(temperatures, ("-", ":")):
        kin = channels.gate_kinetics(channel, v * mV, celsius=celsius)
        for g, color in zip(("m", "h"), ("C0", "C1")):
            if style == "-":
                left.plot(v, kin[f"{g}_inf"], color=color, label=f"{g}$_\\infty$")
            where = f", {celsius:g} °C" if len(temperatures) > 1 else ""
            right.plot(v, kin[f"tau_{g}_ms"], style, color=color, label=f"$\\tau_{g}${where}")
        if style == "-":
            left.plot(v, kin.m_inf ** 2 * kin.h_inf, "k--", lw=1, label=window)
    left.set_xlabel("v (mV)")
    left.set_ylabel("steady state")
    left.legend(fontsize=8)
    right.set_yscale("log")
    right.set_xlabel("v (mV)")
    right.set_ylabel("time constant (ms)")
    right.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    _save(fig, channel.name)


def sk():
    z_inf = [float(channels.gate_kinetics(channels.SK(), np.array([-60.0]) * mV,
                                          ca_i=c * mM).z_inf.iloc[0]) for c in CA]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.semilogx(CA * 1e3, z_inf, label="z$_\\infty$ (voltage independent)")
    ax.axvline(0.43, color="k", lw=0.5, ls=":")
    ax.set_xlabel("ca$_i$ (µM)")
    ax.set_ylabel("steady state")
    ax.legend(fontsize=8, title="$\\tau_z$ = 1 ms", title_fontsize=8)
    ax.set_title("SK (Hay et al. 2011 SK_E2, after Köhler et al. 1996)", fontsize=10)
    _save(fig, "sk")


def sahp():
    channel = channels.SAHP()
    eqs = channel.equations() + Equations("v : volt (constant)\nca_i : mmolar (constant)")
    group = NeuronGroup(len(CA), eqs, method="exponential_euler",
                        namespace=dict(PHYSICAL_CONSTANTS))
    for p in channel.parameters.values():
        setattr(group, p.name + "_", float(np.asarray(p.value)))
    group.ca_i = CA * mM
    Network(group).run(0 * ms)
    alpha = np.asarray(group.alpha_q_) / 1e3  # 1/ms
    beta = float(channel.value("beta_q") * ms)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.semilogx(CA * 1e3, alpha / (alpha + beta), label="q$_\\infty$")
    left.set_xlabel("ca$_i$ (µM)")
    left.set_ylabel("steady state")
    left.legend(fontsize=8)
    right.semilogx(CA * 1e3, 1 / (alpha + beta), label="$\\tau_q$")
    right.set_xlabel("ca$_i$ (µM)")
    right.set_ylabel("time constant (ms)")
    right.legend(fontsize=8)
    fig.suptitle("sAHP (Traub et al. 1991 q gate, ca_half = 1 µM)", fontsize=10)
    _save(fig, "sahp")


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
    sk()
    sahp()
    girk()


if __name__ == "__main__":
    main()
