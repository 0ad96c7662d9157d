"""Per-neuron parameters never trigger recompilation; compiled code is reused across processes.

Every parameter of a template group is a per-neuron ``(constant)`` array, so its value is
data, not code: changing it between runs must not generate new code. Compilations are
counted two ways, on the Cython runtime target:

- new compiled modules (``*.so``) in the Cython cache directory;
- calls of ``Cython.Build.cythonize`` made by Brian2's extension manager (it calls it only
  when it has to build a module that is neither loaded nor on disk).

The tests use their own cache directory, so they do not depend on (or fill) the user's
cache. The cold compile of the template's code objects (state updater, threshold, divergence
guard: ~20-30 s each here) happens once, in a module-scoped fixture.

Brian2 names the arrays in the generated code after the group; template groups use
`compartments.codegen.CellCythonCodeObject`, which names them after the variables, so any
group of a template reuses the compiled modules whatever its name. The same code object puts
the compiler flags into the cache key and rebuilds a module that does not load (a truncated
file left by an interrupted build).
"""

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
from brian2 import Network, get_device, ms, nA, prefs, set_device
from brian2.codegen.runtime.cython_rt import extension_manager

import compartments

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUP_NAME = "compilation_probe"
N = 4
DURATION = 20 * ms

# Built in this process and, identically, in the subprocess of test (b).
TEMPLATE_CODE = """
from brian2 import cm, mV, msiemens, ohm, uF, um
from compartments import CellTemplate, Compartment, channels

soma = Compartment("soma", length=20*um, diameter=20*um, cm=1*uF/cm**2,
                   channels=[channels.Leak(g=0.05*msiemens/cm**2, E=-70*mV),
                             channels.HHNa(), channels.HHK()])
dend = Compartment("dend", length=200*um, diameter=2*um, nseg=2,
                   channels=[channels.Leak(g=0.05*msiemens/cm**2, E=-70*mV)])
cell = CellTemplate("probe", [soma, dend], connections=[("soma", "dend")], Ra=150*ohm*cm)
"""


def make_cell():
    namespace = {}
    exec(TEMPLATE_CODE, namespace)
    return namespace["cell"]


def compiled_modules(cache_dir):
    """Compiled extension modules in the cache directory."""
    suffix = extension_manager.cython_extension_manager.so_ext
    return set(glob.glob(os.path.join(cache_dir, "*" + suffix)))


class CompileCounter:
    """Counts ``cythonize`` calls of Brian2's Cython extension manager."""

    def __init__(self, real):
        self.real = real
        self.calls = 0

    def cythonize(self, *args, **kwargs):
        self.calls += 1
        return self.real.cythonize(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@contextlib.contextmanager
def counting_compiles():
    """Cython target with a fresh cache and a `CompileCounter`; yields (cache_dir, counter).

    Device, target, cache and extension manager are restored afterwards.
    """
    old_device, old_target = get_device(), prefs.codegen.target
    old_cache = prefs.codegen.runtime.cython.cache_dir
    old_build = extension_manager.Cython_Build
    manager = extension_manager.cython_extension_manager
    old_loaded = dict(manager._code_cache)  # modules loaded in this process: not a cache here
    manager._code_cache.clear()
    cache_dir = tempfile.mkdtemp(prefix="brian_cython_cache_")
    counter = CompileCounter(old_build)
    try:
        compartments.backends.use("cython")
        prefs.codegen.runtime.cython.cache_dir = cache_dir
        extension_manager.Cython_Build = counter
        yield cache_dir, counter
    finally:
        manager._code_cache.update(old_loaded)
        extension_manager.Cython_Build = old_build
        prefs.codegen.runtime.cython.cache_dir = old_cache
        prefs.codegen.target = old_target
        set_device(old_device)
        shutil.rmtree(cache_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def warm():
    """A template group on the Cython target, compiled once into a dedicated cache.

    Yields a dict: cache_dir, counter, group, net (stored at t=0), baseline (final state of
    an unchanged run), cold_new_modules and cold_compiles (what the first run compiled).
    """
    with counting_compiles() as (cache_dir, counter):
        cell = make_cell()
        group = cell.make_group(N, name=GROUP_NAME, dt=0.025 * ms)
        group.I_ext_soma = np.linspace(0.1, 0.4, N) * nA  # spiking: parameters matter
        net = Network(group)
        net.store()
        before = compiled_modules(cache_dir)
        net.run(DURATION, namespace={})  # the cold compile
        cold_new = compiled_modules(cache_dir) - before
        cold_compiles = counter.calls
        baseline = state(group)
        yield dict(cache_dir=cache_dir, counter=counter, group=group, net=net, cell=cell,
                   baseline=baseline, cold_new_modules=cold_new, cold_compiles=cold_compiles)


def state(group):
    """Final voltages and gates of all neurons (SI floats)."""
    names = [f"v_{s}" for s in ("soma", "dend_0", "dend_1")]
    names += ["m_hhna_soma", "h_hhna_soma", "n_hhk_soma"]
    return np.array([np.asarray(getattr(group, name + "_")) for name in names])


def test_cold_run_is_counted(warm):
    """The counters do see compilation (so that 'nothing compiled' below means something)."""
    assert len(warm["cold_new_modules"]) >= 2
    assert warm["cold_compiles"] == len(warm["cold_new_modules"])


def test_threshold_compiles_one_module_and_clears_its_events_after_a_run(warm):
    """Brian2's threshold template has an after-run block (``eventspace[N] = 0``) that
    would be a Cython module of its own; template groups do it in Python (one module per
    threshold: the cold count above is state update + threshold)."""
    from compartments.codegen import _ClearEventspace

    codeobj = warm["group"].thresholder["spike"].codeobj
    after = codeobj.compiled_code["after_run"]
    assert isinstance(after, _ClearEventspace)
    assert len(warm["cold_new_modules"]) == 2
    eventspace = warm["group"].variables["_spikespace"]
    eventspace.get_value()[-1] = 3  # as if three neurons spiked in the last step
    after.main(codeobj.namespace)
    assert eventspace.get_value()[-1] == 0


def test_rerun_without_changes_compiles_nothing(warm):
    net, group, counter = warm["net"], warm["group"], warm["counter"]
    modules, calls = compiled_modules(warm["cache_dir"]), counter.calls
    net.restore()
    net.run(DURATION, namespace={})
    assert compiled_modules(warm["cache_dir"]) == modules
    assert counter.calls == calls
    np.testing.assert_array_equal(state(group), warm["baseline"])


def _parameter_changes(cell):
    gax = cell.coupling_name("soma", "dend_0")
    return {
        "density": ("gbar_hhk_soma", 0.7),
        "reversal potential": ("E_leak_soma", None),  # shifted by +5 mV, not scaled
        "coupling": (gax, 3.0),
        "area": ("area_dend_0", 2.0),
        "capacitance": ("C_soma", 1.5),
        "leak density (dendrite)": ("g_leak_dend_1", 4.0),
    }


@pytest.mark.parametrize("kind", ["density", "reversal potential", "coupling", "area",
                                  "capacitance", "leak density (dendrite)"])
def test_parameter_change_does_not_recompile(warm, kind):
    """Change one per-neuron parameter of neurons 1..N-1 between runs: no new code, new result."""
    net, group, counter = warm["net"], warm["group"], warm["counter"]
    variable, factor = _parameter_changes(warm["cell"])[kind]
    modules, calls = compiled_modules(warm["cache_dir"]), counter.calls
    net.restore()
    values = np.asarray(getattr(group, variable + "_")).copy()
    # restore() brought back the template's value (earlier tests changed parameters too)
    np.testing.assert_array_equal(values, warm["cell"].initial_values(N)[variable])
    new = values.copy()
    new[1:] = values[1:] + 5e-3 if factor is None else values[1:] * factor
    setattr(group, variable + "_", new)
    np.testing.assert_array_equal(np.asarray(getattr(group, variable + "_")), new)
    net.run(DURATION, namespace={})

    assert compiled_modules(warm["cache_dir"]) == modules, "new code was compiled"
    assert counter.calls == calls, "cythonize was called"
    result, baseline = state(group), warm["baseline"]
    # neuron 0 is unchanged: same result; the others changed (the parameter is live)
    np.testing.assert_array_equal(result[:, 0], baseline[:, 0])
    changed = np.max(np.abs(result[:3, 1:] - baseline[:3, 1:]))  # voltages, volt
    assert changed > 1e-6, f"changing {variable} did not change the voltages"


def test_new_process_reuses_compiled_code(warm):
    """Rebuilding the same template in a fresh process compiles nothing (warm cache)."""
    script = TEMPLATE_CODE + textwrap.dedent(f"""
        import json
        import numpy as np
        from brian2 import Network, ms, nA, prefs
        from brian2.codegen.runtime.cython_rt import extension_manager
        import compartments

        calls = []
        real = extension_manager.Cython_Build

        class Spy:
            def __getattr__(self, name):
                return getattr(real, name)

            def cythonize(self, *args, **kwargs):
                calls.append(1)
                return real.cythonize(*args, **kwargs)

        extension_manager.Cython_Build = Spy()
        compartments.backends.use("cython")
        prefs.codegen.runtime.cython.cache_dir = {warm["cache_dir"]!r}
        group = cell.make_group({N}, name={GROUP_NAME!r}, dt=0.025 * ms)
        group.I_ext_soma = np.linspace(0.1, 0.4, {N}) * nA
        Network(group).run({float(DURATION / ms)!r} * ms, namespace={{}})
        print(json.dumps({{"compiles": len(calls),
                          "v_soma": np.asarray(group.v_soma_).tolist()}}))
        """)
    before = compiled_modules(warm["cache_dir"])
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=False, env=env, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])

    assert compiled_modules(warm["cache_dir"]) == before, "the new process compiled code"
    assert result["compiles"] == 0
    # and it ran the same model
    np.testing.assert_allclose(result["v_soma"], warm["baseline"][0], rtol=0, atol=1e-12)


def test_second_group_of_template_compiles_nothing(warm):
    """Another group of the same template, under another name, reuses every compiled module."""
    modules, calls = compiled_modules(warm["cache_dir"]), warm["counter"].calls
    other = warm["cell"].make_group(N, name="another_name", dt=0.025 * ms)
    other.I_ext_soma = np.linspace(0.1, 0.4, N) * nA
    Network(other).run(DURATION, namespace={})
    assert compiled_modules(warm["cache_dir"]) == modules
    assert warm["counter"].calls == calls
    np.testing.assert_array_equal(np.asarray(other.v_soma_), warm["baseline"][0])


def test_compiler_flags_are_part_of_the_cache_key(warm):
    """Brian2 2.9 alone would reuse a module built with other flags; template groups do not."""
    old = list(prefs.codegen.cpp.extra_compile_args_gcc)
    calls = warm["counter"].calls
    try:
        prefs.codegen.cpp.extra_compile_args_gcc = old + ["-DCOMPARTMENTS_FLAG_PROBE"]
        group = warm["cell"].make_group(N, name="flag_probe", dt=0.025 * ms)
        Network(group).run(0.1 * ms, namespace={})
    finally:
        prefs.codegen.cpp.extra_compile_args_gcc = old
    assert warm["counter"].calls > calls, "a module built with other flags was reused"


def test_truncated_module_is_rebuilt_with_a_warning(warm):
    """A 0-byte module (an interrupted build) is removed and rebuilt in the next process."""
    for path in compiled_modules(warm["cache_dir"]):
        os.remove(path)  # a new 0-byte file: this process keeps its mapping of the old one
        open(path, "w").close()
    script = TEMPLATE_CODE + textwrap.dedent(f"""
        import json, warnings
        import numpy as np
        from brian2 import Network, ms, nA, prefs
        import compartments

        compartments.backends.use("cython")
        prefs.codegen.runtime.cython.cache_dir = {warm["cache_dir"]!r}
        group = cell.make_group({N}, name={GROUP_NAME!r}, dt=0.025 * ms)
        group.I_ext_soma = np.linspace(0.1, 0.4, {N}) * nA
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            Network(group).run({float(DURATION / ms)!r} * ms, namespace={{}})
        print(json.dumps({{"warnings": [str(w.message) for w in caught
                                        if w.category.__name__ == "BrokenCacheEntry"],
                          "v_soma": np.asarray(group.v_soma_).tolist()}}))
        """)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=False, env=env, timeout=900, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["warnings"] and "interrupted build" in result["warnings"][0]
    rebuilt = [p for p in compiled_modules(warm["cache_dir"])
               if any(p in message for message in result["warnings"])]
    assert len(rebuilt) == len(result["warnings"]) >= 2
    assert all(os.path.getsize(p) > 0 for p in rebuilt)
    np.testing.assert_allclose(result["v_soma"], warm["baseline"][0], rtol=0, atol=1e-12)


@pytest.mark.long  # ~1-5 min: a cold template compile in a fresh cache
def test_synapses_placed_by_distance_compile_once():
    """connect(distance=...) addresses every receptor-carrying segment in its code, so a
    second call with other distances (other segments) reuses the first call's modules —
    and each spike still reaches its own segment."""
    from brian2 import SpikeGeneratorGroup, nS, um

    from compartments import synapses
    from compartments.receptors import AMPA

    cell = make_cell().with_channels({"dend": [AMPA()]})  # segments dend_0, dend_1
    with counting_compiles() as (cache_dir, counter):
        group = cell.make_group(2, dt=0.025 * ms)
        source = SpikeGeneratorGroup(1, [0], [0.5 * ms])
        first = synapses.connect(source, group, {"ampa": 1 * nS}, i=0, j=[0, 1],
                                 distance=[10, 20] * um)  # both on dend_0
        net = Network(group, source, first)
        net.run(1 * ms)
        modules, calls = compiled_modules(cache_dir), counter.calls
        second = synapses.connect(source, group, {"ampa": 1 * nS}, i=0, j=[1, 0],
                                  distance=[150, 20] * um, delay=0.1 * ms)
        net.add(second)
        net.run(1 * ms)
        assert compiled_modules(cache_dir) == modules and counter.calls == calls
        assert list(synapses.placement(first).segment) == ["dend_0", "dend_0"]
        assert list(synapses.placement(second).segment) == ["dend_1", "dend_0"]


@pytest.mark.long  # a cpp_standalone build (~0.5-2 min)
def test_standalone_rerun_with_new_parameters_reuses_the_binary(tmp_path):
    """cpp_standalone: `device.run(run_args={group.var: values})` re-runs the built binary
    with other per-neuron values — no code generation, no compilation — and the result
    follows the new values (spike counts of reversed currents are reversed)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from backend_run import run_script

    out = run_script("standalone_rerun.py", "cpp_standalone", tmp_path)
    assert not out["rebuilt"]
    assert out["first"][0] == 0 and out["first"][2] > out["first"][1] > 0
    np.testing.assert_array_equal(out["second"], out["first"][::-1])


def test_synapse_code_does_not_depend_on_group_names(monkeypatch):
    """The on-pre code of `connect` reads post-synaptic subexpressions, which Brian2 names
    after the `Synapses` *and the target group*: with the names made canonical, synapses
    onto two groups of one template (other names, other sources) render the same code —
    one compiled module, and `precompile`'s covers a user's circuit. (Rendered only.)"""
    from brian2 import SpikeGeneratorGroup, nS, um

    from compartments import synapses
    from compartments.codegen import CellCythonCodeObject
    from compartments.receptors import AMPA

    rendered = {}

    def render_only(self, block):
        if block == "run" and self.template_name == "synapses":
            rendered[self.owner.name] = self._rename(self.code.run)

    monkeypatch.setattr(CellCythonCodeObject, "compile_block", render_only)
    old_target = prefs.codegen.target
    try:
        compartments.backends.use("cython")
        cell = make_cell().with_channels({"dend": [AMPA()]})
        first, second = cell.make_group(2, name="probe_target"), cell.make_group(3, name="net")
        source = SpikeGeneratorGroup(1, [0], [0 * ms])
        objects = [first, second, source,
                   synapses.connect(source, first, {"ampa": 1 * nS}, p=0.5, distance=0 * um,
                                    name="pre"),
                   synapses.connect(second, second, {"ampa": 2 * nS}, p=0.2,
                                    distance=150 * um, delay=1 * ms, name="recurrent")]
        Network(*objects).run(0.025 * ms)
    finally:
        prefs.codegen.target = old_target
    assert set(rendered) == {"pre", "recurrent"}
    assert rendered["pre"] == rendered["recurrent"]
    assert "probe_target" not in rendered["pre"] and "_target_" in rendered["pre"]
