"""Lens binary example files (``.bex``): the reader and the writer.

The reader turns the bytes into the same records as the text parser; the
set is built by :mod:`pdpsim.formats.lens_examples`, the public face.
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim import limits
from pdpsim.validation import PdpError
from pdpsim.formats.lens_examples_parser import _FIELDS, _MAX_EVENTS, _NAN, _TIMES, LENS_DEFAULTS, _decode, _Event, _Example, _Range
from pdpsim.formats.lens_examples_writer import _defaults, _runs, _split, _write_file

BINARY_COOKIE = 0xAAAAAAAA


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

    #: bytes in one real, from the file's header (Lens writes sizeof(real): 4, or 8 for a double build)
    real_size = 4

    def reals(self, n: int, what: str) -> list[float]:
        size = self.real_size
        with np.errstate(invalid="ignore"):     # signalling NaNs are NaN too
            return np.frombuffer(self.take(size * n, what), ">f4" if size == 4 else ">f8").astype(float).tolist()

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
        self.real_size = size
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
        self.events = getattr(self, "events", 0) + nev
        limits.check("events", self.events, f"{self.filename}, example {i}", "events in the set")
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
    _write_file(path, _binary_bytes(examples))
