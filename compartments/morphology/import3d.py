"""Sections from SWC points, by the rules of NEURON's Import3d (``read_swc.hoc``,
``import3d_gui.hoc``).

What NEURON does, and this module does the same way:

- A section is an unbranched run of points of one type; a branch point, a
  change of type and a point whose parent is not the point before it end a
  run. Consecutive soma points stay in one section unless a soma point has
  several soma children.
- A child section starts with a copy of its parent point; when a dendrite
  (any non-soma type) leaves a soma section, that first point takes the
  diameter of the dendrite's own first point.
- Attachment: to the centre (x = 0.5) of a root soma that is a single point,
  with the parent point dropped (a "wire", ``pt3dstyle`` 1) when the child
  has more than one point of its own; to x = 0 when the parent is the root's
  first point; to x = 0.5 of a soma section when the parent point is inside
  it; to x = 0 of a dendrite whose first point is its parent point (a branch
  off a dendrite that leaves the soma by a wire); else to x = 1.
- A single-point soma, and the NeuroMorpho.Org three-point soma (three soma
  points, the first the parent of the other two, equal diameters, spanning one
  diameter) become a cylinder with length and diameter equal to the soma's
  diameter (the area of the sphere), along x through the soma centre.
- A soma of many points (a stack, or an outline traced as a chain) is a chain
  of frusta like any section: NEURON's SWC reader does not treat outlines as
  contours (only its Neurolucida reader does).
- Non-root sections of one point, and of two points at one place, are removed
  and their children attached where they were attached.
- Every coordinate passes through NEURON's ``%.8g`` (``instantiate``) before
  it becomes a 3-D point.
"""

import numpy as np

__all__ = ["RawSection", "import3d_sections", "NEURON_TYPE_NAMES"]

NEURON_TYPE_NAMES = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}
_EPSILON = 1e-11  # hoc's float_epsilon: tolerance of hoc's == on doubles


class RawSection:
    """One section as Import3d builds it.

    Attributes
    ----------
    start : int
        Index of its first own point (Import3d's ``id``).
    points : list of int
        Point indices of its raw points, the parent point first (not for the root).
    type : int
        SWC type of its first own point.
    parent : `RawSection` or None
    parent_x : float
        Where on the parent its 0 end attaches (0, 0.5 or 1).
    wire : bool
        The first raw point is dropped (Import3d's ``first = 1``).
    first_diameter : float or None
        Diameter that replaces the first raw point's (dendrite leaving a soma).
    """

    def __init__(self, start, points, type_, parent=None):
        self.start = start
        self.points = points
        self.type = type_
        self.parent = parent
        self.parent_x = 1.0
        self.wire = False
        self.first_diameter = None

    def geometry(self, xyz, diameters):
        """The section's 3-D points (n, 4; um: x, y, z, diameter), as NEURON's pt3dadd gets them."""
        pts = np.column_stack([xyz[self.points], diameters[self.points]])
        if self.first_diameter is not None:
            pts[0, 3] = self.first_diameter
        pts = pts[int(self.wire):]
        if len(pts) == 1:  # a sphere: cylinder of length and diameter d through the centre
            d = pts[0, 3]
            pts = np.repeat(pts, 3, axis=0)
            pts[0, 0] -= d / 2
            pts[2, 0] += d / 2
        return np.vectorize(lambda v: float(f"{v:.8g}"))(pts)

    def __repr__(self):
        return f"{type(self).__name__}(start={self.start}, points={len(self.points)})"


def _branch_marks(types, parent):
    """Import3d's child counts (a non-contiguous child or a type change adds 0.01, so the
    point ends a section) and the points attached to the proximal end of their parent."""
    n = len(types)
    nchild = np.zeros(n)
    to_proximal = np.zeros(n, dtype=bool)
    for i in range(n):
        p = parent[i]
        if p < 0:
            continue
        nchild[p] += 1
        if p != i - 1:
            nchild[p] += 0.01
            if p > 1:
                if types[p] != 1 and types[parent[p]] == 1:  # parent leaves the soma by a wire
                    to_proximal[i] = True
                    nchild[p] = 1
            elif p == 0 and types[p] != 1:
                to_proximal[i] = True
                nchild[p] = 1
        if types[p] != types[i]:
            nchild[p] += 0.01
    return nchild, to_proximal


def _three_point_soma(xyz, diameters, parent, nchild):
    """NeuroMorpho.Org's three-point soma (see the module docstring)."""
    if not (parent[1] == 0 and parent[2] == 0 and nchild[1] == 0 and nchild[2] == 0):
        return False
    if abs(diameters[1] - diameters[0]) >= _EPSILON or abs(diameters[2] - diameters[0]) >= _EPSILON:
        return False
    length = sum(np.sqrt(np.sum((xyz[i] - xyz[0]) ** 2)) for i in (1, 2))
    return abs(length / diameters[0] - 1) < 0.01


def _attach(sec, psec, types, parent, soma_children, end):
    """Import3d's attachment rules for a child section (parent_x and wire)."""
    first = sec.start
    p = parent[first]
    leaves_soma = psec.type == 1 and types[first] != 1
    own = end - first  # own points
    if psec.parent is None:  # the root
        if leaves_soma and len(psec.points) == 1:
            sec.parent_x, sec.wire = 0.5, own > 1
            return
        if p == psec.start:
            sec.parent_x = 0.0
            sec.wire = types[first] != 1 and soma_children[p] > 1
            return
    if psec.type != 1:
        return
    offset = -1 if psec.start == 0 else -2
    if p < psec.start + len(psec.points) + offset:  # inside the soma section
        sec.parent_x = 0.5
        sec.wire = leaves_soma and own > 1
    elif own > 1 and soma_children[p] > 1 and types[first] != 1:
        sec.wire = True


def _sections(types, xyz, diameters, parent):
    n = len(types)
    parent = parent.copy()
    nchild, to_proximal = _branch_marks(types, parent)
    soma_children = np.zeros(n)
    for i in range(1, n):
        if types[i] == 1 and parent[i] >= 0 and types[parent[i]] == 1:
            soma_children[parent[i]] += 1
    sphere3 = np.sum(types == 1) == 3 and n >= 3 and _three_point_soma(xyz, diameters, parent,
                                                                        nchild)
    if sphere3:
        parent[2] = 1  # one soma section; its last two points are then dropped
    for i in range(n - 1):
        if types[i] == 1 and types[i + 1] == 1 and parent[i + 1] == i:
            if i == 0 or soma_children[i] <= 1:
                nchild[i] = 1
    ends = np.flatnonzero(nchild != 1)
    section_of = np.zeros(n, dtype=int)
    k = 0
    for i in range(1, n):
        if i > ends[k]:
            k += 1
        section_of[i] = k
    bounds = np.flatnonzero(np.diff(section_of)) + 1
    starts, stops = np.concatenate([[0], bounds]), np.concatenate([bounds, [n]])
    sections = []
    for start, stop in zip(starts, stops):
        if not sections:
            stop = 1 if sphere3 else stop
            sec = RawSection(start, list(range(start, stop)), types[start])
        else:
            psec = sections[section_of[parent[start]]]
            sec = RawSection(start, [parent[start]] + list(range(start, stop)), types[start], psec)
            _attach(sec, psec, types, parent, soma_children, stop)
            if psec.type == 1 and sec.type != 1:
                sec.first_diameter = diameters[start]
        if to_proximal[start]:
            sec.parent_x = 0.0
        sections.append(sec)
    return sections


def _remove_degenerate(sections, xyz):
    """Import3d's ``chk_valid``: drop non-root sections of one point or of two points at one
    place; their children attach where they were attached."""
    for i in range(len(sections) - 1, -1, -1):
        sec = sections[i]
        if sec.parent is None:
            continue
        own = sec.points[int(sec.wire):]
        if len(own) <= 1 or (len(own) == 2 and np.array_equal(xyz[own[0]], xyz[own[1]])):
            del sections[i]
            for child in sections[i:]:
                if child.parent is sec:
                    child.parent, child.parent_x = sec.parent, sec.parent_x
    return sections


def import3d_sections(types, xyz, diameters, parent):
    """The sections NEURON's Import3d makes of SWC points (sorted by id).

    Parameters
    ----------
    types : int array (n,)
    xyz : float array (n, 3), um
    diameters : float array (n,), um
    parent : int array (n,)
        Index of each point's parent, -1 for the root (parents before children).

    Returns
    -------
    sections : list of `RawSection`
        Root first, in NEURON's order (the order of its ``soma[i]``, ``dend[i]``, ...).
    """
    return _remove_degenerate(_sections(types, xyz, diameters, parent), xyz)
