"""Lens's example, event and tick procedures and example files' ``proc:`` fields, against real Lens.

The reference scripts ``procs_hooks`` (a simple recurrent network), ``procs_ff`` (a feed-forward
one, a PERMUTED set interleaving with ``rand`` in a procedure) and ``ct_procs`` (a CONTINUOUS
network) were run in Lens 2.63 (double-precision build, 17-digit ``getObj``): the procedures print
what they see (currentTick, ticksOnExample, unit fields, the error so far) and change inputs,
targets, output derivatives and parameters; pdpsim runs them where Lens does
(:mod:`pdpsim.lens.hooks`) and must print the same numbers to a relative 1e-12.
"""
from __future__ import annotations

import io

import pytest

from pdpsim.lens import LensShell, ScriptError
from test_lens_shell import compare_outputs, ref_dir, run  # noqa: F401  (fixture)

SCRIPTS = ["procs_hooks", "procs_ff", "ct_procs"]
TIGHT = 1e-12


@pytest.mark.parametrize("name", SCRIPTS)
def test_procedures_match_lens(name, ref_dir):  # noqa: F811
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    print(f"{name}: largest relative difference from Lens {worst:.2g}")
    assert worst < TIGHT


def _xor_shell(tmp_path, extra_ex: str = "") -> LensShell:
    (tmp_path / "x.ex").write_text(extra_ex + "name: a I: 0 1 T: 1;\nname: b I: 1 1 T: 0;\n")
    shell = LensShell(stdout=io.StringIO(), seed=3)
    shell.eval(f"addNet x 2 2 1; loadExamples {tmp_path / 'x.ex'}")
    return shell


def test_order_of_the_procedures(tmp_path):
    shell = _xor_shell(tmp_path)
    shell.eval("set ::log {}")
    for p in ("preExampleProc", "postExampleProc", "preExampleBackProc", "preEventProc", "postEventProc",
              "preTickProc", "postTickProc"):
        shell.eval(f"setObj {p} {{lappend ::log {p}}}")
    shell.eval("setObj batchSize 1; train 1")
    assert shell.eval("set ::log").split() == ["preExampleProc", "preEventProc", "preTickProc", "postTickProc",
                                               "postEventProc", "preExampleBackProc", "postExampleProc"]
    shell.eval("set ::log {}; test")
    assert shell.eval("llength $::log") == "12"
    assert "preExampleBackProc" not in shell.eval("set ::log")


def test_set_proc_runs_at_loading_and_example_procs_where_lens_runs_them(tmp_path):
    (tmp_path / "p.ex").write_text("proc: {set ::loaded 1}\n;\n"
                                   "name: a proc: {lappend ::seen a} 2\n[0] I: 0 1 T: 1\n"
                                   "[1 proc: {lappend ::seen a1 [getObj output.unit(0).target]}] I: 1 1 T: 0;\n")
    shell = LensShell(stdout=io.StringIO(), seed=3)
    shell.eval(f"addNet x 2 2 1; loadExamples {tmp_path / 'p.ex'}")
    assert shell.eval("set ::loaded") == "1"
    shell.eval("set ::seen {}; test")
    assert shell.eval("set ::seen") == "a a1 0"


def test_pre_tick_back_proc_is_never_run_as_in_lens(tmp_path):
    """Lens 2.63 never calls preTickBackProc (its slot is read nowhere): the procedure does not run,
    while postTickProc, set the same way, does."""
    shell = _xor_shell(tmp_path)
    shell.eval("set ::back 0; set ::post 0")
    shell.eval("setObj preTickBackProc {incr ::back}; setObj postTickProc {incr ::post}; train 2; test")
    assert shell.eval("set ::back") == "0"
    assert int(shell.eval("set ::post")) > 0


def test_an_error_in_a_procedure_names_it(tmp_path):
    shell = _xor_shell(tmp_path)
    shell.eval("setObj postTickProc {error boom}")
    with pytest.raises(ScriptError, match="postTickProc: boom"):
        shell.eval("train 1")
    with pytest.raises(ScriptError, match="the proc of set 'x': bad"):
        _xor_shell(tmp_path, "proc: {error bad}\n;\n")
    shell = LensShell(stdout=io.StringIO())
    (tmp_path / "e.ex").write_text("name: a proc: {error oops} I: 0 1 T: 1;\n")
    shell.eval(f"addNet x 2 2 1; loadExamples {tmp_path / 'e.ex'}")
    with pytest.raises(ScriptError, match="the proc of example 0 of set 'e': oops"):
        shell.eval("test")


def test_reals_from_expr_keep_lens_precision():
    """Lens's lensrc.tcl sets tcl_precision 8: a real computed by expr keeps 8 digits."""
    shell = LensShell(stdout=io.StringIO())
    assert shell.eval("expr {1.0 / 3}") == "0.33333333"
