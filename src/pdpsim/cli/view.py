"""``pdpsim view``: the browser viewer, as a Click command of its own.

``pdpsim.cli.main`` adds it with ``register(main)``; ``python -m pdpsim.cli.view``
runs it alone.
"""
from __future__ import annotations

import click

from pdpsim.validation import PdpError


@click.command("view", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("source", metavar="SPEC|RUN_DIR|SCRIPT")
@click.option("--weights", type=click.Path(dir_okay=False), default=None,
              help="Start from these weights (a weights.npz); a RUN_DIR's own weights.npz otherwise.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on (0: a free one).")
@click.option("--host", default=None,
              help="Listen on this address instead of 127.0.0.1; every request then needs the random "
                   "access token printed with the address.")
@click.option("--seed", type=int, default=None,
              help="Seed for a spec's initial weights (default: the spec's); a script's starting seed.")
def view(source: str, weights: str | None, port: int, host: str | None, seed: int | None) -> None:
    """Look inside a network in the browser: units, weights, training, representations.

    SPEC is a spec file or shipped name (xor); RUN_DIR a folder written by
    `pdpsim train --out`; SCRIPT a Lens script (.tcl, .in) or a PDP handbook
    script (.str), run first: the viewer opens on the network it built.
    Serves a page on this machine and prints its address; opens nothing else.
    Ctrl-C stops it.
    """
    try:
        from pdpsim.viewer.server import serve
        from pdpsim.viewer.session import load_source
        session = load_source(source, weights=weights, seed=seed)
        serve(session, host=host, port=port, echo=click.echo)
    except PdpError as e:
        click.echo(f"pdpsim: error: {e}", err=True)
        raise SystemExit(2) from None


def register(main: click.Group) -> None:
    """Add ``view`` to the ``pdpsim`` command group."""
    main.add_command(view)


if __name__ == "__main__":  # pragma: no cover
    view()
