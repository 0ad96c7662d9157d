"""Steady states and time constants of the sodium channels and Ih (docs/channels/sodium_hcn.md).

Run from the repository root: ``PYTHONPATH=. python docs/channels/figures_sodium_hcn.py``.
Writes ``docs/channels/img/{nat,nata,nap,hcn}.png`` from `channels.gate_kinetics`.
"""

import os

import numpy as np
from brian2 import mV

from compartments import channels, plotting

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = os.path.join(HERE, "img")

# channel, temperature (°C) of the plot, voltage range (mV), title
FIGURES = [
    (channels.NaT(), 36.0, (-100, 40), "NaT (Pospischil et al. 2008, VT = -55 mV), 36 °C"),
    (channels.NaTa(), 34.0, (-100, 40), "NaTa (Hay et al. 2011 NaTa_t), 34 °C"),
    (channels.NaP(), 34.0, (-100, 40), "NaP (Hay et al. 2011 Nap_Et2), 34 °C"),
    (channels.HCN(), 34.0, (-160, -20), "HCN / Ih (Kole et al. 2006, Hay et al. 2011), any °C"),
]


def main():
    os.makedirs(IMG, exist_ok=True)
    for channel, celsius, span, title in FIGURES:
        path = os.path.join(IMG, f"{channel.name}.png")
        window = (("m$_\\infty^3$h$_\\infty$", lambda k: k.m_inf ** 3 * k.h_inf)
                  if channel.name in ("nat", "nata", "nap") else None)
        plotting.gate_kinetics_figure(channel, np.linspace(span[0], span[1], 561) * mV,
                                      celsius, title, window, path)
        print(path)


if __name__ == "__main__":
    main()
