"""Presynaptic modulation of release, per pathway.

A `PresynapticModulation` scales the transmission of one `Synapses` pathway
by ``1 - s * occ``, with ``occ`` the occupancy of a presynaptic receptor by a
pool's modulator — e.g. acetylcholine acting on muscarinic receptors of
intracortical (recurrent) terminals while thalamocortical terminals carry none
(Hasselmo & Bower 1992; Gil, Connors & Amitai 1997). Pass it to
`compartments.synapses.connect(..., presynaptic=...)`; pathways without it
are unaffected.

Approximation: the occupancy acts instantly (no effector kinetics per
synapse, which would need a clock-driven state per synapse); presynaptic
Gi/o inhibition of release develops within ~100 ms.
"""

from brian2 import linked_var

from .pools import MODULATORS, check_modulators
from .receptors import occupancy, receptor

__all__ = ["PresynapticModulation"]


class PresynapticModulation:
    """Release scaling ``1 - s * occ_R([M])`` of a pathway.

    Parameters
    ----------
    pool : `NeuronGroup` from `modulator_pool`
    receptor_name : str
        A metabotropic receptor of `RECEPTORS` (its ligand, EC50 and Hill).
    s : float
        Largest fractional suppression, in [0, 1].
    pool_index : int
        Which pool (region) the terminals read.
    """

    def __init__(self, pool, receptor_name, s, pool_index=0):
        owner = "PresynapticModulation"
        self.receptor = receptor(receptor_name)
        if self.receptor.ionotropic:
            raise ValueError(f"{owner}: receptor {receptor_name!r} is ionotropic; presynaptic "
                             f"release scaling needs a metabotropic receptor.")
        (self.modulator,) = check_modulators((self.receptor.ligand,), owner)
        self.variable = f"c_{MODULATORS[self.modulator]}"
        if self.variable not in pool.variables:
            raise ValueError(f"{owner}: the pool has no {self.modulator} (variable "
                             f"{self.variable}).")
        if not 0 <= s <= 1:
            raise ValueError(f"The 's' parameter of {owner} must be in [0, 1]. Got {s!r} "
                             f"instead.")
        if not 0 <= pool_index < len(pool):
            raise ValueError(f"The 'pool_index' of {owner} must lie in [0, {len(pool)}). "
                             f"Got {pool_index!r} instead.")
        self.pool, self.s, self.pool_index = pool, float(s), int(pool_index)

    @property
    def model(self):
        c = self.variable
        return (f"{c} : mmolar (linked)\n"
                f"release_pool_index : integer (constant)\n"
                f"s_release : 1 (constant)\n"
                f"ec50_release : mmolar (constant)\n"
                f"hill_release : 1 (constant)\n")

    @property
    def factor(self):
        """The release factor (an expression in the synapse's names)."""
        return f"(1 - s_release*{occupancy(self.variable, 'ec50_release', 'hill_release')})"

    def configure(self, synapses):
        synapses.release_pool_index = self.pool_index
        setattr(synapses, self.variable,
                linked_var(self.pool, self.variable, index="release_pool_index"))
        synapses.s_release = self.s
        synapses.ec50_release = self.receptor.ec50
        synapses.hill_release = self.receptor.hill

    def __repr__(self):
        return (f"PresynapticModulation({self.receptor.name!r}, s={self.s}, "
                f"pool_index={self.pool_index})")

