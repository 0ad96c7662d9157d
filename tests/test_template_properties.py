"""Property-based tests (hypothesis): random valid templates (cylinders and 3-D point cables
with per-segment values, channels, couplings, receptor expression) round-trip exactly, hash
the same in every process, and have a finite resting state.

Few examples by default, to keep CI fast; ``HYPOTHESIS_EXAMPLES=200 pytest ...`` runs more.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from brian2 import Network, cm, mV, msiemens, ohm, uF, um
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compartments import CellTemplate, Compartment, channels

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "6"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@st.composite
def mechanisms(draw, soma):
    leak = channels.Leak(g=draw(st.floats(0.01, 0.5)) * msiemens / cm**2,
                         E=draw(st.floats(-90, -50)) * mV)
    out = [leak]
    if soma and draw(st.booleans()):
        out += [channels.HHNa(gbar=draw(st.floats(10, 150)) * msiemens / cm**2),
                channels.HHK(gbar=draw(st.floats(5, 50)) * msiemens / cm**2)]
    if draw(st.booleans()):
        out.append(channels.Km())
    if draw(st.booleans()):
        out.append(channels.KLeak(g=draw(st.floats(0.0, 0.05)) * msiemens / cm**2))
    return out


@st.composite
def templates(draw):
    n = draw(st.integers(1, 4))
    names = ["soma"] + [f"d{k}" for k in range(1, n)]
    comps, connections = [], []
    for k, name in enumerate(names):
        nseg = draw(st.integers(1, 3))
        if draw(st.booleans()):
            geometry = dict(length=draw(st.floats(5, 400)) * um,
                            diameter=draw(st.floats(0.5, 30)) * um)
        else:  # 3-D points (NEURON's pt3d), with per-segment leak conductances
            steps = draw(st.lists(st.tuples(st.floats(1, 100), st.floats(-50, 50),
                                            st.floats(0.5, 30)), min_size=1, max_size=4))
            x = np.cumsum([0.0] + [s[0] for s in steps])
            y = [0.0] + [s[1] for s in steps]
            d = [draw(st.floats(0.5, 30))] + [s[2] for s in steps]
            geometry = dict(points=np.column_stack([x, y, np.zeros_like(x), d]) * um)
            if draw(st.booleans()):
                geometry["segment_values"] = {"g_leak": (
                    np.array(draw(st.lists(st.floats(0.01, 0.5), min_size=nseg,
                                           max_size=nseg))) * msiemens / cm**2, "drawn")}
        comps.append(Compartment(
            name, **geometry, cm=draw(st.floats(0.5, 2)) * uF / cm**2, nseg=nseg,
            spine_factor=draw(st.floats(1, 2)), channels=draw(mechanisms(k == 0))))
        if k:
            parent = names[draw(st.integers(0, k - 1))]
            at = draw(st.sampled_from([None, 0, 0.5, 1]))
            connections.append((parent, name) if at is None else (parent, name, at))
    expression = None
    if draw(st.booleans()):
        expression = [dict(receptor=r, compartment=draw(st.sampled_from(names)),
                           fraction=draw(st.floats(0, 1)), level=draw(st.floats(0, 1)),
                           source="drawn by hypothesis")
                      for r in draw(st.lists(st.sampled_from(["M1", "D1", "5-HT1A"]),
                                             unique=True, max_size=3))]
    return CellTemplate("drawn", comps, connections, Ra=draw(st.floats(50, 300)) * ohm * cm,
                        celsius=draw(st.floats(6.3, 37)),
                        method=draw(st.sampled_from(["crank_nicolson", "backward_euler"])),
                        expression=expression)


@pytest.mark.codegen_independent
@SETTINGS
@given(templates())
def test_round_trip_is_exact(cell):
    again = CellTemplate.from_dict(json.loads(json.dumps(cell.to_dict())))
    assert again == cell and hash(again) == hash(cell)
    assert again.content_hash == cell.content_hash
    assert again.to_dict() == cell.to_dict()
    assert again.parameters.equals(cell.parameters)
    assert str(again.equations) == str(cell.equations)


@SETTINGS
@given(templates())
def test_rest_is_finite(numpy_target, cell):
    group = cell.make_group(1, check_step=False)  # no run here: dt does not matter
    Network(group)  # Brian2 warns about groups deleted outside any network
    for name in group.equations.diff_eq_names:
        assert np.all(np.isfinite(getattr(group, name + "_"))), name
    assert -0.1 < float(getattr(group, f"v_{cell.segment_names[0]}_")[0]) < 0.05


@pytest.mark.codegen_independent
def test_content_hash_is_the_same_in_another_process():
    """The hash of a catalogue type does not depend on the process (hash seed, dict order)."""
    import celltypes

    code = "import celltypes; print(celltypes.get('L5_TTPC').content_hash)"
    env = dict(os.environ, PYTHONHASHSEED="12345",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout.strip()
    assert other == celltypes.get("L5_TTPC").content_hash
