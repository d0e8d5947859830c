"""Lens's less common group types, projections and CONTINUOUS criteria, checked against real Lens.

The reference scripts under tests/lens/lens_reference/ (``types_*``, ``proj_*``, ``ct_radius``) were run
in Lens 2.63 (double-precision build, 17-digit ``getObj``): IN_NORM, OUT_NORM, DISTANCE, PRODUCT,
OUT_WINNER, OUT_CROPPED, TERNARY, GAUSSIAN and COSINE in feed-forward, simple recurrent and
CONTINUOUS networks (Lens's unit loops: :mod:`pdpsim.lens.steps`, :mod:`pdpsim.lens.ticks`). pdpsim
must print the same numbers to a relative 1e-12 in testing and training (outputs, derivatives,
weights).
"""
from __future__ import annotations

import io
import math
import re

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError
from pdpsim.functions import error_function, output_function
from test_lens_shell import REF, compare_outputs, ref_dir, run  # noqa: F401  (fixture)

SCRIPTS = sorted(p.stem for p in REF.glob("types_*.tcl")) + ["proj_ff", "ct_radius"]
TIGHT = 1e-12


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_match_lens(name, ref_dir):  # noqa: F811
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    print(f"{name}: largest relative difference from Lens {worst:.2g}")
    assert worst < TIGHT


STANDARD = sorted(p.stem for p in REF.glob("*.tcl") if p.stem.split("_")[0] in ("ff", "srn", "lesion")
                  and (REF / f"{p.stem}.lens.out").exists()) + ["noise_types", "connect_units", "structure"]


@pytest.mark.parametrize("name", STANDARD)
def test_unit_loops_agree_with_lens_on_standard_scripts(name, ref_dir, monkeypatch):  # noqa: F811
    """The unit-loop path of standard and SRBPTT networks (pdpsim.lens.steps, used for the group
    types above) run on the earlier scripts: it reproduces Lens as the other paths do (about 1e-13
    at worst seen, on srn_tanh; the written files of files_out.tcl come out byte for byte too)."""
    from pdpsim.lens.steps import StepsMixin
    monkeypatch.setattr(StepsMixin, "force_steps", True)
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    assert worst < TIGHT


def test_unit_loops_write_lens_files(ref_dir, monkeypatch):  # noqa: F811
    """files_out.tcl through the unit loops: printLinkValues, openNetOutputFile (the unit
    histories written from them) and saveExamples come out as Lens wrote them."""
    import test_lens_commands
    from pdpsim.lens.steps import StepsMixin
    monkeypatch.setattr(StepsMixin, "force_steps", True)
    test_lens_commands.test_files_written_as_lens_writes_them(ref_dir)


# ---------------------------------------------------------------- details
def _numeric_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for j in range(x.size):
        a, b = x.copy(), x.copy()
        a[j] += h
        b[j] -= h
        g[j] = (f(a) - f(b)) / (2 * h)
    return g


def test_new_functions_derivatives():
    """TERNARY and GAUSSIAN: Lens's derivatives are those of their outputs; COSINE's derivative is
    that of its error (errorScale 1)."""
    n = np.array([[-0.7, 0.1, 0.9, 2.0]])
    for fn in (output_function("TERNARY", lens=True), output_function("GAUSSIAN", lens=True)):
        fn.gain = 1.3
        out = np.empty_like(n)
        fn.forward(n, out)
        d = np.empty_like(n)
        fn.backward(out, np.ones_like(n), d, n)
        for j in range(n.shape[1]):
            def f(x, j=j):
                o = np.empty((1, 1))
                fn.forward(np.array([[x]]), o)
                return o[0, 0]
            num = (f(n[0, j] + 1e-6) - f(n[0, j] - 1e-6)) / 2e-6
            assert math.isclose(d[0, j], num, rel_tol=1e-6, abs_tol=1e-9)
    cos = error_function("COSINE", 1.0, lens=True)
    o, t = np.array([0.3, 0.8, 0.5]), np.array([1.0, 0.0, 0.5])
    grad = np.empty((1, 3))
    cos.output_deriv(o[None], t[None], grad)
    num = _numeric_grad(lambda x: cos.error(x[None], t[None])[0], o)
    assert np.allclose(grad[0], num, atol=1e-8)
    assert cos.error(np.zeros((1, 3)), t[None])[0] == 1.0       # no length: cosine 0


def _shell(script: str) -> LensShell:
    shell = LensShell(stdout=io.StringIO(), seed=3, real_digits=17)
    shell.eval(f"cd {{{REF}}}; " + script)
    return shell


def test_estimated_output_bounds():
    shell = _shell("addNet n; addGroup a 2 TANH; addGroup b 2 LINEAR; addGroup c 3 OUT_NORM; addGroup d 2 INPUT")
    assert shell.eval("getObj a.minOutput") == "-1" and shell.eval("getObj a.maxOutput") == "1"
    assert shell.eval("getObj b.minOutput") == "-" and shell.eval("getObj b.maxOutput") == "-"
    assert shell.eval("getObj c.minOutput") == "0" and shell.eval("getObj c.initOutput") == "0.5"
    assert shell.eval("getObj d.maxOutput") == "1"
    shell.eval("setObj b.minOutput -2; setObj a.ternaryShift 3")
    assert shell.eval("getObj b.minOutput") == "-2" and shell.eval("getObj a.ternaryShift") == "3"


def test_winner_and_cropping_by_hand():
    """OUT_WINNER keeps the most active unit (it must exceed minOutput), OUT_CROPPED cuts to the
    bounds; going back both restore the output and pass the derivative unchanged (as Lens)."""
    shell = _shell("addNet n; addGroup i 4 INPUT; addGroup w 3 LINEAR OUT_WINNER; addGroup o 3 OUTPUT LINEAR "
                   "OUT_CROPPED; connectGroups i w; connectGroups i o; setObj w.minOutput -0.25; "
                   "setObj o.minOutput 0; setObj o.maxOutput 0.5; loadExamples types.ex -s x")
    net = shell.net
    w = [[1.0, 2.0, -1.0], [0.5, -1.0, 1.0], [0.2, 0.1, -0.3], [-1.0, 0.4, 0.6]]
    net.groups["w"].blocks[1].block.weights[...] = w
    net.groups["o"].blocks[1].block.weights[...] = np.array(w)[:, ::-1]
    for g in ("w", "o"):
        net.groups[g].blocks[0].block.weights[...] = 0.0
    shell.eval("doExample 0")
    x = np.array([0.81, 0.32, 0.55, 0.27], dtype=np.float32).astype(float)
    nw = x @ net.groups["w"].blocks[1].block.weights
    want = np.full(3, -0.25)
    want[np.argmax(nw)] = nw.max()
    assert np.allclose(net.groups["w"].state["output"], want)
    no = x @ net.groups["o"].blocks[1].block.weights
    assert np.allclose(net.groups["o"].state["output"], np.clip(no, 0.0, 0.5))


def test_refusals():
    for script, words in [
        ("addNet n; addGroup g 3 IN_NORM DISTANCE", "the input types ['IN_NORM', 'DISTANCE']"),
        ("addNet n; addGroup g 3 OUT_NORM TANH", "OUT_NORM before the output function TANH"),
        ("addNet n; addGroup g 3 INPUT OUTPUT", "a group both INPUT and OUTPUT is not implemented"),
        ("addNet n; addGroup g 3 DISTANCE PRODUCT", "the input types ['DISTANCE', 'PRODUCT']"),
        ("addNet n -i 2 -t 2 CONTINUOUS 3 3 PRODUCT 2; loadExamples types_ct.ex -s c; train 1",
         "the PRODUCT group 'hidden'"),
    ]:
        shell = LensShell(stdout=io.StringIO())
        with pytest.raises(ScriptError, match=re.escape(words)):
            shell.eval(f"cd {{{REF}}}; " + script)
