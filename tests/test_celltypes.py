"""The catalogue loader: sources required, malformed files named, templates built."""

import pytest

import celltypes
from celltypes import catalogue

pytestmark = pytest.mark.codegen_independent


def test_every_value_has_a_source():
    t = celltypes.table()
    assert len(t) > 0 and t.source.str.strip().str.len().min() > 10


def test_hh_squid_is_neuron_hh():
    cell = celltypes.get("HH_squid")
    p = cell.parameters.set_index("variable").value
    assert p["gbar_hhna_soma"] == pytest.approx(1200.0)   # 120 mS/cm2 in S/m2
    assert p["E_leak_soma"] == pytest.approx(-0.0543)
    assert cell.celsius == 6.3


def test_unknown_name_lists_close_matches():
    with pytest.raises(KeyError, match=r"Unknown cell type 'HH_squit'; close matches: \['HH_squid'\]"):
        celltypes.get("HH_squit")


@pytest.mark.parametrize("row, match", [
    ("soma,length,20,um,", r"row 2, column 'source'"),
    ("soma,length,twenty,um,paper", r"row 2, column 'value'"),
    ("soma,length,20,furlong,paper", r"row 2, column 'unit'"),
    ("soma,nosuch.gbar,20,msiemens/cm**2,paper", r"row 2, column 'parameter': unknown mechanism 'nosuch'"),
    ("soma,colour,20,um,paper", r"row 2, column 'parameter': unknown parameter 'colour'"),
    ("soma,length,20,,paper", r"row 2, column 'unit'"),
    ("dend,connect.soma,0.3,1,paper", r"row 2, column 'value': a connection's value"),
])
def test_malformed_rows(tmp_path, monkeypatch, row, match):
    (tmp_path / "bad.csv").write_text("compartment,parameter,value,unit,source\n" + row + "\n")
    monkeypatch.setattr(catalogue, "DATA", str(tmp_path))
    with pytest.raises(catalogue.CatalogueError, match=match):
        celltypes.get("bad")
