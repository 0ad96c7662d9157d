"""Reading templates back from plain data (`CellTemplate.to_dict` output, JSON, YAML).

Every entry is checked where it is read, and an error names it by its path
(``compartments[1].channels[0].parameters.gbar``), the value found and what
was expected. Formats: 1 (before the receptor expression and the class were
stored: a plain `CellTemplate` without expression) and 2 (the current one).
"""

import importlib
import numbers

from .channels.base import Channel
from .compartment import Compartment, array_arguments
from .mechanism import mechanism_class
from .pools import Pool
from .quantities import quantity_from_data

__all__ = ["read_template", "TemplateReader", "FORMATS"]

FORMATS = (1, 2)
_AUTO_IMPORT = ("celltypes", "compartments")  # packages whose template classes load on demand


def _template_class(name, classes, base, where):
    """The template class recorded as ``name`` ("module.QualName")."""
    if not isinstance(name, str):
        raise ValueError(f"The 'class' entry of {where} must be the name of a template class "
                         f"such as 'compartments.template.CellTemplate'. Got {name!r} instead.")
    if name == f"{base.__module__}.{base.__qualname__}":
        return base
    module = name.rpartition(".")[0]
    if name not in classes and module.split(".")[0] in _AUTO_IMPORT:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    if name not in classes:
        raise ValueError(f"The 'class' entry of {where} names {name!r}, which is not a known "
                         f"template class; import the module that defines it first (known: "
                         f"{sorted(classes) + [f'{base.__module__}.{base.__qualname__}']}).")
    return classes[name]


def read_template(data, classes, base):
    """A template from plain data; ``classes`` maps class names to `CellTemplate` subclasses."""
    where = "the template data"
    if not isinstance(data, dict):
        raise TypeError(f"The 'data' of CellTemplate.from_dict must be a dict (the output of "
                        f"to_dict, or a template file read with load_template). Got "
                        f"{type(data).__name__} {data!r:.80} instead.")
    fmt = data.get("format")
    if isinstance(fmt, bool) or fmt not in FORMATS:
        raise ValueError(f"The 'format' entry of {where} must be one of the formats this "
                         f"version reads, {FORMATS}. Got {fmt!r} instead (a file written by a "
                         f"newer version needs that version).")
    cls = base if fmt == 1 else _template_class(data.get("class"), classes, base, where)
    reader = TemplateReader(data, fmt, where)
    args = cls._args_from_data(data, reader)
    unused = sorted(set(data) - reader.used - {"format", "class"})
    if unused:
        raise ValueError(f"{where} has entries {unused} that {cls.__name__} does not read "
                         f"(misspelt, or written by another version).")
    return cls(**args)


class TemplateReader:
    """Reads the entries of one template's data, remembering which top-level ones were read.

    Each method takes the dict to read from, the key, and ``where`` (its path,
    for messages; default: the template data).
    """

    def __init__(self, data, fmt, where):
        self.data = data
        self.format = fmt
        self.where = where
        self.used = set()

    # -- entries ---------------------------------------------------------------------
    def entry(self, data, key, where=None, optional=False, default=None):
        """``data[key]``, or an error naming the missing entry."""
        where = where or self.where
        if data is self.data:
            self.used.add(key)
        if key not in data:
            if optional:
                return default
            raise ValueError(f"{where} has no {key!r} entry (entries: {sorted(data)}).")
        return data[key]

    def quantity(self, data, key, where=None, optional=False):
        where = where or self.where
        value = self.entry(data, key, where, optional)
        if value is None and optional:
            return None
        return quantity_from_data(value, f"the {key!r} entry of {where}")

    def number(self, data, key, where=None, optional=False, default=None):
        where = where or self.where
        value = self.entry(data, key, where, optional, default)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"The {key!r} entry of {where} must be a number. Got {value!r} "
                             f"instead.")
        return value

    def sequence(self, data, key, where=None, optional=False):
        where = where or self.where
        value = self.entry(data, key, where, optional, default=[])
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"The {key!r} entry of {where} must be a list. Got {value!r} "
                             f"instead.")
        return value

    @staticmethod
    def mapping(value, where):
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be a dict. Got {value!r} instead.")
        return value

    # -- parts -----------------------------------------------------------------------
    def template_args(self, data):
        """The `CellTemplate` constructor's arguments."""
        comps = [self.compartment(c, f"compartments[{k}]")
                 for k, c in enumerate(self.sequence(data, "compartments"))]
        conns = [self.connection(c, f"connections[{k}]")
                 for k, c in enumerate(self.sequence(data, "connections"))]
        expression = self.entry(data, "expression", optional=True) if self.format > 1 else None
        return dict(name=self.entry(data, "name"), compartments=comps, connections=conns,
                    Ra=self.quantity(data, "Ra"), celsius=self.number(data, "celsius"),
                    spike_compartment=self.entry(data, "spike_compartment"),
                    spike_threshold=self.quantity(data, "spike_threshold"),
                    method=self.entry(data, "method"), expression=expression)

    def connection(self, entry, where):
        self.mapping(entry, where)
        unknown = sorted(set(entry) - {"parent", "child", "at", "g"})
        if unknown or ("at" in entry and "g" in entry):
            raise ValueError(f"{where} must have 'parent', 'child' and at most one of 'at' or "
                             f"'g'. Got {entry!r} instead.")
        ends = (self.entry(entry, "parent", where), self.entry(entry, "child", where))
        if "g" in entry:
            return ends + (self.quantity(entry, "g", where),)
        if "at" in entry:
            return ends + (self.number(entry, "at", where),)
        return ends

    def mechanism(self, entry, where, kind):
        self.mapping(entry, where)
        cls = mechanism_class(self.entry(entry, "type", where), where)
        if not issubclass(cls, kind):
            raise ValueError(f"{where}: {cls.__name__} is not a {kind.__name__}.")
        params = self.mapping(self.entry(entry, "parameters", where, optional=True,
                                         default={}), f"the 'parameters' of {where}")
        return cls(**{k: self.quantity(params, k, f"{where}.parameters") for k in params})

    def compartment(self, entry, where):
        self.mapping(entry, where)
        geo = ({"length": self.quantity(entry, "length", where),
                "diameter": self.quantity(entry, "diameter", where)} if "length" in entry
               else {"area": self.quantity(entry, "area", where)} if "area" in entry else {})
        chans = [self.mechanism(m, f"{where}.channels[{k}]", Channel)
                 for k, m in enumerate(self.sequence(entry, "channels", where, optional=True))]
        pools = [self.mechanism(m, f"{where}.pools[{k}]", Pool)
                 for k, m in enumerate(self.sequence(entry, "pools", where, optional=True))]
        return Compartment(self.entry(entry, "name", where), **geo,
                           **array_arguments(entry, where),
                           cm=self.quantity(entry, "cm", where), channels=chans, pools=pools,
                           nseg=self.entry(entry, "nseg", where, optional=True, default=1),
                           spine_factor=self.number(entry, "spine_factor", where, optional=True,
                                                    default=1.0),
                           Ra=self.quantity(entry, "Ra", where, optional=True))
