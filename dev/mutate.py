"""Mutation testing of pdpsim's rule modules: does a formula changed on purpose make a test fail?

    .venv/bin/python dev/mutate.py --list                      # the mutants of the default modules
    .venv/bin/python dev/mutate.py src/pdpsim/functions/integrators.py \\
        --tests "tests/dynamics/test_time.py -x -q -p no:cacheprovider" --jobs 2
    .venv/bin/python dev/mutate.py --jobs 2 --json out.json    # all of them (slow: TESTS per mutant)

Mutants come from the AST and are spliced into the source text (the rest of the file and its line
numbers stay as they are): + <-> -, * <-> /, ** -> *; < <-> <=, > <-> >=, == <-> !=, < <-> >; and <-> or;
unary minus or ``not`` removed; numbers 0 -> 1, 1 -> 0 and 2, x -> 2x and x + 1; ``return X`` ->
``return -(X)`` for arithmetic X; augmented assignments and call statements -> ``pass``; the condition
of ``if`` and of ``x if c else y`` -> True / False. Strings, f-strings, annotations, ClassVar defaults
that are names or strings and ``if TYPE_CHECKING:`` blocks are left alone. A mutant is named
``module:line:column`` (column from 1) with a description: `a * (1.0 - a)` -> `a * (1.0 + a)`.

Nothing under src/ is written: each worker copies src/pdpsim into a temporary folder, writes a mutant
into its copy, runs pytest from the repository root with PYTHONPATH=<the copy's parent> and puts the
pristine module back. A pytest plugin written beside the copy (-p _mutate_guard) makes every run exit
with status 97 (an "error") unless pdpsim resolves to the copy and every imported pdpsim.* module lies
in it. Runs have PYTHONDONTWRITEBYTECODE=1 (no stale .pyc) and their worker's NUMBA_CACHE_DIR and
HYPOTHESIS_STORAGE_DIRECTORY, emptied before every run (numba's cache is keyed on a kernel's file, not
on the rules it inlines; a mutant's failing examples must not be replayed to the next).

The selected tests (TESTS below, or --tests) first run on the unmutated copy; the run stops unless they
pass. A mutant is *killed* when its tests fail, error, crash or time out (timeouts are also counted
apart), *survived* when they pass; score = killed / (killed + survived). The timeout is --timeout,
raised to 3x the baseline's time where that is longer. dev/equivalent-mutants.txt may list mutants
that cannot change behaviour, one a line, ``module:line:description  # why`` (or
``module:line:column:description  # why``: --list prints that form after the kind); they run, but
count apart from the score, and one that is killed all the same is reported as a stale entry.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pdpsim"
EQUIVALENT_FILE = ROOT / "dev" / "equivalent-mutants.txt"

#: module or folder (relative to the repository root) -> pytest arguments; the longest matching prefix wins.
#: Each selection is narrow and fast, the most discriminating tests first (-x stops at the first failure).
_PYTEST = '-x -q -p no:cacheprovider -m "not slow"'
#: tests that compile numba's kernels (slow from the empty cache every mutant run starts with) left out: the numpy
#: and Array API forms run the same formulas, and tests/dynamics' fused rows still compile the scalar forms
_NO_NUMBA = ('-k "not compiled and not lanes and not ensemble_command and not in_time_refusals" '
             '--deselect tests/functions/test_rules.py::test_compiled_scalar_forms_equal_numpy')
#: the rules' own exact cases, the forms held to the formulas, finite differences (also in time)
_RULES = "tests/functions/test_rules_mutants.py tests/functions/test_rules.py tests/functions/test_gradients.py"
#: networks in time (integrators and clamps): the unfolding, the Array API engine in time, Lens's unit loops
_TIME = "tests/dynamics tests/engines/test_array_time.py tests/lens/test_lens_time.py"
TESTS: dict[str, str] = {
    "": f"tests/ {_PYTEST}",
    # output and error functions, the forms' vocabulary, the target radii; then Lens's scripts (the rules'
    # lens=True options: Lens's sigmoid table, its bounds, its order of operations)
    "src/pdpsim/functions/": f"{_RULES} tests/dynamics/test_time.py tests/lens "
                             f"tests/model/test_lesion.py::test_lesioned_units_pass_no_derivative_back "
                             f"{_PYTEST} {_NO_NUMBA}",
    "src/pdpsim/functions/integrators.py": f"{_RULES} {_TIME} {_PYTEST} {_NO_NUMBA}",
    "src/pdpsim/functions/clamps.py": f"{_RULES} {_TIME} {_PYTEST} {_NO_NUMBA}",
    "src/pdpsim/learning/rules.py": f"tests/learning/test_learning_mutants.py tests/learning tests/training tests/pdp "
                                    f"tests/lens {_PYTEST} {_NO_NUMBA}",
    "src/pdpsim/training/criteria.py": f"tests/training/test_criteria.py tests/learning tests/training {_PYTEST} "
                                       f"{_NO_NUMBA}",
}
#: the default modules: every .py under these folders (less SKIP) and these files
DEFAULT_FOLDERS = ("src/pdpsim/functions",)
DEFAULT_FILES = ("src/pdpsim/learning/rules.py", "src/pdpsim/training/criteria.py")
SKIP = {"__init__.py", "registry.py", "codes.py", "rows.py"}
STOP = threading.Event()                    # set on Ctrl-C: runs cut short are "not run", not "killed"

GUARD = '''"""pytest plugin written by dev/mutate.py: exit 97 unless pdpsim is imported from the copy."""
import importlib.util, os, sys
_HOME = os.path.realpath(os.environ["MUTATE_EXPECT"]) + os.sep

def _fail(what):
    sys.stdout.flush()
    sys.stderr.write(f"mutate guard: {what} is not under {_HOME}\\n")
    sys.stderr.flush()
    os._exit(97)

_spec = importlib.util.find_spec("pdpsim")
if _spec is None or not os.path.realpath(str(_spec.origin)).startswith(_HOME):
    _fail(f"pdpsim ({_spec and _spec.origin})")

def pytest_unconfigure(config):
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if (name == "pdpsim" or name.startswith("pdpsim.")) and f and not os.path.realpath(f).startswith(_HOME):
            _fail(f"{name} ({f})")
'''


# ---------------------------------------------------------------- mutants
@dataclass
class Mutant:
    module: str
    line: int
    col: int
    kind: str
    description: str
    start: int = field(repr=False)          # character offsets of the replaced text
    end: int = field(repr=False)
    replacement: str = field(repr=False)
    status: str = "not run"                 # killed, timeout, survived, error
    seconds: float = 0.0
    rc: int | None = None
    detail: str = ""
    equivalent: str | None = None           # the reason, when listed in EQUIVALENT_FILE

    @property
    def name(self) -> str:
        return f"{self.module}:{self.line}:{self.col}"

    def apply(self, text: str) -> str:
        return text[:self.start] + self.replacement + text[self.end:]

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("start", "end", "replacement")}


OP = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
OP_SWAP = {ast.Add: "-", ast.Sub: "+", ast.Mult: "/", ast.Div: "*", ast.Pow: "*"}
CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
CMP_SWAP = {ast.Lt: ("<=", ">"), ast.LtE: ("<",), ast.Gt: (">=", "<"), ast.GtE: (">",), ast.Eq: ("!=",),
            ast.NotEq: ("==",)}
ARITH = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)


def short(s: str, n: int = 72) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 3] + "..."


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
           (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _new_numbers(v):
    if v == 0:
        return [type(v)(1)]
    if v == 1:
        return [type(v)(0), type(v)(2)]
    return [x for x in (v * 2, v + 1) if math.isfinite(x)]


def find_mutants(module: str, text: str) -> list[Mutant]:
    """Every mutant of ``text`` (the source of ``module``) that compiles and changes the AST."""
    tree = ast.parse(text)
    lines = text.split("\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)

    def off(lineno, col):                   # ast columns count UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    def span(node):
        return off(node.lineno, node.col_offset), off(node.end_lineno, node.end_col_offset)

    found: list[Mutant] = []

    def add(node, kind, new, at=None, display=None, desc=None, wrap=True):
        """Replace the text of ``at`` (default ``node``) by ``new``; describe it within ``display``."""
        s, e = span(at or node)
        ds, de = span(display) if display is not None else (s, e)
        desc = desc or f"`{short(text[ds:de])}` -> `{short(text[ds:s] + new + text[e:de])}`"
        found.append(Mutant(module, node.lineno, node.col_offset + 1, kind, desc, s, e,
                            f"({new})" if wrap else new))

    def swap_token(node, kind, left, right, tok, new):
        s, _e = span(node)
        g0, g1 = span(left)[1], span(right)[0]
        gap = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text[g0:g1])
        i = gap.find(tok)
        if i >= 0:
            seg = text[s:span(node)[1]]
            k = g0 - s + i
            add(node, kind, seg[:k] + new + seg[k + len(tok):])

    def visit(node, parent):
        if isinstance(node, ast.JoinedStr):
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child, node)
            return
        if isinstance(node, ast.BinOp) and type(node.op) in OP_SWAP:
            swap_token(node, "binop", node.left, node.right, OP[type(node.op)], OP_SWAP[type(node.op)])
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                left = node.left if i == 0 else node.comparators[i - 1]
                for new in CMP_SWAP.get(type(op), ()):
                    swap_token(node, "compare", left, node.comparators[i], CMP[type(op)], new)
        elif isinstance(node, ast.BoolOp):
            s, e = span(node)
            seg, (old, new) = text[s:e], (("and", "or"), ("or", "and"))[isinstance(node.op, ast.Or)]
            for a, b in reversed(list(zip(node.values, node.values[1:]))):
                g0, g1 = span(a)[1] - s, span(b)[0] - s
                gap = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), seg[g0:g1])
                seg = seg[:g0] + re.sub(rf"\b{old}\b", new, gap, count=1) + seg[g1:]
            add(node, "boolop", seg)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            s, e = span(node)
            add(node, "unary", text[s + (1 if isinstance(node.op, ast.USub) else 3):e].lstrip())
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            ctx = parent if isinstance(parent, ast.expr) and parent.lineno == parent.end_lineno and \
                len(ast.get_source_segment(text, parent) or "") <= 60 else None
            for v in _new_numbers(node.value):
                add(node, "number", repr(v), display=ctx)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ARITH):
            s, e = span(node.value)
            add(node, "return", f"-({text[s:e]})", at=node.value, display=node)
        elif isinstance(node, ast.AugAssign) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            s, e = span(node)
            add(node, "delete", "pass" + "\n" * text[s:e].count("\n"), desc=f"`{short(text[s:e])}` -> `pass`",
                wrap=False)
        if isinstance(node, (ast.If, ast.IfExp)):
            s, e = span(node.test)
            pad = "\n" * text[s:e].count("\n")
            shown = isinstance(node, ast.IfExp) and node.lineno == node.end_lineno and \
                node.end_col_offset - node.col_offset <= 60
            for v in ("True", "False"):
                add(node.test, "if", v + pad, display=node if shown else None,
                    desc=f"`if {short(text[s:e])}:` -> `if {v}:`" if isinstance(node, ast.If) else None)
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns"):
                continue
            if isinstance(node, ast.AnnAssign) and name == "value" and "ClassVar" in ast.dump(node.annotation) and \
                    (isinstance(value, ast.Name) or (isinstance(value, ast.Constant) and isinstance(value.value, str))):
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    visit(child, node)

    visit(tree, None)
    reference, seen, out = ast.dump(tree), set(), []
    for m in sorted(found, key=lambda m: (m.line, m.col, m.kind)):
        new = m.apply(text)
        try:
            mutated = ast.parse(new)
            compile(mutated, module, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        dump = ast.dump(mutated)
        if dump != reference and dump not in seen:
            seen.add(dump)
            out.append(m)
    return out


# ---------------------------------------------------------------- equivalent mutants
def read_equivalents(path: Path = EQUIVALENT_FILE) -> dict:
    """(module, line, col or None, description) -> the reason it cannot change behaviour."""
    out = {}
    if not path.exists():
        return out
    for i, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        entry, _, why = raw.partition("  #")
        m = re.match(r"\s*([^:]+):(\d+):(?:(\d+):)?(.*)$", entry)
        if not m:
            sys.exit(f"{path}:{i}: expected module:line:description  # why")
        out[(m[1].strip(), int(m[2]), int(m[3]) if m[3] else None, m[4].strip())] = why.strip() or "(no reason)"
    return out


def mark_equivalents(mutants: list[Mutant], table: dict) -> list:
    used = set()
    for m in mutants:
        for key in ((m.module, m.line, m.col, m.description), (m.module, m.line, None, m.description)):
            if key in table:
                m.equivalent = table[key]
                used.add(key)
    return [k for k in table if k not in used and any(k[0] == m.module for m in mutants)]


# ---------------------------------------------------------------- running
class Worker:
    """One copy of src/pdpsim (under ``home``), its numba cache and its pytest runs."""

    running: ClassVar[set] = set()          # the pytest processes now running (Ctrl-C kills them)
    lock = threading.Lock()
    #: where pytest runs: a snapshot of the repository with its own copy of tests/ (see freeze_tests)
    cwd: ClassVar[Path] = ROOT

    def __init__(self, home: Path, source: Path):
        self.home = home
        self.pkg = home / "pdpsim"
        shutil.copytree(source, self.pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))
        (home / "_mutate_guard.py").write_text(GUARD)
        self.state = home.parent / f"{home.name}-state"  # numba's cache, hypothesis's examples: emptied each run
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX", "PYTHONHOME")}
        self.env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(home), os.environ.get("PYTHONPATH")])),
                        NUMBA_CACHE_DIR=str(self.state / "numba"), HYPOTHESIS_STORAGE_DIRECTORY=str(self.state / "hyp"),
                        PYTHONDONTWRITEBYTECODE="1", MUTATE_EXPECT=str(self.pkg))
        self.env.setdefault("PDPSIM_SHARED", str(ROOT.parent / "shared"))   # conftest's data, seen from the snapshot

    def python(self, code: str) -> str:
        r = subprocess.run([sys.executable, "-c", code], cwd=Worker.cwd, env=self.env, capture_output=True, text=True,
                           check=False)
        return (r.stdout + r.stderr).strip()

    def pytest(self, args: list[str], timeout: float) -> tuple[str, int | None, float, str]:
        """(status, return code, seconds, output) of one pytest run on the copy as it is now."""
        shutil.rmtree(self.state, ignore_errors=True)
        self.state.mkdir()
        t0 = time.perf_counter()
        extra = [] if "no:cacheprovider" in args else ["-p", "no:cacheprovider"]     # no .pytest_cache in the tree
        proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "_mutate_guard", *extra, *args], cwd=Worker.cwd,
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        with Worker.lock:
            Worker.running.add(proc)
        try:
            out, _ = proc.communicate(timeout=timeout)
            status = "survived" if proc.returncode == 0 else "killed" if proc.returncode in (1, 2, 3) or \
                proc.returncode < 0 else "error"
        except subprocess.TimeoutExpired:
            kill(proc)
            try:
                out, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:   # a grandchild of its own session still holds the pipe
                out = ""
            status = "timeout"
        finally:
            with Worker.lock:
                Worker.running.discard(proc)
        return status, proc.returncode, time.perf_counter() - t0, out


def freeze_tests(into: Path) -> Path:
    """A snapshot of the repository for the runs: tests/ and pyproject.toml copied (tests added or
    edited in the working tree during a long run must not fail or pass mutants), everything else
    linked (data files the tests read by path); pdpsim itself is imported from the workers' copies."""
    into.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in (".git", ".venv", "tests", "pyproject.toml"):
            continue
        (into / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "tests", into / "tests", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)         # the run's own session: pytest and whatever it started
    except ProcessLookupError:
        pass


def tests_for(module: str) -> str:
    """The pytest arguments for ``module``: TESTS's entry with the longest prefix of its path."""
    return TESTS[max((k for k in TESTS if module.startswith(k)), key=len)]


def why_killed(out: str) -> str:
    """The first line that says why a run failed: pytest's summary line, else the guard's, else an E line."""
    lines = out.splitlines()
    for prefix in (("FAILED ", "ERROR "), ("mutate guard:",), ("E   ",)):
        hits = [ln for ln in lines if ln.startswith(prefix)]
        if hits:
            return short(hits[0], 160)
    return short(lines[-1] if lines else "", 160)


def load(modules: list[str], src: Path) -> tuple[dict, list[Mutant]]:
    """The source of each module (read under ``src``, a copy of src/) and its mutants, minus equivalents."""
    sources = {mod: (src / mod.removeprefix("src/")).read_text() for mod in modules}
    mutants = [m for mod in modules for m in find_mutants(mod, sources[mod])]
    for key in mark_equivalents(mutants, read_equivalents()):
        print(f"warning: {EQUIVALENT_FILE.name} lists {key[0]}:{key[1]}: {key[3]}, which is no mutant (stale?)",
              file=sys.stderr)
    return sources, mutants


def run_all(modules: list[str], selections: dict, args, info: dict) -> list[Mutant]:
    """Copy src/pdpsim, run the baselines, then every mutant of ``modules``; the mutants with their results."""
    with tempfile.TemporaryDirectory(prefix="pdpsim-mutate-") as tmp:
        Worker.cwd = freeze_tests(Path(tmp) / "repo")
        first = Worker(Path(tmp) / "w0", PACKAGE)
        sources, mutants = load(modules, first.home)       # from the copy: edits made meanwhile do not matter
        info["sources"] = {mod: hashlib.sha256(text.encode()).hexdigest() for mod, text in sources.items()}
        reused = reuse(mutants, info["sources"], args.reuse) if args.reuse else []
        if reused:
            print(f"reused from {args.reuse}: {len(reused)} mutants killed there (their modules unchanged)")
        info["reused"] = {"from": args.reuse, "count": len(reused)} if args.reuse else None
        mutants_all, mutants = mutants, [m for m in mutants if m.status == "not run"]
        workers = [first] + [Worker(Path(tmp) / f"w{i}", first.pkg) for i in range(1, args.jobs)]
        where = first.python("import pdpsim; print(pdpsim.__file__)")
        print(f"import check: pdpsim -> {where}")
        if not where.startswith(str(first.pkg)):
            sys.exit(f"the copy is not what `import pdpsim` finds with PYTHONPATH={first.home}: {where}")
        info["import_check"] = where
        timeouts = {}
        for sel in sorted(set(selections.values())):
            status, rc, secs, out = first.pytest(shlex.split(sel), max(args.timeout, 1800))
            print(f"baseline: pytest {sel}: {'passed' if status == 'survived' else status} ({secs:.1f} s)")
            if status != "survived":
                print("\n".join(out.splitlines()[-30:]))
                sys.exit(f"the tests fail (rc {rc}) on the unmutated copy: fix them before mutating")
            timeouts[sel] = max(args.timeout, 3 * secs)
            info["baselines"].append({"tests": sel, "seconds": round(secs, 2), "timeout": round(timeouts[sel], 1)})
        free: queue.Queue = queue.Queue()
        for w in workers:
            free.put(w)

        def one(m: Mutant) -> Mutant:
            w = free.get()
            try:
                if STOP.is_set():
                    return m
                target = w.home / m.module.removeprefix("src/")
                target.write_text(m.apply(sources[m.module]))
                try:
                    sel = selections[m.module]
                    m.status, m.rc, m.seconds, out = w.pytest(shlex.split(sel), timeouts[sel])
                finally:
                    target.write_text(sources[m.module])
                if STOP.is_set():
                    m.status = "not run"
                m.seconds = round(m.seconds, 2)
                m.detail = "" if m.status == "survived" else why_killed(out)
                return m
            finally:
                free.put(w)

        pool = ThreadPoolExecutor(args.jobs)
        try:
            futures = [pool.submit(one, m) for m in mutants]
            for n, fut in enumerate(as_completed(futures), 1):
                m = fut.result()
                print(f"[{n}/{len(mutants)}] {m.status:8} {m.name} {m.description} ({m.seconds:.1f} s)",
                      file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            STOP.set()
            pool.shutdown(wait=False, cancel_futures=True)
            with Worker.lock:
                for p in list(Worker.running):
                    kill(p)
            pool.shutdown(wait=True)
            print("interrupted: the report counts the mutants that finished", file=sys.stderr)
        pool.shutdown(wait=True)
    return mutants_all


def reuse(mutants: list[Mutant], hashes: dict, path: str) -> list[Mutant]:
    """Take over, from an earlier run's JSON, the result of each mutant it killed, where its module
    is unchanged: the same source hash, or (a JSON written before hashes were stored) exactly the
    same mutants, each at the same place with the same text. Survivors and errors run again."""
    try:
        prev = json.loads(Path(path).read_text())
        old = prev["mutants"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"--reuse {path}: not a JSON file of dev/mutate.py ({e})")
    old_hashes = prev.get("sources") or {}
    by_module: dict = {}
    for r in old:
        by_module.setdefault(r["module"], {})[(r["line"], r["col"], r["description"])] = r
    out = []
    for mod in {m.module for m in mutants}:
        mine = [m for m in mutants if m.module == mod]
        theirs = by_module.get(mod, {})
        if mod in old_hashes:
            same = old_hashes[mod] == hashes[mod]
        else:
            same = bool(theirs) and set(theirs) == {(m.line, m.col, m.description) for m in mine}
        if not same:
            continue
        for m in mine:
            r = theirs.get((m.line, m.col, m.description))
            if r is not None and r["status"] in ("killed", "timeout"):
                m.status, m.seconds, m.rc = r["status"], r["seconds"], r["rc"]
                m.detail = f"reused: {r['detail']}"
                out.append(m)
    return out


# ---------------------------------------------------------------- report
def summary(mutants: list[Mutant]) -> dict:
    real = [m for m in mutants if m.equivalent is None]
    killed = sum(m.status in ("killed", "timeout") for m in real)
    survived = sum(m.status == "survived" for m in real)
    return {"mutants": len(mutants), "killed": killed, "survived": survived,
            "timed_out": sum(m.status == "timeout" for m in real), "errors": sum(m.status == "error" for m in real),
            "not_run": sum(m.status == "not run" for m in real), "equivalent": len(mutants) - len(real),
            "score": round(100.0 * killed / (killed + survived), 1) if killed + survived else None}


def report(modules: list[str], mutants: list[Mutant]) -> dict:
    table = {mod: summary([m for m in mutants if m.module == mod]) for mod in modules}
    table["total"] = summary(mutants)
    w = max(len(k) for k in table)
    print(f"\n{'module':{w}}  mutants  killed  survived  timed out  errors  equivalent  score")
    for mod, s in table.items():
        score = "-" if s["score"] is None else f"{s['score']:.1f}%"
        print(f"{mod:{w}}  {s['mutants']:7}  {s['killed']:6}  {s['survived']:8}  {s['timed_out']:9}  "
              f"{s['errors']:6}  {s['equivalent']:10}  {score:>5}")
    print("(killed includes the timed out; score = killed / (killed + survived), equivalent mutants apart)")
    groups = [("Survivors", lambda m: m.status == "survived" and m.equivalent is None),
              ("Timed out (counted as killed)", lambda m: m.status == "timeout" and m.equivalent is None),
              ("Errors (neither killed nor survived)", lambda m: m.status == "error"),
              ("Listed as equivalent (not scored)", lambda m: m.equivalent and m.status == "survived"),
              ("Listed as equivalent but killed (stale entry?)", lambda m: m.equivalent and m.status in ("killed", "timeout"))]
    for title, keep in groups:
        chosen = [m for m in mutants if keep(m)]
        if chosen:
            print(f"\n{title}:")
            for m in chosen:
                extra = f"   [{m.detail}]" if m.status == "error" else f"   # {m.equivalent}" if m.equivalent else ""
                print(f"  {m.name}: line {m.line}: {m.description}{extra}")
    return table


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("modules", nargs="*", metavar="MODULE", help="e.g. src/pdpsim/functions/outputs/logistic.py")
    p.add_argument("--tests", help="pytest arguments for every module (instead of TESTS)")
    p.add_argument("--jobs", type=int, default=1, help="workers in parallel, each with its own copy")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant run (at least 3x the baseline)")
    p.add_argument("--list", action="store_true", help="list the mutants and run nothing")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p.add_argument("--reuse", metavar="FILE", help="an earlier run's --json: take over the mutants it killed in "
                   "modules that have not changed since (same source, or the same mutants); run the others")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    paths = [Path(m).resolve() for m in args.modules] or sorted(
        [f for d in DEFAULT_FOLDERS for f in (ROOT / d).rglob("*.py") if f.name not in SKIP]
        + [ROOT / f for f in DEFAULT_FILES])
    modules = []
    for path in paths:
        if not path.is_file() or PACKAGE not in path.parents or path.suffix != ".py":
            p.error(f"{path}: not a .py file under {PACKAGE.relative_to(ROOT)}")
        if path.relative_to(ROOT).as_posix() not in modules:
            modules.append(path.relative_to(ROOT).as_posix())
    if args.list:
        _sources, mutants = load(modules, ROOT / "src")
        for m in mutants:
            print(f"{m.kind:8} {m.name}:{m.description}" + (f"  # equivalent: {m.equivalent}" if m.equivalent else ""))
        print(f"{len(mutants)} mutants in {len(modules)} modules", file=sys.stderr)
        return 0
    selections = {mod: args.tests or tests_for(mod) for mod in modules}
    info = {"baselines": [], "jobs": args.jobs}
    mutants = run_all(modules, selections, args, info)
    table = report(modules, mutants)
    if args.json:
        doc = {**info, "tests": selections, "summary": table, "mutants": [m.as_json() for m in mutants]}
        Path(args.json).write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
