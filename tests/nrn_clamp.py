"""NEURON side of the channel voltage-clamp cross-checks.

The NMODL files in ``tests/nmodl/`` are written here from the source papers
(not copied from ModelDB): a second, independent implementation of each
channel's kinetics. `neuron_voltage_clamp` compiles them once per session and
clamps a single section.
"""

import functools
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

NMODL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nmodl")


@functools.lru_cache(maxsize=1)
def load_mechanisms():
    """Compile every ``tests/nmodl/*.mod`` with nrnivmodl (once) and load them into NEURON."""
    from neuron import h

    build = tempfile.mkdtemp(prefix="b2c_nmodl_")
    for f in os.listdir(NMODL):
        if f.endswith(".mod"):
            shutil.copy(os.path.join(NMODL, f), build)
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    subprocess.run([nrnivmodl if os.path.exists(nrnivmodl) else "nrnivmodl", "."], cwd=build,
                   check=True, capture_output=True, timeout=600)
    lib = os.path.join(build, os.uname().machine, "libnrnmech.so")
    if not os.path.exists(lib):
        lib = os.path.join(build, os.uname().machine, ".libs", "libnrnmech.so")
    h.nrn_load_dll(lib)
    h.load_file("stdrun.hoc")
    return h


def neuron_voltage_clamp(suffix, steps_mV, hold_mV, duration_ms, celsius, params=None,
                         current="i", cai_mM=None, cao_mM=2.0, dt_ms=0.005):
    """Current density (uA/cm2, inward positive) of mechanism ``suffix`` under voltage steps.

    ``current`` is the NEURON range variable recorded (``i`` for a
    NONSPECIFIC_CURRENT of the mechanism, ``ica`` for a calcium current).
    Returns (t_ms, currents) with currents of shape (steps, samples).
    """
    h = load_mechanisms()
    sec = h.Section(name="clamped")
    sec.L = sec.diam = 10
    sec.nseg = 1
    sec.insert(suffix)
    for key, value in (params or {}).items():
        setattr(sec(0.5), f"{key}_{suffix}", value)
    clamp = h.SEClamp(sec(0.5))
    clamp.rs = 1e-6
    clamp.dur1 = 1e9
    ref = f"_ref_{current}" if current.startswith("i") and current != "i" else f"_ref_i_{suffix}"
    traces = []
    old = (h.dt, h.celsius, h.secondorder)
    try:
        h.dt, h.celsius, h.secondorder = dt_ms, celsius, 0
        if cai_mM is not None:  # the ca ion exists once a mechanism uses it
            h.cai0_ca_ion, h.cao0_ca_ion = cai_mM, cao_mM
        for step in steps_mV:
            clamp.amp1 = step
            rec = h.Vector().record(getattr(sec(0.5), ref))
            t = h.Vector().record(h._ref_t)
            h.finitialize(hold_mV)
            if cai_mM is not None:  # no pool in this section: cai stays where it is put
                sec(0.5).cai, sec(0.5).cao = cai_mM, cao_mM
            h.continuerun(duration_ms)
            traces.append(-np.array(rec) * 1e3)  # mA/cm2 outward -> uA/cm2 inward
        return np.array(t), np.array(traces)
    finally:
        h.dt, h.celsius, h.secondorder = old
        clamp = None
        h.delete_section(sec=sec)


def clamp_error(brian, neuron_traces, steps_mV):
    """Largest |Brian2 - NEURON| current per step, relative to the step's peak |current|.

    NEURON's recorded current at t_k+1 was computed during the step from t_k
    (its sample 0 is the holding current): NEURON's sample k+1 corresponds to
    Brian2's sample k, for k >= 1 (at k = 0 the clamp has not yet moved
    NEURON's voltage).
    """
    errors = []
    for k, step in enumerate(steps_mV):
        b = brian[np.isclose(brian.step_mV, step)].I_uA_per_cm2.to_numpy()
        n = min(len(b), len(neuron_traces[k]) - 1)
        peak = max(np.max(np.abs(neuron_traces[k])), 1e-12)
        errors.append(np.max(np.abs(b[1:n] - neuron_traces[k][2:n + 1])) / peak)
    return np.array(errors)
