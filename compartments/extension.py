"""The extension protocol: how a layer adds to the group a template makes.

`CellTemplate.make_group` builds a `NeuronGroup` from the template's own
equations. A layer that adds to it — neuromodulation (`ModulationPlan`), a
catalogue type's heterogeneity draw, a layer of your own — is an `Extension`
and plugs in at five points, in this order:

1. ``substitutions(segment, mechanism)``: ``{parameter: expression}`` in the
   mechanism's local names, replacing where the parameter enters its
   equations (``{"gbar": "(gbar*mod_gbar)"}``); a name ``mod_<parameter>`` in
   the expression is renamed like the mechanism's own names
   (``mod_gbar_km_soma``);
2. ``currents(segment)``: names of extra membrane current densities
   (amp/meter**2, inward positive) summed into ``I_m_<segment>``;
3. ``equations()``: the `Equations` those names refer to;
4. ``values(n)``: per-neuron values (SI floats, arrays of ``n``) set before
   the resting-state solve — its own constants, or new values of template
   parameters (a heterogeneity draw);
5. ``attach(group)``: called on the new group (links to other groups, such
   as a modulator pool); returns the values the resting-state solve needs
   that the group cannot give before a run (linked concentrations).

Extensions compose: `combine` merges several, and refuses two that substitute
the same parameter of a mechanism in a segment or set the same variable.
The engine imports no layer: layers import this module.

A template may also hold a layer's *description* (a catalogue type's receptor
expression): plain data that is part of the template, set in its
constructor and serialised with it. The layer registers a reader for it with
`register_description`, so a table given as a DataFrame or loaded from a file
becomes the layer's object without the engine importing the layer.
"""

from brian2 import Equations

__all__ = ["Extension", "combine", "register_description", "read_description"]

_DESCRIPTIONS = {}


class Extension:
    """Base class of extensions: every hook does nothing. Override what your layer needs.

    ``layer`` names the layer (``"modulation"``) for `extensions_of` and messages.
    """

    layer = "extension"

    def substitutions(self, segment, mechanism):
        """``{local parameter: expression}`` for the mechanism named ``mechanism`` in ``segment``."""
        return {}

    def currents(self, segment):
        """Names of extra current densities (amp/meter**2) entering ``I_m_<segment>``."""
        return []

    def equations(self):
        """The `Equations` the substitutions and currents refer to."""
        return Equations("")

    def values(self, n):
        """Per-neuron values (variable -> array of ``n`` SI floats), set before the rest solve."""
        return {}

    def attach(self, group):
        """Connect the made ``group``; return extra values (SI floats) for the rest solve."""
        return {}

    def __repr__(self):
        return f"{type(self).__name__}(layer={self.layer!r})"


class _Combined(Extension):
    """Several extensions acting as one, with conflicts refused."""

    layer = "combined"

    def __init__(self, extensions):
        self.parts = tuple(extensions)

    def substitutions(self, segment, mechanism):
        out, owner = {}, {}
        for ext in self.parts:
            for p, expr in ext.substitutions(segment, mechanism).items():
                if p in out:
                    raise ValueError(f"Extensions {owner[p]!r} and {ext!r} both substitute the "
                                     f"parameter '{p}' of mechanism '{mechanism}' in segment "
                                     f"'{segment}'; one parameter, one substitution.")
                out[p], owner[p] = expr, ext
        return out

    def currents(self, segment):
        return [c for ext in self.parts for c in ext.currents(segment)]

    def equations(self):
        eqs = Equations("")
        for ext in self.parts:
            eqs += ext.equations()
        return eqs

    def _merge(self, hook, *args):
        out, owner = {}, {}
        for ext in self.parts:
            for var, arr in getattr(ext, hook)(*args).items():
                if var in out:
                    raise ValueError(f"Extensions {owner[var]!r} and {ext!r} both set the "
                                     f"variable '{var}'.")
                out[var], owner[var] = arr, ext
        return out

    def values(self, n):
        return self._merge("values", n)

    def attach(self, group):
        return self._merge("attach", group)


def combine(extensions):
    """One `Extension` acting as all of ``extensions`` (a sequence), conflicts refused."""
    extensions = tuple(extensions)
    for ext in extensions:
        if not isinstance(ext, Extension):
            raise TypeError(f"The 'extensions' of make_group must be "
                            f"compartments.extension.Extension objects. Got {ext!r} instead.")
    return _Combined(extensions)


def register_description(kind, reader):
    """Make ``reader(data, where)`` the way to read a template description of ``kind``.

    ``reader`` returns an object with ``to_data()`` (plain data that ``reader``
    reads back) and ``compartments()`` (the compartment names it refers to).
    """
    _DESCRIPTIONS[kind] = reader


def read_description(kind, data, where):
    """The description of ``kind`` held in ``data`` (an object of the layer passes through)."""
    if hasattr(data, "to_data"):
        return data
    if kind not in _DESCRIPTIONS:
        raise ValueError(f"{where}: no layer reads a {kind!r} description (known: "
                         f"{sorted(_DESCRIPTIONS)}); import the module of the layer first.")
    return _DESCRIPTIONS[kind](data, where)
