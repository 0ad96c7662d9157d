"""Memory: refuse, before the work, what would not fit; store what is the same once.

`make_group` estimates the peak memory of building a group — its per-neuron
arrays and the resting-state solve, whose Jacobian holds (states x states)
numbers per neuron — and refuses, with the estimate, a group that needs more
than the memory available (`available_bytes`). The constants are measured
(benchmarks/make_group_memory.py, docs/engine.md "Memory").

`set_values` writes a group's initial values, one value for a variable whose
neurons all have the same: in cpp_standalone an array value becomes a static
array, a file read back into a second copy of the variable that the binary
keeps for its whole run (8 bytes per neuron and variable; docs/performance.md
"Memory").
"""

import os

import numpy as np
from brian2.equations.equations import DIFFERENTIAL_EQUATION

__all__ = ["available_bytes", "group_bytes", "check_group_fits", "set_values"]

# bytes per neuron = 8 * (PER_VARIABLE * variables + PER_JACOBIAN_ENTRY * states**2), measured
PER_VARIABLE = 4.0
PER_JACOBIAN_ENTRY = 4.0


def available_bytes():
    """Memory available to this process now (bytes; 4 GiB where the system does not say)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 4 * 2**30


def group_bytes(template, n, equations=None):
    """Estimated peak memory (bytes) of ``template.make_group(n)``.

    ``equations``: the group's equations if extensions add to the template's.
    """
    eqs = template.equations if equations is None else equations
    states = sum(1 for eq in eqs.ordered if eq.type == DIFFERENTIAL_EQUATION)
    return int(8 * n * (PER_VARIABLE * len(eqs) + PER_JACOBIAN_ENTRY * states**2))


def check_group_fits(template, n, equations=None, limit=None):
    """Raise ``MemoryError`` with the estimate if ``make_group(n)`` would not fit in ``limit``
    bytes (default: the memory available now)."""
    need = group_bytes(template, n, equations)
    limit = available_bytes() if limit is None else limit
    if need > limit:
        per = need / n
        raise MemoryError(
            f"make_group of template '{template.name}' with n={n} neurons needs about "
            f"{need / 2**30:.3g} GiB ({per / 2**10:.0f} KiB per neuron, mostly the "
            f"resting-state solve), more than the {limit / 2**30:.3g} GiB available: make at "
            f"most {max(int(limit // per), 0)} neurons per group, or split the population "
            f"into several groups.")
    return need


def uniform_value(values):
    """The one value of ``values`` (an array) if every element has the same bits, else None."""
    arr = np.ascontiguousarray(values)
    if arr.ndim == 0:
        return arr[()]
    if arr.size == 0:
        return None
    bits = arr.reshape(arr.size).view(np.uint8).reshape(arr.size, arr.itemsize)
    return arr.flat[0] if np.all(bits == bits[0]) else None


def set_values(group, values):
    """Set ``group``'s variables from ``{name: array of SI values}`` (no unit check).

    A variable whose values are all the same (bit for bit) is set from one value,
    which costs no static array in cpp_standalone; the others element by element.
    """
    for name, arr in values.items():
        one = uniform_value(arr)
        setattr(group, name + "_", arr if one is None else one)
