"""Sweeps that fail cleanly: resume checks each finished task's files and redoes broken ones, a
task has a time limit, a cluster without workers stops the sweep; error.csv never repeats an epoch."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import pdpsim.tools.runs as runs
import pdpsim.tools.sweep as sweep
from pdpsim.cli.main import main
from pdpsim.formats.spec import build_spec, load_spec
from pdpsim.records import run_index
from pdpsim.records.checkpoint import load_checkpoint
from pdpsim.tools.runs import error_csv_text, train_run, write_error_csv
from pdpsim.tools.sweep import (STAGING_PREFIX, TASK_FILES, TASKS, _commit_dir, expand, run_sweep, run_task,
                                verify_task)
from pdpsim.training.params import TrainingParams, TrainingResult
from pdpsim.validation import PdpError

SPEC = """
name: xor-hardening
seed: 0
groups:
  input:  {{units: 2, type: INPUT}}
  hidden: {{units: 2}}
  output: {{units: 1, type: OUTPUT}}
links: [input -> hidden, hidden -> output]
examples: {{generate: xor}}
training: {{algorithm: {algorithm}, learning_rate: {lr}, momentum: 0.9, max_epochs: {epochs}, output_criterion: {crit}}}
"""


def write_spec(path: Path, algorithm="momentum", epochs=300, crit=0.1, lr=0.5) -> Path:
    path.write_text(SPEC.format(algorithm=algorithm, epochs=epochs, crit=crit, lr=lr))
    return path


@pytest.fixture
def index(tmp_path, monkeypatch):
    db = tmp_path / "runs.sqlite"
    monkeypatch.setenv("PDPSIM_RUN_INDEX", str(db))
    return db


def _job(spec_path: Path, out: Path, seed=5, timeout=None, **training) -> dict:
    spec = load_spec(spec_path)
    base = replace(TrainingParams(**spec.data["training"]), **training)
    grid = {k: [v] for k, v in training.items()}
    (task,) = expand(base, grid, seeds=[seed])
    return {"id": task.id, "spec_data": spec.data, "spec_source": spec.source, "spec_hash": spec.digest,
            "training": task.training, "seed": seed, "overrides": task.overrides, "out": str(out),
            "index": None, "payload": False, "task_timeout": timeout}


# ---------------------------------------------------------------- checking a task's folder (no cluster)
def test_verify_task_names_the_broken_file(tmp_path):
    spec = write_spec(tmp_path / "xor.yaml", epochs=60, crit="null")
    job = _job(spec, tmp_path / "s")
    run_task(job)
    good = tmp_path / "s" / TASKS / job["id"]
    m, why = verify_task(good, job["id"])
    assert why is None and m["epochs"] == 60 and m["task_id"] == job["id"]
    assert verify_task(good, "0123456789abcdef")[1].startswith("metrics.json is of task")
    assert verify_task(tmp_path / "nowhere")[1] == "missing"

    def broken(change) -> str:
        d = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}"
        d.mkdir()
        for n in TASK_FILES:
            (d / n).write_bytes((good / n).read_bytes())
        change(d)
        m, why = verify_task(d, job["id"])
        assert m is None and why
        return why

    assert broken(lambda d: (d / "weights.npz").unlink()) == "weights.npz is missing"
    assert broken(lambda d: (d / "metrics.json").write_text("{garbage")) == "metrics.json is not valid JSON"
    meta = json.loads((good / "metrics.json").read_text())
    assert "lacks epochs" in broken(lambda d: (d / "metrics.json").write_text(
        json.dumps({k: v for k, v in meta.items() if k != "epochs"})))
    assert broken(lambda d: (d / "weights.npz").write_bytes((good / "weights.npz").read_bytes()[:200])) \
        .startswith("weights.npz cannot be read")
    # one byte flipped in an array's data: the zip's CRC says so
    import struct
    import zipfile
    data = bytearray((good / "weights.npz").read_bytes())
    with zipfile.ZipFile(good / "weights.npz") as z:
        zi = next(i for i in z.infolist() if not i.filename.startswith("__network__"))
    n_name, n_extra = struct.unpack("<HH", data[zi.header_offset + 26:zi.header_offset + 30])
    last = zi.header_offset + 30 + n_name + n_extra + zi.compress_size - 1
    data[last] ^= 0xFF
    assert "weights.npz cannot be read" in broken(lambda d: (d / "weights.npz").write_bytes(bytes(data)))
    curve = (good / "error.csv").read_text().splitlines()
    assert "60 epochs" in broken(lambda d: (d / "error.csv").write_text("\n".join(curve[:-5]) + "\n"))
    repeated = curve[:10] + [curve[9]] + curve[11:]         # epoch 9 twice, 10 gone: the same row count
    assert "not 1..60 in order" in broken(lambda d: (d / "error.csv").write_text("\n".join(repeated) + "\n"))
    last = curve[-1].split(",")
    other = curve[:-1] + [",".join([last[0], "0.123", *last[2:]])]
    assert "final_error" in broken(lambda d: (d / "error.csv").write_text("\n".join(other) + "\n"))
    assert "expected epoch,error" in broken(lambda d: (d / "error.csv").write_bytes(b""))
    assert "error.csv cannot be read" in broken(lambda d: (d / "error.csv").write_bytes(b"\xff\xfe\x00garbage"))
    assert "not a whole number" in broken(lambda d: (d / "error.csv").write_text(
        "\n".join(curve[:5] + ["x,0.5"] + curve[6:]) + "\n"))


def test_commit_replaces_a_broken_folder_and_keeps_a_complete_one(tmp_path):
    spec = write_spec(tmp_path / "xor.yaml", epochs=40, crit="null")
    job = {**_job(spec, tmp_path / "remote"), "payload": True}
    files = run_task(job)["files"]
    tasks = tmp_path / "local" / TASKS
    folder = tasks / job["id"]
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("not json")               # broken: replaced
    assert _commit_dir(tasks, job["id"], files) is True
    assert {n: (folder / n).read_bytes() for n in TASK_FILES} == files
    assert _commit_dir(tasks, job["id"], {**files, "error.csv": b"x"}) is False     # complete: kept
    assert (folder / "error.csv").read_bytes() == files["error.csv"]
    assert sorted(p.name for p in tasks.iterdir()) == [job["id"]]                  # nothing aside left


def test_run_task_redoes_a_broken_folder_instead_of_returning_it(tmp_path):
    spec = write_spec(tmp_path / "xor.yaml", epochs=40, crit="null")
    job = _job(spec, tmp_path / "s")
    first = run_task(job)
    folder = tmp_path / "s" / TASKS / job["id"]
    curve = (folder / "error.csv").read_bytes()
    (folder / "weights.npz").unlink()
    again = run_task(job)
    assert not again["cached"] and again["written"] is True
    assert verify_task(folder, job["id"])[1] is None and (folder / "error.csv").read_bytes() == curve
    assert again["final_error"] == first["final_error"]
    assert run_task(job)["cached"]


def test_a_task_stops_at_its_timeout_and_the_limit_changes_no_number(tmp_path):
    spec = write_spec(tmp_path / "xor.yaml", epochs=10**8, crit="null")
    t0 = time.monotonic()
    res = run_task(_job(spec, tmp_path / "s", timeout=0.5))
    assert res["timed_out"] >= 0.5 and 0 < res["epoch"] < 10**8 and res["max_epochs"] == 10**8
    assert time.monotonic() - t0 < 120
    assert not (tmp_path / "s" / TASKS).exists() or not any((tmp_path / "s" / TASKS).iterdir())
    # a limit that is not reached: the same files as without one (compiled loop and numpy loop)
    for algorithm, epochs in (("momentum", 2500), ("delta_bar_delta", 700)):
        write_spec(spec, algorithm=algorithm, epochs=epochs, crit="null")
        a = run_task(_job(spec, tmp_path / f"a-{algorithm}", timeout=None))
        b = run_task(_job(spec, tmp_path / f"b-{algorithm}", timeout=3600))
        assert a["epochs"] == b["epochs"] == epochs
        fa, fb = (tmp_path / d / TASKS / a["task_id"] for d in (f"a-{algorithm}", f"b-{algorithm}"))
        assert (fa / "error.csv").read_bytes() == (fb / "error.csv").read_bytes()
        with np.load(fa / "weights.npz") as wa, np.load(fb / "weights.npz") as wb:
            assert all(wa[k].tobytes() == wb[k].tobytes() for k in wa.files)


def test_time_limits_are_checked_before_anything_runs(tmp_path):
    spec = write_spec(tmp_path / "xor.yaml")
    for kw, opt in ((dict(task_timeout=-1), "--task-timeout"), (dict(no_worker_timeout="soon"), "--no-worker-timeout"),
                    (dict(timeout=float("nan")), "--timeout")):
        with pytest.raises(PdpError, match=opt):
            run_sweep(spec, {}, 1, out=tmp_path / "s", scheduler="tcp://127.0.0.1:9", **kw)
    r = CliRunner().invoke(main, ["sweep", str(spec), "--seeds", "1", "--out", str(tmp_path / "t"),
                                  "--task-timeout", "-5"])
    assert r.exit_code == 2 and "pdpsim: error: --task-timeout" in r.output
    assert "--no-worker-timeout" in CliRunner().invoke(main, ["sweep", "--help"]).output


# ---------------------------------------------------------------- error.csv never repeats an epoch
def _result(epochs, errors=None) -> TrainingResult:
    epochs = np.asarray(epochs, dtype=int)
    errors = np.linspace(1, 0.1, len(epochs)) if errors is None else np.asarray(errors, dtype=float)
    return TrainingResult(epochs, errors, "max_epochs", TrainingParams(), np.zeros(len(epochs)))


def test_the_error_csv_writer_refuses_repeated_or_backward_epochs(tmp_path):
    path = tmp_path / "error.csv"
    write_error_csv(path, _result([1, 2, 3]))
    assert pd.read_csv(path)["epoch"].tolist() == [1, 2, 3]
    before = path.read_bytes()
    for epochs, msg in (([1, 2, 2, 3], "epoch 2 follows epoch 2"), ([1, 2, 3, 1], "epoch 1 follows epoch 3"),
                        ([0, 1], "first epoch is 0")):
        with pytest.raises(PdpError, match=msg):
            write_error_csv(path, _result(epochs))
        assert path.read_bytes() == before                     # the old file, untouched
    with pytest.raises(PdpError, match="2 errors"):
        error_csv_text(TrainingResult(np.array([1, 2, 3]), np.array([0.5, 0.4]), "max_epochs", TrainingParams(),
                                      np.zeros(0)))
    assert not list(tmp_path.glob(".*.tmp"))
    assert error_csv_text(_result([])).splitlines() == ["epoch,error"]      # no epochs: a header only


def test_a_run_whose_curve_would_repeat_epochs_writes_nothing(tmp_path, monkeypatch, index):
    spec = write_spec(tmp_path / "xor.yaml", epochs=200, crit="null", lr=0.1)
    real_train = runs.train_with_checkpoints

    def overlapping(*a, **kw):                  # a resumed history whose new epochs overlap the old
        r = real_train(*a, **kw)
        ep = np.concatenate([r.epochs[:100], r.epochs[50:]])
        er = np.concatenate([r.errors[:100], r.errors[50:]])
        di = np.concatenate([r.max_output_distance[:100], r.max_output_distance[50:]])
        return TrainingResult(ep, er, r.stopped, r.params, di)
    monkeypatch.setattr(runs, "train_with_checkpoints", overlapping)
    with pytest.raises(PdpError, match="epoch 51 follows epoch 100"):
        train_run(spec, tmp_path / "run")
    assert not any((tmp_path / "run" / n).exists() for n in ("error.csv", "weights.npz", "run.json"))
    df = run_index.load(index)
    assert df["status"].tolist() == ["failed"]


def test_resume_from_a_checkpoint_whose_epoch_disagrees_with_its_curve_is_refused(tmp_path, monkeypatch, index):
    spec = write_spec(tmp_path / "xor.yaml", epochs=300, crit="null", lr=0.1)
    real = runs.save_checkpoint
    calls = []

    def crash_on_second(*a, **kw):
        real(*a, **kw)
        calls.append(kw["epoch"])
        if len(calls) == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(runs, "save_checkpoint", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        train_run(spec, tmp_path / "run", checkpoint_every=100)
    monkeypatch.setattr(runs, "save_checkpoint", real)
    assert run_index.load(index)["status"].tolist() == ["failed"]      # interrupted: said so
    # a checkpoint that claims epoch 150 while its curve ends at 200 (the loader's own check bypassed)
    real_load = runs.load_checkpoint
    monkeypatch.setattr(runs, "load_checkpoint", lambda out: replace(real_load(out), epoch=150))
    files = sorted(p.name for p in (tmp_path / "run").iterdir())
    with pytest.raises(PdpError, match="ends at epoch 200 but it is the checkpoint of epoch 150"):
        train_run(spec, tmp_path / "run", resume=True)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == files and "error.csv" not in files
    monkeypatch.setattr(runs, "load_checkpoint", real_load)
    train_run(spec, tmp_path / "run", resume=True)
    curve = pd.read_csv(tmp_path / "run" / "error.csv")
    assert curve["epoch"].tolist() == list(range(1, 301))
    assert load_checkpoint(tmp_path / "run").finished
    assert run_index.load(index)["status"].tolist() == ["done"]


def test_a_sweep_task_never_writes_repeated_epochs(tmp_path, monkeypatch):
    import pdpsim.training.loop as loop
    spec = write_spec(tmp_path / "xor.yaml", epochs=30, crit="null")
    real = loop.train

    def repeating(*a, **kw):
        r = real(*a, **kw)
        d = r.max_output_distance
        return TrainingResult(np.r_[r.epochs, r.epochs[-1]], np.r_[r.errors, r.errors[-1]], r.stopped, r.params,
                              np.r_[d, d[-1:]] if len(d) else d)
    monkeypatch.setattr(loop, "train", repeating)
    job = _job(spec, tmp_path / "s")
    with pytest.raises(PdpError, match=f"task {job['id']}: error.csv: epoch 30 follows epoch 30"):
        run_task(job)
    assert not (tmp_path / "s" / TASKS / job["id"]).exists()


# ---------------------------------------------------------------- on a Dask cluster
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two worker processes (with nannies), on loopback only."""
    import logging
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    client = distributed.Client(c, timeout=60)
    try:
        client.wait_for_workers(2, timeout=60)
        yield c, client
    finally:
        client.close(timeout=30)
        c.close(timeout=30)


def _folder_bytes(folder: Path) -> dict:
    return {n: (folder / n).read_bytes() for n in TASK_FILES}


@pytest.mark.slow
def test_resume_redoes_the_broken_tasks_and_only_those(tmp_path, cluster, index):
    c, _ = cluster
    spec = write_spec(tmp_path / "xor.yaml", epochs=200)
    out = tmp_path / "sweep"
    grid = {"learning_rate": [0.5, 1.0]}
    r = run_sweep(spec, grid, 3, out=out, scheduler=c.scheduler_address, timeout=300)
    assert (r.ran, r.skipped, r.failed, r.redone) == (6, 0, {}, 0)
    ids = sorted(r.results["task_id"])
    before = {t: _folder_bytes(out / TASKS / t) for t in ids}
    no_weights, garbage, short_curve, wrong_field = ids[:4]
    (out / TASKS / no_weights / "weights.npz").unlink()
    (out / TASKS / garbage / "metrics.json").write_text("{ this is not json")
    curve = (out / TASKS / short_curve / "error.csv").read_text().splitlines()
    (out / TASKS / short_curve / "error.csv").write_text("\n".join(curve[:-1]) + "\n")
    m = json.loads((out / TASKS / wrong_field / "metrics.json").read_text())
    (out / TASKS / wrong_field / "metrics.json").write_text(json.dumps({**m, "epochs": "many"}))
    untouched = ids[4:]
    stamps = {t: [(out / TASKS / t / n).stat().st_mtime_ns for n in TASK_FILES] for t in untouched}

    r2 = run_sweep(spec, grid, 3, out=out, scheduler=c.scheduler_address, timeout=300)
    assert (r2.ran, r2.skipped, r2.redone, r2.failed) == (4, 2, 4, {})
    assert set(r2.broken) == {no_weights, garbage, short_curve, wrong_field}
    assert r2.broken[no_weights] == "weights.npz is missing"
    assert r2.broken[garbage] == "metrics.json is not valid JSON"
    assert "rows" in r2.broken[short_curve] and "epochs is 'many'" in r2.broken[wrong_field]
    assert "4 of them redone" in r2.text() and no_weights in r2.text()
    for t in ids:
        assert verify_task(out / TASKS / t, t)[1] is None
        after = _folder_bytes(out / TASKS / t)
        assert after["error.csv"] == before[t]["error.csv"]           # the same training, the same curve
        assert json.loads(after["metrics.json"])["final_error"] == json.loads(before[t]["metrics.json"])["final_error"]
    for t in untouched:                                               # not redone: not even rewritten
        assert [(out / TASKS / t / n).stat().st_mtime_ns for n in TASK_FILES] == stamps[t]
    assert sorted(p.name for p in (out / TASKS).iterdir()) == ids      # nothing aside or staged left
    assert len(pd.read_csv(out / "results.csv")) == 6
    # and once more: nothing left to redo, no cluster needed
    r3 = run_sweep(spec, grid, 3, out=out, scheduler="tcp://127.0.0.1:9", timeout=30)
    assert (r3.ran, r3.skipped, r3.redone, r3.broken) == (0, 6, 0, {})


@pytest.mark.slow
def test_a_task_past_its_timeout_fails_by_name(tmp_path, cluster, index):
    c, _ = cluster
    spec = write_spec(tmp_path / "xor.yaml", epochs=50, crit="null")
    out = tmp_path / "sweep"
    t0 = time.monotonic()
    r = CliRunner().invoke(main, ["sweep", str(spec), "--grid", "max_epochs=40,100000000", "--seeds", "1",
                                  "--scheduler", c.scheduler_address, "--task-timeout", "2", "--out", str(out),
                                  "--no-progress", "--timeout", "300"])
    assert time.monotonic() - t0 < 240
    assert r.exit_code == 1, r.output
    (long_task,) = expand(build_spec(load_spec(spec)).training, {"max_epochs": [10**8]}, seeds=[0])
    assert f"task {long_task.id} (max_epochs=100000000, seed=0) did not finish within --task-timeout 2 s" in r.output
    assert "pdpsim: error: 1 of 2 sweep tasks failed" in r.output
    assert "1 tasks: 1 run, 0 already done, 1 failed" in r.output
    done = [p.name for p in (out / TASKS).iterdir()]
    assert len(done) == 1 and long_task.id not in done
    assert len(pd.read_csv(out / "results.csv")) == 1


@pytest.mark.slow
def test_a_task_that_cannot_be_stopped_has_its_worker_restarted(tmp_path, monkeypatch, index):
    import logging
    monkeypatch.setattr(sweep, "TASK_TIMEOUT_GRACE_S", 2.0)
    spec = write_spec(tmp_path / "xor.yaml", epochs=50, crit="null")
    c = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    client = distributed.Client(c, timeout=60)
    try:
        client.wait_for_workers(1, timeout=60)
        # this worker's training hangs where the task's own clock cannot look (outside the epochs)
        client.run(exec, "import pdpsim.training.loop as L\nL.train = lambda *a, **k: __import__('time').sleep(600)")
        (old_pid,) = client.run(os.getpid).values()
        t0 = time.monotonic()
        r = run_sweep(spec, {}, 1, out=tmp_path / "s", scheduler=c.scheduler_address, task_timeout=1,
                      timeout=300)
        assert time.monotonic() - t0 < 200
        (tid, why), = r.failed.items()
        assert f"task {tid} (seed=0) still running" in why and "--task-timeout 1 s" in why
        assert "its worker was restarted" in why
        client.wait_for_workers(1, timeout=60)
        assert old_pid not in client.run(os.getpid).values()
        with pytest.raises(ProcessLookupError):
            os.kill(old_pid, 0)
        # the fresh worker trains normally: the task is done on the next run
        r2 = run_sweep(spec, {}, 1, out=tmp_path / "s", scheduler=c.scheduler_address, timeout=300)
        assert (r2.ran, r2.failed) == (1, {})
    finally:
        client.close(timeout=30)
        c.close(timeout=30)


@pytest.mark.slow
def test_a_cluster_left_without_workers_stops_the_sweep(tmp_path, cluster, index):
    """Workers without nannies, all killed: the sweep ends within bounded time with one clear
    error, the finished tasks stay, and the same sweep goes on from them on another cluster."""
    import logging
    spec = write_spec(tmp_path / "xor.yaml", algorithm="delta_bar_delta", epochs=1500, crit="null", lr=0.05)
    out = tmp_path / "sweep"
    grid = {"learning_rate": [0.05, 0.1]}
    sched = distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                                     dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    env = {**os.environ, "MPLBACKEND": "Agg", "PDPSIM_RUN_INDEX": str(index)}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", sched.scheduler_address,
                               "--no-nanny", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    box = {}
    try:
        client = distributed.Client(sched, timeout=60)
        client.wait_for_workers(2, timeout=90)
        client.close(timeout=30)

        def run():
            try:
                box["result"] = run_sweep(spec, grid, 6, out=out, scheduler=sched.scheduler_address,
                                          no_worker_timeout=3, timeout=400)
            except BaseException as e:      # noqa: BLE001 - checked below
                box["error"] = e
        t = threading.Thread(target=run, daemon=True)
        t.start()
        def finished():
            return [p for p in (out / TASKS).glob("*") if not p.name.startswith(".")] if (out / TASKS).exists() \
                else []
        deadline = time.monotonic() + 120
        while not finished():
            assert time.monotonic() < deadline, "no task finished within 120 s"
            assert t.is_alive(), box
            time.sleep(0.05)
        for p in procs:
            os.kill(p.pid, signal.SIGKILL)
        killed = time.monotonic()
        for p in procs:
            p.wait(timeout=30)
        t.join(timeout=120)
        assert not t.is_alive(), "the sweep still waits 120 s after its last worker died"
        assert time.monotonic() - killed < 120
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
        sched.close(timeout=30)
    err = box.get("error")
    assert isinstance(err, PdpError), box
    msg = str(err)
    assert msg.startswith("sweep: no Dask worker left: the scheduler") and "--no-worker-timeout 3 s" in msg
    assert "of 12 tasks done" in msg and str(out / TASKS) in msg and "run the same command again" in msg
    n_msg = int(msg.split(" of 12 tasks done")[0].rsplit(" ", 1)[1])
    names = [p.name for p in (out / TASKS).iterdir()]
    assert not [n for n in names if n.startswith(STAGING_PREFIX)]     # no half-written task folder
    assert all(verify_task(out / TASKS / n, n)[1] is None for n in names)
    assert 1 <= n_msg == len(names) < 12        # what is on disk, reported or not before the kill
    # the same sweep, on a cluster with workers: goes on from the finished tasks
    c, _ = cluster
    r = run_sweep(spec, grid, 6, out=out, scheduler=c.scheduler_address, timeout=400)
    assert (r.skipped, r.ran, r.failed) == (len(names), 12 - len(names), {})
    assert len(pd.read_csv(out / "results.csv")) == 12
