"""Receptor expression of the catalogue's cell types (neuromodulation).

``celltypes/modulation/<type>.csv`` has one row per receptor and compartment:
``receptor, compartment, fraction, level, source`` — the fraction of cells of
the type that express it there, the relative level when expressed (0..1) and
the source. `celltypes.get` attaches it to the type
(`CellTemplate.with_modulation`), so ``make_group(..., modulators=...)`` works
on catalogue types directly. Receptors and their effects on channels are
engine data: `compartments.neuromodulation`.

``celltypes/modulation_effects.csv`` is the published effect table: per type and
condition (modulator, receptor-site concentration, optionally the receptors a
selective agonist or antagonist leaves acting), the measure, the published
direction, its source and whether v1 meets it. `published_effects` reads it and
`effect_conditions` turns it into `modulated_excitability` conditions.
"""

import os

import pandas as pd
from brian2 import uM

from compartments.neuromodulation import Expression
from compartments.neuromodulation.expression import register_catalogue

__all__ = ["expression", "has_expression", "published_effects", "effect_conditions",
           "expressing", "standard_level", "modulator_conditions", "expressed_modulators"]

DATA = os.path.join(os.path.dirname(__file__), "modulation")
EFFECTS = os.path.join(os.path.dirname(__file__), "modulation_effects.csv")


# Receptor-site level at which each modulator is applied alone (the atlas, the F-I figure of
# docs/neuromodulation_effects.md): near saturation for the metabotropic receptors (EC50s
# 0.01-1 uM, compartments/neuromodulation/data); 3 uM for VIP_BP, whose ionotropic 5-HT3A and
# a4b2 receptors desensitise at higher levels (docs/neuromodulation.md).
_LEVEL_UM = 10.0
_LEVEL_UM_BY_TYPE = {"VIP_BP": 3.0}


def standard_level(cell_type):
    """The receptor-site concentration (molar) at which a modulator is applied alone to
    ``cell_type`` (canonical name) in the atlas and the docs' F-I figure."""
    return _LEVEL_UM_BY_TYPE.get(cell_type, _LEVEL_UM) * uM


def modulator_conditions(cell_type, modulators=("DA", "ACh", "5HT", "NE")):
    """``{"control": {}, M: {"levels": {M: standard_level(cell_type)}}, ...}``: each modulator
    alone, acting on all the type's receptors (`modulated_excitability` conditions).
    Modulators none of whose receptors the type expresses are left out (they would act on
    nothing; `expressed_modulators`)."""
    level = standard_level(cell_type)
    expressed = expressed_modulators(cell_type)
    out = {"control": {}}
    out.update({m: {"levels": {m: level}} for m in modulators if m in expressed})
    return out


def expressed_modulators(cell_type):
    """The modulators (ligands) of the receptors ``cell_type`` expresses (fraction > 0 in
    its expression table; none without a table), in the order of their first receptor.

    >>> expressed_modulators("L23_PC")
    ['ACh', '5HT', 'NE']
    """
    from compartments.neuromodulation.receptors import RECEPTORS

    from .catalogue import canonical

    name = canonical(cell_type)
    if not has_expression(name):
        return []
    return list(dict.fromkeys(RECEPTORS[r].ligand for r in expression(name).receptors()))


def _path(name):
    return os.path.join(DATA, f"{name}.csv")


def has_expression(name):
    """Whether cell type ``name`` (canonical) has an expression table."""
    return os.path.exists(_path(name))


def expression(name):
    """The `Expression` of cell type ``name`` (canonical name, e.g. ``"VIP_BP"``)."""
    from .catalogue import canonical

    name = canonical(name)
    path = _path(name)
    if not os.path.exists(path):
        raise ValueError(f"Cell type {name!r} has no receptor expression table "
                         f"(celltypes/modulation/{name}.csv).")
    table = pd.read_csv(path, dtype={"receptor": str, "compartment": str, "source": str})
    return Expression(table, where=f"celltypes/modulation/{name}.csv")


def expressing(receptor):
    """``{cell type: [compartments]}`` of the catalogue types expressing ``receptor``."""
    out = {}
    for file in sorted(os.listdir(DATA)):
        if not file.endswith(".csv"):
            continue
        table = pd.read_csv(os.path.join(DATA, file), dtype={"receptor": str})
        rows = table[(table.receptor == receptor) & (table.fraction > 0)]
        if len(rows):
            out[file[:-4]] = list(rows.compartment)
    return out


register_catalogue(expressing)


def published_effects():
    """The published effect table (DataFrame; ``receptors`` is '' where all act)."""
    table = pd.read_csv(EFFECTS, dtype={"receptors": str}, keep_default_na=False)
    return table.astype({"site_uM": float})


def effect_conditions(cell_type, table=None):
    """``{condition: {"levels": ..., "receptors": ...}}`` of one type's rows, with a control.

    ``levels`` maps the modulator to its receptor-site concentration (molar `Quantity`,
    from the table's ``site_uM``).

    A condition's ``receptors`` (';'-separated in the table) keeps only those
    receptors' expression, as a selective agonist or antagonist would; empty:
    all. A condition name used twice with different settings is an error.
    """
    table = published_effects() if table is None else table
    out = {"control": {}}
    for row in table[table.cell_type == cell_type].itertuples():
        spec = {"levels": {row.modulator: row.site_uM * uM}}
        if row.receptors:
            spec["receptors"] = [r.strip() for r in row.receptors.split(";")]
        if row.condition in out and out[row.condition] != spec:
            raise ValueError(f"{EFFECTS}: condition {row.condition!r} of {cell_type} is "
                             f"defined twice with different settings: {out[row.condition]} "
                             f"and {spec}.")
        out[row.condition] = spec
    return out
