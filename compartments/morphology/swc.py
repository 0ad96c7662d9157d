"""Reading SWC files: points, checked line by line.

An SWC line is ``id type x y z radius parent`` (lengths in micrometre;
parent -1 for the root); ``#`` starts a comment. Every problem is reported
as an `SWCError` naming the file and the line: a line that is not seven
numbers, a non-integer id, type or parent, a duplicate id, a radius that is
not positive, a type without a label, a parent that does not exist, a cycle,
several roots, or a parent listed with a larger id than its child (NEURON's
Import3d requires parents first).
"""

from dataclasses import dataclass, field

import numpy as np

from ..validation import check_name

__all__ = ["SWCError", "SWCPoints", "read_swc", "STANDARD_LABELS"]

STANDARD_LABELS = {1: "soma", 2: "axon", 3: "basal", 4: "apical"}


class SWCError(ValueError):
    """An SWC file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class SWCPoints:
    """The points of an SWC file, sorted by id.

    Attributes
    ----------
    path : str
    ids, types, parents : int arrays
        SWC id, type and the *index* of the parent point (-1 for the root).
    xyz : float array (n, 3), um
    diameters : float array (n,), um (twice the SWC radius)
        Both read in single precision, as NEURON's Import3d reads them.
    lines : int array
        Line number of each point in the file (for messages).
    labels : dict
        Type -> region label.
    """

    path: str
    ids: np.ndarray = field(repr=False)
    types: np.ndarray = field(repr=False)
    xyz: np.ndarray = field(repr=False)
    diameters: np.ndarray = field(repr=False)
    parents: np.ndarray = field(repr=False)
    lines: np.ndarray = field(repr=False)
    labels: dict

    def __len__(self):
        return len(self.ids)


def _labels(labels):
    out = dict(STANDARD_LABELS)
    for code, label in (labels or {}).items():
        if isinstance(code, bool) or not isinstance(code, (int, np.integer)):
            raise TypeError(f"The 'labels' of read_swc must map SWC type codes (integers) to "
                            f"region names. Got the key {code!r} instead.")
        if not isinstance(label, str) or "_" in label:
            raise ValueError(f"The 'labels' of read_swc must map type {code} to a region name "
                             f"of letters and digits (no underscore: it separates the section "
                             f"index). Got {label!r} instead.")
        out[int(code)] = check_name(label, "region")
    return out


def _label_of(code, labels, where):
    if code in labels:
        return labels[code]
    if code >= 5:
        return f"type{code}"
    raise SWCError(f"{where}: type {code} is not a known SWC type (1 soma, 2 axon, 3 basal "
                   f"dendrite, 4 apical dendrite, 5 and above custom). Name it with "
                   f"labels={{{code}: 'name'}} to read it.")


def _parse(path):
    """``(rows, line numbers)`` of the data lines; `SWCError` for a malformed line."""
    rows, numbers = [], []
    with open(path) as f:
        for number, text in enumerate(f, 1):
            data = text.split("#", 1)[0].strip()
            if not data:
                continue
            fields = data.split()
            if len(fields) != 7:
                raise SWCError(f"{path}, line {number}: expected 7 fields (id type x y z radius "
                               f"parent), got {len(fields)}: {data!r}.")
            try:
                values = [float(v) for v in fields]
            except ValueError:
                raise SWCError(f"{path}, line {number}: a field is not a number: "
                               f"{data!r}.") from None
            if not all(np.isfinite(values)):
                raise SWCError(f"{path}, line {number}: a field is not finite: {data!r}.")
            for k, name in ((0, "id"), (1, "type"), (6, "parent")):
                if not values[k].is_integer():
                    raise SWCError(f"{path}, line {number}: the {name} must be an integer. Got "
                                   f"{fields[k]!r}.")
            rows.append(values)
            numbers.append(number)
    if not rows:
        raise SWCError(f"{path}: no points (an SWC file has lines 'id type x y z radius parent').")
    return np.array(rows), np.array(numbers)


def _check_tree(path, ids, parents, lines):
    """Parent indices (-1 root), checked: existing parents, one root, no cycle, parents first."""
    order = np.argsort(ids, kind="stable")
    ids, parent_ids, lines = ids[order], parents[order], lines[order]
    dup = np.flatnonzero(np.diff(ids) == 0)
    if dup.size:
        k = dup[0]
        raise SWCError(f"{path}, lines {lines[k]} and {lines[k + 1]}: duplicate id {ids[k]}.")
    index = {int(i): k for k, i in enumerate(ids)}
    parent = np.full(len(ids), -1)
    for k, p in enumerate(parent_ids):
        if p == -1:
            continue
        if p < -1 or int(p) not in index:
            raise SWCError(f"{path}, line {lines[k]}: parent {p} of point {ids[k]} does not exist "
                           f"(parents are ids in the file, or -1 for the root).")
        parent[k] = index[int(p)]
    _check_cycles(path, ids, parent, lines)
    roots = np.flatnonzero(parent < 0)
    if len(roots) > 1:
        raise SWCError(f"{path}, lines {', '.join(str(lines[r]) for r in roots)}: more than one "
                       f"root (parent -1); a morphology is one tree.")
    late = np.flatnonzero(parent >= np.arange(len(ids)))
    if late.size:
        k = late[0]
        raise SWCError(f"{path}, line {lines[k]}: parent {ids[parent[k]]} of point {ids[k]} has a "
                       f"larger id; NEURON's Import3d requires every parent to have a smaller id "
                       f"than its children (renumber the points parents first).")
    return order, parent


def _check_cycles(path, ids, parent, lines):
    state = np.zeros(len(ids), dtype=np.int8)  # 0 unvisited, 1 on the current path, 2 done
    for start in range(len(ids)):
        path_points = []
        k = start
        while k >= 0 and state[k] == 0:
            state[k] = 1
            path_points.append(k)
            k = parent[k]
        if k >= 0 and state[k] == 1:
            cycle = path_points[path_points.index(k):]
            raise SWCError(f"{path}, lines {', '.join(str(lines[c]) for c in cycle)}: the parents "
                           f"of points {[int(ids[c]) for c in cycle]} form a cycle.")
        state[path_points] = 2


def read_swc(path, labels=None):
    """Read and check the points of an SWC file.

    Parameters
    ----------
    path : str or path-like
    labels : dict, optional
        SWC type code -> region name for custom types (and to rename the
        standard ones: 1 soma, 2 axon, 3 basal, 4 apical). Types 5 and above
        without a name are labelled ``type<code>``; type 0 (undefined) and
        negative types need a name.

    Returns
    -------
    points : `SWCPoints`

    Raises
    ------
    SWCError
        Naming the file and line of the first problem found.
    """
    path = str(path)
    labels = _labels(labels)
    rows, lines = _parse(path)
    ids = rows[:, 0].astype(np.int64)
    bad = np.flatnonzero(ids < 0)
    if bad.size:
        raise SWCError(f"{path}, line {lines[bad[0]]}: the id must be a non-negative integer. "
                       f"Got {ids[bad[0]]}.")
    order, parent = _check_tree(path, ids, rows[:, 6].astype(np.int64), lines)
    # NEURON's Import3d reads the numbers with hoc's sscanf("%f"): single precision
    rows, lines = rows[order].astype(np.float32).astype(np.float64), lines[order]
    types = rows[:, 1].astype(np.int64)
    for k, code in enumerate(types):
        _label_of(int(code), labels, f"{path}, line {lines[k]}")
    radius = rows[:, 5]
    bad = np.flatnonzero(radius <= 0)
    if bad.size:
        raise SWCError(f"{path}, line {lines[bad[0]]}: the radius must be positive. Got "
                       f"{radius[bad[0]]:g} um.")
    used = {int(c): _label_of(int(c), labels, path) for c in np.unique(types)}
    return SWCPoints(path, ids[order], types, rows[:, 2:5].copy(), 2 * radius, parent, lines,
                     used)
