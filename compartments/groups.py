"""Which template, and which extensions, made each group.

A leaf module: `make_group` registers every group it makes here, and layers
(synapses, background input, rest, recording) look groups up here, so none of
them needs to import `compartments.template`. The registries hold weak
references: a group that is deleted leaves them.
"""

import difflib
import weakref

__all__ = ["register", "template_of", "extensions_of", "modulation_of", "missing_variable"]

_TEMPLATES = weakref.WeakKeyDictionary()
_EXTENSIONS = weakref.WeakKeyDictionary()
_MODULATION_PREFIXES = ("c_", "occ_", "e_", "x_", "mod_", "s_", "ec50_", "hill_", "tau_on_",
                        "tau_off_", "tau_e_", "a_", "d_", "gmax_")


def register(group, template, extensions):
    """Remember that ``template`` made ``group`` with ``extensions`` (called by make_group)."""
    _TEMPLATES[group] = template
    _EXTENSIONS[group] = tuple(extensions)


def template_of(group):
    """Return the `CellTemplate` a group was made from (``None`` if not a template group)."""
    return _TEMPLATES.get(group)


def extensions_of(group):
    """The `Extension` objects a group was made with (empty for none)."""
    return _EXTENSIONS.get(group, ())


def modulation_of(group):
    """The `ModulationPlan` of a group made with modulators (``None`` otherwise)."""
    return next((e for e in extensions_of(group) if e.layer == "modulation"), None)


def missing_variable(group, name):
    """The message for a variable ``name`` that ``group`` lacks: close matches, and why a
    neuromodulation variable is missing (no ``modulators`` when the group was made)."""
    known = [k for k in sorted(group.variables) if not k.startswith("_")]
    close = difflib.get_close_matches(str(name), known, n=3)
    text = f"Group '{group.name}' has no variable {name!r}; close matches: {close}."
    if template_of(group) is not None and modulation_of(group) is None \
            and isinstance(name, str) and name.startswith(_MODULATION_PREFIXES):
        text += (f" If {name!r} is a neuromodulation variable: this group was made without "
                 f"modulators; make it with make_group(..., modulators=(...), pool=pool).")
    return text
