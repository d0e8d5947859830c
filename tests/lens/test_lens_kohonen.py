"""KOHONEN groups (self-organizing maps) in the Lens shell (pdpsim.lens.kohonen), checked against real Lens.

``lens_reference/kohonen_map.tcl`` (the project's own script, ``koh.ex`` its examples) was run in
Lens 2.63 (double-precision build, 17-digit ``getObj``; ``kohonen_map.lens7.out`` with Lens's 7
digits): DISTANCE + KOHONEN maps of 4 x 3 and 3 x 4 units, the ``neighborhood`` changed between
updates, ``periodicBoundary``, ``numColumns``, an OUTPUT group whose error was removed
(``-CROSS_ENTROPY``, as kohonen.in's ``junk``), with and without the bias, PERMUTED order, Doug's
momentum in batches, momentum, steepest descent, ``test``, ``doExample``. pdpsim must print the
same numbers to 1e-9 relative (the largest difference seen is 4e-16: a map's winner turns on the
last bit of a distance, so the sums are taken in Lens's order).

Lens's own ``Examples/kohonen.in`` and ``kohonen.tcl`` run unchanged when ``PDPSIM_LENS_EXAMPLES``
names Lens's Examples folder (``examples_kohonen*.tcl`` source them). Lens's numbers were recorded
with the folder's ``hand-digits.*.bex.gz`` whose header says 8-byte reals (double-precision Lens
refuses the shipped ones, written by the single-precision build, yet reads 4-byte reals from
either); pdpsim reads the shipped files.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from pdpsim.lens import LensShell, ScriptError
from test_lens_shell import REF, compare_outputs, ref_dir, run  # noqa: F401  (fixture)

TOL = 1e-9
ENV = "PDPSIM_LENS_EXAMPLES"


def test_kohonen_maps_match_lens(ref_dir):  # noqa: F811
    ours = run("kohonen_map.tcl", digits=17)
    worst = compare_outputs((ref_dir / "kohonen_map.lens.out").read_text(), ours)
    print(f"kohonen_map: largest relative difference from Lens {worst:.2g}")
    assert worst < TOL


def _run_examples(name: str, monkeypatch) -> None:
    src = os.environ.get(ENV)
    if not src or not (Path(src) / "kohonen.in").is_file():
        pytest.skip(f"set {ENV} to Lens 2.63's Examples/ folder (e.g. of github.com/crcox/lens) to run Lens's own "
                    "kohonen.in and kohonen.tcl; pdpsim does not ship them (their licence is not open)")
    script = (REF / f"{name}.tcl").read_text()
    monkeypatch.chdir(src)
    out = io.StringIO()
    LensShell(stdout=out, real_digits=17, seed=1).eval(script.replace("\nexit\n", "\n"))
    worst = compare_outputs((REF / f"{name}.lens.out").read_text(), out.getvalue())
    assert worst < 1e-6


def test_lens_examples_kohonen(monkeypatch):
    """Lens's Examples/kohonen.in with kohonen.tcl, unchanged: seed 1, five updates of 100 of the
    3823 hand-written digits, test on the 1797 others, a map's outputs."""
    _run_examples("examples_kohonen", monkeypatch)


@pytest.mark.slow
def test_lens_examples_kohonen_classifier(monkeypatch):
    """60 updates (the neighbourhood shrinks at update 50), then kohonen.tcl's gatherStatistics and
    testClassifier on every example: 221/1797 (12.30%) correct, as in Lens."""
    _run_examples("examples_kohonen_classify", monkeypatch)


# ---------------------------------------------------------------- details
def _map(tmp_path, cols: int = 3) -> LensShell:
    (tmp_path / "k.ex").write_text("I: 0.1 0.9 T: 1\n;\nI: 0.8 0.3 T: 0\n;\n")
    sh = LensShell(stdout=io.StringIO(), real_digits=17, seed=4)
    sh.eval("addNet k; deleteGroups bias; addGroup in 2 INPUT; addGroup map 6 DISTANCE KOHONEN; "
            f"connectGroups in map; addGroup j 1 OUTPUT -CROSS_ENTROPY; loadExamples {tmp_path / 'k.ex'}")
    if cols:
        sh.eval(f"setObj map.numColumns {cols}")
    return sh


def test_kohonen_fields_and_defaults(tmp_path):
    sh = _map(tmp_path)
    assert sh.eval("getObj map.neighborhood") == "4"           # Lens's defaults
    assert sh.eval("getObj map.periodicBoundary") == "0"
    sh.eval("setObj map.neighborhood 0.5; setObj map.periodicBoundary 1")
    assert sh.eval("getObj map.neighborhood") == "0.5"
    assert sh.eval("getObj map.periodicBoundary") == "1"
    assert sh.net.groups["j"].cost_procs == []                   # the error removed: none computed
    sh.eval("doExample 1")
    outs = [float(sh.eval(f"getObj map:{u}.output")) for u in range(6)]
    ins = [float(sh.eval(f"getObj map:{u}.input")) for u in range(6)]
    w = ins.index(min(ins))
    assert outs[w] == pytest.approx(1 - ins[w] / max(ins)) and sum(o > 0 for o in outs) == 1
    assert float(sh.eval("getObj error")) == 0.0


def test_kohonen_without_columns_stops(tmp_path):
    """Lens divides by numColumns (0 by default: it would crash); pdpsim stops with a message."""
    sh = _map(tmp_path, cols=0)
    with pytest.raises(ScriptError, match="numColumns > 0"):
        sh.eval("doExample 0")
