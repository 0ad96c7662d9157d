"""Small SWC files written here, one per case of NEURON's Import3d rules (docs/morphology.md).

Each is ``id type x y z radius parent`` text; `write(tmp_path, name)` saves one.
"""

import textwrap

CASES = {
    # single-point soma: a 3-point dendrite (wire to the centre), a 1-point dendrite (no
    # wire), an axon, an apical trunk with a branch off its first point (attached at the
    # trunk's 0 end), and a tapering apical branch
    "single_point_soma": """
        # single-point soma
        1 1 0 0 0 8 -1
        2 3 -9 -2 0 1.2 1
        3 3 -30 -8 1 0.9 2
        4 3 -55 -9 2 0.6 3
        5 3 7 -9 0 1.0 1
        6 2 0 9 0 0.6 1
        7 2 0 40 0 0.5 6
        8 4 2 -9 1 2.0 1
        9 4 3 -60 2 1.6 8
        10 4 4 -140 2 1.2 9
        11 4 12 -20 1 0.8 8
        12 4 30 -45 3 0.5 11
        13 4 8 -180 2 1.0 10
        14 4 -20 -200 4 0.4 13
        15 4 30 -220 1 0.7 13
        16 4 40 -260 0 0.3 15
    """,
    # NeuroMorpho.Org three-point soma (one cylinder of length = diameter), with a basal
    # tree and a custom type 7 continuing a basal branch
    "three_point_soma": """
        1 1 0 0 0 6 -1
        2 1 0 -6 0 6 1
        3 1 0 6 0 6 1
        4 3 -6 1 0 1 1
        5 3 -40 3 0 0.8 4
        6 3 -70 10 0 0.6 5
        7 3 -60 -20 1 0.5 5
        8 7 -90 -35 1 0.4 7
        9 7 -120 -40 1 0.3 8
        10 4 1 7 0 1.5 1
        11 4 2 90 0 1.0 10
    """,
    # a soma traced as a chain of points (a stack): dendrites off its last point (x=1),
    # its first point (x=0) and an interior point (x=0.5), an axon off a basal dendrite
    "stacked_soma": """
        1 1 0 -8 0 2 -1
        2 1 0 -5 0 5 1
        3 1 0 0 0 7 2
        4 1 0 5 0 5 3
        5 1 0 8 0 2 4
        6 4 0 12 0 1.5 5
        7 4 1 80 0 1.1 6
        8 3 0 -12 0 1.0 1
        9 3 -5 -50 0 0.7 8
        10 3 6 0 0 0.9 3
        11 3 40 2 0 0.6 10
        12 2 45 5 0 0.4 11
        13 2 80 9 0 0.3 12
    """,
    # a branched soma (one soma point with two soma children), a duplicated point with a
    # diameter jump (an annulus of membrane), and a zero-length two-point section that
    # NEURON removes (its children attach where it was attached)
    "branched_soma": """
        1 1 0 0 0 5 -1
        2 1 0 6 0 4 1
        3 1 0 10 0 2 2
        4 1 5 -3 0 3 1
        5 1 9 -5 0 1.5 4
        6 3 0 14 0 1.2 3
        7 3 0 40 0 1.2 6
        8 3 0 40 0 0.6 7
        9 3 0 70 0 0.6 8
        10 3 0 70 0 0.5 9
        11 3 10 90 0 0.4 10
        12 3 -10 95 0 0.4 10
        13 3 12 -8 0 0.8 5
        14 3 40 -20 0 0.5 13
        15 3 0 70 0 0.5 10
        16 3 5 100 0 0.3 15
        17 3 -5 100 0 0.3 15
    """,
}


def write(tmp_path, name):
    """Write case ``name`` to ``tmp_path/<name>.swc`` and return the path."""
    path = tmp_path / f"{name}.swc"
    path.write_text(textwrap.dedent(CASES[name]).lstrip())
    return path
