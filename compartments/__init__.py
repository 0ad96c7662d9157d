"""brian2compartments engine: equation-defined multi-compartment neurons on Brian2.

This package root is where the layers meet: importing it imports every layer
(synapses, plasticity, background, neuromodulation), so each has registered
its mechanisms and descriptions before a template is built or read. The
engine modules themselves import no layer (docs/engine.md, "Design").

>>> from compartments import Compartment, CellTemplate, channels
"""

from . import backends, background, channels, neuromodulation, plasticity, receptors, synapses
from .compartment import Compartment
from .guard import SimulationDiverged, StepTooLargeWarning, check_divergence
from .integration import backward_euler, crank_nicolson
from .linearize import linearize
from .pools import CalciumPool
from .recording import record
from .rest import equilibrate, rest_status
from .serialization import load_template, provenance, save_template
from .template import CellTemplate, template_of
from .codegen_cache import install as _install_codegen_cache

_install_codegen_cache()  # Brian2's statements from the disk cache (docs/build.md)

__all__ = ["Compartment", "CellTemplate", "channels", "backends", "receptors", "synapses",
           "plasticity", "background", "neuromodulation", "equilibrate", "rest_status", "record",
           "linearize", "check_divergence", "SimulationDiverged", "StepTooLargeWarning",
           "template_of", "crank_nicolson", "backward_euler", "CalciumPool", "save_template",
           "load_template", "provenance"]
