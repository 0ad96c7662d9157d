"""The cell-type atlas (``python -m celltypes atlas``): layout, files and page.

The full atlas (seven types, five conditions, the standard protocols) is not a CI
test; here one type runs a shortened standard protocol on numpy (no compilation)
under control and serotonin, through the same code.
"""

import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from brian2 import molar, ms, nA

from celltypes import characterise as ch
from celltypes.atlas import build, simulate
from compartments.tables import load_table

# PV_BC with three steps of 200 ms: 2 conditions x 5 neurons, ~10 s on numpy
SHORT_PV = ch.Standard(-0.05, -0.4, (0.5, 1.0, 2.0), 2.0, duration=200.0, delay=50.0,
                       after=100.0)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas")
    patch = pytest.MonkeyPatch()
    patch.setitem(ch.STANDARD, "PV_BC", SHORT_PV)
    try:
        page = build.build_atlas(str(out), cells=["PV"], modulators=["5HT"], backend="numpy",
                                 jobs=1, progress=False)
    finally:
        patch.undo()
    return out, page


def referenced(page):
    text = open(page, encoding="utf-8").read()
    return sorted(set(re.findall(r'(?:src|href)="([^"#][^"]*)"', text)))


def test_every_referenced_file_exists_and_is_a_valid_png_csv_or_json(atlas):
    out, page = atlas
    files = referenced(page)
    kinds = {os.path.splitext(f)[1] for f in files}
    assert kinds == {".png", ".csv", ".json"}
    assert {"PV_BC/fi.png", "PV_BC/morphology.png", "PV_BC/targets.csv", "PV_BC/stdp.png",
            "PV_BC/stdp.csv", "summary.csv"} <= set(files)
    for name in files:
        path = os.path.join(out, name)
        assert os.path.isfile(path), name
        if name.endswith(".png"):
            import matplotlib.image

            with open(path, "rb") as f:
                assert f.read(8) == PNG, name
            image = matplotlib.image.imread(path)
            assert image.shape[0] > 100 and image.shape[1] > 100, name
        elif name.endswith(".csv"):
            frame = load_table(path)
            assert len(frame) and len(frame.columns) >= 2, name
            assert frame.attrs["provenance"]["brian2"] == "2.9.0", name
        else:
            with open(path) as f:
                assert json.load(f)["cell_type"] == "PV_BC"
    # no temporary files left behind by the atomic writes
    assert not [f for f in os.listdir(out / "PV_BC") if f.startswith(".")]


def test_conditions_reach_their_own_neurons(atlas):
    """Serotonin depolarises PV cells through 5-HT2C (closing a K leak): its block of the
    group must be more depolarised and more excitable than the control's, and the
    control must equal the type's standard characterisation run on its own."""
    out, _ = atlas
    features = load_table(out / "PV_BC" / "features.csv").pivot(
        index="feature", columns="condition", values="value")
    assert features.loc["v_rest_mV", "5HT"] > features.loc["v_rest_mV", "control"] + 3
    fi = load_table(out / "PV_BC" / "fi.csv")
    rates = fi.pivot(index="amplitude_nA", columns="condition", values="rate_Hz")
    assert (rates["5HT"] >= rates["control"]).all() and (rates["5HT"] > rates["control"]).any()
    from compartments import backends

    backends.use("numpy")
    import celltypes

    recording, per_neuron = ch.characterise(celltypes.get("PV_BC"), standard=SHORT_PV)
    alone = ch.summary(per_neuron, SHORT_PV)
    for feature in ("v_rest_mV", "R_in_MOhm", "rheobase_nA", "max_rate_Hz"):
        assert features.loc[feature, "control"] == pytest.approx(alone[feature], rel=1e-6,
                                                                 abs=1e-9), feature


def test_targets_table_has_status_and_sources(atlas):
    out, _ = atlas
    targets = load_table(out / "PV_BC" / "targets.csv")
    assert {"feature", "control", "5HT", "target", "status", "v1", "source"} <= set(targets)
    assert set(targets.status) <= {"meets", "misses", "not measured"}
    assert targets.source.str.len().min() > 10
    summary = load_table(out / "summary.csv")
    assert summary["cell type"].tolist() == ["PV_BC"] and "Δ rate 5HT" in summary


def test_bap_is_largest_at_the_soma_and_attenuates(atlas):
    out, _ = atlas
    bap = load_table(out / "PV_BC" / "bap.csv")
    control = bap[bap.condition == "control"].set_index("segment")
    assert control.bap_mV["soma"] > 80                   # an action potential
    assert 0 < control.bap_mV["dend"] < control.bap_mV["soma"]   # passive dendrite


def test_stdp_window_of_serotonin_is_the_published_rule_on_the_type_receptors(atlas):
    """PV cells express 5-HT2C (level 1): serotonin after the pairings converts the LTD
    trace of He et al. (2015)'s rule, so the atlas's window is the preset's own experiment
    (same level, 10 uM): depression at Δt < 0, nothing at Δt > 0 or without serotonin."""
    from compartments.stdp_presets import PRESETS

    out, _ = atlas
    stdp = load_table(out / "PV_BC" / "stdp.csv")
    assert set(stdp.modulator) == {"5HT"} and set(stdp.receptor) == {"5-HT2C"}
    window = stdp[stdp.condition == "5HT"].set_index("dt_ms").change_percent
    assert (window[window.index < 0] < -0.5).all()
    assert (window[window.index > 0].abs() < 1e-6).all()          # % (numerical residue)
    assert (stdp[stdp.condition == "control"].change_percent.abs() < 1e-6).all()
    from compartments import backends

    with backends.using("numpy"):
        paper = PRESETS["V1_He2015"].run().set_index(["condition", "dt_ms"]).change_percent
    assert window[-10.0] == pytest.approx(paper["5-HT at 5 s", -10.0], rel=1e-9)


def test_stdp_rule_reads_the_type_expression_of_its_receptors():
    """L2/3 PCs lack 5-HT2C and express M1 at level 0.5 (celltypes/modulation/L23_PC.csv):
    the serotonin term of He et al.'s rule vanishes, Seol et al.'s M1 terms halve."""
    from celltypes.atlas import stdp
    from compartments.stdp_presets import preset

    levels = stdp.receptor_levels("L23_PC")
    assert levels["M1"] == 0.5 and levels["b-AR"] == 1.0 and "5-HT2C" not in levels
    he = stdp.expressed_rule(preset("V1_He2015"), levels)
    assert he.gain("convert_ltd").value(HT=1.0) == 0
    assert he.gain("convert_ltp").value(NE=1.0) == 1.0
    seol = preset("V1_Seol2007")
    mine = stdp.expressed_rule(seol, levels)
    assert mine.gain("ltd").value(ACh=1.0) == pytest.approx(0.5 * seol.gain("ltd").value(ACh=1.0))
    assert mine.gain("ltd").value(ACh=1.0, NE=1.0) == pytest.approx(
        seol.gain("ltd").value(ACh=0.5, NE=1.0))


def test_layout_puts_each_protocol_in_every_condition_block():
    std = ch.STANDARD["L5_TTPC"]
    conditions = {"control": {}, "DA": {}}
    neurons = simulate.layout(std, conditions)
    block = len(std.amplitudes) + 3
    assert len(neurons) == 2 * block
    first, second = neurons.iloc[:block], neurons.iloc[block:]
    assert (first.condition == "control").all() and (second.condition == "DA").all()
    assert first.bac.tolist()[-3:] == ["soma", "distal", "both"]
    np.testing.assert_array_equal(first.amplitude_nA[:len(std.amplitudes)], std.amplitudes)
    currents, total = simulate._currents(std, neurons)
    assert float(total / ms) == std.delay + std.duration + std.after
    soma = np.asarray(currents["soma"] / nA)
    distal = np.asarray(currents[std.bac[0]] / nA)
    mid = int((std.delay + std.duration / 2) / 0.1)
    np.testing.assert_allclose(soma[mid, :len(std.amplitudes)], std.amplitudes)
    bac = neurons.index[neurons.protocol == "bac"]
    assert soma[mid, bac].max() == 0                     # the BAC pulse is over by then
    pulse = int((std.delay + 1) / 0.1)
    np.testing.assert_allclose(soma[pulse, bac], [1.9, 0, 1.9] * 2)
    assert distal[:, bac].max(axis=0) == pytest.approx([0, std.bac[1], std.bac[1]] * 2, rel=1e-3)
    assert np.abs(distal[:, neurons.protocol == "step"]).max() == 0


def test_conditions_leave_out_modulators_without_a_receptor_in_the_type():
    """L2/3 PCs express no dopamine receptor (celltypes/modulation/L23_PC.csv): a DA
    condition would act on nothing (and make_group warns), so it is not run."""
    from celltypes.modulation import modulator_conditions

    l23 = modulator_conditions("L23_PC")
    assert list(l23) == ["control", "ACh", "5HT", "NE"]
    assert float(l23["ACh"]["levels"]["ACh"] / molar) == pytest.approx(10e-6)
    assert list(modulator_conditions("TC", ("DA", "NE"))) == ["control", "NE"]
    assert list(modulator_conditions("HH_squid")) == ["control"]     # no expression table


def test_bac_neurons_of_each_condition_are_summarised_from_their_own_rows():
    """The BAC features of a condition come from its three BAC neurons among the recorded
    rows (synthetic voltages: no simulation): a bAP of 10*(k+1) mV in segment k of the
    DA block's somatic-pulse neuron, spikes of its 'both' neuron, a Ca plateau."""
    from types import SimpleNamespace

    import celltypes

    std = ch.STANDARD["L5_TTPC"]
    neurons = simulate.layout(std, {"control": {}, "DA": {}})
    recorded = simulate._bap_candidates(neurons, std)               # the 6 BAC neurons
    segments = celltypes.get("L5_TTPC").segment_names
    onset, t = std.delay, np.arange(0, 300, 0.1)
    arrays = {f"v_{s}_mV": np.full((len(recorded), len(t)), -70.0) for s in segments}
    da = neurons[(neurons.condition == "DA") & (neurons.protocol == "bac")]
    soma, distal_only, both = (int(np.flatnonzero(recorded == n)[0]) for n in da.neuron)
    bump = (t >= onset + 1) & (t < onset + 2)
    for k, seg in enumerate(segments):
        arrays[f"v_{seg}_mV"][soma, bump] += 10.0 * (k + 1)
    distal = std.bac[0]
    arrays[f"v_{distal}_mV"][both, (t >= onset + 10) & (t < onset + 40)] = 0.0  # 30 ms
    spikes = pd.DataFrame({"neuron": [int(da.neuron.iloc[2])] * 3,
                           "t_ms": [onset + 6, onset + 12, onset + 20]})
    recording = SimpleNamespace(spikes=spikes, duration=float(t[-1]))
    rec = simulate._bac_recording(recording, t, arrays, recorded, neurons, "DA", onset)
    out = ch.bac_summary(rec, std)
    summarised = std.bac_series().segments                            # soma, distal, sites
    assert len(summarised) >= 3
    for seg in summarised:
        assert out[f"bap_v_{seg}_mV"] == pytest.approx(10.0 * (segments.index(seg) + 1))
    assert out["bac_spikes_both"] == 3 and out["bac_spikes_soma"] == 0
    assert out["bac_isi_ms"] == pytest.approx(7.0)
    assert out["ca_spike_ms_both"] == pytest.approx(30.0, abs=0.2)
    above = -70 + 10.0 * (segments.index(distal) + 1) > -30          # the bump, 1 ms
    assert out["ca_spike_ms_soma"] == pytest.approx(1.0 if above else 0.0, abs=0.2)
    control = simulate._bac_recording(recording, t, arrays, recorded, neurons, "control",
                                      onset)
    assert ch.bac_summary(control, std)[f"bap_v_{distal}_mV"] == 0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="'cells'.*HH_squid"):
        build.build_atlas("unused", cells=["HH_squid"])
    with pytest.raises(ValueError, match="'modulators'.*'GABA'"):
        build.build_atlas("unused", modulators=["GABA"])
    with pytest.raises(ValueError, match="'jobs'.*0"):
        build.build_atlas("unused", jobs=0)


def test_command_line_parses_the_atlas_options(monkeypatch, capsys):
    from celltypes.__main__ import main

    with pytest.raises(SystemExit):
        main(["atlas", "--help"])
    text = capsys.readouterr().out
    for option in ("--out", "--cells", "--modulators", "--backend", "--jobs"):
        assert option in text
    seen = {}
    monkeypatch.setattr(build, "build_atlas", lambda out, **kw: seen.update(out=out, **kw)
                        or os.path.join(out, "index.html"))
    assert main(["atlas", "--out", "x", "--cells", "PV, SST", "--modulators", "none",
                 "--jobs", "3", "--backend", "numpy", "--no-progress"]) == 0
    assert seen == dict(out="x", cells=["PV", "SST"], modulators=[], backend="numpy", jobs=3,
                        optimise=True, progress=False)


@pytest.mark.long
@pytest.mark.standalone
def test_standalone_atlas_gives_the_characterisation_features(tmp_path, monkeypatch):
    """The cpp_standalone path (parameters prepared on numpy, copied to the device; a worker
    process per type) reproduces the runtime characterisation of the control."""
    import celltypes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))   # the project folder
    build.build_atlas(str(tmp_path), cells=["PV"], modulators=["ACh"], backend="cpp_standalone",
                      jobs=1, progress=False)
    features = load_table(tmp_path / "PV_BC" / "features.csv").pivot(
        index="feature", columns="condition", values="value")
    recording, per_neuron = ch.characterise(celltypes.get("PV_BC"))
    alone = ch.summary(per_neuron, ch.STANDARD["PV_BC"])
    for feature in ("v_rest_mV", "R_in_MOhm", "tau_m_ms", "rheobase_nA", "max_rate_Hz",
                    "ap_halfwidth_ms"):
        assert features.loc[feature, "control"] == pytest.approx(alone[feature], rel=1e-3,
                                                                 abs=1e-6), feature


def test_sigterm_ends_the_atlas_and_its_workers():
    """A SIGTERM inside the atlas's pool block becomes KeyboardInterrupt, and the worker
    processes started there are terminated (not left running their types as orphans)."""
    import multiprocessing
    import signal
    import time

    worker = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(60,))
    with pytest.raises(KeyboardInterrupt, match="signal 15"):
        with build._workers_end_with_us():
            worker.start()
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)                         # the signal interrupts this
    worker.join(timeout=10)
    assert worker.exitcode == -signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL   # the handler is restored
