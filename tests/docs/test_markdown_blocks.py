"""The docs collector itself: markers, the output comparison, and that a value changed in a doc fails."""
import pytest

import markdown_blocks as mb
from test_docs import ROOT, DocRun


def _doc(tmp_path, text, name="doc.md"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _run(tmp_path, text):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return DocRun(_doc(tmp_path, text), work, slow=False, root=tmp_path).run()


# ---------------------------------------------------------------- markers
def test_markers_are_parsed_with_their_reasons(tmp_path):
    blocks = mb.parse(_doc(tmp_path, "# T\n\n<!-- docs-test: skip (needs a GPU (CuPy)) -->\n\n```sh\ngpu\n```\n\n"
                                     '<!-- docs-test: replace "--epochs 5000" "--epochs 5" (minutes) -->\n'
                                     "```sh\npdpsim train xor --epochs 5000\n```\n"), tmp_path)
    assert [(b.kind, [(m.kind, m.reason) for m in b.markers]) for b in blocks] == [
        ("shell", [("skip", "needs a GPU (CuPy)")]), ("shell", [("replace", "minutes")])]
    assert blocks[1].marker("replace").replacement() == ("--epochs 5000", "--epochs 5")
    assert blocks[0].section == "T"


@pytest.mark.parametrize("marker, message", [
    ("<!-- docs-test: skp (typo) -->", "unknown docs-test marker 'skp'"),
    ("<!-- docs-test: skip -->", "needs a reason"),
    ("<!-- docs-test: slow -->", "needs a reason"),
    ("<!-- docs-test: unchecked-output -->", "needs a reason"),
    ('<!-- docs-test: replace "a" "b" -->', "needs a reason"),
    ("<!-- docs-test: output-of -->", "needs arguments"),
    ("<!-- docs-test: skip because (x) -->", "takes no arguments"),
])
def test_bad_markers_are_refused(tmp_path, marker, message):
    with pytest.raises(mb.MarkerError, match=message):
        mb.parse(_doc(tmp_path, f"{marker}\n\n```sh\ntrue\n```\n"), tmp_path)


def test_a_marker_must_stand_above_a_block(tmp_path):
    with pytest.raises(mb.MarkerError, match="right above a code block"):
        mb.parse(_doc(tmp_path, "<!-- docs-test: skip (x) -->\n\nSome text.\n\n```sh\ntrue\n```\n"), tmp_path)
    with pytest.raises(mb.MarkerError, match="after the last code block"):
        mb.parse(_doc(tmp_path, "```sh\ntrue\n```\n\n<!-- docs-test: skip (x) -->\n"), tmp_path)


def test_blocks_that_say_nothing_are_refused(tmp_path):
    blocks = mb.parse(_doc(tmp_path, "```\nsome output\n```\n\n```python\nx = f()   # (9, 4, 4)\ny = 2   # 4 examples\n```\n"
                                     "\n```ruby\nputs 1\n```\n"), tmp_path)
    problems = [p for b in blocks for p in b.problems()]
    assert len(problems) == 3
    assert "without a language and without '$ ' prompts" in problems[0]
    assert "shows a value in a comment" in problems[1] and "(9, 4, 4)" in problems[1]
    assert "unknown language 'ruby'" in problems[2]


def test_commands_of_shell_and_console_blocks():
    assert mb.shell_commands("# a comment\npdpsim sweep xor \\\n    --seeds 2 --out s\n\nls  # list\n") == [
        (1, "pdpsim sweep xor --seeds 2 --out s"), (4, "ls  # list")]
    assert mb.console_commands("$ a --x \\\n  y\nout 1\n\nout 2\n$ b\n") == [(0, "a --x y", "out 1\n\nout 2"), (5, "b", "")]
    assert mb.make_targets("make demo test  # both") == ["demo", "test"]
    assert mb.make_targets("pdpsim demo") is None


# ---------------------------------------------------------------- comparing output
def test_what_varies_is_normalised(tmp_path):
    printed = (f"\r  0%|          | 0/2\r 50%|#####     | 1/2 [00:01<00:01]\r100%|##########| 2/2 [00:02<00:00]\n"
               f"xor: 187 epochs (0.34 s)\n200 networks in 12.5 s\nwrote {tmp_path}/runs/a.csv\n")
    assert mb.normalise(printed, tmp_path) == ["xor: 187 epochs (TIME s)", "200 networks in TIME s", "wrote runs/a.csv"]


@pytest.mark.parametrize("shown, printed, ok", [
    ("total error 15.674", "total error 15.674041156646105", True),      # the doc may round
    ("total error 15.675", "total error 15.674041156646105", False),     # but not change a value
    ("total error 15.67", "total error 15.674041156646105", True),
    ("0.0145208", "0.0145209", False),
    ("7.015e-11", "7.0149e-11", True),
    ("7.015e-11", "7.025e-11", False),
    ("187 epochs", "188 epochs", False),
    ("187 epochs", "187.0 epochs", False),
    ("a  b", "a b", True),
    ("group 'h2' needs time ...", "group 'h2' needs time (and more)", True),
    ("group 'h3' needs time ...", "group 'h2' needs time (and more)", False),
])
def test_line_comparison(shown, printed, ok):
    assert mb.matches(mb.normalise(shown), mb.normalise(printed)) is ok


def test_ellipsis_lines_stand_for_any_lines():
    assert mb.matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert mb.matches(["a", "...", "b"], ["a", "b"])
    assert not mb.matches(["a", "...", "d"], ["a", "b", "c"])
    assert mb.matches(["...", "b", "..."], ["a", "b", "c"])


# ---------------------------------------------------------------- running blocks
def test_console_output_is_checked(tmp_path):
    ok = "```\n$ python -c 'print(1.23456)'\n1.235\n$ python -c 'import sys; sys.exit(3)'\n```\n"
    assert _run(tmp_path, ok) == ["doc.md:1 []: `python -c 'import sys; sys.exit(3)'` exited with status 3"]
    [failure] = _run(tmp_path, "```\n$ python -c 'print(1.23456)'\n1.236\n```\n")
    assert "is not the one shown" in failure and "-1.236" in failure and "+1.23456" in failure


def test_python_blocks_share_a_namespace_and_pycon_is_checked(tmp_path):
    text = "```python\nx = 2 ** 0.5\n```\n\n```pycon\n>>> x\n1.4142\n>>> [x] * 2\n[1.414, 1.41]\n```\n"
    assert _run(tmp_path, text) == []
    [failure] = _run(tmp_path, text.replace("1.4142", "1.4143"))
    assert "1 of 2 examples failed" in failure and "1.4143" in failure


def test_a_value_changed_in_the_readme_fails(tmp_path):
    """The README's own blocks, each with one value changed: the settling example's lesioned error
    (a pycon block) and the worked example's E (a console block)."""
    readme = mb.parse(ROOT / "README.md")
    settle = [b for b in readme if b.section == "Networks that settle over time" and b.kind in ("python", "pycon")]
    explain = [b for b in readme if b.text.startswith("$ pdpsim explain\n")]
    assert len(settle) == 2 and "15.674" in settle[1].text and len(explain) == 1
    doc = "".join(f"```{b.lang}\n{b.text}\n```\n\n" for b in settle + explain)
    assert _run(tmp_path, doc) == []
    failures = _run(tmp_path, doc.replace("15.674", "15.675").replace("E = 0.105804", "E = 0.105805"))
    assert len(failures) == 2
    assert "Expected:\n    15.675\nGot:\n    15.674041" in failures[0]
    assert "-E = 0.105805" in failures[1] and "+E = 0.105804" in failures[1]


def test_file_and_unchecked_output_markers(tmp_path):
    text = ("<!-- docs-test: file spec/x.yaml -->\n\n```yaml\nname: x\n```\n\n"
            "```\n$ cat spec/x.yaml\nname: x\n```\n\n"
            "<!-- docs-test: unchecked-output (a timing) -->\n\n```\n$ python -c 'import time; print(time.time())'\n"
            "1700000000.0\n```\n")
    assert _run(tmp_path, text) == []
    [failure] = _run(tmp_path, text.replace("```\n$ cat spec/x.yaml\nname: x", "```\n$ cat spec/x.yaml\nname: y"))
    assert "-name: y" in failure
