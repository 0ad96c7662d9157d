"""Subprocess of tests/test_codegen_cache.py: build and run a small cell on the numpy
target with a disk cache, and report what the cache served.

Usage: python tests/codegen_cache_run.py VARIANT  (cache folder: $BRIAN2COMPARTMENTS_CACHE)

``VARIANT`` changes the equations of a custom channel whose name stays ``kx`` (as a user
editing a channel between two sessions would). Prints one JSON line: cache loads that
found an entry and that missed, by kind; the soma voltage after 1 ms (mV); and whether
the group's equations carry the variant's rate.
"""

import collections
import json
import sys

from brian2 import Network, cm, ms, msiemens, mV, nA, ohm, prefs, um

from compartments import CellTemplate, Compartment, cache, channels

RATES = {"a": "2.0", "b": "5.0"}
variant = sys.argv[1]
loads = collections.Counter()
_load = cache.load


def counting_load(kind, entry):
    text = _load(kind, entry)
    loads[f"{kind} {'hit' if text is not None else 'miss'}"] += 1
    return text


cache.load = counting_load
prefs.codegen.target = "numpy"
Kx = channels.define(
    "kx", f"""
    I = g*n**2*(E - v) : amp/meter**2
    dn/dt = alpha*(1 - n) - beta*n : 1
    alpha = ({RATES[variant]}/ms)/(1 + exp(-(v + 30*mV)/(8*mV))) : Hz
    beta = (0.4/ms)*exp(-(v + 60*mV)/(30*mV)) : Hz
    """, {"g": (3 * msiemens / cm**2, "assumed here"), "E": (-90 * mV, "assumed here")},
    source="a test channel", ion="k")
soma = Compartment("soma", length=20 * um, diameter=20 * um,
                   channels=[channels.Leak(), channels.HHNa(), channels.HHK(), Kx()])
dend = Compartment("dend", length=200 * um, diameter=2 * um, nseg=2,
                   channels=[channels.Leak()])
cell = CellTemplate("cachecell", [soma, dend], connections=[("soma", "dend")], Ra=150 * ohm * cm)
group = cell.make_group(2)
group.I_ext_soma = 0.3 * nA
Network(group).run(1 * ms)
print(json.dumps({"loads": dict(loads), "v_mV": [float(x / mV) for x in group.v_soma],
                  "rate_in_equations": f"{RATES[variant]}/ms" in str(group.equations)}))
