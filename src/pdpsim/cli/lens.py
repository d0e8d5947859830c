"""``pdpsim lens SCRIPT [ARGS]...``: run a Lens script on pdpsim.

Defined on its own; the main command line adds it with :func:`register`.
"""
from __future__ import annotations

import sys

import click


@click.command("lens", context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]})
@click.argument("script", type=click.Path(dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--seed", type=int, default=None,
              help="Seed Lens's random numbers (as 'seed N' would; default: from the clock, as Lens).")
@click.option("--digits", type=click.IntRange(1, 17), default=7, show_default=True,
              help="Significant digits of the reals getObj/setObj return (Lens: 7).")
@click.option("--traceback", is_flag=True, help="On an error, print Tcl's whole error trace.")
def lens(script: str, args: tuple[str, ...], seed: int | None, digits: int, traceback: bool) -> None:
    """Run the Lens script SCRIPT (Tcl with Lens's commands) on pdpsim.

    ARGS are the script's ``$argv``. Lens's conventions apply inside the
    script: sum-squared error without 1/2, derivatives summed over a batch,
    cross-entropy outputs, Doug's momentum, weights in +-1, a bias group.
    A command, option or object path pdpsim does not implement stops the
    script with a message naming it (see docs/lens.md).
    """
    from pdpsim.lens import ScriptError, run_script
    try:
        status = run_script(script, list(args), seed=seed, real_digits=digits)
    except ScriptError as e:
        sys.stdout.flush()
        click.echo(f"pdpsim lens: error: {e}", err=True)
        if traceback and e.traceback:
            click.echo(e.traceback, err=True)
        sys.exit(1)
    sys.stdout.flush()
    sys.exit(status)


def register(main: click.Group) -> None:
    """Add ``lens`` to pdpsim's command line."""
    main.add_command(lens)
