"""Ion-channel mechanisms, one module per family.

Each mechanism follows the contract in `compartments.channels.base`. Every
module of this package is imported here and its public channel classes are
exported: ``channels.HHNa``, ``channels.Leak``, ... ``registry`` maps class
names to the channel library: these classes and those made with `define` (a
live view of `compartments.mechanism.REGISTRY`, which also holds receptors,
pools and your own mechanism classes).
"""

import importlib
import pkgutil

from ..mechanism import RegistryView
from .base import Channel
from .custom import define
from .kinetics import gate_kinetics, voltage_clamp

registry = RegistryView(lambda cls: issubclass(cls, Channel) and cls.kind == "channel"
                        and cls.__module__.startswith(__name__ + "."))
__all__ = ["Channel", "registry", "define", "gate_kinetics", "voltage_clamp"]

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name in ("base", "custom", "kinetics"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", ()):
        _cls = getattr(_module, _name)
        if isinstance(_cls, type) and issubclass(_cls, Channel):
            globals()[_name] = _cls
            __all__.append(_name)
