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
              help="One network, 3 severities per site, 3 lesions each, 200 permutations (for tests; numbers noisier).")
@click.option("--lesions", type=click.IntRange(min=1), default=None,
              help="Random lesions per site, severity and network [default: 20; 3 with --quick].")
@click.option("--seed", "seed", type=click.IntRange(min=0), multiple=True,
              help="Seed of one network (repeatable): its initial weights, connectivity, training noise, "
                   "lesions and permutations [default: 0 to 4; 0 with --quick].")
@click.option("--seeds", "n_seeds", type=click.IntRange(min=1), default=None,
              help="Number of networks, seeds 0 .. N-1 (or from the one --seed given) [default: 5; 1 with --quick].")
@click.option("--lateral/--no-lateral", default=None,
              help="Semantics -> semantics links (Hinton & Shallice's intra-sememe links) [default: on].")
@click.option("--density", type=click.FloatRange(min=0, max=1, min_open=True), default=None,
              help="Connection probability of every link block (1: full connectivity) [default: 0.25].")
@click.option("--noise", type=click.FloatRange(min=0), default=None,
              help="S.d. of the Gaussian noise on the intermediate outputs while training (0: none) "
                   "[default: 0.2].")
def reproduce_plaut_shallice(data_dir, out: str, quick: bool, lesions, seed, n_seeds, lateral, density,
                             noise) -> None:
    """Deep dyslexia (Plaut & Shallice 1993): train attractor networks to read 40
    concrete and abstract words (orthography -> semantics, settling over time), lesion
    each pathway many times and score visual, semantic, mixed and other errors and the
    concreteness effect, with 95% intervals over the networks; and follow, tick by tick,
    how the hidden and clean-up layers' similarity structure relates to spelling and to
    meaning (RSA with a permutation test).
    """
    from pathlib import Path

    from pdpsim.reproductions import plaut_shallice
    seeds = list(seed)
    if n_seeds is not None:
        if len(seeds) > 1:
            raise click.BadParameter("give either several --seed or --seeds N (with at most one --seed, "
                                     "the first seed)", param_hint="--seeds")
        first = seeds[0] if seeds else 0
        seeds = list(range(first, first + n_seeds))
    settings = plaut_shallice.Settings()
    if lateral is not None:
        settings.lateral = lateral
    if density is not None:
        settings.density = plaut_shallice.uniform_density(density)
    if noise is not None:
        settings.training_noise = noise
    plaut_shallice.run(Path(out), quick=quick, seeds=seeds or None, data_dir=data_dir, lesions=lesions,
                       settings=settings, echo=click.echo)


def register(main: click.Group) -> None:
    """Add the old name ``reproduce-plaut-shallice`` to the ``pdpsim`` group, hidden from its help."""
    alias = copy.copy(reproduce_plaut_shallice)
    alias.name, alias.hidden = "reproduce-plaut-shallice", True
    main.add_command(alias)
