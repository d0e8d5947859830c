"""BOLTZMANN networks in the Lens shell (pdpsim.lens.boltzmann), checked against real Lens.

``lens_reference/boltz_nets.tcl`` (the project's own script) was run in Lens 2.63 (the
double-precision build, 17-digit ``getObj``; ``boltz_nets.lens7.out`` with Lens's own 7 digits,
compared character for character by ``test_lens_shell.py``): three Boltzmann machines after their
own ``seed``, with annealing (initGain, finalGain, annealTime), partial release between the phases
(clampStrength), settling criteria, events with their own max/min/grace times and several events,
a ``-`` target, a group gain and dtScale, the network's dt, Doug's momentum in batches, momentum,
steepest descent, ``resetNet``, ``doExample`` in its default training mode and with ``-test``, a
group both INPUT and OUTPUT with SUM_SQUARED error, and an INPUT group that settles. pdpsim must
print the same numbers to 1e-9 relative (the largest difference seen is 5e-16).

Lens's own ``Examples/boltz.in`` and ``boltz-complete.in`` run unchanged when
``PDPSIM_LENS_EXAMPLES`` names Lens's Examples folder (``examples_boltz*.tcl`` source them).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError
from test_lens_shell import REF, compare_outputs, ref_dir, run  # noqa: F401  (fixture)

TOL = 1e-9
ENV = "PDPSIM_LENS_EXAMPLES"


def test_boltzmann_nets_match_lens(ref_dir):  # noqa: F811
    ours = run("boltz_nets.tcl", digits=17)
    worst = compare_outputs((ref_dir / "boltz_nets.lens.out").read_text(), ours)
    print(f"boltz_nets: largest relative difference from Lens {worst:.2g}")
    assert worst < TOL


def _examples_folder() -> Path:
    src = os.environ.get(ENV)
    if not src or not (Path(src) / "boltz.in").is_file():
        pytest.skip(f"set {ENV} to Lens 2.63's Examples/ folder (e.g. of github.com/crcox/lens) to run Lens's own "
                    "boltz.in and boltz-complete.in; pdpsim does not ship them (their licence is not open)")
    return Path(src)


@pytest.mark.parametrize("name", ["examples_boltz", "examples_boltz_complete"])
def test_lens_examples_boltzmann_scripts(name, tmp_path, monkeypatch):
    """Lens's Examples/boltz.in and boltz-complete.in, unchanged: seed 1, three updates, test,
    outputs, on each of their two networks."""
    folder = _examples_folder()
    script = (REF / f"{name}.tcl").read_text()
    monkeypatch.chdir(folder)
    out = io.StringIO()
    LensShell(stdout=out, real_digits=17, seed=1).eval(script.replace("\nexit\n", "\n"))
    worst = compare_outputs((REF / f"{name}.lens.out").read_text(), out.getvalue())
    assert worst < 1e-6


# ---------------------------------------------------------------- details
def _net(extra: str = "") -> LensShell:
    sh = LensShell(stdout=io.StringIO(), real_digits=17, seed=1)
    sh.eval("addNet b -i 2 -t 3 BOLTZMANN; addGroup in 2 INPUT; addGroup out 2 OUTPUT; "
            "connectGroups in out -bi; connectGroups out out;" + extra)
    return sh


def test_boltzmann_groups_get_lens_procedures():
    sh = _net("addGroup h 2; addGroup io 2 INPUT OUTPUT SUM_SQUARED")
    net = sh.net
    assert net.groups["out"].in_procs == ["IN_BOLTZ"] and net.groups["out"].out_procs == ["OUT_BOLTZ"]
    assert net.groups["out"].cost_procs == ["CROSS_ENTROPY"]
    assert net.groups["in"].in_procs == [] and net.groups["in"].out_procs == ["HARD_CLAMP"]
    assert net.groups["h"].cost_procs == []
    io_g = net.groups["io"]
    assert io_g in net.input_groups and io_g in net.output_groups
    assert io_g.cost_procs == ["SUM_SQUARED"]
    assert net.run_train                     # doExample trains by default (Lens's initBoltzmannNet)
    assert sh.eval("getObj in:0.numIncoming") == "2"      # links into an INPUT group, as in Lens


@pytest.mark.parametrize("types", ["LOGISTIC", "DOT_PRODUCT", "OUT_NOISE", "DIVERGENCE"])
def test_boltzmann_refuses_other_group_types(types):
    sh = _net()
    with pytest.raises(ScriptError, match="BOLTZMANN network is not implemented"):
        sh.eval(f"addGroup x 2 OUTPUT {types}")


def test_boltzmann_gain_is_left_annealed_and_a_run_without_examples_stops(tmp_path):
    sh = _net("setObj initGain 0.2; setObj finalGain 2.0; setObj annealTime 1.0; setObj testGroupCrit 0")
    (tmp_path / "b.ex").write_text("max: 2\ngrace: 1\n;\nI: 1 0 T: 0 1\n;\n")
    with pytest.raises(ScriptError, match="no current example sets|no training set|There is no training set"):
        sh.eval("test")
    sh.eval(f"loadExamples {tmp_path / 'b.ex'}")
    sh.eval("test")
    # a test's event anneals for ticks 0.. (maxTime - graceTime) * 3 - 1 = 2: g = 2 - 1.8 * 0.5^(2/3)
    assert float(sh.eval("getObj gain")) == pytest.approx(2.0 - 1.8 * 0.5 ** (2 / 3), rel=1e-15)
    w = sh.net.groups["out"].blocks[0].block.weights.copy()
    sh.eval("doExample 0 -test")                       # no derivatives in testing
    assert not np.any(sh.net.groups["out"].blocks[0].block.weight_deriv)
    sh.eval("doExample 0")                             # Lens keeps -test for later doExamples
    assert not np.any(sh.net.groups["out"].blocks[0].block.weight_deriv)
    sh.eval("doExample 0 -train")                      # the training example: derivatives
    assert np.any(sh.net.groups["out"].blocks[0].block.weight_deriv)
    assert np.array_equal(w, sh.net.groups["out"].blocks[0].block.weights)


def test_boltzmann_refuses_lesions(tmp_path):
    (tmp_path / "b.ex").write_text("I: 1 0 T: 0 1\n;\n")
    sh = _net(f"loadExamples {tmp_path / 'b.ex'}; lesionUnits out:0")
    with pytest.raises(ScriptError, match="lesioned units in a BOLTZMANN network"):
        sh.eval("train 1")
