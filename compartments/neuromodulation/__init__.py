"""Neuromodulation of excitability: modulator pools, receptors, effects, expression.

A modulator (DA, ACh, 5-HT, NE) is a receptor-site concentration in a pool
group (`modulator_pool`, `release`); a cell type expresses receptors per
compartment (`Expression`, attached with `CellTemplate.with_modulation`);
receptors drive effectors with first-order kinetics (`RECEPTORS`), and
effectors scale channel parameters (`DEFAULT_EFFECTS`). A group responds only
to the modulators requested in ``make_group(..., modulators=..., pool=...)``;
the `ModulationPlan` writes the equations. See docs/neuromodulation.md.
"""

from .effects import DEFAULT_EFFECTS, Effect
from .expression import Expression
from .plan import ModulationPlan
from .presynaptic import PresynapticModulation
from .pools import BATH_FACTOR, MODULATORS, bath_to_receptor_site, modulator_pool, release
from .receptors import RECEPTORS, ModulatoryReceptor, receptor

__all__ = ["modulator_pool", "release", "bath_to_receptor_site", "BATH_FACTOR", "MODULATORS",
           "RECEPTORS", "ModulatoryReceptor", "receptor", "Effect", "DEFAULT_EFFECTS",
           "Expression", "ModulationPlan", "PresynapticModulation"]
