"""The numpy engine: the reference every other engine is tested against.

Each update moves a whole batch through one matrix product per link block
(:meth:`pdpsim.Network.forward` and :meth:`~pdpsim.Network.backward`; for networks in
time :class:`pdpsim.dynamics.unfolding.Unfolded`, for simple recurrent networks each
event in turn), then :func:`pdpsim.learning.rules.update_weights` changes the weights.
It supports every network and parameter, so ``auto`` falls back to it; an ensemble's
members ride along a leading axis of every array.
"""
from __future__ import annotations

import numpy as np

from pdpsim.dynamics import unfolding
from pdpsim.dynamics.feedforward import feedforward_arrays, max_output_distance
from pdpsim.dynamics.srn import SrnExamples
from pdpsim.learning.rules import update_weights
from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.training.engines import Engine, Members, register
from pdpsim.training.loop import batch_size
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError


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

    def run(self, sel, want_distance: bool):
        net = self.net
        full = isinstance(sel, slice) and sel == self.all
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

    def stop(self, member: int) -> None:
        if self.ensemble:                     # a stopped network changes no more
            self.rates[member] = 0.0
            self.mom[member] = 0.0
            self.decay[member] = 0.0
