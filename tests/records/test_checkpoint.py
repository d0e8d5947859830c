"""Checkpoints and resume (bit for bit, also after SIGKILL), and the run index."""
import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import pdpsim
from pdpsim.records import run_index
from pdpsim.records.checkpoint import load_checkpoint
from pdpsim.cli.main import main
from pdpsim.cli.runs import register
from pdpsim.tools.runs import train_run, train_with_checkpoints
from pdpsim.validation import PdpError
from pdpsim.records.weights import read_weights

register(main)

XOR = """
name: xor-long
seed: 3
init: {{range: 1.0}}
groups:
  input:  {{units: 2, type: INPUT}}
  hidden: {{units: 2}}
  output: {{units: 1, type: OUTPUT}}
links: [input -> hidden, hidden -> output]
examples: {{generate: xor}}
training: {{algorithm: {algorithm}, learning_rate: {lr}, momentum: 0.5, order: {order}, max_epochs: {epochs}}}
"""


def write_spec(path: Path, algorithm="delta_bar_delta", lr=0.1, order="random", epochs=6000) -> Path:
    path.write_text(XOR.format(algorithm=algorithm, lr=lr, order=order, epochs=epochs))
    return path


@pytest.fixture(autouse=True)
def index(tmp_path, monkeypatch):
    db = tmp_path / "index" / "runs.sqlite"
    monkeypatch.setenv("PDPSIM_RUN_INDEX", str(db))
    return db


def weight_bytes(path) -> dict:
    arrays, _ = read_weights(path)
    return {k: (a.dtype.str, a.shape, a.tobytes()) for k, a in arrays.items()}


@pytest.mark.parametrize("cfg", [
    dict(algorithm="delta_bar_delta", order="random", momentum=0.5, learning_rate=0.1, output_criterion=0.1),
    dict(algorithm="momentum", order="permuted", momentum=0.9, output_criterion=None, max_epochs=700),
    dict(algorithm="dougs_momentum", order="ordered", batch_size=1, output_criterion=None, max_epochs=3000),
])
def test_training_in_chunks_is_one_training(cfg):
    params = replace(pdpsim.load("xor").training, **cfg)
    m = pdpsim.load("xor")
    ref = pdpsim.train(m.network, m.examples, params)
    m2 = pdpsim.load("xor")
    seen = []
    res = train_with_checkpoints(m2.network, m2.examples, params, every=37,
                                 on_checkpoint=lambda ep, so_far: seen.append((ep, len(so_far.errors))))
    assert res.stopped == ref.stopped and res.n_epochs == ref.n_epochs
    assert res.errors.tobytes() == ref.errors.tobytes()
    assert res.max_output_distance.tobytes() == ref.max_output_distance.tobytes()
    for a, b in zip(m.network.blocks, m2.network.blocks):
        assert a.weights.tobytes() == b.weights.tobytes()
    assert seen and all(ep % 37 == 0 and n == ep for ep, n in seen)


def test_crash_after_checkpoint_then_resume_equals_uninterrupted(tmp_path, monkeypatch, index):
    spec = write_spec(tmp_path / "xor.yaml", epochs=400)
    train_run(spec, tmp_path / "ref")
    import pdpsim.tools.runs as runs
    real = runs.save_checkpoint
    calls = []

    def crash_on_third(*a, **kw):
        real(*a, **kw)
        calls.append(kw["epoch"])
        if len(calls) == 3:
            raise KeyboardInterrupt          # the process dies right after a checkpoint
    monkeypatch.setattr(runs, "save_checkpoint", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        train_run(spec, tmp_path / "run", checkpoint_every=50)
    monkeypatch.setattr(runs, "save_checkpoint", real)
    ck = load_checkpoint(tmp_path / "run")
    assert ck.epoch == 150 and not ck.finished and len(ck.errors) == 150
    with pytest.raises(PdpError, match="unfinished run.*--resume"):
        train_run(spec, tmp_path / "run")                     # not without --resume
    summary = train_run(spec, tmp_path / "run", resume=True)
    assert "resumed from the checkpoint at epoch 150" in summary
    assert (tmp_path / "run" / "error.csv").read_bytes() == (tmp_path / "ref" / "error.csv").read_bytes()
    assert weight_bytes(tmp_path / "run" / "weights.npz") == weight_bytes(tmp_path / "ref" / "weights.npz")
    assert load_checkpoint(tmp_path / "run").finished
    assert not list((tmp_path / "run").glob(".*.tmp"))
    assert len(list((tmp_path / "run").glob("checkpoint-*.npz"))) == 1
    # a finished run resumed again: nothing to do; with more epochs: it goes on
    assert "finished run" in train_run(spec, tmp_path / "run", resume=True)
    train_run(spec, tmp_path / "run", resume=True, max_epochs=450)
    train_run(spec, tmp_path / "ref450", max_epochs=450)
    assert (tmp_path / "run" / "error.csv").read_bytes() == (tmp_path / "ref450" / "error.csv").read_bytes()
    df = run_index.load()
    assert len(df) == 3 and (df["status"] == "done").all()    # the resumed run is one row
    row = df[df["path"] == str((tmp_path / "run").resolve())].iloc[0]
    assert row["epochs"] == 450 and row["kind"] == "train" and row["learning_rate"] == 0.1


def test_resume_refuses_a_changed_spec_or_parameters(tmp_path):
    spec = write_spec(tmp_path / "xor.yaml", epochs=100)
    train_run(spec, tmp_path / "run", checkpoint_every=40)
    write_spec(spec, lr=0.2, epochs=100)
    with pytest.raises(PdpError, match="hash .* this spec's hash is"):
        train_run(spec, tmp_path / "run", resume=True)
    write_spec(spec, epochs=100)
    with pytest.raises(PdpError, match=r"learning_rate 0\.1 -> 0\.3"):
        train_run(spec, tmp_path / "run", resume=True, learning_rate=0.3)
    with pytest.raises(PdpError, match="seed 3, not 4"):
        train_run(spec, tmp_path / "run", resume=True, seed=4)
    npz = next((tmp_path / "run").glob("checkpoint-*.npz"))
    npz.write_bytes(npz.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(PdpError, match="damaged"):
        train_run(spec, tmp_path / "run", resume=True)
    assert "trained from the start" in train_run(spec, tmp_path / "fresh", resume=True)


def _has_cli_options() -> bool:
    names = {p.name for p in main.commands["train"].params}
    return {"resume", "checkpoint_every"} <= names


@pytest.mark.slow
def test_sigkill_mid_training_then_resume_is_bit_identical(tmp_path, index):
    assert _has_cli_options(), ("cli.py's train command lacks the options --checkpoint-every and --resume "
                                "(they pass checkpoint_every= and resume= to pdpsim.tools.runs.train_run)")
    spec = write_spec(tmp_path / "xor.yaml", epochs=2000)
    env = {**os.environ, "PDPSIM_RUN_INDEX": str(index), "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "pdpsim.cli.main", "train", str(spec), "--no-progress"]
    ref = subprocess.Popen(cmd + ["--out", str(tmp_path / "ref")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    run = tmp_path / "run"
    victim = subprocess.Popen(cmd + ["--out", str(run), "--checkpoint-every", "100"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (run / "checkpoint.json").exists():
            assert victim.poll() is None, "training ended before its first checkpoint"
            assert time.monotonic() < deadline, "no checkpoint within 60 s"
            time.sleep(0.01)
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(timeout=30) == -signal.SIGKILL
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait(timeout=30)
    ck = load_checkpoint(run)
    assert ck is not None and not ck.finished and 100 <= ck.epoch < 2000 and ck.epoch % 100 == 0
    assert not (run / "weights.npz").exists()
    r = subprocess.run(cmd + ["--out", str(run), "--resume"], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"resumed from the checkpoint at epoch {ck.epoch}" in r.stdout
    out, _ = ref.communicate(timeout=300)
    assert ref.returncode == 0, out
    assert (run / "error.csv").read_bytes() == (tmp_path / "ref" / "error.csv").read_bytes()
    assert weight_bytes(run / "weights.npz") == weight_bytes(tmp_path / "ref" / "weights.npz")
    a, b = (json.loads((d / "run.json").read_text()) for d in (run, tmp_path / "ref"))
    assert (a["epochs"], a["final_error"], a["stopped"]) == (b["epochs"], b["final_error"], b["stopped"]) \
        == (2000, b["final_error"], "max_epochs")
    assert a["run_id"] == ck.run_id
    df = run_index.load(index)
    assert sorted(df["status"]) == ["done", "done"]


# ---------------------------------------------------------------- the run index
def _writer(db, k, n):
    for i in range(n):
        run_index.record(f"w{k}-{i}", db=db, kind="sweep", spec_name="xor", params={"learning_rate": 0.1 * k},
                         seed=i, start_time=run_index.now(), status="running")
        run_index.record(f"w{k}-{i}", db=db, end_time=run_index.now(), status="done", final_error=1.0 / (i + 1),
                         epochs=i, converged=i % 2 == 0)


def test_run_index_survives_concurrent_writers(tmp_path):
    db = tmp_path / "idx.sqlite"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(db), k, 40)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    df = run_index.load(db)
    assert len(df) == 160 and df["run_id"].is_unique and (df["status"] == "done").all()
    q = run_index.query("final_error < 0.1 AND learning_rate > 0.15", db=db)
    assert len(q) == 2 * 30 and (q["final_error"] < 0.1).all()


def test_runs_command_lists_and_filters(tmp_path, index):
    train_run("xor", tmp_path / "a", max_epochs=20)
    train_run("xor", tmp_path / "b")
    runner = CliRunner()
    r = runner.invoke(main, ["runs"])
    assert r.exit_code == 0 and "2 run(s)" in r.output and "xor" in r.output
    r = runner.invoke(main, ["runs", "--where", "final_error < 0.1"])
    assert r.exit_code == 0 and "1 run(s)" in r.output and str(tmp_path / "b") in r.output
    r = runner.invoke(main, ["runs", "--where", "converged AND max_epochs = 20"])
    assert "no runs" in r.output
    r = runner.invoke(main, ["runs", "--csv", "--limit", "1"])
    lines = r.output.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("run_id,kind,spec_hash") and "learning_rate" in lines[0]
    r = runner.invoke(main, ["runs", "--spec", "encoder-8-3-8"])
    assert "no runs" in r.output
    r = runner.invoke(main, ["runs", "--where", "final_eror < 1"])
    assert r.exit_code == 2 and "not a valid condition" in r.output and "final_error" in r.output
    r = runner.invoke(main, ["runs", "--where", "1); DROP TABLE runs; --"])
    assert r.exit_code == 2
    assert len(run_index.load()) == 2
