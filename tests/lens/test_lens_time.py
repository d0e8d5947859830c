"""Lens scripts with networks in time (CONTINUOUS), compared with Lens 2.63.

``tests/lens/lens_reference/ct_attractor.tcl``, ``ct_train.tcl``, ``ct_tanh.tcl`` and ``ct_dtscale.tcl``
were run in a double-precision Lens (see the README there); pdpsim's shell must print the same numbers.
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
    with pytest.raises(ScriptError, match="SOFT_CLAMP on a group that is not INPUT is not implemented"):
        shell.eval("addGroup h2 2 SOFT_CLAMP")
    with pytest.raises(ScriptError, match="WEAK_CLAMP on a group that is not INPUT is not implemented"):
        shell.eval("addGroup h3 2 WEAK_CLAMP")
    with pytest.raises(ScriptError, match="on a clamped INPUT group are not implemented"):
        shell.eval("addGroup i2 2 INPUT WEAK_CLAMP LOGISTIC")
    with pytest.raises(ScriptError, match="on a clamped INPUT group are not implemented"):
        shell.eval("addGroup i3 2 INPUT SOFT_CLAMP HARD_CLAMP")
    shell.eval("addGroup h4 2 -RESET_ON_EXAMPLE; connectGroups h h4")
    with pytest.raises(ScriptError, match="group 'h4' is not RESET_ON_EXAMPLE"):
        shell.eval("test")
    shell = _net(tmp_path, "I: 1 0 T: 1 0;", "setObj dt 0.5;")
    with pytest.raises(ScriptError, match="a dt other than 1/ticksPerInterval on a CONTINUOUS network"):
        shell.eval("train 1")
    shell = _net(tmp_path, "I: 1 0 T: 1 0;")
    shell.eval("setTime -history 5")
    with pytest.raises(ScriptError, match="historyLength other than maxTicks is not implemented"):
        shell.eval("train 1")


# ---------------------------------------------------------------- TANH groups and dtScale
def test_continuous_tanh_matches_lens(ref_dir):  # noqa: F811
    """ct_tanh.tcl: TANH groups in a CONTINUOUS network (OUT_INTEGR with a gain, IN_INTEGR in a cycle
    with the TANH outputs, a LINEAR group beside them), run forward and trained: outputs, errors,
    link derivatives, weight changes, unit derivatives and weights agree with double-precision
    Lens to a relative 1e-12 (about 4e-14 seen). Lens starts a TANH or LINEAR group at its own
    initOutput, 0, not at the network's 0.5 (that was the earlier ~3% difference), and takes
    TANH's derivative at each tick's net input."""
    ours = run("ct_tanh.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_tanh.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"ct_tanh: largest relative difference from Lens {worst:.2g}")


def test_continuous_dtscale_matches_lens(ref_dir):  # noqa: F811
    """ct_dtscale.tcl: group and unit dtScale on OUT_INTEGR and IN_INTEGR groups, test and training,
    agree with double-precision Lens to a relative 1e-12 (about 1e-14 seen)."""
    ours = run("ct_dtscale.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_dtscale.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"ct_dtscale: largest relative difference from Lens {worst:.2g}")


def test_group_init_output_follows_its_type():
    """Lens's type cleanup gives every new group its own initOutput (what Lens printed for these
    groups); the network's initOutput no longer reaches them."""
    shell = LensShell(stdout=io.StringIO(), seed=3, real_digits=17)
    shell.eval("addNet c -i 1 -t 2 CONTINUOUS; addGroup in 2 INPUT; addGroup h 2 TANH; addGroup l 2 LINEAR;"
               "addGroup sm 2 SOFT_MAX; addGroup e 2 EXPONENTIAL; addGroup li 2 LINEAR IN_INTEGR;"
               "addGroup out 2 OUTPUT; addGroup out2 3 OUTPUT SOFT_MAX; addGroup o3 2 OUTPUT TANH")
    lens = {"bias": "1", "in": "0.5", "h": "0", "l": "0", "sm": "0.5", "e": "0", "li": "0", "out": "0.5",
            "out2": "0.33333333333333331", "o3": "0"}
    assert {g: shell.eval(f"getObj {g}.initOutput") for g in lens} == lens
    shell.eval("setObj initOutput 0.2")
    assert {g: shell.eval(f"getObj {g}.initOutput") for g in lens} == lens
    assert shell.eval("getObj h.unit(1).output") == "0"
    shell.eval("addNet s 2 3 2; addGroup t 2 TANH; addGroup cx 2 ELMAN; elmanConnect t cx")
    assert [shell.eval(f"getObj {g}.initOutput") for g in ("hidden", "t", "cx")] == ["0.5", "0", "0"]


def test_event_ended_early_leaves_its_ticks_to_the_next(tmp_path):
    """The first event meets the criterion after one tick; the second (min = max = 2 intervals, 8
    ticks) then runs its whole length, which it could not have after a full first event (maxTicks
    13). Lens counted 10 ticks, then 13 without the criterion."""
    shell = _net(tmp_path, "2\n[0 max: 2] I: 1 0 T: 0.5 0.5\n[1 max: 2 min: 2] I: 0 1 T: 1 0\n;")
    shell.eval("setObj testGroupCrit 0.5; test")
    assert shell.eval("set Test(numTicks)") == "10"
    shell.eval("setObj testGroupCrit 0; test")
    assert shell.eval("set Test(numTicks)") == "13"


def test_dtscale_fields(tmp_path):
    shell = _net(tmp_path, "I: 1 0 T: 1 0;")
    shell.eval("setObj h.dtScale 0.5; setObj h.unit(2).dtScale 3")
    assert [shell.eval(p) for p in ("getObj h.dtScale", "getObj h.unit(2).dtScale", "getObj h.unit(0).dtScale")] \
        == ["0.5", "3", "1"]
    tp = shell.net._time_params(training=False)
    np.testing.assert_array_equal(tp.dt_scale["h"], [0.5, 0.5, 1.5])
    assert set(tp.dt_scale) == {"h"}


def test_core_dt_scale_and_tanh_derivative_at_net_input():
    """The core's opt-ins used by the Lens shell: ``TimeParams.dt_scale`` integrates a group with dt times
    its factors (a factor of 1 changes nothing); an output function with ``backward_at_input`` (Lens's
    TANH) gets each tick's net input in the backward pass, so the gradient is right."""
    from pdpsim import ExampleSet, Network
    from pdpsim.functions import output_function
    from pdpsim.dynamics.unfolding import TimeParams, Unfolded, build_schedule, make_continuous, tables

    def build(fn="LOGISTIC", scale=None):
        net = Network("n", seed=4)
        net.add_group("in", 2, kind="INPUT")
        net.add_group("h", 3, function=fn, integration="OUT_INTEGR")
        net.add_group("out", 2, kind="OUTPUT", error="SUM_SQUARED", integration="OUT_INTEGR")
        net.connect("in", "h")
        net.connect("h", "h")
        net.connect("h", "out")
        make_continuous(net, ticks_per_interval=4, intervals=1.0, integrate=False)
        if scale is not None:
            net.set_time(TimeParams("continuous", 4, 1.0, dt_scale={"h": scale}))
        return net

    xs = ExampleSet({"in": [[1.0, 0.0], [0.0, 1.0]]}, {"out": [[0.9, 0.1], [0.2, 0.7]]})

    def go(net):
        tt = tables(net, xs)
        sched = build_schedule(net, xs, np.arange(2), tt.ticks, tt.grace)
        unf = Unfolded(net, fused=False)
        err = unf.forward(sched)
        unf.backward(sched)
        return float(err.sum()), net.groups["h"].output_history.copy(), [b.weight_deriv.copy() for b in net.blocks]

    base, same = go(build()), go(build(scale=1.0))
    assert base[0] == same[0]
    np.testing.assert_array_equal(base[1], same[1])
    for a, b in zip(base[2], same[2]):
        np.testing.assert_array_equal(a, b)
    s = np.array([0.5, 1.0, 2.0])
    net = build(scale=s)
    _e, hist, _d = go(net)
    w_in, w_hh = net.blocks[0].weights, net.blocks[1].weights
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    a = np.full((2, 3), 0.5)
    for t in range(1, 5):                       # inputs are clamped from tick 0 (pdpsim's default)
        a = a + 0.25 * s * (1.0 / (1.0 + np.exp(-(x @ w_in + a @ w_hh))) - a)
        np.testing.assert_allclose(hist[t], a, rtol=1e-13)
    for scale in (None, s):                     # TANH's derivative at each tick's net input
        net = build(fn=output_function("TANH", lens=True), scale=scale)
        _e, _h, derivs = go(net)
        for k, idx in ((1, (2, 0)), (0, (0, 1)), (2, (1, 1))):
            w = net.blocks[k].weights
            w[idx] += 1e-6
            up = go(net)[0]
            w[idx] -= 2e-6
            down = go(net)[0]
            w[idx] += 1e-6
            np.testing.assert_allclose(derivs[k][idx], (up - down) / 2e-6, rtol=1e-6, atol=1e-10)


# ---------------------------------------------------------------- lesions, noise, clamps, doExample -train
def test_continuous_lesions_match_lens(ref_dir):  # noqa: F811
    """ct_lesion.tcl: lesioned hidden, output and input units and lesioned links on the CONTINUOUS
    attractor, run forward and trained (Doug's momentum with trainGroupCrit, steepest after
    resetNet), units healed; a unit healed without resetNet reads NaN at tick 0 (Lens's history),
    so the links it sends get NaN derivatives, as in Lens. Every number agrees with double-precision
    Lens to a relative 1e-12 (about 3e-16 seen)."""
    ours = run("ct_lesion.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_lesion.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"ct_lesion: largest relative difference from Lens {worst:.2g}")


def test_continuous_noise_matches_lens(ref_dir):  # noqa: F811
    """ct_noise.tcl: OUT_NOISE (input, before and after the output integrator), IN_NOISE (after the
    dot product and after IN_INTEGR), noiseType variants, PROBABILISTIC examples; EXT_INPUT_NOISE,
    OUT_DERIV_NOISE, IN_DERIV_NOISE (before and after IN_INTEGR), DERIV_NOISE with a lesioned unit;
    doExample -train and the training tick Lens keeps for later doExamples. After the same `seed`
    pdpsim draws Lens's noise: every number agrees to a relative 1e-12 (about 3e-16 seen)."""
    ours = run("ct_noise.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_noise.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"ct_noise: largest relative difference from Lens {worst:.2g}")


def test_continuous_clamps_and_do_example_train_match_lens(ref_dir):  # noqa: F811
    """ct_clamp.tcl: SOFT_CLAMP (Lens's inverse-logistic input term, group and network clampStrength,
    a gain, IN_INTEGR after it, the bound at an input of -1), WEAK_CLAMP alone, '-' inputs left
    unclamped; test, training, doExample -train on these and on the plain attractor (trainGroupCrit
    ending events, derivatives of the last tick). About 3e-16 from Lens (test: 1e-12)."""
    ours = run("ct_clamp.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_clamp.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"ct_clamp: largest relative difference from Lens {worst:.2g}")


@pytest.mark.parametrize("name", ["ct_attractor", "ct_train", "ct_tanh", "ct_dtscale"])
def test_unit_loops_agree_with_lens_on_every_continuous_script(name, ref_dir, monkeypatch):  # noqa: F811
    """The unit-loop path (pdpsim.lens.ticks, used for lesions, noise and clamps) run on the
    undamaged CONTINUOUS scripts too: it reproduces Lens as the batched pdpsim.dynamics.unfolding path does
    (to a relative 1e-12; about 6e-15 seen, the batched path about 4e-14)."""
    from pdpsim.lens.ticks import TicksMixin
    monkeypatch.setattr(TicksMixin, "force_ticks", True)
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    assert worst < 1e-12
    print(f"{name} (unit loops): largest relative difference from Lens {worst:.2g}")


def test_do_example_train_mode_persists(tmp_path):
    """Lens's doExample -train sets the network's run procedures and leaves them: a plain
    doExample after it still computes error derivatives, until doExample -test."""
    shell = _net(tmp_path, "I: 1 0 T: 1 0;")
    shell.eval("doExample 0")
    assert shell.eval("getObj out.unit(0).outputDeriv") == "0"
    shell.eval("doExample 0 -train")
    d = shell.eval("getObj out.unit(0).outputDeriv")
    assert d != "0"
    shell.eval("setObj out.unit(0).outputDeriv 0; doExample 0")
    assert shell.eval("getObj out.unit(0).outputDeriv") == d
    shell.eval("setObj out.unit(0).outputDeriv 0; doExample 0 -test")
    assert shell.eval("getObj out.unit(0).outputDeriv") == "0"


def test_continuous_network_with_two_output_groups_matches_lens(ref_dir):  # noqa: F811
    """ct_two_outputs.tcl: each output group's own error (cross-entropy and sum-squared) beside
    the network's, in test and after training, as double-precision Lens reports them."""
    ours = run("ct_two_outputs.tcl", digits=17)
    worst = compare_outputs((ref_dir / "ct_two_outputs.lens.out").read_text(), ours)
    assert worst < 1e-12
    assert "A 3.88429293873864" in ours and " 0 0 " not in ours.split("\nA ")[1].split("\n")[0]
