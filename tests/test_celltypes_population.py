"""Heterogeneous populations and bad input to the cell-type catalogue."""

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, nA

import celltypes
from celltypes import catalogue
from celltypes import characterise as ch
from compartments.analysis import features, protocols


def test_population_spread_features_and_silent_neurons():
    cell = celltypes.get("PV_BC")
    n, cv = 200, 0.1
    drawn = cell.sample(n, heterogeneity=cv, seed=7)
    base = cell.initial_values(1)
    for var in ("gbar_nat_soma", "gbar_kdr_soma", "g_leak_soma"):
        ratio = drawn[var] / base[var][0]
        assert ratio.min() > 0
        assert abs(ratio.mean() - 1) < 3 * cv / np.sqrt(n)              # mean-preserving
        assert abs(ratio.std() / ratio.mean() - cv) < 0.25 * cv          # the requested CV
    assert 0.7 < drawn.size_factor.min() and drawn.size_factor.max() < 1.3  # truncated at 2 SD
    np.testing.assert_allclose(drawn.area_soma / base["area_soma"][0], drawn.size_factor)
    pd.testing.assert_frame_equal(drawn, cell.sample(n, heterogeneity=cv, seed=7))  # seeded
    # one group: every neuron its own parameters, the same 2 nA step
    group = cell.make_group(n, heterogeneity=cv, seed=7, dt=ch.DT, name=ch.group_name(cell))
    np.testing.assert_allclose(group.gbar_nat_soma_, drawn.gbar_nat_soma)
    rec = protocols.steps(group, np.full(n, 2.0) * nA, delay=50 * ms, duration=300 * ms,
                          after=50 * ms)          # raises SimulationDiverged if any diverges
    f = features.spike_features(rec)
    silent = f.n_spikes == 0          # "silent": no spike during the step
    rates = f.rate_Hz[~silent]
    report = rates.describe()
    print(f"PV_BC, CV {cv}, 2 nA: {int(silent.sum())} silent of {n}; rate (Hz):\n{report}")
    assert np.isfinite(f.v_base_mV).all()
    assert silent.sum() < n // 2
    assert rates.std() > 1.0                     # heterogeneity shows in the features


@pytest.mark.codegen_independent
def test_per_parameter_spec():
    cell = celltypes.get("SST_MC")
    drawn = cell.sample(50, heterogeneity={"gbar_km_*": 0.3, "size": 0.0}, seed=1)
    assert list(drawn.columns) == ["gbar_km_soma"]


@pytest.mark.codegen_independent
@pytest.mark.parametrize("spec, match", [
    (1.5, r"coefficient of variation in \[0, 1\]. Got 1.5"),
    (-0.1, r"coefficient of variation in \[0, 1\]"),
    ({"gbar_nosuch_*": 0.1}, r"'gbar_nosuch_\*', which matches no parameter"),
    ({"E_kleak_soma": 0.1}, r"'E_kleak_soma', which is negative"),
])
def test_bad_heterogeneity(spec, match):
    with pytest.raises(ValueError, match=match):
        celltypes.get("PV_BC").sample(3, heterogeneity=spec, seed=0)


@pytest.mark.codegen_independent
def test_unknown_type_lists_names_and_closest_match():
    with pytest.raises(KeyError, match=r"close matches: \['PV_BC'.*all: \["):
        celltypes.get("PV_B")


@pytest.mark.codegen_independent
def test_aliases():
    assert celltypes.get("SST").name == "SST_MC"
    assert celltypes.targets("VIP").feature.tolist() == celltypes.targets("VIP_BP").feature.tolist()


@pytest.mark.codegen_independent
def test_target_without_source(tmp_path, monkeypatch):
    from celltypes import celltype

    header = ",".join(celltype.TARGET_COLUMNS)
    (tmp_path / "PV_BC.csv").write_text(header + "\nR_in_MOhm,,,60,150,MOhm,mouse,34 C,,step,,tested\n")
    monkeypatch.setattr(celltype, "TARGETS", str(tmp_path))
    with pytest.raises(catalogue.CatalogueError, match=r"row 2, column 'source'"):
        celltypes.targets("PV_BC")


@pytest.mark.codegen_independent
@pytest.mark.parametrize("name", [n for n in celltypes.names() if n != "HH_squid"])
def test_every_type_has_sourced_targets_and_parameters(name):
    t = celltypes.targets(name)
    assert set(t.v1) <= {"tested", "calibration"} and (t.v1 == "tested").sum() >= 3
    p = celltypes.table(name)
    assert p.source.str.len().min() > 10
