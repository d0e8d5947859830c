"""Lens example files: text (``.ex``) and binary (``.bex``), read and written.

Reading follows Lens 2.63's loader (``Src/example.c``, ``Src/util.c``) and its
manual page on example files:

* **Defaults are filled in.** Lens loads an event by setting every input to
  the event's ``defI`` and every target to ``defT`` (both 0 by default), then
  applying the event's ranges. So an event without ``I:`` has inputs of 0, and
  one without ``T:`` has targets of 0 (error is computed). ``defT: -`` gives
  "no target unless given". NaN is left only where the file says ``-`` and in
  the padding after an example's ``n_events``.
* A sparse range (``i:``, ``{...}``) sets its units to the range's value or to
  ``actI``/``actT`` of the first event the pattern applies to, taken when the
  pattern is read.
* The first pattern after an event list goes to every listed event. A later
  one goes to the event after the highest one that already has inputs
  (targets). ``B:``/``b:`` gives the same ranges as inputs and targets.
* Two integers at the start of a file are an old ``numInputs numTargets``
  header and are skipped. Lens skips even a lone one; here a lone integer is
  the first example's number of events.
* ``#`` starts a comment line. Lens needs it in column 0; here blanks may come first.
* Stricter than Lens: a group not in ``input_groups`` (``target_groups``) is an
  error, not ignored, and every range is checked against the group sizes while
  the file is read. Values are float64, not Lens's float32.

``header`` keeps the set fields given (``proc``, ``max``, ``min``, ``grace``,
``defI``, ``actI``, ``defT``, ``actT``); from a binary file, which stores them
all, those that differ from :data:`LENS_DEFAULTS`. ``event_fields`` keeps the
events' ``max``/``min``/``grace`` (NaN = not set) and, if any, ``proc`` (object
array, None = none). Per-event ``defI`` etc. are already in the values.

The writers write each event up to ``n_events`` in full, each group by name:
sparse where all values are the set's ``act``/``def``, dense otherwise. The
result reads back to an identical set (binary reals are float32).
"""
from __future__ import annotations

import bisect
import gzip
import math
import re
import struct
from pathlib import Path
from typing import Mapping

import numpy as np

from ..examples import ExampleSet
from . import read_maybe_compressed
from ..validation import PdpError, atomic_write, positive_int

BINARY_COOKIE = 0xAAAAAAAA
#: Lens's set-level defaults (``defaults.h``).
LENS_DEFAULTS = {"max": 1.0, "min": 0.0, "grace": 0.0, "defI": 0.0, "actI": 1.0, "defT": 0.0, "actT": 1.0}
_FIELDS = ("max", "min", "grace", "defI", "actI", "defT", "actT")
_TIMES = ("max", "min", "grace")
_NAN = float("nan")
_MAX_EVENTS = 100_000

_NUM = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_REAL = re.compile(rf"{_NUM}|-(?=[\s,;{{}}\[\]]|\Z)")       # a value after 'max:' etc.
_RANGE_NUM = re.compile(rf"{_NUM}|-(?=[\s;}}]|\Z)")          # a value inside a pattern
_DENSE_RUN = re.compile(rf"(?:\s*(?:{_NUM}|-(?=[\s;}}]|\Z)))+")
_DENSE_TOK = re.compile(rf"{_NUM}|-")
_INT = re.compile(r"-?\d+")
_UINT = re.compile(r"\d+")
_LEGACY = re.compile(r"\s*[-+]?\d+\s+[-+]?\d+(?![\d.eE])")
_BARE = re.compile(r'[^\s{}()\[\]"]+')
_WS = re.compile(r"\s*")
_SNIPPET = re.compile(r"[^\s;\[\](){}]+|\S")
_COMMENT = re.compile(r"^[ \t]*#[^\n]*", re.M)
_KEY = re.compile(r"(proc|max|min|grace|defI|actI|defT|actT):")
_SAFE_NAME = re.compile(r'[^\s{}()\[\]";#\\]+')
_SAFE_GROUP = re.compile(r'[A-Za-z_][^\s{}()\[\]";#\\]*')
_PATTERNS = ("I:", "i:", "T:", "t:", "B:", "b:")
_CLOSER = {"}": "{", ")": "(", "]": "["}


class _Range:
    """One dense or sparse range of a pattern (Lens's ``struct range``)."""
    __slots__ = ("group", "sparse", "first", "values", "value", "units", "where")

    def __init__(self, sparse: bool, value: float, where: str):
        self.group, self.sparse, self.first = None, sparse, 0
        self.values: list[float] = []
        self.value, self.units, self.where = value, [], where


class _Event:
    __slots__ = ("fields", "proc", "inputs", "targets")

    def __init__(self, defaults: dict):
        self.fields = {"max": _NAN, "min": _NAN, "grace": _NAN, **defaults}
        self.proc, self.inputs, self.targets = None, None, None


class _Example:
    __slots__ = ("name", "proc", "freq", "events", "label")

    def __init__(self):
        self.name, self.proc, self.freq, self.events, self.label = None, None, 1.0, [], ""


def _scan_block(t: str, pos: int) -> int:
    """End of the bracketed block that opens at ``t[pos]`` (Lens's readBlock).

    Raises ValueError(message, position) when the brackets do not balance.
    """
    stack, i, protect = [t[pos]], pos + 1, False
    while stack:
        if i >= len(t):
            raise ValueError(f"no closing bracket for '{t[pos]}'", pos)
        ch = t[i]
        if protect:
            protect = False
        elif ch == "\\":
            protect = True
        elif ch in "{([":
            stack.append(ch)
        elif ch in _CLOSER:
            if stack[-1] != _CLOSER[ch]:
                raise ValueError(f"unbalanced '{ch}'", i)
            stack.pop()
        elif ch == '"':
            stack.pop() if stack[-1] == '"' else stack.append('"')
        i += 1
    return i


# ---------------------------------------------------------------- text reader
class _TextParser:
    def __init__(self, text: str, filename: str):
        self.t = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        self.n, self.pos, self.filename = len(self.t), 0, filename
        self._nl: list[int] | None = None
        self.skipped_counts, self.example_index = False, -1

    # -- low level
    def line(self, pos: int) -> int:
        if self._nl is None:
            self._nl = [m.start() for m in re.finditer("\n", self.t)]
        return bisect.bisect_left(self._nl, pos) + 1

    def where(self) -> str:
        return f"{self.filename}, line {self.line(self.pos)}"

    def error(self, msg: str, pos: int | None = None) -> PdpError:
        pos = self.pos if pos is None else pos
        if re.search(r"^[ \t]*,[ \t]*$", self.t, re.M):
            msg += (" (this looks like a Xerion example file, where a ',' line separates inputs from targets; "
                    "this reader takes Lens files, with I:/T: patterns)")
        elif self.skipped_counts and self.example_index == 0:
            msg += (" (note: the two integers at the start of the file were skipped as an old "
                    "'numInputs numTargets' header; start the file with ';' if they were meant otherwise)")
        return PdpError(f"{self.filename}, line {self.line(pos)}: {msg}")

    def skip(self) -> None:
        self.pos = _WS.match(self.t, self.pos).end()

    def got(self) -> str:
        self.skip()
        if self.pos >= self.n:
            return "the end of the file"
        return repr(_SNIPPET.match(self.t, self.pos).group()[:24])

    def accept(self, s: str) -> bool:
        self.skip()
        if self.t.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def key(self) -> str | None:
        self.skip()
        m = _KEY.match(self.t, self.pos)
        if m:
            self.pos = m.end()
            return m.group(1)
        return None

    def real(self, after: str) -> float:
        self.skip()
        m = _REAL.match(self.t, self.pos)
        if not m:
            raise self.error(f"expected a number or '-' after '{after}', got {self.got()}")
        v = _NAN if m.group() == "-" else float(m.group())
        if math.isinf(v):
            raise self.error(f"expected a finite number after '{after}', got {m.group()!r}")
        self.pos = m.end()
        return v

    def block(self, what: str) -> str:
        self.skip()
        t, pos = self.t, self.pos
        if pos < self.n and t[pos] in '{(["':
            try:
                self.pos = _scan_block(t, pos)
            except ValueError as e:
                raise self.error(f"{e.args[0]} in {what}", e.args[1]) from None
            return t[pos + 1:self.pos - 1]
        m = _BARE.match(t, pos)
        if not m:
            raise self.error(f"expected {what}, got {self.got()}")
        self.pos = m.end()
        return m.group()

    # -- grammar
    def parse(self) -> tuple[dict, list[_Example]]:
        if not self.t.strip():
            raise PdpError(f"{self.filename}: the file is empty (expected Lens examples)")
        m = _LEGACY.match(self.t)   # an old "numInputs numTargets" header
        if m:
            self.pos, self.skipped_counts = m.end(), True
        header: dict[str, object] = {}
        while not self.accept(";"):
            k = self.key()
            if k is None:
                break
            header[k] = self.block("the set's proc after 'proc:'") if k == "proc" else self.real(f"{k}:")
        examples: list[_Example] = []
        while True:
            self.skip()
            if self.pos >= self.n:
                return header, examples
            examples.append(self.example(len(examples), header))

    def example(self, index: int, header: dict) -> _Example:
        ex, nev, self.example_index = _Example(), 1, index
        while True:
            more = False
            if self.accept("name:"):
                ex.name, more = self.block("an example name after 'name:'"), True
            if self.accept("freq:"):
                pos = self.pos
                ex.freq, more = self.real("freq:"), True
                if not ex.freq >= 0:
                    raise self.error(f"expected a frequency >= 0 after 'freq:', got {ex.freq:g}", pos)
            if self.accept("proc:"):
                ex.proc, more = self.block("an example proc after 'proc:'"), True
            self.skip()
            m = _UINT.match(self.t, self.pos)
            if m:
                nev, more = int(m.group()), True
                if not 1 <= nev <= _MAX_EVENTS:
                    raise self.error(f"example {index}: expected a number of events from 1 to {_MAX_EVENTS}, "
                                     f"got {m.group()}")
                self.pos = m.end()
            if not more:
                break
        ex.label = label = f"example {index}" + (f" ('{ex.name}')" if ex.name is not None else "")
        defaults = {k: header.get(k, LENS_DEFAULTS[k]) for k in ("defI", "actI", "defT", "actT")}
        ev = ex.events = [_Event(defaults) for _ in range(nev)]
        nxt = {"inputs": 0, "targets": 0}
        seen = {"inputs": True, "targets": True}
        active: list[int] = []
        while True:
            self.skip()
            if self.pos >= self.n:
                raise self.error(f"{label}: expected ';' at the end of the example, got the end of the file")
            c = self.t[self.pos]
            if c == ";":
                self.pos += 1
                return ex
            if c == "[":
                self.pos += 1
                active = self.event_list(ev, label)
                seen = {"inputs": False, "targets": False}
                continue
            kind = self.t[self.pos:self.pos + 2]
            if kind not in _PATTERNS:
                raise self.error(f"{label}: expected a pattern (I:, T:, B:, i:, t:, b:), an event list "
                                 f"'[...]' or ';', got {self.got()}")
            self.pos += 2
            sides = {"I": ("inputs",), "T": ("targets",), "B": ("inputs", "targets")}[kind[0].upper()]
            slot = {}
            for side in sides:            # which event the pattern goes to
                if seen[side]:
                    if nxt[side] >= nev:
                        raise self.error(f"{label}: {side} given for event {nxt[side]}, but the example has "
                                         f"{nev} event(s) (give the number of events, or use an event list)")
                    slot[side] = nxt[side]
                    nxt[side] += 1
                else:
                    slot[side] = active[0]
                if getattr(ev[slot[side]], side) is not None:
                    raise self.error(f"{label}: {side} given twice for event {slot[side]}")
            first = slot.get("inputs", slot.get("targets"))
            act = ev[first].fields["actI" if "inputs" in slot else "actT"]
            ranges = self.ranges(kind, act, label) or None
            for side in sides:
                setattr(ev[slot[side]], side, ranges)
                if not seen[side]:
                    for w in active[1:]:
                        if getattr(ev[w], side) is not None:
                            raise self.error(f"{label}: {side} given twice for event {w}")
                        setattr(ev[w], side, ranges)
                    nxt[side] = max(nxt[side], active[-1] + 1)
                    seen[side] = True

    def event_list(self, ev: list[_Event], label: str) -> list[int]:
        nev, on, empty = len(ev), [False] * len(ev), True
        while True:
            self.skip()
            if self.t.startswith("*", self.pos):
                self.pos += 1
                on, empty = [True] * nev, False
                continue
            m = _UINT.match(self.t, self.pos)
            if not m:
                break
            v = w = int(m.group())
            if v >= nev:
                raise self.error(f"{label}: event {v} is out of range (the example has {nev} event(s))")
            self.pos, empty = m.end(), False
            if self.accept("-"):
                self.skip()
                m = _UINT.match(self.t, self.pos)
                if not m:
                    raise self.error(f"expected the last event of a range after '{v}-', got {self.got()}")
                w = int(m.group())
                if not v < w < nev:
                    raise self.error(f"{label}: bad event range {v}-{w} (the example has {nev} event(s))")
                self.pos = m.end()
            on[v:w + 1] = [True] * (w + 1 - v)
        sel = list(range(nev)) if empty else [i for i in range(nev) if on[i]]
        while not self.accept("]"):
            k = self.key()
            if k is None:
                raise self.error(f"{label}: expected an event number, '*', an event field (max:, min:, grace:, "
                                 f"defI:, actI:, defT:, actT:, proc:) or ']' in the event list, got {self.got()}")
            val = self.block("an event proc after 'proc:'") if k == "proc" else self.real(f"{k}:")
            for i in sel:
                if k == "proc":
                    ev[i].proc = val
                else:
                    ev[i].fields[k] = val
        return sel

    def ranges(self, kind: str, act: float, label: str) -> list[_Range]:
        """The ranges after ``I:`` etc., up to the first token that is not part of them."""
        t, out, cur, sparse = self.t, [], None, kind[0].islower()
        while True:
            self.skip()
            pos, c = self.pos, t[self.pos:self.pos + 1]
            if c in ("{", "("):
                self._close(cur, label)
                sparse = c == "{"
                cur = _Range(sparse, act, self.where())
                out.append(cur)
                self.pos += 1
                self.range_head(cur, "}" if sparse else ")")
                continue
            if c == "*":
                if cur is None:
                    cur = _Range(sparse, act, self.where())
                    out.append(cur)
                if not sparse or cur.units:
                    raise self.error("'*' (all units) may only come first in a sparse range (after i:, t:, b: "
                                     "or {...})")
                cur.units.append(-1)
                self.pos += 1
                continue
            m = (_RANGE_NUM if sparse else _DENSE_RUN).match(t, pos)
            if not m:
                break
            if cur is None:
                cur = _Range(sparse, act, self.where())
                out.append(cur)
            if not sparse:
                try:                # fast path: plain whitespace-separated numbers
                    vals = list(map(float, m.group().split()))
                except ValueError:  # '-' (NaN) or numbers written together, as in '1-3'
                    vals = [_NAN if x == "-" else float(x) for x in _DENSE_TOK.findall(m.group())]
                if any(map(math.isinf, vals)):
                    raise self.error(f"{label}: a value after '{kind}' is too large for a float")
                cur.values.extend(vals)
            else:
                tok = m.group()
                if not _INT.fullmatch(tok):
                    raise self.error(f"expected a unit number (an integer) in a sparse range, got '{tok}'")
                u, units = int(tok), cur.units
                if units and units[0] < 0:
                    raise self.error("no unit numbers may follow '*' in a sparse range")
                if u < 0 and (not units or units[-1] < 0 or -u < units[-1]):
                    raise self.error(f"bad sparse unit range ending at {-u}: a range is 'first-last' with "
                                     f"first <= last")
                units.append(u)
            self.pos = m.end()
        self._close(cur, label)
        if not out and not (self.pos >= self.n or t[self.pos] in ";[" or t[self.pos:self.pos + 2] in _PATTERNS):
            what = "a unit number or '*'" if sparse else "a number or '-'"
            raise self.error(f"expected {what} after '{kind}', got {self.got()}")
        return out

    def _close(self, r: _Range | None, label: str) -> None:
        if r is not None and r.sparse and not r.units:
            raise self.error(f"{label}: expected unit numbers or '*' after a sparse range's '{{...}}', "
                             f"got {self.got()}")

    def range_head(self, r: _Range, close: str) -> None:
        """The inside of ``(group first)`` or ``{group value}``."""
        while True:
            self.skip()
            if self.pos >= self.n:
                raise self.error(f"expected '{close}', got the end of the file")
            c = self.t[self.pos]
            if c == close:
                self.pos += 1
                return
            m = _RANGE_NUM.match(self.t, self.pos)
            if m and close == ")":
                if not _INT.fullmatch(m.group()):
                    raise self.error(f"expected a first unit number (an integer) in '(...)', got '{m.group()}'")
                r.first = int(m.group())
                self.pos = m.end()
            elif m:
                r.value = _NAN if m.group() == "-" else float(m.group())
                if math.isinf(r.value):
                    raise self.error(f"expected a finite value in '{{...}}', got {m.group()!r}")
                self.pos = m.end()
            elif c in ";]})":
                what = "a first unit" if close == ")" else "a value"
                raise self.error(f"expected a group name, {what} or '{close}', got {self.got()}")
            else:
                r.group = self.block("a group name") or r.group


# ----------------------------------------------------------- building the set
def _groups(groups: Mapping[str, int], what: str) -> dict[str, int]:
    try:
        items = list(groups.items())
    except AttributeError:
        raise PdpError(f"{what}: expected a mapping of group name -> number of units, got {groups!r}") from None
    return {str(g): positive_int(n, f"{what}: size of group '{g}'") for g, n in items}


class _Side:
    """Where the units of the input (or target) groups go in one flat row."""

    def __init__(self, groups: dict[str, int], side: str):
        self.groups, self.side, self.unit = groups, side, side[:-1]
        self.a = "an input" if side == "inputs" else "a target"
        self.offset, off = {}, 0
        for g, n in groups.items():
            self.offset[g], off = off, off + n
        self.total = off

    def span(self, r: _Range, label: str) -> tuple[int, int, str]:
        if r.group is None:
            if self.total == 0:
                raise PdpError(f"{r.where}: {label} gives {self.side}, but there are no {self.unit} groups")
            return 0, self.total, f"the {self.unit} groups together ({', '.join(self.groups)})"
        if r.group not in self.groups:
            raise PdpError(f"{r.where}: {label} gives {self.side} for group '{r.group}', which is not "
                           f"{self.a} group (those are: {', '.join(self.groups) or 'none'})")
        return self.offset[r.group], self.groups[r.group], f"group '{r.group}'"

    def apply(self, r: _Range, row: np.ndarray, label: str) -> None:
        base, size, what = self.span(r, label)
        if not r.sparse:
            k = len(r.values)
            if not 0 <= r.first < size:
                raise PdpError(f"{r.where}: {label}: first unit {r.first} is out of range for {what} "
                               f"({size} units)")
            if r.first + k > size:
                raise PdpError(f"{r.where}: {label}: too many {self.unit} values for {what} ({size} units): "
                               f"{k} values from unit {r.first}")
            row[base + r.first:base + r.first + k] = r.values
            return
        units = r.units
        if units[0] < 0:
            row[base:base + size] = r.value
            return
        for i, u in enumerate(units):
            if u < 0:
                continue
            last = -units[i + 1] if i + 1 < len(units) and units[i + 1] < 0 else u
            if last >= size:
                raise PdpError(f"{r.where}: {label}: unit {last} is out of range for {what} ({size} units)")
            row[base + u:base + last + 1] = r.value


def _build(header: dict, examples: list[_Example], input_groups, target_groups, name: str) -> ExampleSet:
    sides = {"inputs": _Side(_groups(input_groups, "input_groups"), "inputs"),
             "targets": _Side(_groups(target_groups, "target_groups"), "targets")}
    n = len(examples)
    max_ev = max((len(ex.events) for ex in examples), default=1)
    flat = {s: np.full((n, max_ev, sd.total), np.nan) for s, sd in sides.items()}
    times = {k: np.full((n, max_ev), np.nan) for k in _TIMES}
    eprocs = np.full((n, max_ev), None, dtype=object)
    for i, ex in enumerate(examples):
        for e, ev in enumerate(ex.events):
            for s, dflt in (("inputs", "defI"), ("targets", "defT")):
                row = flat[s][i, e]
                row[:] = ev.fields[dflt]
                for r in getattr(ev, s) or ():
                    sides[s].apply(r, row, ex.label)
            for k in _TIMES:
                times[k][i, e] = ev.fields[k]
            eprocs[i, e] = ev.proc
    data = {s: {g: flat[s][:, :, sd.offset[g]:sd.offset[g] + size] for g, size in sd.groups.items()}
            for s, sd in sides.items()}
    fields: dict[str, np.ndarray] = {k: v for k, v in times.items() if not np.isnan(v).all()}
    if any(p is not None for p in eprocs.flat):
        fields["proc"] = eprocs
    procs = [ex.proc for ex in examples]
    return ExampleSet(inputs=data["inputs"], targets=data["targets"],
                      names=[ex.name if ex.name is not None else str(i) for i, ex in enumerate(examples)],
                      frequencies=np.array([ex.freq for ex in examples], dtype=float),
                      n_events=np.array([len(ex.events) for ex in examples], dtype=int), name=name,
                      procs=procs if any(p is not None for p in procs) else None,
                      header=header, event_fields=fields)


# ------------------------------------------------------------------ reading
def parse_examples(text: str, input_groups: Mapping[str, int], target_groups: Mapping[str, int],
                   name: str = "examples", filename: str = "<string>") -> ExampleSet:
    """Parse the text of a Lens example file.

    Parameters
    ----------
    text : str
        The file's contents.
    input_groups, target_groups : mapping of str -> int
        Group name -> number of units, in network order. Ranges without a
        group name count units across all of them in this order.
    name : str
        Name of the resulting set.
    filename : str
        Used in error messages.

    Returns
    -------
    ExampleSet

    Raises
    ------
    PdpError
        On any malformed input, naming the file, the line and what was expected.
    """
    header, examples = _TextParser(text, filename).parse()
    return _build(header, examples, input_groups, target_groups, name)


def _load(path) -> tuple[Path, bytes]:
    return read_maybe_compressed(path, "example file")


def _set_name(p: Path, name: str | None) -> str:
    if name:
        return name
    stem = p.name
    for ext in (".gz", ".bz2", ".bz", ".Z", ".ex", ".bex"):
        stem = stem[:-len(ext)] if stem.endswith(ext) and len(stem) > len(ext) else stem
    return stem


def read_examples(path, input_groups: Mapping[str, int], target_groups: Mapping[str, int],
                  name: str | None = None) -> ExampleSet:
    """Read a Lens example file: text, or binary if it starts with Lens's magic number.

    Parameters
    ----------
    path : str or path-like
        The file. gzip and bzip2 files are decompressed. As in Lens, a
        missing ``path`` is also looked for as ``path.gz``.
    input_groups, target_groups : mapping of str -> int
        Group name -> number of units, in network order (see :func:`parse_examples`).
    name : str, optional
        Name of the set (default: the file name without path and extensions).

    Returns
    -------
    ExampleSet

    Raises
    ------
    PdpError
        If the file is missing or malformed; the message names the file and
        the line (text) or example (binary).
    """
    p, data = _load(path)
    if data[:4] == struct.pack(">I", BINARY_COOKIE):
        return _build(*_BinaryReader(data, p.name).parse(), input_groups, target_groups, _set_name(p, name))
    return parse_examples(_decode(data), input_groups, target_groups, _set_name(p, name), p.name)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class _BinaryReader:
    def __init__(self, data: bytes, filename: str):
        self.d, self.pos, self.filename, self.example = data, 0, filename, -1

    def error(self, msg: str) -> PdpError:
        at = "header" if self.example < 0 else f"example {self.example}"
        return PdpError(f"{self.filename}, {at}: {msg}")

    def take(self, size: int, what: str) -> bytes:
        if size < 0 or self.pos + size > len(self.d):
            raise self.error(f"the file ends in the middle of {what}")
        self.pos += size
        return self.d[self.pos - size:self.pos]

    def ints(self, n: int, what: str) -> list[int]:
        return np.frombuffer(self.take(4 * n, what), ">i4").tolist()

    def reals(self, n: int, what: str) -> list[float]:
        with np.errstate(invalid="ignore"):     # signalling NaNs are NaN too
            return np.frombuffer(self.take(4 * n, what), ">f4").astype(float).tolist()

    def int(self, what: str) -> int:
        return self.ints(1, what)[0]

    def real(self, what: str) -> float:
        return self.reals(1, what)[0]

    def string(self, what: str) -> str:
        end = self.d.find(b"\0", self.pos)
        return _decode(self.take((end if end >= 0 else len(self.d)) - self.pos + 1, what)[:-1])

    def parse(self) -> tuple[dict, list[_Example]]:
        if self.int("the magic number") & 0xFFFFFFFF != BINARY_COOKIE:
            raise self.error("not a Lens binary example file (expected the magic number 0xAAAAAAAA)")
        size = self.int("the size of a real")
        if size not in (4, 8):
            raise self.error(f"expected the size of a real (4 or 8), got {size}")
        header: dict[str, object] = {}
        proc = self.string("the set proc")
        if proc:
            header["proc"] = proc
        for k in _FIELDS:
            v = self.real(f"the set's {k}")
            if not (v == LENS_DEFAULTS[k]):
                header[k] = v
        count = self.int("the number of examples")
        if count < 0:
            raise self.error(f"bad number of examples ({count})")
        defaults = {k: header.get(k, LENS_DEFAULTS[k]) for k in ("defI", "actI", "defT", "actT")}
        examples = []
        for self.example in range(count):
            examples.append(self.one_example(defaults))
        if self.pos != len(self.d):
            raise self.error(f"{len(self.d) - self.pos} bytes left over after the last example")
        return header, examples

    def one_example(self, defaults: dict) -> _Example:
        ex, i = _Example(), self.example
        ex.name = self.string("the example name") or None
        ex.proc = self.string("the example proc") or None
        ex.freq = self.real("the frequency")
        nev = self.int("the number of events")
        if not (0 <= ex.freq < math.inf and 1 <= nev <= _MAX_EVENTS):
            raise self.error(f"bad frequency ({ex.freq:g}) or number of events ({nev})")
        ex.label = f"example {i}" + (f" ('{ex.name}')" if ex.name is not None else "")
        ev = ex.events = [_Event(defaults) for _ in range(nev)]
        for _ in range(self.int("the number of event headers")):
            v = self.int("an event number")
            if not 0 <= v < nev:
                raise self.error(f"event header for event {v}, but the example has {nev} event(s)")
            ev[v].proc = self.string("an event proc") or None
            for k in _FIELDS:
                ev[v].fields[k] = self.real(f"the event's {k}")
        for side in ("inputs", "targets"):
            for _ in range(self.int(f"the number of {side} sets")):
                sel = self.event_list(nev)
                ranges = self.ranges(side) or None
                for w in sel:
                    setattr(ev[w], side, ranges)
                if side == "inputs" and self.take(1, "the shared-targets flag") != b"\0":
                    for w in self.event_list(nev):
                        ev[w].targets = ranges
        return ex

    def event_list(self, nev: int) -> list[int]:
        out, v = [], -1
        for w in self.ints(self.int("an event list"), "an event list"):
            span = range(v + 1, -w + 1) if w < 0 else (w,)
            if w >= nev or -w >= nev:
                raise self.error(f"event list names event {abs(w)}, but the example has {nev} event(s)")
            out.extend(span)
            v = abs(w)
        if not out:
            raise self.error("empty event list")
        return out

    def ranges(self, side: str) -> list[_Range]:
        out = []
        where = f"{self.filename}, example {self.example}"
        for _ in range(self.int(f"the number of {side} ranges")):
            group = self.string("a group name") or None
            k = self.int("the number of units in a range")
            r = _Range(self.take(1, "the sparse flag") != b"\0", _NAN, where)
            r.group = group
            if r.sparse:
                r.value = self.real("a sparse value")
                r.units = self.ints(k, "a sparse unit list")
                if not r.units or (r.units[0] < 0 and k > 1) or any(
                        u < 0 and (p < 0 or -u < p) for p, u in zip(r.units, r.units[1:])):
                    raise self.error(f"bad sparse unit list {r.units}")
            else:
                r.first = self.int("a first unit")
                r.values = self.reals(k, "dense values")
            if any(map(math.isinf, r.values + [r.value])):
                raise self.error(f"an infinite value in a range of {side}")
            out.append(r)
        return out


def read_binary_examples(path, input_groups: Mapping[str, int], target_groups: Mapping[str, int],
                         name: str | None = None) -> ExampleSet:
    """Read a Lens binary example file (``.bex``, possibly compressed).

    Parameters and result as for :func:`read_examples`; a text file is refused.
    """
    p, data = _load(path)
    return _build(*_BinaryReader(data, p.name).parse(), input_groups, target_groups, _set_name(p, name))


# ------------------------------------------------------------------ writing
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
    text = format_examples(examples)
    if str(path).endswith(".gz"):
        with atomic_write(path, "wb") as f:
            f.write(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        with atomic_write(path, "w") as f:
            f.write(text)


def _binary_bytes(examples: ExampleSet) -> bytes:
    out, d, ef = [], _defaults(examples), examples.event_fields

    def ints(*vs):
        out.append(np.asarray(vs, dtype=">i4").tobytes())

    def reals(vs, what: str):
        a = np.asarray(vs, dtype=float)
        with np.errstate(over="ignore"):
            f = a.astype(">f4")
        if np.isinf(f).any() and not np.isinf(a).any():
            raise PdpError(f"{what}: a value is too large for the binary format's 32-bit reals")
        out.append(f.tobytes())

    def string(s, what: str):
        b = ("" if s is None else str(s)).encode("utf-8")
        if b"\0" in b:
            raise PdpError(f"{what} {s!r} contains a NUL byte and cannot be written to a binary example file")
        out.append(b + b"\0")

    ints(BINARY_COOKIE - 2 ** 32, 4)
    string(examples.header.get("proc"), "the set proc")
    reals([d[k] for k in _FIELDS], "the set header")
    ints(len(examples))
    for i in range(len(examples)):
        name, nev = examples.names[i], int(examples.n_events[i])
        string(name if name != str(i) else "", "example name")
        string(examples.procs[i] if examples.procs is not None else None, "example proc")
        reals([examples.frequencies[i]], "frequency")
        special = [e for e in range(nev) if any(k in ef and not math.isnan(ef[k][i, e]) for k in _TIMES)
                   or ("proc" in ef and ef["proc"][i, e] is not None)]
        ints(nev, len(special))
        for e in special:
            ints(e)
            string(ef["proc"][i, e] if "proc" in ef else None, "event proc")
            reals([ef[k][i, e] if k in ef else np.nan for k in _TIMES] + [d[k] for k in _FIELDS[3:]], "event header")
        for side, dflt, act in (("inputs", "defI", "actI"), ("targets", "defT", "actT")):
            sets = [(e, s) for e in range(nev) if (s := _split(examples, side, i, e, d[dflt], d[act]))]
            ints(len(sets))
            for e, groups in sets:
                ints(1, e, len(groups))          # event list [e], number of ranges
                for g, how, x in groups:
                    string(g, "group name")
                    if how == "dense":
                        ints(len(x))
                        out.append(b"\0")
                        ints(0)
                        reals(x, f"example {i}, group '{g}'")
                    else:
                        units = _runs(x)
                        ints(len(units))
                        out.append(b"\1")
                        reals([d[act]], f"the set's {act}")
                        ints(*units)
                if side == "inputs":
                    out.append(b"\0")           # no events share these inputs as targets
    return b"".join(out)


def write_binary_examples(examples: ExampleSet, path) -> None:
    """Write ``examples`` as a Lens binary example file (``.bex``), atomically.

    Parameters
    ----------
    examples : ExampleSet
    path : str or path-like
        gzip-compressed if it ends in ``.gz``.

    Raises
    ------
    PdpError
        If a value does not fit a 32-bit real, or a string holds a NUL byte.

    Notes
    -----
    Big-endian, as Lens writes it: the magic number 0xAAAAAAAA, ``sizeof(real)``
    (4), the set proc and its seven reals, then each example: name, proc,
    frequency, events, event headers, input sets and target sets. Each set is
    an event list, then ranges (group name, unit count, sparse flag, then first
    unit and values, or value and unit numbers with ``-last`` ending a span).
    """
    data = _binary_bytes(examples)
    if str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with atomic_write(path, "wb") as f:
        f.write(data)
