"""The run index: one row per training run and sweep task, in SQLite.

Where: ``~/.pdpsim/runs.sqlite``, or the path in the environment variable
``PDPSIM_RUN_INDEX`` (``PDPSIM_RUN_INDEX=off`` records nothing).

Each row: ``run_id`` (unique), ``kind`` (``train`` or ``sweep``), ``spec_hash``,
``spec_name``, ``spec_source``, ``params`` (the training parameters, JSON),
``seed``, ``start_time`` and ``end_time`` (ISO 8601, UTC), ``status`` (see below),
``stopped`` (how training stopped), ``final_error``, ``epochs``, ``converged`` (0/1),
``seconds``, ``path`` (the run folder or the sweep task's folder), ``sweep`` (the
sweep's folder, for sweep tasks), ``host``, ``pid`` (the process that ran it last).

Status: ``running`` (its process was training it when last heard of), ``done``,
``failed`` (it stopped with an error or an interrupt, and said so) or ``died`` (its
process ended without finishing the run: killed, crashed, the machine went down).
A process that is killed cannot say so: :func:`mark_dead` (run by ``pdpsim runs``)
marks ``died`` every ``running`` row of *this* host whose process no longer exists.
Rows of other hosts are left ``running`` (their processes cannot be checked from here);
a reused process id can keep a dead run ``running`` until that process ends too.

Many processes may write at once (the workers of a sweep): the database is in
WAL mode, every write is one short ``BEGIN IMMEDIATE`` transaction, and a
writer waits up to 60 s for the lock. Rows are upserts by ``run_id``, so a
retried sweep task updates its row instead of adding a second one.

Reading: :func:`load` gives a pandas DataFrame; :func:`query` filters it with
an SQL ``WHERE`` clause on a read-only connection, where every training
parameter is also a column (``learning_rate``, ``momentum``, ...).
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pdpsim.validation import PdpError

ENV = "PDPSIM_RUN_INDEX"
DEFAULT = Path("~/.pdpsim/runs.sqlite")
BUSY_TIMEOUT_S = 60.0

COLUMNS = {
    "run_id": "TEXT PRIMARY KEY",
    "kind": "TEXT",
    "spec_hash": "TEXT",
    "spec_name": "TEXT",
    "spec_source": "TEXT",
    "params": "TEXT",
    "seed": "INTEGER",
    "start_time": "TEXT",
    "end_time": "TEXT",
    "status": "TEXT",
    "stopped": "TEXT",
    "final_error": "REAL",
    "epochs": "INTEGER",
    "converged": "INTEGER",
    "seconds": "REAL",
    "path": "TEXT",
    "sweep": "TEXT",
    "host": "TEXT",
    "pid": "INTEGER",
}
#: the statuses a row can have
STATUSES = ("running", "done", "failed", "died")
#: training parameters shown as columns of their own in queries (from ``params``)
PARAM_COLUMNS = ("rule", "update", "backend", "algorithm", "learning_rate", "momentum", "weight_decay",
                 "batch_size", "order", "max_epochs", "error_criterion", "output_criterion")
_SCHEMA = f"CREATE TABLE IF NOT EXISTS runs ({', '.join(f'{k} {v}' for k, v in COLUMNS.items())})"


class RunIndexWarning(UserWarning):
    """The run index could not be written (the run itself went on)."""


def now() -> str:
    """The current time, ISO 8601 in UTC (sorts as text)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def index_path() -> Path | None:
    """Where the index is (None when ``PDPSIM_RUN_INDEX=off``)."""
    env = os.environ.get(ENV, "").strip()
    if env.lower() in ("off", "none", "0", "false"):
        return None
    return Path(env or DEFAULT).expanduser()


def connect(db: str | Path | None = None) -> sqlite3.Connection:
    """A connection for writing (the file, its folder and the table are created if missing)."""
    path = Path(db) if db is not None else index_path()
    if path is None:
        raise PdpError(f"the run index is switched off ({ENV}=off)")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute(_SCHEMA)
        _add_missing_columns(con)
    except BaseException:
        con.close()
        raise
    return con


def _add_missing_columns(con: sqlite3.Connection) -> None:
    """An index written by an older pdpsim gets the columns added since (``pid``)."""
    have = {row[1] for row in con.execute("PRAGMA table_info(runs)")}
    for name, kind in COLUMNS.items():
        if name not in have:
            try:
                con.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as e:          # another writer added it just now
                if "duplicate column" not in str(e).lower():
                    raise


def record(run_id: str, db: str | Path | None = None, **fields) -> None:
    """Insert the row ``run_id``, or update the fields given if it exists.

    ``db``: the index file (default: :func:`index_path`). ``params`` may be a dict
    (stored as JSON); ``converged`` a bool.
    """
    sql, args = _upsert(run_id, fields)
    with _transaction(db) as con:
        con.execute(sql, args)


@contextmanager
def _transaction(db: str | Path | None):
    """A connection to the index inside ``BEGIN IMMEDIATE``: committed if the body returns,
    rolled back (the error raised on) if it raises; closed either way."""
    con = connect(db)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def _upsert(run_id: str, fields: dict) -> tuple[str, list]:
    bad = sorted(set(fields) - set(COLUMNS))
    if bad:
        raise PdpError(f"run index: unknown column(s) {', '.join(bad)}; columns: {', '.join(COLUMNS)}")
    if isinstance(fields.get("params"), dict):
        fields["params"] = json.dumps(fields["params"], sort_keys=True, default=str)
    if isinstance(fields.get("converged"), bool):
        fields["converged"] = int(fields["converged"])
    for k in ("path", "sweep"):
        if fields.get(k) is not None:
            fields[k] = str(fields[k])
    fields.setdefault("host", socket.gethostname())
    cols = ["run_id", *fields]
    updates = ", ".join(f"{k} = excluded.{k}" for k in fields) or "run_id = run_id"
    sql = (f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
           f"ON CONFLICT(run_id) DO UPDATE SET {updates}")
    return sql, [run_id, *fields.values()]


def record_many(rows, db: str | Path | None = None) -> None:
    """Upsert many rows ``[(run_id, {column: value}), ...]`` in one transaction."""
    rows = list(rows)
    if not rows:
        return
    with _transaction(db) as con:
        for run_id, fields in rows:
            sql, args = _upsert(run_id, dict(fields))
            con.execute(sql, args)


def try_record(run_id: str, db: str | Path | None = None, **fields) -> bool:
    """:func:`record`, turning any failure into a warning (a run never fails for its index)."""
    if db is None and index_path() is None:
        return False
    try:
        record(run_id, db, **fields)
        return True
    except (sqlite3.Error, OSError, PdpError) as e:
        warnings.warn(f"pdpsim: run index '{db or index_path()}' not updated: {e}", RunIndexWarning,
                      stacklevel=2)
        return False


def _read_only(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        have = {row[1] for row in con.execute("PRAGMA table_info(runs)")}
        missing = "".join(f", NULL AS \"{c}\"" for c in COLUMNS if c not in have)   # an older index
        params = ", ".join(f"json_extract(params, '$.{p}') AS \"{p}\"" for p in PARAM_COLUMNS)
        # a file whose first writer has not yet made the table (it is being created): no runs
        source = "runs" if have else f"(SELECT {', '.join(f'NULL AS {c}' for c in COLUMNS)} WHERE 0)"
        if not have:
            missing = ""
        con.execute(f"CREATE TEMP VIEW v AS SELECT r.*{missing}, {params} FROM {source} AS r")
    except BaseException:
        con.close()
        raise
    return con


# ---------------------------------------------------------------- runs whose process died
def pid_alive(pid) -> bool:
    """Whether process ``pid`` exists on this host (a zombie, killed and not yet reaped, does not)."""
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:             # another user's process: it exists
        return True
    except OSError:
        return True                     # cannot tell: assume it is alive
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:][:1] != "Z"
    except (OSError, ValueError, IndexError):
        return True


def mark_dead(db: str | Path | None = None) -> list[str]:
    """Mark ``died`` every ``running`` row of this host whose process no longer exists;
    return their run ids. Rows of other hosts, and rows without a process id (written by an
    older pdpsim), are left as they are. ``pdpsim runs`` calls this before listing."""
    p = Path(db) if db is not None else index_path()
    if p is None or not p.exists():
        return []
    host = socket.gethostname()
    con = connect(p)
    try:
        rows = con.execute("SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ? "
                           "AND pid IS NOT NULL", (host,)).fetchall()
        dead = [(run_id, pid) for run_id, pid in rows if not pid_alive(pid)]
        if not dead:
            return []
        con.execute("BEGIN IMMEDIATE")
        try:
            marked = []
            for run_id, pid in dead:     # only if nobody took the run up again (a resumed run has a new pid)
                cur = con.execute("UPDATE runs SET status = 'died' WHERE run_id = ? AND status = 'running' "
                                  "AND pid = ? AND host = ?", (run_id, pid, host))
                if cur.rowcount:
                    marked.append(run_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return marked
    finally:
        con.close()


def query(where: str | None = None, spec: str | None = None, limit: int | None = None,
          db: str | Path | None = None, params: bool = False):
    """Rows of the index as a pandas DataFrame, most recent first.

    ``where`` is an SQL condition (``final_error < 0.1 AND converged``); the
    training parameters are columns too (``learning_rate = 0.5``; quote
    ``"order"`` and ``"update"``, SQL words). ``spec`` keeps runs whose spec
    name is ``spec`` or whose spec hash starts with it. ``params=True`` adds the
    parameter columns to the result.
    """
    import pandas as pd
    p = Path(db) if db is not None else index_path()
    if p is None:
        raise PdpError(f"the run index is switched off ({ENV}=off)")
    cols = list(COLUMNS) + (list(PARAM_COLUMNS) if params else [])
    if not p.exists():
        return pd.DataFrame({c: [] for c in cols})
    conds, args = [], []
    if spec:
        conds.append("(spec_name = ? OR spec_hash LIKE ?)")
        args += [spec, spec + "%"]
    if where:
        conds.append(f"({where})")
    sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM v"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += " ORDER BY start_time DESC, run_id"
    if limit is not None:
        if int(limit) < 0:
            raise PdpError(f"--limit: expected a number >= 0, got {limit}")
        sql += f" LIMIT {int(limit)}"
    try:
        con = _read_only(p)
    except sqlite3.Error as e:
        raise PdpError(f"run index '{p}': cannot be read ({e})") from None
    try:
        df = pd.read_sql_query(sql, con, params=args)
    except (sqlite3.Error, pd.errors.DatabaseError) as e:
        msg = str(e).split(": ", 1)[-1] if "Execution failed" in str(e) else str(e)
        raise PdpError(f"--where {where!r}: not a valid condition ({msg}); columns: "
                       f"{', '.join(list(COLUMNS) + list(PARAM_COLUMNS))}") from None
    finally:
        con.close()
    df["converged"] = df["converged"].astype("boolean")
    for c in ("seed", "epochs", "batch_size", "max_epochs"):
        if c in df:
            df[c] = pd.to_numeric(df[c]).astype("Int64")
    return df


def load(db: str | Path | None = None, params: bool = True):
    """The whole index as a pandas DataFrame (with one column per training parameter)."""
    return query(db=db, params=params)
