"""Counter-based uniform random numbers: ``hash_uniform(key, stream, draw)`` in (0, 1].

The number is a hash of its three integer arguments (the SplitMix64 finaliser, Steele,
Lea & Flood 2014, applied twice), not the next output of a generator: the draw ``k`` of
stream ``i`` is the same on every code-generation target (numpy, Cython, C++ standalone),
in any order of evaluation and on any number of OpenMP threads. This is the scheme of
NEURON's Random123 streams (``NetStim.noiseFromRandom123``) and of Arbor's Poisson
schedules, here with a smaller hash. Uniform in (0, 1] with 53 random bits, so
``-log(u)`` is finite.

`hash_uniform` is a Brian2 `Function`; put it in a group's namespace to use it in code.
``C_CODE`` is its C implementation (`compartments.cuda` adds it for brian2cuda's
generator as host and device functions).
"""

import numpy as np
from brian2 import Function
from brian2.codegen.generators.cpp_generator import CPPCodeGenerator
from brian2.codegen.generators.cython_generator import CythonCodeGenerator

__all__ = ["hash_uniform", "uniform", "C_CODE"]

_GOLDEN, _M1, _M2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB

C_CODE = """
static inline uint64_t _hash_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline double _hash_uniform(const int64_t key, const int64_t stream, const int64_t draw)
{
    uint64_t z = _hash_mix(((uint64_t)key << 32) | ((uint64_t)stream & 0xFFFFFFFFULL));
    z = _hash_mix(z + ((uint64_t)draw + 1ULL) * 0x9E3779B97F4A7C15ULL);
    return ((double)(z >> 11) + 1.0) * 1.1102230246251565e-16;
}
"""

_CYTHON_CODE = ('cdef extern from *:\n    """\n    #include <stdint.h>\n'
                + "".join(f"    {line}\n" for line in C_CODE.strip().splitlines())
                + '    """\n    double _hash_uniform(long long key, long long stream, '
                  "long long draw) nogil\n")


def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


def uniform(key, stream, draw):
    """Draw ``draw`` of stream ``stream`` under ``key`` (integers or integer arrays).

    Returns floats in (0, 1], identical to the generated code's ``hash_uniform``.
    """
    key = np.asarray(key, dtype=np.int64).astype(np.uint64)
    stream = np.asarray(stream, dtype=np.int64).astype(np.uint64) & np.uint64(0xFFFFFFFF)
    draw = np.asarray(draw, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        z = _mix((key << np.uint64(32)) | stream)
        z = _mix(z + (draw + np.uint64(1)) * np.uint64(_GOLDEN))
    return ((z >> np.uint64(11)) + np.uint64(1)).astype(np.float64) * 2.0**-53


hash_uniform = Function(uniform, arg_units=[1, 1, 1], return_unit=1,
                        arg_types=["integer", "integer", "integer"], return_type="float",
                        stateless=True)
hash_uniform.implementations.add_implementation(CPPCodeGenerator, code=C_CODE,
                                                name="_hash_uniform")
hash_uniform.implementations.add_implementation(CythonCodeGenerator, code=_CYTHON_CODE,
                                                name="_hash_uniform")
