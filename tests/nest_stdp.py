"""NEST side of the dopamine-modulated STDP cross-check (Izhikevich 2007).

Two things live here:

* `nest_dopamine_stdp` runs NEST's ``stdp_dopamine_synapse`` between two
  parrot neurons with prescribed pre, post and dopamine spike times and
  returns the weight ``w``, eligibility trace ``c`` and dopamine trace ``n``
  at the requested sample times.
* `izhikevich_closed_form` is the exact solution for one pre spike, one post
  spike and one dopamine spike, written from the equations below (no NEST
  needed), against which the NEST runner is checked in
  ``tests/test_nest_reference.py``.

The model (Izhikevich 2007, as implemented by NEST 3.10)
--------------------------------------------------------
::

    dc/dt = -c / tau_c  + (STDP jumps, below)
    dn/dt = -n / tau_n  + sum_k delta(t - t_dopa_k) / tau_n
    dw/dt =  c * (n - b),   then w is clipped to [Wmin, Wmax]

STDP jumps of ``c`` (all-to-all pairing; both traces add 1 per spike):

* at every post spike, *as seen at the synapse* (see the delay below):
  ``c += A_plus * Kplus``, Kplus the presynaptic trace (time constant
  ``tau_plus``, a synapse parameter);
* at every pre spike: ``c -= A_minus * Kminus``, Kminus the postsynaptic trace
  (time constant ``tau_minus``, a parameter of the POSTSYNAPTIC neuron, here
  the post parrot_neuron's ``tau_minus``; the synapse has none).

``A_minus`` is a positive number; the minus sign is in the rule.

What NEST does, as read in the v3.10 source (tag ``v3.10`` of
github.com/nest/nest-simulator, ``models/stdp_dopamine_synapse.h``,
``models/volume_transmitter.cpp``, ``nestkernel/archiving_node.cpp``) and
checked numerically against the closed form below:

1. **The delay is purely dendritic, and it moves the post spike, not the pre
   spike.** ``send()`` takes ``t_spike`` = the pre neuron's spike time (no
   axonal delay) and reads the post history in ``(t_last_update - delay,
   t_spike - delay]``; each post spike is handled at ``t_post + delay`` with
   ``facilitate_(Kplus * exp((t_last_update - (t_post + delay)) / tau_plus))``,
   and the depression uses ``get_K_value(t_spike - delay)``. So the pairing
   interval is::

       dt_pair = (t_post + delay) - t_pre

   (the post spike back-propagates to the synapse in ``delay``), NOT
   ``t_post - (t_pre + delay)``: the two conventions differ by ``2*delay``.
   ``dt_pair > 0``: ``c`` jumps by ``+A_plus * exp(-dt_pair/tau_plus)`` at
   ``t_post + delay``. ``dt_pair < 0``: ``c`` jumps by
   ``-A_minus * exp(dt_pair/tau_minus)`` at ``t_pre``. ``dt_pair == 0``:
   nothing (``get_K_value`` only counts post spikes strictly before
   ``t_pre - delay``, and the facilitation uses Kplus before this pre spike).
   Measured: pre 100 ms, post 110 ms, delay 1 and 5 ms give NEST ``c`` and
   ``w`` equal to the closed form with ``dt_pair = 10 + delay`` to 1e-13
   relative (with ``10 - delay`` instead: 10 % and 65 % off).
2. **Dopamine.** Each spike reaching the ``volume_transmitter`` is stored
   with the time it arrives there (``volume_transmitter::update``:
   ``slice_origin + lag + 1`` steps = sender's spike time + connection delay)
   and ``update_dopamine_`` adds ``multiplicity / tau_n`` to ``n``.
3. **The weight is integrated exactly**: ``update_weight_`` adds
   ``c0 * n0 * tau_s * (1 - exp(-T/tau_s)) - b * c0 * tau_c * (1 - exp(-T/tau_c))``
   over each piece of length T between events, ``tau_s = tau_c*tau_n/(tau_c+tau_n)``
   (the exact integral of ``c*(n-b)``), and clips ``w`` to ``[Wmin, Wmax]``
   after every piece. With ``b == 0`` ``c`` has one sign and ``n >= 0`` within
   a piece, so this equals continuous clipping; with ``b != 0`` it is clipping
   at the piece ends only.
4. **No trailing pre spike is needed.** Besides the pre spikes, the volume
   transmitter calls ``trigger_update_weight`` on every synapse every
   ``deliver_interval * min_delay`` (``volume_transmitter::update``; its spike
   buffer is never empty, it always holds the pseudo-spike of the last
   trigger), which propagates w, c, n and Kplus to ``t_trig`` and handles the
   post spikes with ``t_post + delay <= t_trig``. Here every auxiliary
   connection has delay = resolution, so min_delay = resolution and with
   ``deliver_interval = 1`` the state is brought up to date at the end of
   every time step: after ``Simulate`` up to a sample time T (on the grid)
   GetStatus gives w(T), c(T), n(T) exactly. Verified: same weights to 1e-13
   with min_delay 0.1 and 1.0 ms; with a coarser trigger only the tail after
   the last trigger is missing.

Caveat at sample times that coincide with a pre spike: the pre spike is
delivered (``send()``, the depression of c) at the start of the next step, so
``c`` sampled at exactly ``t_pre`` is the left limit. ``w`` is continuous and
unaffected.

The network: ``spike_generator -> parrot_neuron`` for pre, post and dopamine
(delay = resolution, so generator times are shifted back by one step); the
dopamine parrot -> ``volume_transmitter`` (delay = resolution: one more step);
one ``stdp_dopamine_synapse`` pre parrot -> post parrot onto **receptor 1**
(parrot_neuron ignores spikes on port 1, so the plastic synapse does not make
the post parrot fire: the post spike times are exactly those given).
"""

import math
import os

import numpy as np


def _on_grid(name, times, h):
    times = np.atleast_1d(np.asarray(times, dtype=float))
    steps = np.round(times / h)
    if np.any(np.abs(times - steps * h) > 1e-9 * max(1.0, h)):
        raise ValueError(f"{name} must be multiples of the resolution {h} ms: {times}")
    return steps * h


def nest_dopamine_stdp(pre_times_ms, post_times_ms, dopa_times_ms, *, tau_plus_ms, tau_minus_ms,
                       A_plus, A_minus, tau_c_ms, tau_n_ms, b, w0, Wmin, Wmax, delay_ms,
                       resolution_ms=0.1, sample_times_ms):
    """Run NEST's ``stdp_dopamine_synapse`` on prescribed spike times.

    Times (ms, on the ``resolution_ms`` grid) are the *effective* times of the
    model in the module docstring: ``pre_times_ms`` the pre neuron's spike
    times, ``post_times_ms`` the post neuron's (soma) spike times,
    ``dopa_times_ms`` the times the dopamine spikes reach the volume
    transmitter (``n += 1/tau_n``). The pairing interval NEST uses is
    ``t_post + delay_ms - t_pre``. ``delay_ms`` is the plastic synapse's
    (dendritic) delay. Pre and post times must be > resolution, dopamine times
    > 2 * resolution (the generators sit one/two steps upstream).

    One simulation, advanced from sample to sample; since the volume
    transmitter brings the synapse up to date every step, the values at each
    sample time T are w(T), c(T), n(T) (c: left limit if a pre spike is at T).

    Returns a dict of numpy arrays ``t_ms`` (the sample times), ``w``, ``c``,
    ``n``; ``pre_spikes_ms``, ``post_spikes_ms``, ``dopa_spikes_ms`` (the
    times NEST actually produced: parrot spike times, and the dopamine arrival
    times at the volume transmitter) and ``nest_version``.
    """
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    h = float(resolution_ms)
    pre = _on_grid("pre_times_ms", pre_times_ms, h)
    post = _on_grid("post_times_ms", post_times_ms, h)
    dopa = _on_grid("dopa_times_ms", dopa_times_ms, h)
    samples = _on_grid("sample_times_ms", sample_times_ms, h)
    delay = float(_on_grid("delay_ms", delay_ms, h)[0])
    if np.any(pre <= h) or np.any(post <= h) or np.any(dopa <= 2 * h):
        raise ValueError("pre/post times must be > resolution and dopamine times > 2*resolution")
    if delay < h:
        raise ValueError("delay_ms must be at least one resolution step")
    if np.any(samples <= 0) or np.any(np.diff(samples) <= 0):
        raise ValueError("sample_times_ms must be positive and strictly increasing")

    if hasattr(nest, "VerbosityLevel"):     # NEST 3.10 (set_verbosity is deprecated there)
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": h, "local_num_threads": 1, "print_time": False})

    def generator(times):
        return nest.Create("spike_generator", params={"spike_times": sorted(times.tolist())})

    g_pre, g_post, g_dopa = generator(pre - h), generator(post - h), generator(dopa - 2 * h)
    p_pre = nest.Create("parrot_neuron")
    p_post = nest.Create("parrot_neuron", params={"tau_minus": float(tau_minus_ms)})
    p_dopa = nest.Create("parrot_neuron")
    vt = nest.Create("volume_transmitter", params={"deliver_interval": 1})
    for g, p in ((g_pre, p_pre), (g_post, p_post), (g_dopa, p_dopa)):
        nest.Connect(g, p, syn_spec={"delay": h})
    nest.Connect(p_dopa, vt, syn_spec={"delay": h})
    recorders = nest.Create("spike_recorder", 3)
    for p, r in zip((p_pre, p_post, p_dopa), recorders):
        nest.Connect(p, r)

    # common properties can only be set on the model, not in Connect's syn_spec
    nest.CopyModel("stdp_dopamine_synapse", "b2c_dopa_synapse", {
        "volume_transmitter": vt, "tau_plus": float(tau_plus_ms), "A_plus": float(A_plus),
        "A_minus": float(A_minus), "tau_c": float(tau_c_ms), "tau_n": float(tau_n_ms),
        "b": float(b), "Wmin": float(Wmin), "Wmax": float(Wmax)})
    nest.Connect(p_pre, p_post, syn_spec={"synapse_model": "b2c_dopa_synapse", "weight": float(w0),
                                          "delay": delay, "receptor_type": 1})
    conn = nest.GetConnections(p_pre, p_post)

    w, c, n = [], [], []
    t_now = 0.0
    for t in samples:
        nest.Simulate(t - t_now)
        t_now = t
        st = conn.get(["weight", "c", "n"])
        w.append(st["weight"])
        c.append(st["c"])
        n.append(st["n"])
    ev = [np.asarray(r.events["times"], dtype=float) for r in recorders]
    return {"t_ms": samples, "w": np.array(w), "c": np.array(c), "n": np.array(n),
            "pre_spikes_ms": ev[0], "post_spikes_ms": ev[1], "dopa_spikes_ms": ev[2] + h,
            "nest_version": nest.__version__}


def izhikevich_closed_form(t_pre_ms, t_post_ms, t_dopa_ms, *, delay_ms, tau_plus_ms, tau_minus_ms,
                           A_plus, A_minus, tau_c_ms, tau_n_ms, b=0.0, w0=0.0,
                           t_end_ms=math.inf, Wmin=None, Wmax=None):
    """Exact w, c, n at ``t_end_ms`` for one pre, one post and one dopamine spike.

    Same conventions as NEST (module docstring): the pairing interval is
    ``dt_pair = t_post + delay - t_pre`` and

    * ``dt_pair > 0``: c jumps at ``t_c = t_post + delay`` by
      ``c0 = +A_plus * exp(-dt_pair / tau_plus)``;
    * ``dt_pair < 0``: c jumps at ``t_c = t_pre`` by
      ``c0 = -A_minus * exp(dt_pair / tau_minus)``;
    * ``dt_pair == 0``: ``c0 = 0``.

    Derivation. After the jump ``c(t) = c0 exp(-(t - t_c)/tau_c)`` for
    ``t >= t_c``; the dopamine spike at ``t_d`` gives
    ``n(t) = (1/tau_n) exp(-(t - t_d)/tau_n)`` for ``t >= t_d``. With
    ``dw/dt = c (n - b)``::

        w(T) - w0 = int_{s0}^{T} c(t) n(t) dt  -  b int_{t_c}^{T} c(t) dt,   s0 = max(t_c, t_d)

    The product of two exponentials is one exponential with rate
    ``1/tau_s = 1/tau_c + 1/tau_n``, ``tau_s = tau_c tau_n / (tau_c + tau_n)``::

        int_{s0}^{T} c n dt = c(s0) n(s0) tau_s (1 - exp(-(T - s0)/tau_s))
        b int_{t_c}^{T} c dt = b c0 tau_c (1 - exp(-(T - t_c)/tau_c))

    For the dopamine after the jump (``t_d = t_c + d``, ``d >= 0``),
    ``c(s0) n(s0) = c0 exp(-d/tau_c) / tau_n``, and with ``b = 0``,
    ``T -> inf``::

        dw = c0 exp(-d / tau_c) (1/tau_n) tau_c tau_n / (tau_c + tau_n)
           = c0 exp(-d / tau_c) tau_c / (tau_c + tau_n)

    (For dopamine before the jump the same formula holds with
    ``c(s0) n(s0) = c0 exp(-(t_c - t_d)/tau_n) / tau_n``.)
    ``t_end_ms`` may be finite (the partial integral); at a jump time the
    returned ``c`` is the right limit. ``Wmin``/``Wmax``, if given, clip the
    result; exact for ``b = 0`` (then w is monotone), not in general.

    Returns dict ``w``, ``c``, ``n`` (at ``t_end_ms``), ``c0``, ``t_c``,
    ``dt_pair``.
    """
    tc, tn, T = float(tau_c_ms), float(tau_n_ms), float(t_end_ms)
    dt_pair = t_post_ms + delay_ms - t_pre_ms
    if dt_pair > 0:
        c0, t_c = A_plus * math.exp(-dt_pair / tau_plus_ms), t_post_ms + delay_ms
    elif dt_pair < 0:
        c0, t_c = -A_minus * math.exp(dt_pair / tau_minus_ms), t_pre_ms
    else:
        c0, t_c = 0.0, t_pre_ms
    t_d = float(t_dopa_ms)
    tau_s = tc * tn / (tc + tn)
    s0 = max(t_c, t_d)
    dw = 0.0
    if T > s0:
        cn0 = c0 * math.exp(-(s0 - t_c) / tc) * math.exp(-(s0 - t_d) / tn) / tn
        dw += cn0 * tau_s * -math.expm1(-(T - s0) / tau_s)
    if T > t_c:
        dw -= b * c0 * tc * -math.expm1(-(T - t_c) / tc)
    w = w0 + dw
    if Wmin is not None:
        w = max(w, Wmin)
    if Wmax is not None:
        w = min(w, Wmax)
    c = c0 * math.exp(-(T - t_c) / tc) if T >= t_c else 0.0
    n = math.exp(-(T - t_d) / tn) / tn if T >= t_d else 0.0
    return {"w": w, "c": c, "n": n, "c0": c0, "t_c": t_c, "dt_pair": dt_pair}
