"""VIP -> SST -> pyramidal disinhibition through 5-HT3A (Lee et al. 2013; Pi et al. 2013;
Fu et al. 2014; Tremblay et al. 2016).

Two copies of a three-cell circuit from the catalogue (VIP_BP -> SST_MC -> L23_PC, GABA_A
synapses onto the somata; SST and the pyramidal cell driven by steady somatic current,
0.3 and 0.6 nA): in copy 1, 10 uM serotonin (receptor-site) is released at 50 ms (pool
decay 300 ms); copy 0 gets none. Serotonin acts only through the ionotropic 5-HT3A
receptors of VIP (the other groups are made without modulators), so any difference in SST
and pyramidal firing is the circuit's. In the window 60-160 ms VIP fires a burst, SST fires
less and the pyramidal cell more than in the control copy.
"""

import numpy as np
import pytest
from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor, defaultclock, ms, nA, nS, uM

import celltypes
from compartments import synapses
from compartments.neuromodulation import modulator_pool, release
from compartments.receptors import GABAA

pytestmark = pytest.mark.usefixtures("numpy_target")

WINDOW = (60, 160)  # ms


def count(monitor, neuron):
    t, i = np.asarray(monitor.t / ms), np.asarray(monitor.i)
    return int(np.sum((i == neuron) & (t >= WINDOW[0]) & (t < WINDOW[1])))


def test_serotonin_on_vip_disinhibits_pyramidal_cells():
    defaultclock.dt = 0.05 * ms
    pool = modulator_pool(("5HT",), n=2, tau={"5HT": 300 * ms})
    raphe = SpikeGeneratorGroup(1, [0], [50 * ms])
    serotonin = release(raphe, pool, "5HT", 10 * uM, i=0, j=1)
    vip = celltypes.get("VIP").make_group(2, modulators=("5HT",), pool=pool,
                                          pool_index=[0, 1], seed=1)
    sst = celltypes.get("SST").with_channels({"soma": [GABAA()]}).make_group(2)
    pc = celltypes.get("L23_PC").with_channels({"soma": [GABAA()]}).make_group(2)
    sst.I_ext_soma = 0.3 * nA
    pc.I_ext_soma = 0.6 * nA
    vip_sst = synapses.connect(vip, sst, {"gabaa": 20 * nS}, at="soma", j="i")
    sst_pc = synapses.connect(sst, pc, {"gabaa": 30 * nS}, at="soma", j="i")
    spikes = {name: SpikeMonitor(g) for name, g in (("vip", vip), ("sst", sst), ("pc", pc))}
    Network(pool, raphe, serotonin, vip, sst, pc, vip_sst, sst_pc,
            *spikes.values()).run(WINDOW[1] * ms)
    vip_n = [count(spikes["vip"], k) for k in (0, 1)]
    sst_n = [count(spikes["sst"], k) for k in (0, 1)]
    pc_n = [count(spikes["pc"], k) for k in (0, 1)]
    assert vip_n[0] == 0 and vip_n[1] >= 3            # 5-HT3A drive makes VIP fire
    assert sst_n[1] < sst_n[0]                         # SST inhibited
    assert pc_n[1] > pc_n[0]                           # pyramidal cell disinhibited
