"""The teaching notebooks: each runs as a script, each exercise's checker knows right from wrong,
and copy_course / ``pdpsim course`` copy them out for a student."""
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import SHARED
from pdpsim.teaching import course, exercises
from pdpsim.validation import PdpError

NOTEBOOKS = course.notebooks()
SEMANTIC = SHARED / "data" / "semantic_network"


def _run(notebook: Path, cwd: Path, quick: bool = True, semantic: Path | None = None,
         timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a notebook as a script in the empty folder ``cwd`` (its temporary files beside it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PDPSIM_QUICK", "PDPSIM_SEMANTIC_DATA")}
    env["MPLBACKEND"] = "Agg"
    env["TMPDIR"] = str(cwd.parent / f"{cwd.name}-tmp")
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
    if quick:
        env["PDPSIM_QUICK"] = "1"
    if semantic is not None:
        env["PDPSIM_SEMANTIC_DATA"] = str(semantic)
    return subprocess.run([sys.executable, str(notebook)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _ok(r: subprocess.CompletedProcess, notebook: Path) -> None:
    assert r.returncode == 0, f"{notebook.name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"


# ---------------------------------------------------------------- the notebooks run
def test_the_five_lessons_ship():
    assert [p.stem for p in NOTEBOOKS] == ["01_lecture", "02_handbook", "03_srn", "04_attractors", "05_hidden"]
    assert sorted(exercises.LESSONS) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_as_a_script_quick(notebook, tmp_path):
    cwd = tmp_path / "work"
    cwd.mkdir()
    r = _run(notebook, cwd, semantic=SEMANTIC if SEMANTIC.is_dir() else None)
    _ok(r, notebook)
    lesson = exercises.LESSONS[notebook.stem]
    for n in lesson.exercises:                       # every exercise cell ran its checker (no answer yet)
        assert f"Exercise {n}: no answer yet" in r.stdout
    assert not list(cwd.iterdir()), "a notebook wrote into its folder"


def test_lesson_5_falls_back_to_the_family_trees_without_the_semantic_data(tmp_path):
    if not SEMANTIC.is_dir():
        pytest.skip("without the shared semantic data the quick run above already took the fallback")
    nb = next(p for p in NOTEBOOKS if p.stem == "05_hidden")
    r = _run(nb, tmp_path, semantic=None)
    _ok(r, nb)
    assert "using Hinton's family trees" in r.stdout


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PDPSIM_FULL_NOTEBOOKS") != "1",
                    reason="the notebooks at full length take minutes: set PDPSIM_FULL_NOTEBOOKS=1")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_at_full_length(notebook, tmp_path):
    _ok(_run(notebook, tmp_path, quick=False, semantic=SEMANTIC if SEMANTIC.is_dir() else None, timeout=900),
        notebook)


# ---------------------------------------------------------------- the exercises
#: (lesson, exercise) -> (a right answer, a wrong answer), written here independently of the module
ANSWERS = {
    ("01_lecture", 1): ("b", "a"),
    ("01_lecture", 2): (False, True),
    ("01_lecture", 3): ("b", "c"),
    ("01_lecture", 4): (0.5, 0.0),
    ("01_lecture", 5): (-0.000274238, 0.000274238),
    ("01_lecture", 6): (0.130137, 0.129863),
    ("01_lecture", 7): (10, 1.9),
    ("02_handbook", 1): (2, 0.5),
    ("02_handbook", 2): ("b", "a"),
    ("02_handbook", 3): (40, 10),
    ("02_handbook", 4): ("b", "a"),
    ("03_srn", 1): ("vowels", "consonants"),
    ("03_srn", 2): (0.27, 0.5),
    ("03_srn", 3): (0.5, 0),
    ("03_srn", 4): ("b", "a"),
    ("04_attractors", 1): (16, 4),
    ("04_attractors", 2): ("b", "a"),
    ("04_attractors", 3): ("abstract", "concrete"),
    ("04_attractors", 4): ("c", "a"),
    ("05_hidden", 1): (True, False),
    ("05_hidden", 2): (28, 64),
    ("05_hidden", 3): ("b", "a"),
    ("05_hidden", 4): ("a", "c"),
}


def test_every_exercise_has_a_right_and_a_wrong_answer_here():
    have = {(name, n) for name, lesson in exercises.LESSONS.items() for n in lesson.exercises}
    assert have == set(ANSWERS)


@pytest.mark.parametrize("key", sorted(ANSWERS), ids=[f"{a}-{n}" for a, n in sorted(ANSWERS)])
def test_checker_accepts_the_right_answer_and_rejects_a_wrong_one(key, capsys):
    name, n = key
    right, wrong = ANSWERS[key]
    lesson = exercises.LESSONS[name]
    check = getattr(lesson, f"check_answer_{n}")
    assert check(right) is True
    assert f"Exercise {n}: right." in capsys.readouterr().out
    assert check(wrong) is False
    out = capsys.readouterr().out
    assert f"Exercise {n}: not yet" in out and "Hint:" in out
    assert check(None) is False
    assert "no answer yet" in capsys.readouterr().out


def test_answers_in_other_words_and_specific_hints(capsys):
    assert exercises.lecture.is_right(1, "Linearly independent")
    assert exercises.lecture.is_right(1, "(b)") and exercises.lecture.is_right(1, "B")
    assert exercises.lecture.is_right(2, "false") and exercises.lecture.is_right(2, "F")
    assert exercises.srn.is_right(1, " The vowels ")
    exercises.lecture.check_answer_5(0.000274238)           # the slide's sign
    assert "wrong sign" in capsys.readouterr().out
    exercises.lecture.check_answer_6(0.129863)              # the slide's step uphill
    assert "uphill" in capsys.readouterr().out
    exercises.lecture.check_answer_1("z")
    assert "one letter" in capsys.readouterr().out
    exercises.lecture.check_answer_4("half")
    assert "a number" in capsys.readouterr().out


def test_lessons_by_name_and_number_and_their_errors():
    assert exercises.lesson("01") is exercises.lecture and exercises.lesson(5) is exercises.hidden
    assert exercises.lesson("03_srn") is exercises.srn
    with pytest.raises(ValueError, match="no lesson"):
        exercises.lesson("09")
    with pytest.raises(ValueError, match="no exercise 99"):
        exercises.lecture.check(99, "a")
    with pytest.raises(AttributeError):
        exercises.lecture.check_answer_99
    assert "check_answer_7" in dir(exercises.lecture)


def test_the_numeric_answers_agree_with_the_simulator():
    from pdpsim.analysis import upper
    from pdpsim.datasets import elman as elman_data
    from pdpsim.reproductions import elman, plaut_shallice as ps
    from pdpsim.teaching.explain import explain_lecture
    import numpy as np
    v = explain_lecture().values
    assert exercises.lecture.is_right(5, v["dE/dw[input:0->hidden:0]"])
    assert exercises.lecture.is_right(6, v["new w[input:0->hidden:0]"])
    assert exercises.hidden.is_right(2, upper(np.zeros((8, 8))).size)
    text = elman_data.letter_sequence(3000, np.random.default_rng(0))
    floor = elman.letter_metrics(text, np.zeros(len(text)), np.zeros((len(text), 6)))["consonant_floor"]
    assert exercises.srn.is_right(2, round(floor, 2))
    s = ps.Settings()
    assert exercises.attractors.is_right(1, s.ticks)
    data = ps.load_data()
    category = ps.classify("tart", "flan", data.close_orthography, data.close_semantics)
    assert exercises.attractors.is_right(2, "abcd"["visual semantic mixed other".split().index(category)])


def _markdown(notebook: Path) -> str:
    """The notebook's text cells, as one line of words."""
    cells = re.split(r"^# %%", notebook.read_text(), flags=re.M)
    text = " ".join(c.split("\n", 1)[1] for c in cells if c.startswith(" [markdown]"))
    return " ".join(re.sub(r"^#\s?", "", line) for line in text.splitlines()).split()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_notebook_asks_its_lessons_questions_and_checks_them(notebook):
    lesson = exercises.LESSONS[notebook.stem]
    words = " ".join(_markdown(notebook))
    source = notebook.read_text()
    for n, e in lesson.exercises.items():
        assert " ".join(e.question.split()) in words, f"{notebook.name}: exercise {n}'s question is not in its text"
        assert f"answer_{n} = None" in source and f"ex.check_answer_{n}(answer_{n})" in source
    assert "PDPSIM_QUICK" in source


# ---------------------------------------------------------------- copying the course out
def test_copy_course_py(tmp_path):
    c = course.copy_course(tmp_path / "course", fmt="py")
    assert c.format == "py" and "percent" in c.note
    names = sorted(p.name for p in (tmp_path / "course").iterdir())
    assert names == sorted([p.name for p in NOTEBOOKS] + ["README.txt"])
    for p in NOTEBOOKS:
        assert (tmp_path / "course" / p.name).read_text() == p.read_text()
    assert "01_lecture.py" in (tmp_path / "course" / "README.txt").read_text()


def test_copy_course_refuses_to_overwrite_unless_forced(tmp_path):
    course.copy_course(tmp_path, fmt="py")
    (tmp_path / "01_lecture.py").write_text("my answers")
    with pytest.raises(PdpError, match="01_lecture.py.*already there; give --force"):
        course.copy_course(tmp_path, fmt="py")
    assert (tmp_path / "01_lecture.py").read_text() == "my answers"        # nothing was written
    course.copy_course(tmp_path, fmt="py", force=True)
    assert (tmp_path / "01_lecture.py").read_text() == NOTEBOOKS[0].read_text()


def test_copy_course_errors(tmp_path):
    with pytest.raises(PdpError, match="expected one of ipynb, py"):
        course.copy_course(tmp_path, fmt="html")
    (tmp_path / "file").write_text("")
    with pytest.raises(PdpError, match="not a folder"):
        course.copy_course(tmp_path / "file", fmt="py")
    with pytest.raises(PdpError, match="missing sem_items.txt"):
        course.copy_course(tmp_path / "c", fmt="py", semantic_data=tmp_path)


def test_copy_course_ipynb_without_jupytext_copies_the_py_files(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "jupytext_available", lambda: False)
    c = course.copy_course(tmp_path, fmt="ipynb")
    assert c.format == "py" and "jupytext is not installed" in c.note
    assert (tmp_path / "01_lecture.py").is_file() and not list(tmp_path.glob("*.ipynb"))
    assert "jupytext is not installed" in (tmp_path / "README.txt").read_text()


def test_copy_course_ipynb(tmp_path):
    if not course.jupytext_available():
        pytest.skip("jupytext is not installed (optional: pip install 'pdpsim[course]')")
    import nbformat
    c = course.copy_course(tmp_path, fmt="ipynb")
    assert c.format == "ipynb" and c.note is None
    nb = nbformat.read(tmp_path / "01_lecture.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["language"] == "python"
    kinds = {cell.cell_type for cell in nb.cells}
    assert kinds == {"markdown", "code"}
    assert any("ex.check_answer_1(answer_1)" in cell.source for cell in nb.cells)


def test_copy_course_with_the_semantic_data(tmp_path):
    src = tmp_path / "sem"
    src.mkdir()
    for f in course.SEMANTIC_FILES:
        (src / f).write_text(f)
    c = course.copy_course(tmp_path / "c", fmt="py", semantic_data=src)
    for f in course.SEMANTIC_FILES:
        assert (tmp_path / "c" / "semantic_network" / f).read_text() == f
    assert "(copied here)" in (tmp_path / "c" / "README.txt").read_text()
    assert len(c.files) == len(NOTEBOOKS) + len(course.SEMANTIC_FILES) + 1


def test_the_course_command(tmp_path):
    from pdpsim.cli.course import register
    from pdpsim.cli.main import _Group

    @click.group(cls=_Group)
    def cli():
        pass

    register(cli)
    r = CliRunner().invoke(cli, ["course", str(tmp_path / "c"), "--format", "py"])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and (tmp_path / "c" / "05_hidden.py").is_file()
    r = CliRunner().invoke(cli, ["course", str(tmp_path / "c"), "--format", "py"])
    assert r.exit_code == 2 and "already there; give --force" in r.output
    r = CliRunner().invoke(cli, ["course", str(tmp_path / "c"), "--format", "py", "--force"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["course", "--help"])
    assert "--format [ipynb|py]" in r.output


def test_the_notebooks_are_not_modules_of_the_package():
    """They live in a folder without __init__.py: the layering contract does not see their imports
    (a lesson may use reproductions, which teaching's modules may not)."""
    assert not (course.notebook_dir() / "__init__.py").exists()
