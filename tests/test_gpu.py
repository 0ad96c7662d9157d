"""The GPU target (brian2cuda's cuda_standalone): clear errors where it cannot run, the
C++17 build fix, and a smoke run of benchmarks/gpu.py where a GPU tool chain exists
(skipped otherwise: CI has none)."""

import os
import subprocess
import sys

import pytest

from compartments import backends, cuda


def _available():
    try:
        cuda.check()
    except RuntimeError:
        return False
    return True


def test_cuda_target_names_what_is_missing():
    if _available():
        pytest.skip("this machine has the whole GPU tool chain")
    with pytest.raises(RuntimeError, match="'cuda_standalone' needs") as err:
        backends.use("cuda_standalone")
    message = str(err.value)
    try:
        import brian2cuda  # noqa: F401
    except ImportError:
        assert "pip install brian2cuda" in message
    if cuda.nvcc_path() is None:
        assert "nvcc" in message
    if sys.version_info < cuda.MIN_PYTHON:
        assert "Python >= 3.12" in message


def test_threads_only_for_cpp_standalone():
    with pytest.raises(ValueError, match="'threads' parameter of use"):
        backends.use("cython", threads=2)
    with pytest.raises(ValueError, match="'threads' parameter of use"):
        backends.use("cpp_standalone", threads=0)


class _Device:
    """Stands in for brian2cuda's device: records the makefile it is asked to compile."""

    def __init__(self):
        self.seen = None

    def compile_source(self, directory, compiler, debug, clean):
        with open(os.path.join(directory, "makefile")) as f:
            self.seen = f.read()


def test_makefile_is_compiled_as_cxx17(tmp_path):
    (tmp_path / "makefile").write_text(
        'NVCCFLAGS = -I. -std=c++11 -arch=sm_90 -Xcompiler "-w -O3 -std=c++14"\n')
    device = _Device()
    cuda._makefiles_in_cxx17(device)
    cuda._makefiles_in_cxx17(device)  # idempotent: wrapped once
    device.compile_source(str(tmp_path), "gcc", False, False)
    assert device.seen == 'NVCCFLAGS = -I. -std=c++17 -arch=sm_90 -Xcompiler "-w -O3 -std=c++17"\n'


@pytest.mark.skipif(not _available(), reason="no GPU tool chain (brian2cuda, nvcc)")
def test_gpu_smoke_run(tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(os.path.dirname(here), "benchmarks", "gpu.py")
    out = subprocess.run([sys.executable, script, "--sizes", "1000", "--duration", "20",
                          "--cpu-n", "1000", "--out", str(tmp_path / "gpu.md")],
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
