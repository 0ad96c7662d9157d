"""The GPU target (brian2cuda's cuda_standalone): clear errors where it cannot run, the
C++17 build fix, and a smoke run of benchmarks/gpu.py where a GPU tool chain exists
(skipped otherwise: CI has none)."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from compartments import backends, cuda
from compartments.random_streams import C_CODE, uniform


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


def test_event_drive_random_numbers_compile_for_the_device(tmp_path):
    """The CUDA version of hash_uniform: every function callable on host and device, and
    (compiled as host code) the numbers of the numpy implementation."""
    code = cuda.device_code(C_CODE)
    assert code.count("__host__ __device__ static inline") == C_CODE.count("static inline") == 2
    compiler = shutil.which("g++")
    if compiler is None:
        pytest.skip("no C++ compiler")
    src = tmp_path / "hash.cpp"
    src.write_text("#include <stdint.h>\n#include <stdio.h>\n" + code + """
int main() {
    for (int64_t k = 0; k < 5; k++) printf("%.17g\\n", _hash_uniform(123456789, 42 + k, 7 * k));
}
""")
    subprocess.run([compiler, "-D__host__=", "-D__device__=", "-o", str(tmp_path / "hash"),
                    str(src)], check=True)
    out = subprocess.run([str(tmp_path / "hash")], capture_output=True, text=True, check=True)
    got = np.array([float(x) for x in out.stdout.split()])
    k = np.arange(5)
    assert np.array_equal(got, uniform(123456789, 42 + k, 7 * k))


@pytest.mark.skipif(not _available(), reason="no GPU tool chain (brian2cuda, nvcc)")
def test_gpu_smoke_run(tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(os.path.dirname(here), "benchmarks", "gpu.py")
    out = subprocess.run([sys.executable, script, "--sizes", "1000", "--duration", "20",
                          "--cpu-n", "1000", "--out", str(tmp_path / "gpu.md")],
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
