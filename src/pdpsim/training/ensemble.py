"""Ensembles: N independent networks trained at once, in one vectorized run.

Every state array gains a leading axis of length N (see :class:`pdpsim.Network`);
member k's weights are those a separate network built with ``seeds[k]`` would
draw, each member draws its own example orders from its own generator, may have
its own learning rate, and stops (its weights freeze) when it meets the
criterion, exactly as a separate run would. The results equal N separate runs
with the same seeds (tests check this to 1e-12 relative). Feed-forward networks (small
ones with the members on the vector lanes of one compiled kernel) and CONTINUOUS networks
in time (in the compiled loops one member per core; on numpy, backpropagation through
time with the members side by side, whose batched products round differently, so
agreement there is 1e-13 after an epoch and drifts with rounding over long runs)::

    ens = ensemble.from_spec("xor", seeds=range(1000))
    result = ensemble.train(ens, learning_rates=[0.5] * 500 + [1.0] * 500)
    result.converged.mean(), result.epochs_to_stop
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.learning.rules import update_weights
from pdpsim.model.network import Network
from pdpsim.formats.spec import Model, build_network, build_spec, load_spec
from pdpsim.training.loop import TrainingParams, feedforward_arrays
from pdpsim.validation import PdpError


@dataclass
class Ensemble:
    """An ensemble network, its examples, its training parameters and one generator per member."""

    network: Network
    examples: ExampleSet
    training: TrainingParams
    seeds: list[int]
    rngs: list[np.random.Generator]

    @property
    def size(self) -> int:
        return len(self.seeds)


@dataclass
class EnsembleResult:
    """``errors[e, k]``: total error of member k in epoch e+1 (NaN once it has stopped)."""

    errors: np.ndarray
    stopped: list[str]
    epochs_to_stop: np.ndarray
    seeds: list[int]
    learning_rates: np.ndarray

    @property
    def converged(self) -> np.ndarray:
        return np.array([s in ("error_criterion", "output_criterion") for s in self.stopped])

    @property
    def final_errors(self) -> np.ndarray:
        return np.array([self.errors[e - 1, k] for k, e in enumerate(self.epochs_to_stop)])

    def table(self):
        import pandas as pd
        return pd.DataFrame({"seed": self.seeds, "learning_rate": self.learning_rates,
                             "epochs": self.epochs_to_stop, "final_error": self.final_errors,
                             "stopped": self.stopped, "converged": self.converged})


def stack(members: Sequence[Network], name: str | None = None) -> Network:
    """One ensemble network from separately built networks of the same architecture."""
    if not members:
        raise PdpError("ensemble: no member networks")
    first = members[0]
    for m in members[1:]:
        if [b.name for b in m.blocks] != [b.name for b in first.blocks] or \
                [(g.name, g.size) for g in m.groups.values()] != [(g.name, g.size) for g in first.groups.values()]:
            raise PdpError(f"ensemble: network '{m.name}' differs in architecture from '{first.name}'")
    E = len(members)
    if first.time is not None:
        return _stack_copy(first, members, name)
    ens = Network(name or first.name, seed=first.seed, ensemble=E, init_range=first.init_range,
                  init_mean=first.init_mean, dtype=first.dtype)
    for g in first.groups.values():
        if g.name == "bias":
            ens.add_group("bias", 1, kind="BIAS")
            continue
        ens.add_group(g.name, g.size, kind=g.kind, function=g.function.name,
                      error=g.error.name if g.error else None,
                      error_scale=g.error.error_scale if g.error else None, target_radius=g.target_radius,
                      zero_error_radius=g.zero_error_radius, unit_names=g.unit_names)
    for b in first.blocks:
        w = np.stack([m.block(b.source.name, b.dest.name).weights for m in members])
        ens.connect(b.source.name, b.dest.name, weights=w, learning_rate=b.learning_rate, momentum=b.momentum,
                    weight_decay=b.weight_decay, min_weight=b.min_weight, max_weight=b.max_weight)
    return ens


def _stack_copy(first: Network, members: Sequence[Network], name: str | None) -> Network:
    """The first member, copied with every group setting (integration, clamps, initial states,
    time), its link blocks holding every member's weights along a leading axis."""
    import copy
    ens = copy.deepcopy(first)
    ens.name = name or first.name
    ens.ensemble = len(members)
    for k, b in enumerate(ens.blocks):
        b.weights = np.stack([m.blocks[k].weights for m in members])
        b.weight_deriv = np.zeros_like(b.weights)
        b.last_change = np.zeros_like(b.weights)
        b.rule_state = {}
    ens._invalidate()
    return ens


def from_spec(spec: str, seeds: Iterable[int]) -> Ensemble:
    """Build ``spec`` once per seed and stack the networks (feed-forward specs)."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise PdpError("ensemble: no seeds")
    sp = load_spec(spec)                       # parsed once; each member is built from it with its seed
    first: Model = build_spec(sp, seed=seeds[0])
    if first.network.time is not None and first.network.time.mode != "continuous":
        raise PdpError(f"ensemble: '{spec}' is a simple recurrent network; ensembles are feed-forward networks "
                       "or CONTINUOUS networks in time")
    nets = [first.network] + [build_network(sp, seed=s) for s in seeds[1:]]
    ens = stack(nets)
    return Ensemble(ens, first.examples, first.training, seeds, [n.rng for n in nets])


def spec_settings(spec: str, seeds=None, learning_rates=None) -> tuple[list[int], list[float] | None]:
    """Seeds and learning rates for an ensemble: given ones, else the spec's ``ensemble:``
    table (``seeds: N`` or a list; ``learning_rates: [..]``, one per network or one per group
    of networks repeated to fill), else seeds 0..9."""
    sp = load_spec(spec)
    table = sp.data.get("ensemble") or {}
    if not isinstance(table, dict):
        raise PdpError(f"{sp.where('ensemble')}: expected a mapping with seeds and learning_rates")
    for k in table:
        if k not in ("seeds", "learning_rates"):
            raise PdpError(f"{sp.where('ensemble', k)}: unknown key '{k}'; expected seeds or learning_rates")
    s = seeds if seeds is not None else table.get("seeds", 10)
    if isinstance(s, int):
        if s < 1:
            raise PdpError(f"{sp.where('ensemble', 'seeds')}: expected a positive number of networks")
        s = list(range(s))
    s = [int(x) for x in s]
    lr = learning_rates if learning_rates is not None else table.get("learning_rates")
    if lr is not None:
        lr = [float(x) for x in lr]
        if len(s) % len(lr):
            raise PdpError(f"ensemble: {len(lr)} learning rates do not divide {len(s)} networks")
        lr = [x for x in lr for _ in range(len(s) // len(lr))]
    return s, lr


def train(ens: Ensemble, params: TrainingParams | None = None, learning_rates: Sequence[float] | None = None,
          **overrides) -> EnsembleResult:
    """Train every member; each stops on its own criterion, as it would alone."""
    net, xs = ens.network, ens.examples
    params = replace(params or ens.training, **overrides).validated()
    if params.backend.startswith("array:"):                  # an Array API namespace (a GPU)
        from pdpsim.engines.array_api import engine as array_backend
        return array_backend.train_ensemble(ens, params, learning_rates)
    if params.rule != "backprop" or params.algorithm == "delta_bar_delta":
        raise PdpError("ensemble: training supports backprop with steepest, momentum or dougs_momentum")
    E = ens.size
    rates = np.full(E, params.learning_rate) if learning_rates is None else np.asarray(learning_rates, float)
    if rates.shape != (E,):
        raise PdpError(f"ensemble: {len(rates)} learning rates for {E} networks")
    n = len(xs)
    bs = n if params.batch_size == 0 or params.batch_size >= n else params.batch_size
    probs = xs.frequencies / xs.frequencies.sum() if params.order == "random" else None
    inputs, targets = feedforward_arrays(net, xs) if net.time is None else (None, None)
    if _compiled_ok(ens, params, bs):
        return _train_compiled(ens, params, rates, inputs, targets, bs, probs)
    batches = _FeedForwardBatches(net, inputs, targets) if net.time is None else _TimeBatches(net, xs, params)
    want_distance = params.output_criterion is not None
    active = np.ones(E, dtype=bool)
    stopped = ["max_epochs"] * E
    epochs_to_stop = np.full(E, params.max_epochs)
    errors = np.full((params.max_epochs, E), np.nan)
    mom = np.full((E, 1, 1), params.momentum)
    decay = np.full((E, 1, 1), params.weight_decay)
    eff_rates = rates.copy()
    last_epoch = 0
    for epoch in range(1, params.max_epochs + 1):
        if params.order == "ordered":
            orders = None
        elif params.order == "permuted":
            orders = np.stack([r.permutation(n) if a else np.arange(n) for r, a in zip(ens.rngs, active)])
        else:
            orders = np.stack([r.choice(n, size=n, p=probs) if a else np.arange(n)
                               for r, a in zip(ens.rngs, active)])
        total = np.zeros(E)
        worst = np.zeros(E)
        for start in range(0, n, bs):
            # the same examples for every member, or each member's own (E, B)
            sel = np.arange(start, min(start + bs, n)) if orders is None else orders[:, start:start + bs]
            e, w = batches.run(sel, want_distance)
            total += e
            worst = np.maximum(worst, w)
            update_weights(net.blocks, params.algorithm, params.learning_rate, mom, decay,
                           ensemble_rates=eff_rates)
        errors[epoch - 1, active] = total[active]
        last_epoch = epoch
        done = np.zeros(E, dtype=bool)
        why = [""] * E
        for k in np.flatnonzero(active):
            if not np.isfinite(total[k]):
                done[k], why[k] = True, "diverged"
            elif params.error_criterion is not None and total[k] <= params.error_criterion:
                done[k], why[k] = True, "error_criterion"
            elif params.output_criterion is not None and worst[k] <= params.output_criterion:
                done[k], why[k] = True, "output_criterion"
        for k in np.flatnonzero(done):
            active[k] = False
            stopped[k] = why[k]
            epochs_to_stop[k] = epoch
            eff_rates[k] = 0.0                     # a stopped network changes no more
            mom[k] = 0.0
            decay[k] = 0.0
        if not active.any():
            break
    return EnsembleResult(errors[:last_epoch], stopped, epochs_to_stop, list(ens.seeds), rates)


class _FeedForwardBatches:
    """One batch of a feed-forward ensemble: forward, error, backward."""

    def __init__(self, net: Network, inputs: dict, targets: dict):
        self.net, self.inputs, self.targets = net, inputs, targets

    def run(self, sel: np.ndarray, want_distance: bool) -> tuple[np.ndarray, np.ndarray]:
        net = self.net
        net.forward({g: x[sel] for g, x in self.inputs.items()})
        net.set_targets({g: t[sel] for g, t in self.targets.items()})
        total = net.error().sum(axis=-1)
        worst = np.zeros(net.ensemble)
        if want_distance:
            for g in net.output_groups:
                d = np.nan_to_num(np.abs(g.output - g.target), nan=0.0)
                worst = np.maximum(worst, d.max(axis=(-2, -1)))
        net.backward()
        return total, worst


class _TimeBatches:
    """One batch of an ensemble of CONTINUOUS networks: every tick forward and back through time
    (pdpsim.dynamics.unfolding). When the members see different examples, their batches are laid out side
    by side, which needs every example to run the same number of ticks."""

    def __init__(self, net: Network, xs: ExampleSet, params: TrainingParams):
        from pdpsim.dynamics import unfolding
        if net.time.early_stop is not None:
            raise PdpError("ensemble: time.early_stop ends each example's events at their own tick; "
                           "ensembles of networks in time run without it")
        unfolding.check_examples(net, xs)
        self.u, self.net, self.xs = unfolding, net, xs
        self.tt = unfolding.tables(net, xs)
        self.unf = unfolding.Unfolded(net, fused=False if params.backend == "numpy" else None)
        ticks = self.tt.ticks.sum(axis=1)
        if params.order != "ordered" and not (ticks == ticks[0]).all():
            raise PdpError(f"ensemble: with order {params.order}, every example must run the same number of ticks "
                           f"(here {ticks.min()} to {ticks.max()}); use order: ordered")

    def _schedule(self, sel: np.ndarray):
        """Inputs and targets (ticks + 1, E, B, units): the members' own examples side by side, or
        the same ones seen by every member."""
        u, E = self.u, self.net.ensemble
        if sel.ndim == 1:
            one = u.schedule_for(self.net, self.xs, self.tt, sel)
            shared = {}
            for kind, arrays in (("inputs", one.inputs), ("targets", one.targets)):
                shared[kind] = {g: np.broadcast_to(x[:, None], (x.shape[0], E) + x.shape[1:])
                                for g, x in arrays.items()}
            return u.Schedule(shared["inputs"], shared["targets"], one.ticks, one.event_of_tick, one.active)
        parts = [u.schedule_for(self.net, self.xs, self.tt, row) for row in sel]
        first = parts[0]
        return u.Schedule({g: np.stack([p.inputs[g] for p in parts], axis=1) for g in first.inputs},
                          {g: np.stack([p.targets[g] for p in parts], axis=1) for g in first.targets},
                          first.ticks, first.event_of_tick, first.active)

    def run(self, sel: np.ndarray, want_distance: bool) -> tuple[np.ndarray, np.ndarray]:
        net = self.net
        sched = self._schedule(sel)
        total = self.unf.forward(sched).sum(axis=-1)
        worst = np.zeros(net.ensemble)
        if want_distance:
            for g, y in sched.targets.items():
                d = np.abs(net.groups[g].output_history - y)      # (ticks + 1, E, B, units)
                d = np.moveaxis(d, 1, 0).reshape(net.ensemble, -1)
                seen = ~np.isnan(d).all(axis=1)
                worst[seen] = np.maximum(worst[seen], np.nanmax(d[seen], axis=1))
        self.unf.backward(sched)
        return total, worst


def _compiled_ok(ens: Ensemble, params: TrainingParams, bs: int) -> bool:
    from pdpsim.engines.compiled import flat as compiled
    if params.backend == "numpy" or not compiled.available():
        return False
    probe = replace(params)
    net = ens.network
    single = net.ensemble
    net.ensemble = None                                 # ask about one member's architecture
    try:
        why = compiled.unsupported(net, probe)
    finally:
        net.ensemble = single
    if why is None and net.dtype != np.float64:
        why = "float32 ensembles"
    if why and params.backend == "compiled":
        raise PdpError(f"training.backend: the compiled loop does not support {why}")
    if why is not None:
        return False
    if net.time is not None:                            # the batch kernel in time calls BLAS itself
        from pdpsim.training.loop import _same_ticks
        return bs * net.n_links <= 200_000 or (bs > 1 and _same_ticks(net, ens.examples))
    return bs * net.n_links <= 200_000


def _train_compiled(ens: Ensemble, params: TrainingParams, rates, inputs, targets, bs, probs) -> EnsembleResult:
    """Every member in the compiled loop, members spread over the cores (numba prange)."""
    from pdpsim.engines.compiled.flat import ALGORITHMS, CompiledNet, CompiledTimeNet
    net = ens.network
    E = ens.size
    single = net.ensemble
    net.ensemble = None
    try:
        cn = CompiledNet(net, inputs, targets, params) if net.time is None else \
            CompiledTimeNet(net, ens.examples, params)
    finally:
        net.ensemble = single
    blocks = net.blocks
    total = int((cn.bnf * cn.bnt).sum())
    WF, LCF, DWF = np.empty((E, total)), np.empty((E, total)), np.zeros((E, total))
    for k, b in enumerate(blocks):
        sl = slice(cn.boff[k], cn.boff[k] + cn.bnf[k] * cn.bnt[k])
        WF[:, sl] = b.weights.reshape(E, -1)
        LCF[:, sl] = b.last_change.reshape(E, -1)
    lr = np.array([[rates[m] if b.learning_rate is None else b.learning_rate for b in blocks] for m in range(E)])
    mom = np.tile(cn.mom, (E, 1))
    decay = np.tile(cn.decay, (E, 1))
    K = params.max_epochs
    n = len(ens.examples)
    use = params.order != "ordered"
    if use:
        states = [r.bit_generator.state for r in ens.rngs]
        draw = [(lambda r=r: r.permutation(n)) if params.order == "permuted" else
                (lambda r=r: r.choice(n, size=n, p=probs)) for r in ens.rngs]
        orders = np.stack([np.stack([d() for _ in range(K)]) for d in draw]).astype(np.int64)
    else:
        orders = np.zeros((E, 1, 1), dtype=np.int64)
    errors = np.full((E, K), np.nan)
    dists = np.zeros((E, K))
    done = np.zeros(E, dtype=np.int64)
    lanes = _lanes(E, cn, bs) if net.time is None else 0
    if net.time is not None:
        _run_time(cn, orders, K, bs, WF, DWF, LCF, lr, ALGORITHMS[params.algorithm], use, params, errors, dists,
                  done)
    elif lanes:
        _run_lanes(cn, lanes, orders, K, bs, WF, DWF, LCF, lr, ALGORITHMS[params.algorithm], use, params, errors,
                   dists, done)
    else:
        from pdpsim.engines.compiled.kernels import run_ensemble
        from pdpsim.engines.compiled.flat import quiet_threads
        quiet_threads()
        run_ensemble(cn.X, cn.T, orders, K, bs, cn.g_start, cn.g_size, cn.g_computed, cn.g_func, cn.g_err,
                     cn.g_scale, cn.g_fused, cn.order_groups, cn.inc_ptr, cn.inc_blk, cn.blk_src, cn.blk_dst, WF,
                     DWF, LCF, cn.boff, cn.bnf, cn.bnt, lr, mom, decay, ALGORITHMS[params.algorithm], use,
                     -1.0 if params.error_criterion is None else params.error_criterion,
                     -1.0 if params.output_criterion is None else params.output_criterion, errors, dists, done)
    for k, b in enumerate(blocks):
        sl = slice(cn.boff[k], cn.boff[k] + cn.bnf[k] * cn.bnt[k])
        b.weights[...] = WF[:, sl].reshape(b.weights.shape)
        b.last_change[...] = LCF[:, sl].reshape(b.weights.shape)
        b.weight_deriv[...] = DWF[:, sl].reshape(b.weights.shape)
        b.rule_state.pop("step", None)
    if use:                                   # each generator ends where a separate run leaves it
        for r, st, d, k in zip(ens.rngs, states, draw, done):
            r.bit_generator.state = st
            for _ in range(int(k)):
                d()
    stopped = []
    for m in range(E):
        last = errors[m, done[m] - 1]
        if not np.isfinite(last):
            stopped.append("diverged")
        elif params.error_criterion is not None and last <= params.error_criterion:
            stopped.append("error_criterion")
        elif params.output_criterion is not None and dists[m, done[m] - 1] <= params.output_criterion:
            stopped.append("output_criterion")
        else:
            stopped.append("max_epochs")
    for m in range(E):
        errors[m, done[m]:] = np.nan
    last_epoch = int(done.max())
    return EnsembleResult(errors[:, :last_epoch].T.copy(), stopped, done.copy(), list(ens.seeds), rates)


def _run_time(cn, orders, K, bs, WF, DWF, LCF, lr, algorithm, use, params, errors, dists, done) -> None:
    """Members of an ensemble in time in threads, one per core at a time (the compiled loops run
    without the GIL): each member's batches through the batch kernel on one core (every example
    the same ticks) or example by example."""
    from concurrent.futures import ThreadPoolExecutor

    import numba
    from threadpoolctl import threadpool_limits

    from pdpsim.engines.compiled.kernels import run_epochs_time
    from pdpsim.engines.compiled.kernels_time_batch import member_epochs
    by_batch = bs > 1 and cn.same_ticks
    err = -1.0 if params.error_criterion is None else params.error_criterion
    out = -1.0 if params.output_criterion is None else params.output_criterion

    def member(m: int) -> None:
        o = orders[m] if use else orders[0]
        if by_batch:
            done[m] = member_epochs(cn.XS, cn.TS, int(cn.ticks[0]), o, K, bs, cn.g_start, cn.g_size, cn.g_computed,
                                    cn.g_func, cn.g_integ, cn.g_clamp, cn.g_strength, cn.g_init_out, cn.g_init_in,
                                    cn.g_err, cn.g_scale, cn.inc_ptr, cn.inc_blk, cn.blk_src, WF[m], DWF[m], LCF[m],
                                    cn.boff, cn.bnf, cn.bnt, lr[m], cn.mom, cn.decay, algorithm, use, cn.dt,
                                    cn.tick_scale, err, out, errors[m], dists[m])
        else:
            done[m] = run_epochs_time(cn.XS, cn.TS, cn.ticks, o, K, bs, cn.g_start, cn.g_size, cn.g_computed,
                                      cn.g_func, cn.g_integ, cn.g_clamp, cn.g_strength, cn.g_init_out, cn.g_init_in,
                                      cn.g_err, cn.g_scale, cn.inc_ptr, cn.inc_blk, cn.blk_src, WF[m], DWF[m], LCF[m],
                                      cn.boff, cn.bnf, cn.bnt, lr[m], cn.mom, cn.decay, algorithm, use, cn.dt,
                                      cn.tick_scale, err, out, errors[m], dists[m])

    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max(1, numba.get_num_threads())) as pool:
        list(pool.map(member, range(WF.shape[0])))     # the members share the cores, not BLAS's threads


#: the most members in one chunk on the vector lanes
LANES = 256
#: the fewest members for which the lanes are used
MIN_LANE_MEMBERS = 8


def _lanes(E: int, cn, batch: int) -> int:
    """How many members share a chunk on the vector lanes (0: one member at a time). Lanes pay
    when the members are many and each is small (its work per example too little for the vector
    units); a large network fills them with its own units. Chunks are as wide as allows one per
    core, at most LANES members and about 64 MB of unit states."""
    widest = int(cn.g_size[cn.g_computed].max()) if cn.g_computed.any() else 1
    if E < MIN_LANE_MEMBERS or widest >= 64:
        return 0
    import numba
    per_core = -(-E // max(1, numba.get_num_threads()))
    states = max(1, batch * cn.X.shape[1])
    L = min(LANES, per_core, max(4, 2_000_000 // states))
    return -(-L // 4) * 4


def _run_lanes(cn, L, orders, K, bs, WF, DWF, LCF, lr, algorithm, use, params, errors, dists, done) -> None:
    """The members in chunks of L on the vector lanes (pdpsim.engines.compiled.kernels_lanes); WF, DWF and LCF
    (members, links) end as each member's weights the epoch it stopped."""
    from pdpsim.engines.compiled.flat import quiet_threads
    quiet_threads()
    from pdpsim.engines.compiled.kernels_lanes import run_ensemble_lanes
    E, total = WF.shape
    C = -(-E // L)

    def chunked(a):                                   # (E, x) -> (C, x, L), padded with zeros
        out = np.zeros((C * L,) + a.shape[1:], dtype=a.dtype)
        out[:E] = a
        return np.ascontiguousarray(out.reshape(C, L, -1).transpose(0, 2, 1))

    W, LC = chunked(WF), chunked(LCF)
    DW = np.zeros_like(W)
    lrc = chunked(lr)
    if use:
        pad = np.zeros((C * L,) + orders.shape[1:], dtype=np.int64)
        pad[:E] = orders
        orders = pad
    alive = np.zeros(C * L, dtype=np.bool_)
    alive[:E] = True
    alive = alive.reshape(C, L)
    WS, DS, LS = np.zeros_like(W), np.zeros_like(W), np.zeros_like(W)
    run_ensemble_lanes(cn.X, cn.T, orders, K, bs, cn.g_start, cn.g_size, cn.g_computed, cn.g_func, cn.g_err,
                       cn.g_scale, cn.g_fused, cn.inc_ptr, cn.inc_blk, cn.blk_src, W, DW, LC, cn.boff, cn.bnf,
                       cn.bnt, lrc, cn.mom, cn.decay, algorithm, use,
                       -1.0 if params.error_criterion is None else params.error_criterion,
                       -1.0 if params.output_criterion is None else params.output_criterion, alive, errors, dists,
                       done, WS, DS, LS)

    def unchunked(a):
        return a.transpose(0, 2, 1).reshape(C * L, total)[:E]

    WF[...], DWF[...], LCF[...] = unchunked(WS), unchunked(DS), unchunked(LS)
