"""The Lens shell (pdpsim.lens): Lens scripts on pdpsim, checked against real Lens.

The reference scripts under tests/lens/lens_reference/ were run in Lens 2.63
(double-precision build); their printed numbers are the fixtures (see the
README there). pdpsim reproduces them to within rounding: the test allows
1e-9 relative (the largest difference seen is below 1e-13).
"""
from __future__ import annotations

import io
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim.cli.lens import lens as lens_command
from pdpsim.lens import LensShell, ScriptError
from pdpsim.functions import error_function, output_function
from pdpsim.lens.functions import LensRandom
from pdpsim.lens.train import LensNetwork, format_time, smart_format

REF = Path(__file__).parent / "lens_reference"
SCRIPTS = sorted(p.stem for p in REF.glob("ff_*.tcl"))
FORMAT_SCRIPTS = sorted(p.name[:-len(".lens7.out")] for p in REF.glob("*.lens7.out"))
REL_TOL = 1e-9

# Lens's lines that are not the script's output: banner, table size, this port's debugging prints
_NOISE = re.compile(r"^(-batch|\S+\.tcl|Size of Sigmoid Table:.*|\s+LENS Version.*|\s+Copyright.*|"
                    r"\s+Carnegie Mellon.*|\s+Please send.*|Option: .*|Groups: .*|standardLoadWeights: binary|\s*)$")
# a training report line: update, error, unit cost, weight cost, gradient linearity, then two times
_REPORT = re.compile(r"^\s*(\d+)\)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$")


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if not _NOISE.match(line)]


def _num(tok: str):
    try:
        return float(tok)
    except ValueError:
        return None


@pytest.fixture
def ref_dir(tmp_path, monkeypatch):
    d = tmp_path / "ref"
    shutil.copytree(REF, d)
    monkeypatch.chdir(d)
    return d


def run(script: str, digits: int = 7, seed: int = 1) -> str:
    out = io.StringIO()
    LensShell(stdout=out, real_digits=digits, seed=seed).run_file(script)
    return out.getvalue()


def compare_outputs(lens_text: str, ours: str) -> float:
    """Assert line-by-line agreement; return the largest relative difference of full-precision numbers."""
    a, b = _lines(lens_text), _lines(ours)
    assert len(a) == len(b), f"{len(a)} lines from Lens, {len(b)} from pdpsim:\n" + "\n".join(b[-5:])
    worst = 0.0
    for k, (x, y) in enumerate(zip(a, b)):
        mx, my = _REPORT.match(x), _REPORT.match(y)
        if mx and my:
            # Lens prints about six digits here; agree to the last one printed
            for u, v in zip(mx.groups()[:5], my.groups()[:5]):
                if u == v:
                    continue
                fu, fv = _num(u), _num(v)
                decimals = len(u.split(".")[1]) if "." in u else 0
                assert fu is not None and fv is not None and abs(fu - fv) <= 1.01 * 10.0 ** -decimals, \
                    f"line {k}: {x!r} != {y!r}"
            continue
        tx, ty = x.split(), y.split()
        assert len(tx) == len(ty), f"line {k}: {x!r} != {y!r}"
        for u, v in zip(tx, ty):
            if u == v:
                continue
            fu, fv = _num(u), _num(v)
            assert fu is not None and fv is not None, f"line {k}: {x!r} != {y!r}"
            diff = abs(fu - fv)
            rel = diff / max(abs(fu), abs(fv))
            if diff > 1e-15:
                worst = max(worst, rel)
            assert diff <= 1e-15 or rel <= REL_TOL, f"line {k}: {x!r} != {y!r} (relative {rel:.2g})"
    return worst


# ---------------------------------------------------------------- agreement with Lens
@pytest.mark.parametrize("name", SCRIPTS)
def test_reference_script_reproduces_lens(name, ref_dir):
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    print(f"{name}: largest relative difference from Lens {worst:.2g}")


@pytest.mark.parametrize("name", FORMAT_SCRIPTS)
def test_printed_text_matches_stock_lens(name, ref_dir):
    """With Lens's own 7-digit getObj every line reads the same (times aside)."""
    lens = _lines((ref_dir / f"{name}.lens7.out").read_text())
    ours = _lines(run(f"{name}.tcl"))
    assert len(lens) == len(ours)
    for x, y in zip(lens, ours):
        mx = _REPORT.match(x)
        if mx:
            assert _REPORT.match(y).groups()[:5] == mx.groups()[:5]
        else:
            assert x == y


def test_seeded_weights_are_lens_weights(ref_dir):
    """Lens's generator reproduced: the same seed writes byte-identical weight files."""
    for p in ref_dir.glob("*.init.wt"):
        p.unlink()
    run("make_weights.tcl")
    for p in sorted(REF.glob("*.init.wt")):
        assert (ref_dir / p.name).read_bytes() == p.read_bytes(), p.name


def test_lens_random_numbers():
    shell = LensShell(stdout=io.StringIO())
    assert shell.eval("seed 5; list [rand] [randInt 1000] [getSeed]") == "0.52484 675 5"   # Lens printed these
    r = LensRandom(0)
    assert r.last_seed == 0 and 0 <= r.drand48() < 1


# ---------------------------------------------------------------- conventions
def test_lens_defaults():
    shell = LensShell(stdout=io.StringIO(), seed=3)
    shell.eval("addNet n 2 3 1")
    get = lambda p: shell.eval(f"getObj {p}")  # noqa: E731
    assert [get(p) for p in ("learningRate", "momentum", "randRange", "randMean", "batchSize",
                             "numUpdates", "reportInterval", "weightDecay", "numGroups")] == \
        ["0.1", "0.9", "1", "0", "0", "100", "10", "0", "4"]
    net = shell.net
    assert net.algorithm == "dougsMomentum"
    assert list(net.groups) == ["bias", "input", "hidden", "output"]
    assert [b.source.name for b in net.groups["hidden"].blocks] == ["bias", "input"]
    assert [b.source.name for b in net.groups["output"].blocks] == ["bias", "hidden"]
    assert get("numLinks") == str(3 * 3 + 4 * 1)
    w = np.concatenate([b.block.weights.ravel() for _g, b in net.all_blocks()])
    assert np.all(np.abs(w) <= 1.0) and w.std() > 0.2
    kinds = {}
    for f in ("LOGISTIC", "TANH", "LINEAR", "SOFT_MAX", "EXPONENTIAL"):
        shell.eval(f"addGroup out{f} 2 OUTPUT {f}")
        kinds[f] = net.groups[f"out{f}"].error
    assert kinds == {"LOGISTIC": "CROSS_ENTROPY", "TANH": "CROSS_ENTROPY", "LINEAR": "SUM_SQUARED",
                     "SOFT_MAX": "DIVERGENCE", "EXPONENTIAL": "CROSS_ENTROPY"}
    shell.eval("addGroup plain 2 -BIASED")
    assert net.groups["plain"].blocks == []


def _linear_net(shell, tmp_path):
    (tmp_path / "lin.ex").write_text("I: 0.5 -1 T: 0.25; I: 1 2 T: -0.5; I: -0.75 0.5 T: 1;")
    shell.eval(f"""
        addNet lin
        addGroup input 2 INPUT
        addGroup hidden 2 LINEAR
        addGroup output 1 OUTPUT LINEAR
        connectGroups input hidden output
        loadExamples {{{tmp_path / 'lin.ex'}}} -s data
    """)


def test_sum_squared_has_no_half_and_batch_derivatives_are_summed(tmp_path):
    shell = LensShell(stdout=io.StringIO(), seed=9, real_digits=17)
    _linear_net(shell, tmp_path)
    net = shell.net
    ex = net.training_set.examples
    x, t = ex.inputs["input"][:, 0], ex.targets["output"][:, 0]

    def total_error():
        h = x @ net.groups["hidden"].blocks[1].block.weights + net.groups["hidden"].blocks[0].block.weights
        a = h @ net.groups["output"].blocks[1].block.weights + net.groups["output"].blocks[0].block.weights
        return float(((a - t) ** 2).sum())          # Lens: E = sum (a - t)^2, summed over the examples

    shell.eval("test")
    assert float(shell.eval("getObj error")) == pytest.approx(total_error(), rel=1e-12)
    shell.eval("setObj learningRate 0; steepest 1 -report 0")
    for g, b in net.all_blocks():
        for i in range(b.block.weights.shape[0]):
            for j in range(g.size):
                w = b.block.weights
                old = w[i, j]
                w[i, j] = old + 1e-6
                up = total_error()
                w[i, j] = old - 1e-6
                down = total_error()
                w[i, j] = old
                assert b.block.weight_deriv[i, j] == pytest.approx((up - down) / 2e-6, rel=1e-6, abs=1e-9)
    assert float(shell.eval("getObj output.unit(0).incoming(0).deriv")) == \
        pytest.approx(net.groups["output"].blocks[0].block.weight_deriv[0, 0], rel=1e-15)


def test_error_functions_follow_lens_formulas():
    y = np.array([[0.2, 0.7, 0.999, 0.4, 0.0]])
    t = np.array([[0.0, 1.0, 0.3, np.nan, 1.0]])
    ce = error_function("CROSS_ENTROPY", 1.0, lens=True)
    e = ce.error(y, t)
    want = -math.log(0.8) - math.log(0.7) + (0.3 * math.log(0.3 / 0.999) + 0.7 * math.log(0.7 / 0.001)) + 1e8
    assert e[0] == pytest.approx(want, rel=1e-12)
    d = np.empty_like(y)
    ce.output_deriv(y, t, d)
    assert d[0, :4] == pytest.approx([1 / 0.8, -1 / 0.7, (0.999 - 0.3) / (0.999 * 0.001), 0.0])
    assert d[0, 4] == -1e8                                   # Lens's bound where 1/a is infinite
    ss = error_function("SUM_SQUARED", 2.0, lens=True)
    assert ss.error(y, t)[0] == pytest.approx(2 * (0.04 + 0.09 + 0.699 ** 2 + 1.0))
    ss.output_deriv(y, t, d)
    assert d[0, 0] == pytest.approx(2 * 2 * 0.2) and d[0, 3] == 0.0
    dv = error_function("DIVERGENCE", 1.0, lens=True)
    p, q = np.array([[0.5, 0.3, 0.2]]), np.array([[1.0, 0.0, 0.0]])
    assert dv.error(p, q)[0] == pytest.approx(math.log(2))
    dv.output_deriv(p, q, p.copy())


def test_logistic_table_and_tanh():
    f = output_function("LOGISTIC", lens=True)
    x = np.linspace(-20, 20, 4001)
    out = np.empty_like(x)
    f.forward(x, out)
    inside = np.abs(x) <= 16
    assert np.max(np.abs(out[inside] - 1 / (1 + np.exp(-x[inside])))) < 2e-8
    assert out[-1] == pytest.approx(1 / (1 + math.exp(-16)), abs=1e-15) and out[-1] < 1 - 1e-7
    f.gain = 2.0
    f.forward(np.array([1.0]), out[:1])
    assert out[0] == pytest.approx(1 / (1 + math.exp(-2)), abs=2e-8)
    th = output_function("TANH", lens=True)
    n = np.array([[0.5, 20.0, -18.0]])
    a = np.empty_like(n)
    th.forward(n, a)
    assert a[0, 1] == 1.0 and a[0, 2] == -1.0
    d = np.empty_like(n)
    th.backward(a, np.ones_like(n), d, n)               # Lens takes the slope at the net input
    assert d[0, 0] == pytest.approx(1 / math.cosh(0.5) ** 2) and d[0, 1] == 1e-8


def test_target_radius_and_zero_error_radius():
    net = LensNetwork("r")
    g = net.add_group("o", 4, kind="OUTPUT", error=error_function("SUM_SQUARED", 1.0, lens=True))
    net.allocate(1)
    g.output[0] = [0.9, 0.3, 0.52, 0.1]
    g.target[0] = [1.0, 0.0, 0.5, np.nan]
    g.target_radius, g.zero_error_radius = 0.05, 0.0
    t = net.effective_target(g)[0]
    assert t[:3] == pytest.approx([0.95, 0.05, 0.52]) and np.isnan(t[3])
    g.target_radius, g.zero_error_radius = 0.0, 0.15
    t = net.effective_target(g)[0]
    assert t[:3] == pytest.approx([0.9, 0.0, 0.52])


def test_report_formatting_as_lens():
    assert smart_format(2.772934) == " 2.77293"
    assert smart_format(0.0) == " 0.00000"
    assert smart_format(-0.991749) == "-0.99175"
    assert smart_format(166.2431) == " 166.243"
    assert smart_format(float("nan")) == "    -   "
    assert format_time(0) == "     0s" and format_time(75) == " 1m 15s"


# ---------------------------------------------------------------- shell behaviour
def test_errors_name_the_command_file_and_line(tmp_path):
    script = tmp_path / "s.tcl"
    script.write_text("addNet n 2 2 1\nset x 1\n\nstartServer\n")
    shell = LensShell(stdout=io.StringIO())
    with pytest.raises(ScriptError) as e:
        shell.run_file(script)
    assert e.value.line == 4 and e.value.file.endswith("s.tcl")
    assert 'the Lens command "startServer" is not implemented' in e.value.message
    for bad, words in [
        ("getObj hidden.unit(0).bogus", 'field "bogus"'),
        ("getObj hidden.unit(9).output", "index 9 out of bounds"),
        ("setObj numLinks 3", "write-protected"),
        ("setObj learningRate fast", "expected a real number"),
        ("addGroup g 3 INPUT OUTPUT", "a group both INPUT and OUTPUT is not implemented"),
        ("addGroup g 3 FOO", 'Invalid group type: "FOO"'),
        ("connectGroups input output -projection NOPE", "bad projection type: NOPE"),
        ("train -a quickProp", "unrecognized algorithm"),
        ("train", "There is no training set"),
        ("frobnicate", 'invalid command name "frobnicate"'),
        ("loa x", 'invalid command name "loa"'),
    ]:
        shell = LensShell(stdout=io.StringIO())
        shell.eval("addNet n 2 2 1")
        with pytest.raises(ScriptError, match=re.escape(words)):
            shell.eval(bad)


@pytest.mark.parametrize("script", [
    "addGroup h2 2 OUT_INTEGR",
    "connectGroups hidden output -bidirectional",
    "setTime -ticks 4; train 1",
])
def test_networks_in_time_are_refused_clearly(script, tmp_path):
    (tmp_path / "x.ex").write_text("I: 0 1 T: 1;")
    shell = LensShell(stdout=io.StringIO())
    shell.eval(f"addNet n 2 2 1; loadExamples {{{tmp_path / 'x.ex'}}}")
    with pytest.raises(ScriptError, match="needs a network that unfolds in time"):
        shell.eval(script)


def test_multi_event_examples_run_through_time(tmp_path):
    """Examples of several events run as Lens's SRBPTT (tests/lens/test_lens_srn.py compares with Lens)."""
    (tmp_path / "two.ex").write_text("2\n[0] I: 0 1 [1] I: 1 0 T: 1;")
    shell = LensShell(stdout=io.StringIO())
    shell.eval(f"addNet n -i 2 2 2 1; loadExamples {{{tmp_path / 'two.ex'}}}")
    assert shell.eval("getObj timeIntervals") == "2"
    shell.eval("train 1; test")
    assert shell.eval("set Test(numTicks)") == "2"


def test_event_timing_runs_tick_by_tick(tmp_path):
    """Events with a grace period or longer than a tick run as Lens's SRBPTT runs them, tick by tick
    (lens_reference/folder_nets.tcl compares with Lens); a link back to an earlier group reads its
    output of the tick before."""
    (tmp_path / "long.ex").write_text("max: 3\n;\nI: 0 1 T: 1;")
    shell = LensShell(stdout=io.StringIO())
    shell.eval(f"addNet n -i 3 2 2 1; loadExamples {{{tmp_path / 'long.ex'}}}")
    shell.eval("train 1; test")
    assert shell.eval("set Test(numTicks)") == "3"
    shell.eval("connectGroups output hidden; setObj long.graceTime 1; train 1; test")
    assert shell.eval("set Test(numTicks)") == "3"


def test_output_order_exit_status_and_argv(tmp_path):
    script = tmp_path / "p.tcl"
    script.write_text('puts -nonewline "a"\nputs stderr "e"\nputs "b [lindex $argv 1] $argc"\n'
                      'addNet n 2 2 1\ngetObj learningRate\nexit 3\nputs never\n')
    out, err = io.StringIO(), io.StringIO()
    assert LensShell(stdout=out, stderr=err).run_file(script, ["x", "y"]) == 3
    assert out.getvalue() == "ab y 2\n" and err.getvalue() == "e\n"


def test_getobj_setobj_paths(tmp_path):
    shell = LensShell(stdout=io.StringIO(), seed=4)
    shell.eval("addNet n 2 2 1")
    assert shell.eval("setObj learningRate 0.25") == "0.25"
    assert shell.eval("set .learningRate") == "0.25"            # as Lens: the global .<path>
    assert shell.eval("getObj group(3).name") == "output"
    assert shell.eval("getObj output:0.numIncoming") == "3"
    shell.eval("setObj output.unit(0).incoming(1).weight 0.5")
    assert shell.net.groups["output"].blocks[1].block.weights[0, 0] == 0.5
    shell.eval("setObj hidden.unit(1).block(0).max 0.125")
    assert shell.net.groups["hidden"].blocks[0].params["max"][1] == 0.125
    assert shell.eval("getObj hidden.unit(1).block(0).min") == "-"
    assert shell.eval("getObj hidden.targetRadius") == "-"
    assert shell.eval("getObj root.numNetworks") == "1"
    assert shell.eval("path -unit hidden:1") == "group(2).unit(1)"


def test_weight_files_round_trip(tmp_path):
    shell = LensShell(stdout=io.StringIO(), seed=8, real_digits=17)
    (tmp_path / "x.ex").write_text("I: 0 1 T: 1; I: 1 1 T: 0;")
    shell.eval(f"addNet n 2 3 1; loadExamples {{{tmp_path / 'x.ex'}}}; deltaBarDelta 3 -report 0")
    net = shell.net
    before = [(b.block.weights.copy(), b.block.last_change.copy(), b.rate_factor.copy()) for _g, b in net.all_blocks()]
    shell.eval(f"saveWeights {{{tmp_path / 'w.txt'}}} -text -values 3")
    shell.eval(f"saveWeights {{{tmp_path / 'w.bin'}}} -values 2")
    shell.eval("resetNet")
    shell.eval(f"loadWeights {{{tmp_path / 'w.txt'}}}")
    assert shell.eval("getObj totalUpdates") == "3"
    for (w, dw, r), (_g, b) in zip(before, net.all_blocks()):
        # Lens writes text weights with %g (six digits) and reads 32-bit reals
        f32 = lambda a: np.vectorize(lambda x: float(np.float32("%g" % x)))(a)  # noqa: E731
        assert np.array_equal(b.block.weights, f32(w))
        assert np.array_equal(b.block.last_change, f32(dw)) and np.array_equal(b.rate_factor, f32(r))
    shell.eval(f"loadWeights {{{tmp_path / 'w.bin'}}}")
    shell.eval("addNet other 2 4 1")
    with pytest.raises(ScriptError, match="network has 17 links but the file"):
        shell.eval(f"loadWeights {{{tmp_path / 'w.bin'}}}")


def test_register_adds_the_lens_command():
    import click

    from pdpsim.cli.lens import register

    @click.group()
    def main():
        pass

    register(main)
    assert main.get_command(None, "lens") is lens_command


def test_cli_runs_a_script(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.tcl").write_text('addNet n 2 2 1\nputs "links [getObj numLinks] $argv"\n')
    (tmp_path / "bad.tcl").write_text("addNet n 2 2 1\n\ngetObj nothing.here\n")
    runner = CliRunner()
    r = runner.invoke(lens_command, ["ok.tcl", "--seed", "1", "a", "b"])
    assert r.exit_code == 0 and r.output == "links 9 a b\n"
    r = runner.invoke(lens_command, ["bad.tcl"])
    assert r.exit_code == 1 and "bad.tcl:3:" in r.output and "nothing.here" in r.output
