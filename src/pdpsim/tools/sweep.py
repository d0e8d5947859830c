"""Parameter sweeps on Dask distributed: every combination of a grid, each from many seeds.

::

    pdpsim sweep xor --grid learning_rate=0.1,0.5 --grid momentum=0,0.9 --seeds 200 --out xor-study

Grid keys are :class:`~pdpsim.training.loop.TrainingParams` fields, plus ``seed``;
``--seeds N`` adds the seeds ``seed_start .. seed_start + N - 1`` (a key given one
value just overrides the spec). Each combination and seed is one Dask task,
on a ``LocalCluster`` of this machine (worker processes, one thread each) or,
with ``scheduler=ADDRESS``, on any running cluster.

The sweep folder::

    sweep.json                   the spec's hash, the grid, the seeds
    tasks/<task-id>/error.csv    one folder per task, written whole (atomically):
    tasks/<task-id>/weights.npz      final weights
    tasks/<task-id>/metrics.json     converged, stopped, epochs, final_error, seconds, the parameters
    results.csv, results.parquet one row per task
    summary.csv, summary.parquet one row per combination: runs, converged, success_rate, and
                                 {mean,median,sd}_epochs_converged: epochs to criterion over the
                                 runs that converged (``pdpsim ensemble`` prints the same table)
    summary.png                  success rate and mean epochs to criterion against each parameter

Every JSON file is strict JSON: a final error that is not finite (a run that diverged)
is written as null.

A task's id is a hash of its training parameters and seed, so a task is the
same task in every sweep of the same spec: a sweep run again in the same
folder skips the tasks already there, and a task run twice (a retry after a
worker died) writes the same files once. Each task writes its files into a
staging folder and renames it to ``tasks/<task-id>`` in one step; a folder
``tasks/<task-id>`` is therefore always complete.

Faults: a task whose worker dies is run again on another worker (Dask's
``distributed.scheduler.allowed-failures``, default 3), a task that raises is
retried ``retries`` times. Workers that do not share the sweep folder's file
system (a remote cluster) send their files back and the client writes them.

A task still training ``task_timeout`` seconds after it started (default 3600) stops
and fails (not retried: it would take as long again); one that cannot be stopped (stuck
outside its training loop) has its worker restarted ``TASK_TIMEOUT_GRACE_S`` seconds
later. When the cluster has had no worker for ``no_worker_timeout`` seconds (default 60)
the sweep stops with a PdpError; the tasks finished so far stay in ``tasks/``.

A sweep run again checks every finished task's folder (:func:`verify_task`:
metrics.json with its fields, weights.npz readable, error.csv's epochs 1..epochs and its
last error the final error); a task whose folder is damaged or incomplete is run again
and its folder replaced (``SweepResult.redone``).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Iterable, Sequence

from pdpsim.records import run_index
from pdpsim.validation import PdpError, atomic_write, json_text, positive_int, write_json

FORMAT = "pdpsim-sweep"
TASKS = "tasks"
STAGING_PREFIX = ".tmp-"
TASK_FILES = ("error.csv", "weights.npz", "metrics.json")
RESULT_COLUMNS = ("converged", "stopped", "epochs", "epochs_to_criterion", "final_error", "seconds")
#: the fields every task's metrics.json has (and :func:`verify_task` checks)
METRICS_FIELDS = ("task_id", "converged", "stopped", "epochs", "final_error", "seconds")
#: default seconds a task may train (``--task-timeout``) and the cluster may have no worker
DEFAULT_TASK_TIMEOUT_S = 3600.0
DEFAULT_NO_WORKER_TIMEOUT_S = 60.0
#: a task still running this long after its timeout (it could not be stopped) has its worker restarted
TASK_TIMEOUT_GRACE_S = 60.0
#: how often the client asks the scheduler for its workers and the workers for their tasks' ages
WATCH_EVERY_S = 1.0


# ---------------------------------------------------------------- the grid
def _training_fields() -> list[str]:
    from pdpsim.training.params import TrainingParams
    return [f.name for f in fields(TrainingParams)]


def _value(text: str):
    t = text.strip()
    if t.lower() in ("none", "null"):
        return None
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    try:
        return float(t)
    except ValueError:
        return t


def parse_grid(items: Iterable[str]) -> dict[str, list]:
    """``["learning_rate=0.1,0.5", "momentum=0,0.9"]`` -> ``{"learning_rate": [0.1, 0.5], ...}``."""
    allowed = _training_fields() + ["seed"]
    grid: dict[str, list] = {}
    for item in items:
        if "=" not in item:
            raise PdpError(f"--grid {item!r}: expected KEY=VALUE[,VALUE...] (e.g. learning_rate=0.1,0.5)")
        key, values = item.split("=", 1)
        key = key.strip().replace("-", "_")
        if key not in allowed:
            raise PdpError(f"--grid {item!r}: unknown key '{key}'; expected a training parameter "
                           f"({', '.join(allowed)})")
        if key in grid:
            raise PdpError(f"--grid: '{key}' given twice (list its values once, comma-separated)")
        vals = [_value(v) for v in values.split(",") if v.strip() != ""]
        if not vals:
            raise PdpError(f"--grid {item!r}: no values")
        if len(set(map(repr, vals))) != len(vals):
            raise PdpError(f"--grid {item!r}: a value is repeated")
        grid[key] = vals
    return grid


def task_id(training: dict, seed: int | None) -> str:
    """A task's id: a hash of its full training parameters and its seed."""
    blob = json.dumps({"training": training, "seed": seed}, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@dataclass
class Task:
    id: str
    overrides: dict           # the grid's values for this task (without the seed)
    seed: int | None
    training: dict            # the full training parameters


def expand(base_training, grid: dict[str, list], seeds: Sequence[int] | None = None) -> list[Task]:
    """Every combination of ``grid`` (and of ``seeds``) as tasks, parameters validated."""
    grid = dict(grid)
    if seeds is not None:
        if "seed" in grid:
            raise PdpError("give seeds either as --grid seed=... or as --seeds N, not both")
        grid["seed"] = list(seeds)
    seed_values = grid.pop("seed", [None])
    for s in seed_values:
        if s is not None:
            positive_int(s, "seed", allow_zero=True)
    keys = list(grid)
    tasks, seen = [], set()
    for combo in itertools.product(*(grid[k] for k in keys)):
        over = dict(zip(keys, combo))
        try:
            params = replace(base_training, **over).validated("--grid")
        except TypeError as e:
            raise PdpError(f"--grid: {e}") from None
        training = params.to_dict()
        over = {k: training[k] for k in keys}
        for s in seed_values:
            s = None if s is None else int(s)
            tid = task_id(training, s)
            if tid in seen:
                continue
            seen.add(tid)
            tasks.append(Task(tid, over, s, training))
    return tasks


# ---------------------------------------------------------------- one task
def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def _commit_dir(tasks_dir: Path, tid: str, files: dict[str, bytes]) -> bool:
    """Write ``files`` into ``tasks_dir/tid`` all at once; False if another attempt got there first.

    A folder ``tid`` already there that :func:`verify_task` finds broken (a file missing or
    damaged) is replaced: moved aside, the new folder renamed into place, the old one removed.
    """
    final = tasks_dir / tid
    if final.exists() and verify_task(final, tid)[0] is not None:
        return False
    tasks_dir.mkdir(parents=True, exist_ok=True)
    staging = tasks_dir / f"{STAGING_PREFIX}{tid}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for attempt in range(3):
            try:
                os.rename(staging, final)
                return True
            except OSError:
                if not (final.exists() or final.is_symlink()):
                    if attempt < 2:
                        continue                                    # moved away meanwhile: try again
                    raise
                if verify_task(final, tid)[0] is not None:          # the same task, finished by another attempt
                    return False
                aside = tasks_dir / f"{STAGING_PREFIX}{tid}-broken-{uuid.uuid4().hex[:8]}"
                try:
                    os.rename(final, aside)                         # a broken folder: replaced
                except FileNotFoundError:
                    continue
                try:
                    os.rename(staging, final)
                except OSError:
                    if verify_task(final, tid)[0] is not None:      # another attempt got in between
                        return False
                    raise
                finally:
                    _remove(aside)
                return True
        raise OSError(f"cannot commit task folder '{final}'")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _read_metrics(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def verify_task(folder: str | Path, tid: str | None = None) -> tuple[dict | None, str | None]:
    """``(metrics, None)`` if ``folder`` holds a complete task, else ``(None, what is wrong)``.

    Checks that error.csv, weights.npz and metrics.json are there; metrics.json is JSON
    with :data:`METRICS_FIELDS` (``task_id`` equal to ``tid`` if given); weights.npz reads
    as pdpsim weights (every array, so every CRC); error.csv has the columns epoch, error,
    one row per epoch 1..``epochs`` and ends with ``final_error``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None, ("is not a folder" if folder.exists() else "missing")
    for name in TASK_FILES:
        if not (folder / name).is_file():
            return None, f"{name} is missing"
    m = _read_metrics(folder / "metrics.json")
    if not isinstance(m, dict):
        return None, "metrics.json is not valid JSON"
    lacking = [k for k in METRICS_FIELDS if k not in m]
    if lacking:
        return None, f"metrics.json lacks {', '.join(lacking)}"
    if tid is not None and m["task_id"] != tid:
        return None, f"metrics.json is of task {m['task_id']!r}, expected {tid!r}"
    epochs = m["epochs"]
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        return None, f"metrics.json: epochs is {epochs!r}, expected a whole number >= 0"
    if not isinstance(m["converged"], bool) or not isinstance(m["stopped"], str):
        return None, "metrics.json: converged or stopped has the wrong type"
    if not _is_number(m["seconds"]) or not (m["final_error"] is None or _is_number(m["final_error"])):
        return None, "metrics.json: final_error or seconds is not a number"
    try:
        from pdpsim.records.weights import read_weights
        arrays, meta = read_weights(folder / "weights.npz")
    except Exception as e:                  # noqa: BLE001 - whatever is wrong with it, it is broken
        return None, f"weights.npz cannot be read ({type(e).__name__}: {e})"
    if not arrays or meta.get("format") != "pdpsim-weights":
        return None, "weights.npz holds no pdpsim weights"
    import numpy as np
    try:
        text = (folder / "error.csv").read_text()
    except (OSError, UnicodeDecodeError) as e:
        return None, f"error.csv cannot be read ({type(e).__name__}: {e})"
    lines = text.splitlines()
    header = lines[0].split(",") if lines else []
    if header[:2] != ["epoch", "error"]:
        return None, f"error.csv: its first line is {lines[0][:60] if lines else ''!r}, expected epoch,error,..."
    rows = lines[1:]
    if len(rows) != epochs:
        return None, f"error.csv has {len(rows)} rows, metrics.json says {epochs} epochs"
    if epochs:
        try:
            ep = np.array([int(r.split(",", 1)[0]) for r in rows], dtype=np.int64)
        except ValueError:
            return None, "error.csv: an epoch is not a whole number"
        if not np.array_equal(ep, np.arange(1, epochs + 1)):
            return None, f"error.csv: its epochs are not 1..{epochs} in order (repeated, missing or out of order)"
        cells = rows[-1].split(",")
        try:
            last = float(cells[1]) if len(cells) > 1 and cells[1].strip() else float("nan")   # empty: NaN
        except ValueError:
            return None, "error.csv: its last error is not a number"
        fe = m["final_error"]
        same = (not math.isfinite(last)) if fe is None else \
            (math.isfinite(last) and math.isclose(last, float(fe), rel_tol=1e-9, abs_tol=1e-12))
        if not same:
            return None, f"error.csv ends with error {last!r}, metrics.json says final_error {fe!r}"
    return m, None


#: the tasks this worker process is running: task id -> (time.monotonic() at its start, worker address)
_RUNNING: dict[str, tuple[float, str | None]] = {}


def _running_tasks(dask_worker=None) -> dict[str, float]:
    """Seconds each task running on ``dask_worker`` has run (called by the client, on every worker)."""
    here = getattr(dask_worker, "address", None)
    t = time.monotonic()
    return {tid: t - t0 for tid, (t0, addr) in list(_RUNNING.items()) if addr is None or addr == here}


class _TaskTimeout(Exception):
    def __init__(self, epoch: int):
        super().__init__(epoch)
        self.epoch = epoch


def _check_every(net, examples, params) -> int:
    """Epochs between two looks at a task's clock: the engine's chunk (no chunk is cut short),
    at least 200 (each look joins the error curve so far)."""
    try:
        from pdpsim.training import engines
        cls, _ = engines.choose(net, examples, params)
        return max(200, int(getattr(cls, "chunk", 1) or 1))
    except Exception:                       # noqa: BLE001 - train() itself reports what is wrong
        return 200


def sweep_run_id(out: Path, tid: str) -> str:
    """The run index's id of a sweep task (the same for every attempt)."""
    return "sweep-" + hashlib.sha256(f"{Path(out).resolve()}|{tid}".encode()).hexdigest()[:24]


def run_task(job: dict) -> dict:
    """Train one task and write ``tasks/<id>/``; return its metrics (runs on a Dask worker).

    ``job``: ``id``, ``spec_data``, ``spec_source``, ``spec_hash``, ``training``, ``seed``, ``overrides``,
    ``out`` (the sweep folder), ``index`` (the run index file or None), ``payload``
    (return the files' bytes too), ``task_timeout`` (seconds; None or 0: no limit).

    A task already in ``tasks/<id>`` and complete (:func:`verify_task`) is not trained
    again (``cached``); a broken one is trained again and its folder replaced. A task that
    trains past ``task_timeout`` stops and returns ``{"task_id", "timed_out": seconds,
    "epoch", ...}`` instead of its metrics.
    """
    out = Path(job["out"])
    tasks_dir = out / TASKS
    tid = job["id"]
    done, _ = verify_task(tasks_dir / tid, tid) if (tasks_dir / tid).exists() else (None, None)
    if done is not None:                    # finished by an earlier attempt
        reply = {**done, "cached": True}
        if job.get("payload"):
            reply["files"] = {n: (tasks_dir / tid / n).read_bytes() for n in TASK_FILES}
        return reply
    clock = time.monotonic()
    try:
        from distributed import get_worker
        worker = get_worker().address
    except (ImportError, ValueError):
        worker = None
    _RUNNING[tid] = (clock, worker)
    try:
        return _train_task(job, out, tasks_dir, tid, clock, worker)
    finally:
        _RUNNING.pop(tid, None)


def _train_task(job: dict, out: Path, tasks_dir: Path, tid: str, clock: float, worker: str | None) -> dict:
    from pdpsim.formats.spec import Spec, build_spec
    from pdpsim.records.weights import save_weights
    from pdpsim.tools.runs import error_csv_text
    from pdpsim.training.loop import train
    from pdpsim.training.params import TrainingParams

    start = run_index.now()
    spec = Spec(job["spec_data"], job["spec_source"])
    model = build_spec(spec, seed=job["seed"])
    params = TrainingParams.from_dict(job["training"], "task")
    limit = job.get("task_timeout") or None
    hook, every = None, None
    if limit:
        every = _check_every(model.network, model.examples, params)

        def hook(epoch: int, so_far) -> None:
            if time.monotonic() - clock > limit:
                raise _TaskTimeout(epoch)
    import numpy as np
    t0 = time.perf_counter()
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):     # a run that diverges says so
            result = train(model.network, model.examples, params, checkpoint_every=every, on_checkpoint=hook)
    except _TaskTimeout as e:               # a result, not an exception: Dask would retry it for as long again
        return {"task_id": tid, "timed_out": time.monotonic() - clock, "epoch": e.epoch,
                "max_epochs": params.max_epochs, "worker": worker, "cached": False}
    seconds = time.perf_counter() - t0
    metrics = {
        "task_id": tid, "spec_hash": job.get("spec_hash") or spec.digest,
        "spec_name": str(spec.data.get("name", model.network.name)),
        "overrides": job["overrides"], "seed": model.network.seed, "training": job["training"],
        "converged": bool(result.converged), "stopped": result.stopped, "epochs": result.n_epochs,
        "final_error": result.final_error, "seconds": seconds, "start_time": start, "end_time": run_index.now(),
        "host": socket.gethostname(), "worker": worker,
    }
    curve = error_csv_text(result, f"task {tid}: error.csv")         # never repeated or backward epochs
    with tempfile.TemporaryDirectory(prefix="pdpsim-task-") as tmp:
        save_weights(model.network, Path(tmp) / "weights.npz")
        files = {"error.csv": curve.encode(), "weights.npz": (Path(tmp) / "weights.npz").read_bytes(),
                 "metrics.json": json_text(metrics).encode()}
    try:
        written = _commit_dir(tasks_dir, tid, files)
    except OSError:
        if not job.get("payload"):
            raise
        written = False                     # the client writes the files it gets back
    if job.get("index"):
        run_index.try_record(sweep_run_id(out, tid), db=job["index"], **_index_fields(metrics, out))
    reply = {**metrics, "cached": False, "written": written}
    if job.get("payload"):
        reply["files"] = files
    return reply


def _index_fields(m: dict, out: Path) -> dict:
    return dict(kind="sweep", spec_hash=m["spec_hash"], spec_name=m["spec_name"], params=m["training"],
                seed=m["seed"], start_time=m["start_time"], end_time=m["end_time"], status="done",
                stopped=m["stopped"], final_error=m["final_error"], epochs=m["epochs"],
                converged=bool(m["converged"]), seconds=m["seconds"],
                path=str((Path(out) / TASKS / m["task_id"]).resolve()), sweep=str(Path(out).resolve()),
                host=m.get("host"))


# ---------------------------------------------------------------- the sweep
@dataclass
class SweepResult:
    """What :func:`run_sweep` did: one row per task (``results``), per combination (``summary``)."""

    out: Path
    results: object                     # pandas DataFrame
    summary: object                     # pandas DataFrame
    keys: list[str]
    ran: int = 0
    skipped: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    #: tasks whose folder was there but broken (task id -> what was wrong), run again
    broken: dict[str, str] = field(default_factory=dict)
    #: how many of the ``broken`` tasks were run again and replaced (counted in ``ran`` too)
    redone: int = 0

    def text(self) -> str:
        lines = [summary_text(self.summary), "",
                 f"{len(self.results)} tasks: {self.ran} run"
                 + (f" ({self.redone} of them redone: their files were broken)" if self.redone else "")
                 + f", {self.skipped} already done"
                 + (f", {len(self.failed)} failed" if self.failed else "") + f" ({self.seconds:.1f} s)"]
        for tid, why in list(self.broken.items())[:5]:
            lines.append(f"  task {tid} was broken ({why})" + (": not redone" if tid in self.failed else ""))
        for tid, err in list(self.failed.items())[:5]:
            lines.append(f"  task {tid} failed: {err}")
        lines.append(f"wrote {', '.join(str(f) for f in self.files)}")
        return "\n".join(lines)


def _sweep_meta(out: Path, spec, tasks, grid, seeds) -> None:
    meta_path = out / "sweep.json"
    old = _read_metrics(meta_path) if meta_path.exists() else None
    if old is not None and old.get("spec_hash") != spec.digest:
        raise PdpError(f"--out '{out}' holds a sweep of a spec with hash {old.get('spec_hash')} "
                       f"({old.get('spec_source')}); this spec's hash is {spec.digest}. Sweep into another folder.")
    meta = {"format": FORMAT, "version": 1, "spec_hash": spec.digest, "spec_source": spec.source,
            "spec": {k: v for k, v in spec.data.items() if k != "_dir"},
            "grid": grid, "seeds": None if seeds is None else list(seeds), "tasks": [t.id for t in tasks],
            "created": (old or {}).get("created", run_index.now()), "updated": run_index.now()}
    write_json(meta_path, meta)


def _client(scheduler: str | None, workers: int, timeout: float):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise PdpError("pdpsim sweep needs Dask distributed: pip install 'dask[distributed]'") from None
    import logging
    if scheduler:
        try:
            return Client(scheduler, timeout=timeout), None
        except (OSError, TimeoutError) as e:
            raise PdpError(f"--scheduler {scheduler}: cannot connect ({e})") from None
    workers = positive_int(workers, "--workers")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        return Client(cluster, timeout=timeout), cluster
    except BaseException:
        cluster.close(timeout=30)
        raise


def _shared_filesystem(client, tasks_dir: Path) -> bool:
    """Whether every worker sees the sweep folder (a file written here is there)."""
    probe = tasks_dir / f".probe-{uuid.uuid4().hex}"
    probe.write_text("pdpsim")
    try:
        seen = client.run(os.path.exists, str(probe))
        return bool(seen) and all(seen.values())
    except Exception:           # noqa: BLE001 - a worker that cannot answer: assume not shared
        return False
    finally:
        probe.unlink(missing_ok=True)


def _task_text(t: Task) -> str:
    return ", ".join(f"{k}={v}" for k, v in {**t.overrides, "seed": t.seed}.items())


class _Watch:
    """Asks, in a thread of its own (a scheduler or worker that does not answer never blocks the
    sweep), how many workers the cluster has and how long each worker's tasks have run."""

    def __init__(self, client, ages: bool):
        from concurrent.futures import ThreadPoolExecutor
        self.client, self.ages = client, ages
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="pdpsim-sweep-watch")
        self.pending = None
        self.asked = -float("inf")
        self.no_worker_since: float | None = time.monotonic()
        self.seen_worker = False
        self.error: BaseException | None = None

    def _probe(self):
        n = len(self.client.nthreads())
        ages = self.client.run(_running_tasks, on_error="ignore") if (self.ages and n) else {}
        return n, ages

    def poll(self) -> dict[str, dict[str, float]]:
        """``{worker: {task id: seconds running}}`` when a new answer came (else {})."""
        now = time.monotonic()
        ages = {}
        if self.pending is not None and self.pending.done():
            try:
                n, ages = self.pending.result()
                self.error = None
            except Exception as e:          # noqa: BLE001 - the scheduler is gone: no workers
                n, ages, self.error = 0, {}, e
            self.pending = None
            if n:
                self.no_worker_since, self.seen_worker = None, True
            elif self.no_worker_since is None:
                self.no_worker_since = self.asked
        if self.pending is None and now - self.asked >= WATCH_EVERY_S:
            self.asked = now
            self.pending = self.pool.submit(self._probe)
        return ages or {}

    def progress(self) -> None:
        """A task came back: the cluster has a worker."""
        self.no_worker_since, self.seen_worker = None, True

    def no_worker_for(self) -> float:
        """Seconds the cluster has had no worker (or its scheduler has not answered)."""
        now = time.monotonic()
        silent = now - self.asked if self.pending is not None else 0.0     # a question still unanswered
        none = now - self.no_worker_since if self.no_worker_since is not None else 0.0
        return max(silent, none)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def run_sweep(spec, grid: dict[str, list] | None = None, seeds: int | Sequence[int] | None = None, *,
              out: str | Path, seed_start: int = 0, scheduler: str | None = None, workers: int = 2,
              retries: int = 3, progress: bool = False, timeout: float | None = None,
              task_timeout: float | None = DEFAULT_TASK_TIMEOUT_S,
              no_worker_timeout: float | None = DEFAULT_NO_WORKER_TIMEOUT_S,
              index: bool = True, echo=None) -> SweepResult:
    """Run every combination of ``grid`` for every seed as Dask tasks; write the sweep to ``out``.

    ``seeds``: a number N (seeds ``seed_start`` .. ``seed_start + N - 1``) or a list.
    ``scheduler``: the address of a running Dask scheduler (``tcp://host:port``);
    default a LocalCluster of ``workers`` processes on 127.0.0.1.
    ``retries``: how often a task that raised is tried again.
    ``timeout``: seconds for the whole sweep (None: no limit); past it, a PdpError.
    ``task_timeout``: seconds one task may train (None or 0: no limit); a task past it
    fails (it is not retried), and its worker is restarted if the task cannot be stopped
    within :data:`TASK_TIMEOUT_GRACE_S` more.
    ``no_worker_timeout``: when the cluster has had no worker (or its scheduler has not
    answered) for this many seconds, stop with a PdpError (None or 0: wait for ever).
    Either way the tasks finished so far stay in ``out/tasks`` and a rerun skips them.
    ``index``: record each task in the run index.

    Tasks already in ``out/tasks`` are checked (:func:`verify_task`); broken ones are run
    again (``SweepResult.broken``, ``SweepResult.redone``).
    """
    from pdpsim.formats.spec import Spec, load_spec, build_spec
    t_start = time.perf_counter()
    spec_obj = spec if isinstance(spec, Spec) else load_spec(spec)
    model = build_spec(spec_obj)                     # validates the spec once, here
    grid = dict(grid or {})
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seeds = list(range(seed_start, seed_start + positive_int(seeds, "--seeds")))
    tasks = expand(model.training, grid, seeds)
    keys = [k for k in grid if k != "seed"]
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PdpError(f"--out '{out}': exists and is not a folder")
    task_timeout = _seconds(task_timeout, "--task-timeout")
    no_worker_timeout = _seconds(no_worker_timeout, "--no-worker-timeout")
    timeout = _seconds(timeout, "--timeout")
    tasks_dir = out / TASKS
    tasks_dir.mkdir(parents=True, exist_ok=True)
    _sweep_meta(out, spec_obj, tasks, grid, seeds)
    db = run_index.index_path() if index else None

    metrics: dict[str, dict] = {}
    broken: dict[str, str] = {}
    for t in tasks:
        folder = tasks_dir / t.id
        if not (folder.exists() or folder.is_symlink()):
            continue
        m, why = verify_task(folder, t.id)
        if m is not None:
            metrics[t.id] = m
        else:
            broken[t.id] = why                  # run again; its folder is replaced when it is done
    skipped = len(metrics)
    todo = [t for t in tasks if t.id not in metrics]
    failed: dict[str, str] = {}
    ran = redone = 0

    if todo:
        from tqdm.auto import tqdm
        client, cluster = _client(scheduler, workers, timeout=60 if timeout is None else min(60, timeout))
        bar = tqdm(total=len(tasks), initial=skipped, unit="task", desc="sweep", disable=not progress,
                   file=sys.stderr, dynamic_ncols=True)
        watch = None
        try:
            payload = cluster is None and not _shared_filesystem(client, tasks_dir)
            token = uuid.uuid4().hex[:8]
            by_id = {t.id: t for t in todo}

            data = dict(spec_obj.data)
            if data.get("_dir"):                      # example files found from any worker's folder
                data["_dir"] = str(Path(data["_dir"]).resolve())

            def job(t: Task, want_files: bool) -> dict:
                return {"id": t.id, "spec_data": data, "spec_source": spec_obj.source,
                        "spec_hash": spec_obj.digest, "training": t.training, "seed": t.seed,
                        "overrides": t.overrides, "out": str(out), "index": None if db is None else str(db),
                        "payload": want_files, "task_timeout": task_timeout}

            def submit(t: Task, want_files: bool):
                return client.submit(run_task, job(t, want_files), retries=retries, pure=False,
                                     key=f"pdpsim-{t.id}-{token}-{int(want_files)}")

            from distributed import as_completed
            futures = {submit(t, payload): t.id for t in todo}
            asked_files = set()
            # results fetched in the client's own thread: a result lost with its worker (fetched again once the
            # task is recomputed) never blocks this loop, which watches the workers and the clocks
            ac = as_completed(list(futures), with_results=True, raise_errors=False)
            converged = sum(bool(m.get("converged")) for m in metrics.values())
            watch = _Watch(client, ages=bool(task_timeout))
            stopped_by_us: set[str] = set()          # tasks failed here (past their timeout): skip their futures
            started = time.monotonic()

            def fail(tid: str, why: str) -> None:
                failed[tid] = why
                bar.update(1)

            def handle(fut, res) -> None:
                nonlocal ran, redone, converged
                tid = futures.pop(fut)
                fut.release()
                if tid in stopped_by_us:
                    return
                if not isinstance(res, dict):            # an error (type, exception, traceback), or cancelled
                    err = res[1] if isinstance(res, tuple) and len(res) == 3 else res
                    fail(tid, f"{type(err).__name__}: {err}")
                    return
                if res.get("timed_out") is not None:
                    fail(tid, f"task {tid} ({_task_text(by_id[tid])}) did not finish within --task-timeout "
                              f"{task_timeout:g} s (stopped at epoch {res.get('epoch')} of {res.get('max_epochs')} "
                              f"after {res['timed_out']:.0f} s); run again with a larger --task-timeout "
                              "(0: no limit)")
                    return
                files = res.pop("files", None)
                if files is not None:
                    _commit_dir(tasks_dir, tid, files)
                elif verify_task(tasks_dir / tid, tid)[0] is None:
                    if tid in asked_files:
                        fail(tid, "the task's files did not reach the sweep folder")
                        return
                    asked_files.add(tid)                 # a worker that does not share our files
                    nf = submit(by_id[tid], True)
                    futures[nf] = tid
                    ac.add(nf)
                    return
                res.pop("cached", None)
                res.pop("written", None)
                metrics[tid] = _read_metrics(tasks_dir / tid / "metrics.json") or res
                ran += 1
                redone += tid in broken
                converged += bool(res.get("converged"))
                bar.update(1)
                bar.set_postfix_str(f"converged {converged}/{bar.n}", refresh=False)

            def stuck(ages: dict[str, dict[str, float]]) -> None:
                """Restart the worker of a task still running long after its timeout (not stoppable)."""
                pending = {tid: f for f, tid in futures.items()}
                for addr, running in ages.items():
                    for tid, age in (running or {}).items():
                        if tid not in pending or tid in stopped_by_us or age <= task_timeout + TASK_TIMEOUT_GRACE_S:
                            continue
                        stopped_by_us.add(tid)
                        for f, ftid in list(futures.items()):
                            if ftid == tid:
                                f.cancel()
                        try:
                            state = client.restart_workers([addr], timeout=60, raise_for_error=False).get(addr)
                        except Exception as e:      # noqa: BLE001 - reported in the task's failure
                            state = f"{type(e).__name__}: {e}"
                        what = ("its worker was restarted" if state == "OK"
                                else f"its worker {addr} could not be restarted ({state})")
                        fail(tid, f"task {tid} ({_task_text(by_id[tid])}) still running {age:.0f} s after it "
                                  f"started, past --task-timeout {task_timeout:g} s, and could not be stopped: "
                                  f"{what}")

            def done_now() -> int:
                """Tasks complete on disk (some a worker finished but could not report before it died)."""
                return sum(t.id in metrics or verify_task(tasks_dir / t.id, t.id)[0] is not None for t in tasks)

            while not ac.is_empty():
                batch = ac.next_batch(block=False) if ac.has_ready() else []
                for fut, res in batch:
                    handle(fut, res)
                if timeout and time.monotonic() - started > timeout:
                    raise PdpError(f"--timeout: the sweep did not finish within {timeout:g} s ({done_now()} of "
                                   f"{len(tasks)} tasks done); run the same command again to go on (finished "
                                   "tasks are kept)")
                if batch:
                    watch.progress()
                    continue
                ages = watch.poll()
                if task_timeout and ages:
                    stuck(ages)
                gone = watch.no_worker_for()
                if no_worker_timeout and gone > no_worker_timeout:
                    where = f"the scheduler {scheduler}" if scheduler else "the local cluster"
                    why = (f"{where} did not answer for {gone:.0f} s ({watch.error})" if watch.error else
                           f"{where} has had no worker for {gone:.0f} s" if watch.seen_worker else
                           f"no worker joined {where} within {gone:.0f} s")
                    raise PdpError(f"sweep: no Dask worker left: {why} (--no-worker-timeout "
                                   f"{no_worker_timeout:g} s); {done_now()} of {len(tasks)} tasks done, kept in "
                                   f"'{tasks_dir}': run the same command again to go on")
                time.sleep(0.05)
        finally:
            bar.close()
            if watch is not None:
                watch.close()
            client.close(timeout=30)
            if cluster is not None:
                cluster.close(timeout=30)
            for p in tasks_dir.glob(f"{STAGING_PREFIX}*"):   # left by attempts killed mid-write
                shutil.rmtree(p, ignore_errors=True)

    if db is not None:
        rows = [(sweep_run_id(out, tid), _index_fields(m, out)) for tid, m in metrics.items()]
        try:
            run_index.record_many(rows, db=db)
        except Exception as e:  # noqa: BLE001 - the index never fails a sweep
            warnings.warn(f"pdpsim: run index '{db}' not updated: {e}", run_index.RunIndexWarning, stacklevel=2)

    results = results_table(tasks, metrics, keys)
    summary = summarize(results, keys)
    files = write_tables(out, results, summary)
    fixed = {k: v[0] for k, v in grid.items() if len(v) == 1 and k != "seed"}
    name = str(spec_obj.data.get("name", "spec"))
    files.append(plot_summary(summary, [k for k in keys if k not in fixed], out / "summary.png",
                              title=f"{name}: {len(results)} runs"
                              + (f" ({', '.join(f'{k}={v}' for k, v in fixed.items())})" if fixed else "")))
    return SweepResult(out, results, summary, keys, ran=ran, skipped=skipped, failed=failed,
                       seconds=time.perf_counter() - t_start, files=files, broken=broken, redone=redone)


def _seconds(value, what: str) -> float | None:
    """A time limit in seconds: None or 0 is no limit."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PdpError(f"{what}: expected a number of seconds, got {value!r}") from None
    if math.isnan(v) or v < 0:
        raise PdpError(f"{what}: expected a number of seconds >= 0 (0: no limit), got {value!r}")
    return None if v == 0 or v == float("inf") else v


# ---------------------------------------------------------------- tables and figure
def results_table(tasks: Sequence[Task], metrics: dict[str, dict], keys: Sequence[str]):
    """One row per finished task: its grid values, seed and metrics."""
    import numpy as np
    import pandas as pd
    rows = []
    for t in tasks:
        m = metrics.get(t.id)
        if m is None:
            continue
        row = {"task_id": t.id}
        row.update({k: t.overrides.get(k) for k in keys})
        row["seed"] = m.get("seed", t.seed)
        row.update({"converged": bool(m["converged"]), "stopped": m["stopped"], "epochs": int(m["epochs"]),
                    "epochs_to_criterion": float(m["epochs"]) if m["converged"] else np.nan,
                    "final_error": _number(m["final_error"]), "seconds": float(m["seconds"])})
        rows.append(row)
    cols = ["task_id", *keys, "seed", *RESULT_COLUMNS]
    return pd.DataFrame(rows, columns=cols)


def _number(v) -> float:
    """A number read back from strict JSON: null (an error that was not finite) is NaN."""
    return float("nan") if v is None else float(v)


#: the summary's columns after the keys (``mean_seconds`` only where the runs were timed one by one)
SUMMARY_COLUMNS = ("runs", "converged", "success_rate", "mean_epochs_converged", "median_epochs_converged",
                   "sd_epochs_converged", "mean_final_error", "mean_seconds")


def summarize(results, keys: Sequence[str]):
    """One row per combination of ``keys``: runs, converged (how many), success_rate, the epochs
    to criterion over the runs that converged (``mean_epochs_converged``, ``median_...``,
    ``sd_...``; NaN where none did), mean final error, and mean seconds where ``results`` has
    a ``seconds`` column.

    ``results``: one row per run, with ``converged``, ``epochs`` (or ``epochs_to_criterion``),
    ``final_error``: a sweep's results table or an ensemble's (``pdpsim ensemble`` prints this
    summary too)."""
    import numpy as np
    import pandas as pd
    keys = list(keys)
    timed = "seconds" in results.columns
    cols = [*keys, *(c for c in SUMMARY_COLUMNS if timed or c != "mean_seconds")]
    if results.empty:
        return pd.DataFrame(columns=cols)
    if "epochs_to_criterion" not in results.columns:
        results = results.assign(epochs_to_criterion=np.where(results["converged"].astype(bool),
                                                               results["epochs"].astype(float), np.nan))
    groups = results.groupby(keys, sort=True, dropna=False) if keys else [((), results)]
    rows = []
    for k, g in groups:
        k = k if isinstance(k, tuple) else (k,)
        ok = g["epochs_to_criterion"].dropna()
        row = {**dict(zip(keys, k)), "runs": len(g), "converged": int(g["converged"].sum()),
               "success_rate": float(g["converged"].mean()),
               "mean_epochs_converged": float(ok.mean()) if len(ok) else float("nan"),
               "median_epochs_converged": float(ok.median()) if len(ok) else float("nan"),
               "sd_epochs_converged": float(ok.std()) if len(ok) > 1 else float("nan"),
               "mean_final_error": float(g["final_error"].mean())}
        if timed:
            row["mean_seconds"] = float(g["seconds"].mean())
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def summary_text(summary) -> str:
    """The summary table as ``pdpsim sweep`` and ``pdpsim ensemble`` print it."""
    import pandas as pd
    with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 200,
                           "display.float_format", "{:.4g}".format):
        return summary.to_string(index=False)


def write_tables(out: Path, results, summary) -> list[Path]:
    """results.csv/.parquet and summary.csv/.parquet, each written atomically."""
    files = []
    for name, df in (("results", results), ("summary", summary)):
        with atomic_write(out / f"{name}.csv") as f:
            df.to_csv(f, index=False)
        files.append(out / f"{name}.csv")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            warnings.warn("pdpsim: pyarrow is not installed; no Parquet tables written", stacklevel=2)
            continue
        with atomic_write(out / f"{name}.parquet", "wb") as f:
            _parquet_frame(df).to_parquet(f, index=False)
        files.append(out / f"{name}.parquet")
    return files


def _parquet_frame(df):
    """Columns of mixed types (a grid key with None and numbers) as text, which Parquet can hold."""
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object:
            kinds = {type(v) for v in df[c] if v is not None}
            if len(kinds) > 1:
                df[c] = df[c].map(lambda v: None if v is None else str(v))
    return df


def plot_summary(summary, keys: Sequence[str], path: Path, title: str = "") -> Path:
    """Success rate (top) and mean epochs to criterion (bottom) against each parameter;
    one line per combination of the other parameters."""
    from pdpsim.analysis import figures
    plt = figures._plt()
    keys = list(keys)
    ncol = max(1, len(keys))
    fig, axes = plt.subplots(2, ncol, figsize=(4.4 * ncol, 6.2), squeeze=False)
    if not keys or summary.empty:
        axes[0, 0].bar([0], summary["success_rate"].tolist()[:1] or [0])
        axes[1, 0].bar([0], summary["mean_epochs_converged"].tolist()[:1] or [0])
        axes[0, 0].set_xticks([])
        axes[1, 0].set_xticks([])
    for j, k in enumerate(keys):
        others = [o for o in keys if o != k]
        values = list(dict.fromkeys(summary[k].tolist()))
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        pos = {v: (v if numeric else i) for i, v in enumerate(values)}
        groups = summary.groupby(others, sort=True, dropna=False) if others else [((), summary)]
        for label, g in groups:
            label = label if isinstance(label, tuple) else (label,)
            g = g.sort_values(k) if numeric else g
            x = [pos[v] for v in g[k]]
            name = ", ".join(f"{o}={v}" for o, v in zip(others, label)) or None
            axes[0, j].plot(x, g["success_rate"], marker="o", label=name)
            axes[1, j].plot(x, g["mean_epochs_converged"], marker="o", label=name)
        for ax in axes[:, j]:
            ax.set_xlabel(k)
            ax.grid(alpha=0.3)
            if not numeric:
                ax.set_xticks(list(pos.values()), [str(v) for v in values])
            elif len(values) > 1 and min(values) > 0 and max(values) / min(values) >= 20:
                ax.set_xscale("log")
        axes[0, j].set_ylim(-0.03, 1.03)
        if others:
            axes[0, j].legend(frameon=False, fontsize=8)
    axes[0, 0].set_ylabel("convergence rate")
    axes[1, 0].set_ylabel("mean epochs to criterion")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return figures.save(fig, path)
