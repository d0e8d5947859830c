"""Lens's copy group types (IN_COPY, OUT_COPY, TARGET_COPY with ``copyConnect``), checked against
real Lens.

The reference script ``copies_ff`` under tests/lens/lens_reference/ was run in Lens 2.63 (double
precision, 17-digit ``getObj``; and the 7-digit build): feed-forward networks with an IN_COPY
group of external inputs, TARGET_COPY before the error, OUT_COPY of targets sending to another
group, IN_COPY of a later group's output and input derivatives; an SRBPTT network with copies of
targets, output derivatives and external inputs. pdpsim must print the same numbers to a relative
1e-12 in testing and training.
"""
from __future__ import annotations

import io
import re

import pytest

from pdpsim.lens import LensShell, ScriptError
from pdpsim.lens.copies import field_of
from test_lens_shell import REF, compare_outputs, ref_dir, run  # noqa: F401  (fixture)

SCRIPTS = ["copies_ff", "copies_ct"]
TIGHT = 1e-12


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_match_lens(name, ref_dir):  # noqa: F811
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    print(f"{name}: largest relative difference from Lens {worst:.2g}")
    assert worst < TIGHT


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_match_lens7(name, ref_dir):  # noqa: F811
    ours = run(f"{name}.tcl")
    assert compare_outputs((ref_dir / f"{name}.lens7.out").read_text(), ours) < 1e-5


@pytest.mark.parametrize("text,field", [
    ("externalInputs", "externalInput"), ("ex", "externalInput"), ("targets", "target"), ("ta", "target"),
    ("inputDerivs", "inputDeriv"), ("inputDe", "inputDeriv"), ("outputDerivs", "outputDeriv"),
    ("outputDe", "outputDeriv"), ("inputs", None), ("outputs", None), ("t", None), ("inputD", None)])
def test_field_names(text, field):
    """Lens's prefix matching (its ``inputs`` and ``outputs`` never match)."""
    assert field_of(text) == field


def test_refusals():
    """Lens's copyConnect errors, and what pdpsim refuses."""
    for script, words in [
        ("addNet n; addGroup a 3; addGroup c 3 IN_COPY; copyConnect a c outputs", "bad field type: outputs"),
        ("addNet n; addGroup a 3; addGroup c 3 IN_COPY; copyConnect a c inputs", "bad field type: inputs"),
        ("addNet n; addGroup a 3; addGroup c 2 IN_COPY; copyConnect a c targets", "aren't the same size"),
        ("addNet n; addGroup a 3; addGroup c 3; copyConnect a c targets", 'Group "c" has no empty *_COPY slots.'),
        ("addNet n; addGroup a 3; addGroup c 3 IN_COPY; copyConnect a c ex; copyConnect a c ta",
         'Group "c" has no empty *_COPY slots.'),
    ]:
        shell = LensShell(stdout=io.StringIO())
        with pytest.raises(ScriptError, match=re.escape(words)):
            shell.eval(f"cd {{{REF}}}; " + script)
