"""Steady states and time constants of the potassium channels (docs/channels/potassium.md).

Run from the repository root: ``PYTHONPATH=. python docs/channels/figures_potassium.py``.
Writes ``docs/channels/img/{kdr,kv3,kv1,km,ka}.png`` from `channels.gate_kinetics`.
"""

import os

import numpy as np
from brian2 import mV

from compartments import channels, plotting

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


def main():
    os.makedirs(IMG, exist_ok=True)
    for channel, celsius, title, window in FIGURES:
        path = os.path.join(IMG, f"{channel.name}.png")
        plotting.gate_kinetics_figure(channel, np.linspace(-120.0, 50.0, 681) * mV, celsius,
                                      title, window, path)
        print(path)


if __name__ == "__main__":
    main()
