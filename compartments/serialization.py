"""Templates as plain data (JSON/YAML), and the provenance stamped on every file written.

A quantity is stored as its SI value (a float, whose ``repr`` round-trips
exactly) and the SI unit it is in::

    {"value": 2e-05, "unit": "metre"}

so ``CellTemplate.from_dict(cell.to_dict())`` rebuilds an identical template.
"""

import json
from importlib import metadata

import numpy as np
from brian2 import Quantity
from brian2.core.namespace import DEFAULT_UNITS
from brian2.units.fundamentalunits import get_unit

__all__ = ["quantity_to_data", "quantity_from_data", "template_to_dict", "template_from_dict",
           "provenance", "save_template", "load_template"]

FORMAT_VERSION = 1


def quantity_to_data(q):
    """``{"value": SI float, "unit": SI unit}`` for a quantity (or a float)."""
    q = Quantity(q)
    return {"value": float(np.asarray(q)), "unit": repr(get_unit(q.dim))}


def quantity_from_data(d):
    """Inverse of `quantity_to_data`."""
    try:
        unit = eval(d["unit"], {"__builtins__": {}}, dict(DEFAULT_UNITS))  # noqa: S307
    except Exception as ex:
        raise ValueError(f"Cannot read the unit {d.get('unit')!r} of {d!r}.") from ex
    return Quantity(d["value"], dim=unit.dim)


def template_to_dict(cell):
    """Plain-data description of a `CellTemplate`."""
    connections = []
    for conn in cell.connections:
        parent, child = conn[:2]
        entry = {"parent": parent, "child": child}
        if len(conn) == 3:
            third = conn[2]
            if isinstance(third, Quantity) and not third.is_dimensionless:
                entry["g"] = quantity_to_data(third)
            else:
                entry["at"] = float(third)
        connections.append(entry)
    return {
        "format": FORMAT_VERSION,
        "name": cell.name,
        "compartments": [c.to_dict() for c in cell.compartments],
        "connections": connections,
        "Ra": quantity_to_data(cell.Ra),
        "celsius": cell.celsius,
        "spike_compartment": cell.spike_compartment,
        "spike_threshold": quantity_to_data(cell.spike_threshold),
        "method": cell.method,
    }


def _at(value):
    return 0.5 if value == 0.5 else int(value)


def template_from_dict(data):
    """Rebuild a `CellTemplate` from `template_to_dict` output."""
    from . import channels, receptors
    from .background import PointConductance
    from .compartment import Compartment, array_arguments
    from .pools import POOLS
    from .template import CellTemplate

    def mechanisms(c, key, registry):
        out = []
        for m in c.get(key, []):
            if m["type"] not in registry:
                raise ValueError(f"Unknown {key[:-1]} type {m['type']!r} in compartment "
                                 f"{c['name']!r}; known: {sorted(registry)}.")
            out.append(registry[m["type"]](
                **{k: quantity_from_data(v) for k, v in m["parameters"].items()}))
        return out

    comps = []
    for c in data["compartments"]:
        chans = mechanisms(c, "channels", {**channels.registry, **receptors.registry,
                                           "PointConductance": PointConductance})
        pools = mechanisms(c, "pools", POOLS)
        geo = ({"length": quantity_from_data(c["length"]),
                "diameter": quantity_from_data(c["diameter"])} if "length" in c
               else {"area": quantity_from_data(c["area"])} if "area" in c else {})
        comps.append(Compartment(c["name"], **geo,
                                 **array_arguments(c, f"compartment {c['name']!r}"),
                                 cm=quantity_from_data(c["cm"]),
                                 channels=chans, pools=pools, nseg=c["nseg"],
                                 spine_factor=c.get("spine_factor", 1.0),
                                 Ra=quantity_from_data(c["Ra"]) if "Ra" in c else None))
    conns = []
    for e in data["connections"]:
        if "g" in e:
            conns.append((e["parent"], e["child"], quantity_from_data(e["g"])))
        elif "at" in e:
            conns.append((e["parent"], e["child"], _at(e["at"])))
        else:
            conns.append((e["parent"], e["child"]))
    return CellTemplate(data["name"], comps, conns, Ra=quantity_from_data(data["Ra"]),
                        celsius=data["celsius"], spike_compartment=data["spike_compartment"],
                        spike_threshold=quantity_from_data(data["spike_threshold"]),
                        method=data["method"])


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
    """Write ``cell`` to ``path`` (``.json`` or ``.yaml``/``.yml``) with provenance."""
    data = {"provenance": provenance(cell), "template": cell.to_dict()}
    path = str(path)
    with open(path, "w") as f:
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
    return template_from_dict(data["template"])
