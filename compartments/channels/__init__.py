"""Ion-channel mechanisms, one module per family.

Each mechanism follows the contract in `compartments.channels.base`.
``registry`` maps class names to classes (used by ``CellTemplate.from_dict``).
"""

from .base import Channel
from .hh import HHK, HHNa
from .leak import Leak

__all__ = ["Channel", "Leak", "HHNa", "HHK", "registry"]

registry = {cls.__name__: cls for cls in (Leak, HHNa, HHK)}
