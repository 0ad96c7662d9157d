"""Interrupted work leaves nothing half-written and says so (exit status, exception); an
interrupted Cython build leaves a cache the next process uses."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from brian2 import Network, ms, nA, network_operation

from compartments.demo import demo_cell
from compartments.files import atomic_path
from compartments.guard import RunInterrupted, run_to_end

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_ctrl_c_during_the_demo_run_exits_130_and_keeps_previous_results(tmp_path):
    old = {"demo_steps.csv": b"# previous results\n", "demo_steps.png": b"previous figure"}
    for name, content in old.items():
        (tmp_path / name).write_bytes(content)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "compartments.demo", "--out", str(tmp_path),
                             "--target", "numpy"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().startswith("simulated 0 of 150 ms")  # the run started
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)  # Brian2 stops after the current step
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "demo interrupted: The run stopped at t = " in err and "No results were written" in err
    assert "traces:" not in out
    for name, content in old.items():
        assert (tmp_path / name).read_bytes() == content
    assert sorted(os.listdir(tmp_path)) == sorted(old)  # no temporary files left


def test_a_run_stopped_early_raises(numpy_target):
    group = demo_cell().make_group(1)
    net = Network(group)

    @network_operation(dt=1 * ms)
    def stop_at_3_ms(t):
        if t >= 3 * ms:
            net.stop()

    net.add(stop_at_3_ms)
    with pytest.raises(RunInterrupted, match=r"stopped at t = 3.\d* ms of the 10 ms asked"):
        run_to_end(net, 10 * ms)
    net.remove(stop_at_3_ms)
    run_to_end(net, 1 * ms)  # a complete run says nothing
    assert np.isclose(float(net.t / ms), 4.025, atol=0.03)


def test_atomic_path_leaves_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "result.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, "w") as f:
                f.write("half a file")
            raise RuntimeError("crash while writing")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["result.csv"]
    with atomic_path(target) as tmp:
        open(tmp, "w").write("new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["result.csv"]


BUILD = """
import json, sys
import numpy as np
from brian2 import Network, ms, nA, prefs
import compartments
from compartments.demo import demo_cell

compartments.backends.use("cython")
prefs.codegen.runtime.cython.cache_dir = sys.argv[1]
group = demo_cell().make_group(2, name="interrupted_build")
group.I_ext_soma = [0.0, 0.3] * nA
Network(group).run(5 * ms)
print(json.dumps(np.asarray(group.v_soma_).tolist()))
"""


@pytest.mark.long
def test_ctrl_c_during_a_cython_build_leaves_a_cache_the_next_run_uses(tmp_path, numpy_target):
    """A real SIGINT while the group's modules compile into an empty cache; the next process
    with that cache builds what is missing or broken and gives the numpy target's numbers."""
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", BUILD, str(cache)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 600
        while not (cache.exists() and any(cache.iterdir())) and time.time() < deadline:
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.05)
        time.sleep(1.0)  # inside the build (cythonize / the C compiler)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=600)
    finally:
        proc.kill()
    assert proc.returncode != 0 and not out.strip(), "the build finished before the signal"
    again = subprocess.run([sys.executable, "-c", BUILD, str(cache)], capture_output=True,
                           text=True, env=env, timeout=900)
    assert again.returncode == 0, again.stderr
    group = demo_cell().make_group(2)
    group.I_ext_soma = [0.0, 0.3] * nA
    Network(group).run(5 * ms)
    np.testing.assert_allclose(json.loads(again.stdout.strip().splitlines()[-1]),
                               np.asarray(group.v_soma_), rtol=0, atol=1e-9)
