"""The training loop: batches, example order, stopping criteria.

One *update* is: forward pass over a batch, error, backward pass, weight
change. One *epoch* presents every example once (``ordered`` or ``permuted``)
or draws as many examples at random, weighted by their frequencies
(``random``). The error recorded for an epoch is the total error
E = sum over the examples presented of each example's error, as the lecture's
"total network error (over all training examples)".
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Callable, Iterable

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.learning.rules import algorithm_name, update_weights
from pdpsim.model.network import Network
from pdpsim.validation import PdpError, check_no_nan, positive_int, real

ORDERS = ("ordered", "permuted", "random")
RULES = ("backprop", "hebb")


@dataclass
class TrainingParams:
    """How to train. Every field can be set in a spec file's ``training:`` table.

    Attributes
    ----------
    backend : {"auto", "numpy", "compiled", "array:<namespace>"}
        ``numpy``: one matrix product per link block per batch (the reference);
        ``compiled``: whole epochs in a numba-compiled loop (small batches and
        networks, and networks in time); ``auto`` picks the compiled loop when it is
        installed, supports the network, a batch is small (batch size x links <=
        200,000; any batch for a network in time whose examples all run the same
        ticks, whose compiled loop calls BLAS itself) and the run may be long enough
        to repay loading it (max_epochs x batches >= 10,000; for networks in time,
        times the ticks of an event). ``array:cupy``,
        ``array:torch``, ``array:numpy``, ``array:array_api_strict``: the numpy path's
        equations on an Array API namespace, e.g. a GPU (:mod:`pdpsim.engines.array_api.engine`).
    update : {"batch", "event"}
        Simple recurrent networks: change weights after each batch of examples
        (derivatives summed over their events) or after every event (Elman 1990).
    rule : {"backprop", "hebb"}
        ``backprop``: gradient descent on the error (the Delta rule on a network
        without hidden units, the generalized delta rule with them).
        ``hebb``: dw_ij = eps a_i t_j (networks without hidden units).
    algorithm : {"steepest", "momentum", "dougs_momentum", "delta_bar_delta"}
    learning_rate : float         eps
    momentum : float              alpha (used by all but ``steepest``)
    weight_decay : float          d, dw -= d w each update
    batch_size : int              examples per update; 0 = the whole set
    order : {"ordered", "permuted", "random"}
    max_epochs : int
    error_criterion : float or None     stop when an epoch's total error <= this
    output_criterion : float or None    stop when every output is within this of its target
    """

    rule: str = "backprop"
    update: str = "batch"
    backend: str = "auto"
    algorithm: str = "steepest"
    learning_rate: float = 0.5
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 0
    order: str = "ordered"
    max_epochs: int = 1000
    error_criterion: float | None = None
    output_criterion: float | None = None

    def validated(self, where: str = "training") -> "TrainingParams":
        p = replace(self)
        if str(p.rule).lower() not in RULES:
            raise PdpError(f"{where}.rule: expected one of {', '.join(RULES)}, got {p.rule!r}")
        p.rule = str(p.rule).lower()
        if str(p.backend).strip().lower().startswith("array:"):
            from pdpsim.engines.array_api.engine import namespace_name        # array:<namespace> (pdpsim.array_backend)
            p.backend = f"array:{namespace_name(p.backend, f'{where}.backend')}"
        elif str(p.backend).lower() not in ("auto", "numpy", "compiled"):
            raise PdpError(f"{where}.backend: expected auto, numpy, compiled or array:<namespace> "
                           f"(array:cupy, array:torch, ...), got {p.backend!r}")
        else:
            p.backend = str(p.backend).lower()
        if str(p.update).lower() not in ("batch", "event"):
            raise PdpError(f"{where}.update: expected batch or event, got {p.update!r}")
        p.update = str(p.update).lower()
        p.algorithm = algorithm_name(p.algorithm, f"{where}.algorithm")
        p.learning_rate = real(p.learning_rate, f"{where}.learning_rate", minimum=0)
        p.momentum = real(p.momentum, f"{where}.momentum", minimum=0)
        p.weight_decay = real(p.weight_decay, f"{where}.weight_decay", minimum=0)
        p.batch_size = positive_int(p.batch_size, f"{where}.batch_size", allow_zero=True)
        if str(p.order).lower() not in ORDERS:
            raise PdpError(f"{where}.order: expected one of {', '.join(ORDERS)}, got {p.order!r}")
        p.order = str(p.order).lower()
        p.max_epochs = positive_int(p.max_epochs, f"{where}.max_epochs", allow_zero=True)
        if p.error_criterion is not None:
            p.error_criterion = real(p.error_criterion, f"{where}.error_criterion", minimum=0)
        if p.output_criterion is not None:
            p.output_criterion = real(p.output_criterion, f"{where}.output_criterion", minimum=0)
        return p

    @classmethod
    def from_dict(cls, d: dict, where: str = "training") -> "TrainingParams":
        known = {f.name for f in fields(cls)}
        for k in d:
            if k not in known:
                raise PdpError(f"{where}: unknown key '{k}'; expected one of {', '.join(sorted(known))}")
        return cls(**d).validated(where)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainingResult:
    """What a call to :func:`train` did.

    ``errors[k]`` is the total error of epoch ``epochs[k]`` (1-based).
    """

    epochs: np.ndarray
    errors: np.ndarray
    stopped: str
    params: TrainingParams
    max_output_distance: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def final_error(self) -> float:
        return float(self.errors[-1]) if len(self.errors) else float("nan")

    @property
    def n_epochs(self) -> int:
        return int(self.epochs[-1]) if len(self.epochs) else 0

    @property
    def converged(self) -> bool:
        return self.stopped in ("error_criterion", "output_criterion")

    def _repr_html_(self) -> str:
        """A rich display in Jupyter notebooks."""
        from pdpsim.viewer.jupyter import training_result_html
        return training_result_html(self)

    def history(self):
        """The error curve as a pandas DataFrame (columns ``epoch``, ``error``)."""
        import pandas as pd
        data = {"epoch": self.epochs, "error": self.errors}
        if len(self.max_output_distance):
            data["max_output_distance"] = self.max_output_distance
        return pd.DataFrame(data)


def feedforward_arrays(net: Network, examples: ExampleSet) -> tuple[dict, dict]:
    """Check ``examples`` against ``net`` and return 2-D (examples, units) inputs and targets."""
    sizes = {g.name: g.size for g in net.groups.values()}
    examples.check_against(sizes, [g.name for g in net.input_groups], [g.name for g in net.output_groups])
    if examples.max_events != 1:
        raise PdpError(f"example set '{examples.name}' has examples of {examples.max_events} events; "
                       f"network '{net.name}' is feed-forward and takes one event per example")
    inputs = {g: np.ascontiguousarray(a[:, 0, :], dtype=net.dtype) for g, a in examples.inputs.items()}
    targets = {g: np.ascontiguousarray(a[:, 0, :], dtype=net.dtype) for g, a in examples.targets.items()}
    for g, a in inputs.items():
        check_no_nan(a, f"example set '{examples.name}': inputs for group '{g}'", examples.names)
    return inputs, targets


def _max_distance(net: Network) -> float:
    worst = 0.0
    for g in net.output_groups:
        d = np.abs(g.output - g.target)
        if np.isnan(d).any():
            d = np.nan_to_num(d, nan=0.0)
        worst = max(worst, float(d.max()))
    return worst


Callback = Callable[[int, float, Network], bool | None]


class _FeedForwardSteps:
    """One update of a feed-forward network on a batch of examples."""

    def __init__(self, net: Network, examples: ExampleSet, params: TrainingParams):
        self.net = net
        self.inputs, self.targets = feedforward_arrays(net, examples)
        self.hebb = params.rule == "hebb"
        if self.hebb and any(g.kind == "HIDDEN" for g in net.groups.values()):
            raise PdpError(f"training.rule: the Hebb rule needs targets for every receiving group; network "
                           f"'{net.name}' has hidden groups (use rule: backprop)")

    def run(self, sel, want_distance: bool) -> tuple[float, float]:
        net = self.net
        net.forward({g: x[sel] for g, x in self.inputs.items()})
        net.set_targets({g: t[sel] for g, t in self.targets.items()})
        total = float(net.error().sum())
        worst = _max_distance(net) if want_distance else 0.0
        if self.hebb:
            net.hebbian_deriv()
        else:
            net.backward()
        return total, worst


class _TimeSteps:
    """One update of a network in time: every tick forward, then back through time."""

    def __init__(self, net: Network, examples: ExampleSet, params: TrainingParams):
        from pdpsim.dynamics import unfolding
        if params.rule != "backprop":
            raise PdpError("training.rule: networks in time learn by backpropagation through time (rule: backprop)")
        unfolding.check_examples(net, examples)
        self.u = unfolding
        self.net, self.examples = net, examples
        # the plain numpy reference when asked for (backend: numpy), else fused compiled steps
        self.unf = unfolding.Unfolded(net, fused=False if params.backend == "numpy" else None)
        self.tables = unfolding.tables(net, examples)

    def run(self, sel, want_distance: bool) -> tuple[float, float]:
        idx = np.arange(len(self.examples))[sel] if isinstance(sel, slice) else np.asarray(sel)
        sched = self.u.schedule_for(self.net, self.examples, self.tables, idx)
        total = float(self.unf.forward(sched).sum())
        worst = 0.0
        if want_distance:
            for g, y in sched.targets.items():
                d = np.abs(self.net.groups[g].output_history - y)
                if np.isfinite(d).any():
                    worst = max(worst, float(np.nanmax(d)))
        self.unf.backward(sched)
        return total, worst


class _SrnSteps:
    """A simple recurrent network: the events of a batch of examples in lockstep, each one
    feed-forward pass with the CONTEXT groups holding the previous event's copies."""

    updates_weights = False

    def __init__(self, net: Network, examples: ExampleSet, params: TrainingParams):
        if params.rule != "backprop":
            raise PdpError("training.rule: simple recurrent networks learn by backpropagation (rule: backprop)")
        sizes = {g.name: g.size for g in net.groups.values()}
        examples.check_against(sizes, [g.name for g in net.input_groups], [g.name for g in net.output_groups])
        self.net, self.examples, self.params = net, examples, params
        self.contexts = [g for g in net.groups.values() if g.kind == "CONTEXT"]
        present = np.arange(examples.max_events)[None, :] < examples.n_events[:, None]      # (n, E)
        self.inputs = {}
        for g, a in examples.inputs.items():
            for i in range(len(examples)):
                check_no_nan(a[i, :examples.n_events[i]], f"example set '{examples.name}': inputs for group "
                             f"'{g}', example '{examples.names[i]}'")
            self.inputs[g] = np.where(present[..., None], np.nan_to_num(a), 0.0).astype(net.dtype)
        self.targets = {g: np.where(present[..., None], a, np.nan).astype(net.dtype)
                        for g, a in examples.targets.items()}
        self.present = present
        self.updates_weights = params.update == "event"
        self.accum = {b.name: np.zeros_like(b.weights) for b in net.blocks}
        #: per example and event, the error of the last pass (for analyses of prediction error)
        self.event_errors = np.full(present.shape, np.nan)

    def feed(self, idx: np.ndarray, e: int) -> dict:
        """Event ``e``'s inputs for examples ``idx``, with each CONTEXT group holding its copy of
        the previous event's output (its ``init_output`` on the first event)."""
        feed = {g: x[idx, e] for g, x in self.inputs.items()}
        for c in self.contexts:
            feed[c.name] = (np.full((len(idx), c.size), _context_init(c)) if e == 0
                            else c.copy_from.output.copy())
        return feed

    def run(self, sel, want_distance: bool) -> tuple[float, float]:
        net, p = self.net, self.params
        idx = np.arange(len(self.examples))[sel] if isinstance(sel, slice) else np.asarray(sel)
        n_ev = int(self.examples.n_events[idx].max())
        total, worst = 0.0, 0.0
        blocks = net.blocks
        if not self.updates_weights:
            for a in self.accum.values():
                a.fill(0.0)
        for e in range(n_ev):
            net.forward(self.feed(idx, e))
            net.set_targets({g: t[idx, e] for g, t in self.targets.items()})
            err = net.error()
            self.event_errors[idx, e] = np.where(self.present[idx, e], err, np.nan)
            total += float(err.sum())
            if want_distance:
                worst = max(worst, _max_distance(net))
            net.backward()
            if self.updates_weights:
                update_weights(blocks, p.algorithm, p.learning_rate, p.momentum, p.weight_decay)
                _apply_link_lesions(blocks)
            else:
                for b in blocks:
                    self.accum[b.name] += b.weight_deriv
        if not self.updates_weights:
            for b in blocks:
                b.weight_deriv[...] = self.accum[b.name]
        return total, worst


def _context_init(g) -> float:
    return 0.5 if g.init_output is None else g.init_output


def _steps(net: Network, examples: ExampleSet, params: TrainingParams):
    if net.time is not None and net.time.mode == "srn":
        return _SrnSteps(net, examples, params)
    if net.time is not None:
        return _TimeSteps(net, examples, params)
    return _FeedForwardSteps(net, examples, params)


def _apply_link_lesions(blocks) -> None:
    for b in blocks:
        if b.mask is not None:
            b.weights *= b.mask


def _stop_reason(params: TrainingParams, error: float, worst: float, epoch: int, net: Network,
                 cbs: list) -> str | None:
    """Why training stops after this epoch (None: it goes on)."""
    if not np.isfinite(error):
        return "diverged"
    if params.error_criterion is not None and error <= params.error_criterion:
        return "error_criterion"
    if params.output_criterion is not None and worst <= params.output_criterion:
        return "output_criterion"
    if cbs and any(cb(epoch, error, net) for cb in cbs):
        return "callback"
    return None


COMPILED_WORK_LIMIT = 200_000       # batch size x links: above this, BLAS does better
COMPILED_MIN_UPDATES = 10_000       # below this, loading numba (~0.5 s) does not pay


def _use_compiled(net: Network, params: TrainingParams, bs: int, n: int, start_epoch: int = 0,
                  same_ticks: bool = False) -> bool:
    """Whether ``auto`` takes the compiled loop: it supports the network, the work per update is
    small enough that BLAS would not do better (no limit for a network in time whose examples
    all run ``same_ticks``: its batch kernel calls BLAS itself), and the run is long enough to
    repay loading numba."""
    if params.backend == "numpy" or params.backend.startswith("array:"):
        return False
    from pdpsim.engines.compiled import flat as compiled
    why = compiled.unsupported(net, params)
    if params.backend == "compiled":
        if not compiled.available():
            raise PdpError("training.backend: compiled needs numba, which is not installed")
        if why:
            raise PdpError(f"training.backend: the compiled loop does not support {why}; use numpy or auto")
        return True
    updates = (params.max_epochs - start_epoch) * -(-n // bs)
    if net.time is not None:                    # a numpy update of a network in time costs a pass per tick
        updates *= max(1, int(round(net.time.intervals * net.time.ticks_per_interval)))
    small = bs * net.n_links <= COMPILED_WORK_LIMIT or (net.time is not None and bs > 1 and same_ticks)
    return why is None and small and updates >= COMPILED_MIN_UPDATES and compiled.available()


def _same_ticks(net: Network, examples: ExampleSet) -> bool:
    """Whether every example of a network in time runs the same number of ticks."""
    if net.time is None or net.time.mode != "continuous":
        return False
    from pdpsim.dynamics import unfolding
    try:
        ticks = unfolding.tables(net, examples).ticks.sum(axis=1)
    except PdpError:
        return False
    return bool((ticks == ticks[0]).all())


def resolve_backend(net: Network, examples: ExampleSet, params: TrainingParams, start_epoch: int = 0) -> str:
    """Which loop ``train`` would run: "compiled" or "numpy" (decide once for a run trained in chunks,
    and pass it as ``backend=`` so every chunk takes the same path); "array:<namespace>" as given."""
    params = params.validated()
    if params.backend.startswith("array:"):
        return params.backend
    n = len(examples)
    bs = n if params.batch_size == 0 or params.batch_size >= n else params.batch_size
    return "compiled" if _use_compiled(net, params, bs, n, start_epoch, _same_ticks(net, examples)) else "numpy"


def _train_compiled(net, examples, params, bs, cbs, progress, start_epoch) -> TrainingResult:
    """Whole epochs in the numba loop, in chunks; the same example orders as the numpy path."""
    from pdpsim.engines.compiled.flat import CompiledNet, CompiledTimeNet
    if net.time is not None:
        cn = CompiledTimeNet(net, examples, params)
    else:
        inputs, targets = feedforward_arrays(net, examples)
        cn = CompiledNet(net, inputs, targets, params)
    n = len(examples)
    rng = net.rng
    probs = examples.frequencies / examples.frequencies.sum() if params.order == "random" else None
    epochs, errors, distances = [], [], []
    stopped = "max_epochs"
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=params.max_epochs, initial=start_epoch, unit="epoch", leave=False, dynamic_ncols=True)
    epoch = start_epoch
    chunk_max = 1 if cbs else 1000
    try:
        while epoch < params.max_epochs:
            chunk = min(chunk_max, params.max_epochs - epoch)
            orders = None
            if params.order != "ordered":
                state = rng.bit_generator.state
                draw = (lambda: rng.permutation(n)) if params.order == "permuted" else (
                    lambda: rng.choice(n, size=n, p=probs))
                orders = np.stack([draw() for _ in range(chunk)]).astype(np.int64)
            done, errs, dists = cn.run(orders, chunk, bs, params.error_criterion, params.output_criterion)
            if orders is not None and done < chunk:
                rng.bit_generator.state = state       # leave the generator where the numpy path would
                for _ in range(done):
                    draw()
            epochs.extend(range(epoch + 1, epoch + done + 1))
            errors.extend(errs.tolist())
            if params.output_criterion is not None:
                distances.extend(dists.tolist())
            epoch += done
            if bar is not None:
                bar.update(done)
                bar.set_postfix_str(f"error {errors[-1]:.5g}", refresh=False)
            last = errors[-1]
            why = _stop_reason(params, last, distances[-1] if distances else 0.0, epoch, net, cbs)
            if why:
                stopped = why
                break
    finally:
        if bar is not None:
            bar.close()
    return TrainingResult(np.asarray(epochs, dtype=int), np.asarray(errors), stopped, params,
                          np.asarray(distances))


def train(net: Network, examples: ExampleSet, params: TrainingParams | None = None, *,
          callbacks: Iterable[Callback] = (), progress: bool = False, start_epoch: int = 0,
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

    Returns
    -------
    TrainingResult
        Holds only the epochs run by this call.
    """
    if net.ensemble:
        raise PdpError("train(): an ensemble network is trained with pdpsim.training.ensemble.train")
    params = replace(params or TrainingParams(), **overrides).validated()
    n = len(examples)
    if n == 0:
        raise PdpError(f"example set '{examples.name}' is empty")
    if params.backend.startswith("array:"):                  # an Array API namespace (a GPU): its own loop
        from pdpsim.engines.array_api import engine as array_backend
        return array_backend.train(net, examples, params, callbacks=callbacks, progress=progress,
                                   start_epoch=start_epoch)
    bs = n if params.batch_size == 0 or params.batch_size >= n else params.batch_size
    if _use_compiled(net, params, bs, n, start_epoch, _same_ticks(net, examples)):
        return _train_compiled(net, examples, params, bs, list(callbacks), progress, start_epoch)
    steps = _steps(net, examples, params)
    probs = examples.frequencies / examples.frequencies.sum() if params.order == "random" else None
    want_distance = params.output_criterion is not None
    blocks = net.blocks
    lesioned = any(b.mask is not None for b in blocks)
    algorithm, lr, mom, decay = params.algorithm, params.learning_rate, params.momentum, params.weight_decay
    rng = net.rng
    cbs = list(callbacks)

    epochs, errors, distances = [], [], []
    stopped = "max_epochs"
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=params.max_epochs, initial=start_epoch, unit="epoch", leave=False, dynamic_ncols=True)
    try:
        for epoch in range(start_epoch + 1, params.max_epochs + 1):
            if params.order == "ordered":
                order = None
            elif params.order == "permuted":
                order = rng.permutation(n)
            else:
                order = rng.choice(n, size=n, p=probs)
            total = 0.0
            worst = 0.0
            for start in range(0, n, bs):
                sel = slice(start, min(start + bs, n)) if order is None else order[start:start + bs]
                e, w = steps.run(sel, want_distance)
                total += e
                worst = max(worst, w)
                if not getattr(steps, "updates_weights", False):
                    update_weights(blocks, algorithm, lr, mom, decay)
                    if lesioned:
                        _apply_link_lesions(blocks)
            epochs.append(epoch)
            errors.append(total)
            if want_distance:
                distances.append(worst)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"error {total:.5g}", refresh=False)
            why = _stop_reason(params, total, worst, epoch, net, cbs)
            if why:
                stopped = why
                break
    finally:
        if bar is not None:
            bar.close()
    return TrainingResult(np.asarray(epochs, dtype=int), np.asarray(errors), stopped, params,
                          np.asarray(distances))


@dataclass
class TestResult:
    """Outputs and errors of every example (one forward pass, no learning)."""

    names: list[str]
    outputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    errors: np.ndarray
    #: simple recurrent networks: outputs per example and event (n, events, units), and errors (n, events)
    event_outputs: dict | None = None
    event_errors: np.ndarray | None = None
    __test__ = False  # not a pytest class

    @property
    def total_error(self) -> float:
        return float(self.errors.sum())

    def table(self):
        """One row per example: its outputs, targets and error (pandas DataFrame)."""
        import pandas as pd
        rows = {"example": self.names}
        for g, a in self.outputs.items():
            for j in range(a.shape[-1]):
                rows[f"{g}:{j}"] = a[:, j]
        for g, a in self.targets.items():
            for j in range(a.shape[-1]):
                rows[f"target {g}:{j}"] = a[:, j]
        rows["error"] = self.errors
        return pd.DataFrame(rows)


def test(net: Network, examples: ExampleSet) -> TestResult:
    """Run every example and report outputs and errors (Lens's ``test``).

    Networks in time report the outputs of the last tick (simple recurrent networks:
    of the last event) and the error summed over ticks (events); the whole history
    stays in each group's ``output_history``.
    """
    if net.time is not None and net.time.mode == "continuous":
        from pdpsim.dynamics.unfolding import run_examples
        errors, unf, sched = run_examples(net, examples)
        outs = {g.name: g.output.copy() for g in net.output_groups}
        targets = {}
        for g in net.output_groups:
            y = sched.targets[g.name]
            # the last target each example had
            last = np.full(y.shape[1:], np.nan)
            for t in range(y.shape[0]):
                has = ~np.isnan(y[t])
                last = np.where(has, y[t], last)
            targets[g.name] = last
        return TestResult(list(examples.names), outs, targets, np.asarray(errors))
    if net.time is not None and net.time.mode == "srn":
        steps = _SrnSteps(net, examples, TrainingParams())
        outs = {g.name: np.full((len(examples), examples.max_events, g.size), np.nan) for g in net.output_groups}
        idx = np.arange(len(examples))
        for e in range(examples.max_events):
            net.forward(steps.feed(idx, e))
            net.set_targets({g: t[idx, e] for g, t in steps.targets.items()})
            steps.event_errors[:, e] = np.where(steps.present[:, e], net.error(), np.nan)
            for g in net.output_groups:
                outs[g.name][:, e] = g.output
        last = examples.n_events - 1
        return TestResult(list(examples.names), {g: o[idx, last] for g, o in outs.items()},
                          {g: t[idx, last] for g, t in steps.targets.items()}, np.nansum(steps.event_errors, axis=1),
                          event_outputs=outs, event_errors=steps.event_errors)
    inputs, targets = feedforward_arrays(net, examples)
    net.forward(inputs)
    net.set_targets(targets)
    errors = net.error()
    return TestResult(list(examples.names), {g.name: g.output.copy() for g in net.output_groups},
                      {g: t.copy() for g, t in targets.items()}, np.asarray(errors))


test.__test__ = False  # keep pytest from collecting this function when imported into a test module
