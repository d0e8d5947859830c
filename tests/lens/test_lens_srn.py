"""Lens's default networks in time: SRBPTT (ELMAN context groups, elmanConnect, examples of
several events), compared with Lens 2.63.

``tests/lens/lens_reference/srn_train.tcl``, ``srn_shorthand.tcl`` and ``srn_tanh.tcl`` were run in a
double-precision Lens (see the README there); pdpsim's shell must print the same numbers (1e-12
relative; about 8e-14 seen).
"""
from __future__ import annotations

import io

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError
from test_lens_shell import REF, compare_outputs, ref_dir, run  # noqa: F401  (fixture)

SEQ = "defI: 0\n;\n2\n[0] I: 1 0 T: 0 1\n[1] I: 0 1 T: 1 0\n;\nI: 1 1 T: 1 1\n;\n"


def test_srn_training_matches_lens(ref_dir):  # noqa: F811
    """addGroup ... ELMAN after the hidden group, elmanConnect, weights from srn_start.wt: the error of
    every update, every link derivative and weight change, the units' state after the backward pass
    (tick 0's inputs and derivatives, the last tick's outputs), test over sequences cut at maxTicks,
    then momentum in batches, and the final weights."""
    ours = run("srn_train.tcl", digits=17)
    worst = compare_outputs((ref_dir / "srn_train.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"srn_train: largest relative difference from Lens {worst:.2g}")


def test_srn_shorthand_matches_lens(ref_dir):  # noqa: F811
    """addNet's ELMAN shorthand (context before hidden, hidden's initOutput as the first context),
    seeded weights, targetRadius, Doug's momentum; then a plain network on multi-event examples with
    STANDARD_CRIT: errors, ticks, criteria, doExample outputs and weights as Lens's."""
    ours = run("srn_shorthand.tcl", digits=17)
    worst = compare_outputs((ref_dir / "srn_shorthand.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"srn_shorthand: largest relative difference from Lens {worst:.2g}")


def test_srn_tanh_matches_lens(ref_dir):  # noqa: F811
    """srn_tanh.tcl: TANH hidden groups (one with a gain, its context starting at its initOutput 0, as
    Lens sets it for TANH; another after the context, sending to the output from later in the group
    order) and TANH outputs with SUM_SQUARED, trained through time: every derivative, unit state,
    test figure, output and weight agrees with double-precision Lens to a relative 1e-12 (about
    8e-14 seen). Lens takes TANH's derivative at each tick's own net input."""
    ours = run("srn_tanh.tcl", digits=17)
    worst = compare_outputs((ref_dir / "srn_tanh.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"srn_tanh: largest relative difference from Lens {worst:.2g}")


def _shell(tmp_path, script: str) -> LensShell:
    (tmp_path / "s.ex").write_text(SEQ)
    shell = LensShell(stdout=io.StringIO(), seed=3, real_digits=17)
    shell.eval(script.replace("EX", "{" + str(tmp_path / "s.ex") + "}"))
    return shell


def test_addnet_elman_shorthand_structure(tmp_path):
    shell = _shell(tmp_path, "addNet e -i 3 2 3 ELMAN 2")
    lnet = shell.net
    assert list(lnet.groups) == ["bias", "input", "context", "hidden", "output"]
    ctx = lnet.groups["context"]
    assert ctx.kind == "ELMAN" and ctx.elman_source == "hidden"
    assert [b.source.name for b in lnet.groups["hidden"].blocks] == ["bias", "context", "input"]
    assert shell.eval("getObj context.numIncoming") == "0"


def test_srn_ticks_and_context_copy(tmp_path):
    """Two ticks for the two-event example, one for the other; the context holds the hidden
    group's previous output (its initOutput at tick 0)."""
    shell = _shell(tmp_path, "addNet e -i 3 2 3 ELMAN 2; loadExamples EX; test")
    assert shell.eval("set Test(numTicks)") == "3"
    lnet = shell.net
    shell.eval("doExample 0")
    S = lnet.training_set
    _S, _i, outs, _nets, _ex, T, _t0 = lnet._last_srn
    assert T == 2
    np.testing.assert_array_equal(outs[0]["context"], np.full((1, 3), 0.5))
    np.testing.assert_array_equal(outs[1]["context"], outs[0]["hidden"])
    assert S.current_example == 0


def test_srn_refusals(tmp_path):
    with pytest.raises(ScriptError, match="ELMAN.*CONTINUOUS"):
        _shell(tmp_path, "addNet c -i 2 -t 2 CONTINUOUS 2 3 ELMAN 2")
    with pytest.raises(ScriptError, match="no ELMAN_CLAMP output procedures"):
        _shell(tmp_path, "addNet e 2 3 2; elmanConnect hidden output")
    with pytest.raises(ScriptError, match="different sizes"):
        _shell(tmp_path, "addNet e 2 3 2; addGroup c 2 ELMAN; elmanConnect hidden c")
    with pytest.raises(ScriptError, match="links into the ELMAN group"):
        _shell(tmp_path, "addNet e 2 3 2; addGroup c 3 ELMAN; elmanConnect hidden c; connectGroups input c")
    with pytest.raises(ScriptError, match="ELMAN group 'c' has no source"):
        _shell(tmp_path, "addNet e 2 3 2; addGroup c 3 ELMAN; connectGroups c hidden; loadExamples EX; test")
    with pytest.raises(ScriptError, match="2 ticks per interval is not implemented"):
        _shell(tmp_path, "addNet e -i 2 -t 2 2 3 ELMAN 2; loadExamples EX; train 1")
    shell = _shell(tmp_path, "addNet e -i 2 2 3 ELMAN 2; loadExamples EX; doExample 0 -train")
    assert shell.eval("getObj output.unit(0).outputDeriv") != "0"     # Lens's training tick (types_srn.tcl)
    with pytest.raises(ScriptError, match="not RESET_ON_EXAMPLE"):
        _shell(tmp_path, "addNet e -i 2 2 3 2; addGroup c 3 ELMAN; elmanConnect hidden c -reset 0; "
                      "connectGroups c hidden; loadExamples EX; test")
    # (a grace period on an SRBPTT network runs as in Lens: lens_reference/folder_nets.tcl)
    with pytest.raises(ScriptError, match="historyLength other than maxTicks on an SRBPTT network"):
        _shell(tmp_path, "addNet e -i 2 2 3 ELMAN 2; setTime -history 5; loadExamples EX; test")


def test_srn_tanh_context_starts_at_zero(tmp_path):
    """A TANH hidden group's initOutput is 0 (Lens's type cleanup), and its context copies it."""
    shell = _shell(tmp_path, "addNet e -i 2 2 3 TANH ELMAN 2; loadExamples EX; test")
    assert [shell.eval(f"getObj {g}.initOutput") for g in ("context", "hidden", "output")] == ["0", "0", "0.5"]
    _S, _i, outs, _nets, _ex, _T, _t0 = shell.net._last_srn
    np.testing.assert_array_equal(outs[0]["context"], np.zeros((1, 3)))


def test_srn_seeded_weights_are_lens_weights(ref_dir):  # noqa: F811
    """srn_make_weights.tcl in pdpsim writes the weight file Lens wrote (an ELMAN context group's
    links drawn in Lens's order)."""
    (ref_dir / "srn_start.wt").unlink()
    run("srn_make_weights.tcl")
    assert (ref_dir / "srn_start.wt").read_bytes() == (REF / "srn_start.wt").read_bytes()
