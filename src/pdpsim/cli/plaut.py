"""``pdpsim reproduce plaut-shallice``: Plaut & Shallice (1993), deep dyslexia.

Defined on its own; the ``reproduce`` group (:mod:`pdpsim.cli.analysis`) holds it, and
``register(main)`` adds the old name ``pdpsim reproduce-plaut-shallice`` as a hidden alias.
"""
from __future__ import annotations

import copy

import click


@click.command("plaut-shallice")
@click.option("--data", "data_dir", type=click.Path(), default=None,
              help="Folder with the emergent dyslexia files (emergent_train_pats.tsv, emergent_semantics.tsv, "
                   "emergent_close_sems.tsv, emergent_close_orthos.tsv), or its parent. Default: "
                   "$PDPSIM_DEEP_DYSLEXIA_DATA, else the copy shipped with pdpsim.")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Folder for the tables (CSV), report.txt, report.json and the figures.")
@click.option("--quick", is_flag=True,
              help="3 severities per site, 3 lesions each, 200 permutations (for tests; numbers noisier).")
@click.option("--lesions", type=click.IntRange(min=1), default=None,
              help="Random lesions per site and severity [default: 20; 3 with --quick].")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed for the initial weights, the training noise, the lesions and the permutations.")
def reproduce_plaut_shallice(data_dir, out: str, quick: bool, lesions, seed: int) -> None:
    """Deep dyslexia (Plaut & Shallice 1993): train an attractor network to read 40
    concrete and abstract words (orthography -> semantics, settling over time), lesion
    each pathway many times and score visual, semantic, mixed and other errors and the
    concreteness effect; and follow, tick by tick, how the hidden layer's similarity
    structure relates to spelling and to meaning (RSA with a permutation test).
    """
    from pathlib import Path

    from pdpsim.reproductions import plaut_shallice
    plaut_shallice.run(Path(out), quick=quick, seed=seed, data_dir=data_dir, lesions=lesions, echo=click.echo)


def register(main: click.Group) -> None:
    """Add the old name ``reproduce-plaut-shallice`` to the ``pdpsim`` group, hidden from its help."""
    alias = copy.copy(reproduce_plaut_shallice)
    alias.name, alias.hidden = "reproduce-plaut-shallice", True
    main.add_command(alias)
