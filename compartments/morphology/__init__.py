"""Detailed morphologies: SWC reconstructions -> `CellTemplate` with NEURON's geometry.

>>> from compartments.morphology import Morphology, example_swc
>>> cell_morphology = Morphology.from_swc(example_swc("tc200"))

See docs/morphology.md: what of NEURON's Import3d is matched, the d_lambda
rule, painting mechanisms on regions and parameters by path distance.
"""

from .morphology import Morphology, Section, example_swc
from .rules import DistanceRule, exponential, linear, sigmoid, step
from .swc import SWCError, read_swc

__all__ = ["Morphology", "Section", "example_swc", "DistanceRule", "linear", "exponential",
           "sigmoid", "step", "SWCError", "read_swc"]
