"""The house's rules, checked: the layering contract, a small top level, description apart from
state, and docs/architecture.md naming every module."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "pdpsim"


def _lint_imports() -> str | None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    return exe if Path(exe).exists() else None


def test_the_layering_contract_holds():
    """pyproject's [tool.importlinter] contracts: the core never imports an edge, engines are
    independent, the training loop imports no engine."""
    exe = _lint_imports()
    if exe is None:
        pytest.skip("import-linter is not installed (pdpsim[test])")
    r = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in r.stdout


def test_the_top_level_holds_packages_and_few_modules():
    modules = sorted(p.name for p in SRC.glob("*.py"))
    assert len(modules) <= 12, modules


_TREES: dict = {}


def _assignments(attr: str):
    """Every ``X.attr = ...`` (or augmented) in the package, as (file, line)."""
    if not _TREES:
        for path in SRC.rglob("*.py"):
            _TREES[path] = list(ast.walk(ast.parse(path.read_text(), filename=str(path))))
    for path, nodes in _TREES.items():
        for node in nodes:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for t in targets:
                for el in (t.elts if isinstance(t, ast.Tuple) else [t]):
                    if isinstance(el, ast.Attribute) and el.attr == attr:
                        yield path.relative_to(SRC).as_posix(), node.lineno, ast.unparse(el.value)


def test_time_and_ensemble_are_set_by_the_builder_only_and_no_class_is_swapped():
    time_sets = [(f, n, who) for f, n, who in _assignments("time") if who == "net" or who.endswith("net")]
    assert time_sets == [], time_sets
    assert [(f, n) for f, n, who in _assignments("ensemble") if f != "model/network.py"
            and "self" not in who] == []
    assert list(_assignments("__class__")) == []
    assert [(f, n) for f, n, who in _assignments("_time") if f != "model/network.py"] == []
    assert [(f, n) for f, n, who in _assignments("_ensemble") if f != "model/network.py"] == []


def test_kernels_dispatch_on_codes_from_the_tables():
    """No kernel spells out an output or error function: their codes come from pdpsim.functions.codes."""
    for path in (SRC / "engines" / "compiled").glob("kernels*.py"):
        text = path.read_text()
        for formula in ("np.exp(", "np.tanh(", "np.log(", "(1.0 - av) * av", "1.0 - av * av"):
            assert formula not in text, f"{path.name} writes {formula!r} itself"
        assert "dispatchers(" in text


def _doc_tree() -> set[str]:
    """The module paths (relative to src/pdpsim) the tree in docs/architecture.md draws."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    block = doc.split("## The tree, one line per module", 1)[1].split("```")[1]
    paths, dirs = set(), []
    for line in block.splitlines():
        if not line.strip() or line.strip() == "src/pdpsim/":
            continue
        depth = (len(line) - len(line.lstrip())) // 2 - 1
        token = line.split()[0]
        if not token.endswith((".py", "/")):
            continue                                   # a description's second line
        if token.endswith("<rule>.py"):                # a folder of rules, one module each: all of them
            folder = SRC.joinpath(*dirs[:depth], token.rsplit("/", 1)[0])
            paths |= {p.relative_to(SRC).as_posix() for p in folder.glob("*.py")}
            continue
        dirs = dirs[:depth]
        if token.endswith("/"):
            dirs.append(token.rstrip("/"))
        else:
            paths.add("/".join(dirs + [token]))
    return paths


def test_architecture_doc_draws_every_module():
    drawn = _doc_tree()
    modules = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
               if not (p.name == "__init__.py" and p.parent != SRC and not (p.read_text().strip()))}
    assert sorted(modules - drawn) == [], "modules docs/architecture.md does not draw"
    assert sorted(drawn - modules) == [], "docs/architecture.md draws modules that do not exist"
