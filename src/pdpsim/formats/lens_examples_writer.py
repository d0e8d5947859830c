"""Writing Lens text example files (``.ex``, optionally gzip-compressed).

Also the helpers the binary writer shares: how each event's group values
split into sparse and dense ranges, and the set's defaults. The public face
is :mod:`pdpsim.formats.lens_examples`.
"""
from __future__ import annotations

import gzip
import math
import re

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.validation import PdpError, atomic_write
from pdpsim.formats.lens_examples_parser import _FIELDS, _TIMES, LENS_DEFAULTS, _scan_block

_SAFE_NAME = re.compile(r'[^\s{}()\[\]";#\\]+')
_SAFE_GROUP = re.compile(r'[A-Za-z_][^\s{}()\[\]";#\\]*')


def _num(v, what: str = "value") -> str:
    v = float(v)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        raise PdpError(f"cannot write {what} {v} in a Lens example file")
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def _values(row: np.ndarray) -> str:
    if not np.isnan(row).any() and np.all(row == np.round(row)) and np.all(np.abs(row) < 1e15):
        return " ".join(map(str, row.astype(np.int64).tolist()))
    return " ".join(_num(v) for v in row.tolist())


def _quote(s: str, what: str, safe: re.Pattern = _SAFE_NAME) -> str:
    s = str(s)
    if safe.fullmatch(s):
        return s
    q = "{" + s + "}"
    try:
        ok = _scan_block(q, 0) == len(q)
    except ValueError:
        ok = False
    if not ok or "\r" in s or re.search(r"\n[ \t]*#", s):
        raise PdpError(f"{what} {s!r} cannot be written to a Lens example file (unbalanced brackets or "
                       f"comment-like lines)")
    return q


def _same(row: np.ndarray, v: float) -> np.ndarray:
    return np.isnan(row) if math.isnan(v) else row == v


def _split(examples: ExampleSet, side: str, i: int, e: int, dflt: float, act: float):
    """Per group: None (all default), ("sparse", units) or ("dense", row)."""
    out = []
    for g, a in getattr(examples, side).items():
        row = a[i, e]
        is_def = _same(row, dflt)
        if is_def.all():
            continue
        is_act = _same(row, act)
        if (is_def | is_act).all():
            out.append((g, "sparse", np.flatnonzero(is_act)))
        else:
            out.append((g, "dense", row))
    return out


def _runs(units: np.ndarray) -> list[int]:
    """Unit numbers with runs as ``first, -last`` (Lens's sparse encoding)."""
    out: list[int] = []
    for u in units.tolist():
        if out and out[-1] < 0 and u == 1 - out[-1]:
            out[-1] = -u             # extend the run
        elif out and out[-1] >= 0 and u == out[-1] + 1:
            out.append(-u)           # start a run
        else:
            out.append(u)
    return out


def _defaults(examples: ExampleSet) -> dict[str, float]:
    h = examples.header
    return {k: float(h[k]) if k in h else LENS_DEFAULTS[k] for k in _FIELDS}


def format_examples(examples: ExampleSet) -> str:
    """The text of a Lens example file that reads back to ``examples``.

    Parameters
    ----------
    examples : ExampleSet

    Returns
    -------
    str

    Raises
    ------
    PdpError
        If a name or proc cannot be written in Lens syntax (unbalanced braces),
        or a header value is infinite.
    """
    d, h, out = _defaults(examples), examples.header, []
    if "proc" in h:
        out.append(f"proc:{_quote(h['proc'], 'the set proc')}")
    out.extend(f"{k}: {_num(h[k], k)}" for k in _FIELDS if k in h)
    out.append(";")
    ef = examples.event_fields
    for i in range(len(examples)):
        name, nev = examples.names[i], int(examples.n_events[i])
        if name != str(i):
            out.append(f"name:{_quote(name, 'example name')}")
        if examples.procs is not None and examples.procs[i] is not None:
            out.append(f"proc:{_quote(examples.procs[i], 'example proc')}")
        if examples.frequencies[i] != 1:
            out.append(f"freq: {_num(examples.frequencies[i], 'frequency')}")
        if nev > 1:
            out.append(str(nev))
        for e in range(nev):
            extra = "".join(f" {k}: {_num(ef[k][i, e], k)}" for k in _TIMES
                            if k in ef and not math.isnan(ef[k][i, e]))
            if "proc" in ef and ef["proc"][i, e] is not None:
                extra += f" proc:{_quote(ef['proc'][i, e], 'event proc')}"
            if nev > 1 or extra:
                out.append(f"[{e}{extra}]")
            for side, letter, dflt, act in (("inputs", "I", "defI", "actI"), ("targets", "T", "defT", "actT")):
                parts = []
                for g, how, x in _split(examples, side, i, e, d[dflt], d[act]):
                    q = _quote(g, "group name", _SAFE_GROUP)
                    if how == "dense":
                        parts.append(f"({q}) {_values(x)}")
                    else:
                        full = len(x) == getattr(examples, side)[g].shape[2]
                        parts.append(f"{{{q}}} " + ("*" if full else " ".join(map(str, _runs(x))).replace(" -", "-")))
                if parts:
                    out.append(f"{letter}: " + "  ".join(parts))
        out.append(";")
    return "\n".join(out) + "\n"


def write_examples(examples: ExampleSet, path) -> None:
    """Write ``examples`` as a Lens text example file, atomically.

    Parameters
    ----------
    examples : ExampleSet
    path : str or path-like
        gzip-compressed if it ends in ``.gz``.

    Raises
    ------
    PdpError
        As :func:`format_examples`; the old file, if any, is left as it was.
    """
    _write_file(path, format_examples(examples))


def _write_file(path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically: gzip-compressed (text as UTF-8, no time stamp, so
    the same data gives the same bytes) if ``path`` ends in ``.gz``; else bytes as they are, text
    through a text file."""
    if str(path).endswith(".gz"):
        if isinstance(data, str):
            data = data.encode("utf-8")
        data = gzip.compress(data, mtime=0)
    with atomic_write(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
