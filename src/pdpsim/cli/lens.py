"""``pdpsim lens SCRIPT [ARGS]...``: run a Lens script on pdpsim (``--view``: in the browser viewer).

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
@click.option("--view", "view", is_flag=True,
              help="Display commands drive the browser viewer (view, viewUnits, viewLinks, graph); when the "
                   "script ends, serve the viewer on its network until Ctrl-C.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="With --view: the port to listen on (0: a free one).")
@click.option("--host", default=None,
              help="With --view: listen on this address instead of 127.0.0.1 (every request then needs the "
                   "access token printed with the address).")
def lens(script: str, args: tuple[str, ...], seed: int | None, digits: int, traceback: bool, view: bool,
         port: int, host: str | None) -> None:
    """Run the Lens script SCRIPT (Tcl with Lens's commands) on pdpsim.

    ARGS are the script's ``$argv``. Lens's conventions apply inside the
    script: sum-squared error without 1/2, derivatives summed over a batch,
    cross-entropy outputs, Doug's momentum, weights in +-1, a bias group.
    A command, option or object path pdpsim does not implement stops the
    script with a message naming it (see docs/lens.md). Display commands
    do nothing, as in Lens's batch mode, unless --view is given.
    """
    if view:
        _view(script, args, seed, digits, traceback, port, host)
        return
    if port or host is not None:
        raise click.UsageError("--port and --host go with --view")
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


def _view(script: str, args: tuple[str, ...], seed: int | None, digits: int, traceback: bool, port: int,
          host: str | None) -> None:
    """``pdpsim lens --view``: the script with a display, then the viewer on its network."""
    from pdpsim.validation import PdpError
    from pdpsim.viewer.scripts import LensScriptError, load_lens_script
    from pdpsim.viewer.server import serve
    try:
        session = load_lens_script(script, list(args), seed=seed, real_digits=digits)
    except LensScriptError as e:
        sys.stdout.flush()
        click.echo(f"pdpsim lens: error: {e}", err=True)
        if traceback and e.traceback:
            click.echo(e.traceback, err=True)
        sys.exit(e.status)
    except PdpError as e:               # what the viewer cannot show
        sys.stdout.flush()
        click.echo(f"pdpsim: error: {e}", err=True)
        sys.exit(2)
    sys.stdout.flush()
    try:
        serve(session, host=host, port=port, echo=click.echo)
    except PdpError as e:
        click.echo(f"pdpsim: error: {e}", err=True)
        sys.exit(2)


def register(main: click.Group) -> None:
    """Add ``lens`` to pdpsim's command line."""
    main.add_command(lens)
