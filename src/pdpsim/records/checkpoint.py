"""Checkpoints: everything a training run needs to go on exactly where it stopped.

A checkpoint is two files in the run folder, never pickles:

``checkpoint-EPOCH.npz``
    plain arrays: every link block's ``weights``, ``last_change``, ``weight_deriv``, the update
    rule's ``rule_state`` arrays (delta-bar-delta's rate factors, the scratch
    step buffer), lesion masks, and the error curve so far (``epochs``,
    ``errors``, ``max_output_distance``).
``checkpoint.json``
    the epoch, the spec's hash, the seed, the training parameters, the state of
    ``net.rng``'s bit generator (so that the example orders drawn after resuming
    are the ones an uninterrupted run draws), the run's id, the SHA-256 of
    the ``.npz`` it belongs to, and ``checksum``: the SHA-256 of everything else in
    the JSON (with the ``.npz``'s own hash), so that no field can change unseen.

Both are written atomically, the ``.npz`` first: ``checkpoint.json`` is the
commit point, so a process killed at any moment leaves either the previous
checkpoint or the new one, never a mixture. Older ``.npz`` files are removed
once the new JSON is in place.

Restoring the arrays in place and the generator's state, then training on with
``train(..., start_epoch=epoch)``, gives weights and an error curve identical
bit for bit to a run that was never interrupted (the same operations on the
same numbers in the same order).
"""
from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pdpsim.model.network import Network
from pdpsim.validation import PdpError, atomic_write

FORMAT = "pdpsim-checkpoint"
VERSION = 1
META_NAME = "checkpoint.json"
SEP = "::"
#: training parameters that may change between a checkpoint and its resumption
RESUMABLE_CHANGES = ("max_epochs",)


@dataclass
class Checkpoint:
    """A checkpoint read back from a run folder."""

    epoch: int
    spec_hash: str
    seed: int | None
    training: dict
    rng_state: dict
    arrays: dict[str, np.ndarray]
    epochs: np.ndarray
    errors: np.ndarray
    distances: np.ndarray
    run_id: str | None = None
    checkpoint_every: int | None = None
    #: None while training goes on; how training stopped once the run finished
    stopped: str | None = None
    created: str = ""
    path: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.stopped is not None

    def history(self):
        """The error curve so far (columns ``epoch``, ``error`` [, ``max_output_distance``])."""
        import pandas as pd
        data = {"epoch": self.epochs, "error": self.errors}
        if len(self.distances):
            data["max_output_distance"] = self.distances
        return pd.DataFrame(data)


def _npz_name(epoch: int) -> str:
    return f"checkpoint-{epoch:09d}.npz"


def state_arrays(net: Network) -> dict[str, np.ndarray]:
    """Every array of ``net`` that training changes, keyed ``kind::block[::name]``."""
    arrays = {}
    for b in net.blocks:
        arrays[f"weights{SEP}{b.name}"] = b.weights
        arrays[f"last_change{SEP}{b.name}"] = b.last_change
        arrays[f"weight_deriv{SEP}{b.name}"] = b.weight_deriv
        for k, v in b.rule_state.items():
            if SEP in k:
                raise PdpError(f"link block {b.name}: rule_state key {k!r} contains {SEP!r}")
            arrays[f"rule_state{SEP}{b.name}{SEP}{k}"] = np.asarray(v)
        if b.mask is not None:
            arrays[f"mask{SEP}{b.name}"] = b.mask
    return arrays


def save_checkpoint(directory: str | Path, net: Network, *, epoch: int, epochs, errors, distances=(),
                    spec_hash: str, training: dict, seed: int | None = None, run_id: str | None = None,
                    checkpoint_every: int | None = None, stopped: str | None = None,
                    extra: dict | None = None) -> Path:
    """Write a checkpoint of ``net`` after ``epoch`` epochs to ``directory``; return the JSON's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = state_arrays(net)
    arrays["__epochs__"] = np.asarray(epochs, dtype=np.int64)
    arrays["__errors__"] = np.asarray(errors, dtype=np.float64)
    arrays["__distances__"] = np.asarray(distances, dtype=np.float64)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    blob = buf.getvalue()
    name = _npz_name(epoch)
    with atomic_write(directory / name, "wb") as f:
        f.write(blob)
    meta = {
        "format": FORMAT, "version": VERSION,
        "epoch": int(epoch),
        "arrays": name,
        "sha256": hashlib.sha256(blob).hexdigest(),
        "spec_hash": spec_hash,
        "seed": seed,
        "training": training,
        "rng": {"bit_generator": type(net.rng.bit_generator).__name__, "state": net.rng.bit_generator.state},
        "run_id": run_id,
        "checkpoint_every": checkpoint_every,
        "stopped": stopped,
        "network": net.name,
        "blocks": [b.name for b in net.blocks],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "extra": extra or {},
    }
    meta["checksum"] = _checksum(meta)
    with atomic_write(directory / META_NAME) as f:
        json.dump(meta, f, indent=2, allow_nan=False)
    for old in directory.glob("checkpoint-*.npz"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return directory / META_NAME


def _checksum(meta: dict) -> str:
    """SHA-256 of every field but ``checksum`` itself, in a canonical JSON form."""
    body = {k: v for k, v in meta.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     allow_nan=False).encode()).hexdigest()


#: the fields a checkpoint.json must have, and their types
_FIELDS = {"epoch": int, "arrays": str, "sha256": str, "spec_hash": str, "training": dict, "rng": dict,
           "checksum": str}


def load_checkpoint(directory: str | Path) -> Checkpoint | None:
    """The checkpoint in ``directory``, or None if there is none. A damaged, tampered or
    inconsistent checkpoint raises PdpError (naming the file and what is wrong)."""
    directory = Path(directory)
    meta_path = directory / META_NAME
    if not meta_path.exists():
        return None
    if not meta_path.is_file():
        raise PdpError(f"checkpoint '{meta_path}': not a file")
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise PdpError(f"checkpoint '{meta_path}': not valid JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise PdpError(f"checkpoint '{meta_path}': not a pdpsim checkpoint")
    if meta.get("version") != VERSION:
        raise PdpError(f"checkpoint '{meta_path}': format version {meta.get('version')}, this pdpsim reads "
                       f"version {VERSION}")
    for key, kind in _FIELDS.items():
        if not isinstance(meta.get(key), kind) or (kind is int and isinstance(meta[key], bool)):
            raise PdpError(f"checkpoint '{meta_path}': key '{key}' missing or not a {kind.__name__}")
    try:
        checksum_ok = _checksum(meta) == meta["checksum"]
    except (TypeError, ValueError):
        checksum_ok = False
    if not checksum_ok:
        raise PdpError(f"checkpoint '{meta_path}': changed since it was written (its checksum does not match "
                       "its contents); train into a new --out folder, or remove the checkpoint to start over")
    if meta["arrays"] != _npz_name(meta["epoch"]):        # the only name save_checkpoint writes
        raise PdpError(f"checkpoint '{meta_path}': its arrays file is named {meta['arrays'][:80]!r}; expected "
                       f"{_npz_name(meta['epoch'])!r} for epoch {meta['epoch']}")
    npz = directory / meta["arrays"]
    if not npz.is_file():
        raise PdpError(f"checkpoint '{meta_path}': its arrays file '{npz.name}' is missing")
    blob = npz.read_bytes()
    if hashlib.sha256(blob).hexdigest() != meta["sha256"]:
        raise PdpError(f"checkpoint '{npz}': damaged (its SHA-256 differs from the one in {META_NAME})")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        epochs = arrays.pop("__epochs__")
        errors = arrays.pop("__errors__")
        distances = arrays.pop("__distances__")
    except (ValueError, KeyError, OSError, EOFError, NotImplementedError) as e:
        raise PdpError(f"checkpoint '{npz}': not readable ({e})") from None
    epoch = meta["epoch"]
    if len(errors) != len(epochs) or (len(epochs) and (epochs[-1] != epoch or np.any(np.diff(epochs) != 1))):
        raise PdpError(f"checkpoint '{meta_path}': epoch {epoch} does not agree with its error curve "
                       f"(epochs {epochs[:1].tolist()}..{epochs[-1:].tolist()}, {len(errors)} errors)")
    return Checkpoint(epoch=epoch, spec_hash=meta["spec_hash"], seed=meta.get("seed"),
                      training=meta["training"], rng_state=meta["rng"], arrays=arrays, epochs=epochs,
                      errors=errors, distances=distances, run_id=meta.get("run_id"),
                      checkpoint_every=meta.get("checkpoint_every"), stopped=meta.get("stopped"),
                      created=meta.get("created", ""), path=meta_path, extra=meta.get("extra") or {})


def check_compatible(ckpt: Checkpoint, spec_hash: str, training: dict, seed: int | None) -> None:
    """Refuse to resume ``ckpt`` with a different spec, seed or training parameters."""
    where = f"checkpoint '{ckpt.path}'"
    if ckpt.spec_hash != spec_hash:
        raise PdpError(f"{where} was written for a spec with hash {ckpt.spec_hash}; this spec's hash is "
                       f"{spec_hash}. The spec changed since the checkpoint: resuming would mix two different "
                       f"runs. Train into a new --out folder, or restore the spec.")
    if ckpt.seed != seed:
        raise PdpError(f"{where} was written with seed {ckpt.seed}, not {seed}; resume with --seed {ckpt.seed} "
                       "or train into a new --out folder")
    from pdpsim.training.params import TrainingParams
    defaults = TrainingParams().to_dict()       # a field newer than the checkpoint: its default
    diff = sorted(k for k in set(ckpt.training) | set(training)
                  if k not in RESUMABLE_CHANGES
                  and ckpt.training.get(k, defaults.get(k)) != training.get(k, defaults.get(k)))
    if diff:
        shown = ", ".join(f"{k} {ckpt.training.get(k)!r} -> {training.get(k)!r}" for k in diff)
        raise PdpError(f"{where}: training parameters differ from the checkpoint's ({shown}); only "
                       f"{', '.join(RESUMABLE_CHANGES)} may change when resuming")
    if training.get("max_epochs") is not None and ckpt.epoch > int(training["max_epochs"]):
        raise PdpError(f"{where} is at epoch {ckpt.epoch}, beyond max_epochs {training['max_epochs']}")


def restore(net: Network, ckpt: Checkpoint) -> None:
    """Put the checkpoint's arrays into ``net`` (in place) and its generator's state into ``net.rng``."""
    where = f"checkpoint '{ckpt.path}'"
    names = {b.name for b in net.blocks}
    stored = {k.split(SEP)[1] for k in ckpt.arrays}
    if stored != names:
        raise PdpError(f"{where}: link blocks {', '.join(sorted(stored))} do not match the network's "
                       f"({', '.join(sorted(names))})")
    kind = ckpt.rng_state.get("bit_generator")
    if kind != type(net.rng.bit_generator).__name__:
        raise PdpError(f"{where}: random generator {kind}, the network uses {type(net.rng.bit_generator).__name__}")
    before = net.rng.bit_generator.state
    try:
        net.rng.bit_generator.state = ckpt.rng_state["state"]
    except (KeyError, TypeError, ValueError, OverflowError) as e:
        net.rng.bit_generator.state = before
        raise PdpError(f"{where}: its random generator's state is not valid ({e})") from None
    for b in net.blocks:
        for attr in ("weights", "last_change", "weight_deriv"):
            a = ckpt.arrays.get(f"{attr}{SEP}{b.name}")
            if a is None or a.shape != getattr(b, attr).shape:
                raise PdpError(f"{where}: {attr} of link block {b.name} missing or of the wrong shape")
            getattr(b, attr)[...] = a
        b.rule_state.clear()
        prefix = f"rule_state{SEP}{b.name}{SEP}"
        for k, a in ckpt.arrays.items():
            if k.startswith(prefix):
                b.rule_state[k[len(prefix):]] = a.copy()
        mask = ckpt.arrays.get(f"mask{SEP}{b.name}")
        b.mask = None if mask is None else mask.copy()


def remove_checkpoint(directory: str | Path) -> None:
    """Delete the checkpoint in ``directory`` (its JSON first, so no half checkpoint is ever seen)."""
    directory = Path(directory)
    (directory / META_NAME).unlink(missing_ok=True)
    for p in directory.glob("checkpoint-*.npz"):
        p.unlink(missing_ok=True)


def clean_temporary(directory: str | Path) -> None:
    """Remove half-written files a killed process left behind (``.NAME.XXXX.tmp``)."""
    for p in Path(directory).glob(".*.tmp"):
        try:
            p.unlink()
        except OSError:
            pass
