"""``pdpsim reproduce elman letters|segmentation``: Elman (1990), "Finding structure in time".

Defined on its own; the ``reproduce`` group (:mod:`pdpsim.cli.analysis`) holds it, and
``register(main)`` adds the old name ``pdpsim reproduce-elman`` as a hidden alias.
"""
from __future__ import annotations

import copy

import click

EXPERIMENTS = ("letters", "segmentation")


@click.command("elman")
@click.argument("experiment", type=click.Choice(EXPERIMENTS, case_sensitive=False))
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Folder for the figures, report.txt and report.json.")
@click.option("--quick", is_flag=True, help="Shorter streams and fewer passes (for tests; numbers not comparable).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed for the streams and initial weights.")
@click.option("--seeds", type=click.IntRange(min=1), default=None,
              help="segmentation: networks to train, seeds SEED, SEED+1, ... (each measured after Elman's 10 "
                   "passes and after 50; mean and 95% interval over them) [default: 5; 1 with --quick].")
def reproduce_elman(experiment: str, out: str, quick: bool, seed: int, seeds: int | None) -> None:
    """Elman (1990) with a simple recurrent network, predicting the next letter.

    letters: random consonants b, d, g each followed by fixed vowels (ba, dii,
    guuu); the error is low on the predictable vowels and high on the consonants.
    segmentation: sentences run together letter by letter; the error peaks at
    word onsets (measured after Elman's 10 passes and after 50, over 5 seeds).
    """
    from pathlib import Path

    from pdpsim.reproductions import elman
    if experiment.lower() == "letters":
        if seeds is not None:
            raise click.UsageError("--seeds is for segmentation")
        elman.run_letters(Path(out), quick=quick, seed=seed, echo=click.echo)
    else:
        elman.run_segmentation(Path(out), quick=quick, seed=seed, echo=click.echo,
                               seeds=seeds if seeds is not None else (1 if quick else 5))


def register(main: click.Group) -> None:
    """Add the old name ``reproduce-elman`` to the ``pdpsim`` group, hidden from its help."""
    alias = copy.copy(reproduce_elman)
    alias.name, alias.hidden = "reproduce-elman", True
    main.add_command(alias)
