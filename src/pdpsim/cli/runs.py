"""The ``pdpsim sweep`` and ``pdpsim runs`` commands (added to ``pdpsim`` by :func:`register`)."""
from __future__ import annotations

import sys

import click


@click.command("sweep")
@click.argument("spec")
@click.option("--grid", "grid_items", multiple=True, metavar="KEY=V1,V2,...",
              help="A training parameter and its values (repeatable): learning_rate=0.1,0.5. Also seed=1,2,3.")
@click.option("--seeds", type=int, default=None, help="Run every combination from this many seeds.")
@click.option("--seed-start", type=int, default=0, show_default=True, help="The first of the --seeds.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="A running Dask scheduler (tcp://host:port); default: a local cluster.")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Worker processes of the local cluster (without --scheduler).")
@click.option("--retries", type=int, default=3, show_default=True, help="Retries of a task that fails.")
@click.option("--timeout", type=float, default=None, help="Give up after this many seconds (finished tasks are kept).")
@click.option("--task-timeout", type=float, default=3600.0, show_default=True, metavar="SECONDS",
              help="A task still training after this many seconds fails (0: no limit).")
@click.option("--no-worker-timeout", type=float, default=60.0, show_default=True, metavar="SECONDS",
              help="Stop when the cluster has had no worker for this long (finished tasks are kept).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the sweep.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
def sweep(spec, grid_items, seeds, seed_start, scheduler, workers, retries, timeout, task_timeout,
          no_worker_timeout, out, progress) -> None:
    """Train SPEC for every combination of the --grid values (and --seeds), as Dask tasks.

    Writes OUT/tasks/<task-id>/ (error.csv, weights.npz, metrics.json) for each
    task, results.csv/.parquet (one row per task), summary.csv/.parquet (one row
    per combination: success rate, and mean/median/sd_epochs_converged, the
    epochs to criterion over the runs that converged, as `pdpsim ensemble`
    prints them) and summary.png. Run again, it skips the tasks already done
    (and redoes those whose files are missing or damaged). Exit status 1 if a
    task failed (or ran past --task-timeout); exit status 2, and nothing more
    done, when no worker is left (--no-worker-timeout) or --timeout passes.

    \b
    pdpsim sweep xor --grid learning_rate=0.1,0.5 --grid momentum=0,0.9 --seeds 200 --out xor-study
    """
    from pathlib import Path

    from pdpsim.tools.sweep import parse_grid, run_sweep
    from pdpsim.validation import PdpError
    if retries < 0:
        raise PdpError(f"--retries: expected a number >= 0, got {retries}")
    result = run_sweep(spec, parse_grid(grid_items), seeds, out=Path(out), seed_start=seed_start,
                       scheduler=scheduler, workers=workers, retries=retries, timeout=timeout,
                       task_timeout=task_timeout, no_worker_timeout=no_worker_timeout,
                       progress=progress and sys.stderr.isatty())
    click.echo(result.text())
    if result.failed:
        from pdpsim.validation import TrainingFailed
        raise TrainingFailed(f"{len(result.failed)} of {len(result.results) + len(result.failed)} sweep tasks "
                             "failed (listed above); run the same command again to retry them")


@click.command("runs")
@click.option("--spec", default=None, help="Only runs of this spec (its name, or the start of its hash).")
@click.option("--where", default=None, metavar="CONDITION",
              help="An SQL condition: 'final_error < 0.1', 'converged AND learning_rate = 0.5'.")
@click.option("--limit", type=int, default=None, help="At most this many runs (the most recent).")
@click.option("--csv", "as_csv", is_flag=True, help="Every column, as CSV.")
@click.option("--index", "index_file", type=click.Path(dir_okay=False), default=None,
              help="The index file (default: $PDPSIM_RUN_INDEX or ~/.pdpsim/runs.sqlite).")
def runs(spec, where, limit, as_csv, index_file) -> None:
    """List the runs recorded by `pdpsim train` and `pdpsim sweep` (the run index).

    Columns: run_id, kind, spec_hash, spec_name, params, seed, start_time,
    end_time, status, stopped, final_error, epochs, converged, seconds, path,
    sweep, host, pid; every training parameter (learning_rate, momentum, ...) can
    be used in --where.

    Status: running, done, failed (stopped with an error or Ctrl-C) or died: a
    run still `running` whose process no longer exists on this host (killed,
    crashed) is marked died first. Runs of other hosts cannot be checked from
    here: they are shown as 'running (host NAME)'.
    """
    import sqlite3

    from pdpsim.records import run_index
    from pdpsim.validation import PdpError
    try:
        run_index.mark_dead(index_file)
    except (sqlite3.Error, OSError, PdpError) as e:      # a read-only index: list it as it is
        click.echo(f"pdpsim: warning: run index '{index_file or run_index.index_path()}': runs whose process "
                   f"died could not be marked ({e})", err=True)
    df = run_index.query(where=where, spec=spec, limit=limit, db=index_file, params=as_csv)
    if as_csv:
        click.echo(df.to_csv(index=False), nl=False)
        return
    if df.empty:
        click.echo(f"no runs in {index_file or run_index.index_path()}" + (" match" if (where or spec) else ""))
        return
    import json
    import socket

    import pandas as pd
    here = socket.gethostname()
    show = pd.DataFrame({
        "run": df["run_id"].str.slice(0, 12),
        "kind": df["kind"],
        "spec": df["spec_name"],
        "seed": df["seed"],
        "params": [_short_params(p, json) for p in df["params"]],
        "epochs": df["epochs"],
        "final_error": df["final_error"],
        "converged": df["converged"],
        "status": [_status(s, h, here) for s, h in zip(df["status"], df["host"])],
        "started": df["start_time"].str.slice(0, 19).str.replace("T", " "),
        "path": df["path"],
    })
    with pd.option_context("display.max_rows", 10_000, "display.max_columns", 50, "display.width", 200,
                           "display.max_colwidth", 60, "display.float_format", "{:.4g}".format):
        click.echo(show.to_string(index=False))
    click.echo(f"\n{len(df)} run(s)")


def _status(status, host, here: str) -> str:
    """A row's status; a run `running` on another host says where (it cannot be checked from here)."""
    if not isinstance(status, str):
        return ""
    if status == "running" and isinstance(host, str) and host and host != here:
        return f"running (host {host})"
    return status


def _short_params(text, json) -> str:
    try:
        p = json.loads(text or "{}")
    except ValueError:
        return ""
    keys = ("algorithm", "learning_rate", "momentum")
    return " ".join(f"{k}={p[k]}" for k in keys if k in p)


def register(main: click.Group) -> None:
    """Add ``sweep`` and ``runs`` to the ``pdpsim`` command group."""
    for cmd in (sweep, runs):
        if cmd.name not in main.commands:
            main.add_command(cmd)
