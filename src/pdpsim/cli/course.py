"""``pdpsim course DIR``: the teaching notebooks, copied out for a student.

Defined on its own; ``register(main)`` adds it to the ``pdpsim`` group.
"""
from __future__ import annotations

import click


@click.command("course")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["ipynb", "py"]), default="ipynb", show_default=True,
              help="Jupyter notebooks (needs jupytext; without it the .py files are copied), or the "
                   "percent-format .py files.")
@click.option("--force", is_flag=True, help="Overwrite files already in DIR.")
@click.option("--semantic-data", type=click.Path(exists=True, file_okay=False), default=None,
              help="A folder with the semantic network's sem_*.txt files, copied beside the notebooks "
                   "(lesson 5 uses it; pdpsim cannot ship it).")
def course(folder: str, fmt: str, force: bool, semantic_data: str | None) -> None:
    """Copy the five lessons (notebooks with exercises) into DIR.

    01 the lecture (Delta and Hebb, XOR, the worked example, momentum); 02 the PDP
    handbook's bp exercises; 03 simple recurrent networks (Elman); 04 attractors,
    settling and lesions (Plaut & Shallice); 05 what hidden units learn.
    """
    from pdpsim.teaching.course import copy_course
    c = copy_course(folder, fmt=fmt, force=force, semantic_data=semantic_data)
    for f in c.files:
        click.echo(f"wrote {f}")
    if c.note:
        click.echo("")
        click.echo(c.note.rstrip())


def register(main: click.Group) -> None:
    """Add ``pdpsim course`` to the ``pdpsim`` group."""
    main.add_command(course)
