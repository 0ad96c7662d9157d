"""Figures: returned, never a forced backend, and drawing what the data say."""

import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
from brian2 import um

import celltypes
from compartments.analysis.population import population_rate
from compartments.plotting import stdp_windows_figure
from compartments.plotting_cells import fi_curves_figure, traces_figure
from compartments.plotting_morphology import morphology_figure, morphology_layout
from compartments.plotting_network import raster_figure

pytestmark = pytest.mark.codegen_independent


def test_importing_and_drawing_leave_the_backend_alone():
    code = ("import matplotlib; matplotlib.use('svg'); import celltypes\n"
            "import compartments.plotting, compartments.plotting_cells, "
            "compartments.plotting_morphology, compartments.plotting_network\n"
            "from compartments.plotting_morphology import morphology_figure\n"
            "morphology_figure(celltypes.get('PV_BC'))\n"
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "svg"


def test_layout_draws_every_segment_at_its_length_and_joins_children_to_parents():
    cell = celltypes.get("L5_TTPC")
    layout = morphology_layout(cell).set_index("segment")
    for comp in cell.compartments:
        for seg in comp.segments:
            row = layout.loc[seg.name]
            drawn = np.hypot(row.x1_um - row.x0_um, row.y1_um - row.y0_um)
            expected = 0.0 if row.kind == "root" else float(seg.length / um)
            assert drawn == pytest.approx(expected, abs=1e-9), seg.name
    ends = {c: layout.loc[cell.topology.compartments[c].segments[-1].name] for c in
            [c.name for c in cell.compartments]}
    for parent, child, *_ in cell.connections:
        if parent == "soma":
            continue
        start = layout.loc[cell.topology.compartments[child].segments[0].name]
        assert (start.x0_um, start.y0_um) == pytest.approx((ends[parent].x1_um,
                                                             ends[parent].y1_um))
    assert layout.loc["tuft_1"].y1_um > 800 > 0 > layout.loc["basal"].y1_um  # apical up


def test_morphology_values_colour_the_segments_and_bad_names_are_errors():
    cell = celltypes.get("VIP_BP")
    fig = morphology_figure(cell, {"soma": 100.0, "dend_up": 60.0, "dend_down": 30.0},
                            label="bAP (mV)")
    assert len(fig.axes) == 3              # shape, colour bar, profile
    profile = fig.axes[1]
    ys = sorted(np.concatenate([line.get_ydata() for line in profile.get_lines()]))
    assert ys == [30.0, 60.0, 100.0]
    with pytest.raises(ValueError, match="apical.*VIP_BP"):
        morphology_figure(cell, {"apical": 1.0})


def test_population_rate_counts_spikes_per_neuron_and_bin():
    spikes = pd.DataFrame({"population": ["E"] * 6 + ["I"] * 2,
                           "t_ms": [1, 2, 3, 12, 14, 25, 5, 15.0]})
    rate = population_rate(spikes, {"E": 3, "I": 1}, duration_ms=30, bin_ms=10)
    e = rate[rate.population == "E"].rate_Hz.tolist()
    assert e == pytest.approx([3 / 3 / 0.01, 2 / 3 / 0.01, 1 / 3 / 0.01])
    assert rate[rate.population == "I"].rate_Hz.tolist() == pytest.approx([100, 100, 0])
    inside = spikes[(spikes.t_ms > 10) & (spikes.t_ms < 20)]      # away from the edges
    smooth = population_rate(inside, {"E": 3}, duration_ms=30, bin_ms=1, smooth_ms=2)
    binned = population_rate(inside, {"E": 3}, duration_ms=30, bin_ms=1)
    assert smooth.rate_Hz.sum() == pytest.approx(binned.rate_Hz.sum(), rel=1e-6)  # kept
    assert smooth.rate_Hz.max() < binned.rate_Hz.max()                          # spread
    with pytest.raises(ValueError, match="bin_ms"):
        population_rate(spikes, 3, duration_ms=30, bin_ms=0)


def test_raster_stacks_populations_and_rejects_unknown_ones():
    spikes = pd.DataFrame({"population": ["E", "I"], "neuron": [3, 1], "t_ms": [5.0, 7.0]})
    fig = raster_figure(spikes, {"E": 4, "I": 2}, duration_ms=20)
    top = fig.axes[0]
    rows = sorted(float(line.get_ydata()[0]) for line in top.get_lines())
    assert rows == [3.0, 5.0]             # I's neuron 1 drawn above the 4 E rows
    with pytest.raises(ValueError, match="'X'"):
        raster_figure(spikes.assign(population=["E", "X"]), {"E": 4}, duration_ms=20)


def test_fi_and_traces_figures_draw_one_line_per_condition_and_panel_per_variable():
    features = pd.DataFrame({"condition": ["control"] * 3 + ["DA"] * 3,
                             "amplitude_nA": [-0.1, 0.1, 0.2] * 2,
                             "rate_Hz": [0, 5, 10, 0, 8, 16.0]})
    fig = fi_curves_figure(features)
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[5, 10], [8, 16]]
    t = np.arange(5.0)
    traces = pd.DataFrame({"t_ms": np.tile(t, 2), "neuron": np.repeat([0, 1], 5),
                           "v_soma_mV": np.r_[t, -t], "v_dend_mV": np.r_[t, t] * 2})
    fig = traces_figure(traces, labels=["a", "b"])
    assert len(fig.axes) == 2 and len(fig.axes[1].get_lines()) == 2
    with pytest.raises(ValueError, match="v_tuft_mV"):
        traces_figure(traces, variables=["v_tuft_mV"])


def test_stdp_windows_figure_needs_a_tidy_table():
    windows = pd.DataFrame({"condition": ["control"] * 2 + ["DA"] * 2,
                            "dt_ms": [-10, 10] * 2, "dw": [-1, 1, 1, 1.5]})
    fig = stdp_windows_figure(windows)
    assert [line.get_label() for line in fig.axes[0].get_lines()][-2:] == ["control", "DA"]
    with pytest.raises(ValueError, match="dw"):
        stdp_windows_figure(windows.drop(columns="dw"))


def teardown_module():
    import matplotlib.pyplot as plt

    plt.close("all")
    assert matplotlib.get_backend()
