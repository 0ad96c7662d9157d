"""Run a small plastic circuit onto a template under one target and save what it did.

Used by test_synapse_backends. A ball-and-stick HH cell (AMPA + NMDA on the
dendrite, GABA_A on the soma); 10 pre-synaptic spike trains reach 2 neurons
through STDP synapses placed by path distance, through dopamine-gated
eligibility synapses (continuous conversion, third factor driven by spikes)
and through GABA_A synapses whose release acetylcholine scales presynaptically;
serotonin released at 40 ms opens somatic GIRK channels through 5-HT1A
(neuromodulation: linked pool, (constant over dt) occupancy and factor).

Usage: python synapse_backend_run.py TARGET OUTFILE [BUILD_DIR]
"""

import sys

import numpy as np
from brian2 import (Network, SpikeGeneratorGroup, StateMonitor, cm, defaultclock, mmolar, ms,
                    msiemens, nA, nmolar, nS, um, umolar)

import compartments
from compartments import (CellTemplate, Compartment, channels, neuromodulation, plasticity,
                          synapses)
from compartments.receptors import AMPA, GABAA, NMDA

DURATION = 150 * ms
VARIABLES = ["v_soma", "v_dend_3", "g_nmda_dend_3", "e_HT1A"]


def run(target, build_dir=None):
    compartments.backends.use(target, directory=build_dir)
    defaultclock.dt = 0.025 * ms
    soma = Compartment("soma", length=20 * um, diameter=20 * um,
                       channels=[channels.HHNa(), channels.HHK(), channels.Leak(), GABAA(),
                                 channels.GIRK(gbar=2 * msiemens / cm**2)])
    dend = Compartment("dend", length=200 * um, diameter=2 * um, nseg=4,
                       channels=[channels.Leak(), AMPA(), NMDA(mg=1.2 * mmolar)])
    cell = CellTemplate("plastic_circuit", [soma, dend], [("soma", "dend")], celsius=6.3)
    cell = cell.with_modulation([dict(receptor="5-HT1A", compartment="soma", fraction=1,
                                      level=1, source="test")])
    pool = neuromodulation.modulator_pool(("5HT", "ACh"), tonic={"ACh": 300 * nmolar},
                                          tau={"5HT": 30 * ms})
    raphe = SpikeGeneratorGroup(1, [0], [40 * ms])
    serotonin = neuromodulation.release(raphe, pool, "5HT", 2 * umolar)
    group = cell.make_group(2, modulators=("5HT",), pool=pool)
    group.I_ext_soma = [0.05, 0.1] * nA
    rng = np.random.default_rng(3)
    times = np.round(rng.uniform(5, 140, 60), 1)
    pre = SpikeGeneratorGroup(10, np.arange(60) % 10, times * ms)
    dopamine = SpikeGeneratorGroup(1, [0, 0], [60 * ms, 110 * ms])
    i, j = np.repeat(np.arange(10), 2), np.tile([0, 1], 10)
    stdp = plasticity.STDP(A_plus=0.02, A_minus=0.021, tau_plus=20 * ms, tau_minus=20 * ms,
                           bounds="multiplicative", pairing="nearest")
    s_exc = synapses.connect(pre, group, {"ampa": 2 * nS, "nmda": 1 * nS}, i=i, j=j,
                             distance=np.linspace(20, 200, 20) * um, plasticity=stdp,
                             delay=1 * ms)
    factor = plasticity.third_factor(tau=50 * ms)
    drive = plasticity.drive_third_factor(dopamine, factor)
    gated = plasticity.EligibilitySTDP(A_plus=1.0, A_minus=1.5, tau_plus=20 * ms,
                                       tau_minus=20 * ms, tau_ltp=300 * ms, tau_ltd=200 * ms,
                                       factor=factor, tau_conversion=50 * ms, w_max=5.0)
    s_gated = synapses.connect(pre, group, {"ampa": 1 * nS}, at="dend_3", i=i, j=j,
                               plasticity=gated, weight=1.0)
    s_inh = synapses.connect(pre, group, {"gabaa": 3 * nS}, at="soma", i=[0, 1], j=[0, 1],
                             presynaptic=neuromodulation.PresynapticModulation(pool, "M2", 0.5))
    mon = StateMonitor(group, VARIABLES, record=True)
    Network(group, pre, dopamine, s_exc, factor, drive, s_gated, s_inh, pool, raphe, serotonin,
            mon).run(DURATION)
    out = {var: np.asarray(getattr(mon, var + "_")) for var in VARIABLES}
    out["w_stdp"] = np.asarray(s_exc.w[:])
    out["w_gated"] = np.asarray(s_gated.w[:])
    return out


if __name__ == "__main__":
    np.savez(sys.argv[2], **run(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None))
