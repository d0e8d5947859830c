"""Reproductions of classic results on what hidden representations learn.

Each module has a ``run(out, quick=False, seed=..., echo=print)`` function
that trains, analyses, writes figures and a short numeric report
(``report.txt`` and ``report.json``) to ``out``, and returns the report as a
dict; ``pdpsim reproduce NAME --out DIR [--quick]`` calls it.

- :mod:`.xor` -- hidden units make XOR's non-separable inputs separable
  (Rumelhart, Hinton & Williams 1986).
- :mod:`.semantic` -- progressive differentiation in Rumelhart's semantic
  network (Rumelhart & Todd 1993; Rogers & McClelland 2004).
- :mod:`.family_trees` -- Hinton's (1986) family trees: generalisation to
  held-out facts and person encodings that stand for nationality, generation
  and branch of the family.
"""
from __future__ import annotations

from pathlib import Path

from pdpsim.validation import PdpError, atomic_write, write_json

#: name -> module (imported lazily by :func:`get`)
NAMES = ("xor", "semantic", "family-trees")


def get(name: str):
    """The reproduction module called ``name`` (``xor``, ``semantic``, ``family-trees``)."""
    import importlib
    key = str(name).lower().replace("_", "-")
    if key not in NAMES:
        raise PdpError(f"unknown reproduction {name!r}; expected one of {', '.join(NAMES)}")
    return importlib.import_module(f".{key.replace('-', '_')}", __name__)


def write_report(out: Path, text: str, data: dict) -> tuple[Path, Path]:
    """Write ``report.txt`` and ``report.json`` (NaN written as null) atomically into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write(out / "report.txt") as f:
        f.write(text.rstrip() + "\n")
    write_json(out / "report.json", data)
    return out / "report.txt", out / "report.json"


def out_dir(out) -> Path:
    """Check (and create) an output folder."""
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise PdpError(f"--out '{p}': exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)
    return p


class Report:
    """Lines of a text report, echoed as they are added."""

    def __init__(self, echo=print):
        self.lines: list[str] = []
        self.echo = echo or (lambda s: None)

    def __call__(self, line: str = "") -> None:
        self.lines.append(line)
        self.echo(line)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
