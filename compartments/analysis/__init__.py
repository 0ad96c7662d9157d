"""Protocols and measurements: what is done to a cell or a synapse, and what is read off.

Each module has one job: ``pairing`` (STDP windows at rule and cell level);
cell protocols and spike features live in their own modules. Every protocol is
vectorised — one group, the conditions as neurons or synapses — and returns a
tidy `pandas.DataFrame` with units in the column names.
"""

from .pairing import stdp_window_cell, stdp_window_rule  # noqa: E402,F401
