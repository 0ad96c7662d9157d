"""Brian2's GPU device (brian2cuda's ``cuda_standalone``) for template groups.

Template groups are plain Brian2 equations, so brian2cuda runs them; what this module
adds is the check of what the device needs and one build fix:

- brian2cuda 1.0 needs Brian2 >= 2.10.1, which needs Python >= 3.12 (this package's
  default environment is Python 3.11 with Brian2 2.9: a GPU run uses its own
  environment, see docs/performance.md), and the CUDA compiler ``nvcc``;
- functions the project defines for C++ (`compartments.random_streams.hash_uniform`,
  the event drive's random numbers) get a CUDA implementation (the same C code as
  ``__host__ __device__`` functions): brian2cuda's generator is not a C++ generator, so
  Brian2 would find no implementation for it;
- CUDA 13's libraries (CCCL, thrust) require C++17, but brian2cuda's makefile template
  compiles with ``-std=c++11`` and Brian2's host flags
  (``prefs.codegen.cpp.extra_compile_args_gcc``) say ``-std=c++11`` too. `activate`
  replaces both by ``-std=c++17`` when ``nvcc`` is CUDA 11 or later (C++17 is supported
  there, so the build is the same on older and newer toolkits).

Use it through ``compartments.backends.use("cuda_standalone", directory=...)``.
"""

import os
import re
import shutil
import subprocess
import sys

from brian2 import prefs, set_device

__all__ = ["check", "activate", "nvcc_version", "MIN_BRIAN2", "MIN_PYTHON"]

MIN_BRIAN2 = (2, 10, 1)
MIN_PYTHON = (3, 12)
CXX_STANDARD = "-std=c++17"
_OLD_STANDARDS = re.compile(r"-std=c\+\+(11|14)\b")


def _version_tuple(text):
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def nvcc_path():
    """Path of ``nvcc`` (``$CUDA_PATH/bin``, then ``PATH``), or None."""
    root = os.environ.get("CUDA_PATH") or os.environ.get("CUDA_HOME")
    if root and os.path.exists(os.path.join(root, "bin", "nvcc")):
        return os.path.join(root, "bin", "nvcc")
    return shutil.which("nvcc")


def nvcc_version():
    """(major, minor) of the CUDA compiler, or None without one."""
    path = nvcc_path()
    if path is None:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    m = re.search(r"release (\d+)\.(\d+)", out.stdout)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check():
    """Raise ``RuntimeError`` naming what ``cuda_standalone`` needs and is missing."""
    import brian2

    missing = []
    if sys.version_info[:2] < MIN_PYTHON:
        missing.append(f"Python >= {'.'.join(map(str, MIN_PYTHON))} (this is "
                       f"{sys.version_info.major}.{sys.version_info.minor})")
    if _version_tuple(brian2.__version__) < MIN_BRIAN2:
        missing.append(f"Brian2 >= {'.'.join(map(str, MIN_BRIAN2))} (this is "
                       f"{brian2.__version__})")
    try:
        import brian2cuda  # noqa: F401
    except ImportError:
        missing.append("brian2cuda: pip install brian2cuda")
    if nvcc_path() is None:
        missing.append("the CUDA compiler nvcc (set CUDA_PATH or put it on PATH)")
    if shutil.which("make") is None:
        missing.append("make")
    if missing:
        raise RuntimeError("Code-generation target 'cuda_standalone' needs " + "; ".join(missing)
                           + ". See docs/performance.md (GPU) for a working environment.")


def activate(directory=None):
    """Check, select ``cuda_standalone`` (build on run) and set C++17 where CUDA needs it."""
    check()
    import brian2cuda  # noqa: F401  (registers the device)
    from brian2 import get_device

    set_device("cuda_standalone", directory=directory, build_on_run=True)
    _add_device_functions()
    version = nvcc_version()
    if version is not None and version >= (11, 0):
        prefs.codegen.cpp.extra_compile_args_gcc = [
            _OLD_STANDARDS.sub(CXX_STANDARD, a) for a in prefs.codegen.cpp.extra_compile_args_gcc]
        _makefiles_in_cxx17(get_device())
    return "cuda_standalone"


def device_code(c_code):
    """C support code as CUDA functions callable on the host and on the device."""
    return c_code.replace("static inline", "__host__ __device__ static inline")


def _add_device_functions():
    from brian2cuda.cuda_generator import CUDACodeGenerator

    from .random_streams import C_CODE, hash_uniform

    hash_uniform.implementations.add_implementation(CUDACodeGenerator, code=device_code(C_CODE),
                                                    name="_hash_uniform")


def _makefiles_in_cxx17(device):
    """Make the device rewrite ``-std=c++11/14`` as C++17 in its makefile before compiling."""
    if getattr(device, "_compartments_cxx17", False):
        return
    compile_source = device.compile_source

    def compile_source_cxx17(directory, *args, **kwargs):
        path = os.path.join(directory, "makefile")
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            fixed = _OLD_STANDARDS.sub(CXX_STANDARD, text)
            if fixed != text:
                with open(path, "w") as f:
                    f.write(fixed)
        return compile_source(directory, *args, **kwargs)

    device.compile_source = compile_source_cxx17
    device._compartments_cxx17 = True
