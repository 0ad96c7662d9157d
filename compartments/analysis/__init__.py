"""Protocols and measurements: what is done to a cell or a synapse, and what is read off.

Each module has one job: ``pairing`` (STDP windows at rule and cell level);
``protocols`` (current-clamp protocols: waveforms, steps, BAC) and ``features``
(spike and passive features of a recording, F-I curve, rheobase). Every protocol is
vectorised — one group, the conditions as neurons or synapses — and returns a
tidy `pandas.DataFrame` with units in the column names.
"""

from .pairing import stdp_window_cell, stdp_window_rule  # noqa: E402,F401
from . import features, protocols  # noqa: E402,F401
from .features import fi_curve, rheobase, spike_features  # noqa: E402,F401
from .protocols import bac, epsp_current, stimulate, steps  # noqa: E402,F401
