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

This module reads and builds the set; the text grammar is in
:mod:`.lens_examples_parser`, the text writer in :mod:`.lens_examples_writer`
and the binary format in :mod:`.lens_examples_binary`, all re-exported here.
"""
from __future__ import annotations

import struct
from pathlib import Path
from typing import Mapping

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.formats import read_maybe_compressed
from pdpsim import limits
from pdpsim.validation import PdpError, positive_int
from pdpsim.formats.lens_examples_binary import BINARY_COOKIE, _binary_bytes, _BinaryReader, write_binary_examples
from pdpsim.formats.lens_examples_parser import _TIMES, LENS_DEFAULTS, _decode, _Example, _Range, _TextParser
from pdpsim.formats.lens_examples_writer import format_examples, write_examples

__all__ = ["LENS_DEFAULTS", "BINARY_COOKIE", "parse_examples", "read_examples", "read_binary_examples",
           "read_example_records", "parse_example_records", "build_example_set",
           "format_examples", "write_examples", "write_binary_examples", "_binary_bytes"]


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
    limits.check("examples", n, f"example set '{name}'", "examples")
    limits.check("values", n * max_ev * sum(sd.total for sd in sides.values()), f"example set '{name}'",
                 "values (examples x events x units)")
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


def read_binary_examples(path, input_groups: Mapping[str, int], target_groups: Mapping[str, int],
                         name: str | None = None) -> ExampleSet:
    """Read a Lens binary example file (``.bex``, possibly compressed).

    Parameters and result as for :func:`read_examples`; a text file is refused.
    """
    p, data = _load(path)
    return _build(*_BinaryReader(data, p.name).parse(), input_groups, target_groups, _set_name(p, name))


# ------------------------------------------------- records first, groups later
def parse_example_records(data: bytes, filename: str = "<string>") -> tuple[dict, list[_Example]]:
    """The set fields and the example records of a Lens example file's contents (text or
    binary), before any group is looked up: Lens keeps an example's ranges with their group
    names and applies them to the network's units each time the event is loaded, so a file may
    be read before the network (or its groups) exists. :func:`build_example_set` makes the
    :class:`ExampleSet` for a network's groups."""
    if data[:4] == struct.pack(">I", BINARY_COOKIE):
        return _BinaryReader(data, filename).parse()
    return _TextParser(_decode(data), filename).parse()


def read_example_records(path) -> tuple[dict, list[_Example], str]:
    """:func:`parse_example_records` of a file (gzip and bzip2 decompressed; a missing ``path``
    is looked for as ``path.gz``), with the set name the file gives by default."""
    p, data = _load(path)
    header, records = parse_example_records(data, p.name)
    return header, records, _set_name(p, None)


def build_example_set(header: dict, records: list[_Example], input_groups: Mapping[str, int],
                      target_groups: Mapping[str, int], name: str) -> ExampleSet:
    """The :class:`ExampleSet` of records from :func:`parse_example_records` for a network's
    input and target groups (group name -> number of units, in network order)."""
    return _build(header, records, input_groups, target_groups, name)
