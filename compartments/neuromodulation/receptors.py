"""Modulatory receptors: ligand, G-protein class, occupancy and effector kinetics (data with sources).

Each receptor ``R`` binds one modulator with occupancy

    occ_R = c^n / (c^n + EC50^n)

and drives its effector ``e_R`` (dimensionless, 0..1) with first-order
kinetics toward it, faster or slower depending on the direction:

    de_R/dt = (occ_R - e_R) / tau,   tau = tau_on if occ_R > e_R else tau_off

Ionotropic receptors (nAChR alpha4beta2, alpha7, 5-HT3A) are instead
cation conductances (reversal ``E``) that open with ``tau_on`` toward the
occupancy and desensitise: a fraction ``d`` approaching the occupancy with
``tau_des`` and recovering with ``tau_rec``; open fraction ``a (1 - d)``.

The table is ``data/receptors.csv`` (one row per receptor, every value with
its source); `receptor` returns a row as a `ModulatoryReceptor`.
"""

import csv
import os
from dataclasses import dataclass

from brian2 import mV, ms, msiemens, cm, nmolar

from .pools import MODULATORS

__all__ = ["ModulatoryReceptor", "RECEPTORS", "receptor", "GPROTEINS", "occupancy"]

GPROTEINS = ("Gs", "Gi", "Gq", "ionotropic")
_FILE = os.path.join(os.path.dirname(__file__), "data", "receptors.csv")


@dataclass(frozen=True)
class ModulatoryReceptor:
    """One receptor: names, ligand, G-protein class, binding and kinetics, sources."""

    name: str          # public name, e.g. "5-HT1A"
    key: str           # identifier used in variable names, e.g. "HT1A"
    ligand: str        # modulator: DA, ACh, 5HT, NE
    gprotein: str      # Gs, Gi, Gq or ionotropic
    ec50: object       # Quantity (molar)
    hill: float
    tau_on: object     # Quantity (second)
    tau_off: object    # Quantity (second)
    source_binding: str
    source_kinetics: str
    gmax: object = None     # ionotropic: conductance density at full opening (S/m^2)
    E: object = None        # ionotropic: reversal potential
    tau_des: object = None  # ionotropic: desensitisation
    tau_rec: object = None  # ionotropic: recovery from desensitisation
    source_conductance: str = ""

    @property
    def ionotropic(self):
        return self.gprotein == "ionotropic"


def occupancy(concentration, ec50, hill):
    """The Hill occupancy ``(c/EC50)^n / (1 + (c/EC50)^n)`` as a Brian2 expression (names)."""
    ratio = f"({concentration}/{ec50})**{hill}"
    return f"{ratio}/(1 + {ratio})"


def _load():
    out = {}
    with open(_FILE, newline="") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            where = f"{_FILE}, row {row_number}"
            for col in ("receptor", "key", "ligand", "gprotein", "ec50_nM", "hill",
                        "tau_on_ms", "tau_off_ms", "source_binding", "source_kinetics"):
                if not row.get(col, "").strip():
                    raise ValueError(f"{where}: column '{col}' is empty.")
            if row["ligand"] not in MODULATORS:
                raise ValueError(f"{where}: column 'ligand' must be one of {list(MODULATORS)}. "
                                 f"Got {row['ligand']!r}.")
            if row["gprotein"] not in GPROTEINS:
                raise ValueError(f"{where}: column 'gprotein' must be one of {GPROTEINS}. "
                                 f"Got {row['gprotein']!r}.")
            extra = {}
            if row["gprotein"] == "ionotropic":
                for col in ("gmax_mS_cm2", "E_mV", "tau_des_ms", "tau_rec_ms",
                            "source_conductance"):
                    if not row.get(col, "").strip():
                        raise ValueError(f"{where}: an ionotropic receptor needs column "
                                         f"'{col}'.")
                extra = dict(gmax=float(row["gmax_mS_cm2"]) * msiemens / cm**2,
                             E=float(row["E_mV"]) * mV,
                             tau_des=float(row["tau_des_ms"]) * ms,
                             tau_rec=float(row["tau_rec_ms"]) * ms,
                             source_conductance=row["source_conductance"])
            out[row["receptor"]] = ModulatoryReceptor(
                name=row["receptor"], key=row["key"], ligand=row["ligand"],
                gprotein=row["gprotein"], ec50=float(row["ec50_nM"]) * nmolar,
                hill=float(row["hill"]), tau_on=float(row["tau_on_ms"]) * ms,
                tau_off=float(row["tau_off_ms"]) * ms, source_binding=row["source_binding"],
                source_kinetics=row["source_kinetics"], **extra)
    return out


RECEPTORS = _load()


def receptor(name):
    """The `ModulatoryReceptor` called ``name`` (e.g. ``"D1"``, ``"5-HT1A"``)."""
    if name not in RECEPTORS:
        raise ValueError(f"Unknown receptor {name!r}; known receptors: {list(RECEPTORS)}.")
    return RECEPTORS[name]
