"""Divergence is reported where it started, at the start of a run if it is already there,
and honestly when the origin cannot be found (numpy target, the demo cell)."""

import numpy as np
import pytest
from brian2 import Network, ms, network_operation, siemens, meter

from cells import demo_cell
from compartments import SimulationDiverged

pytestmark = pytest.mark.usefixtures("numpy_target")


@pytest.mark.parametrize("segment, compartment, g", [
    ("soma", "compartment 'soma'", -1e3),
    ("apical_2", r"compartment 'apical' \(segment 'apical_2'\)", -1e4),
])
def test_divergence_names_where_it_started(segment, compartment, g):
    """A negative leak makes one segment unstable; by the 1 ms check the voltage is NaN or
    beyond 1 V in several segments (it used to name the first alphabetically, apical_0);
    the replay of the interval finds where it began."""
    group = demo_cell().make_group(2)
    getattr(group, f"g_leak_{segment}")[1] = g * siemens / meter**2
    with pytest.raises(SimulationDiverged, match=rf"neuron 1 .*started in {compartment}: "):
        Network(group).run(5 * ms)
    assert np.all(np.isfinite(group.v_soma_[:1]))  # neuron 0 is untouched


def test_nan_set_between_runs_is_reported_at_the_start():
    group = demo_cell().make_group(1)
    net = Network(group)
    net.run(1 * ms)
    group.v_apical_1_[0] = np.nan
    with pytest.raises(SimulationDiverged, match=r"compartment 'apical' \(segment 'apical_1'\) "
                                                 r"of neuron 0 .* at the start of the run"):
        net.run(1 * ms)


def test_an_origin_outside_the_group_is_not_guessed():
    """A NaN written by another object (here a network operation) cannot be replayed:
    the message says where it was found and that the origin is not known."""
    group = demo_cell().make_group(1)

    @network_operation(dt=0.5 * ms, when="start")
    def inject(t):
        if t > 1.2 * ms:
            group.v_apical_3_[0] = np.nan

    with pytest.raises(SimulationDiverged, match=r"found first in compartment 'soma' .*not "
                                                 r"known: a replay without input from other "
                                                 r"groups did not diverge"):
        Network(group, inject).run(3 * ms)
