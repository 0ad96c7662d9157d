"""Steady states and time constants of the potassium channels (docs/channels/potassium.md).

Run from the repository root: ``PYTHONPATH=. python docs/channels/figures_potassium.py``.
Writes ``docs/channels/img/{kdr,kv3,kv1,km,ka}.png`` from `channels.gate_kinetics`.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from brian2 import mV  # noqa: E402

from compartments import channels  # noqa: E402

IMG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "img")

# channel, temperature of the plot (°C), title; the open-probability curve is drawn dashed
FIGURES = [
    (channels.Kdr(), 36.0, "Kdr (Pospischil et al. 2008 I_Kd, VT = -55 mV), 36 °C",
     ("n_inf^4", lambda k: k.n_inf ** 4)),
    (channels.Kv3(), 34.0, "Kv3 (Hay et al. 2011 SKv3_1), temperature independent", None),
    (channels.Kv1(), 34.0, "Kv1 / D-type (Golomb et al. 2007), temperature independent",
     ("a_inf^3 b_inf", lambda k: k.a_inf ** 3 * k.b_inf)),
    (channels.Km(), 36.0, "Km / M-current (Pospischil et al. 2008 I_M), 36 °C", None),
    (channels.Ka(), 34.0, "Ka / A-type (Hay et al. 2011 K_Tst), 34 °C",
     ("m_inf^4 h_inf", lambda k: k.m_inf ** 4 * k.h_inf)),
]


def plot(channel, celsius, title, window, path):
    v = np.linspace(-120.0, 50.0, 681)
    kin = channels.gate_kinetics(channel, v * mV, celsius=celsius)
    gates = [c[:-4] for c in kin.columns if c.endswith("_inf")]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for g in gates:
        left.plot(v, kin[f"{g}_inf"], label=f"{g}$_\\infty$")
        right.plot(v, kin[f"tau_{g}_ms"], label=f"$\\tau_{g}$")
    if window is not None:
        label, curve = window
        left.plot(v, curve(kin), "k--", lw=1, label=label)
    left.set_xlabel("v (mV)")
    left.set_ylabel("steady state")
    left.legend(fontsize=8)
    right.set_yscale("log")
    right.set_xlabel("v (mV)")
    right.set_ylabel("time constant (ms)")
    right.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    os.makedirs(IMG, exist_ok=True)
    for channel, celsius, title, window in FIGURES:
        path = os.path.join(IMG, f"{channel.name}.png")
        plot(channel, celsius, title, window, path)
        print(path)


if __name__ == "__main__":
    main()
