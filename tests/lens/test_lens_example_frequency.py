"""Lens's ``setObj pseudoExampleFreq 1`` on feed-forward (standard) networks: each example's error
and its error's output derivatives multiplied by the example's frequency (Lens's error procedures:
``error *= ... frequency``, ``outputDeriv += frequency * ...``), through pdpsim's
``example_frequency: scale``.

The expectation comes from pdpsim itself: a frequency of k is the example repeated k times (in
full-batch training, the summed derivatives and the summed error are the same), so the script with
pseudoExampleFreq must print what the same script prints on an example file in which each example is
written out ``freq`` times, without pseudoExampleFreq. Where pdpsim cannot scale (networks run in
time, CONTINUOUS and BOLTZMANN networks) the command that would run is refused and says why.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError

EXAMPLES = [("a", 1, "0 0", "0 1"), ("b", 2, "0 1", "1 0"), ("c", 3, "1 0", "1 1"), ("d", 1, "1 1", "0 0")]

SCRIPT = """\
seed 5
addNet ff
addGroup input 2 INPUT
addGroup hidden 4
addGroup output 2 OUTPUT {error}
connectGroups input hidden output
loadExamples {examples} -s train
useTrainingSet train
setObj learningRate 0.2
setObj momentum 0.5
setObj batchSize 0
setObj reportInterval 0
{pseudo}
resetNet
test
puts "E0 [getObj error]"
train 40
puts "E40 [getObj error]"
test
puts "T [getObj error]"
foreach u {{0 1 2 3}} {{ puts "W [getObj hidden:$u.incoming(0).weight] [getObj hidden:$u.incoming(1).weight]" }}
foreach u {{0 1}} {{ puts "O [getObj output:$u.incoming(0).weight] [getObj output:$u.incoming(2).weight]" }}
"""


def write_examples(path, repeat: bool):
    lines = []
    for name, freq, i, t in EXAMPLES:
        if repeat:
            lines += [f"name: {name}{k}  I: {i}  T: {t};" for k in range(freq)]
        else:
            lines.append(f"name: {name}  freq: {freq}  I: {i}  T: {t};")
    path.write_text("\n".join(lines) + "\n")
    return path.name


def run(tmp_path, monkeypatch, pseudo: bool, error: str = "") -> str:
    monkeypatch.chdir(tmp_path)
    name = write_examples(tmp_path / ("freq.ex" if pseudo else "copies.ex"), repeat=not pseudo)
    out = io.StringIO()
    LensShell(stdout=out, real_digits=17, seed=1).eval(SCRIPT.format(
        examples=name, pseudo="setObj pseudoExampleFreq 1" if pseudo else "", error=error))
    return out.getvalue()


def numbers(text: str) -> dict[str, np.ndarray]:
    out: dict[str, list] = {}
    for line in text.splitlines():
        key, *vals = line.split()
        if key in ("E0", "E40", "T", "W", "O"):
            out.setdefault(key, []).extend(float(v) for v in vals)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("error", ["", "CROSS_ENTROPY"],
                         ids=["squared", "cross-entropy"])
def test_pseudo_example_freq_is_each_example_repeated_freq_times(tmp_path, monkeypatch, error):
    """Full-batch training with pseudoExampleFreq: the same error before, during and after
    training, and the same weights, as with each example written out freq times."""
    pseudo = numbers(run(tmp_path, monkeypatch, True, error))
    copies = numbers(run(tmp_path, monkeypatch, False, error))
    assert set(pseudo) == {"E0", "E40", "T", "W", "O"} and len(pseudo["W"]) == 8
    for k in pseudo:
        np.testing.assert_allclose(pseudo[k], copies[k], rtol=1e-10, atol=1e-12, err_msg=k)
    # the frequencies do act: without pseudoExampleFreq the freq: file trains otherwise
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    LensShell(stdout=out, real_digits=17, seed=1).eval(SCRIPT.format(examples="freq.ex", pseudo="", error=error))
    plain = numbers(out.getvalue())
    assert abs(plain["T"][0] - pseudo["T"][0]) > 1e-3


def test_the_scaled_error_is_pdpsims_frequency_weighted_error(tmp_path, monkeypatch):
    """The untrained network's test error with pseudoExampleFreq is sum_p f_p E_p, with E_p
    computed by pdpsim's own network (Network.error, with and without the frequencies as weights)."""
    monkeypatch.chdir(tmp_path)
    write_examples(tmp_path / "freq.ex", repeat=False)
    out = io.StringIO()
    sh = LensShell(stdout=out, real_digits=17, seed=1)
    sh.eval(SCRIPT.format(examples="freq.ex", pseudo="setObj pseudoExampleFreq 1", error="").split("train 40")[0])
    e0 = numbers(out.getvalue())["E0"][0]
    lnet = sh.net
    net, ex = lnet.net, lnet.training_set.examples
    np.testing.assert_array_equal(ex.frequencies, [1, 2, 3, 1])
    net.forward({"input": ex.inputs["input"][:, 0]})
    net.set_targets({"output": ex.targets["output"][:, 0]})
    assert e0 == pytest.approx(float(net.error(ex.frequencies).sum()), rel=1e-12)
    assert e0 == pytest.approx(float((net.error() * ex.frequencies).sum()), rel=1e-12)
    assert e0 > float(net.error().sum()) * 1.2


def test_a_frequency_scales_the_output_derivatives_of_do_example(tmp_path, monkeypatch):
    """doExample in training mode leaves dE/da on the output units: with pseudoExampleFreq,
    the example's frequency times what it is without."""
    monkeypatch.chdir(tmp_path)
    write_examples(tmp_path / "freq.ex", repeat=False)
    got = {}
    for pseudo in (False, True):
        out = io.StringIO()
        LensShell(stdout=out, real_digits=17, seed=1).eval(
            SCRIPT.format(examples="freq.ex", pseudo="setObj pseudoExampleFreq 1" if pseudo else "", error="")
            .split("resetNet")[0]
            + "resetNet\ndoExample 2 -train\nputs \"D [getObj output:0.outputDeriv] [getObj output:1.outputDeriv]\"\n")
        got[pseudo] = np.array([float(v) for v in out.getvalue().split("D ")[-1].split()])
    np.testing.assert_allclose(got[True], 3.0 * got[False], rtol=1e-12)      # example c: freq 3
    assert np.all(got[False] != 0)


@pytest.mark.parametrize("kind, build", [
    ("ELMAN", "addNet srn 2 3 2\naddGroup ctx 3 ELMAN\nelmanConnect hidden ctx\nconnectGroups ctx hidden\n"),
    ("CONTINUOUS", ("addNet cont -i 2 -t 2 CONTINUOUS\naddGroup input 2 INPUT\naddGroup output 2 OUTPUT\n"
                    "connectGroups input output\n")),
    ("BOLTZMANN", ("addNet bz -i 2 -t 2 BOLTZMANN\naddGroup input 2 INPUT\naddGroup output 2 OUTPUT\n"
                   "connectGroups input output -bi\n")),
])
def test_refused_where_pdpsim_cannot_scale(tmp_path, monkeypatch, kind, build):
    monkeypatch.chdir(tmp_path)
    name = write_examples(tmp_path / "freq.ex", repeat=False)
    sh = LensShell(stdout=io.StringIO(), real_digits=17, seed=1)
    sh.eval(build + f"loadExamples {name}\nsetObj pseudoExampleFreq 1\n")
    with pytest.raises(ScriptError, match="pseudoExampleFreq .*feed-forward"):
        sh.eval("train 1")
