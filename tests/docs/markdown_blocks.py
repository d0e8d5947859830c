"""The fenced code blocks of the Markdown documentation, what each is, and how its output is compared.

Used by ``tests/docs/test_docs.py``, which runs every block of README.md and docs/*.md. What a block
is follows from its language and the ``docs-test`` markers (HTML comments, invisible on the rendered
page) in the lines right above it:

=================================  ===================================================================
block                              what the tests do with it
=================================  ===================================================================
```sh / ```bash / ```shell         run every command (a line, with ``\\`` continuations; ``#`` lines are
                                   comments); it must exit with status 0. ``make`` targets are not run
                                   (each is listed with its reason in the test module)
```console, or ``` with ``$ ``     run each ``$ command``; the lines after it (to the next ``$ `` or the
                                   end) are its output, compared with what it printed (stdout and
                                   stderr); a command with no output shown must exit with status 0
```python                          executed, in order, in one namespace per Markdown file; a value it
                                   shows must be a ``>>>`` line of a pycon block, not a comment
```pycon                           checked as a doctest, in the same namespace
```yaml / ```toml                  parsed (a data file or a fragment of one), not run
```tcl / ```text                   not run (a listing, a diagram, a grammar)
``` (no language, no ``$ ``)       must carry ``output-of`` / ``excerpt-of`` or ``skip``: an output
                                   listing is checked, or says why it is not
=================================  ===================================================================

Markers, each ``<!-- docs-test: KIND [ARGUMENTS] (REASON) -->`` on its own line above the block
(blank lines and other markers may come between)::

    skip (REASON)                 not run at all
    slow (REASON)                 run only in the slow tier (pytest -m slow), in a folder of its own
    replace "OLD" "NEW" (REASON)  run with OLD replaced by NEW (to shorten it); OLD must occur
    unchecked-output (REASON)     run, but the output shown is not compared (it varies by nature)
    setup FILE... [(REASON)]      copy FILE(s) from tests/docs/files/ into the working folder first
    file NAME [(REASON)]          the block's text is the file NAME: write it into the working folder
    same-spec-as SPEC [(REASON)]  the block (a spec file) builds and trains as the shipped SPEC does
    output-of `COMMAND`           the block is the whole output of COMMAND, run in the working folder
    excerpt-of `COMMAND`          the same, with output before and after the block left out (as if
                                  a ``...`` line began and ended it)

The first four make the tests check less, so they need a reason; an unknown marker, or one of those
without a reason, is refused.

An output-of / excerpt-of COMMAND that a block before it in the same file (and tier) already ran
is not run again: its output is reused.

Output comparison (``matches``): timings ``(0.34 s)``, ``in 1.29 s`` and ``(6.5 s)``, the working
folder's path and progress bars are normalised on both sides; runs of blanks count as one (and
indentation is not compared); leading and trailing blank lines are dropped; a line
``...`` stands for any number of lines and ``...`` within a line for any text; a number shown with
d decimals matches a printed number within half a unit of its last decimal (so the doc may round,
but may not change, a value).
"""
from __future__ import annotations

import dataclasses
import doctest
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SHELL_LANGS = {"sh", "bash", "shell"}
CONSOLE_LANGS = {"console", "shell-session"}
PYTHON_LANGS = {"python", "py"}
PYCON_LANGS = {"pycon"}
DATA_LANGS = {"yaml", "yml", "toml", "json"}
TEXT_LANGS = {"text", "txt", "tcl"}

#: marker kinds: (takes arguments, needs a reason)
MARKERS = {
    "skip": (False, True),
    "slow": (False, True),
    "replace": (True, True),
    "unchecked-output": (False, True),
    "setup": (True, False),
    "file": (True, False),
    "same-spec-as": (True, False),
    "output-of": (True, False),
    "excerpt-of": (True, False),
}


class MarkerError(ValueError):
    """A marker the collector does not accept (unknown, without its reason, or misplaced)."""


@dataclasses.dataclass
class Marker:
    kind: str
    args: str
    reason: str
    line: int

    def command(self) -> str:
        """The COMMAND of output-of / excerpt-of, without its backticks."""
        return self.args.strip().strip("`").strip()

    def replacement(self) -> tuple[str, str]:
        pair = re.fullmatch(r'"((?:[^"\\]|\\.)*)"\s+"((?:[^"\\]|\\.)*)"', self.args.strip())
        if not pair:
            raise MarkerError(f'line {self.line}: replace takes two quoted strings: replace "OLD" "NEW" (REASON)')
        return pair.group(1), pair.group(2)


@dataclasses.dataclass
class Block:
    path: str             # relative to the repository root
    line: int             # of the opening fence, 1-based
    lang: str             # the info string's first word, lower case ('' for none)
    text: str             # the block's content
    section: str          # the heading (without its #s) the block is under ('' before the first)
    markers: list[Marker]
    headings: tuple[str, ...] = ()      # that heading and the ones above it (## Speed for a ### under it)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def marker(self, kind: str) -> Marker | None:
        found = [m for m in self.markers if m.kind == kind]
        return found[0] if found else None

    def all(self, kind: str) -> list[Marker]:
        return [m for m in self.markers if m.kind == kind]

    @property
    def kind(self) -> str:
        """shell, console, python, pycon, data, text or output (a listing: see the module's table)."""
        has_prompt = any(l.startswith("$ ") for l in self.text.splitlines())
        if self.lang in SHELL_LANGS:
            return "console" if has_prompt else "shell"
        if self.lang in CONSOLE_LANGS:
            return "console"
        if self.lang in PYTHON_LANGS:
            return "python"
        if self.lang in PYCON_LANGS:
            return "pycon"
        if self.lang in DATA_LANGS:
            return "data"
        if self.lang in TEXT_LANGS:
            return "text"
        if self.lang == "":
            return "console" if has_prompt else "output"
        return "unknown"

    @property
    def slow(self) -> bool:
        return self.marker("slow") is not None

    @property
    def skipped(self) -> bool:
        return self.marker("skip") is not None

    def problems(self) -> list[str]:
        """What is wrong with the block as written (empty: the collector accepts it)."""
        out = []
        kind = self.kind
        if kind == "unknown":
            out.append(f"{self.where}: unknown language '{self.lang}' (see tests/docs/markdown_blocks.py)")
        if kind == "output" and not (self.skipped or self.marker("output-of") or self.marker("excerpt-of")):
            out.append(f"{self.where}: a block without a language and without '$ ' prompts: mark it "
                       "output-of/excerpt-of `COMMAND` (its output is then checked), skip (REASON), "
                       "or give it a language (text for a listing)")
        if kind == "python" and any(l.startswith(">>>") for l in self.text.splitlines()):
            out.append(f"{self.where}: '>>>' lines belong in a pycon block")
        if kind == "python":
            for i, l in enumerate(self.text.splitlines(), self.line + 1):
                if VALUE_COMMENT.search(l):
                    out.append(f"{self.where}: line {i} shows a value in a comment ({l.strip()!r}): "
                               "show it as the output of a '>>>' line in a pycon block, where it is checked")
        if (self.marker("output-of") or self.marker("excerpt-of")) and kind != "output":
            out.append(f"{self.where}: output-of/excerpt-of belong on a block without a language")
        if self.marker("file") and not self.marker("file").args.strip():
            out.append(f"{self.where}: file needs a NAME")
        return out


#: a trailing comment in a python block that starts with a value: `# (9, 4, 4)`, `# 15.674 (intact ...)`
VALUE_COMMENT = re.compile(r"#\s*(\(\s*[-+]?\d|[-+]?\d[\d.eE+-]*\s*($|[,:;]|\s+[-+(]?\d|\s+\())")

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKER = re.compile(r"<!--\s*docs-test:(?P<body>.*?)-->", re.S)


def parse_marker(body: str, line: int) -> Marker:
    body = " ".join(body.split())
    reason = ""
    if body.endswith(")"):
        depth = 0
        for i in range(len(body) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(body[i], 0)
            if depth == 0:
                reason, body = body[i + 1:-1].strip(), body[:i].strip()
                break
    kind, _, args = body.partition(" ")
    if kind not in MARKERS:
        raise MarkerError(f"line {line}: unknown docs-test marker '{kind}'; known: {', '.join(MARKERS)}")
    takes_args, needs_reason = MARKERS[kind]
    if needs_reason and not reason:
        raise MarkerError(f"line {line}: the docs-test marker '{kind}' needs a reason: <!-- docs-test: "
                          f"{kind}{' ...' if takes_args else ''} (WHY) -->")
    if takes_args and not args.strip():
        raise MarkerError(f"line {line}: the docs-test marker '{kind}' needs arguments")
    if not takes_args and args.strip():
        raise MarkerError(f"line {line}: the docs-test marker '{kind}' takes no arguments (the reason goes "
                          f"in parentheses): {args!r}")
    return Marker(kind, args.strip(), reason, line)


def parse(path: Path, root: Path = ROOT) -> list[Block]:
    """Every fenced code block of a Markdown file, with its markers. Raises MarkerError for a
    marker that is unknown, lacks its reason, or stands anywhere but right above a block."""
    rel = path.resolve().relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    # where each marker comment starts and ends (1-based lines)
    starts = {}
    for m in _MARKER.finditer(text):
        first = text.count("\n", 0, m.start()) + 1
        last = text.count("\n", 0, m.end()) + 1
        starts[first] = (last, m.group("body"))
    blocks, pending, used = [], [], set()
    headings: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        ln = i + 1
        if ln in starts:
            last, body = starts[ln]
            pending.append(parse_marker(body, ln))
            used.add(ln)
            i = last
            continue
        m = _FENCE.match(lines[i])
        if m:
            fence = m.group("fence")
            j = i + 1
            while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence))
                                          and lines[j].strip().strip(fence[0]) == ""):
                j += 1
            indent = len(m.group("indent"))
            body = "\n".join(l[indent:] if l[:indent].strip() == "" else l for l in lines[i + 1:j])
            info = m.group("info").strip().split()
            blocks.append(Block(rel, ln, info[0].lower() if info else "", body,
                                headings[-1][1] if headings else "", pending, tuple(h for _, h in headings)))
            pending = []
            i = j + 1
            continue
        if lines[i].strip():
            if pending:
                raise MarkerError(f"{rel}:{pending[0].line}: a docs-test marker must stand right above a "
                                  "code block (only blank lines and other markers between)")
            h = _HEADING.match(lines[i])
            if h:
                level = len(h.group(1))
                headings = [x for x in headings if x[0] < level] + [(level, h.group(2))]
        i += 1
    if pending:
        raise MarkerError(f"{rel}:{pending[0].line}: a docs-test marker after the last code block")
    stray = set(starts) - used
    if stray:
        raise MarkerError(f"{rel}:{min(stray)}: a docs-test marker inside a code block")
    return blocks


# ---------------------------------------------------------------- shell blocks
def shell_commands(text: str) -> list[tuple[int, str]]:
    """(offset of the line in the block, command) for a sh block: each line, with backslash continuations."""
    out, buf, start = [], [], 0
    for k, line in enumerate(text.split("\n")):
        if not buf:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = k
        if line.rstrip().endswith("\\"):
            buf.append(line.rstrip()[:-1])
            continue
        buf.append(line)
        out.append((start, " ".join(b.strip() for b in buf)))
        buf = []
    if buf:
        out.append((start, " ".join(b.strip() for b in buf)))
    return out


def console_commands(text: str) -> list[tuple[int, str, str]]:
    """(offset of the line, command, output shown) for each ``$ command`` of a console block."""
    out = []
    lines = text.split("\n")
    k = 0
    while k < len(lines):
        if not lines[k].startswith("$ "):           # only before the first command
            if lines[k].strip():
                raise ValueError(f"line {k + 1} of the block comes before its first '$ ' command")
            k += 1
            continue
        start = k
        cmd = [lines[k][2:]]
        while cmd[-1].rstrip().endswith("\\") and k + 1 < len(lines):
            cmd[-1] = cmd[-1].rstrip()[:-1]
            k += 1
            cmd.append(lines[k])
        k += 1
        shown = []
        while k < len(lines) and not lines[k].startswith("$ "):
            shown.append(lines[k])
            k += 1
        out.append((start, " ".join(c.strip() for c in cmd), "\n".join(shown).strip("\n")))
    return out


def make_targets(command: str) -> list[str] | None:
    """The targets of a ``make`` command (None when the command is not make)."""
    words = command.split("#")[0].split()
    if not words or words[0] != "make":
        return None
    return [w for w in words[1:] if not w.startswith("-") and "=" not in w] or ["(default)"]


# ---------------------------------------------------------------- comparing output
_TIMINGS = [
    (re.compile(r"\((\d+(\.\d+)?|\.\d+) ?s\)"), "(TIME s)"),                # (0.34 s)
    (re.compile(r"\bin (\d+(\.\d+)?|\.\d+) s\b"), "in TIME s"),             # in 1.29 s
]
_PROGRESS = re.compile(r"^\s*\S*.*\d+%\|.*\|")                             # a tqdm bar
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_TOKEN = re.compile(r"(\.\.\.)|([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)|(\s+)")


def normalise(text: str, workdir: str | Path | None = None) -> list[str]:
    """The lines of ``text`` with what legitimately varies made equal (see the module docstring)."""
    if workdir is not None:
        for w in {str(workdir), str(Path(workdir).resolve())}:
            text = text.replace(w + "/", "").replace(w, ".")
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.rsplit("\r", 1)[-1]              # what a carriage return leaves on the screen
        if _PROGRESS.match(line):
            continue
        for pattern, repl in _TIMINGS:
            line = pattern.sub(repl, line)
        lines.append(" ".join(line.split()))
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _decimals(number: str) -> tuple[float, int]:
    mant, _, exp = number.lower().partition("e")
    dec = len(mant.split(".")[1]) if "." in mant else 0
    return float(number), dec - (int(exp) if exp else 0)


def number_matches(shown: str, printed: str) -> bool:
    """``printed`` rounds to ``shown`` (at the decimals shown)."""
    try:
        value, dec = _decimals(shown)
        got = float(printed)
    except ValueError:
        return False
    if "." not in shown and "e" not in shown.lower():
        return got == value and "." not in printed and "e" not in printed.lower()
    return abs(got - value) <= 0.5 * 10.0 ** (-dec) * (1 + 1e-9) + 1e-300


def line_matches(shown: str, printed: str) -> bool:
    """One normalised line against another: numbers may be rounded, ``...`` matches any text."""
    if shown == printed:
        return True
    parts, numbers = [], []
    pos = 0
    for m in _TOKEN.finditer(shown):
        parts.append(re.escape(shown[pos:m.start()]))
        if m.group(1):
            parts.append(".*?")
        elif m.group(2):
            parts.append(r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)")
            numbers.append(m.group(2))
        else:
            parts.append(r"\s+")
        pos = m.end()
    parts.append(re.escape(shown[pos:]))
    m = re.fullmatch("".join(parts), printed)
    if not m:
        return False
    return all(number_matches(s, p) for s, p in zip(numbers, m.groups()))


def matches(shown: list[str], printed: list[str]) -> bool:
    """Normalised lines against normalised lines; a shown line ``...`` matches any number of lines."""
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(shown):
            r = j == len(printed)
        elif shown[i] == "...":
            r = go(i + 1, j) or (j < len(printed) and go(i, j + 1))
        else:
            r = j < len(printed) and line_matches(shown[i], printed[j]) and go(i + 1, j + 1)
        memo[i, j] = r
        return r

    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * (len(shown) + len(printed)) + 1000))
    try:
        return go(0, 0)
    finally:
        sys.setrecursionlimit(limit)


class Checker(doctest.OutputChecker):
    """doctest's comparison (NORMALIZE_WHITESPACE and ELLIPSIS), then ours: numbers the doc rounds."""

    def check_output(self, want, got, optionflags):
        if super().check_output(want, got, optionflags):
            return True
        return matches(normalise(want), normalise(got))
