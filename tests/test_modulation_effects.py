"""Neuromodulation on the catalogue types against the published effect table
(celltypes/modulation_effects.csv).

For every row that v1 claims (column v1 = yes), the model's change from control — measured
by `compartments.analysis.modulation.modulated_excitability` at the stated receptor-site
concentration, all cells expressing — has the published sign, and is not negligible
(at least 0.1 mV for the resting potential, 2 % for the other measures). Rows v1 does not
meet say why in the table and are checked to be listed, not silently dropped. The
published rows are signs: the sources (abstracts; docs/neuromodulation_sources.md) give
directions, rarely sizes.
"""

import numpy as np
import pytest
from brian2 import defaultclock, ms, nA

import celltypes
from celltypes.characterise import cheapest_backend
from celltypes.modulation import effect_conditions, published_effects
from compartments.analysis.modulation import modulated_excitability

pytestmark = pytest.mark.usefixtures("numpy_target")

TABLE = published_effects()
CLAIMED = TABLE[TABLE.v1 == "yes"]


@pytest.fixture(scope="module")
def measured():
    """Per cell type: the summary of modulated_excitability over its conditions.

    Small types run on numpy; the L5 templates (many segments) compile with Cython at -O0,
    as in the catalogue tests (about 40 s instead of about 10 min on numpy).
    """
    defaultclock.dt = 0.05 * ms
    out = {}
    for cell_type in CLAIMED.cell_type.unique():
        with cheapest_backend(cell_type):
            summary, _ = modulated_excitability(celltypes.get(cell_type),
                                                effect_conditions(cell_type, CLAIMED),
                                                amplitudes=[-0.05, 0.2, 0.3, 0.4, 0.6] * nA,
                                                delay=60 * ms, duration=300 * ms, after=20 * ms)
        out[cell_type] = summary.set_index("condition")
    defaultclock.dt = 0.025 * ms
    return out


@pytest.mark.parametrize("row", list(CLAIMED.itertuples()),
                         ids=[f"{r.cell_type}-{r.condition}-{r.measure}"
                              for r in CLAIMED.itertuples()])
def test_published_sign(measured, row):
    summary = measured[row.cell_type]
    control, modulated = summary.loc["control", row.measure], summary.loc[row.condition,
                                                                          row.measure]
    change = modulated - control
    minimum = 0.1 if row.measure == "v_rest_mV" else 0.02 * abs(control)
    sign = 1 if row.published == "+" else -1
    assert np.isfinite(change), f"{row.measure} could not be measured"
    if row.measure in ("R_in_MOhm", "fi_slope_Hz_per_nA"):
        assert control > 0 and modulated > 0, f"{row.measure} ill-defined: {control}, {modulated}"
    assert sign * change > minimum, (f"{row.cell_type} {row.condition} {row.measure}: "
                                     f"control {control:.4g}, modulated {modulated:.4g}")


def test_condition_settings_are_consistent_and_receptors_known():
    from compartments.neuromodulation.receptors import RECEPTORS

    for cell_type in TABLE.cell_type.unique():
        for spec in effect_conditions(cell_type).values():
            assert set(spec.get("receptors", ())) <= set(RECEPTORS)


def test_unmet_rows_say_why():
    unmet = TABLE[TABLE.v1 != "yes"]
    assert all(str(v).startswith("no: ") and len(str(v)) > 20 for v in unmet.v1)
    assert TABLE.source.str.len().min() > 20
