"""Run the demo cell under one code-generation target and save its traces (used by test_backends).

Usage: python backend_run.py TARGET OUTFILE [BUILD_DIR]
"""

import os
import subprocess
import sys

import numpy as np
from brian2 import (Hz, Network, NeuronGroup, SpikeMonitor, StateMonitor, defaultclock, ms, nA,
                    siemens)

import compartments
from cells import demo_cell
from compartments.background import PoissonDrive

AMPLITUDES = [0.0, 0.15, 0.4] * nA
DURATION = 40 * ms
VARIABLES = ["v_soma", "v_apical_3", "m_hhna_soma"]


def run(target, build_dir=None):
    compartments.backends.use(target, directory=build_dir)
    defaultclock.dt = 0.025 * ms
    group = demo_cell().make_group(len(AMPLITUDES))
    group.I_ext_soma = AMPLITUDES
    mon = StateMonitor(group, VARIABLES, record=True)
    # the event drive's random streams on a plain group: the same events on every target
    target = NeuronGroup(20, "x : siemens\nnorm : 1", name="drive_target")
    target.norm = 2.0
    drive = PoissonDrive(target, "x", "norm", 1e-9 * siemens, 2000 * Hz, key=12345)
    events = SpikeMonitor(drive)
    Network(group, mon, target, drive, events).run(DURATION)
    traces = {var: np.asarray(getattr(mon, var + "_")) for var in VARIABLES}
    return dict(traces, event_i=np.asarray(events.i[:]), event_t=np.asarray(events.t_[:]),
                drive_x=np.asarray(target.x_[:]))


def run_script(script, target, tmp_path, timeout=600):
    """Run ``script TARGET OUT BUILD`` (a file in tests/) in a fresh process — one Brian2
    device per process — and return the arrays it saved."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = tmp_path / f"{target}.npz"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [here, os.path.dirname(here), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, os.path.join(here, script), target, str(out),
                    str(tmp_path / "build")], check=True, env=env, timeout=timeout)
    return dict(np.load(out))


def assert_close(reference, other, var, scale, tol):
    """max |reference[var] - other[var]| * scale < tol, with the difference in the message."""
    err = np.max(np.abs(reference[var] - other[var])) * scale
    assert err < tol, f"{var}: max difference {err:.3g} exceeds {tol}"


if __name__ == "__main__":
    traces = run(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None)
    np.savez(sys.argv[2], **traces)
