"""The closed template: round trips, the mechanism registry, the extension protocol, imports."""

import ast
import json
import pathlib

import numpy as np
import pytest
from brian2 import Equations, cm, msiemens, um

import celltypes
import compartments
from compartments import CellTemplate, Compartment, channels
from compartments.extension import Extension, combine
from compartments.mechanism import REGISTRY
from compartments.neuromodulation import Expression, modulator_pool
from compartments.template import extensions_of, modulation_of

ROOT = pathlib.Path(compartments.__file__).parent


def soma_cell(**kw):
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak()])
    return CellTemplate("hh", [soma], **kw)


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name", celltypes.names())
def test_catalogue_round_trip_keeps_class_expression_and_hash(name):
    cell = celltypes.get(name)
    text = json.dumps(cell.to_dict())
    again = CellTemplate.from_dict(json.loads(text))
    assert type(again) is type(cell) is celltypes.CellType
    assert again == cell and hash(again) == hash(cell)
    assert again.content_hash == cell.content_hash
    assert again.heterogeneity_patterns == cell.heterogeneity_patterns
    if cell.expression is None:
        assert again.expression is None
    else:
        assert again.expression == cell.expression
        assert again.expression.table.equals(cell.expression.table)


@pytest.mark.codegen_independent
def test_everything_held_is_in_equality_and_hash():
    tc = celltypes.get("TC")
    without = tc.replace(expression=None)
    assert without != tc and without.content_hash != tc.content_hash
    rows = tc.expression.to_data()
    rows[0] = {**rows[0], "level": rows[0]["level"] / 2}
    halved = tc.with_modulation(rows)
    assert halved != tc and halved.content_hash != tc.content_hash
    narrower = tc.replace(heterogeneity_patterns=["g_leak_*"])
    assert narrower != tc and narrower.heterogeneity_patterns == ("g_leak_*",)
    assert CellTemplate.from_dict(narrower.to_dict()).heterogeneity_patterns == ("g_leak_*",)
    plain = CellTemplate(**{k: v for k, v in tc._init_args().items()
                            if k != "heterogeneity_patterns"})
    assert plain != tc  # the class is part of the description


@pytest.mark.codegen_independent
def test_template_is_read_only():
    cell = soma_cell()
    for attribute, value in [("celsius", 34.0), ("expression", None), ("compartments", ())]:
        with pytest.raises(AttributeError):
            setattr(cell, attribute, value)
    warmer = cell.replace(celsius=34)
    assert warmer.celsius == 34 and cell.celsius == 6.3
    with pytest.raises(TypeError, match=r"unknown arguments \['celcius'\]"):
        cell.replace(celcius=34)


@pytest.mark.codegen_independent
def test_format_1_files_still_load():
    data = soma_cell().to_dict()
    old = {k: v for k, v in data.items() if k not in ("class", "expression")}
    old["format"] = 1
    assert CellTemplate.from_dict(old) == soma_cell()


def test_round_tripped_type_makes_modulated_heterogeneous_groups(numpy_target):
    tc = CellTemplate.from_dict(json.loads(json.dumps(celltypes.get("TC").to_dict())))
    pool = modulator_pool(("ACh",))
    group = tc.make_group(20, modulators=("ACh",), pool=pool, heterogeneity=0.1, seed=3)
    assert {r.name for r in modulation_of(group).receptors} == {"M1", "M2"}
    assert [e.layer for e in extensions_of(group)] == ["heterogeneity", "modulation"]
    drawn = tc.sample(20, heterogeneity=0.1, seed=3)
    np.testing.assert_allclose(group.g_kleak_soma_, drawn.g_kleak_soma)
    assert np.all(np.isfinite(group.v_soma_))


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name", celltypes.names())
def test_default_heterogeneity_varies_every_conductance_family(name):
    cell = celltypes.get(name)
    table = cell.parameters
    conductances = set(table.variable[table.unit == "siemens/meter**2"])
    drawn = cell.sample(5, heterogeneity=0.1, seed=0)
    assert conductances <= set(drawn.columns)
    assert any(v.startswith("g_kleak_") for v in conductances) == (name != "HH_squid")


@pytest.mark.codegen_independent
def test_registry_refuses_to_overwrite_a_name():
    leak = REGISTRY["KLeak"]
    with pytest.raises(ValueError, match=r"'KLeak'.*already has that name"):
        channels.define("kleak2", "I = g*(-v) : amp/meter**2",
                        {"g": (1 * msiemens / cm**2, "assumed here")}, source="x",
                        class_name="KLeak")
    with pytest.raises(ValueError, match=r"HHNa.*already has that name"):
        channels.define("hhna2", "I = g*(-v) : amp/meter**2",
                        {"g": (1 * msiemens / cm**2, "assumed here")}, source="x",
                        class_name="HHNa")
    with pytest.raises(ValueError, match=r"mechanism name 'hhna'.*already uses that mechanism "
                                         r"name"):
        channels.define("hhna", "I = g*(-v) : amp/meter**2",
                        {"g": (1 * msiemens / cm**2, "assumed here")}, source="x",
                        class_name="OtherNa")
    assert REGISTRY["KLeak"] is leak and "OtherNa" not in REGISTRY
    with pytest.raises(ValueError, match=r"class compartments_test_module.Leak .*"
                                         r"already uses that class name"):
        type("Leak", (channels.Channel,), {"name": "leak_b", "__module__":
                                          "compartments_test_module"})


@pytest.mark.codegen_independent
def test_define_twice_with_the_same_definition_returns_the_class():
    args = ("twicechan", "I = g*(-v) : amp/meter**2",
            {"g": (1 * msiemens / cm**2, "assumed here")})
    first = channels.define(*args, source="the same")
    assert channels.define(*args, source="the same") is first
    with pytest.raises(ValueError, match=r"'Twicechan'.*another definition"):
        channels.define(*args, source="another")


class Doubling(Extension):
    """Adds a current equal to the leak's to the soma, and its own constant."""

    layer = "doubling"

    def __init__(self, parameter="g"):
        self.parameter = parameter

    def substitutions(self, segment, mechanism):
        return {self.parameter: f"({self.parameter}*mod_{self.parameter})"} \
            if mechanism == "leak" else {}

    def currents(self, segment):
        return ["I_twice"]

    def equations(self):
        return Equations("I_twice = 0*amp/meter**2 : amp/meter**2\n"
                         "mod_g_leak_soma = factor : 1\nfactor : 1 (constant)")

    def values(self, n):
        return {"factor": np.full(n, 2.0)}


@pytest.mark.codegen_independent
def test_extension_hooks_enter_the_equations():
    eqs = soma_cell()._build_equations(combine([Doubling()]))
    assert "g_leak_soma*mod_g_leak_soma" in str(eqs["I_leak_soma"].expr)
    assert "I_twice" in str(eqs["I_m_soma"].expr)
    with pytest.raises(ValueError, match=r"both substitute the parameter 'g' of mechanism "
                                         r"'leak' in segment 'soma'"):
        soma_cell()._build_equations(combine([Doubling(), Doubling()]))
    with pytest.raises(ValueError, match=r"substitutes \['gx'\] in mechanism 'leak'"):
        soma_cell()._build_equations(combine([Doubling("gx")]))
    with pytest.raises(TypeError, match=r"must be compartments.extension.Extension objects"):
        combine(["modulation"])


def test_extension_values_reach_the_group_before_rest(numpy_target):
    group = soma_cell().make_group(2, extensions=[Doubling()])
    np.testing.assert_array_equal(group.factor_, [2.0, 2.0])
    plain = soma_cell().make_group(1)
    assert float(group.v_soma_[0]) > float(plain.v_soma_[0]) + 1e-4  # twice the leak: nearer E_l
    assert abs(float(group.v_soma_[0]) - float(plain.v_soma_[0])) < 0.02


def _imports(path, package):
    """Engine modules imported anywhere in ``path`` (module level or inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            out |= {target} | {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module]
            out |= {n for n in names if n.startswith("compartments")}
    return out


@pytest.mark.codegen_independent
def test_engine_modules_import_no_layer_and_form_no_cycle():
    modules = {}
    for path in ROOT.rglob("*.py"):
        if path.name == "__init__.py":  # package roots compose; they are not modules here
            continue
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        modules[name] = path
    graph = {m: {t for t in _imports(p, m.rpartition(".")[0]) if t in modules}
             for m, p in modules.items()}
    for core in ("compartments.template", "compartments.serialization",
                 "compartments.compartment", "compartments.reading"):
        layers = {t for t in graph[core] if t.startswith(("compartments.neuromodulation",
                                                          "compartments.synapses",
                                                          "compartments.background"))}
        assert not layers, f"{core} imports the layers {layers}"

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for t in graph[todo.pop()]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return seen

    cycles = sorted(m for m in graph if m in reach(m))
    assert not cycles, f"import cycles through {cycles}"


@pytest.mark.codegen_independent
def test_expression_table_as_data():
    rows = [dict(receptor="M1", compartment="soma", fraction=1.0, level=1.0, source="test")]
    cell = soma_cell(expression=rows)
    assert isinstance(cell.expression, Expression)
    assert cell.expression.to_data() == rows
    with pytest.raises(ValueError, match=r"'expression' of CellTemplate 'hh' names "
                                         r"compartments \['apical'\]"):
        soma_cell(expression=[{**rows[0], "compartment": "apical"}])
    with pytest.deprecated_call():
        assert cell.modulation is cell.expression
