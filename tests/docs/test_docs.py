"""Every code block of README.md and docs/*.md runs, and the output it shows is what the code prints.

How blocks are classified, the markers (``<!-- docs-test: ... -->``) and how output is compared:
``tests/docs/markdown_blocks.py``. Each Markdown file is one test: its blocks run in order in one
temporary folder (shell commands with this environment's ``bin`` first on PATH, so ``pdpsim`` is the
project's) and one Python namespace, so a block may use the files and names of the blocks before it.
Blocks marked ``slow`` run in the slow tier, each file's in a folder and namespace of their own.
Setup files named by ``setup`` markers are in ``tests/docs/files/``.
"""
from __future__ import annotations

import difflib
import doctest
import io
import os
import shutil
import subprocess
import sys
import tomllib
import traceback
from pathlib import Path

import pytest
import yaml

import markdown_blocks as mb

ROOT = mb.ROOT
FILES = Path(__file__).parent / "files"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: the environment the tests run in (the project's .venv under `make test`): its pdpsim is the project's
BIN = Path(sys.executable).parent

#: make targets the docs name, and why the tests do not run them (an unlisted target fails the test)
MAKE_EXEMPT = {
    "demo": "creates .venv and installs pdpsim, then runs `pdpsim demo`, whose output the README's "
            "block under 'The lecture in one command' checks",
    "test": "runs this test suite (recursively)",
    "test-fast": "runs this test suite (recursively)",
    "docs": "installs mkdocs into .venv-docs from the package index and builds the site (CI builds it)",
    "bench": "runs `pdpsim bench`: minutes, and its figures vary by nature",
    "fuzz": "the fuzzing campaign: minutes (tests/tools/test_fuzz.py runs a bounded share of it)",
    "mutate": "the mutation tester: long, run on purpose (dev/README.md)",
    "lint-imports": "tests/test_architecture.py checks the same contract",
}

#: PENDING: blocks the tests collect but do not run yet, each reported as a skip with its reason:
#: (file, a heading the blocks are under, or "*" for the whole file) -> why. Others are editing these
#: parts; what fails in them today is in the reason. The lead removes an entry once its blocks pass.
PENDING = {
}


def pending(block: mb.Block) -> str | None:
    for (path, section), why in PENDING.items():
        if block.path == path and (section == "*" or section in block.headings):
            return why
    return None


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _has_slow(path: Path) -> bool:
    try:
        return any(b.slow and not b.skipped and not pending(b) for b in mb.parse(path))
    except mb.MarkerError:
        return False


# ---------------------------------------------------------------- running one file's blocks
class DocRun:
    """Runs the blocks of one Markdown file, in order, collecting every failure."""

    def __init__(self, path: Path, workdir: Path, slow: bool, root: Path = ROOT):
        self.blocks = mb.parse(path, root)
        self.workdir = workdir
        self.slow = slow
        self.ns: dict = {"__name__": "__docs__"}
        self.failures: list[str] = []
        self.env = dict(os.environ)
        self.env["PATH"] = f"{BIN}{os.pathsep}{self.env.get('PATH', '')}"
        self.env["MPLBACKEND"] = "Agg"
        self.env["PYTHONUNBUFFERED"] = "1"         # stdout and stderr interleaved as on a terminal
        self.env.pop("PDPSIM_QUICK", None)
        self.outputs: dict[str, tuple[int, str]] = {}     # command -> (exit status, output), for output-of

    # -- helpers
    def fail(self, block: mb.Block, what: str, detail: str = ""):
        self.failures.append(f"{block.where} [{block.section}]: {what}" + (f"\n{detail}" if detail else ""))

    def shell(self, command: str, timeout: float = 600) -> tuple[int, str]:
        try:
            p = subprocess.run(["bash", "-c", command], cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return -1, f"(timed out after {timeout} s)\n{e.output or ''}"
        self.outputs[" ".join(command.split(" #")[0].split())] = (p.returncode, p.stdout)
        return p.returncode, p.stdout

    def compare(self, block: mb.Block, command: str, shown: str, printed: str, rc: int, excerpt=False):
        want = mb.normalise(shown, self.workdir)
        got = mb.normalise(printed, self.workdir)
        if excerpt:
            want = ["...", *want, "..."]
        if not mb.matches(want, got):
            diff = "\n".join(difflib.unified_diff(want, got, "shown in the doc", "printed", lineterm="", n=2))
            if any("..." in line for line in want):
                diff += "\n(a '...' of the doc matches any text, and a '...' line any lines: the diff shows them too)"
            self.fail(block, f"the output of `{command}` (exit status {rc}) is not the one shown", diff)

    @staticmethod
    def replaced(block: mb.Block, text: str) -> str:
        """``text`` (the block, one of its commands, or its output-of command) with the replace markers applied."""
        for m in block.all("replace"):
            old, new = m.replacement()
            if old not in block.text and not any(
                    old in o.args for o in block.markers if o.kind in ("output-of", "excerpt-of")):
                raise mb.MarkerError(f"{block.where}: replace: {old!r} does not occur in the block")
            text = text.replace(old, new)
        return text

    # -- the kinds of block
    def run_shell(self, block: mb.Block):
        for _, command in mb.shell_commands(block.text):
            targets = mb.make_targets(command)
            if targets is not None:
                for t in targets:
                    if t not in MAKE_EXEMPT:
                        self.fail(block, f"`{command}`: the make target '{t}' is neither run nor listed in "
                                         "MAKE_EXEMPT (tests/docs/test_docs.py) with its reason")
                continue
            run = self.replaced(block, command) if block.all("replace") else command
            rc, out = self.shell(run)
            if rc != 0:
                self.fail(block, f"`{run}` exited with status {rc}", out[-3000:])

    def run_console(self, block: mb.Block):
        try:
            commands = mb.console_commands(block.text)
        except ValueError as e:
            self.fail(block, str(e))
            return
        for _, command, shown in commands:
            if mb.make_targets(command) is not None:
                self.fail(block, f"`{command}`: make is not run from a console block")
                continue
            run = self.replaced(block, command) if block.all("replace") else command
            rc, out = self.shell(run)
            if not shown.strip():
                if rc != 0:
                    self.fail(block, f"`{run}` exited with status {rc}", out[-3000:])
            elif not block.marker("unchecked-output"):
                self.compare(block, run, shown, out, rc)
            elif rc != 0:
                self.fail(block, f"`{run}` exited with status {rc}", out[-3000:])

    def run_output(self, block: mb.Block):
        m = block.marker("output-of") or block.marker("excerpt-of")
        if m is None:                   # an unmarked listing: test_blocks_are_classified reports it
            return
        command = self.replaced(block, m.command()) if block.all("replace") else m.command()
        key = " ".join(command.split())
        rc, out = self.outputs[key] if key in self.outputs else self.shell(command)
        if block.marker("unchecked-output"):
            if rc != 0:
                self.fail(block, f"`{command}` exited with status {rc}", out[-3000:])
            return
        self.compare(block, command, block.text, out, rc, excerpt=m.kind == "excerpt-of")

    def run_python(self, block: mb.Block):
        code = self.replaced(block, block.text)
        try:
            exec(compile(code, f"{block.where}", "exec"), self.ns)
        except Exception:
            self.fail(block, "the block raised", traceback.format_exc(limit=-6))

    def run_pycon(self, block: mb.Block):
        text = self.replaced(block, block.text)
        test = doctest.DocTestParser().get_doctest(text, self.ns, block.where, block.path, block.line)
        out = io.StringIO()
        runner = doctest.DocTestRunner(checker=mb.Checker(),
                                       optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        runner.run(test, out=out.write, clear_globs=False)
        if runner.failures:
            self.fail(block, f"{runner.failures} of {runner.tries} examples failed", out.getvalue())

    def check_data(self, block: mb.Block):
        try:
            if block.lang in ("toml",):
                tomllib.loads(block.text)
            elif block.lang == "json":
                import json
                json.loads(block.text)
            else:
                yaml.safe_load(block.text)
        except Exception as e:
            self.fail(block, f"does not parse as {block.lang}: {e}")

    def same_spec(self, block: mb.Block, name: str):
        import numpy as np

        import pdpsim
        path = self.workdir / f"same-spec-{block.line}.{'toml' if block.lang == 'toml' else 'yaml'}"
        path.write_text(block.text)
        try:
            a, b = pdpsim.load(path), pdpsim.load(name)
            ra = pdpsim.train(a.network, a.examples, a.training, backend="numpy")
            rb = pdpsim.train(b.network, b.examples, b.training, backend="numpy")
        except Exception:
            self.fail(block, f"same-spec-as {name}: could not build and train both", traceback.format_exc(limit=-4))
            return
        finally:
            path.unlink()
        if a.training != b.training:
            self.fail(block, f"same-spec-as {name}: other training parameters: {a.training} != {b.training}")
        elif not (ra.n_epochs == rb.n_epochs and np.array_equal(ra.errors, rb.errors)):
            self.fail(block, f"same-spec-as {name}: trains otherwise ({ra.n_epochs} epochs, final error "
                             f"{ra.final_error}; {name}: {rb.n_epochs}, {rb.final_error})")

    # -- the whole file
    def run(self):
        for block in self.blocks:
            if pending(block) or block.skipped:
                continue
            for m in block.all("setup"):
                for name in m.args.split():
                    src = FILES / name
                    if src.is_dir():
                        shutil.copytree(src, self.workdir / name, dirs_exist_ok=True)
                    else:
                        shutil.copy(src, self.workdir / name)
            if block.marker("file"):
                target = self.workdir / block.marker("file").args
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.text + "\n")
            if block.slow != self.slow:
                continue
            kind = block.kind
            try:
                if kind == "shell":
                    self.run_shell(block)
                elif kind == "console":
                    self.run_console(block)
                elif kind == "output":
                    self.run_output(block)
                elif kind == "python":
                    self.run_python(block)
                elif kind == "pycon":
                    self.run_pycon(block)
                elif kind == "data":
                    self.check_data(block)
                if block.marker("same-spec-as"):
                    self.same_spec(block, block.marker("same-spec-as").args)
            except mb.MarkerError as e:
                self.fail(block, str(e))
        return self.failures


def run_doc(path: Path, tmp_path: Path, monkeypatch, slow: bool):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    failures = DocRun(path, work, slow).run()
    if failures:
        pytest.fail(f"{len(failures)} block(s) of {_id(path)} fail:\n\n" + "\n\n".join(failures), pytrace=False)


# ---------------------------------------------------------------- the tests
@pytest.mark.parametrize("path", DOCS, ids=_id)
def test_blocks_are_classified(path):
    """Every block is of a known kind, every marker known and given its reason (pending sections aside)."""
    blocks = mb.parse(path)          # raises on an unknown marker, a missing reason, a stray marker
    problems = [p for b in blocks if not pending(b) and not b.skipped for p in b.problems()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", DOCS, ids=_id)
def test_doc(path, tmp_path, monkeypatch):
    """The fast tier: every block not marked slow or skip runs, its shown output checked."""
    run_doc(path, tmp_path, monkeypatch, slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in DOCS if _has_slow(p)], ids=_id)
def test_doc_slow(path, tmp_path, monkeypatch):
    """The slow tier: the blocks marked slow (long runs, checked in full)."""
    run_doc(path, tmp_path, monkeypatch, slow=True)


def _pending_blocks():
    out = []
    for path in DOCS:
        try:
            out += [pytest.param(b, id=b.where) for b in mb.parse(path) if pending(b)]
        except mb.MarkerError:
            pass
    return out


@pytest.mark.parametrize("block", _pending_blocks())
def test_pending(block):
    """Blocks in PENDING sections are collected but not run: each shows up here as a skip with its reason."""
    pytest.skip(f"pending: {pending(block)}")


def test_make_targets_exist():
    """MAKE_EXEMPT names only targets the Makefile has."""
    makefile = (ROOT / "Makefile").read_text()
    missing = [t for t in MAKE_EXEMPT if f"\n{t}:" not in makefile]
    assert not missing, f"MAKE_EXEMPT lists targets the Makefile lacks: {missing}"


def test_setup_files_exist():
    """Every file a setup marker names is in tests/docs/files/."""
    missing = [f"{b.where}: {name}" for path in DOCS for b in mb.parse(path) for m in b.all("setup")
               for name in m.args.split() if not (FILES / name).exists()]
    assert not missing, missing
