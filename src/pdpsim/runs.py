"""A training run on disk: what ``pdpsim train`` writes and ``pdpsim test`` reads.

A run folder holds ``error.csv`` (epoch, error), ``weights.npz`` (final
weights), ``error.png`` (the error curve), ``run.json`` (the spec, the
training parameters actually used, the seed, how training stopped). Every file
is written atomically.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from .spec import load
from .training import test, train
from .validation import PdpError, atomic_write
from .weights import load_weights, save_weights


def train_run(spec: str | Path, out: Path, seed: int | None = None, progress: bool = False, **overrides) -> str:
    """Train a spec and write the run to ``out``; return a short summary."""
    from . import figures
    model = load(spec, seed=seed)
    params = replace(model.training, **overrides).validated("training")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PdpError(f"--out '{out}': exists and is not a folder")
    t0 = time.perf_counter()
    result = train(model.network, model.examples, params, progress=progress)
    seconds = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write(out / "error.csv") as f:
        result.history().to_csv(f, index=False)
    save_weights(model.network, out / "weights.npz")
    figures.error_curves({model.network.name: (result.epochs, result.errors)}, out / "error.png",
                         title=f"{model.network.name}: total error per epoch")
    meta = {
        "spec": {k: v for k, v in model.spec.data.items() if k != "_dir"},
        "spec_source": model.spec.source,
        "spec_hash": model.spec.digest,
        "seed": model.network.seed,
        "training": params.to_dict(),
        "stopped": result.stopped,
        "epochs": result.n_epochs,
        "final_error": result.final_error,
        "train_seconds": seconds,
    }
    with atomic_write(out / "run.json") as f:
        json.dump(meta, f, indent=2, default=str)
    return (f"{model.network.name}: {result.n_epochs} epochs, final error {result.final_error:.6g}, "
            f"stopped by {result.stopped} ({seconds:.2f} s)\n"
            f"wrote {out / 'error.csv'}, {out / 'weights.npz'}, {out / 'error.png'}, {out / 'run.json'}")


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
