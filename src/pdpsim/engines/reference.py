"""The numpy engine: the reference every other engine is tested against.

Each update moves a whole batch through one matrix product per link block
(:meth:`pdpsim.Network.forward` and :meth:`~pdpsim.Network.backward`; for networks in
time :class:`pdpsim.dynamics.unfolding.Unfolded`, for simple recurrent networks each
event in turn), then :func:`pdpsim.learning.rules.update_weights` changes the weights.
It supports every network and parameter, so ``auto`` falls back to it; an ensemble's
members ride along a leading axis of every array. A large full batch of a feed-forward
network moves through slices of its rows, one a core, at the same time (:class:`_Slices`).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

from pdpsim.dynamics import unfolding
from pdpsim.dynamics.feedforward import feedforward_arrays, max_output_distance
from pdpsim.dynamics.srn import SrnExamples
from pdpsim.learning.rules import update_weights
from pdpsim.model.examples import ExampleSet
from pdpsim.model.cores import cores, one_blas_thread
from pdpsim.model.network import _STATE, Network
from pdpsim.training.engines import Engine, Members, register
from pdpsim.training.loop import batch_size
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError


#: a full batch of at least this many link-examples (examples x links) moves through slices of its
#: rows, one a core (:class:`_Slices`); below it, handing the slices over costs more than it saves
SLICE_WORK = 4_000_000
#: the fewest examples in a slice
SLICE_ROWS = 64


class _Slices:
    """A full batch cut into slices of rows, one a core: each slice's forward pass, error and
    backward pass run at the same time in a network for those rows (:meth:`Network.rows`: the
    same weights, its state arrays rows of the network's own), with BLAS on one thread each
    (the products of a slice are small; the unit equations between them are numpy ufuncs, which
    run on one core, so one core a slice keeps every core busy). dE/dw is the sum of the slices'.
    Every number but dE/dw is the one the whole batch gives; dE/dw is summed over the slices
    instead of over the batch in one product (a difference of rounding, as between BLAS builds)."""

    def __init__(self, net: Network, n: int, parts: int, weights: np.ndarray | None, inputs, targets):
        self.net = net
        cuts = [n * k // parts for k in range(parts + 1)]
        self.parts = [net.rows(lo, hi) for lo, hi in zip(cuts, cuts[1:])]
        self.weights = [None if weights is None else weights[lo:hi] for lo, hi in zip(cuts, cuts[1:])]
        # each slice's inputs and targets: its rows of the arrays bound now (the engine's)
        self.batch_inputs, self.batch_targets = inputs, targets
        self.inputs = [{g: p.groups[g].output for g in inputs} for p in self.parts]
        self.targets = [{g: p.groups[g].target for g in targets} for p in self.parts]
        self.state = self._state_ids()

    def _state_ids(self) -> list[int]:
        """The network's own state arrays (not the engine's inputs and targets bound to it)."""
        return [id(getattr(g, f)) for g in self.net.groups.values() for f in _STATE
                if not (g.name in self.batch_inputs and f in ("output", "net_input") or
                        g.name in self.batch_targets and f == "target")]

    def current(self) -> bool:
        """Whether the network still holds the state arrays the slices are rows of (running it on
        another batch size, for one, gives it others), with the engine's inputs and targets bound
        (they are again after a release: the callbacks')."""
        return self._state_ids() == self.state and self.net.bind_batch(self.batch_inputs, self.batch_targets)

    def _one(self, k: int, want_distance: bool):
        p = self.parts[k]
        p.forward(self.inputs[k], bind=True, every_update=True)
        p.set_targets(self.targets[k], bind=True)            # (bound already: the whole batch's notes hold)
        err = p.error(self.weights[k])
        worst = max_output_distance(p) if want_distance else 0.0
        p.backward(self.weights[k], output_derivs=False)
        return err.sum(axis=-1), worst

    def run(self, want_distance: bool):
        """One update's passes (the caller holds BLAS to one thread: see NumpyEngine.epochs)."""
        later = [_pool().submit(self._one, k, want_distance) for k in range(1, len(self.parts))]
        try:
            first = self._one(0, want_distance)
        finally:
            rest = [f.result() for f in later]
        for j, b in enumerate(self.net.blocks):                 # dE/dw: the sum over the slices
            np.add(self.parts[0].blocks[j].weight_deriv, self.parts[1].blocks[j].weight_deriv, out=b.weight_deriv)
            for p in self.parts[2:]:
                b.weight_deriv += p.blocks[j].weight_deriv
        results = [first] + rest
        return sum(e for e, _ in results), max(w for _, w in results)


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max(1, cores() - 1), thread_name_prefix="pdpsim-slice")
    return _POOL


class _FeedForward:
    """One update's passes for a feed-forward network on a batch of examples."""

    def __init__(self, net: Network, examples: ExampleSet, params: TrainingParams):
        self.net = net
        inputs, targets = feedforward_arrays(net, examples)
        # the engine's own copies: bound to the network while it trains (Network.forward's bind)
        self.inputs = {g: x.copy() for g, x in inputs.items()}
        self.targets = {g: t.copy() for g, t in targets.items()}
        self.all = slice(0, len(examples))
        self.hebb = params.rule == "hebb"
        self.weights = examples.frequencies.astype(net.dtype) if params.example_frequency == "scale" else None
        self.n = n = len(examples)
        self.n_slices = min(cores(), n // SLICE_ROWS)
        if (net.ensemble or self.hebb or n * net.n_links < SLICE_WORK or
                any(g.output_noise for g in net.groups.values())):
            self.n_slices = 1                 # (noise draws from the network's generator, in order)
        self.slices: _Slices | None = None
        self.stale = False                    # set when the network was handed out (NumpyEngine.sync)

    def run(self, sel, want_distance: bool):
        net = self.net
        full = isinstance(sel, slice) and sel == self.all
        if full and self.n_slices > 1:
            slices = self._slices()
            if slices is not None:
                return slices.run(want_distance)
        # the engine's arrays are the input groups' outputs and the targets (no copies)
        net.forward(self.inputs if full else {g: x[sel] for g, x in self.inputs.items()}, bind=True, every_update=full)
        net.set_targets(self.targets if full else {g: t[sel] for g, t in self.targets.items()}, bind=True)
        w = None if self.weights is None else self.weights[sel]
        err = net.error(w)
        worst = max_output_distance(net, axes=(-2, -1) if net.ensemble else None) if want_distance else 0.0
        if self.hebb:
            net.hebbian_deriv()
        else:
            net.backward(w, output_derivs=False)
        return err.sum(axis=-1), worst

    def _slices(self) -> _Slices | None:
        """The whole batch's slices: made from the network with the engine's arrays bound to it
        (no pass), and again where the network may have changed since (it was handed to callbacks:
        a lesion, a gain; or it ran another batch size). Every full-batch update of a run goes
        through them, the first too, so that a resumed run rounds as the uninterrupted one."""
        s = self.slices
        if s is not None and not self.stale and s.current():
            return s
        net = self.net
        net.allocate(self.n)
        if not net.bind_batch(self.inputs, self.targets):
            return None                       # (arrays that do not fit: the whole batch, copied in)
        self.slices = _Slices(net, self.n, self.n_slices, self.weights, self.inputs, self.targets)
        self.stale = False
        return self.slices


class _InTime:
    """One update of a network in time: every tick forward, then back through time. An
    ensemble's members see the same examples, or each its own (batches laid out side by side,
    which needs every example to run the same number of ticks)."""

    def __init__(self, net: Network, examples: ExampleSet, params: TrainingParams):
        unfolding.check_examples(net, examples)
        self.net, self.examples = net, examples
        # the plain numpy reference when asked for (backend: numpy), else compiled rows where they help
        self.unf = unfolding.Unfolded(net, fused=False if params.backend == "numpy" else None)
        self.tables = unfolding.tables(net, examples)
        if net.ensemble:
            if net.time.early_stop is not None:
                raise PdpError("ensemble: time.early_stop ends each example's events at their own tick; "
                               "ensembles of networks in time run without it")
            ticks = self.tables.ticks.sum(axis=1)
            if params.order != "ordered" and not (ticks == ticks[0]).all():
                raise PdpError(f"ensemble: with order {params.order}, every example must run the same number of "
                               f"ticks (here {ticks.min()} to {ticks.max()}); use order: ordered")

    def _schedule(self, sel):
        net, tt = self.net, self.tables
        if isinstance(sel, slice):
            sel = np.arange(len(self.examples))[sel]
        if not net.ensemble:
            return unfolding.schedule_for(net, self.examples, tt, sel)
        E = net.ensemble
        if sel.ndim == 1:                     # (ticks + 1, E, B, units): the same examples for every member
            one = unfolding.schedule_for(net, self.examples, tt, sel)
            shared = {}
            for kind, arrays in (("inputs", one.inputs), ("targets", one.targets)):
                shared[kind] = {g: np.broadcast_to(x[:, None], (x.shape[0], E) + x.shape[1:])
                                for g, x in arrays.items()}
            return unfolding.Schedule(shared["inputs"], shared["targets"], one.ticks, one.event_of_tick, one.active)
        parts = [unfolding.schedule_for(net, self.examples, tt, row) for row in sel]
        first = parts[0]
        return unfolding.Schedule({g: np.stack([p.inputs[g] for p in parts], axis=1) for g in first.inputs},
                                  {g: np.stack([p.targets[g] for p in parts], axis=1) for g in first.targets},
                                  first.ticks, first.event_of_tick, first.active)

    def run(self, sel, want_distance: bool):
        net = self.net
        sched = self._schedule(sel)
        total = self.unf.forward(sched).sum(axis=-1)
        worst = np.zeros(net.ensemble) if net.ensemble else 0.0
        if want_distance:
            for g, y in sched.targets.items():
                d = np.abs(net.groups[g].output_history - y)             # (ticks + 1, [E,] B, units)
                if net.ensemble:
                    d = np.moveaxis(d, 1, 0).reshape(net.ensemble, -1)
                    seen = ~np.isnan(d).all(axis=1)
                    worst[seen] = np.maximum(worst[seen], np.nanmax(d[seen], axis=1))
                elif np.isfinite(d).any():
                    worst = max(worst, float(np.nanmax(d)))
        self.unf.backward(sched)
        return total, worst


class _Srn:
    """A simple recurrent network: the events of a batch of examples in lockstep. With
    ``update: event`` the weights change after every event (Elman 1990), else once a batch
    with the derivatives summed over its events."""

    def __init__(self, net: Network, examples: ExampleSet, params: TrainingParams, change):
        self.events = SrnExamples(net, examples)
        self.net, self.params, self.change = net, params, change
        self.per_event = params.update == "event"
        self.accum = {b.name: np.zeros_like(b.weights) for b in net.blocks}

    def run(self, sel, want_distance: bool):
        net, ev = self.net, self.events
        idx = np.arange(len(ev.examples))[sel] if isinstance(sel, slice) else np.asarray(sel)
        total, worst = 0.0, 0.0
        if not self.per_event:
            for a in self.accum.values():
                a.fill(0.0)
        for e in range(int(ev.examples.n_events[idx].max())):
            total += float(ev.event(idx, e).sum())
            if want_distance:
                worst = max(worst, max_output_distance(net))
            net.backward()
            if self.per_event:
                self.change()
            else:
                for b in net.blocks:
                    self.accum[b.name] += b.weight_deriv
        if not self.per_event:
            for b in net.blocks:
                b.weight_deriv[...] = self.accum[b.name]
        return total, worst


@register
class NumpyEngine(Engine):
    """numpy: one matrix product per link block per batch; every network and parameter."""

    name = "numpy"
    priority = 100

    @classmethod
    def unsupported(cls, net, examples, params, members: Members, argument) -> str | None:
        srn = net.time is not None and net.time.mode == "srn"
        if params.rule == "hebb" and (net.time is not None or any(g.kind == "HIDDEN" for g in net.groups.values())):
            return ("the Hebb rule on this network: it needs targets for every receiving group of a "
                    "feed-forward network (use rule: backprop)")
        if params.example_frequency == "scale" and net.time is not None:
            return "example_frequency: scale on a network in time (feed-forward networks only)"
        if members.ensemble and (srn or params.rule != "backprop" or params.algorithm == "delta_bar_delta"):
            return "this ensemble: ensembles train with backprop and steepest, momentum or dougs_momentum"
        return None

    @classmethod
    def worth_it(cls, net, examples, params, members, start_epoch) -> bool:
        return True

    def __init__(self, net, examples, params, members: Members, argument=None):
        super().__init__(net, examples, params, members, argument)
        M = members.size
        self.ensemble = members.ensemble
        if net.time is not None and net.time.mode == "srn":
            self.steps = _Srn(net, examples, params, self._change)
        elif net.time is not None:
            self.steps = _InTime(net, examples, params)
        else:
            self.steps = _FeedForward(net, examples, params)
        self.per_event = isinstance(self.steps, _Srn) and self.steps.per_event
        self.lesioned = any(b.mask is not None for b in net.blocks)
        self.n, self.bs = len(examples), batch_size(params, len(examples))
        if self.ensemble:                     # per member: its rate; a stopped member's factors become 0
            self.rates = members.rates.astype(float).copy()
            self.mom = np.full((M, 1, 1), params.momentum)
            self.decay = np.full((M, 1, 1), params.weight_decay)

    def _change(self) -> None:
        p, net = self.params, self.net
        if self.ensemble:
            update_weights(net.blocks, p.algorithm, p.learning_rate, self.mom, self.decay,
                           ensemble_rates=self.rates)
        else:
            update_weights(net.blocks, p.algorithm, p.learning_rate, p.momentum, p.weight_decay)
        if self.lesioned:
            for b in net.blocks:
                if b.mask is not None:
                    b.weights *= b.mask

    def epochs(self, orders, k):
        # slices of a batch on every core: BLAS on one thread for all of it (held between updates:
        # a BLAS thread woken in between spins on, on the core a slice needs)
        sliced = isinstance(self.steps, _FeedForward) and self.steps.n_slices > 1 and self.bs >= self.n
        with one_blas_thread() if sliced else nullcontext():
            return self._epochs(orders, k)

    def _epochs(self, orders, k):
        M, n, bs = self.members.size, self.n, self.bs
        want = self.params.output_criterion is not None
        errors = np.zeros((k, M))
        dists = np.zeros((k, M))
        for e in range(k):
            total = np.zeros(M)
            worst = np.zeros(M)
            for start in range(0, n, bs):
                if orders is None:
                    sel = slice(start, min(start + bs, n)) if not self.ensemble else np.arange(start, min(start + bs, n))
                elif self.ensemble:
                    sel = orders[:, e, start:start + bs]           # each member's own examples (E, B)
                else:
                    sel = orders[0, e, start:start + bs]
                err, w = self.steps.run(sel, want)
                total += err
                worst = np.maximum(worst, w)
                if not self.per_event:
                    self._change()
            errors[e], dists[e] = total, worst
        return np.full(M, k), errors, dists

    def sync(self) -> None:
        self.net.release()                    # the groups' own arrays again (the engine's were bound)
        if isinstance(self.steps, _FeedForward):
            self.steps.stale = True           # (its slices are made again from the network before the next update)

    def stop(self, member: int) -> None:
        if self.ensemble:                     # a stopped network changes no more
            self.rates[member] = 0.0
            self.mom[member] = 0.0
            self.decay[member] = 0.0
