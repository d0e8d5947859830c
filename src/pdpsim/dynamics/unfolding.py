"""Networks that settle over time: Lens's CONTINUOUS networks and backpropagation through time.

Time is measured in *intervals*; each interval has ``ticks_per_interval``
ticks and dt = 1 / ticks_per_interval. An example is a sequence of events; an
event lasts ``intervals`` intervals (or its own ``max`` from the example file),
so it occupies ``intervals * ticks_per_interval`` ticks.

Tick 0 only sets the initial state: outputs ``init_output`` (0.5 for
logistic-like groups, 0 otherwise), net inputs ``init_input``; clamped inputs
take the first event's values. Then, on every tick t = 1, 2, ... (Lens's
CONTINUOUS semantics: all groups compute their inputs, then all their
outputs, so every link carries the previous tick's output)::

    raw_j(t) = sum_i a_i(t-1) w_ij                     (+ the bias weight)
    n_j(t)   = raw_j(t)                                 or, IN_INTEGR:  n_j(t-1) + dt (raw_j(t) - n_j(t-1))
    a_j(t)   = f(n_j(t))                                or, OUT_INTEGR: a_j(t-1) + dt (f(n_j(t)) - a_j(t-1))
    HARD clamp: a_j(t) = input_j;   SOFT clamp: a_j(t) <- a_j(t) + s (input_j - a_j(t))

The rules (output and error functions, integrators, clamps, targets) are those of
:mod:`pdpsim.functions`; the backward pass hands each output function f(n(t)) and the
tick's net input n(t). Groups of plain elementwise units (integrating their outputs or
not, no clamp, lesion or noise) run each tick's elementwise work as one compiled row
(:mod:`pdpsim.functions.rows`) when numba is installed (``Unfolded(net, fused=False)``
keeps to numpy; tests hold the two to 1e-11).

The error of a tick is the group's error function times dt (as Lens divides by
ticks per interval), on ticks that have targets (not in an event's ``grace``
period). The backward pass runs once per batch over the stored history
(backpropagation through time), accumulating dE/dw over ticks::

    dE/da_i(t)   = [error at t] + sum_j dE/draw_j(t+1) w_ij + (OUT_INTEGR) (1 - dt) dE/da_i(t+1)
    dE/df_i(t)   = dE/da_i(t) (times dt with OUT_INTEGR)
    dE/dn_i(t)   = dE/df_i(t) f'(n_i(t)) + (IN_INTEGR) (1 - dt) dE/dn_i(t+1)
    dE/draw_i(t) = dE/dn_i(t) (times dt with IN_INTEGR)
    dE/dw_ij    += a_i(t-1) dE/draw_j(t)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.functions import effective_target
from pdpsim.functions.clamps import HardClamp, SoftClamp
from pdpsim.functions.integrators import InIntegr, OutIntegr
from pdpsim.model.network import Group, Network
from pdpsim.model.time import MODES, TimeParams, make_continuous, make_srn  # noqa: F401  (their home before)
from pdpsim.validation import PdpError, check_no_nan

def initial_output(g: Group) -> float:
    """A group's output at tick 0: its ``init_output``, else its output function's resting output."""
    return g.init_output if g.init_output is not None else g.function.resting_output


# ------------------------------------------------------------------ schedule
@dataclass
class Schedule:
    """Per-tick external inputs and targets for a batch: arrays (ticks + 1, B, units)."""

    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    ticks: int
    event_of_tick: np.ndarray            # (B, ticks + 1), -1 after an example ends
    active: np.ndarray                   # (ticks + 1, B) True while the example runs
    #: per group and tick: "none" (no target at all), "full" (every target given) or "some"
    target_kind: dict[str, list[str]] = field(default_factory=dict)
    #: per group: every target given is 0 or 1 (a faster cross-entropy)
    binary: dict[str, bool] = field(default_factory=dict)
    #: per input group: no NaN in any tick's inputs (a plain copy clamps them)
    inputs_complete: dict[str, bool] = field(default_factory=dict)
    #: (B, E) the fewest ticks each event lasts before ``early_stop`` may end it (None: no early stop)
    min_ticks: np.ndarray | None = None

    def __post_init__(self) -> None:
        for g, y in self.targets.items():
            nan = np.isnan(y)
            per_tick = nan.reshape(nan.shape[0], -1)
            self.target_kind[g] = ["none" if r.all() else "full" if not r.any() else "some" for r in per_tick]
            given = y[~nan]
            self.binary[g] = bool(np.all((given == 0) | (given == 1)))
        for g, x in self.inputs.items():
            self.inputs_complete[g] = not bool(np.isnan(x).any())


def event_ticks(net: Network, examples: ExampleSet) -> np.ndarray:
    """Ticks each event of each example lasts: (n_examples, max_events), 0 for absent events."""
    tp = net.time
    dur = np.full(examples.n_events.shape + (examples.max_events,), tp.intervals)
    if "max" in examples.event_fields:
        m = np.asarray(examples.event_fields["max"], dtype=float)
        dur = np.where(np.isnan(m), dur, m)
    ticks = np.rint(dur * tp.ticks_per_interval).astype(int)
    ticks[np.arange(examples.max_events)[None, :] >= examples.n_events[:, None]] = 0
    if (ticks[:, 0] < 1).any():
        bad = int(np.flatnonzero(ticks[:, 0] < 1)[0])
        raise PdpError(f"example '{examples.names[bad]}': its first event lasts no tick")
    return ticks


def build_schedule(net: Network, examples: ExampleSet, idx: np.ndarray, ticks_table: np.ndarray,
                   grace_table: np.ndarray, min_table: np.ndarray | None = None) -> Schedule:
    """Lay out a batch of examples tick by tick (examples that end sooner are padded)."""
    tt = ticks_table[idx]                       # (B, E)
    totals = tt.sum(axis=1)
    T = int(totals.max())
    B = len(idx)
    ev = np.full((B, T + 1), -1, dtype=int)
    grace_mask = np.zeros((B, T + 1), dtype=bool)
    for b in range(B):
        t = 1
        ev[b, 0] = 0
        for e, n in enumerate(tt[b]):
            if n <= 0:
                continue
            ev[b, t:t + n] = e
            g = int(round(grace_table[idx[b], e]))
            grace_mask[b, t:t + min(g, n)] = True
            t += n
    active = (ev >= 0).T                        # (T+1, B)
    safe = np.where(ev >= 0, ev, 0)
    rows = np.asarray(idx)[:, None]
    inputs, targets = {}, {}
    for gname, a in examples.inputs.items():
        x = a[rows, safe]                       # (B, T+1, u)
        inputs[gname] = np.ascontiguousarray(np.swapaxes(x, 0, 1))
    for gname, a in examples.targets.items():
        y = a[rows, safe].copy()
        y[(ev < 0) | grace_mask] = np.nan
        y[:, 0] = np.nan                        # tick 0 only sets the state
        targets[gname] = np.ascontiguousarray(np.swapaxes(y, 0, 1))
    return Schedule(inputs, targets, T, ev, active,
                    min_ticks=None if min_table is None else np.asarray(min_table)[idx])


def _cut(sched: Schedule, start: int, stop: int) -> Schedule:
    """The schedule without ticks start..stop-1 (what an event ended early no longer runs)."""
    rows = np.arange(start, stop)
    out = Schedule({g: np.delete(x, rows, axis=0) for g, x in sched.inputs.items()},
                   {g: np.delete(y, rows, axis=0) for g, y in sched.targets.items()},
                   sched.ticks - len(rows), np.delete(sched.event_of_tick, rows, axis=1),
                   np.delete(sched.active, rows, axis=0), min_ticks=sched.min_ticks)
    return out


# ------------------------------------------------------------------ dynamics
class Unfolded:
    """Runs a CONTINUOUS network over the ticks of a batch and back again."""

    def __init__(self, net: Network, fused: bool | None = None):
        if net.time is None or net.time.mode != "continuous":
            raise PdpError(f"network '{net.name}' is not a network in time (use make_continuous or a spec's time:)")
        self.net = net
        self.dt = net.time.dt
        self.groups = [g for g in net.groups.values()]
        self.computed = [g for g in self.groups if g.kind in ("HIDDEN", "OUTPUT")
                         or (g.kind == "INPUT" and g.clamp == "SOFT")]
        self.tick_scale = self.dt if net.time.error_scale_per_tick else 1.0
        scales = getattr(net.time, "dt_scale", None) or {}
        for gname, v in scales.items():
            if gname not in net.groups:
                raise PdpError(f"time.dt_scale: network '{net.name}' has no group '{gname}'")
            if np.ndim(v) == 1 and len(v) != net.groups[gname].size:
                raise PdpError(f"time.dt_scale: group '{gname}' has {net.groups[gname].size} units, "
                               f"got {len(v)} factors")
        #: dt in each group's integrator (dt times its dt_scale; an array with one factor per unit)
        self.group_dt = {g.name: (self.dt * scales[g.name] if g.name in scales else self.dt) for g in self.groups}
        # groups whose tick (forward and back) runs as one compiled row (pdpsim.functions.rows):
        # plain elementwise units, OUT_INTEGR or no integration, no clamp, lesion, noise or dtScale
        self.rows = None
        if fused is not False and not net.time.integrator_lag:
            try:
                from pdpsim.functions import rows
                self.rows = rows
            except ImportError:
                if fused:
                    raise PdpError("fused steps need numba, which is not installed") from None
        self.fused = {g.name for g in self.computed if self.rows is not None and _fusable(g)
                      and g.name not in scales}
        if self.fused:
            from pdpsim.functions import codes
            self.codes = {g.name: (codes.function_code(g.function), codes.integration_code(g.integration))
                          for g in self.computed if g.name in self.fused}

    # ---------------------------------------------------------- forward
    def forward(self, sched: Schedule) -> np.ndarray:
        """Run every tick; fill each group's history; return the error per example ([E,] B)."""
        net = self.net
        T = sched.ticks
        some = next(iter(sched.inputs.values())) if sched.inputs else next(iter(sched.targets.values()))
        B = some.shape[-2]                  # (ticks + 1, [E,] B, units): an ensemble may get its own per member
        lead = ((net.ensemble,) if net.ensemble else ()) + (B,)
        dt = self.dt
        for g in self.groups:
            g.output_history = np.empty((T + 1,) + lead + (g.size,), dtype=net.dtype)
            g.net_input_history = np.empty_like(g.output_history)
            if g.kind == "BIAS":
                g.output_history[...] = 1.0
                g.net_input_history[...] = 1.0
                continue
            g.output_history[0] = initial_output(g)
            g.net_input_history[0] = g.init_input
            if g.kind == "CONTEXT":
                raise PdpError(f"group '{g.name}': CONTEXT (Elman) groups belong to simple recurrent networks; "
                               "in a continuous network use a recurrent link instead")
            if g.unit_mask is not None:
                g.output_history[0] *= g.unit_mask
        # f(n) per tick, needed by the backward pass when outputs integrate
        # f(n) per tick where the output is not f(n) itself (integrated, soft-clamped or noisy outputs):
        # the backward pass needs f'(n) from it
        self.f_history = {g.name: (np.empty_like(g.output_history) if _output_differs(g) else None)
                          for g in self.computed}
        tp = net.time
        if tp.tick0_clamp:
            for gname, x in sched.inputs.items():
                g = net.groups[gname]
                if g.clamp == "HARD":
                    g.output_history[0] = HardClamp.forward(g.output_history[0], x[0], g.clamp_strength)
        stop = tp.early_stop is not None and sched.min_ticks is not None
        if stop and B != 1:
            raise PdpError(f"network '{net.name}': time.early_stop ends each example's events at their own "
                           f"tick, so it runs one example at a time (batch size 1, got {B})")
        if stop and net.ensemble:
            raise PdpError("time.early_stop is not implemented for ensembles")
        self.cut_schedule = None
        total = np.zeros(lead)  # errors are summed in float64
        T, sched, total = self._ticks(sched, T, stop, dt, net.rng, total)
        return self._after_ticks(sched, T, stop, total)

    def _ticks(self, sched, T, stop, dt, rng, total):
        """Every tick of the forward pass (see the module docstring)."""
        net = self.net
        on_event = 0
        t = 0
        while t < T:
            t += 1
            for g in self.computed:
                raw = g.net_input_history[t]
                started = False
                for b in g.incoming:
                    src = b.source.output_history[t - 1]
                    if b.source.kind == "BIAS":
                        continue
                    if started:
                        raw += src @ b.weights
                    else:
                        np.matmul(src, b.weights, out=raw)
                        started = True
                if not started:
                    raw.fill(0.0)
                for b in g.incoming:
                    if b.source.kind == "BIAS":
                        raw += b.weights[..., 0:1, :]
                if g.integration == "IN_INTEGR":                  # n(t) = n(t-1) + dt (raw - n(t-1))
                    np.copyto(raw, InIntegr.step(g.net_input_history[t - 1], raw, self.group_dt[g.name]))
            for g in self.groups:
                a = g.output_history[t]
                if g.kind == "BIAS":
                    continue
                if g.name in self.fused:                          # f = f(n), then integrate, compiled
                    f = self.f_history[g.name]
                    f = f[t] if f is not None else a
                    fcode, icode = self.codes[g.name]
                    self.rows.forward_row(fcode, icode, g.net_input_history[t].reshape(-1),
                                          g.output_history[t - 1].reshape(-1), f.reshape(-1), a.reshape(-1), dt)
                elif g in self.computed:
                    n = g.net_input_history[t]
                    fh = self.f_history[g.name]
                    if g.integration == "OUT_INTEGR":              # a(t) = a(t-1) + dt (f(n) - a(t-1))
                        f = fh[t]
                        g.function.forward(n, f)
                        np.copyto(a, OutIntegr.step(g.output_history[t - 1], f, self.group_dt[g.name]))
                    else:
                        g.function.forward(n, a)
                        if fh is not None:
                            fh[t] = a
                    if g.unit_mask is not None:
                        a *= g.unit_mask
                    if g.output_noise:
                        a += rng.normal(0.0, g.output_noise, size=a.shape)
                else:                                             # hard-clamped input without a value: hold
                    a[...] = g.output_history[t - 1]
                    g.net_input_history[t] = g.net_input_history[t - 1]
                if g.name in sched.inputs:
                    x = sched.inputs[g.name][t]
                    if g.clamp == "HARD":
                        if sched.inputs_complete.get(g.name, False):
                            a[...] = x                                  # no NaN: the clamp is a copy
                        else:
                            np.copyto(a, HardClamp.forward(a, x, g.clamp_strength))
                        if g.output_noise:
                            a += rng.normal(0.0, g.output_noise, size=a.shape)
                    elif g.clamp == "SOFT":
                        np.copyto(a, SoftClamp.forward(a, x, g.clamp_strength))
            if stop:                                              # early stop needs each tick's error now
                for gname, y in sched.targets.items():
                    kind = sched.target_kind[gname][t]
                    if kind == "none":
                        continue
                    g = net.groups[gname]
                    a = g.output_history[t]
                    tgt = _effective(g, a, y[t], kind)
                    plain = g.target_radius <= 0 and g.zero_error_radius <= 0
                    total += g.error.error(a, tgt, sched.binary[gname] and plain) * self.tick_scale
            if stop:                                              # end the event early on criterion
                e = sched.event_of_tick[0, t]
                on_event += 1
                end = t
                while end < T and sched.event_of_tick[0, end + 1] == e:
                    end += 1
                if end > t and on_event >= sched.min_ticks[0, e] and self.criterion_reached(sched, t):
                    sched = _cut(sched, t + 1, end + 1)
                    self.cut_schedule = sched
                    T = sched.ticks
                    on_event = 0
                elif end == t:
                    on_event = 0
                limit = self.net.time.max_ticks
                if limit is not None and limit - 1 <= t < T:            # the example's last tick
                    sched = _cut(sched, t + 1, T + 1)
                    self.cut_schedule = sched
                    T = sched.ticks
        return T, sched, total

    def _after_ticks(self, sched, T, stop, total):
        net = self.net
        if not stop:                                              # every tick's error in one pass
            for gname, y in sched.targets.items():
                ticks, kind = _target_ticks(sched, gname, T)
                if not len(ticks):
                    continue
                g = net.groups[gname]
                a = g.output_history[ticks]
                tgt = _effective(g, a, y[ticks], kind)
                plain = g.target_radius <= 0 and g.zero_error_radius <= 0
                total += g.error.error(a, tgt, sched.binary[gname] and plain).sum(axis=0) * self.tick_scale
        if self.cut_schedule is not None:
            for g in self.groups:
                g.output_history = g.output_history[:T + 1]
                g.net_input_history = g.net_input_history[:T + 1]
            self.f_history = {k: (None if v is None else v[:T + 1]) for k, v in self.f_history.items()}
        for g in self.groups:                                     # the state at the last tick
            g.output = g.output_history[T]
            g.net_input = g.net_input_history[T]
        return total

    def criterion_reached(self, sched: Schedule, t: int) -> bool:
        """Whether every output with a target at tick t is within ``early_stop`` of it (False when
        no output has a target, as in a grace period). Replace it to use other criteria."""
        crit = self.net.time.early_stop
        seen = False
        for gname, y in sched.targets.items():
            yt = y[t]
            given = ~np.isnan(yt)
            if not given.any():
                continue
            seen = True
            a = self.net.groups[gname].output_history[t]
            if not np.all(np.abs(a[given] - yt[given]) < crit):
                return False
        return seen

    # ---------------------------------------------------------- backward
    def backward(self, sched: Schedule, keep_derivs: bool = False) -> None:
        """Backpropagation through time over the stored history; fills every block's dE/dw.
        ``keep_derivs``: also keep every computed group's dE/da and dE/dn at every tick in
        ``self.deriv_history[group] = (output derivs, input derivs)``, each (ticks + 1, [E,] B, units)."""
        if getattr(self, "cut_schedule", None) is not None:
            sched = self.cut_schedule                 # the ticks the forward pass really ran
        net = self.net
        lag = net.time.integrator_lag
        T = sched.ticks
        dt = self.dt
        shape = {g.name: g.output_history.shape[1:] for g in self.groups}
        dA = {g.name: np.zeros(shape[g.name], dtype=net.dtype) for g in self.computed}       # dE/da(t), built up from t+1
        dA_next = {g.name: np.zeros(shape[g.name], dtype=net.dtype) for g in self.computed}
        dN_next = {g.name: np.zeros(shape[g.name], dtype=net.dtype) for g in self.computed}  # dE/dn(t+1) (IN_INTEGR carry)
        # dE/draw for every tick: the weight derivatives are summed over ticks at the end, one
        # matrix product per block (sum_t a_i(t-1) dE/draw_j(t) over all ticks and examples)
        R = {g.name: np.zeros((T + 1,) + shape[g.name], dtype=net.dtype) for g in self.computed}
        wts = {id(b): np.swapaxes(b.weights, -1, -2) for b in net.blocks}
        df_buf = {g.name: np.empty(shape[g.name], dtype=net.dtype) for g in self.computed}
        dn_buf = {g.name: [np.empty(shape[g.name], dtype=net.dtype) for _ in range(2)] for g in self.computed}
        out_groups = {gname: net.groups[gname] for gname in sched.targets}
        hist = self.deriv_history = {}
        if keep_derivs:
            for g in self.computed:
                hist[g.name] = (np.full((T + 1,) + shape[g.name], np.nan), np.full((T + 1,) + shape[g.name], np.nan))
        self.tick1_derivs = {}
        self.draw = R                               # dE/draw_j(t) per group, ticks 0..T (row 0 unused)
        # the error's dE/da at every tick with targets, in one pass per group
        err_deriv = {}
        for gname in out_groups:
            g = net.groups[gname]
            ticks, kind = _target_ticks(sched, gname, T)
            dd = np.zeros_like(g.output_history)
            if len(ticks):
                a = g.output_history[ticks]
                part = np.empty_like(a)
                g.error.output_deriv(a, _effective(g, a, sched.targets[gname][ticks], kind), part)
                if self.tick_scale != 1.0:
                    part *= self.tick_scale
                dd[ticks] = part
            err_deriv[gname] = dd
        for t in range(T, 0, -1):
            # 1. dE/da(t): error at t, plus what t+1 sent back (already in dA), plus OUT_INTEGR carry
            for g in self.computed:
                if g.name in self.fused:                               # steps 1 and 2 in one pass
                    d = dA[g.name]
                    fh = self.f_history[g.name]
                    f = g.output_history[t] if fh is None else fh[t]
                    has_err = g.name in out_groups and sched.target_kind[g.name][t] != "none"
                    err = err_deriv[g.name][t] if has_err else d
                    df = df_buf[g.name]
                    dn = R[g.name][t]
                    fcode, icode = self.codes[g.name]
                    self.rows.backward_row(fcode, icode, d.reshape(-1), dA_next[g.name].reshape(-1), err.reshape(-1),
                                           has_err, f.reshape(-1), g.net_input_history[t].reshape(-1),
                                           df.reshape(-1), dn.reshape(-1), dt)
                    g.output_deriv, g.input_deriv = d, dn
                    if keep_derivs:
                        hist[g.name][0][t], hist[g.name][1][t] = d, dn
                    if t == 1:
                        self.tick1_derivs[g.name] = df.copy()
                    continue
                d = dA[g.name]
                gdt = self.group_dt[g.name]
                if g.integration == "OUT_INTEGR":
                    if lag:                                            # Lens: f(t) gets dt dE/da(t+1)
                        np.copyto(df_buf[g.name], OutIntegr.into(dA_next[g.name], gdt))
                    d += OutIntegr.carry(dA_next[g.name], gdt)
                if g.name in out_groups and sched.target_kind[g.name][t] != "none":
                    d += err_deriv[g.name][t]
                if g.clamp == "SOFT" and g.name in sched.inputs:
                    x = sched.inputs[g.name][t]                        # a = (1 - s) a' + s x
                    np.copyto(d, SoftClamp.backward(d, x, g.clamp_strength))
                if g.unit_mask is not None:
                    d *= g.unit_mask
            # 2. dE/dn(t) and dE/draw(t)
            for g in self.computed:
                if g.name in self.fused:
                    continue
                d = dA[g.name]
                gdt = self.group_dt[g.name]
                fh = self.f_history[g.name]
                f = g.output_history[t] if fh is None else fh[t]
                if g.integration == "OUT_INTEGR":
                    df = df_buf[g.name]
                    if not lag:
                        np.copyto(df, OutIntegr.into(d, gdt))
                else:
                    df = d
                if g.integration == "IN_INTEGR":
                    dn = dn_buf[g.name][t % 2]      # two buffers: dE/dn(t) and the carried dE/dn(t+1)
                else:
                    dn = R[g.name][t]               # dE/draw(t) = dE/dn(t): written in place
                g.function.backward(f, df, dn, g.net_input_history[t])     # dE/dn = dE/df f'(n)
                if g.integration == "IN_INTEGR":
                    if lag:                         # Lens: raw(t) gets dt dE/dn(t+1)
                        np.copyto(R[g.name][t], InIntegr.into(dN_next[g.name], gdt))
                    dn += InIntegr.carry(dN_next[g.name], gdt)
                    dN_next[g.name] = dn
                    if not lag:
                        np.copyto(R[g.name][t], InIntegr.into(dn, gdt))
                # the state at this tick, for inspection
                g.output_deriv, g.input_deriv = d, dn
                if keep_derivs:
                    hist[g.name][0][t], hist[g.name][1][t] = d, dn
                if t == 1:                          # what reached f at tick 1 (Lens's units keep it)
                    self.tick1_derivs[g.name] = df.copy()
            # 3. weight derivatives and what goes back to tick t-1
            for g in self.computed:
                dA_next[g.name], dA[g.name] = dA[g.name], dA_next[g.name]
            written = set()
            if t > 1:
                for g in self.computed:
                    r = R[g.name][t]
                    for b in g.incoming:
                        src = b.source.name
                        if src in dA:
                            if src in written:
                                dA[src] += r @ wts[id(b)]                      # dE/da_i(t-1) += dE/draw_j w_ij
                            else:
                                np.matmul(r, wts[id(b)], out=dA[src])
                                written.add(src)
            for g in self.computed:
                if g.name not in written:
                    dA[g.name].fill(0.0)                                       # nothing sent back to it
        # dE/dw_ij = sum over ticks and examples of a_i(t-1) dE/draw_j(t)
        first = 2 if net.time.tick0_senders_zero else 1           # a_i(0) taken as 0: tick 1 adds nothing
        for g in self.computed:
            r = R[g.name][first:]                                                  # (T, [E,] B, units)
            rr = np.moveaxis(r, 0, -3).reshape(r.shape[1:-2] + (-1, r.shape[-1]))
            for b in g.incoming:
                src = b.source
                if src.kind == "BIAS":
                    b.weight_deriv[...] = rr.sum(axis=-2, keepdims=True)
                    continue
                a = src.output_history[first - 1:T]
                aa = np.moveaxis(a, 0, -3).reshape(a.shape[1:-2] + (-1, a.shape[-1]))
                np.matmul(np.swapaxes(aa, -1, -2), rr, out=b.weight_deriv)


def _fusable(g: Group) -> bool:
    """Whether a group's tick can run as one compiled row (pdpsim.functions.rows)."""
    return (g.function.elementwise and g.function.plain and g.integration in (None, "OUT_INTEGR")
            and g.clamp is None and g.unit_mask is None and not g.output_noise)


def _target_ticks(sched: Schedule, gname: str, T: int) -> tuple[np.ndarray, str]:
    """The ticks 1..T where ``gname`` has targets, and "full" if every target there is given."""
    kinds = sched.target_kind[gname][:T + 1]
    ticks = np.array([t for t in range(1, T + 1) if kinds[t] != "none"], dtype=int)
    full = all(kinds[t] == "full" for t in ticks)
    return ticks, ("full" if full else "some")


def _output_differs(g: Group) -> bool:
    return g.integration == "OUT_INTEGR" or g.clamp == "SOFT" or bool(g.output_noise)


def _effective(g: Group, a: np.ndarray, t: np.ndarray, kind: str = "some") -> np.ndarray:
    """NaN targets become the output (no error); target and zero-error radii as in the feed-forward case."""
    return effective_target(a, t, g.target_radius, g.zero_error_radius)


# ------------------------------------------------------------------ training
def check_examples(net: Network, examples: ExampleSet) -> None:
    sizes = {g.name: g.size for g in net.groups.values()}
    ins = [g.name for g in net.groups.values() if g.kind == "INPUT"]
    outs = [g.name for g in net.groups.values() if g.has_targets]
    examples.check_against(sizes, ins, outs)
    for gname, a in examples.inputs.items():
        g = net.groups[gname]
        if g.clamp == "HARD":
            # NaN inputs are allowed only in absent events (padding)
            for i in range(len(examples)):
                check_no_nan(a[i, :examples.n_events[i]], f"example set '{examples.name}': inputs for group "
                             f"'{gname}', example '{examples.names[i]}'")


@dataclass
class TimeTables:
    ticks: np.ndarray
    grace: np.ndarray
    cache: dict = field(default_factory=dict)


def tables(net: Network, examples: ExampleSet) -> TimeTables:
    tp = net.time
    ticks = event_ticks(net, examples)
    grace = np.full(ticks.shape, tp.grace)
    if "grace" in examples.event_fields:
        gf = np.asarray(examples.event_fields["grace"], dtype=float)
        grace = np.where(np.isnan(gf), grace, gf)
    return TimeTables(ticks, grace * tp.ticks_per_interval)


def schedule_for(net: Network, examples: ExampleSet, tt: TimeTables, idx: np.ndarray) -> Schedule:
    key = idx.tobytes()
    s = tt.cache.get(key)
    if s is None:
        s = build_schedule(net, examples, idx, tt.ticks, tt.grace)
        if len(tt.cache) < 4096:
            tt.cache[key] = s
    return s


def run_examples(net: Network, examples: ExampleSet):
    """Run every example through time (no learning): (errors per example, Unfolded with its history)."""
    check_examples(net, examples)
    unf = Unfolded(net)
    tt = tables(net, examples)
    sched = build_schedule(net, examples, np.arange(len(examples)), tt.ticks, tt.grace)
    errors = unf.forward(sched)
    return errors, unf, sched
