"""Sweeps on Dask distributed: a real scheduler and worker processes on 127.0.0.1, one of them killed."""
import json
import os
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pdpsim.records import run_index
from pdpsim.cli.main import main
from pdpsim.cli.runs import register
from pdpsim.tools.sweep import STAGING_PREFIX, TASKS, expand, parse_grid, run_sweep
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError

pytestmark = pytest.mark.slow          # (make test-fast leaves these out)

distributed = pytest.importorskip("distributed")
register(main)

SPEC = """
name: xor-sweep
seed: 0
groups:
  input:  {{units: 2, type: INPUT}}
  hidden: {{units: 2}}
  output: {{units: 1, type: OUTPUT}}
links: [input -> hidden, hidden -> output]
examples: {{generate: xor}}
training: {{algorithm: {algorithm}, learning_rate: 0.5, momentum: 0.9, max_epochs: {epochs}, output_criterion: {crit}}}
"""


def write_spec(path: Path, algorithm="momentum", epochs=300, crit=0.1) -> Path:
    path.write_text(SPEC.format(algorithm=algorithm, epochs=epochs, crit=crit))
    return path


@pytest.fixture(autouse=True)
def index(tmp_path, monkeypatch):
    db = tmp_path / "runs.sqlite"
    monkeypatch.setenv("PDPSIM_RUN_INDEX", str(db))
    return db


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


def test_grid_parsing_and_expansion():
    grid = parse_grid(["learning_rate=0.1,0.5", "momentum=0,0.9", "output-criterion=none"])
    assert grid == {"learning_rate": [0.1, 0.5], "momentum": [0, 0.9], "output_criterion": [None]}
    tasks = expand(TrainingParams(), grid, seeds=[0, 1, 2])
    assert len(tasks) == 12 and len({t.id for t in tasks}) == 12
    assert tasks[0].overrides == {"learning_rate": 0.1, "momentum": 0.0, "output_criterion": None}
    # the same parameters and seed are the same task, however they were written
    again = expand(TrainingParams(), parse_grid(["momentum=0.0,0.9", "learning_rate=0.1,0.5"]), seeds=[0, 1, 2])
    assert {t.id for t in again} == {t.id for t in tasks}
    with pytest.raises(PdpError, match="unknown key 'learning_rat'"):
        parse_grid(["learning_rat=0.1"])
    with pytest.raises(PdpError, match="KEY=VALUE"):
        parse_grid(["learning_rate"])
    with pytest.raises(PdpError, match="not both"):
        expand(TrainingParams(), parse_grid(["seed=1,2"]), seeds=[0])
    with pytest.raises(PdpError, match="learning_rate: expected a number"):
        expand(TrainingParams(), parse_grid(["learning_rate=fast"]))


def test_sweep_writes_every_task_and_a_rerun_skips_them(tmp_path, cluster, index):
    c, _ = cluster
    spec = write_spec(tmp_path / "xor.yaml")
    out = tmp_path / "sweep"
    grid = {"learning_rate": [0.5, 1.0], "momentum": [0.0, 0.9]}
    r = run_sweep(spec, grid, 2, out=out, scheduler=c.scheduler_address, timeout=120)
    assert (r.ran, r.skipped, r.failed) == (8, 0, {})
    dirs = sorted(p.name for p in (out / TASKS).iterdir())
    assert dirs == sorted(r.results["task_id"]) and len(dirs) == 8
    for d in dirs:
        assert {p.name for p in (out / TASKS / d).iterdir()} == {"error.csv", "weights.npz", "metrics.json"}
        m = json.loads((out / TASKS / d / "metrics.json").read_text())
        curve = pd.read_csv(out / TASKS / d / "error.csv", float_precision="round_trip")
        assert len(curve) == m["epochs"] and curve["error"].iloc[-1] == m["final_error"]
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 8 and results["task_id"].is_unique
    assert list(results.columns[:4]) == ["task_id", "learning_rate", "momentum", "seed"]
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 4 and (summary["runs"] == 2).all()
    assert summary["success_rate"].between(0, 1).all()
    assert pd.read_parquet(out / "summary.parquet").shape == summary.shape
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"
    df = run_index.load(index)
    assert len(df) == 8 and set(df["kind"]) == {"sweep"} and df["run_id"].is_unique
    assert set(df["path"]) == {str((out / TASKS / d).resolve()) for d in dirs}
    # again, in the same folder: nothing to run, no cluster needed (this address has none)
    r2 = run_sweep(spec, grid, 2, out=out, scheduler="tcp://127.0.0.1:9", timeout=30)
    assert (r2.ran, r2.skipped) == (0, 8)
    assert r2.results.drop(columns="seconds").equals(r.results.drop(columns="seconds"))
    assert len(run_index.load(index)) == 8
    # a wider grid runs only the new tasks
    r3 = run_sweep(spec, {**grid, "momentum": [0.0, 0.9, 0.5]}, 2, out=out, scheduler=c.scheduler_address,
                   timeout=120)
    assert (r3.ran, r3.skipped) == (4, 8) and len(r3.summary) == 6
    # a different spec in the same folder is refused
    write_spec(spec, epochs=301)
    with pytest.raises(PdpError, match="holds a sweep of a spec with hash"):
        run_sweep(spec, grid, 2, out=out, scheduler=c.scheduler_address)


def test_worker_killed_mid_sweep_every_result_once(tmp_path, cluster, index):
    c, client = cluster
    # delta-bar-delta runs on the numpy path: ~0.1-0.5 s a task, long enough to be killed mid-task
    spec = write_spec(tmp_path / "xor.yaml", algorithm="delta_bar_delta", epochs=2000, crit="null")
    out = tmp_path / "sweep"
    grid = {"learning_rate": [0.05, 0.1], "momentum": [0.0, 0.5]}
    box = {}

    def sweep():
        try:
            box["result"] = run_sweep(spec, grid, 2, out=out, scheduler=c.scheduler_address, retries=2,
                                      timeout=150)
        except BaseException as e:          # noqa: BLE001 - reported below
            box["error"] = e
    t = threading.Thread(target=sweep, daemon=True)
    t.start()
    deadline = time.monotonic() + 90
    killed = None
    while killed is None:
        assert time.monotonic() < deadline, "no task finished within 90 s"
        assert t.is_alive(), box
        done = [p for p in (out / TASKS).glob("*") if not p.name.startswith(".")] if (out / TASKS).exists() else []
        busy = [w for w, keys in client.processing().items() if keys]
        if len(done) >= 1 and busy:
            pids = client.run(os.getpid, workers=busy[:1])
            killed = next(iter(pids.values()))
            os.kill(killed, signal.SIGKILL)          # the worker process, mid-task
        else:
            time.sleep(0.05)
    t.join(timeout=180)
    assert not t.is_alive(), "the sweep did not finish within 180 s of the kill"
    assert "error" not in box, box.get("error")
    r = box["result"]
    assert r.failed == {} and r.ran + r.skipped == 8
    names = sorted(p.name for p in (out / TASKS).iterdir())
    assert names == sorted(r.results["task_id"]) and len(names) == 8
    assert not [n for n in names if n.startswith((STAGING_PREFIX, "."))]
    for n in names:
        assert {p.name for p in (out / TASKS / n).iterdir()} == {"error.csv", "weights.npz", "metrics.json"}
    assert r.results["task_id"].is_unique and len(pd.read_csv(out / "results.csv")) == 8
    df = run_index.load(index)
    assert len(df) == 8 and df["run_id"].is_unique and (df["status"] == "done").all()
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)
    client.wait_for_workers(2, timeout=60)           # the nanny brought the worker back


def test_sweep_command_on_a_local_cluster(tmp_path, index):
    spec = write_spec(tmp_path / "xor.yaml", epochs=200)
    runner = CliRunner()
    r = runner.invoke(main, ["sweep", str(spec), "--grid", "learning_rate=0.5,1", "--seeds", "2",
                             "--workers", "1", "--out", str(tmp_path / "s"), "--no-progress", "--timeout", "120"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "4 tasks: 4 run, 0 already done" in r.output and "success_rate" in r.output
    assert len(pd.read_csv(tmp_path / "s" / "summary.csv")) == 2
    r = runner.invoke(main, ["runs", "--spec", "xor-sweep", "--where", "learning_rate = 1"])
    assert r.exit_code == 0 and "2 run(s)" in r.output
    r = runner.invoke(main, ["sweep", str(spec), "--grid", "learning_rate=x,y,x", "--out", str(tmp_path / "t")])
    assert r.exit_code == 2 and "repeated" in r.output


def test_task_files_travel_back_for_workers_without_our_files(tmp_path):
    """What a worker on another machine does: write where it can, and send the files back."""
    from pdpsim.formats.spec import load_spec
    from pdpsim.tools.sweep import _commit_dir, run_task
    spec = load_spec(write_spec(tmp_path / "xor.yaml", epochs=50))
    (task,) = expand(TrainingParams(**spec.data["training"]), {}, seeds=[5])
    job = {"id": task.id, "spec_data": spec.data, "spec_source": spec.source, "spec_hash": spec.digest,
           "training": task.training, "seed": 5, "overrides": {}, "out": str(tmp_path / "remote"),
           "index": None, "payload": True}
    first = run_task(job)
    assert not first["cached"] and first["epochs"] == 50 and first["seed"] == 5
    files = first["files"]
    assert {n: (tmp_path / "remote" / TASKS / task.id / n).read_bytes() for n in files} == files
    again = run_task(job)                           # a retry: nothing trained, the same files
    assert again["cached"] and again["files"] == files
    local = tmp_path / "local" / TASKS
    assert _commit_dir(local, task.id, files) is True
    assert _commit_dir(local, task.id, files) is False
    assert sorted(p.name for p in local.iterdir()) == [task.id]
