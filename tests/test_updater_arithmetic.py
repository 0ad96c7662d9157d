"""The arithmetic of the implicit cable updater's generated step (docs/performance.md,
"State-update arithmetic"): what a step no longer computes. Numerics are checked against
NEURON, cable theory and Rallpacks elsewhere (test_crosscheck_*, test_cable_theory,
test_tree); here, on the derived abstract code of an HH soma with an AMPA dendrite:

- no division by a capacitance: the rows of the voltage system are multiplied by C
  (NEURON's form), so ``C`` appears only in the diagonal, as ``(2/dt)*C``;
- a gate's steady state is simplified once per form: for HH kinetics
  ``phi*(alpha*(1 - x) - beta*x)`` it is ``alpha/(alpha + beta)`` (no ``phi``, no
  division of ``phi*alpha`` by ``-phi*(alpha + beta)``);
- a decaying state with no source (a receptor's rise variable) is ``x*exp(A*dt)``
  (no ``0/A``);
- the receptor's exact conductance update has no ``c/(b - a)`` factor (it is -1).
"""

import re

import pytest
from brian2 import cm, mV, ohm, siemens, um

from compartments import CellTemplate, Compartment, channels, integration
from compartments.receptors import AMPA

pytestmark = pytest.mark.codegen_independent


@pytest.fixture(scope="module")
def code():
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(gbar=0.12 * siemens / cm**2, E=50 * mV),
                                 channels.HHK(gbar=0.036 * siemens / cm**2, E=-77 * mV),
                                 channels.Leak(g=3e-4 * siemens / cm**2, E=-54.3 * mV)])
    dend = Compartment("dend", length=200 * um, diameter=2 * um,
                       channels=[channels.Leak(g=1e-4 * siemens / cm**2, E=-65 * mV), AMPA()])
    cell = CellTemplate("arith", [soma, dend], connections=[("soma", "dend", 0.5)],
                        Ra=100 * ohm * cm)
    lines = integration.crank_nicolson._derive(cell.equations, None).splitlines()
    return dict(line.split(" = ", 1) for line in lines if " = " in line), lines


def test_no_division_by_capacitance(code):
    assigned, lines = code
    uses = sorted(expr for expr in assigned.values() if re.search(r"\bC_", expr))
    assert [u.split(" - ")[0] for u in uses] == ["(2/dt)*C_dend", "(2/dt)*C_soma"], uses


def test_gate_steady_state_simplified(code):
    assigned, _ = code
    update = assigned["_new" + next(k[4:] for k, v in assigned.items()
                                    if k.startswith("_new") and "(h_hhna_soma - " in v)]
    inf = re.match(r"(\w+) \+ \(h_hhna_soma - \1\)\*exp\(", update).group(1)
    assert "phi" not in assigned[inf]
    assert assigned[inf].replace(" ", "") == (
        "_q_alpha_h_hhna_soma/(_q_alpha_h_hhna_soma+_q_beta_h_hhna_soma)")


def test_receptor_updates_without_spurious_division(code):
    assigned, _ = code
    rise = next(v for k, v in assigned.items() if k.startswith("_new") and
                v.startswith("x_ampa_dend*"))
    assert re.fullmatch(r"x_ampa_dend\*exp\(\(\w+\)\*dt\)", rise), rise
    conductance = next(v for k, v in assigned.items() if k.startswith("_new") and
                       v.startswith("g_ampa_dend*"))
    assert "/((" not in conductance and conductance.count("exp(") == 3, conductance
