"""The training loop: one epoch loop for every engine, single networks and ensembles alike.

One *update* is: forward pass over a batch, error, backward pass, weight change. One
*epoch* presents every example once (``ordered`` or ``permuted``) or draws as many
examples at random, weighted by their frequencies (``random``; with ``example_frequency:
scale`` the frequencies scale each example's error instead). The error recorded for
an epoch is the total error E = sum over the examples presented of each example's error,
as the lecture's "total network error (over all training examples)".

:func:`run_epochs` is the loop. It draws each member's example orders from the member's
own generator (a whole chunk of epochs ahead for engines that run many epochs in one
call, replaying the generator afterwards so that it ends where an epoch-by-epoch run
leaves it), asks the engine (:mod:`pdpsim.training.engines`) to run them, records the
errors, shows progress, asks the stopping criteria (:mod:`pdpsim.training.criteria`) and
the callbacks after each epoch, and hands the state to a checkpoint writer every
``checkpoint_every`` epochs. :func:`train` runs it for one network;
:func:`pdpsim.training.ensemble.train` for an ensemble's members.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.training import engines
from pdpsim.training.criteria import stop_reason
from pdpsim.training.params import TrainingParams, TrainingResult
from pdpsim.validation import PdpError

Callback = Callable[[int, float, Network], bool | None]


class Orders:
    """Each member's example order per epoch, drawn from its own generator."""

    def __init__(self, params: TrainingParams, examples: ExampleSet, rngs: list):
        self.order, self.n, self.rngs = params.order, len(examples), rngs
        sample = params.order == "random" and params.example_frequency == "sample"
        self.probs = examples.frequencies / examples.frequencies.sum() if sample else None
        self._before: list | None = None

    def _draw(self, rng, k: int) -> np.ndarray:
        """``k`` epochs' orders in one call: (k, examples), the numbers ``k`` calls of
        ``rng.permutation(n)`` (or ``rng.choice``) would give, in the same order."""
        if self.order == "permuted":
            return rng.permuted(np.broadcast_to(np.arange(self.n), (k, self.n)), axis=1)
        return rng.choice(self.n, size=(k, self.n), p=self.probs)

    def draw(self, k: int, active: np.ndarray) -> np.ndarray | None:
        """(members, k, examples) orders for the next ``k`` epochs (stopped members draw none), or
        None when the examples go in order."""
        if self.order == "ordered":
            return None
        self._before = [r.bit_generator.state if a else None for r, a in zip(self.rngs, active)]
        out = np.empty((len(self.rngs), k, self.n), dtype=np.int64)
        for m, (r, a) in enumerate(zip(self.rngs, active)):
            out[m] = self._draw(r, k) if a else np.arange(self.n)
        return out

    def keep(self, done: np.ndarray, k: int) -> None:
        """Members that ran fewer than ``k`` of the drawn epochs: their generators go back to where
        drawing only those epochs would have left them."""
        if self.order == "ordered" or self._before is None:
            return
        for r, before, d in zip(self.rngs, self._before, done):
            if before is not None and d < k:
                r.bit_generator.state = before
                if d:
                    self._draw(r, int(d))


@dataclass
class Epochs:
    """What :func:`run_epochs` did. ``errors[e, m]`` is member m's total error in epoch
    ``start_epoch + e + 1`` (NaN after it stopped); ``epochs[m]`` the last epoch it ran."""

    errors: np.ndarray
    distances: np.ndarray
    stopped: list[str]
    epochs: np.ndarray
    start_epoch: int

    def result(self, params: TrainingParams, member: int = 0) -> TrainingResult:
        """One member's run as a :class:`TrainingResult`."""
        n = int(self.epochs[member]) - self.start_epoch
        return TrainingResult(np.arange(self.start_epoch + 1, self.start_epoch + n + 1, dtype=int),
                              self.errors[:n, member].copy(), self.stopped[member], params,
                              self.distances[:n, member].copy() if params.output_criterion is not None
                              else np.zeros(0))


def batch_size(params: TrainingParams, n: int) -> int:
    """Examples per update: ``batch_size``, or the whole set for 0."""
    return n if params.batch_size == 0 or params.batch_size >= n else params.batch_size


def run_epochs(net: Network, examples: ExampleSet, params: TrainingParams, members: engines.Members, *,
               callbacks: Iterable[Callback] = (), progress: bool = False, start_epoch: int = 0,
               checkpoint_every: int | None = None,
               on_checkpoint: Callable[[int, "Epochs"], None] | None = None) -> Epochs:
    """Train ``members`` (of ``net``) from epoch ``start_epoch + 1`` to ``params.max_epochs`` or
    until each stops (see the module docstring). ``params`` is validated."""
    if len(examples) == 0:
        raise PdpError(f"example set '{examples.name}' is empty")
    cls, arg = engines.choose(net, examples, params, members, start_epoch)
    engine = cls(net, examples, params, members, arg)
    cbs = list(callbacks)
    M = members.size
    orders = Orders(params, examples, members.rngs)
    active = np.ones(M, dtype=bool)
    stopped = ["max_epochs"] * M
    last = np.full(M, start_epoch, dtype=np.int64)
    err_parts, dist_parts = [], []
    epoch = start_epoch
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=params.max_epochs, initial=start_epoch, unit="epoch", leave=False, dynamic_ncols=True)
    try:
        while epoch < params.max_epochs and active.any():
            k = 1 if cbs else min(engine.chunk, params.max_epochs - epoch)
            if checkpoint_every:
                k = min(k, checkpoint_every - epoch % checkpoint_every)
            done, errs, dists = engine.epochs(orders.draw(k, active), k)
            orders.keep(done, k)
            ran = int(done[active].max())
            errs, dists = errs[:ran], dists[:ran]                  # new arrays at every call (Engine.epochs)
            # NaN after each member's last epoch (every epoch for one stopped before)
            after = np.arange(ran)[:, None] >= np.where(active, done, 0)[None, :]
            errs[after] = np.nan
            dists[after] = np.nan
            err_parts.append(errs)
            dist_parts.append(dists)
            epoch += ran
            if cbs:
                engine.sync()                          # callbacks see the current weights
            for m in np.flatnonzero(active):
                d = int(done[m])
                last[m] += d
                why = stop_reason(float(errs[d - 1, m]), float(dists[d - 1, m]), params.error_criterion,
                                  params.output_criterion, int(last[m]), net, cbs)
                if why:
                    active[m], stopped[m] = False, why
                    engine.stop(m)
            if bar is not None:
                bar.update(ran)
                bar.set_postfix_str(f"error {np.nanmean(errs[-1]):.5g}", refresh=False)
            if on_checkpoint is not None and checkpoint_every and epoch % checkpoint_every == 0 \
                    and active.any() and epoch < params.max_epochs:
                engine.sync()
                on_checkpoint(epoch, _epochs(err_parts, dist_parts, stopped, last, start_epoch, M))
    finally:
        if bar is not None:
            bar.close()
        engine.close()
    return _epochs(err_parts, dist_parts, stopped, last, start_epoch, M)


def _epochs(err_parts, dist_parts, stopped, last, start_epoch, M) -> Epochs:
    cat = (lambda parts: parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else np.zeros((0, M)))
    return Epochs(cat(err_parts), cat(dist_parts), list(stopped), last.copy(), start_epoch)


def train(net: Network, examples: ExampleSet, params: TrainingParams | None = None, *,
          callbacks: Iterable[Callback] = (), progress: bool = False, start_epoch: int = 0,
          checkpoint_every: int | None = None, on_checkpoint: Callable[[int, TrainingResult], None] | None = None,
          **overrides) -> TrainingResult:
    """Train ``net`` on ``examples`` with backpropagation (through time, for networks in time).

    Parameters
    ----------
    params : TrainingParams, optional
        Defaults to ``TrainingParams()``; keyword ``overrides`` replace fields
        (``train(net, xs, learning_rate=0.1, momentum=0.9, algorithm="momentum")``).
    callbacks : callables ``cb(epoch, error, net)``
        Called after every epoch; a callback returning True stops training.
    progress : bool
        Show a progress bar with the current error (tqdm).
    start_epoch : int
        Epochs already done (when resuming from a checkpoint that restored the weights,
        the last changes, the update rules' state and ``net.rng``): training goes on
        with epoch ``start_epoch + 1`` up to ``max_epochs``.
    checkpoint_every, on_checkpoint : int, callable ``on_checkpoint(epoch, result_so_far)``
        Called with the network's state up to date after every epoch that is a multiple of
        ``checkpoint_every``, unless training ends there.

    Returns
    -------
    TrainingResult
        Holds only the epochs run by this call.
    """
    if net.ensemble:
        raise PdpError("train(): an ensemble network is trained with pdpsim.training.ensemble.train")
    params = replace(params or TrainingParams(), **overrides).validated()
    hook = None
    if on_checkpoint is not None:
        def hook(epoch: int, so_far: Epochs) -> None:
            on_checkpoint(epoch, so_far.result(params))
    run = run_epochs(net, examples, params, engines.single(net), callbacks=callbacks, progress=progress,
                     start_epoch=start_epoch, checkpoint_every=checkpoint_every, on_checkpoint=hook)
    return run.result(params)


def resolve_backend(net: Network, examples: ExampleSet, params: TrainingParams, start_epoch: int = 0) -> str:
    """Which backend :func:`train` would run (see :func:`pdpsim.training.engines.resolve_backend`)."""
    return engines.resolve_backend(net, examples, params, start_epoch)
