"""Effects of metabotropic receptors on channel parameters (data with sources).

An effect names a receptor, a channel (mechanism name, e.g. ``"km"``), one of
its parameters (usually ``"gbar"``), a kind and a strength ``s`` in [0, 1]:

- ``decrease``: the parameter is multiplied by ``prod_R (1 - s_R a_R)``;
- ``increase``: by ``1 + s_max (1 - prod_R (1 - s_R a_R / s_max))``;
- ``open``: a fraction parameter ``p`` (GIRK's ``activation``) becomes
  ``1 - (1 - p) prod_R (1 - s_R a_R)``;

with ``a_R = x_R e_R`` in [0, 1], ``x_R`` the neuron's expression of R in
that compartment (in [0, 1]) and ``e_R`` its effector activation (in [0, 1]). Each factor stays in
[0, 1] (decrease, open) or [1, 1 + s_max] (increase): no conductance goes
negative, and several receptors acting on one effector saturate on it instead
of adding (5-HT1A, D2 and M2 on GIRK).

The default table is ``data/effects.csv``. An effect on a channel that a
compartment does not carry is skipped there (a documented no-op, listed by
`compartments.neuromodulation.plan_report`): the table describes receptors, not
one cell type. An effect a user passes explicitly for a channel that no
compartment carries is an error.
"""

import csv
import os
from dataclasses import dataclass

from .receptors import RECEPTORS

__all__ = ["Effect", "DEFAULT_EFFECTS", "KINDS", "check_effect"]

KINDS = ("increase", "decrease", "open")
_FILE = os.path.join(os.path.dirname(__file__), "data", "effects.csv")


@dataclass(frozen=True)
class Effect:
    """Receptor -> channel parameter change: kind, strength s in [0, 1], source."""

    receptor: str
    channel: str
    parameter: str
    kind: str
    s: float
    source: str


def check_effect(effect, where="effect"):
    """Validate an `Effect`; return it."""
    if effect.receptor not in RECEPTORS:
        raise ValueError(f"{where}: unknown receptor {effect.receptor!r}; known receptors: "
                         f"{list(RECEPTORS)}.")
    if RECEPTORS[effect.receptor].ionotropic:
        raise ValueError(f"{where}: receptor {effect.receptor!r} is ionotropic (a conductance "
                         f"of its own); effects on channels belong to metabotropic receptors.")
    if effect.kind not in KINDS:
        raise ValueError(f"{where}: the kind must be one of {KINDS}. Got {effect.kind!r}.")
    if not 0 <= effect.s <= 1:
        raise ValueError(f"{where}: the strength s of {effect.receptor} on {effect.channel}."
                         f"{effect.parameter} must be in [0, 1]. Got {effect.s!r}.")
    if not effect.source.strip():
        raise ValueError(f"{where}: the effect {effect.receptor} on {effect.channel} has no "
                         f"source.")
    return effect


def _load():
    out = []
    with open(_FILE, newline="") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            where = f"{_FILE}, row {row_number}"
            try:
                s = float(row["s"])
            except (TypeError, ValueError):
                raise ValueError(f"{where}: column 's' must be a number. Got {row['s']!r}.")
            out.append(check_effect(Effect(row["receptor"], row["channel"], row["parameter"],
                                           row["kind"], s, row["source"] or ""), where))
    return tuple(out)


DEFAULT_EFFECTS = _load()
