"""A training run on disk: what ``pdpsim train`` writes and ``pdpsim test`` reads.

A run folder holds ``error.csv`` (epoch, error), ``weights.npz`` (final
weights), ``error.png`` (the error curve), ``run.json`` (the spec, the
training parameters actually used, the seed, how training stopped). Every file
is written atomically.

With ``checkpoint_every=N`` (``pdpsim train --checkpoint-every N``) the run
also writes a checkpoint every N epochs and once more at the end
(``checkpoint.json`` and ``checkpoint-EPOCH.npz``, see :mod:`pdpsim.records.checkpoint`);
``resume=True`` (``--resume``) goes on from the checkpoint in the folder and
ends with the weights and error curve an uninterrupted run would have.

Every run is recorded in the run index (:mod:`pdpsim.records.run_index`): ``running``
(with this process's id) when it starts, ``done`` when it is written, ``failed`` when it
stops with an error or an interrupt; a run whose process was killed is marked ``died``
when the index is next listed (:func:`pdpsim.records.run_index.mark_dead`).

``error.csv`` is written by :func:`write_error_csv`, which refuses an error curve whose
epochs repeat or go backwards (a resumed run whose checkpoint and new epochs overlap)
instead of writing it.

The run's error is reported twice: ``final_error``, the error summed during the last
epoch as training went (before that epoch's weight changes; the last row of
``error.csv``), and ``final_weights_error``, the error of one test pass with the final
weights (what ``pdpsim test`` prints). ``run.json`` is strict JSON: an error that is not
finite is written as null.
"""
from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pdpsim.records import run_index
from pdpsim.records.checkpoint import (check_compatible, clean_temporary, load_checkpoint, remove_checkpoint, restore,
                         save_checkpoint)
from pdpsim.formats.spec import load
from pdpsim.training.params import TrainingResult
from pdpsim.training.testing import test
from pdpsim.training.loop import train
from pdpsim.validation import PdpError, atomic_write, positive_int, write_json
from pdpsim.records.weights import load_weights, save_weights


def _concat(parts: list[TrainingResult], params, stopped: str, prior=None) -> TrainingResult:
    ep = [np.asarray(prior.epochs, dtype=int)] if prior is not None else []
    er = [np.asarray(prior.errors, dtype=float)] if prior is not None else []
    di = [np.asarray(prior.distances, dtype=float)] if prior is not None else []
    for r in parts:
        ep.append(np.asarray(r.epochs, dtype=int))
        er.append(np.asarray(r.errors, dtype=float))
        di.append(np.asarray(r.max_output_distance, dtype=float))
    cat = (lambda xs, dt: np.concatenate(xs) if xs else np.zeros(0, dtype=dt))
    return TrainingResult(cat(ep, int), cat(er, float), stopped, params, cat(di, float))


def check_epochs(epochs, where: str) -> np.ndarray:
    """``epochs`` as integers if they strictly increase from 1 or more; else a PdpError naming
    ``where`` and the first epoch out of order (an error curve never repeats an epoch)."""
    e = np.asarray(epochs)
    if e.ndim != 1:
        raise PdpError(f"{where}: expected one epoch number per row, got an array of shape {e.shape}")
    if e.size == 0:
        return e.astype(np.int64)
    if not np.issubdtype(e.dtype, np.number) or not np.all(np.isfinite(e)) or np.any(e != np.round(e)):
        raise PdpError(f"{where}: epoch numbers must be whole numbers")
    e = e.astype(np.int64)
    if e[0] < 1:
        raise PdpError(f"{where}: the first epoch is {int(e[0])}, expected 1 or more")
    bad = np.flatnonzero(np.diff(e) <= 0)
    if bad.size:
        i = int(bad[0])
        raise PdpError(f"{where}: epoch {int(e[i + 1])} follows epoch {int(e[i])} (row {i + 2}); the epochs of "
                       "an error curve must increase (a resumed run whose checkpoint overlaps the epochs it "
                       "trained?); nothing written")
    return e


def error_csv_text(result: TrainingResult, where: str = "error.csv") -> str:
    """The error curve of ``result`` as ``error.csv`` text (``epoch,error[,max_output_distance]``);
    a PdpError if its epochs repeat or go backwards, or its columns differ in length."""
    check_epochs(result.epochs, where)
    n = len(result.epochs)
    if len(result.errors) != n or (len(result.max_output_distance) not in (0, n)):
        raise PdpError(f"{where}: {n} epochs but {len(result.errors)} errors and "
                       f"{len(result.max_output_distance)} output distances; nothing written")
    return result.history().to_csv(index=False)


def write_error_csv(path: str | Path, result: TrainingResult) -> Path:
    """Write ``error.csv`` atomically; refused (nothing written) if its epochs would not increase."""
    text = error_csv_text(result, f"error curve for '{path}'")
    with atomic_write(path) as f:
        f.write(text)
    return Path(path)


def resolve_backend(net, examples, params):
    """``params`` with ``backend: auto`` replaced by the backend one :func:`pdpsim.train` call
    over all of ``params.max_epochs`` would pick.

    The automatic choice may depend on the number of epochs; a run trained in
    chunks (checkpoints) or resumed must keep the choice of the whole run, or its
    numbers would differ from an uninterrupted run's in the last bits.
    """
    from pdpsim.training.loop import resolve_backend as choose
    if params.backend != "auto":
        return params
    return replace(params, backend=choose(net, examples, params))


def train_with_checkpoints(net, examples, params, *, every: int | None, start_epoch: int = 0,
                           on_checkpoint=None, progress: bool = False, prior=None) -> TrainingResult:
    """Train, calling ``on_checkpoint(epoch, result_so_far)`` after every epoch that is a multiple
    of ``every`` and does not end training (the training loop's own checkpoints).

    ``prior`` (a :class:`~pdpsim.records.checkpoint.Checkpoint`) supplies the curve of the
    epochs before ``start_epoch``; the result holds the whole curve. A run resumed or
    checkpointed keeps the backend ``auto`` would choose for the whole run, so that its numbers
    are those of one uninterrupted run.
    """
    user_params = params
    if every or start_epoch:
        params = resolve_backend(net, examples, params)
    hook = None
    if every and on_checkpoint is not None:
        def hook(epoch: int, so_far: TrainingResult) -> None:
            on_checkpoint(epoch, _concat([so_far], user_params, "max_epochs", prior))
    r = train(net, examples, params, progress=progress, start_epoch=start_epoch, checkpoint_every=every or None,
              on_checkpoint=hook)
    return _concat([r], user_params, r.stopped, prior)


@dataclass
class TrainedRun:
    """What :func:`run_training` did: the summary it prints, the training result, the error
    with the final weights, and why training failed (None: it did not)."""

    text: str
    result: TrainingResult
    final_weights_error: float
    failure: str | None = None


def train_run(spec: str | Path, out: Path, seed: int | None = None, progress: bool = False, *,
              resume: bool = False, checkpoint_every: int | None = None, **kw) -> str:
    """Train a spec and write the run to ``out``; return a short summary (see :func:`run_training`)."""
    return run_training(spec, out, seed, progress, resume=resume, checkpoint_every=checkpoint_every, **kw).text


def run_training(spec: str | Path, out: Path, seed: int | None = None, progress: bool = False, *,
                 resume: bool = False, checkpoint_every: int | None = None, weights: str | Path | None = None,
                 require_criterion: bool = False, **overrides) -> TrainedRun:
    """Train a spec and write the run to ``out``.

    ``checkpoint_every``: write a checkpoint every so many epochs (and at the end).
    ``resume``: go on from the checkpoint in ``out`` (refused if the spec, the seed or
    the training parameters other than ``max_epochs`` differ from the checkpoint's);
    without a checkpoint there, train from the start. The checkpoint interval is
    the checkpoint's unless ``checkpoint_every`` is given.
    ``weights``: start from these saved weights (a ``weights.npz``) instead of the spec's.
    ``require_criterion``: training that stops without meeting its criterion has failed
    (refused, before training, for a spec that sets none).

    The run is written whatever happened; ``failure`` says why training failed (it
    diverged, or its criterion was required and not met).
    """
    model = load(spec, seed=seed)
    params = replace(model.training, **overrides).validated("training")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PdpError(f"--out '{out}': exists and is not a folder")
    if checkpoint_every is not None:
        checkpoint_every = positive_int(checkpoint_every, "--checkpoint-every")
    if require_criterion and params.error_criterion is None and params.output_criterion is None:
        raise PdpError("--require-criterion: the spec sets no criterion to meet (training.error_criterion or "
                       "training.output_criterion)")
    if weights is not None:
        if resume:
            raise PdpError("--weights: a resumed run goes on from its checkpoint's weights; give --weights "
                           "or --resume, not both")
        load_weights(model.network, weights)
    net, spec_hash, training = model.network, model.spec.digest, params.to_dict()
    ckpt, notes = None, []
    if out.is_dir():
        clean_temporary(out)
        ckpt = load_checkpoint(out)
        if not resume:
            if ckpt is not None and not ckpt.finished:
                raise PdpError(f"--out '{out}' holds the checkpoint of an unfinished run (epoch {ckpt.epoch}): "
                               "add --resume to go on from it, or train into another folder")
            if ckpt is not None:
                remove_checkpoint(out)          # a finished run's, which this run replaces
            ckpt = None
    if resume:
        if ckpt is None:
            notes.append(f"no checkpoint in {out}: trained from the start")
        else:
            check_compatible(ckpt, spec_hash, training, net.seed)
            restore(net, ckpt)
            if checkpoint_every is None:
                checkpoint_every = ckpt.checkpoint_every
            notes.append(f"resumed from the checkpoint at epoch {ckpt.epoch}")
    run_id = (ckpt.run_id if ckpt is not None and ckpt.run_id else None) or uuid.uuid4().hex
    start_epoch = ckpt.epoch if ckpt is not None else 0
    name = str(model.spec.data.get("name", net.name))
    index_fields = dict(kind="train", spec_hash=spec_hash, spec_name=name, spec_source=model.spec.source,
                        params=training, seed=net.seed, path=str(out.resolve()))
    if ckpt is not None:                        # the curve the resumed epochs follow must end at its epoch
        prior = check_epochs(ckpt.epochs, f"checkpoint in '{out}'")
        if len(prior) and int(prior[-1]) != start_epoch:
            raise PdpError(f"checkpoint in '{out}': its error curve ends at epoch {int(prior[-1])} but it is the "
                           f"checkpoint of epoch {start_epoch}; resuming would repeat epochs. Train into another "
                           "folder")
    # the process id lets `pdpsim runs` tell a run still going from one whose process was killed
    if ckpt is None:
        run_index.try_record(run_id, start_time=run_index.now(), status="running", pid=os.getpid(),
                             **index_fields)
    else:
        run_index.try_record(run_id, status="running", end_time=None, pid=os.getpid(), **index_fields)
    try:
        return _train_and_write(model, params, out, run_id, ckpt, notes, spec_hash, training, weights,
                                checkpoint_every, progress, require_criterion, start_epoch)
    except BaseException:
        run_index.try_record(run_id, status="failed", end_time=run_index.now())
        raise


def _train_and_write(model, params, out: Path, run_id: str, ckpt, notes: list, spec_hash: str, training: dict,
                     weights, checkpoint_every, progress: bool, require_criterion: bool,
                     start_epoch: int) -> TrainedRun:
    """The part of :func:`run_training` after the run is registered in the index."""
    from pdpsim.analysis import figures
    net = model.network

    seconds_before = float(ckpt.extra.get("seconds", 0.0)) if ckpt is not None else 0.0

    def checkpoint(epoch: int, so_far: TrainingResult, stopped: str | None = None) -> None:
        save_checkpoint(out, net, epoch=epoch, epochs=so_far.epochs, errors=so_far.errors,
                        distances=so_far.max_output_distance, spec_hash=spec_hash, training=training,
                        seed=net.seed, run_id=run_id, checkpoint_every=checkpoint_every, stopped=stopped,
                        extra={"seconds": seconds_before + time.perf_counter() - t0, "backend": backend})

    run_params = params
    if checkpoint_every or ckpt is not None:
        stored = ckpt.extra.get("backend") if ckpt is not None else None
        run_params = (replace(params, backend=stored) if stored and getattr(params, "backend", None) == "auto"
                      else resolve_backend(net, model.examples, params))
    backend = getattr(run_params, "backend", None)

    t0 = time.perf_counter()
    done_before = ckpt is not None and ckpt.finished and (ckpt.stopped != "max_epochs"
                                                          or ckpt.epoch >= params.max_epochs)
    if done_before:
        notes[-1] = f"the checkpoint at epoch {ckpt.epoch} is of a finished run: outputs rewritten"
        result = _concat([], params, ckpt.stopped, ckpt)
    else:
        out.mkdir(parents=True, exist_ok=True)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):       # divergence is reported below
            result = train_with_checkpoints(net, model.examples, run_params, every=checkpoint_every,
                                            start_epoch=start_epoch, on_checkpoint=checkpoint,
                                            progress=progress, prior=ckpt)
    seconds = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    curve = error_csv_text(result, f"error curve for '{out / 'error.csv'}'")    # refused before anything
    if checkpoint_every:                                                        # is written
        checkpoint(result.n_epochs, result, stopped=result.stopped)
    with atomic_write(out / "error.csv") as f:
        f.write(curve)
    save_weights(net, out / "weights.npz")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):       # after the checkpoint: a test
        final_weights_error = test(net, model.examples).total_error        # pass with noise draws numbers
    figures.error_curves({net.name: (result.epochs, result.errors)}, out / "error.png",
                         title=f"{net.name}: total error per epoch")
    spec_dir = model.spec.data.get("_dir")
    meta = {
        "spec": {k: v for k, v in model.spec.data.items() if k != "_dir"},
        "spec_source": model.spec.source,
        "spec_dir": str(Path(spec_dir).resolve()) if spec_dir else None,
        "spec_hash": spec_hash,
        "seed": net.seed,
        "training": training,
        "initial_weights": str(weights) if weights is not None else None,
        "stopped": result.stopped,
        "epochs": result.n_epochs,
        "final_error": result.final_error if result.n_epochs else None,
        "final_weights_error": final_weights_error,
        "train_seconds": seconds,
        "run_id": run_id,
        "checkpoint_every": checkpoint_every,
        "resumed_from_epoch": start_epoch if ckpt is not None else None,
    }
    write_json(out / "run.json", meta)
    run_index.try_record(run_id, end_time=run_index.now(), status="done", stopped=result.stopped,
                         final_error=result.final_error, epochs=result.n_epochs, converged=result.converged,
                         seconds=seconds_before + seconds)
    files = [out / "error.csv", out / "weights.npz", out / "error.png", out / "run.json"]
    if checkpoint_every:
        files.append(out / "checkpoint.json")
    n = result.n_epochs
    if n:
        lines = [(f"{net.name}: {n} epoch{'s' if n != 1 else ''}, final error {result.final_error:.6g}, "
                  f"stopped by {result.stopped} ({seconds:.2f} s)")]
        if np.isfinite(final_weights_error):
            lines.append(f"(the final error is summed during epoch {n}, before that epoch's weight changes; "
                         f"{final_weights_error:.6g} with the final weights)")
    else:
        lines = [(f"{net.name}: no epochs run (max_epochs {params.max_epochs}); error {final_weights_error:.6g} "
                  f"with the initial weights ({seconds:.2f} s)")]
    lines += notes
    failure = _failure(result, params, require_criterion)
    hint = None if failure else _hint(result, net)
    if hint:
        lines.append(f"note: {hint}")
    lines.append(f"wrote {', '.join(str(f) for f in files)}")
    return TrainedRun("\n".join(lines), result, final_weights_error, failure)


def _criterion(params) -> str:
    parts = []
    if params.error_criterion is not None:
        parts.append(f"error_criterion {params.error_criterion:g}")
    if params.output_criterion is not None:
        parts.append(f"output_criterion {params.output_criterion:g}")
    return " or ".join(parts)


def _failure(result: TrainingResult, params, require_criterion: bool) -> str | None:
    """Why training failed, in one line (None: it did not)."""
    if result.stopped == "diverged":
        return (f"training diverged at epoch {result.n_epochs} (the error became {result.final_error:g}): "
                f"the learning rate ({params.learning_rate:g}) may be too high")
    if require_criterion and not result.converged:
        return (f"{_criterion(params)} not met after {result.n_epochs} epochs (stopped by {result.stopped}, "
                f"final error {result.final_error:.6g})")
    return None


#: an output unit whose slope da/dn is below this is saturated
SATURATED = 1e-6


def _hint(result: TrainingResult, net) -> str | None:
    """A note for training that ended without its criterion and without the error falling
    (the last epoch's error not below the first's), or with every output saturated."""
    if result.converged or result.n_epochs == 0:
        return None
    e = np.asarray(result.errors, dtype=float)
    why = []
    if len(e) >= 2 and np.isfinite(e[0]) and np.isfinite(e[-1]) and e[-1] >= e[0]:
        why.append(f"the error did not fall (epoch {int(result.epochs[0])}: {e[0]:.6g}, "
                   f"epoch {result.n_epochs}: {e[-1]:.6g})")
    if net.time is None and all(g.output.size for g in net.output_groups):
        slopes = [np.asarray(g.function.slope(g.output, g.net_input)) for g in net.output_groups]
        if all(np.all(np.abs(s) < SATURATED) for s in slopes):
            why.append("every output is saturated (its slope is 0)")
    if not why:
        return None
    return "; ".join(why) + ": the learning rate may be too high"


def _group_values(net, examples, groups) -> dict[str, np.ndarray]:
    """The outputs of ``groups`` for every example, as a test pass leaves them: (examples, units);
    networks in time: the last tick, simple recurrent networks: each example's last event."""
    if net.time is not None and net.time.mode == "srn":
        from pdpsim.dynamics.srn import SrnExamples
        steps = SrnExamples(net, examples)
        idx = np.arange(len(examples))
        vals = {g: np.full((len(examples), examples.max_events, net.group(g).size), np.nan) for g in groups}
        for e in range(examples.max_events):
            steps.event(idx, e)
            for g in groups:
                vals[g][:, e] = net.group(g).output
        last = examples.n_events - 1
        return {g: v[idx, last] for g, v in vals.items()}
    test(net, examples)
    return {g: np.array(net.group(g).output, dtype=float) for g in groups}


def test_report(spec: str | Path, weights: str | Path | None = None, *, examples: str | Path | None = None,
                groups=(), csv: str | Path | None = None) -> str:
    """Each example's outputs, targets and error as a text table.

    ``examples``: test on these instead of the spec's (see :func:`pdpsim.formats.spec.load_examples`).
    ``groups``: also show these groups' outputs (hidden units), one column a unit.
    ``csv``: also write the table there as CSV (atomically).
    """
    from pdpsim.formats.spec import load_examples
    model = load(spec)
    net = model.network
    groups = list(dict.fromkeys(groups))
    for g in groups:
        try:
            net.group(g)
        except PdpError as e:
            raise PdpError(f"--group: {e}") from None
    if csv is not None and Path(csv).is_dir():
        raise PdpError(f"--csv '{csv}': is a folder, expected a file name")
    if weights is not None:
        load_weights(net, weights)
    xs = model.examples if examples is None else load_examples(examples, net)
    res = test(net, xs)
    table = res.table()
    shown = [g for g in groups if g not in res.outputs]
    import pandas as pd
    if shown:
        values = _group_values(net, xs, shown)
        units = pd.DataFrame({f"{g}:{j}": values[g][:, j] for g in shown for j in range(values[g].shape[-1])})
        table = pd.concat([table[["example"]], units, table.drop(columns="example")], axis=1)
    with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 160,
                           "display.float_format", "{:.4f}".format):
        body = table.to_string(index=False)
    text = f"{body}\n\ntotal error {res.total_error:.6g} over {len(res.names)} examples"
    if csv is not None:
        with atomic_write(csv) as f:
            table.to_csv(f, index=False)
        text += f"\nwrote {csv}"
    return text
