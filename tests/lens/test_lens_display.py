"""Lens's display commands: nothing in batch mode (as ``lens -batch``), the viewer's display with one
(:mod:`pdpsim.lens.viewer_bridge`), and the shell on a thread of its own."""
import io
import threading

import numpy as np
import pytest

from pdpsim.lens import LensError, LensShell, ScriptError
from pdpsim.lens.viewer_bridge import LensDisplay, ShellThread, train_updates, viewable

XOR = """\
addNet xor 2 2 1
set f [open xor.ex w]
puts $f "I: 0 0\\nT: 0;\\nI: 0 1\\nT: 1;\\nI: 1 0\\nT: 1;\\nI: 1 1\\nT: 0;"
close $f
loadExamples xor.ex
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def shell(display=None, seed=1) -> LensShell:
    return LensShell(stdout=io.StringIO(), seed=seed, real_digits=17, display=display)


def test_batch_mode_accepts_display_commands_and_does_nothing():
    sh = shell()
    sh.eval(XOR)
    for cmd in ("view", "viewUnits", "viewLinks", "drawUnits", "autoPlot", "resetPlot", "plotRow", "plotAll"):
        assert sh.eval(cmd) == f"{cmd} is not available in batch mode"
    with pytest.raises(ScriptError, match="viewConsole is not available in batch mode"):
        sh.eval("viewConsole")
    assert sh.eval("set .BATCH") == "1" and sh.eval("set .GUI") == "0"
    assert sh.eval("graphObject error") == "0"               # graphs exist in batch mode too


def test_a_display_hears_the_views_and_the_graphs():
    d = LensDisplay()
    sh = shell(d)
    assert sh.eval("set .BATCH") == "0" and sh.eval("set .GUI") == "1"
    sh.eval(XOR)
    for cmd in ("viewUnits", "view", "viewLinks", "drawUnits", "viewConsole"):
        assert sh.eval(cmd) == ""
    assert [v["what"] for v in d.views] == ["units", "units", "links", "units"]
    assert d.asked() == ["units", "links"]
    heard = []
    d.listener = lambda G: heard.append((G.num, len(G.points.get("error", []))))
    assert sh.eval("graphObject error") == "0"
    sh.eval("setObj reportInterval 2; train 4")
    assert heard == [(0, 0), (0, 1), (0, 2)]                 # made, then at each report
    assert [s for s, _ in d.graphs[0].points["error"]] == [2, 4]
    assert d.graphs[0].points["error"][-1][1] == float(sh.eval("getObj error"))
    sh.eval("graphObject {group(2).unit(0).output} -updates WEIGHT_UPDATES; train 2")
    assert [s for s, _ in d.graphs[1].points["group(2).unit(0).output"]] == [5, 6]   # the update count after each
    assert d.graphs[1].points["group(2).unit(0).output"][-1][1] == float(sh.eval("getObj group(2).unit(0).output"))


def test_train_updates_is_lens_train():
    a, b = shell(), shell()
    a.eval(XOR)
    b.eval(XOR)
    seen = []
    assert train_updates(a, 3, lambda n, e: seen.append((n, e))) == "max_epochs"
    b.eval("train 3")
    assert [n for n, _ in seen] == [1, 2, 3] and seen[-1][1] == float(b.eval("getObj error"))
    assert a.net.total_updates == 3 and a.net.params["numUpdates"] == 100    # the script's numUpdates kept
    for (_g, x), (_h, y) in zip(a.net.all_blocks(), b.net.all_blocks()):
        assert np.array_equal(x.block.weights, y.block.weights)
    a.eval("setObj criterion 100")                             # met at once: Lens stops
    assert train_updates(a, 5) == "criterion"


def test_viewable_names_what_cannot_be_shown():
    sh = shell()
    with pytest.raises(LensError, match="built no network"):
        viewable(sh)
    sh.eval(XOR)
    lnet, S = viewable(sh)
    assert lnet is sh.net and S.name == "xor"
    sh.eval("addNet e 2 3 ELMAN 2")
    with pytest.raises(LensError, match="ELMAN group 'context'"):
        viewable(sh)


def test_the_shell_lives_on_its_own_thread():
    t = ShellThread(stdout=io.StringIO(), seed=1, display=LensDisplay())
    try:
        assert t.call(lambda sh: sh.eval("expr 6*7")) == "42"
        assert t.call(lambda sh: threading.current_thread().name) == "pdpsim-lens-shell"
        got = []
        other = threading.Thread(target=lambda: got.append(t.call(lambda sh: sh.eval("addNet x 2 2 1; getObj numUnits"))))
        other.start()
        other.join(10)
        assert got == ["6"]                                     # bias, 2 inputs, 2 hidden, 1 output
        with pytest.raises(ScriptError, match="nope"):
            t.call(lambda sh: sh.eval("nope"))
    finally:
        t.close()
