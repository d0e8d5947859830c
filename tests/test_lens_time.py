"""Lens scripts with networks in time (CONTINUOUS), compared with Lens 2.63.

``tests/lens_reference/ct_attractor.tcl`` was run in a double-precision Lens
(see the README there); pdpsim's shell must print the same numbers.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError
from test_lens_shell import compare_outputs, ref_dir, run  # noqa: F401  (fixture)


def test_continuous_attractor_matches_lens(ref_dir):  # noqa: F811
    ours = run("ct_attractor.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_attractor.lens.out").read_text(), ours)
    assert worst < 1e-13
    print(f"ct_attractor: largest relative difference from Lens {worst:.2g}")


def _net(tmp_path, ex: str, extra: str = ""):
    (tmp_path / "t.ex").write_text(ex)
    shell = LensShell(stdout=io.StringIO(), seed=3, real_digits=17)
    shell.eval("addNet c -i 3 -t 4 CONTINUOUS; addGroup in 2 INPUT; addGroup h 3; addGroup out 2 OUTPUT;"
               f"connectGroups in h out; connectGroups h h; {extra}"
               f"loadExamples {{{tmp_path / 't.ex'}}}")
    return shell


def test_continuous_group_types(tmp_path):
    shell = _net(tmp_path, "I: 1 0 T: 1 0;", "addGroup i2 2 IN_INTEGR; connectGroups in i2;")
    lnet = shell.net
    assert lnet.groups["h"].group.integration == "OUT_INTEGR"
    assert lnet.groups["out"].group.integration == "OUT_INTEGR"
    assert lnet.groups["out"].criterion == "STANDARD_CRIT"
    assert lnet.groups["i2"].group.integration == "IN_INTEGR"
    assert lnet.groups["in"].group.integration is None
    assert shell.eval("getObj maxTicks") == "13"


def test_event_timing_and_ticks(tmp_path):
    shell = _net(tmp_path, "max: 1.5\ngrace: 0.5\n;\n2 [0] I: 1 0 T: 1 0 [1 max: 5] I: 0 1 T: 0 1;\n"
                           "[min: 1] I: 1 1 T: 1 1;")
    lnet = shell.net
    ticks, grace, mins = lnet.time_tables(lnet.training_set)
    # 1.5 intervals of 4 ticks = 6 ticks; the second event is cut at maxTicks (13): 6 ticks left
    assert ticks.tolist() == [[6, 6], [6, 0]]
    assert grace.tolist() == [[2, 2], [2, 0]]
    assert mins[1, 0] == 4


def test_early_stop_in_test_but_not_with_zero_criterion(tmp_path):
    shell = _net(tmp_path, "I: 1 0 T: 0.5 0.5;")
    shell.eval("setObj testGroupCrit 0.5; test")
    assert shell.eval("set Test(numTicks)") == "2"         # tick 0 and one tick: every output within 0.5
    shell.eval("setObj testGroupCrit 0; test")
    assert shell.eval("set Test(numTicks)") == "5"          # maxTime 1: four ticks and tick 0


def test_continuous_training_matches_lens(ref_dir):  # noqa: F811
    """ct_train.tcl trains the attractor (Doug's momentum in wrapping batches with trainGroupCrit, then
    steepest): every error, link derivative, weight change, unit derivative and final weight agrees
    with double-precision Lens to a relative 1e-12 (about 6e-14 seen)."""
    ours = run("ct_train.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_train.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"ct_train: largest relative difference from Lens {worst:.2g}")


def test_two_ticks_give_no_link_derivatives(tmp_path):
    """Lens's rule, smallest case: with two ticks the last tick's f gets no derivative (OUT_INTEGR's
    lag) and tick 1's senders read as 0 (tick 0 is never stored), so a training pass changes nothing."""
    shell = _net(tmp_path, "I: 1 0 T: 1 0;")
    shell.eval("setTime -intervals 1 -ticksPerInterval 2; loadExamples {" + str(tmp_path / "t.ex") + "}")
    lnet = shell.net
    before = [b.block.weights.copy() for _g, b in lnet.all_blocks()]
    shell.eval("setObj learningRate 1; train 1 -algorithm steepest")
    for w, (_g, b) in zip(before, lnet.all_blocks()):
        np.testing.assert_array_equal(w, b.block.weights)
    assert float(shell.eval("getObj out.unit(0).outputDeriv")) != 0.0


def test_continuous_refusals_are_clear(tmp_path):
    shell = _net(tmp_path, "I: 1 0 T: 1 0;")
    with pytest.raises(ScriptError, match="doExample -train on a CONTINUOUS network is not implemented"):
        shell.eval("doExample 0 -train")
    shell = _net(tmp_path, "I: 1 0 T: 1 0;", "addGroup t2 2 TANH; connectGroups in t2;")
    with pytest.raises(ScriptError, match="TANH group 't2' on a CONTINUOUS network is not implemented"):
        shell.eval("train 1")
