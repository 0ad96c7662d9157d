"""compartments.tables: result tables with provenance, written atomically."""

import os

import numpy as np
import pandas as pd
import pytest

import celltypes
from compartments.files import atomic_path
from compartments.tables import load_table, save_table


@pytest.mark.codegen_independent
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_keeps_values_types_and_provenance(tmp_path, suffix):
    cell = celltypes.get("PV_BC")
    frame = pd.DataFrame({"neuron": np.arange(4), "v_soma_mV": [-70.125, -65.0, 1e-17, np.nan],
                          "source": ["Hay et al. 2011 # fig 2", "a, b", 'quote "x"', "none given"]})
    path = save_table(frame, tmp_path / f"run{suffix}", template=cell,
                      extra={"protocol": "steps 0.1 nA", "dt_ms": 0.025})
    back = load_table(path)
    pd.testing.assert_frame_equal(back, frame, check_dtype=suffix == ".parquet")
    info = back.attrs["provenance"]
    assert info["template"] == "PV_BC" and info["template_hash"] == cell.content_hash
    assert info["brian2"] == "2.9.0" and info["protocol"] == "steps 0.1 nA"
    assert info["dt_ms"] == "0.025"


@pytest.mark.codegen_independent
def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "table.csv"
    save_table(pd.DataFrame({"a": [1, 2]}), path)

    def broken(self, f, **kwargs):
        f.write("a\n3\n")                 # half written, then the process dies
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(KeyboardInterrupt):
        save_table(pd.DataFrame({"a": [3, 4]}), path)
    monkeypatch.undo()
    assert load_table(path).a.tolist() == [1, 2]
    assert os.listdir(tmp_path) == ["table.csv"]          # no temporary file left


@pytest.mark.codegen_independent
def test_written_files_get_the_usual_permissions(tmp_path):
    with atomic_path(tmp_path / "x.txt") as tmp:
        open(tmp, "w").write("x")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(tmp_path / "x.txt").st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.codegen_independent
def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="'path'.*\\.csv.*run.xlsx"):
        save_table(pd.DataFrame({"a": [1]}), tmp_path / "run.xlsx")
    with pytest.raises(TypeError, match="'frame'.*DataFrame.*dict"):
        save_table({"a": [1]}, tmp_path / "run.csv")
    with pytest.raises(ValueError, match="single lines"):
        save_table(pd.DataFrame({"a": [1]}), tmp_path / "run.csv", extra={"note": "a\nb"})
