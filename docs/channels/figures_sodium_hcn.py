"""Steady states and time constants of the sodium channels and Ih (docs/channels/sodium_hcn.md).

Run from the repository root: ``PYTHONPATH=. python docs/channels/figures_sodium_hcn.py``.
Writes ``docs/channels/img/{nat,nata,nap,hcn}.png`` from `channels.gate_kinetics`.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from brian2 import mV  # noqa: E402

from compartments import channels  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = os.path.join(HERE, "img")

# channel, temperature (°C) of the plot, voltage range (mV), title
FIGURES = [
    (channels.NaT(), 36.0, (-100, 40), "NaT (Pospischil et al. 2008, VT = -55 mV), 36 °C"),
    (channels.NaTa(), 34.0, (-100, 40), "NaTa (Hay et al. 2011 NaTa_t), 34 °C"),
    (channels.NaP(), 34.0, (-100, 40), "NaP (Hay et al. 2011 Nap_Et2), 34 °C"),
    (channels.HCN(), 34.0, (-160, -20), "HCN / Ih (Kole et al. 2006, Hay et al. 2011), any °C"),
]


def plot(channel, celsius, span, title, path):
    v = np.linspace(span[0], span[1], 561)
    kin = channels.gate_kinetics(channel, v * mV, celsius=celsius)
    gates = [c[:-4] for c in kin.columns if c.endswith("_inf")]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for g in gates:
        left.plot(v, kin[f"{g}_inf"], label=f"{g}$_\\infty$")
        right.plot(v, kin[f"tau_{g}_ms"], label=f"$\\tau_{g}$")
    if channel.name in ("nat", "nata", "nap"):
        window = kin["m_inf"] ** 3 * kin["h_inf"]
        left.plot(v, window, "k--", lw=1, label="m$_\\infty^3$h$_\\infty$")
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
    for channel, celsius, span, title in FIGURES:
        path = os.path.join(IMG, f"{channel.name}.png")
        plot(channel, celsius, span, title, path)
        print(path)


if __name__ == "__main__":
    main()
