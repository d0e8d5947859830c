"""The run index never keeps a dead run `running`: a run records its process id, and `pdpsim runs`
marks `died` the runs of this host whose process is gone; a run that raises says `failed`."""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import pdpsim.tools.runs as runs
from pdpsim.cli.main import main
from pdpsim.records import run_index
from pdpsim.tools.runs import train_run


@pytest.fixture
def index(tmp_path, monkeypatch):
    db = tmp_path / "runs.sqlite"
    monkeypatch.setenv("PDPSIM_RUN_INDEX", str(db))
    return db


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait(timeout=60)
    return p.pid


def status(db, run_id) -> str:
    df = run_index.load(db)
    return df.set_index("run_id").loc[run_id, "status"]


def test_running_rows_whose_process_is_gone_are_marked_died(index):
    here, gone = socket.gethostname(), dead_pid()
    rows = {
        "gone": dict(status="running", pid=gone, host=here),
        "alive": dict(status="running", pid=os.getpid(), host=here),
        "elsewhere": dict(status="running", pid=gone, host=here + "-other"),
        "finished": dict(status="done", pid=gone, host=here),
        "old": dict(status="running", host=here),                     # written before pids were recorded
    }
    for run_id, f in rows.items():
        run_index.record(run_id, db=index, kind="train", spec_name="xor", start_time=run_index.now(), **f)
    assert run_index.pid_alive(os.getpid()) and not run_index.pid_alive(gone)
    assert not run_index.pid_alive(0) and not run_index.pid_alive(None) and not run_index.pid_alive(-1)
    assert run_index.mark_dead(index) == ["gone"]
    assert {r: status(index, r) for r in rows} == {"gone": "died", "alive": "running", "elsewhere": "running",
                                                  "finished": "done", "old": "running"}
    assert run_index.mark_dead(index) == []                          # once
    assert run_index.mark_dead(Path(index).parent / "none.sqlite") == []


def test_a_zombie_is_not_alive(index):
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 60
    while Path(f"/proc/{p.pid}/stat").exists() and \
            Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    try:
        if not Path(f"/proc/{p.pid}").exists():
            pytest.skip("no /proc here")
        os.kill(p.pid, 0)                               # a zombie still answers a signal ...
        assert not run_index.pid_alive(p.pid)           # ... but it is not running anything
    finally:
        p.wait(timeout=60)


def test_a_run_taken_up_again_is_not_marked(index, monkeypatch):
    """Between reading a dead row and marking it, the run was resumed by a new process: left running."""
    here, gone = socket.gethostname(), dead_pid()
    run_index.record("r", db=index, status="running", pid=gone, host=here)
    real = run_index.pid_alive

    def resumed_meanwhile(pid):
        run_index.record("r", db=index, status="running", pid=os.getpid(), host=here)
        return real(pid)
    monkeypatch.setattr(run_index, "pid_alive", resumed_meanwhile)
    assert run_index.mark_dead(index) == []
    assert status(index, "r") == "running"


def test_runs_command_shows_died_failed_and_other_hosts(index):
    here, gone = socket.gethostname(), dead_pid()
    run_index.record("a" * 32, db=index, kind="train", spec_name="xor", status="running", pid=gone, host=here,
                     start_time="2026-01-01T00:00:00.000+00:00")
    run_index.record("b" * 32, db=index, kind="train", spec_name="xor", status="running", pid=gone,
                     host="far-away-host", start_time="2026-01-02T00:00:00.000+00:00")
    run_index.record("c" * 32, db=index, kind="train", spec_name="xor", status="failed", pid=gone, host=here,
                     start_time="2026-01-03T00:00:00.000+00:00")
    r = CliRunner().invoke(main, ["runs"])
    assert r.exit_code == 0, r.output
    lines = {ln.split()[0]: ln for ln in r.output.splitlines() if ln.split() and len(ln.split()[0]) == 12}
    assert " died " in lines["a" * 12] and "running (host far-away-host)" in lines["b" * 12]
    assert " failed " in lines["c" * 12]
    assert status(index, "a" * 32) == "died"                          # stored, not only shown
    r = CliRunner().invoke(main, ["runs", "--where", "status = 'died'", "--csv"])
    out = r.output.strip().splitlines()
    assert len(out) == 2 and out[0].split(",")[:2] == ["run_id", "kind"] and "pid" in out[0].split(",")


def test_an_index_written_before_pids_were_recorded_is_read_and_upgraded(tmp_path):
    db = tmp_path / "old.sqlite"
    cols = [c for c in run_index.COLUMNS if c != "pid"]
    con = sqlite3.connect(db)
    con.execute(f"CREATE TABLE runs ({', '.join(f'{c} {run_index.COLUMNS[c]}' for c in cols)})")
    con.execute("INSERT INTO runs (run_id, kind, status, host) VALUES ('x', 'train', 'running', ?)",
                (socket.gethostname(),))
    con.commit()
    con.close()
    df = run_index.query(db=db)                      # read-only: a pid column of nulls
    assert df["pid"].isna().all() and df["status"].tolist() == ["running"]
    assert run_index.mark_dead(db) == []             # no pid: cannot tell, left as it is
    run_index.record("y", db=db, status="running", pid=dead_pid())
    assert run_index.mark_dead(db) == ["y"]
    assert run_index.load(db).set_index("run_id")["status"].to_dict() == {"x": "running", "y": "died"}


def test_an_index_file_whose_table_is_not_made_yet_lists_no_runs(tmp_path):
    """The first writer has created the file and not yet its table: readers see no runs, no error."""
    db = tmp_path / "new.sqlite"
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    assert run_index.query(db=db, params=True).empty and run_index.query("final_error < 1", db=db).empty
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert con.execute("SELECT name FROM sqlite_master").fetchall() == []        # a reader made nothing
    con.close()


def test_a_run_records_its_pid_and_says_failed_when_it_raises(tmp_path, monkeypatch, index):
    train_run("xor", tmp_path / "ok", max_epochs=20)
    row = run_index.load(index).iloc[0]
    assert row["status"] == "done" and row["pid"] == os.getpid() and row["host"] == socket.gethostname()

    def boom(*a, **kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(runs, "train_with_checkpoints", boom)
    with pytest.raises(KeyboardInterrupt):
        train_run("xor", tmp_path / "bad", max_epochs=20)
    df = run_index.load(index).set_index("path")
    bad = df.loc[str((tmp_path / "bad").resolve())]
    assert bad["status"] == "failed" and isinstance(bad["end_time"], str)
    assert run_index.mark_dead(index) == []


@pytest.mark.slow
def test_a_train_process_killed_before_its_first_checkpoint_shows_as_died(tmp_path, index):
    spec = tmp_path / "long.yaml"
    spec.write_text("""
name: xor-long
seed: 0
groups:
  input:  {units: 2, type: INPUT}
  hidden: {units: 2}
  output: {units: 1, type: OUTPUT}
links: [input -> hidden, hidden -> output]
examples: {generate: xor}
training: {algorithm: momentum, learning_rate: 0.1, momentum: 0.9, max_epochs: 100000000, output_criterion: null}
""")
    env = {**os.environ, "PDPSIM_RUN_INDEX": str(index), "MPLBACKEND": "Agg"}
    run = tmp_path / "run"
    victim = subprocess.Popen([sys.executable, "-m", "pdpsim.cli.main", "train", str(spec), "--no-progress",
                               "--out", str(run), "--checkpoint-every", "100000000"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert victim.poll() is None, "training ended on its own"
            assert time.monotonic() < deadline, "the run was not registered within 120 s"
            df = run_index.load(index) if index.exists() else None
            if df is not None and len(df):
                break
            time.sleep(0.05)
        assert df["status"].tolist() == ["running"] and df["pid"].tolist() == [victim.pid]
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(timeout=60) == -signal.SIGKILL
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait(timeout=60)
    assert not (run / "checkpoint.json").exists()
    assert run_index.load(index)["status"].tolist() == ["running"]        # nobody has looked yet
    r = CliRunner().invoke(main, ["runs"])
    assert r.exit_code == 0 and " died " in r.output, r.output
    assert run_index.load(index)["status"].tolist() == ["died"]
    # resumed (no checkpoint: from the start), the same folder is a run of its own that finishes
    r = subprocess.run([sys.executable, "-m", "pdpsim.cli.main", "train", str(spec), "--no-progress", "--out",
                        str(run), "--resume", "--epochs", "50"], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(run_index.load(index)["status"]) == ["died", "done"]
