"""PDP handbook files for the ``bp`` program: ``.net``, ``.pat`` and ``.wts``.

McClelland & Rumelhart's *Explorations in Parallel Distributed Processing*
(1988) ships its back-propagation program ``bp`` with plain-text files. What
follows is read from the handbook's C sources (``weights.c``, ``patterns.c``,
``bp.c``) and its ``bp/`` example files, and written in our own words.

Network files (``.net``)
------------------------
Whitespace-separated words, in sections that each end with ``end``::

    definitions:            nunits N  ninputs I  noutputs O  (and any program
    end                     variable, e.g. nepochs 500  ecrit 0.04)
    constraints:            one line per letter: LETTER then any of a number
    end                     (its fixed value), random, positive, negative, linked
    network:                blocks of links, see below
    end
    biases:                 which units have a bias, see below
    end

Units are numbered 0 .. nunits-1: the ``ninputs`` input units first, the
``noutputs`` output units last, hidden units between. A network block
``%X first nto firstfrom nfrom`` gives every unit ``first .. first+nto-1`` a
link from every unit ``firstfrom .. firstfrom+nfrom-1``, all of type letter
``X``. Without a letter (``% first nto firstfrom nfrom``) the block is followed
by ``nto`` words of ``nfrom`` characters, one per receiving unit, one
character per sender. A network section that starts without ``%`` is one word
of ``nunits`` characters per unit (the full matrix). In ``biases:``,
``%X first n`` gives units ``first .. first+n-1`` a bias of type ``X``
(``% first n`` is followed by one word of ``n`` characters).

Characters: ``.`` no link; a letter, the link's constraint. The letters ``r``
(random), ``p`` (random, kept >= 0) and ``n`` (random, kept <= 0) are
predefined; ``constraints:`` can define others, and an undefined letter is a
fixed start value of 0. Random weights are uniform in ``wrange * [-0.5, 0.5)``
(``p``: ``[0, wrange)``, ``n``: ``(-wrange, 0]``). An upper-case letter is the
same constraint with the link frozen (the handbook's epsilon 0).

In the handbook a later block for the same receiving unit replaces the
earlier one: each unit takes its incoming links from one contiguous range of
senders. That range fixes the unit's place in ``.wts`` files.

Mapping to pdpsim
~~~~~~~~~~~~~~~~~
pdpsim links whole groups, so the units are cut into groups wherever the
description changes: at ``ninputs`` and ``nunits - noutputs``, at the ends of
every run of same-letter links, and between neighbouring units whose incoming
links or bias differ. Each piece becomes a group: ``input``, ``hidden``,
``output`` when a kind has one piece, else ``input1``, ``input2``, ... in unit
order. Unit ``k`` is named ``u<k>``. Each run of links becomes one link block
per sending group (random: ``init_range = wrange / 2``; ``p``/``n``: mean
``+-wrange / 2`` with ``min_weight = 0`` / ``max_weight = 0``, the handbook's
clipping after each change, though ``bp``'s momentum keeps the unclipped change,
so the ``bp`` session trains these with :mod:`pdpsim.pdp.bp`; a fixed value:
those weights). A bias
letter links the one-unit ``bias`` group to the unit's group. A ``linked``
letter is built like the others (each weight its own start); the weights of
one letter are tied to each other by :mod:`pdpsim.pdp.bp` (``link_groups``,
``BpEngine.tie``), which the ``bp`` session (:mod:`pdpsim.pdp.script`) uses:
pdpsim's own ``train`` does not keep them equal. ``sigmas:`` (harmony theory)
raises :class:`PdpError`.

Error and learning convention
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
``bp`` reports ``pss = sum_j (t_j - a_j)^2`` per pattern and ``tss``, the sum
of pss over the patterns, *without* a 1/2. Its delta, though, is
``delta_j = (t_j - a_j) a_j (1 - a_j)`` and the weight step ``lrate * delta_j *
a_i`` (plus momentum): that is ``-dE/dn_j`` and ``-lrate dE/dw`` only for
``E = 1/2 sum (t - a)^2``. So output groups get pdpsim's ``SUM_SQUARED`` with
``error_scale = 0.5`` and ``lrate`` is the learning rate unchanged; pdpsim's
error is then tss/2, and the session reports tss and pss as the handbook
does, without the 1/2.

Pattern files (``.pat``)
------------------------
Whitespace-separated words: for each pattern, its name, ``ninputs`` input
values and ``noutputs`` target values (line breaks do not matter). A value is
a number, ``+`` (1), ``-`` (-1) or ``.`` (0). In ``bp`` a negative target
means "no error for this unit" (NaN in pdpsim); a target of exactly 1 (0)
becomes ``tmax`` (``1 - tmax``). A negative input ``-k`` asks ``bp`` to copy
unit k's activation from the previous pattern: the ``bp`` session runs such
patterns (:mod:`pdpsim.pdp.bp`); an :class:`ExampleSet` cannot hold them
(:meth:`Patterns.to_examples` raises).

Weight files (``.wts``)
-----------------------
Numbers separated by whitespace (``bp`` writes one per line): for each unit
0 .. nunits-1, its weights from each sender of its range in order, then one
bias for every unit (0 where it has none). Positions marked ``.`` hold 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim import limits
from pdpsim.validation import PdpError, atomic_write, readable_file

SECTIONS = ("definitions:", "constraints:", "network:", "biases:", "end")
_INT = re.compile(r"[-+]?\d+")


@dataclass
class Constraint:
    """What a letter in a ``.net`` file means."""

    letter: str
    value: float = 0.0
    random: bool = False
    positive: bool = False
    negative: bool = False
    linked: bool = False
    line: int | None = None


def default_constraints() -> dict[str, Constraint]:
    return {"r": Constraint("r", random=True), "p": Constraint("p", random=True, positive=True),
            "n": Constraint("n", random=True, negative=True)}


@dataclass(frozen=True)
class Run:
    """Links into one unit from senders ``start .. start+count-1``, all of one letter."""

    start: int
    count: int
    letter: str
    line: int


@dataclass(frozen=True)
class Segment:
    """A stretch of handbook units that becomes one pdpsim group."""

    name: str
    start: int
    stop: int
    kind: str

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass
class NetFile:
    """A parsed ``.net`` file (see the module docstring).

    Attributes
    ----------
    incoming : list of list of Run
        Per unit, its runs of links (same letter, contiguous senders).
    ranges : list of (first, count)
        Per unit, the sender range of the block that defined it (its ``.wts`` row).
    bias : list of str or None
        Per unit, its bias letter (None: no bias).
    variables : dict
        Other ``definitions:`` entries, name -> (value string, line).
    """

    nunits: int
    ninputs: int
    noutputs: int
    constraints: dict[str, Constraint]
    incoming: list[list[Run]]
    ranges: list[tuple[int, int]]
    bias: list[str | None]
    variables: dict[str, tuple[str, int]] = field(default_factory=dict)
    source: str = "<string>"
    name: str = "net"
    #: whether the file has a biases: section (then .wts files hold nunits biases)
    has_biases: bool = False

    # ------------------------------------------------------------ groups
    @property
    def segments(self) -> list[Segment]:
        n, first_out = self.nunits, self.nunits - self.noutputs
        cuts = {0, self.ninputs, first_out, n}
        for runs in self.incoming:
            for r in runs:
                cuts.update((r.start, r.start + r.count))

        def signature(u):
            return tuple((r.start, r.count, r.letter) for r in self.incoming[u]), self.bias[u]

        cuts.update(u for u in range(1, n) if signature(u) != signature(u - 1))
        bounds = sorted(c for c in cuts if 0 <= c <= n)
        pieces = [(a, b, "INPUT" if a < self.ninputs else "OUTPUT" if a >= first_out else "HIDDEN")
                  for a, b in zip(bounds, bounds[1:])]
        out = []
        for kind, base in (("INPUT", "input"), ("HIDDEN", "hidden"), ("OUTPUT", "output")):
            mine = [p for p in pieces if p[2] == kind]
            for k, (a, b, _) in enumerate(mine, 1):
                out.append(Segment(base if len(mine) == 1 else f"{base}{k}", a, b, kind))
        return sorted(out, key=lambda s: s.start)

    def locate(self, unit: int, segments: Sequence[Segment] | None = None) -> tuple[str, int]:
        """(group name, index in the group) of handbook unit ``unit``."""
        for s in segments or self.segments:
            if s.start <= unit < s.stop:
                return s.name, unit - s.start
        raise PdpError(f"{self.source}: no unit {unit} (nunits {self.nunits})")

    @property
    def n_weights(self) -> int:
        """How many numbers a ``.wts`` file for this network holds."""
        return sum(c for _, c in self.ranges) + (self.nunits if self.has_biases else 0)

    # ------------------------------------------------------------ building
    def build(self, seed: int | None = None, wrange: float = 1.0, name: str | None = None) -> Network:
        """A pdpsim network for this description (see "Mapping to pdpsim")."""
        segs = self.segments
        net = Network(name or self.name, seed=seed)
        for s in segs:
            kw = {"error": "SUM_SQUARED", "error_scale": 0.5} if s.kind == "OUTPUT" else {}
            net.add_group(s.name, s.size, kind=s.kind, unit_names=[f"u{k}" for k in range(s.start, s.stop)], **kw)
        by_start = {s.start: s for s in segs}
        for s in segs:
            for run in self.incoming[s.start]:
                u = run.start
                while u < run.start + run.count:
                    src = by_start[u]
                    kw = self._link_kwargs(run.letter, wrange, (src.size, s.size), run.line)
                    net.connect(src.name, s.name, **kw)
                    u = src.stop
        biased = [s for s in segs if self.bias[s.start] is not None]
        if biased:
            net.add_group("bias", 1, kind="BIAS")
            for s in biased:
                net.connect("bias", s.name, **self._link_kwargs(self.bias[s.start], wrange, (1, s.size), None))
        try:
            net.order
        except PdpError as e:
            raise PdpError(f"{self.source}: {e}") from None
        return net

    def _link_kwargs(self, letter: str, wrange: float, shape: tuple[int, int], line: int | None) -> dict:
        c = self.constraints.get(letter.lower(), Constraint(letter.lower()))
        half = float(wrange) / 2
        kw: dict = {"frozen": letter.isupper()}
        if c.random:
            if c.positive:
                kw.update(init_mean=half, init_range=half, min_weight=0.0)
            elif c.negative:
                kw.update(init_mean=-half, init_range=half, max_weight=0.0)
            else:
                kw.update(init_mean=0.0, init_range=half)
        else:
            kw.update(init_mean=c.value, init_range=0.0, weights=np.full(shape, c.value))
        return kw


# ---------------------------------------------------------------- tokens
class _Tokens:
    def __init__(self, text: str, source: str):
        self.source = source
        self.lines = text.splitlines()
        self.toks = [(m.group(), ln) for ln, line in enumerate(self.lines, 1) for m in re.finditer(r"\S+", line)]
        self.pos = 0

    def error(self, msg: str, line: int | None = None) -> PdpError:
        if line is None:
            line = self.toks[self.pos][1] if self.pos < len(self.toks) else (self.toks[-1][1] if self.toks else 1)
        return PdpError(f"{self.source}, line {line}: {msg}")

    def done(self) -> bool:
        return self.pos >= len(self.toks)

    def next(self, expected: str) -> tuple[str, int]:
        if self.done():
            raise self.error(f"the file ends; expected {expected}")
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def peek(self) -> str | None:
        return None if self.done() else self.toks[self.pos][0]

    def integer(self, expected: str) -> int:
        tok, ln = self.next(expected)
        if not _INT.fullmatch(tok):
            raise self.error(f"expected {expected} (an integer), got {tok!r}", ln)
        return int(tok)

    def skip_line(self, line: int) -> None:
        while not self.done() and self.toks[self.pos][1] == line:
            self.pos += 1


# ---------------------------------------------------------------- .net
def read_net(path) -> NetFile:
    """Read a handbook ``.net`` file (see the module docstring)."""
    p = readable_file(path, "network file")
    return parse_net(_text(p), source=p.name, name=p.stem)


def _text(p: Path) -> str:
    data = p.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_net(text: str, source: str = "<string>", name: str = "net") -> NetFile:
    """Parse the text of a ``.net`` file; errors name ``source``, the line and what was expected."""
    t = _Tokens(text, source)
    sizes: dict[str, int] = {}
    variables: dict[str, tuple[str, int]] = {}
    constraints = default_constraints()
    nf: NetFile | None = None
    net_line = bias_line = None
    while not t.done():
        word, ln = t.next("a section")
        key = word.lower()
        if key == "definitions:":
            _definitions(t, sizes, variables)
        elif key == "constraints:":
            _constraints(t, ln, constraints)
        elif key in ("network:", "biases:"):
            if nf is None:
                nf = _new_netfile(t, sizes, ln, source, name)
            if key == "network:":
                if net_line is not None:
                    raise t.error(f"a second network: section (the first is on line {net_line})", ln)
                net_line = ln
                _network(t, nf)
            else:
                if bias_line is not None:
                    raise t.error(f"a second biases: section (the first is on line {bias_line})", ln)
                bias_line = ln
                _biases(t, nf)
        elif key == "end":
            continue
        elif key == "sigmas:":
            raise t.error("sigmas: (harmony theory) is not part of a bp network; expected definitions:, "
                          "constraints:, network: or biases:", ln)
        else:
            raise t.error(f"expected definitions:, constraints:, network:, biases: or end; got {word!r}", ln)
    if nf is None:
        raise PdpError(f"{source}: no network: section; expected definitions: (nunits, ninputs, noutputs) "
                       "and a network: section")
    if net_line is None:
        raise PdpError(f"{source}: no network: section; expected the network's links")
    nf.constraints = constraints
    nf.variables = variables
    return nf


def _definitions(t: _Tokens, sizes: dict, variables: dict) -> None:
    while True:
        word, ln = t.next("a variable name or end (in definitions:)")
        if word == "end":
            return
        value, vln = t.next(f"a value for {word}")
        if word in ("nunits", "ninputs", "noutputs"):
            if not _INT.fullmatch(value) or int(value) < 0:
                raise t.error(f"expected {word} to be an integer >= 0, got {value!r}", vln)
            sizes[word] = int(value)
        else:
            variables[word] = (value, ln)


def _constraints(t: _Tokens, header_line: int, constraints: dict) -> None:
    t.skip_line(header_line)
    while True:
        if t.done():
            raise t.error("the file ends inside constraints:; expected end")
        ln = t.toks[t.pos][1]
        words = [w for w, l in t.toks[t.pos:] if l == ln]
        t.skip_line(ln)
        if words[0].startswith("end"):
            return
        letter = words[0]
        if len(letter) != 1 or not letter.isalpha():
            raise t.error(f"expected a constraint letter (a-z) at the start of the line, got {letter!r}", ln)
        c = Constraint(letter.lower(), line=ln)
        for w in words[1:]:
            try:
                c.value = float(w)
                continue
            except ValueError:
                pass
            for flag in ("random", "positive", "negative", "linked"):
                if flag.startswith(w.lower()):
                    setattr(c, flag, True)
                    break
            else:
                raise t.error(f"unknown type for constraint {letter!r}: {w!r}; expected a number, random, "
                              "positive, negative or linked", ln)
        constraints[c.letter] = c


def _new_netfile(t: _Tokens, sizes: dict, ln: int, source: str, name: str) -> NetFile:
    for k in ("nunits", "ninputs", "noutputs"):
        if not sizes.get(k):
            raise t.error(f"{k} is not defined; expected definitions: with nunits, ninputs and noutputs "
                          "(all > 0) before the network", ln)
    n, ni, no = sizes["nunits"], sizes["ninputs"], sizes["noutputs"]
    limits.check("units", n, f"{source}, line {ln}", "units (nunits)")
    if ni + no > n:
        raise t.error(f"ninputs ({ni}) + noutputs ({no}) is more than nunits ({n})", ln)
    return NetFile(n, ni, no, {}, [[] for _ in range(n)], [(0, 0)] * n, [None] * n, source=source, name=name)


def _check_range(t: _Tokens, nf: NetFile, first: int, count: int, what: str, ln: int) -> None:
    if first < 0 or count < 1 or first + count > nf.nunits:
        raise t.error(f"{what} {first} .. {first + count - 1} is not inside units 0 .. {nf.nunits - 1}", ln)


def _row(t: _Tokens, nf: NetFile, unit: int, chars: str, sstart: int, ln: int) -> None:
    if unit < nf.ninputs and any(c != "." for c in chars):
        raise t.error(f"unit {unit} is an input unit (ninputs {nf.ninputs}) and cannot receive links", ln)
    runs: list[Run] = []
    k = 0
    while k < len(chars):
        c = chars[k]
        if c != "." and not c.isalpha():
            raise t.error(f"unexpected character {c!r} in the row for unit {unit}; expected '.' or a letter", ln)
        j = k
        while j < len(chars) and chars[j] == c:
            j += 1
        if c != ".":
            runs.append(Run(sstart + k, j - k, c, ln))
        k = j
    nf.incoming[unit] = runs
    nf.ranges[unit] = (sstart, len(chars))


def _blocks(t: _Tokens, section: str, form: str):
    """The blocks of a ``network:`` or ``biases:`` section up to its ``end``, as ``(word, line,
    letter)``: ``letter`` is the constraint letter of a ``%`` line (``""``: none), or None for the
    one block without a ``%`` header that may come first. ``form``: the ``%`` line's fields, for
    the error messages."""
    block = 0
    while True:
        word, ln = t.next(f"a %-block or end (in {section}:)")
        if word == "end":
            if block == 0:
                raise t.error(f"empty {section}: section; expected {form} lines", ln)
            return
        if word.startswith("%"):
            letter = word[1:]
            if len(letter) > 1 or (letter and not letter.isalpha()):
                raise t.error(f"expected % followed by at most one constraint letter, got {word!r}", ln)
        elif block == 0:
            letter = None
        else:
            raise t.error(f"expected a %-block ({form}) or end; got {word!r}", ln)
        yield word, ln, letter
        block += 1


def _network(t: _Tokens, nf: NetFile) -> None:
    for word, ln, letter in _blocks(t, "network", "%r first nto firstfrom nfrom"):
        if letter is not None:
            rstart = t.integer("the first receiving unit")
            rnum = t.integer("the number of receiving units")
            sstart = t.integer("the first sending unit")
            snum = t.integer("the number of sending units")
            _check_range(t, nf, rstart, rnum, "receiving units", ln)
            _check_range(t, nf, sstart, snum, "sending units", ln)
            for r in range(rstart, rstart + rnum):
                if letter:
                    _row(t, nf, r, letter * snum, sstart, ln)
                else:
                    row, rln = t.next(f"the row of {snum} characters for unit {r}")
                    if len(row) != snum:
                        raise t.error(f"the row for unit {r} has {len(row)} characters; expected {snum} "
                                      f"(one per sending unit {sstart} .. {sstart + snum - 1})", rln)
                    _row(t, nf, r, row, sstart, rln)
        else:                                # the whole matrix, one row per unit
            row, rln = word, ln
            for r in range(nf.nunits):
                if r:
                    row, rln = t.next(f"the row of {nf.nunits} characters for unit {r}")
                if len(row) != nf.nunits:
                    raise t.error(f"the row for unit {r} has {len(row)} characters; expected {nf.nunits} "
                                  "(one per unit)", rln)
                _row(t, nf, r, row, 0, rln)


def _biases(t: _Tokens, nf: NetFile) -> None:
    nf.has_biases = True
    for word, ln, letter in _blocks(t, "biases", "%r first n"):
        if letter is not None:
            first = t.integer("the first unit")
            count = t.integer("the number of units")
            _check_range(t, nf, first, count, "units", ln)
            if letter:
                chars = letter * count
            else:
                chars, ln = t.next(f"a word of {count} characters (one per unit)")
        else:
            first, count, chars = 0, nf.nunits, word
        if len(chars) != count:
            raise t.error(f"{len(chars)} bias characters for {count} units; expected one per unit", ln)
        for k, c in enumerate(chars):
            u = first + k
            if c != "." and not c.isalpha():
                raise t.error(f"unexpected character {c!r} for the bias of unit {u}; expected '.' or a letter", ln)
            if c != "." and u < nf.ninputs:
                raise t.error(f"unit {u} is an input unit (ninputs {nf.ninputs}) and takes no bias", ln)
            nf.bias[u] = None if c == "." else c


# ---------------------------------------------------------------- .pat
@dataclass
class Patterns:
    """A parsed ``.pat`` file: names, inputs (n, ninputs), targets (n, noutputs) as written."""

    names: list[str]
    inputs: np.ndarray
    targets: np.ndarray
    source: str = "<string>"

    def __len__(self) -> int:
        return len(self.names)

    def index(self, key: str) -> int:
        """A pattern by number or name; as ``bp``, a name may be shortened to a prefix."""
        if _INT.fullmatch(key):
            i = int(key)
            if not 0 <= i < len(self):
                raise PdpError(f"{self.source}: no pattern {i} ({len(self)} patterns)")
            return i
        if key in self.names:
            return self.names.index(key)
        hits = [i for i, n in enumerate(self.names) if n.startswith(key)]
        if not hits:
            raise PdpError(f"{self.source}: no pattern named {key!r} (patterns: {', '.join(self.names)})")
        return hits[0]

    def to_examples(self, nf: NetFile, tmax: float = 1.0, name: str | None = None) -> ExampleSet:
        """The patterns as an :class:`ExampleSet` for :meth:`NetFile.build`'s network.

        Targets of exactly 1 (0) become ``tmax`` (``1 - tmax``); negative
        targets become NaN (no error), as in ``bp``.
        """
        if self.inputs.shape[1] != nf.ninputs or self.targets.shape[1] != nf.noutputs:
            raise PdpError(f"{self.source}: patterns of {self.inputs.shape[1]} inputs and {self.targets.shape[1]} "
                           f"targets, but the network has {nf.ninputs} inputs and {nf.noutputs} outputs")
        bad = np.argwhere(self.inputs < 0)
        if len(bad):
            i, j = (int(x) for x in bad[0])
            raise PdpError(f"{self.source}: pattern '{self.names[i]}' has input {j} = {self.inputs[i, j]:g}; bp reads "
                           "a negative input as a copy of another unit's activation, which an ExampleSet cannot "
                           "hold (expected inputs >= 0; the bp session, pdpsim pdp, runs such patterns)")
        t = self.targets.astype(float).copy()
        one, zero = t == 1.0, t == 0.0
        t[one], t[zero] = tmax, 1.0 - tmax
        t[self.targets < 0] = np.nan
        inputs, targets = {}, {}
        for s in nf.segments:
            if s.kind == "INPUT":
                inputs[s.name] = self.inputs[:, s.start:s.stop].astype(float)
            elif s.kind == "OUTPUT":
                off = nf.nunits - nf.noutputs
                targets[s.name] = t[:, s.start - off:s.stop - off]
        return ExampleSet(inputs, targets, names=list(self.names), name=name or Path(self.source).stem)


_VALUES = {"+": 1.0, "-": -1.0, ".": 0.0}


def parse_patterns(text: str, ninputs: int, noutputs: int, source: str = "<string>") -> Patterns:
    """Parse the text of a ``.pat`` file for a network of ``ninputs`` inputs and ``noutputs`` outputs."""
    t = _Tokens(text, source)
    names, rows = [], []
    width = ninputs + noutputs
    while not t.done():
        name, ln = t.next("a pattern name")
        row = []
        for k in range(width):
            what = f"input {k}" if k < ninputs else f"target {k - ninputs}"
            if t.done():
                raise t.error(f"the file ends inside pattern '{name}' (line {ln}) after {k} of its {width} values; "
                              f"expected a name, then {ninputs} input and {noutputs} target values")
            tok, tln = t.next(what)
            if tok in _VALUES:
                row.append(_VALUES[tok])
                continue
            try:
                v = float(tok)
            except ValueError:
                v = float("nan")
            if not np.isfinite(v):
                raise t.error(f"pattern '{name}': {what} is {tok!r}; expected a number, +, - or . "
                              f"(each pattern is a name, then {ninputs} input and {noutputs} target values)", tln)
            row.append(v)
        names.append(name)
        rows.append(row)
    if not rows:
        raise PdpError(f"{source}: no patterns; expected lines of a name, then {ninputs} input and {noutputs} "
                       "target values")
    a = np.array(rows, dtype=float).reshape(len(rows), width)
    return Patterns(names, a[:, :ninputs], a[:, ninputs:], source)


def read_patterns(path, ninputs: int, noutputs: int) -> Patterns:
    """Read a ``.pat`` file (see the module docstring)."""
    p = readable_file(path, "pattern file")
    return parse_patterns(_text(p), ninputs, noutputs, source=p.name)


def write_patterns(path, names: Sequence[str], inputs, targets) -> None:
    """Write a ``.pat`` file, one pattern a line, atomically."""
    ins, outs = np.atleast_2d(np.asarray(inputs, float)), np.atleast_2d(np.asarray(targets, float))
    if not (len(names) == ins.shape[0] == outs.shape[0]):
        raise PdpError(f"write_patterns: {len(names)} names, {ins.shape[0]} input rows, {outs.shape[0]} target rows")
    for n in names:
        if not n or re.search(r"\s", str(n)):
            raise PdpError(f"write_patterns: pattern name {n!r} must be one word")
    if np.isnan(ins).any() or np.isnan(outs).any():
        raise PdpError("write_patterns: NaN has no .pat spelling; write -1 for a target with no error")
    with atomic_write(path) as f:
        for n, a, b in zip(names, ins, outs):
            f.write(" ".join([str(n)] + [_num(x) for x in a] + [_num(x) for x in b]) + "\n")


def _num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# ---------------------------------------------------------------- .wts
def _weight_slots(nf: NetFile, net: Network):
    """Yield (unit, sender or None, block or None, i, j): every number of a .wts file, in order."""
    segs = nf.segments
    loc = [nf.locate(u, segs) for u in range(nf.nunits)]
    for r in range(nf.nunits):
        first, count = nf.ranges[r]
        linked = {s for run in nf.incoming[r] for s in range(run.start, run.start + run.count)}
        dg, dj = loc[r]
        for s in range(first, first + count):
            if s in linked:
                sg, si = loc[s]
                yield r, s, net.block(sg, dg), si, dj
            else:
                yield r, s, None, 0, 0
    if nf.has_biases:
        for r in range(nf.nunits):
            dg, dj = loc[r]
            b = net.block("bias", dg) if nf.bias[r] is not None else None
            yield r, None, b, 0, dj


def save_weights(nf: NetFile, net: Network, path, decimals: int | None = None) -> None:
    """Write ``net``'s weights as a handbook ``.wts`` file (one number a line), atomically.

    ``decimals=None`` writes each number exactly (it reads back bit for bit);
    ``decimals=6`` writes as ``bp`` does (``%f``).
    """
    out = []
    for _r, _s, b, i, j in _weight_slots(nf, net):
        x = float(b.weights[i, j]) if b is not None else 0.0
        out.append(f"{x:.{decimals}f}" if decimals is not None else repr(x))
    with atomic_write(path) as f:
        f.write("\n".join(out) + "\n")


def load_weights(nf: NetFile, net: Network, path) -> None:
    """Read a handbook ``.wts`` file into ``net`` (built from ``nf``).

    Every weight and bias is set; ``last_change`` is zeroed. Positions with no
    link (``.`` in the ``.net`` file, or a unit without a bias) must hold 0.
    """
    p = readable_file(path, "weight file")
    t = _Tokens(_text(p), p.name)
    need = nf.n_weights
    if len(t.toks) != need:
        where = t.toks[need][1] if len(t.toks) > need else (t.toks[-1][1] if t.toks else 1)
        raise PdpError(f"{p.name}, line {where}: {len(t.toks)} numbers; expected {need} for network "
                       f"'{nf.name}' ({need - (nf.nunits if nf.has_biases else 0)} weights"
                       f"{f' and {nf.nunits} biases' if nf.has_biases else ''})")
    values = []
    for tok, ln in t.toks:
        try:
            v = float(tok)
        except ValueError:
            v = float("nan")
        if not np.isfinite(v):
            raise PdpError(f"{p.name}, line {ln}: expected a number, got {tok!r}")
        values.append((v, ln))
    new = {b.name: b.weights.copy() for b in net.blocks}
    for (v, ln), (r, s, b, i, j) in zip(values, _weight_slots(nf, net)):
        if b is None:
            if v != 0.0:
                what = f"the weight from unit {s} to unit {r}" if s is not None else f"the bias of unit {r}"
                raise PdpError(f"{p.name}, line {ln}: {what} is {v:g}, but {nf.source} gives no such link; "
                               "expected 0")
            continue
        new[b.name][i, j] = v
    net.set_weights(new, source=f"weight file '{p.name}'")
