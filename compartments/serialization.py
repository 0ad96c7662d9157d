"""Template files (JSON/YAML) and the provenance stamped on every file written.

A template file holds ``{"provenance": ..., "template": cell.to_dict()}``. In
it a quantity is its SI value (a float, whose ``repr`` round-trips exactly)
and the SI unit it is in (`compartments.quantities`)::

    {"value": 2e-05, "unit": "metre"}

so ``load_template(save_template(cell, path)) == cell``.
"""

import json
from importlib import metadata

from .files import atomic_path
from .quantities import quantity_from_data, quantity_to_data
from .template import CellTemplate

__all__ = ["quantity_to_data", "quantity_from_data", "provenance", "save_template",
           "load_template"]


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance(template=None):
    """What every written file records: template hash and package versions."""
    info = {"brian2": _version("brian2"), "numpy": _version("numpy"),
            "brian2compartments": _version("brian2compartments")}
    if template is not None:
        info = {"template": template.name, "template_hash": template.content_hash, **info}
    return info


def save_template(cell, path):
    """Write ``cell`` to ``path`` (``.json`` or ``.yaml``/``.yml``) with provenance.

    The file is written under a temporary name and renamed: an interrupted save
    leaves the previous file, never a partial one."""
    data = {"provenance": provenance(cell), "template": cell.to_dict()}
    path = str(path)
    with atomic_path(path) as tmp, open(tmp, "w") as f:
        if path.endswith((".yaml", ".yml")):
            import yaml

            yaml.safe_dump(data, f, sort_keys=False)
        else:
            json.dump(data, f, indent=1)
    return path


def load_template(path):
    """Read a template written by `save_template`."""
    path = str(path)
    with open(path) as f:
        if path.endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(f)
        else:
            data = json.load(f)
    if not isinstance(data, dict) or "template" not in data:
        raise ValueError(f"{path} is not a template file written by save_template: it has no "
                         f"'template' entry.")
    return CellTemplate.from_dict(data["template"])
