"""The teaching notebooks, out of the package: into a student's folder, or into the documentation site.

The five lessons ship inside pdpsim as plain Python files in Jupytext's "percent" format
(``pdpsim/teaching/notebooks/*.py``: ``# %%`` starts a code cell, ``# %% [markdown]`` a text
cell), so that they are versioned as text and a test can run each as a script.
:func:`copy_course` (``pdpsim course DIR``) copies them out for a student::

    copy_course("my-course")               # .ipynb notebooks (needs jupytext), else the .py files
    copy_course("my-course", fmt="py")     # the .py files, for Jupyter with jupytext, VS Code, Spyder

The notebooks read their data from the package, so nothing else has to be copied; the one
data set pdpsim cannot ship (Rumelhart's semantic network: its source states no licence)
can be copied beside them with ``semantic_data=DIR``, where lesson 5 looks for it.

The same files are pages of the documentation site: named in ``mkdocs.yml`` under
``hooks:``, this module adds them to the site's files (:func:`on_files`), and
mkdocs-jupyter renders them.
"""
from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from pdpsim.validation import PdpError

FORMATS = ("ipynb", "py")
#: the folder lesson 5 looks for beside the notebooks, and the files it needs
SEMANTIC_FOLDER = "semantic_network"
SEMANTIC_FILES = ("sem_items.txt", "sem_relations.txt", "sem_attributes.txt", "sem_data.txt")

_PY_NOTE = """\
These notebooks are Python files in Jupytext's "percent" format: '# %%' starts a code cell,
'# %% [markdown]' a text cell. Open them
  - in Jupyter, after 'pip install jupytext' (a .py file then opens as a notebook), or turn them
    into .ipynb files with 'jupytext --to notebook *.py' (or 'pdpsim course DIR' once jupytext
    is installed);
  - in VS Code or Spyder, which run '# %%' cells as they are;
  - or run one whole lesson with 'python 01_lecture.py'.
"""


def notebook_dir() -> Path:
    """The folder of the shipped notebooks."""
    return Path(__file__).resolve().parent / "notebooks"


def notebooks() -> list[Path]:
    """The shipped notebooks (``01_lecture.py`` ... ``05_hidden.py``), in lesson order."""
    return sorted(p for p in notebook_dir().glob("[0-9][0-9]_*.py") if p.is_file())


def jupytext_available() -> bool:
    try:
        import jupytext  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Course:
    """What :func:`copy_course` wrote.

    Attributes
    ----------
    folder : Path
    files : list of Path          every file written, notebooks first
    format : {"ipynb", "py"}      the notebooks' format (``py`` when ``ipynb`` was asked for
                                  but jupytext is not installed)
    note : str or None            what the student should know (how to open .py notebooks)
    """

    folder: Path
    files: list[Path]
    format: str
    note: str | None = None


def _readme(fmt: str, note: str | None, semantic: bool) -> str:
    lines = ["pdpsim course: five lessons on backpropagation and what networks learn", ""]
    lines += [f"  {p.stem}.{fmt}" for p in notebooks()]
    for text in ("Run the cells in order; each exercise cell checks your answer (ex.check_answer_N). "
                 "Set PDPSIM_QUICK=1 in the environment for short runs.",
                 f"Lesson 5 uses Rumelhart's semantic network data if it finds the folder '{SEMANTIC_FOLDER}' "
                 "here or $PDPSIM_SEMANTIC_DATA" + (" (copied here)." if semantic else
                                                     "; otherwise it uses Hinton's family trees.")):
        lines += ["", textwrap.fill(text, 92)]
    if note:
        lines += ["", note]
    return "\n".join(lines).rstrip() + "\n"


def copy_course(dest, fmt: str = "ipynb", force: bool = False, semantic_data=None) -> Course:
    """Copy the notebooks into ``dest`` for a student.

    Parameters
    ----------
    dest : path
        The folder (made if missing).
    fmt : {"ipynb", "py"}
        ``ipynb``: Jupyter notebooks, converted with jupytext (an optional dependency,
        ``pip install 'pdpsim[course]'``); without jupytext the ``.py`` files are copied
        instead, and :attr:`Course.note` (also in the folder's ``README.txt``) says how to
        open them. ``py``: the percent-format ``.py`` files as they ship.
    force : bool
        Overwrite files that are already there (otherwise nothing is written and a
        :class:`~pdpsim.validation.PdpError` names them).
    semantic_data : path, optional
        A folder with the semantic network's ``sem_*.txt`` files, copied into
        ``dest/semantic_network`` (lesson 5 reads it from there).

    Returns
    -------
    Course
    """
    if fmt not in FORMATS:
        raise PdpError(f"course format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    folder = Path(dest)
    if folder.exists() and not folder.is_dir():
        raise PdpError(f"course folder '{folder}': exists and is not a folder")
    sources = notebooks()
    if not sources:
        raise PdpError(f"no notebooks found in {notebook_dir()} (a broken installation?)")
    note = None
    if fmt == "ipynb" and not jupytext_available():
        fmt = "py"
        note = ("jupytext is not installed (pip install jupytext, or pip install 'pdpsim[course]'),\n"
                "so the notebooks were copied as .py files.\n" + _PY_NOTE)
    elif fmt == "py":
        note = _PY_NOTE
    data_files: list[tuple[Path, Path]] = []
    if semantic_data is not None:
        src = Path(semantic_data)
        missing = [f for f in SEMANTIC_FILES if not (src / f).is_file()]
        if not src.is_dir() or missing:
            raise PdpError(f"semantic data '{src}': expected a folder with {', '.join(SEMANTIC_FILES)}"
                           + (f" (missing {', '.join(missing)})" if src.is_dir() else ""))
        data_files = [(src / f, folder / SEMANTIC_FOLDER / f) for f in SEMANTIC_FILES]
    targets = [folder / f"{p.stem}.{fmt}" for p in sources]
    readme = folder / "README.txt"
    existing = [t for t in targets + [readme] + [t for _, t in data_files] if t.exists()]
    if existing and not force:
        raise PdpError(f"course folder '{folder}': {', '.join(str(t.relative_to(folder)) for t in existing)} "
                       "already there; give --force to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for src, target in zip(sources, targets):
        if fmt == "ipynb":
            import jupytext
            jupytext.write(jupytext.read(src), target, fmt="ipynb")
        else:
            shutil.copyfile(src, target)
        written.append(target)
    for src, target in data_files:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        written.append(target)
    readme.write_text(_readme(fmt, note, bool(data_files)))
    written.append(readme)
    return Course(folder, written, fmt, note)


# ---------------------------------------------------------------- the documentation site
def on_files(files, config):
    """MkDocs hook: add the notebooks to the site as ``notebooks/NN_name.py``.

    ``mkdocs.yml`` names this file under ``hooks:``; mkdocs-jupyter (whose ``on_files``
    runs after this one, hence the priority) turns them into pages. The notebooks stay in
    one place, the package.
    """
    from mkdocs.structure.files import File
    for p in notebooks():
        files.append(File(f"notebooks/{p.name}", src_dir=str(p.parent.parent), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files


on_files.mkdocs_priority = 50       # mkdocs.plugins.event_priority(50), without importing mkdocs here
