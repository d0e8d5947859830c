"""CONTINUOUS networks in time on an Array API namespace (the GPU backend's time part).

:mod:`pdpsim.engines.array_api.engine` runs feed-forward networks; this module gives it
:mod:`pdpsim.dynamics.unfolding`'s equations for networks that settle over ticks. The
schedule of a batch (each tick's inputs and targets, NaN where there are none) is
laid out on the host by :func:`pdpsim.dynamics.unfolding.schedule_for`, as the numpy path
lays it out, and copied to the device once per distinct batch. Then, on the device,
for t = 1..T::

    raw_j(t) = sum_i a_i(t-1) w_ij                 one product per link block
    n_j(t)   = raw_j(t)              or, IN_INTEGR:  n_j(t-1) + dt (raw_j(t) - n_j(t-1))
    a_j(t)   = f(n_j(t))             or, OUT_INTEGR: a_j(t-1) + dt (f(n_j(t)) - a_j(t-1))

with hard and soft clamps, and the error of every tick with targets (times dt when
the network scales errors per tick). Backpropagation through time goes from tick T
to 1 with the output derivative dE/da(t) (the error at t, what tick t+1 sent back,
OUT_INTEGR's carry (1 - dt) dE/da(t+1)), the input derivative dE/dn(t) (IN_INTEGR's
carry (1 - dt) dE/dn(t+1)) and dE/draw(t); the weight derivative of a block is
sum over ticks of a_i(t-1) dE/draw_j(t). Lens's options (early stop, the integrator
lag, senders zero at tick 0, dtScale, maxTicks) and output noise are refused.
"""
from __future__ import annotations

import numpy as np

from pdpsim.functions.clamps import clamp as clamp_rule
from pdpsim.functions.forms import array_form
from pdpsim.functions.integrators import integrator
from pdpsim.model.network import Network
from pdpsim.validation import PdpError


def unsupported(net: Network, params) -> str | None:
    """Why the array backend cannot train this network in time (None if it can)."""
    tp = net.time
    if tp.mode != "continuous":
        return "simple recurrent networks (time: {mode: srn})"
    for key, bad in (("early_stop", tp.early_stop is not None), ("tick0_clamp false", not tp.tick0_clamp),
                     ("integrator_lag", tp.integrator_lag), ("tick0_senders_zero", tp.tick0_senders_zero),
                     ("dt_scale", bool(getattr(tp, "dt_scale", None))),
                     ("max_ticks", getattr(tp, "max_ticks", None) is not None)):
        if bad:
            return f"time.{key} in networks in time"
    for g in net.groups.values():
        if g.kind == "CONTEXT":
            return "CONTEXT groups"
        if g.function.name == "SOFT_MAX" and g.kind not in ("INPUT", "BIAS"):
            return f"SOFT_MAX units in networks in time (group '{g.name}')"
    return None


def make_engine(base, net: Network, xp, dev, examples, params):
    """An engine for ``net`` in time: :class:`pdpsim.engines.array_api.engine.Device`'s arrays, unit and error
    functions and update rules, with the forward and backward passes through ticks (the integrators and
    clamps of :mod:`pdpsim.functions`, in their Array API form)."""

    class TimeEngine(base):
        def __init__(self):
            from pdpsim.dynamics import unfolding
            unfolding.check_examples(net, examples)
            super().__init__(net, xp, dev, {}, {}, params)
            self.u = unfolding
            self.examples = examples
            self.tables = unfolding.tables(net, examples)
            self.time_dt = net.time.dt
            self.tick_scale = self.time_dt if net.time.error_scale_per_tick else 1.0
            self.groups = list(net.groups.values())
            self.computed = [g for g in self.groups if g.kind in ("HIDDEN", "OUTPUT")
                             or (g.kind == "INPUT" and g.clamp == "SOFT")]
            self.init_out = {g.name: 1.0 if g.kind == "BIAS" else unfolding.initial_output(g) for g in self.groups}
            self.on_device: dict[bytes, tuple] = {}
            self.integ = {g.name: {k: array_form(getattr(integrator(g.integration), k), xp)
                                   for k in ("step", "into", "carry")} for g in self.groups}
            self.clamps = {g.name: (array_form(clamp_rule(g.clamp).forward, xp),
                                    array_form(clamp_rule(g.clamp).backward, xp)) for g in self.groups}

        # ---- a batch's schedule on the device
        def schedule(self, rows: np.ndarray):
            key = rows.tobytes()
            hit = self.on_device.get(key)
            if hit is None:
                s = self.u.schedule_for(net, self.examples, self.tables, rows)
                hit = (s, {g: self.put(x) for g, x in s.inputs.items()}, {g: self.put(y) for g, y in s.targets.items()})
                if len(self.on_device) < 256:
                    self.on_device[key] = hit
            return hit

        # ---- forward through the ticks
        def run_ticks(self, s, X):
            xpn, dt = self.xp, self.time_dt
            B, T = len(s.active[0]), s.ticks
            a = {g.name: [None] * (T + 1) for g in self.groups}
            n = {g.name: [None] * (T + 1) for g in self.groups}
            f = {g.name: [None] * (T + 1) for g in self.computed}
            for g in self.groups:
                a0 = xpn.full((B, g.size), self.init_out[g.name], dtype=self.dt, device=self.dev)
                if g.unit_mask is not None and g.kind != "BIAS":
                    a0 = a0 * self.unit_masks[g.name]
                if g.name in X and g.clamp == "HARD":                    # hard clamps take their first input
                    a0 = self.clamps[g.name][0](a0, X[g.name][0, ...], g.clamp_strength)
                a[g.name][0] = a0
                n[g.name][0] = xpn.full((B, g.size), 1.0 if g.kind == "BIAS" else g.init_input, dtype=self.dt,
                                        device=self.dev)
            for t in range(1, T + 1):
                for g in self.computed:
                    raw = None
                    for b in g.incoming:
                        if b.source.kind != "BIAS":
                            p = xpn.matmul(a[b.source.name][t - 1], self.W[self.index[id(b)]])
                            raw = p if raw is None else raw + p
                    if raw is None:
                        raw = xpn.zeros((B, g.size), dtype=self.dt, device=self.dev)
                    for b in g.incoming:
                        if b.source.kind == "BIAS":
                            raw = raw + self.W[self.index[id(b)]][0:1, :]
                    if g.integration == "IN_INTEGR":                      # n(t) = n(t-1) + dt (raw - n(t-1))
                        raw = self.integ[g.name]["step"](n[g.name][t - 1], raw, dt)
                    n[g.name][t] = raw
                for g in self.groups:
                    prev = a[g.name][t - 1]
                    if g.kind == "BIAS":
                        at = prev
                    elif g in self.computed:
                        fv = g.function.array_forward(xpn, n[g.name][t])
                        f[g.name][t] = fv
                        at = self.integ[g.name]["step"](prev, fv, dt) if g.integration == "OUT_INTEGR" else fv
                        if g.unit_mask is not None:
                            at = at * self.unit_masks[g.name]
                    else:                                   # a hard-clamped input without a value holds
                        at = prev
                        n[g.name][t] = n[g.name][t - 1]
                    if g.name in X and g.clamp is not None:
                        at = self.clamps[g.name][0](at, X[g.name][t, ...], g.clamp_strength)
                    a[g.name][t] = at
            return a, n, f

        def step(self, rows: np.ndarray, want_distance: bool):
            xpn = self.xp
            s, X, Y = self.schedule(rows)
            T = s.ticks
            a, n, f = self.run_ticks(s, X)
            total, worst = None, None
            derr = {}                                       # dE/da of the error at each tick with targets
            for g in self.outs:
                kinds = s.target_kind[g.name]
                derr[g.name] = [None] * (T + 1)
                for t in range(1, T + 1):
                    if kinds[t] == "none":
                        continue
                    y = Y[g.name][t, ...]
                    te = self.target(g, a[g.name][t], y)
                    e = self.error(g, a[g.name][t], te)
                    e = e * self.tick_scale if self.tick_scale != 1.0 else e
                    total = e if total is None else total + e
                    d = self.error_deriv(g, a[g.name][t], te)
                    derr[g.name][t] = d * self.tick_scale if self.tick_scale != 1.0 else d
                    if want_distance:
                        dist = xpn.abs(a[g.name][t] - y)
                        m = xpn.max(xpn.where(xpn.isnan(dist), self.zero, dist))
                        worst = m if worst is None else xpn.maximum(worst, m)
            self.dW = self.backward_ticks(s, X, a, n, f, derr)
            self.update(self.dW)
            if total is None:
                total = xpn.zeros((len(rows),), dtype=self.dt, device=self.dev)
            return xpn.sum(total), (worst if worst is not None else self.zero)

        # ---- back through time
        def backward_ticks(self, s, X, a, n, f, derr):
            xpn, dt, T = self.xp, self.time_dt, s.ticks
            zeros = {g.name: xpn.zeros_like(a[g.name][0]) for g in self.computed}
            dA = dict(zeros)                                # dE/da(t) sent back from t+1
            dA_next = dict(zeros)                           # dE/da(t+1): OUT_INTEGR's carry
            dN_next = dict(zeros)                           # dE/dn(t+1): IN_INTEGR's carry
            R = {g.name: [None] * (T + 1) for g in self.computed}
            names = {g.name for g in self.computed}
            for t in range(T, 0, -1):
                dnow = {}
                for g in self.computed:
                    d = dA[g.name]
                    if g.integration == "OUT_INTEGR":
                        d = d + self.integ[g.name]["carry"](dA_next[g.name], dt)
                    e = derr.get(g.name)
                    if e is not None and e[t] is not None:
                        d = d + e[t]
                    if g.clamp is not None and g.name in X:
                        d = self.clamps[g.name][1](d, X[g.name][t, ...], g.clamp_strength)
                    if g.unit_mask is not None:
                        d = d * self.unit_masks[g.name]
                    dnow[g.name] = d
                for g in self.computed:
                    d = dnow[g.name]
                    fv = f[g.name][t] if self._output_differs(g) else a[g.name][t]
                    df = self.integ[g.name]["into"](d, dt) if g.integration == "OUT_INTEGR" else d
                    dn = g.function.array_backward(xpn, fv, df, n[g.name][t])
                    if g.integration == "IN_INTEGR":
                        dn = dn + self.integ[g.name]["carry"](dN_next[g.name], dt)
                        dN_next[g.name] = dn
                        R[g.name][t] = self.integ[g.name]["into"](dn, dt)
                    else:
                        R[g.name][t] = dn
                dA_next = dnow
                dA = dict(zeros)
                if t > 1:
                    for g in self.computed:
                        for b in g.incoming:
                            if b.source.name in names:
                                back = xpn.matmul(R[g.name][t], xpn.matrix_transpose(self.W[self.index[id(b)]]))
                                dA[b.source.name] = dA[b.source.name] + back
            dW = [None] * len(self.blocks)
            for g in self.computed:
                r = xpn.concat(R[g.name][1:], axis=0)                          # (T B, units)
                for b in g.incoming:
                    k = self.index[id(b)]
                    if b.source.kind == "BIAS":
                        dW[k] = xpn.sum(r, axis=0, keepdims=True)
                    else:
                        aa = xpn.concat(a[b.source.name][:T], axis=0)           # a_i(t-1), t = 1..T
                        dW[k] = xpn.matmul(xpn.matrix_transpose(aa), r)
            return dW

        @staticmethod
        def _output_differs(g) -> bool:
            return g.integration == "OUT_INTEGR" or g.clamp == "SOFT"

        def epoch(self, order, n: int, bs: int, want_distance: bool):
            errs, worsts = [], []
            idx = np.arange(n) if order is None else np.asarray(order)
            for start in range(0, n, bs):
                e, w = self.step(np.ascontiguousarray(idx[start:start + bs]), want_distance)
                errs.append(e)
                worsts.append(w)
            worst = float(self._host(self.xp.stack(worsts)).max()) if want_distance else None
            return self._host(self.xp.stack(errs)), worst

        def _host(self, x):
            from pdpsim.engines.array_api.engine import to_numpy
            return to_numpy(x)

    if net.ensemble:
        raise PdpError("the array backend trains one network in time at a time (no ensembles in time)")
    return TimeEngine()
