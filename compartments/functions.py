"""A faster numpy implementation of Brian2's ``exprel``, installed when `compartments` is imported.

Brian2 2.9 runs a function's numpy implementation through a unit-checking
wrapper (``brian2.core.functions``) whose error message is an f-string built
before the check: ``f"...returned {result}..."`` formats the whole result array
on every call, even when nothing is wrong. Channel rates use ``exprel``; with
eight calls per step, a 14,000-step numpy run of PV_BC spent 130 of its 200 s
printing arrays (cProfile). Brian2 resolves a function name to its own
``DEFAULT_FUNCTIONS`` before a group's namespace, so the fix is made there:
`install` registers Brian2's own unit-free ``exprel`` code as the numpy
implementation without the wrapper (``discard_units=True``, as Brian2 does for
``exp``). The arithmetic is unchanged (identical results,
tests/test_functions.py); Cython and C++ implementations are untouched.
Numbers: benchmarks/numpy_exprel.py.

>>> import numpy as np
>>> from brian2.core.functions import DEFAULT_FUNCTIONS
>>> from compartments import functions
>>> impl = DEFAULT_FUNCTIONS["exprel"].implementations["numpy"]
>>> float(impl.get_code(None)(np.array([0.0, 1e-3]))[1])
1.0005001667083417
"""

from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.units import unitsafefunctions

__all__ = ["install", "exprel"]


def exprel(x):
    """(exp(x) - 1)/x, 1 at 0: Brian2's `unitsafefunctions.exprel` on plain arrays."""
    return unitsafefunctions.exprel(x)


def install():
    """Register `exprel` as the numpy implementation of Brian2's ``exprel`` (idempotent)."""
    DEFAULT_FUNCTIONS["exprel"].implementations.add_numpy_implementation(
        exprel, discard_units=True)


install()
