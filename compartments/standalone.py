"""cpp_standalone code objects for template groups: state updates the compiler vectorises.

`CellCPPStandaloneCodeObject` is Brian2's `CPPStandaloneCodeObject` with its own
``stateupdate`` template (``cpp_templates/stateupdate.cpp``). Brian2's loop over the
neurons is not vectorised by GCC: it cannot prove that hundreds of per-neuron arrays do
not overlap, and with Brian2's ``-fno-finite-math-only`` glibc declares no vector
versions of ``exp``/``log`` (libmvec), so any loop calling them stays scalar. The
template asserts the independence of the iterations (``#pragma GCC ivdep``, or
``omp parallel for simd`` with OpenMP) and declares glibc's vector maths. The loops then
run on 4 doubles at a time with AVX2 (measured in docs/performance.md). Loops that draw
random numbers keep Brian2's loop.

With OpenMP, each thread computes whole blocks of 64 neurons, so each neuron goes
through the same instructions whatever the thread count: results are identical for any
``devices.cpp_standalone.openmp_threads`` (tests/test_threads.py).
"""

from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject

__all__ = ["CellCPPStandaloneCodeObject"]


class CellCPPStandaloneCodeObject(CPPStandaloneCodeObject):
    """Brian2's standalone code object with the vectorisable ``stateupdate`` template."""

    templater = CPPStandaloneCodeObject.templater.derive("compartments",
                                                         templates_dir="cpp_templates")
