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

Every run is recorded in the run index (:mod:`pdpsim.records.run_index`).
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np

from pdpsim.records import run_index
from pdpsim.records.checkpoint import (check_compatible, clean_temporary, load_checkpoint, remove_checkpoint, restore,
                         save_checkpoint)
from pdpsim.formats.spec import load
from pdpsim.training.params import TrainingResult
from pdpsim.training.testing import test
from pdpsim.training.loop import train
from pdpsim.validation import PdpError, atomic_write, positive_int
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


def train_run(spec: str | Path, out: Path, seed: int | None = None, progress: bool = False, *,
              resume: bool = False, checkpoint_every: int | None = None, **overrides) -> str:
    """Train a spec and write the run to ``out``; return a short summary.

    ``checkpoint_every``: write a checkpoint every so many epochs (and at the end).
    ``resume``: go on from the checkpoint in ``out`` (refused if the spec, the seed or
    the training parameters other than ``max_epochs`` differ from the checkpoint's);
    without a checkpoint there, train from the start. The checkpoint interval is
    the checkpoint's unless ``checkpoint_every`` is given.
    """
    from pdpsim.analysis import figures
    model = load(spec, seed=seed)
    params = replace(model.training, **overrides).validated("training")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PdpError(f"--out '{out}': exists and is not a folder")
    if checkpoint_every is not None:
        checkpoint_every = positive_int(checkpoint_every, "--checkpoint-every")
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
    if ckpt is None:
        run_index.try_record(run_id, start_time=run_index.now(), status="running", **index_fields)
    else:
        run_index.try_record(run_id, status="running", **index_fields)

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
        result = train_with_checkpoints(net, model.examples, run_params, every=checkpoint_every,
                                        start_epoch=start_epoch, on_checkpoint=checkpoint,
                                        progress=progress, prior=ckpt)
    seconds = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    if checkpoint_every:
        checkpoint(result.n_epochs, result, stopped=result.stopped)
    with atomic_write(out / "error.csv") as f:
        result.history().to_csv(f, index=False)
    save_weights(net, out / "weights.npz")
    figures.error_curves({net.name: (result.epochs, result.errors)}, out / "error.png",
                         title=f"{net.name}: total error per epoch")
    meta = {
        "spec": {k: v for k, v in model.spec.data.items() if k != "_dir"},
        "spec_source": model.spec.source,
        "spec_hash": spec_hash,
        "seed": net.seed,
        "training": training,
        "stopped": result.stopped,
        "epochs": result.n_epochs,
        "final_error": result.final_error,
        "train_seconds": seconds,
        "run_id": run_id,
        "checkpoint_every": checkpoint_every,
        "resumed_from_epoch": start_epoch if ckpt is not None else None,
    }
    with atomic_write(out / "run.json") as f:
        json.dump(meta, f, indent=2, default=str)
    run_index.try_record(run_id, end_time=run_index.now(), status="done", stopped=result.stopped,
                         final_error=result.final_error, epochs=result.n_epochs, converged=result.converged,
                         seconds=seconds_before + seconds)
    files = [out / "error.csv", out / "weights.npz", out / "error.png", out / "run.json"]
    if checkpoint_every:
        files.append(out / "checkpoint.json")
    lines = [f"{net.name}: {result.n_epochs} epochs, final error {result.final_error:.6g}, "
             f"stopped by {result.stopped} ({seconds:.2f} s)"]
    lines += notes
    lines.append(f"wrote {', '.join(str(f) for f in files)}")
    return "\n".join(lines)


def test_report(spec: str | Path, weights: str | Path | None = None) -> str:
    """Each example's outputs, targets and error as a text table."""
    model = load(spec)
    if weights is not None:
        load_weights(model.network, weights)
    res = test(model.network, model.examples)
    table = res.table()
    import pandas as pd
    with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 160,
                           "display.float_format", "{:.4f}".format):
        body = table.to_string(index=False)
    return f"{body}\n\ntotal error {res.total_error:.6g} over {len(res.names)} examples"
