"""Bad inputs across the public API, grouped by API: what each must raise and name.

Each `Case` is a call that must fail with an error of type ``error`` whose message
contains every string of ``names`` (the parameter, the value received, or both; a tuple
of strings: one of them).
`tests/test_bad_inputs.py` asserts them; ``benchmarks/bad_inputs.py`` runs the same
list with a time limit per case and counts clear / obscure / silent / hang
(docs/bad_inputs.md), on this or any other checkout.
"""

import json
import os
import tempfile
from collections import namedtuple

import numpy as np
from brian2 import (DimensionMismatchError, Hz, NeuronGroup, SpikeGeneratorGroup, cm, kelvin,
                    mM, mV, ms, msiemens, nM, nS, ohm, uF, uM, um, um2)

import celltypes
from compartments import CalciumPool, CellTemplate, Compartment, backends, channels, record
from compartments.background import ou_conductances, poisson_drive
from compartments.neuromodulation import Expression, modulator_pool, release
from compartments.plasticity import STDP
from compartments.receptors import AMPA, NMDA
from compartments.synapses import connect

Case = namedtuple("Case", "api name call error names")
CASES = []
MS2 = msiemens / cm**2


def missing_names(case, message):
    """The strings of ``case.names`` that ``message`` lacks; a tuple of strings is a set of
    alternatives (Brian2 writes a quantity in the unit it finds best, which depends on the
    units created earlier in the process)."""
    return [n for n in case.names
            if not any(alt in message for alt in ((n,) if isinstance(n, str) else n))]


def case(api, name, error, *names):
    """Decorator: register the decorated function as a bad-input case."""
    def register(call):
        CASES.append(Case(api, name, call, error, names))
        return call
    return register


def soma(**kw):
    kw.setdefault("channels", [channels.Leak(g=0.05 * MS2, E=-70 * mV)])
    return Compartment("soma", length=20 * um, diameter=20 * um, **kw)


def dend(**kw):
    kw.setdefault("channels", [channels.Leak(g=0.05 * MS2, E=-70 * mV)])
    return Compartment("dend", length=200 * um, diameter=1 * um, **kw)


def cell(**kw):
    """A passive ball and stick (AMPA on the dendrite), built with keyword changes."""
    args = dict(name="bs", compartments=[soma(), dend(channels=[
        channels.Leak(g=0.05 * MS2, E=-70 * mV), AMPA()], nseg=2)],
        connections=[("soma", "dend")])
    args.update(kw)
    return CellTemplate(**args)


_GROUPS = {}


def group(n=2):
    """One small group per size (numpy target), shared by the cases that need one."""
    if n not in _GROUPS:
        backends.use("numpy")
        _GROUPS[n] = cell().make_group(n)
    return _GROUPS[n]


def data(**changes):
    """`to_dict` of the small cell with top-level entries changed."""
    d = cell().to_dict()
    d.update(changes)
    return d


def data_path(path, value):
    """`to_dict` of the small cell with the entry at ``path`` (a list of keys) replaced."""
    d = cell().to_dict()
    where = d
    for key in path[:-1]:
        where = where[key]
    where[path[-1]] = value
    return d


# -- Compartment -------------------------------------------------------------------------
case("Compartment", "length without unit", DimensionMismatchError, "'length'", "20")(
    lambda: Compartment("soma", length=20, diameter=20 * um))
case("Compartment", "diameter in volt", DimensionMismatchError, "'diameter'", "mvolt")(
    lambda: Compartment("soma", length=20 * um, diameter=20 * mV))
case("Compartment", "cm in volt", DimensionMismatchError, "'cm'", "mvolt")(
    lambda: soma(cm=1 * mV))
case("Compartment", "area as a length", DimensionMismatchError, "'area'", "10")(
    lambda: Compartment("soma", area=10 * um))
case("Compartment", "negative length", ValueError, "'length'", "-20")(
    lambda: Compartment("soma", length=-20 * um, diameter=2 * um))
case("Compartment", "zero diameter", ValueError, "'diameter'", "0")(
    lambda: Compartment("soma", length=20 * um, diameter=0 * um))
case("Compartment", "infinite length", ValueError, "'length'", "inf")(
    lambda: Compartment("soma", length=np.inf * um, diameter=2 * um))
case("Compartment", "NaN cm", ValueError, "'cm'", "nan")(
    lambda: soma(cm=np.nan * uF / cm**2))
case("Compartment", "zero area", ValueError, "'area'", "0")(
    lambda: Compartment("soma", area=0 * um2))
case("Compartment", "nseg 0", ValueError, "'nseg'", "0")(
    lambda: dend(nseg=0))
case("Compartment", "nseg 2.5", ValueError, "'nseg'", "2.5")(
    lambda: dend(nseg=2.5))
case("Compartment", "nseg True", ValueError, "'nseg'", "True")(
    lambda: dend(nseg=True))
case("Compartment", "nseg with an explicit area", ValueError, "'nseg'", "3")(
    lambda: Compartment("soma", area=100 * um2, nseg=3))
case("Compartment", "length without diameter", TypeError, "'diameter'", "None")(
    lambda: Compartment("soma", length=10 * um))
case("Compartment", "area and length", TypeError, "'area'", "'length'")(
    lambda: Compartment("soma", length=10 * um, diameter=1 * um, area=10 * um2))
case("Compartment", "name with a hyphen", ValueError, "name", "'soma-1'")(
    lambda: Compartment("soma-1", length=10 * um, diameter=1 * um))
case("Compartment", "empty name", ValueError, "name", "''")(
    lambda: Compartment("", length=10 * um, diameter=1 * um))
case("Compartment", "name not a string", ValueError, "name", "3")(
    lambda: Compartment(3, length=10 * um, diameter=1 * um))
case("Compartment", "spine_factor below 1", ValueError, "'spine_factor'", "0.5")(
    lambda: soma(spine_factor=0.5))
case("Compartment", "negative Ra", ValueError, "'Ra'", ("-0.01 * ohm * meter", "-1. * ohm * cmetre"))(
    lambda: soma(Ra=-1 * ohm * cm))
case("Compartment", "channel given by name", TypeError, "'channels'", "'hh'")(
    lambda: soma(channels=["hh"]))
case("Compartment", "channels as a string", TypeError, "'channels'", "'Leak'")(
    lambda: soma(channels="Leak"))
case("Compartment", "mechanism twice", ValueError, "'leak' twice")(
    lambda: soma(channels=[channels.Leak(), channels.Leak(E=-65 * mV)]))
case("Compartment", "two calcium pools", ValueError, "two pools", "'ca'")(
    lambda: soma(pools=[CalciumPool(), CalciumPool()]))
case("Compartment", "calcium channel without pool", ValueError, "CaHVA", "calcium pool")(
    lambda: soma(channels=[channels.CaHVA()]))
case("Compartment", "pool given as a channel", TypeError, "'channels'", "CalciumPool")(
    lambda: soma(channels=[CalciumPool()]))

# -- channels and pools ------------------------------------------------------------------
case("channels", "conductance in volt", DimensionMismatchError, "'g'", "5. * mvolt")(
    lambda: channels.Leak(g=5 * mV))
case("channels", "density without unit", DimensionMismatchError, "'gbar'", "0.12")(
    lambda: channels.HHNa(gbar=0.12))
case("channels", "negative density", ValueError, "'gbar'", "-1")(
    lambda: channels.HHK(gbar=-1 * MS2))
case("channels", "unknown parameter", TypeError, "'gnabar'", "HHNa")(
    lambda: channels.HHNa(gnabar=0.12 * MS2))
case("channels", "infinite leak", ValueError, "'g'", "inf")(
    lambda: channels.Leak(g=np.inf * MS2))
case("channels", "NaN leak", ValueError, "'g'", "nan")(
    lambda: channels.Leak(g=np.nan * MS2))
case("channels", "infinite reversal potential", ValueError, "'E'", "inf")(
    lambda: channels.Leak(E=np.inf * mV))
case("channels", "array density", ValueError, "'g'", "array")(
    lambda: channels.Leak(g=[1, 2] * MS2))
case("channels", "gamma above 1", ValueError, "'gamma'", "2")(
    lambda: CalciumPool(gamma=2.0))
case("channels", "zero calcium decay", ValueError, "'decay'", "0")(
    lambda: CalciumPool(decay=0 * ms))
case("channels", "negative magnesium", ValueError, "'mg'", "-1")(
    lambda: NMDA(mg=-1 * mM))
case("channels", "rise slower than decay", ValueError, "'tau_rise'", "5")(
    lambda: AMPA(tau_rise=5 * ms, tau_decay=1 * ms))
case("channels", "define: parameter without source", ValueError, "'g'", "source")(
    lambda: channels.define("badsrc", "I = g*(-v) : amp/meter**2", {"g": (1 * MS2, "")},
                            source="x"))
case("channels", "define: no current", ValueError, "'I'", "define")(
    lambda: channels.define("badcur", "J = g*(-v) : amp/meter**2",
                            {"g": (1 * MS2, "assumed")}, source="x"))
case("channels", "define: current in amp", ValueError, "'I'", "current density")(
    lambda: channels.define("badunit", "I = g*(-v) : amp", {"g": (1 * MS2, "assumed")},
                            source="x"))
case("channels", "define: equations do not parse", ValueError, "Badparse", "parse")(
    lambda: channels.define("badparse", "I = g*(-v : amp/meter**2",
                            {"g": (1 * MS2, "assumed")}, source="x"))
case("channels", "define: q10 without temperature", ValueError, "'q10'",
     "'reference_temperature'")(
    lambda: channels.define("badq", "I = g*(-v) : amp/meter**2", {"g": (1 * MS2, "assumed")},
                            source="x", q10=3))
case("channels", "define: inconsistent units", DimensionMismatchError, "'I'", "Badunits")(
    lambda: channels.define("badunits", "I = g*(-v) : amp/meter**2",
                            {"g": (1 * ms, "assumed")}, source="x"))
case("channels", "define: class name of a built-in", ValueError, "'KLeak'", "already")(
    lambda: channels.define("kleak2", "I = g*(-v) : amp/meter**2",
                            {"g": (1 * MS2, "assumed")}, source="x", class_name="KLeak"))
case("channels", "define: mechanism name of a built-in", ValueError, "'hhna'", "already")(
    lambda: channels.define("hhna", "I = g*(-v) : amp/meter**2",
                            {"g": (1 * MS2, "assumed")}, source="x", class_name="MyNa"))
case("channels", "define: class name not an identifier", ValueError, "'class_name'", "'1abc'")(
    lambda: channels.define("okname", "I = g*(-v) : amp/meter**2",
                            {"g": (1 * MS2, "assumed")}, source="x", class_name="1abc"))
case("channels", "define: name with a hyphen", ValueError, "name", "'my-chan'")(
    lambda: channels.define("my-chan", "I = g*(-v) : amp/meter**2",
                            {"g": (1 * MS2, "assumed")}, source="x"))

# -- CellTemplate --------------------------------------------------------------------------
case("CellTemplate", "no compartments", ValueError, "at least one compartment")(
    lambda: CellTemplate("c", []))
case("CellTemplate", "compartments as a string", TypeError, "'compartments'", "'soma'")(
    lambda: CellTemplate("c", "soma"))
case("CellTemplate", "compartment given by name", TypeError, "'compartments'", "'dend'")(
    lambda: CellTemplate("c", [soma(), "dend"]))
case("CellTemplate", "connection to an unknown compartment", ValueError, "'axon'")(
    lambda: CellTemplate("c", [soma(), dend()], [("soma", "axon")]))
case("CellTemplate", "at 0.3", ValueError, "'at'", "0.3")(
    lambda: CellTemplate("c", [soma(), dend()], [("soma", "dend", 0.3)]))
case("CellTemplate", "two parents", ValueError, "'dend'", "two parents")(
    lambda: CellTemplate("c", [soma(), dend(), Compartment(
        "tuft", length=10 * um, diameter=1 * um)], [("soma", "dend"), ("tuft", "dend"),
                                                     ("soma", "tuft")]))
case("CellTemplate", "disconnected", ValueError, "'dend'")(
    lambda: CellTemplate("c", [soma(), dend()]))
case("CellTemplate", "duplicate names", ValueError, "'soma'")(
    lambda: CellTemplate("c", [soma(), soma()], [("soma", "soma")]))
case("CellTemplate", "negative Ra", ValueError, "'Ra'", "-1.5 * ohm * meter")(
    lambda: cell(Ra=-150 * ohm * cm))
case("CellTemplate", "zero Ra", ValueError, "'Ra'", "0")(
    lambda: cell(Ra=0 * ohm * cm))
case("CellTemplate", "Ra without unit", DimensionMismatchError, "'Ra'", "150")(
    lambda: cell(Ra=150))
case("CellTemplate", "celsius as a string", TypeError, "'celsius'", "'34'")(
    lambda: cell(celsius="34"))
case("CellTemplate", "celsius below absolute zero", ValueError, "'celsius'", "-300")(
    lambda: cell(celsius=-300))
case("CellTemplate", "NaN celsius", ValueError, "'celsius'", "nan")(
    lambda: cell(celsius=float("nan")))
case("CellTemplate", "celsius in kelvin", TypeError, "'celsius'", "kelvin")(
    lambda: cell(celsius=300 * kelvin))
case("CellTemplate", "negative temperature", ValueError, "'temperature'", "-5")(
    lambda: cell(temperature=-5 * kelvin))
case("CellTemplate", "temperature without unit", DimensionMismatchError, "'temperature'",
     "34")(
    lambda: cell(temperature=34))
case("CellTemplate", "celsius and temperature", TypeError, "'celsius'", "'temperature'")(
    lambda: cell(celsius=34, temperature=307 * kelvin))
case("CellTemplate", "unknown spike compartment", ValueError, "'spike_compartment'",
     "'axon'")(
    lambda: cell(spike_compartment="axon"))
case("CellTemplate", "spike threshold without unit", DimensionMismatchError,
     "'spike_threshold'", "0")(
    lambda: cell(spike_threshold=0))
case("CellTemplate", "unknown method", ValueError, "'method'", "'rk5'")(
    lambda: cell(method="rk5"))
case("CellTemplate", "method not a name", TypeError, "'method'", "3")(
    lambda: cell(method=3))
case("CellTemplate", "expression naming an absent compartment", ValueError, "'expression'",
     "'apical'")(
    lambda: cell(expression=[dict(receptor="M1", compartment="apical", fraction=1, level=1,
                                  source="test")]))
case("CellTemplate", "expression with an unknown receptor", ValueError, "'M9'")(
    lambda: cell(expression=[dict(receptor="M9", compartment="soma", fraction=1, level=1,
                                  source="test")]))
case("CellTemplate", "expression fraction above 1", ValueError, "'fraction'", "1.5")(
    lambda: cell(expression=[dict(receptor="M1", compartment="soma", fraction=1.5, level=1,
                                  source="test")]))
case("CellTemplate", "expression without source", ValueError, "'source'", "M1")(
    lambda: cell(expression=[dict(receptor="M1", compartment="soma", fraction=1, level=1,
                                  source="")]))
case("CellTemplate", "expression missing a column", ValueError, "'level'")(
    lambda: cell(expression=[dict(receptor="M1", compartment="soma", fraction=1,
                                  source="test")]))
case("CellTemplate", "expression as None-like string", TypeError, "expression", "'M1'")(
    lambda: cell(expression="M1"))
case("CellTemplate", "with_channels on an unknown compartment", ValueError, "'axon'")(
    lambda: cell().with_channels({"axon": [AMPA()]}))
case("CellTemplate", "with_channels given a list", TypeError, "'additions'", "AMPA")(
    lambda: cell().with_channels([AMPA()]))
case("CellTemplate", "replace with a misspelt argument", TypeError, "'celcius'")(
    lambda: cell().replace(celcius=34))
case("CellTemplate", "assigning an attribute", AttributeError, "celsius")(
    lambda: setattr(cell(), "celsius", 34))
case("CellTemplate", "negative coupling conductance", ValueError, "'g'", "-1")(
    lambda: CellTemplate("c", [soma(), dend()], [("soma", "dend", -1 * nS)]))
case("CellTemplate", "area compartment without conductance", ValueError, "'soma'",
     "explicit area")(
    lambda: CellTemplate("c", [Compartment("soma", area=100 * um2), dend()],
                         [("soma", "dend")]))

# -- make_group ----------------------------------------------------------------------------
case("make_group", "n = 0", ValueError, "'n'", "0")(lambda: cell().make_group(0))
case("make_group", "n = 2.5", ValueError, "'n'", "2.5")(lambda: cell().make_group(2.5))
case("make_group", "n = True", ValueError, "'n'", "True")(lambda: cell().make_group(True))
case("make_group", "negative n", ValueError, "'n'", "-1")(lambda: cell().make_group(-1))
case("make_group", "dt = 0", ValueError, "'dt'", "0")(
    lambda: cell().make_group(1, dt=0 * ms))
case("make_group", "negative dt", ValueError, "'dt'", "-25")(
    lambda: cell().make_group(1, dt=-0.025 * ms))
case("make_group", "dt without unit", DimensionMismatchError, "'dt'", "0.025")(
    lambda: cell().make_group(1, dt=0.025))
case("make_group", "infinite dt", ValueError, "'dt'", "inf")(
    lambda: cell().make_group(1, dt=np.inf * ms))
case("make_group", "unknown method", ValueError, "'method'", "'rk5'")(
    lambda: cell().make_group(1, method="rk5"))
case("make_group", "method not a name", TypeError, "'method'", "42")(
    lambda: cell().make_group(1, method=42))
case("make_group", "init without unit", DimensionMismatchError, "'init'", "-65")(
    lambda: cell().make_group(1, init=-65))
case("make_group", "unstable explicit step", ValueError, "'euler'", "dt = 1 ms")(
    lambda: cell().make_group(1, method="euler", dt=1 * ms))
case("make_group", "modulators without expression", ValueError, "'bs'", "receptor expression")(
    lambda: cell().make_group(1, modulators=("DA",), pool=modulator_pool(("DA",))))
case("make_group", "unknown modulator", ValueError, "'XX'", "'modulators'")(
    lambda: celltypes.get("TC").make_group(1, modulators=("XX",),
                                           pool=modulator_pool(("ACh",))))
case("make_group", "modulator twice", ValueError, "'modulators'", "twice")(
    lambda: celltypes.get("TC").make_group(1, modulators=("ACh", "ACh"),
                                           pool=modulator_pool(("ACh",))))
case("make_group", "modulators without pool", TypeError, "'pool'", "ACh")(
    lambda: celltypes.get("TC").make_group(1, modulators=("ACh",)))
case("make_group", "pool without modulators", TypeError, "'pool'", "'modulators'")(
    lambda: celltypes.get("TC").make_group(1, pool=modulator_pool(("ACh",))))
case("make_group", "pool index out of range", ValueError, "'pool_index'", "5")(
    lambda: celltypes.get("TC").make_group(1, modulators=("ACh",),
                                           pool=modulator_pool(("ACh",)), pool_index=5))
case("make_group", "DA on a type without DA receptors", ValueError, "'DA'", "TC")(
    lambda: celltypes.get("TC").make_group(1, modulators=("DA",),
                                           pool=modulator_pool(("DA",))))
case("make_group", "a group too large for memory", MemoryError, "n=100000000", "GiB")(
    lambda: celltypes.get("L5_TTPC").make_group(10**8))
case("make_group", "extension given by name", TypeError, "'extensions'", "'modulation'")(
    lambda: cell().make_group(1, extensions=["modulation"]))
case("make_group", "heterogeneity CV above 1", ValueError, "heterogeneity", "1.5")(
    lambda: celltypes.get("PV_BC").make_group(2, heterogeneity=1.5))
case("make_group", "heterogeneity of an unknown family", ValueError, "'gbar_nosuch_*'")(
    lambda: celltypes.get("PV_BC").make_group(2, heterogeneity={"gbar_nosuch_*": 0.1}))
case("make_group", "heterogeneity of a negative parameter", ValueError, "'E_kleak_soma'")(
    lambda: celltypes.get("PV_BC").make_group(2, heterogeneity={"E_kleak_soma": 0.1}))
case("make_group", "heterogeneity as a word", ValueError, "heterogeneity", "'high'")(
    lambda: celltypes.get("PV_BC").make_group(2, heterogeneity="high"))
case("make_group", "heterogeneity patterns naming nothing", ValueError,
     "'heterogeneity_patterns'", "'gbar_x_*'")(
    lambda: celltypes.get("PV_BC").replace(heterogeneity_patterns=["gbar_x_*"]))


def _equilibrate_infinite_leak():
    from compartments import equilibrate
    g = group(1)
    old = g.g_leak_soma_[:].copy()
    g.g_leak_soma_ = np.inf
    try:
        equilibrate(g)
    finally:
        g.g_leak_soma_ = old


case("make_group", "infinite leak set on a group, then equilibrate", ValueError,
     "'g_leak_soma'", "inf")(_equilibrate_infinite_leak)

# -- serialisation -------------------------------------------------------------------------
case("from_dict", "None", TypeError, "'data'", "None")(lambda: CellTemplate.from_dict(None))
case("from_dict", "a list", TypeError, "'data'", "list")(lambda: CellTemplate.from_dict([]))
case("from_dict", "empty dict", ValueError, "'format'", "None")(
    lambda: CellTemplate.from_dict({}))
case("from_dict", "format 99", ValueError, "'format'", "99")(
    lambda: CellTemplate.from_dict(data(format=99)))
case("from_dict", "format as a string", ValueError, "'format'", "'2'")(
    lambda: CellTemplate.from_dict(data(format="2")))
case("from_dict", "celsius null", ValueError, "'celsius'", "None")(
    lambda: CellTemplate.from_dict(data(celsius=None)))
case("from_dict", "celsius as a string", ValueError, "'celsius'", "'34'")(
    lambda: CellTemplate.from_dict(data(celsius="34")))
case("from_dict", "at 0.3", ValueError, "'at'", "0.3")(
    lambda: CellTemplate.from_dict(data_path(["connections", 0, "at"], 0.3)))
case("from_dict", "connection without child", ValueError, "connections[0]", "'child'")(
    lambda: CellTemplate.from_dict(data_path(["connections", 0], {"parent": "soma"})))
case("from_dict", "missing compartments", ValueError, "'compartments'")(
    lambda: CellTemplate.from_dict({k: v for k, v in data().items() if k != "compartments"}))
case("from_dict", "compartments as a string", ValueError, "'compartments'", "'soma'")(
    lambda: CellTemplate.from_dict(data(compartments="soma")))
case("from_dict", "unknown channel type", ValueError, "'NoSuch'", "compartments[0].channels[0]")(
    lambda: CellTemplate.from_dict(data_path(["compartments", 0, "channels", 0, "type"],
                                             "NoSuch")))
case("from_dict", "a channel among the pools", ValueError, "HHNa", "pools[0]")(
    lambda: CellTemplate.from_dict(data_path(["compartments", 0, "pools"],
                                             [{"type": "HHNa", "parameters": {}}])))
case("from_dict", "quantity value not a number", ValueError, "'value'", "'x'")(
    lambda: CellTemplate.from_dict(data(Ra={"value": "x", "unit": "metre"})))
case("from_dict", "unknown unit", ValueError, "'unit'", "'parsec'")(
    lambda: CellTemplate.from_dict(data(Ra={"value": 1.5, "unit": "parsec"})))
case("from_dict", "quantity as a bare number", ValueError, "'Ra'", "1.5")(
    lambda: CellTemplate.from_dict(data(Ra=1.5)))
case("from_dict", "an entry it does not read", ValueError, "'colour'")(
    lambda: CellTemplate.from_dict(data(colour="red")))
case("from_dict", "unknown template class", ValueError, "'class'", "'foo.Bar'")(
    lambda: CellTemplate.from_dict(data(**{"class": "foo.Bar"})))
case("from_dict", "parameter as a bare number", ValueError, "'gbar'", "5")(
    lambda: CellTemplate.from_dict(data_path(
        ["compartments", 0, "channels", 0, "parameters"], {"gbar": 5})))
case("from_dict", "negative length", ValueError, "'length'", "-2")(
    lambda: CellTemplate.from_dict(data_path(["compartments", 0, "length"],
                                             {"value": -2e-5, "unit": "metre"})))


def _load_without_template():
    from compartments import load_template
    path = os.path.join(tempfile.mkdtemp(), "cell.json")
    with open(path, "w") as f:
        json.dump({"cell": cell().to_dict()}, f)
    load_template(path)


case("from_dict", "a file without a template", ValueError, "cell.json", "'template'")(
    _load_without_template)

# -- catalogue -----------------------------------------------------------------------------
case("celltypes", "get(None)", TypeError, "cell-type name", "None")(lambda: celltypes.get(None))
case("celltypes", "lower-case name", KeyError, "'pv_bc'", "'PV_BC'")(
    lambda: celltypes.get("pv_bc"))
case("celltypes", "misspelt name", KeyError, "'PV_B'", "'PV_BC'")(lambda: celltypes.get("PV_B"))
case("celltypes", "name not a string", TypeError, "cell-type name", "3")(
    lambda: celltypes.get(3))
case("celltypes", "targets of an unknown type", KeyError, "'nosuch'")(
    lambda: celltypes.targets("nosuch"))
case("celltypes", "table of a lower-case name", KeyError, "'pv'", "'PV'")(
    lambda: celltypes.table("pv"))
case("celltypes", "sample of 0 neurons", ValueError, "'n'", "0")(
    lambda: celltypes.get("PV_BC").sample(0))
case("celltypes", "negative CV", ValueError, "heterogeneity", "-0.1")(
    lambda: celltypes.get("PV_BC").sample(3, heterogeneity=-0.1))
case("celltypes", "CV of NaN", ValueError, "heterogeneity", "nan")(
    lambda: celltypes.get("PV_BC").sample(3, heterogeneity=float("nan")))

# -- synapses ------------------------------------------------------------------------------
SOURCE = dict(N=1, indices=[0], times=[1] * ms)


def syn(**kw):
    args = dict(receptors={"ampa": 1 * nS}, at="dend")
    args.update(kw)
    return connect(SpikeGeneratorGroup(**SOURCE), group(), **args)


case("connect", "target not a template group", TypeError, "'target'", "NeuronGroup")(
    lambda: connect(SpikeGeneratorGroup(**SOURCE), NeuronGroup(1, "v:1"), {"ampa": 1 * nS},
                    at="dend"))
case("connect", "no receptors", TypeError, "'receptors'", "{}")(lambda: syn(receptors={}))
case("connect", "peak conductance without unit", DimensionMismatchError, "receptors['ampa']",
     "0.5")(lambda: syn(receptors={"ampa": 0.5}))
case("connect", "negative peak conductance", ValueError, "receptors['ampa']", "-1")(
    lambda: syn(receptors={"ampa": -1 * nS}))
case("connect", "unknown receptor", ValueError, "'kainate'")(
    lambda: syn(receptors={"kainate": 1 * nS}))
case("connect", "receptor the compartment lacks", ValueError, "'soma'", "nmda")(
    lambda: syn(receptors={"nmda": 1 * nS}, at="soma"))
case("connect", "unknown compartment", ValueError, "'at'", "'apical'")(
    lambda: syn(at="apical"))
case("connect", "at and distance", TypeError, "'at'", "'distance'")(
    lambda: syn(distance=50 * um))
case("connect", "neither at nor distance", TypeError, "'at'", "None")(lambda: syn(at=None))
case("connect", "negative distance", ValueError, "'distance'", "-10")(
    lambda: syn(at=None, distance=-10 * um))
case("connect", "distance beyond the dendrite", ValueError, "'distance'", "5000")(
    lambda: syn(at=None, distance=5000 * um))
case("connect", "distance without unit", DimensionMismatchError, "'distance'", "50")(
    lambda: syn(at=None, distance=50))
case("connect", "negative weight", ValueError, "'weight'", "-1")(lambda: syn(weight=-1.0))
case("connect", "NaN weight", ValueError, "'weight'", "nan")(lambda: syn(weight=float("nan")))
case("connect", "weight with units", DimensionMismatchError, "'weight'", "nsiemens")(
    lambda: syn(weight=1 * nS))
case("connect", "negative delay", ValueError, "'delay'", "-1")(lambda: syn(delay=-1 * ms))
case("connect", "delay without unit", DimensionMismatchError, "'delay'", "1")(
    lambda: syn(delay=1))
case("connect", "STDP weight above w_max", ValueError, "'weight'", "1.5")(
    lambda: syn(weight=1.5, plasticity=STDP(0.01, 0.0105, 16.8 * ms, 33.7 * ms)))
case("connect", "one location per synapse, wrong count", ValueError, "3 locations")(
    lambda: syn(at=["dend", "dend", "dend"]))

# -- plasticity ----------------------------------------------------------------------------
case("plasticity", "w_min above w_max", ValueError, "w_min", "w_max")(
    lambda: STDP(0.01, 0.01, 16.8 * ms, 33.7 * ms, w_min=1.0, w_max=0.5))
case("plasticity", "negative tau_plus", ValueError, "'tau_plus'", "-1")(
    lambda: STDP(0.01, 0.01, -1 * ms, 33.7 * ms))
case("plasticity", "tau without unit", DimensionMismatchError, "'tau_minus'", "33.7")(
    lambda: STDP(0.01, 0.01, 16.8 * ms, 33.7))
case("plasticity", "unknown bounds", ValueError, "'bounds'", "'soft'")(
    lambda: STDP(0.01, 0.01, 16.8 * ms, 33.7 * ms, bounds="soft"))
case("plasticity", "negative A_plus", ValueError, "'A_plus'", "-0.01")(
    lambda: STDP(-0.01, 0.01, 16.8 * ms, 33.7 * ms))

# -- background input ----------------------------------------------------------------------
case("background", "rate without unit", DimensionMismatchError, "'rate'", "5")(
    lambda: poisson_drive(group(), "ampa", "dend", rate=5, n_inputs=10, gpeak=1 * nS))
case("background", "negative rate", ValueError, "'rate'", "-5")(
    lambda: poisson_drive(group(), "ampa", "dend", rate=-5 * Hz, n_inputs=10, gpeak=1 * nS))
case("background", "zero inputs", ValueError, "'n_inputs'", "0")(
    lambda: poisson_drive(group(), "ampa", "dend", rate=5 * Hz, n_inputs=0, gpeak=1 * nS))
case("background", "negative peak conductance", ValueError, "'gpeak'", "-1")(
    lambda: poisson_drive(group(), "ampa", "dend", rate=5 * Hz, n_inputs=10, gpeak=-1 * nS))
case("background", "receptor the segment lacks", ValueError, "'soma'", "gabaa")(
    lambda: poisson_drive(group(), "gabaa", "soma", rate=5 * Hz, n_inputs=10, gpeak=1 * nS))
case("background", "not a template group", TypeError, "'group'", "NeuronGroup")(
    lambda: poisson_drive(NeuronGroup(1, "v:1"), "ampa", "dend", rate=5 * Hz, n_inputs=10,
                          gpeak=1 * nS))
case("background", "OU noise without PointConductance", ValueError, "PointConductance", "'bs'")(
    lambda: ou_conductances(group()))
case("background", "seed not an integer", TypeError, "'seed'", "'x'")(
    lambda: poisson_drive(group(), "ampa", "dend", rate=5 * Hz, n_inputs=10, gpeak=1 * nS,
                          seed="x"))
case("background", "unknown drive method", ValueError, "'method'", "'poisson'")(
    lambda: poisson_drive(group(), "ampa", "dend", rate=5 * Hz, n_inputs=10, gpeak=1 * nS,
                          method="poisson"))

# -- neuromodulation -----------------------------------------------------------------------
case("neuromodulation", "unknown modulator in a pool", ValueError, "'XX'")(
    lambda: modulator_pool(("XX",)))
case("neuromodulation", "negative tonic level", ValueError, "tonic", "-1")(
    lambda: modulator_pool(("DA",), tonic={"DA": -1 * nM}))
case("neuromodulation", "tonic level without unit", DimensionMismatchError, "tonic", "10")(
    lambda: modulator_pool(("DA",), tonic={"DA": 10}))
case("neuromodulation", "zero decay", ValueError, "tau", "0")(
    lambda: modulator_pool(("DA",), tau={"DA": 0 * ms}))
case("neuromodulation", "negative release", ValueError, "'amount'", "-1")(
    lambda: release(SpikeGeneratorGroup(**SOURCE), modulator_pool(("DA",)), "DA", -1 * uM))
case("neuromodulation", "expression table missing columns", ValueError, "missing columns",
     "'level'")(lambda: Expression([dict(receptor="D1", compartment="soma", fraction=1,
                                         source="x")]))
case("neuromodulation", "expression level above 1", ValueError, "'level'", "2")(
    lambda: Expression([dict(receptor="D1", compartment="soma", fraction=1, level=2,
                             source="x")]))

# -- record --------------------------------------------------------------------------------
case("record", "misspelt variable", KeyError, "'v_som'", "'v_soma'")(
    lambda: record(group(), "v_som", 1 * ms))
case("record", "modulation variable of an unmodulated group", KeyError, "'e_M1'",
     "modulators")(lambda: record(group(), "e_M1", 1 * ms))
case("record", "negative duration", ValueError, "'duration'", "-5")(
    lambda: record(group(), "v_soma", -5 * ms))
case("record", "duration without unit", DimensionMismatchError, "'duration'", "5")(
    lambda: record(group(), "v_soma", 5))
case("record", "negative sampling interval", ValueError, "'dt'", "-1")(
    lambda: record(group(), "v_soma", 1 * ms, dt=-1 * ms))
case("record", "neuron out of range", ValueError, "'neurons'", "10")(
    lambda: record(group(), "v_soma", 1 * ms, neurons=[10]))
case("record", "more than memory allows", MemoryError, "MiB")(
    lambda: record(group(), "v_soma", 1e9 * ms))

# -- backends ------------------------------------------------------------------------------
case("backends", "unknown target", ValueError, "'target'", "'gpu'")(
    lambda: backends.use("gpu"))
case("backends", "standalone in a context", ValueError, "'target'", "'cpp_standalone'")(
    lambda: backends.using("cpp_standalone").__enter__())
