"""The text grammar of Lens example files (``.ex``): records and the parser.

Holds what the text and binary readers share (Lens's set-level defaults, the
records of an example, its events and their ranges, Lens's bracket scanner)
and the tokenizer/parser of the text format. The public face, whose
docstring gives the reading conventions, is :mod:`pdpsim.formats.lens_examples`.
"""
from __future__ import annotations

import bisect
import math
import re

from pdpsim import limits
from pdpsim.validation import PdpError

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
        self.events = getattr(self, "events", 0) + nev
        limits.check("events", self.events, f"{self.filename}, {label}", "events in the set")
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

    def event_list(self, ev: list[_Event], label: str) -> "list[int] | range":
        nev, on, every = len(ev), set(), False     # the listed events; work grows with the list, not nev
        while True:
            self.skip()
            if self.t.startswith("*", self.pos):
                self.pos += 1
                every = True
                continue
            m = _UINT.match(self.t, self.pos)
            if not m:
                break
            v = w = int(m.group())
            if v >= nev:
                raise self.error(f"{label}: event {v} is out of range (the example has {nev} event(s))")
            self.pos = m.end()
            if self.accept("-"):
                self.skip()
                m = _UINT.match(self.t, self.pos)
                if not m:
                    raise self.error(f"expected the last event of a range after '{v}-', got {self.got()}")
                w = int(m.group())
                if not v < w < nev:
                    raise self.error(f"{label}: bad event range {v}-{w} (the example has {nev} event(s))")
                self.pos = m.end()
            on.update(range(v, w + 1))
        sel = range(nev) if every or not on else sorted(on)
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


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
