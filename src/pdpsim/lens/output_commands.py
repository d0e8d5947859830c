"""The Lens shell's commands that write files: ``printUnitValues``, ``printLinkValues``,
``saveExamples``, ``openNetOutputFile`` and ``closeNetOutputFile``.

:class:`OutputCommands` writes where Lens's writeChannel would: a file (``.gz``, ``.Z``,
``.bz``, ``.bz2`` compressed), ``-`` for the shell's standard output, ``-NAME`` for the
Tcl channel NAME; pipes (``|command``) are refused.

* ``printUnitValues <file> <proc> <group-list> [-append]`` calls ``proc group(G)
  group(G).unit(U)`` for each unit (lesioned units skipped) and writes what it returns, as
  Lens 2.63 does (the Tcl 8.6 port used for the reference writes it to standard output
  instead, a bug of the port);
* ``printLinkValues <file> <proc> <group-list1> <group-list2> [-type T | -append]`` calls
  ``proc group(F) group(F).unit(S) group(G) group(G).unit(U) BLOCK LINK`` for each link into
  the units of the second groups from the first, BLOCK being Lens's block of the unit (a run of
  consecutive sending units of one connection), LINK the link's place among the unit's links;
* ``saveExamples <set> <file> [-binary | -append]`` writes Lens's example-file format (see
  :func:`format_lens_examples`);
* ``openNetOutputFile <file> [-binary | -append]`` / ``closeNetOutputFile``: every example
  run is written (:mod:`pdpsim.lens.records`).
"""
from __future__ import annotations

import bz2
import gzip
import struct
import tkinter

import numpy as np

from pdpsim.formats.lens_examples import BINARY_COOKIE
from pdpsim.lens.commands import Commands
from pdpsim.lens.functions import LensError


class OutputChannel:
    """Where Lens's writeChannel writes: a file, compressed by its name, or a Tcl channel."""

    def __init__(self, shell, name: str, append: bool, cmd: str):
        self.shell, self.name, self.chan, self.f = shell, name, None, None
        if name.startswith("-"):
            self.chan = "stdout" if name == "-" else name[1:]
            return
        if name.startswith("|"):
            raise LensError(f"{cmd}: writing to a pipe ({name}) is not implemented in pdpsim")
        mode = "ab" if append else "wb"
        try:
            if name.endswith((".gz", ".Z")):
                self.f = gzip.open(name, mode)
            elif name.endswith((".bz", ".bz2")):
                self.f = bz2.open(name, mode)
            else:
                self.f = open(name, mode)
        except OSError:
            raise LensError(f"{cmd}: couldn't write to the file {name}") from None

    def write(self, data: bytes) -> None:
        if self.f is not None:
            self.f.write(data)
            self.f.flush()
            return
        text = data.decode("latin-1")
        if self.chan in ("stdout", "stderr"):
            self.shell._tcl_write(self.chan, text, "0")
        else:
            try:
                self.shell.tcl.call("::pdpsim::tcl_puts", "-nonewline", self.chan, text)
            except tkinter.TclError as e:
                raise LensError(f"writing to the channel {self.chan}: {e}") from None

    def close(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None


def lens_blocks(b, j: int) -> list[np.ndarray]:
    """Lens's blocks of receiving unit j within one pdpsim link block: the runs of consecutive
    sending units (Lens keeps such a run as one block, and splits a block where a link is cut)."""
    s = b.senders(j)
    if len(s) == 0:
        return []
    return np.split(s, np.flatnonzero(np.diff(s) != 1) + 1)


class OutputCommands(Commands):
    """Lens's commands that print unit and link values, save examples, record outputs."""

    def _call_proc(self, cmd: str, text: str) -> str:
        try:
            return str(self.tcl.eval(text))
        except tkinter.TclError as e:
            raise LensError(f"{cmd}: {e}") from None

    def _file_flags(self, cmd: str, usage: str, args, start: int) -> tuple[bool, bool]:
        """The ``-binary`` and ``-append`` flags of a command that writes a file."""
        opts, _ = self._options(cmd, usage, args, start, flags=("b", "a"))
        return opts.get("b", False), opts.get("a", False)

    def c_printUnitValues(self, *args):
        usage = "printUnitValues <file> <printProc> <group-list> [-append]"
        if len(args) < 3:
            raise self._usage("printUnitValues", usage)
        self._need_net("printUnitValues")
        append = "a" in self._options("printUnitValues", usage, args, 3, flags=("a",))[0]
        groups = self._group_list(args[2], "printUnitValues")
        out = OutputChannel(self, args[0], append, "printUnitValues")
        try:
            for g in groups:
                for j in range(g.size):
                    if g.lesioned[j]:
                        continue
                    text = self._call_proc("printUnitValues", f"{args[1]} group({g.num}) group({g.num}).unit({j})")
                    out.write(text.encode())
        finally:
            out.close()
        return ""

    def c_printLinkValues(self, *args):
        usage = ("printLinkValues <file> <printProc> <group-list1> <group-list2>\n"
                 "\t[-type <link-type> | -append]")
        if len(args) < 4:
            raise self._usage("printLinkValues", usage)
        self._need_net("printLinkValues")
        opts, _ = self._options("printLinkValues", usage, args, 4, flags=("a",),
                                valued={"t": lambda v: self._known_link_type("printLinkValues", v)})
        append, ltype = opts.get("a", False), opts.get("t")
        senders = {g.name for g in self._group_list(args[2], "printLinkValues")}
        receivers = self._group_list(args[3], "printLinkValues")
        out = OutputChannel(self, args[0], append, "printLinkValues")
        try:
            for g in receivers:
                for j in range(g.size):
                    if g.lesioned[j]:
                        continue
                    link = block = 0
                    for b in g.blocks:
                        runs = lens_blocks(b, j)
                        use = (ltype is None or b.link_type == ltype) and b.source.name in senders
                        for run in runs:
                            if use:
                                F = b.source.num
                                for i in run:
                                    text = self._call_proc(
                                        "printLinkValues", f"{args[1]} group({F}) group({F}).unit({int(i)}) "
                                        f"group({g.num}) group({g.num}).unit({j}) {block} {link}")
                                    out.write(text.encode())
                                    link += 1
                            else:
                                link += len(run)
                            block += 1
        finally:
            out.close()
        return ""

    # ------------------------------------------------------------------ network output file
    def c_openNetOutputFile(self, *args):
        usage = "openNetOutputFile <file-name> [-binary | -append]"
        if not args:
            raise self._usage("openNetOutputFile", usage)
        net = self._need_net("openNetOutputFile")
        binary, append = self._file_flags("openNetOutputFile", usage, args, 1)
        if net.output_file is not None:
            if append and args[0] == net.output_file_name:
                return ""
            net.output_file.close()
            net.output_file = None
        net.output_file = OutputChannel(self, args[0], append, "openNetOutputFile")
        net.output_file_binary = binary
        net.output_file_name = args[0]
        return self.tcl.call("file", "tail", args[0])     # Lens's result: the last "set _record(file) ..."

    def c_closeNetOutputFile(self, *args):
        if args:
            raise self._usage("closeNetOutputFile", "closeNetOutputFile")
        net = self._need_net("closeNetOutputFile")
        if net.output_file is None:
            raise LensError("netCloseOutputFile: no file open")
        net.output_file.close()
        net.output_file = None
        net.output_file_name = ""
        return ""

    # ------------------------------------------------------------------ examples
    def c_saveExamples(self, *args):
        usage = "saveExamples <example-set> <file-name> [-binary | -append]"
        if len(args) < 2:
            raise self._usage("saveExamples", usage)
        if args[0] not in self.sets:
            raise LensError(f'saveExamples: example set "{args[0]}" doesn\'t exist')
        S = self.sets[args[0]]
        binary, append = self._file_flags("saveExamples", usage, args, 2)
        if binary and append:
            raise LensError("saveExamples: you cannot use both the -binary and -append flags")
        order = [g.name for g in self.net.input_groups] if self.net is not None else []
        outs = [g.name for g in self.net.output_groups] if self.net is not None else []
        data = binary_lens_examples(S, order, outs) if binary else \
            format_lens_examples(S, order, outs, header=not append).encode()
        out = OutputChannel(self, args[1], append, "saveExamples")
        try:
            out.write(data)
        finally:
            out.close()
        return args[1]


def _gv(x: float) -> str:
    """A value of a range as Lens writes it (``%g``; NaN as glibc prints Lens's NaN)."""
    return "-nan" if x != x else "%g" % x


def _real(x: float) -> str:
    return "-" if x != x else "%g" % x


_SET_FIELDS = (("maxTime", "max", 1.0), ("minTime", "min", 0.0), ("graceTime", "grace", 0.0),
               ("defaultInput", "defI", 0.0), ("activeInput", "actI", 1.0), ("defaultTarget", "defT", 0.0),
               ("activeTarget", "actT", 1.0))


def format_lens_examples(S, input_order: list[str], target_order: list[str], header: bool = True) -> str:
    """An example set in Lens's text format, as Lens's writeExampleFile lays it out: the set's
    fields that differ from Lens's defaults, then each example: ``name:{...}`` (pdpsim names an
    unnamed example by its number; such a name is left out), ``freq:`` if not 1, the number of
    events if more than one, a header for each event with its own max/min/grace, then each
    event's inputs and each event's targets as one dense range over every input (target) unit
    of the network in order, each after ``[event]`` when the example has several events.

    pdpsim keeps the values, not the ranges Lens read them from: a file whose events give their
    inputs and targets as such dense ranges is written as Lens writes it; sparse ranges, ranges
    of named groups, events sharing a pattern or without one, and per-event defaults come out
    in this dense layout, which reads back to the same examples."""
    ex, ins, tgs, fields = _layout(S, input_order, target_order)
    out = []
    if header:
        for key, short, dflt in _SET_FIELDS:
            v = S.params[key]
            if not (v == dflt or (v != v and dflt != dflt)):
                out.append(f"\n{short}:{_real(v)}")
        out.append(";\n")
    for i in range(len(ex)):
        name = ex.names[i]
        if name is not None and name != str(i):
            out.append(f"name:{{{name}}}\n")
        if float(ex.frequencies[i]) != 1.0:
            out.append(f"freq:{_real(float(ex.frequencies[i]))}\n")
        n = int(ex.n_events[i])
        if n > 1:
            out.append(f"{n}\n")
        for v in range(n):
            extra = "".join(f" {k}:{_real(float(fields[k][i, v]))}" for k in ("max", "min", "grace")
                            if fields[k] is not None and float(fields[k][i, v]) == float(fields[k][i, v]))
            if extra:
                out.append(f"[{v}{extra}]\n")
        for letter, groups, data in (("I", ins, ex.inputs), ("T", tgs, ex.targets)):
            if not groups:
                continue
            for v in range(n):
                if n > 1:
                    out.append(f"[{v}]\n")
                vals = np.concatenate([data[g][i, v] for g in groups])
                out.append(f"{letter}:" + "".join(" " + _gv(float(x)) for x in vals) + "\n")
        out.append(";\n")
    return "".join(out)


def _layout(S, input_order: list[str], target_order: list[str]):
    ex = S.last_examples()
    ins = [g for g in input_order if g in ex.inputs] + [g for g in ex.inputs if g not in input_order]
    tgs = [g for g in target_order if g in ex.targets] + [g for g in ex.targets if g not in target_order]
    fields = {k: ex.event_fields.get(k) for k in ("max", "min", "grace")}
    return ex, ins, tgs, fields


def binary_lens_examples(S, input_order: list[str], target_order: list[str]) -> bytes:
    """An example set in Lens's binary format (writeBinaryExampleFile), in the dense layout of
    :func:`format_lens_examples`: integers 32-bit big-endian, reals 32-bit big-endian floats,
    strings ending in a 0 byte; the size of a real is written as 8, as the double-precision Lens
    the references come from writes it."""
    ex, ins, tgs, fields = _layout(S, input_order, target_order)
    i4 = lambda *v: struct.pack(f">{len(v)}i", *v)  # noqa: E731
    f4 = lambda *v: np.asarray(v, dtype=">f4").tobytes()  # noqa: E731
    out = [struct.pack(">Ii", BINARY_COOKIE, 8), b"\0",
           f4(*(S.params[k] for k, _s, _d in _SET_FIELDS)), i4(len(ex))]
    for i in range(len(ex)):
        name = ex.names[i]
        out.append((name.encode() if name is not None and name != str(i) else b"") + b"\0\0")
        n = int(ex.n_events[i])
        out += [f4(float(ex.frequencies[i])), i4(n)]
        odd = [v for v in range(n) if any(fields[k] is not None and fields[k][i, v] == fields[k][i, v]
                                          for k in ("max", "min", "grace"))]
        out.append(i4(len(odd)))
        for v in odd:
            times = [float(fields[k][i, v]) if fields[k] is not None else float("nan") for k in ("max", "min", "grace")]
            out += [i4(v), b"\0", f4(*times, *(S.params[k] for k, _s, _d in _SET_FIELDS[3:]))]
        for groups, data, shared in ((ins, ex.inputs, True), (tgs, ex.targets, False)):
            out.append(i4(n if groups else 0))
            if not groups:
                continue
            for v in range(n):
                vals = np.concatenate([data[g][i, v] for g in groups])
                out += [i4(1, v, 1), b"\0", i4(len(vals)), b"\0", i4(0), vals.astype(">f4").tobytes()]
                if shared:
                    out.append(b"\0")
    return b"".join(out)
