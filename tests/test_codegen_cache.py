"""Brian2's code-generation steps kept on disk (`compartments.codegen_cache`).

Each case runs `tests/codegen_cache_run.py` in fresh processes sharing one cache folder:

- a second process with another hash seed finds every artefact (Brian2's subexpression
  order, and hence naive keys, differ between processes) and computes the same voltages;
- a channel whose equations changed under the same name gets new equations, not the
  cached ones, and the voltages of a run without any cache.
"""

import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "tests", "codegen_cache_run.py")


def run(variant, cache_dir, seed):
    env = dict(os.environ, BRIAN2COMPARTMENTS_CACHE=str(cache_dir), PYTHONHASHSEED=str(seed),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, SCRIPT, variant], env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_reuses_every_artefact_and_computes_the_same(tmp_path):
    first = run("a", tmp_path / "cache", seed=1)
    second = run("a", tmp_path / "cache", seed=2)
    kinds = {key.split()[0] for key in first["loads"]}
    assert {"equations", "substituted", "statements", "updater", "rest"} <= kinds
    assert not any(key.endswith("miss") for key in second["loads"]), second["loads"]
    assert second["v_mV"] == first["v_mV"]


def test_changed_channel_equations_are_not_served_from_the_cache(tmp_path):
    run("a", tmp_path / "cache", seed=1)
    changed = run("b", tmp_path / "cache", seed=1)
    uncached = run("b", "off", seed=1)
    assert changed["rate_in_equations"]
    np.testing.assert_allclose(changed["v_mV"], uncached["v_mV"], rtol=0, atol=1e-9)
    assert not any(key.endswith("hit") for key in uncached["loads"]), uncached["loads"]
