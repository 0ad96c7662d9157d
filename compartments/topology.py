"""Axial coupling: from geometry and connections to conductances between segment centres.

Each segment of a cable is a node at its centre joined to its two ends by its
half resistances: ``Ra (L/2) / (pi r^2)`` for a cylinder, exactly as NEURON
treats an nseg=1 section, and for a compartment given by 3-D points the
integrals NEURON takes over the frusta between the points (its proximal and
distal halves differ where the cable tapers). A connection ``(parent, child, at)`` joins the child's
proximal end to the parent at ``at``:

- ``at = 0.5``: the parent's centre (a node with membrane); for a chain of
  nseg segments, the centre of segment ``nseg // 2`` — the node NEURON
  picks for x = 0.5 (with even nseg, the segment just distal of 0.5);
- ``at = 0`` or ``1``: the parent's end, a point without membrane.

Ends that meet without membrane (a junction) are eliminated exactly: the
Schur complement of the junction's row of the conductance (Laplacian) matrix
is the star–mesh transform, which gives pairwise conductances between every
pair of segments meeting there, siblings included. A junction with one
member (a sealed end) carries no current and disappears. The result is the
matrix NEURON solves, with its zero-area nodes solved out algebraically.

A connection may instead give an explicit conductance ``(parent, child, g)``
between the two centres (reduced, Dendrify-style compartments).

Default ``at``: 1 for a dendritic parent (NEURON's ``connect child(0), parent(1)``),
0.5 for the root compartment (children attach at the soma's centre, as in
reduced models that treat the soma as isopotential).
"""

import functools
from collections import defaultdict, deque

import numpy as np
from brian2 import Quantity, meter, siemens

from .validation import check_positive, check_quantity

__all__ = ["Topology"]


class _UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


class Topology:
    """The tree of compartments and the coupling conductances between segments.

    Parameters
    ----------
    compartments : sequence of `Compartment`
    connections : sequence of tuples
        ``(parent, child)``, ``(parent, child, at)`` with ``at`` in {0, 0.5, 1},
        or ``(parent, child, g)`` with an explicit conductance ``g`` (siemens).
    Ra : `Quantity`
        Default axial resistivity (ohm*meter).

    Attributes
    ----------
    root : str
        The compartment without a parent.
    segments : tuple of `Segment`
        All segments, parents before children (the order of the Hines solve).
    parent_of : dict
        Compartment name -> (parent name, at or None, g or None).
    """

    def __init__(self, compartments, connections, Ra):
        self.compartments = {c.name: c for c in compartments}
        self.Ra = Ra
        self.parent_of = {}
        for conn in connections:
            parent, child, at, g = self._parse(conn)
            if child in self.parent_of:
                raise ValueError(
                    f"Compartment '{child}' is connected to two parents "
                    f"('{self.parent_of[child][0]}' and '{parent}'); a template is a tree, "
                    f"each compartment has at most one parent.")
            self.parent_of[child] = (parent, at, g)
        roots = [c for c in self.compartments if c not in self.parent_of]
        if len(roots) != 1:
            raise ValueError(
                f"The connections must join all compartments into one tree with a single "
                f"root; compartments without a parent: {roots}. Add connections that link "
                f"them, or remove the extra compartments.")
        self.root = roots[0]
        self.children = defaultdict(list)
        for child, (parent, _, _) in self.parent_of.items():
            self.children[parent].append(child)
        order = self._breadth_first()
        if len(order) != len(self.compartments):
            missing = sorted(set(self.compartments) - set(order))
            raise ValueError(f"The connection graph has a cycle or is disconnected: "
                             f"{missing} cannot be reached from the root '{self.root}'.")
        self.order = tuple(order)
        self.segments = tuple(s for name in order for s in self.compartments[name].segments)
        self.index = {s.name: i for i, s in enumerate(self.segments)}

    # -- parsing -------------------------------------------------------------------------
    def _parse(self, conn):
        if not isinstance(conn, tuple) or len(conn) not in (2, 3):
            raise ValueError(f"A connection must be (parent, child) or (parent, child, at) "
                             f"or (parent, child, g). Got {conn!r} instead.")
        parent, child = conn[:2]
        for name in (parent, child):
            if name not in self.compartments:
                raise ValueError(f"Unknown compartment '{name}' in connection {conn!r}; "
                                 f"known compartments: {sorted(self.compartments)}.")
        if parent == child:
            raise ValueError(f"Connection {conn!r} joins a compartment to itself.")
        third = conn[2] if len(conn) == 3 else None
        at = g = None
        if isinstance(third, Quantity) and not third.is_dimensionless:
            owner = f"connection {conn!r}"
            g = check_positive(check_quantity(third, siemens, "g", owner, "a conductance"),
                               "g", owner)
        else:
            at = third
            if at is not None and at not in (0, 0.5, 1):
                raise ValueError(f"The 'at' of connection {conn!r} must be 0, 0.5 or 1 of the "
                                 f"parent. Got {at!r} instead.")
            for name in (parent, child):
                if not self.compartments[name].is_cable:
                    raise ValueError(
                        f"Connection {conn!r} involves compartment '{name}', which has an "
                        f"explicit area and no cable geometry: give the coupling "
                        f"conductance explicitly, ({parent!r}, {child!r}, 10*nS).")
        return parent, child, at, g

    def _breadth_first(self):
        order, queue, seen = [], deque([self.root]), {self.root}
        while queue:
            name = queue.popleft()
            order.append(name)
            for child in self.children[name]:
                if child in seen:
                    continue
                seen.add(child)
                queue.append(child)
        return order

    # -- assembly ------------------------------------------------------------------------
    def _attach_point(self, parent, at):
        comp = self.compartments[parent]
        segs = comp.segments
        if at == 0:
            return (segs[0].name, 0)
        if at == 1:
            return (segs[-1].name, 1)
        return (segs[len(segs) // 2].name, "c")

    def default_at(self, parent):
        """The ``at`` used when a connection gives none: 0.5 for the root, else 1."""
        return 0.5 if parent == self.root else 1

    @functools.cached_property
    def _conductance(self):
        """Pairwise conductances (S, zero diagonal), assembled on first use."""
        return self._assemble()

    def _node_edges(self):
        """The coupling before junctions are eliminated.

        Returns ``(size, edges)``: nodes ``0 .. n-1`` are the segment centres (by
        solve-order index), nodes ``n .. size-1`` the junctions (segment ends that
        meet without membrane); ``edges`` is a list of ``(i, j, g)``, ``i != j``, g in
        siemens as a float (parallel edges are listed separately).
        """
        uf = _UnionFind()
        points = []  # (point_a, point_b, conductance in siemens as float)
        explicit = []
        for comp in self.compartments.values():
            if not comp.is_cable:
                uf.find((comp.name, "c"))
                continue
            Ra = comp.Ra if comp.Ra is not None else self.Ra
            segs = comp.segments
            for i, seg in enumerate(segs):
                r_proximal, r_distal = seg.half_resistances(Ra)
                points.append(((seg.name, 0), (seg.name, "c"), float(1 / r_proximal)))
                points.append(((seg.name, "c"), (seg.name, 1), float(1 / r_distal)))
                if i > 0:
                    uf.union((segs[i - 1].name, 1), (seg.name, 0))
        for child, (parent, at, g) in self.parent_of.items():
            child_first = self.compartments[child].segments[0].name
            if g is not None:
                explicit.append((self.compartments[parent].segments[-1].name, child_first,
                                 float(g)))
                continue
            if at is None:
                at = self.default_at(parent)
            uf.union((child_first, 0), self._attach_point(parent, at))
        # group points into nodes: a group holding a centre is that segment's node
        node_of_group = {}
        for seg in self.segments:
            node_of_group[uf.find((seg.name, "c"))] = self.index[seg.name]
        for a, b, _ in points:
            for p in (a, b):
                r = uf.find(p)
                if r not in node_of_group:
                    node_of_group[r] = len(node_of_group)
        edges = []
        for a, b, g in points:
            i, j = node_of_group[uf.find(a)], node_of_group[uf.find(b)]
            if i != j:
                edges.append((i, j, g))
        edges += [(self.index[a], self.index[b], g) for a, b, g in explicit]
        return len(node_of_group), edges

    def _assemble(self):
        size, edges = self._node_edges()
        L = np.zeros((size, size))
        for i, j, g in edges:
            L[i, i] += g
            L[j, j] += g
            L[i, j] -= g
            L[j, i] -= g
        n = len(self.segments)
        if size > n:
            A, B, D = L[:n, :n], L[:n, n:], L[n:, n:]
            L = A - B @ np.linalg.solve(D, B.T)
        else:
            L = L[:n, :n]
        G = -L
        np.fill_diagonal(G, 0.0)
        scale = np.max(np.abs(G)) if G.size else 0.0
        G[np.abs(G) <= 1e-12 * scale] = 0.0
        return G

    def tree(self):
        """The coupling as a tree for a Hines solve over parent indices (`compartments.tree`).

        Nodes are the segment centres and the junctions where three or more
        segment ends meet (zero-area nodes, as NEURON's section ends); a junction
        of two ends is replaced by the series conductance of its two edges and a
        sealed end (one) is dropped — both exact.

        Returns
        -------
        segments : list of int or None
            Per node, parents first (breadth-first from the root's first segment):
            the segment index, or None for a junction.
        parent : list of int
            Per node, the index of its parent node (-1 for the root).
        conductance : list of float
            Per node, the conductance to its parent (siemens; 0 for the root).
        """
        size, edges = self._node_edges()
        n = len(self.segments)
        adjacent = [dict() for _ in range(size)]
        for i, j, g in edges:
            adjacent[i][j] = adjacent[i].get(j, 0.0) + g
            adjacent[j][i] = adjacent[j].get(i, 0.0) + g
        for k in range(n, size):
            nb = adjacent[k]
            if len(nb) > 2:
                continue
            items = list(nb.items())
            for j, _ in items:
                del adjacent[j][k]
            if len(items) == 2:
                (a, ga), (b, gb) = items
                adjacent[a][b] = adjacent[a].get(b, 0.0) + ga * gb / (ga + gb)
                adjacent[b][a] = adjacent[b].get(a, 0.0) + ga * gb / (ga + gb)
            adjacent[k] = {}
        order, parent, conductance, seen = [0], {0: -1}, {0: 0.0}, {0}
        queue = deque([0])
        while queue:
            k = queue.popleft()
            for j in sorted(adjacent[k]):
                if j in seen:
                    continue
                seen.add(j)
                parent[j], conductance[j] = k, adjacent[k][j]
                order.append(j)
                queue.append(j)
        position = {k: i for i, k in enumerate(order)}
        return ([k if k < n else None for k in order],
                [position[parent[k]] if parent[k] >= 0 else -1 for k in order],
                [conductance[k] for k in order])

    def __repr__(self):
        return (f"{type(self).__name__}(root={self.root!r}, segments={len(self.segments)}, "
                f"couplings={len(self.pairs)})")

    # -- queries -------------------------------------------------------------------------
    @property
    def pairs(self):
        """Coupled segment pairs ``(i, j)`` with i < j, in solve order."""
        G = self._conductance
        n = len(self.segments)
        return [(i, j) for i in range(n) for j in range(i + 1, n) if G[i, j] > 0]

    def conductance(self, a, b):
        """Axial conductance (siemens) between the centres of segments ``a`` and ``b``."""
        for name in (a, b):
            if name not in self.index:
                raise KeyError(f"Unknown segment '{name}'; segments: {list(self.index)}.")
        return self._conductance[self.index[a], self.index[b]] * siemens

    def conductance_matrix(self):
        """Symmetric matrix of pairwise conductances (siemens), zero diagonal."""
        return self._conductance * siemens

    def path_distances(self):
        """Path distance (metre) of every segment's centre from the root's centre.

        As NEURON's ``distance(soma(0.5), seg)``: distances are measured between
        nodes, so the origin is the root's middle node (the centre of segment
        ``nseg // 2``, which is x = 0.5 for odd nseg), and a child attached at
        ``at = 0.5`` starts at its parent's middle node; at 0 or 1 it starts at
        the parent's end. Compartments joined by an explicit conductance have no
        path length: they and their descendants get ``nan``.
        """
        ends = {}  # compartment -> distances of its 0 end, its 1 end, its middle node (metre)
        out = {}
        for name in self.order:
            comp = self.compartments[name]
            length = float(comp.length) if comp.is_cable else np.nan
            step = length / comp.nseg
            middle = (comp.nseg // 2 + 0.5) * step
            if name == self.root:
                for k, seg in enumerate(comp.segments):
                    out[seg.name] = abs((k + 0.5) * step - middle)
                ends[name] = (middle, length - middle, 0.0)
                continue
            parent, at, g = self.parent_of[name]
            at = self.default_at(parent) if at is None and g is None else at
            start = np.nan if g is not None else ends[parent][{0: 0, 1: 1, 0.5: 2}[at]]
            for k, seg in enumerate(comp.segments):
                out[seg.name] = start + (k + 0.5) * step
            ends[name] = (start, start + length, start + middle)
        return {k: v * meter for k, v in out.items()}
