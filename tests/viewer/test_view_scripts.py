"""`pdpsim view SCRIPT` and `pdpsim lens --view SCRIPT`: the viewer on the network a Lens or PDP script builds.

What the session holds and what the server answers over HTTP (Starlette's test client), checked
against the same script run in batch mode; no browser, no network.
"""
import io
import shutil
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the viewer needs starlette (a pdpsim dependency)")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    try:
        from starlette.testclient import TestClient
    except RuntimeError as e:                       # neither httpx nor httpx2
        pytest.skip(f"Starlette's test client needs httpx (pdpsim[test]): {e}", allow_module_level=True)

from click.testing import CliRunner  # noqa: E402

from pdpsim.lens import LensShell  # noqa: E402
from pdpsim.validation import PdpError  # noqa: E402
from pdpsim.viewer.scripts import LensViewerSession  # noqa: E402
from pdpsim.viewer.server import create_app  # noqa: E402
from pdpsim.viewer.session import load_source  # noqa: E402

BASE = "http://127.0.0.1"
XOR_EX = "name: p00\nI: 0 0\nT: 0;\nname: p01\nI: 0 1\nT: 1;\nname: p10\nI: 1 0\nT: 1;\nname: p11\nI: 1 1\nT: 0;\n"
XOR_TCL = """\
addNet xor 2 2 1
loadExamples xor.ex
setObj learningRate 0.5
setObj reportInterval 5
graphObject error
graphObject {group(2).unit(0).output} -updates WEIGHT_UPDATES
train 10
viewUnits
viewLinks
"""
RANDOM_TCL = """\
addNet r
addGroup input 3 INPUT
addGroup hidden 4
addGroup output 2 OUTPUT
connectGroups input hidden -p RANDOM -s 0.5
connectGroups hidden output
loadExamples r.ex
train 2
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "xor.ex").write_text(XOR_EX)
    (tmp_path / "xor.tcl").write_text(XOR_TCL)
    (tmp_path / "r.ex").write_text("I: 0 1 1\nT: 1 0;\nI: 1 0 1\nT: 0 1;\n")
    (tmp_path / "r.tcl").write_text(RANDOM_TCL)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def batch_shell(script: str, seed: int = 1) -> LensShell:
    """The same script in batch mode (no display), at full precision."""
    sh = LensShell(stdout=io.StringIO(), seed=seed, real_digits=17)
    sh.eval(script.replace("viewUnits\n", "").replace("viewLinks\n", ""))
    return sh


@pytest.fixture
def lens_session(folder):
    s = load_source(folder / "xor.tcl", seed=1)
    yield s
    s.close()


def test_lens_script_session_holds_the_scripts_network_examples_and_graphs(lens_session):
    s = lens_session
    assert isinstance(s, LensViewerSession)
    assert s.epoch == 10 and list(s.net.groups) == ["bias", "input", "hidden", "output"]
    assert s.examples.names == ["p00", "p01", "p10", "p11"]
    ref = batch_shell(XOR_TCL)
    for b in s.net.blocks:                                    # the weights the script left
        assert np.array_equal(b.weights, ref.net.net.block(b.source.name, b.dest.name).weights)
    with TestClient(create_app(s), base_url=BASE) as c:
        m = c.get("/api/model").json()
        assert m["lens"]["views"] == ["units", "links"] and m["lens"]["graphs"] == [0, 1]
        assert m["training"]["algorithm"] == "dougsMomentum" and m["training"]["learningRate"] == 0.5
        ws = c.get("/api/watches").json()["watches"]
        assert [w["what"]["object"] for w in ws] == ["error", "group(2).unit(0).output"]
        assert [w["label"] for w in ws] == ["Lens graph 0: error (at each progress report)",
                                            "Lens graph 1: group(2).unit(0).output (after each update)"]
        err = c.get("/api/history", params={"id": ws[0]["id"]}).json()["history"]
        assert [e for e, _ in err] == [5, 10]                 # ON_REPORT: every reportInterval updates
        out = c.get("/api/history", params={"id": ws[1]["id"]}).json()["history"]
        assert [e for e, _ in out] == list(range(1, 11))      # ON_UPDATE: every update
        # the unit panel: Lens's error of the network now (its `test`)
        ref.eval("test")
        st = c.get("/api/state", params={"example": "p11"}).json()     # the last example `test` ran
        assert st["total_error"] == pytest.approx(float(ref.eval("getObj error")), rel=1e-9)
        assert st["groups"]["output"]["output"][0] == pytest.approx(float(ref.eval("getObj output.unit(0).output")),
                                                                    rel=1e-9)


def test_a_step_in_the_viewer_is_lens_train_1(lens_session):
    s = lens_session
    ref = batch_shell(XOR_TCL)
    with TestClient(create_app(s), base_url=BASE) as c:
        t = c.post("/api/train/step", json={}).json()
        ref.eval("train 1")
        assert t["epoch"] == 11 == int(ref.eval("getObj totalUpdates"))
        assert t["errors"][-1][1] == pytest.approx(float(ref.eval("getObj error")), rel=1e-12)
        for b in s.net.blocks:
            assert np.allclose(b.weights, ref.net.net.block(b.source.name, b.dest.name).weights, rtol=0, atol=1e-12)
        ws = c.get("/api/watches").json()["watches"]
        out = c.get("/api/history", params={"id": ws[1]["id"]}).json()["history"]
        assert len(out) == 11                                 # Lens's graph went on recording
        mine = c.post("/api/watch", json={"value": "weight", "block": "input->hidden", "from": 0, "to": 1}).json()
        c.post("/api/train/step", json={})
        h = c.get("/api/history", params={"id": mine["id"]}).json()["history"]
        assert [e for e, _ in h] == [11, 12]
        assert h[-1][1] == s.net.block("input", "hidden").weights[0, 1]
        # reset: where the script left it, its graphs' points too
        r = c.post("/api/train/reset", json={"seed": None}).json()
        assert r["epoch"] == 10 and r["errors"] == []
        assert len(c.get("/api/history", params={"id": ws[1]["id"]}).json()["history"]) == 10
        assert s.shell.net.total_updates == 10
        ref2 = batch_shell(XOR_TCL)
        assert np.array_equal(s.net.block("input", "hidden").weights, ref2.net.net.block("input", "hidden").weights)
        r = c.post("/api/train/reset", json={"seed": 7}).json()
        assert r["epoch"] == 0 and s.shell.net.total_updates == 0
        assert not np.array_equal(s.net.block("input", "hidden").weights, ref2.net.net.block("input", "hidden").weights)


def test_links_lens_left_out_are_not_listed(folder):
    s = load_source(folder / "r.tcl", seed=3)
    try:
        lb = next(b for _g, b in s.lnet.all_blocks() if b.block.name == "input->hidden")
        with TestClient(create_app(s), base_url=BASE) as c:
            for j in range(4):
                u = c.get("/api/unit", params={"group": "hidden", "unit": j}).json()
                senders = [x["index"] for x in u["incoming"] if x["group"] == "input"]
                assert senders == list(np.flatnonzero(lb.mask[:, j]))
            b = c.get("/api/block", params={"name": "input->hidden", "view": "deriv"}).json()
            assert [[v is None for v in row] for row in b["values"]] == (~lb.mask).tolist()
            assert c.get("/api/model").json()["lens"]["views"] == []
    finally:
        s.close()


@pytest.mark.parametrize("script, message", [
    ("addNet e 2 3 ELMAN 2\n", "runs in time: it has the ELMAN group 'context'"),
    ("addNet c CONTINUOUS 2 2 1\n", "is a CONTINUOUS network, which runs in ticks"),
    ("addNet n 2 2 1\n", "has no example set"),
    ("puts hello\n", "built no network"),
    ("addNet x 2 2 1\nloadExamples xor.ex\nlesionUnits hidden 1\n", "lesioned units or noise"),
])
def test_what_the_viewer_cannot_show_is_refused_naming_why(folder, script, message):
    (folder / "s.tcl").write_text(script)
    with pytest.raises(PdpError, match="cannot view the Lens network: .*" + message.replace("(", r"\(")):
        load_source(folder / "s.tcl", seed=1)


def test_script_errors_and_exit_status(folder):
    (folder / "bad.tcl").write_text("addNet x 2 2 1\nnoSuchCommand 3\n")
    with pytest.raises(PdpError, match=r"bad.tcl:2: .*noSuchCommand"):
        load_source(folder / "bad.tcl")
    (folder / "ex.tcl").write_text("exit 3\n")
    with pytest.raises(PdpError, match="ended with exit 3"):
        load_source(folder / "ex.tcl")
    with pytest.raises(PdpError, match="no such file"):
        load_source(folder / "missing.in")


# ---------------------------------------------------------------- PDP handbook scripts
def zoo_pdp(folder: Path, *names: str) -> None:
    root = resources.files("pdpsim.zoo") / "pdp"
    for n in names:
        shutil.copy(str(root / n), folder / n)


def test_pdp_script_session(folder, capsys):
    from pdpsim.pdp.script import run_script
    zoo_pdp(folder, "xor.str", "xor.net", "xor.pat")
    s = load_source(folder / "xor.str", seed=1)
    try:
        ref = run_script(folder / "xor.str", echo=None, seed=1)
        assert s.epoch == ref.epochno > 0
        assert s.errors[-1] == (ref.epochno, pytest.approx(ref.history[-1][1] / 2))
        for b in s.net.blocks:
            assert np.array_equal(b.weights, ref.net.block(b.source.name, b.dest.name).weights)
        assert s.params.algorithm == "momentum" and s.params.learning_rate == 0.5 and s.params.momentum == 0.9
        with TestClient(create_app(s), base_url=BASE) as c:
            m = c.get("/api/model").json()
            assert m["examples"] == ref.patterns.names and "lens" not in m
            st = c.get("/api/state", params={"index": 0}).json()
            assert st["total_error"] == pytest.approx(ref.tss / 2, rel=1e-9)    # tss after the last tall
            t = c.post("/api/train/step", json={}).json()
            assert t["epoch"] == ref.epochno + 1
    finally:
        s.close()
    assert "tss" in capsys.readouterr().out                  # the script's own output


def test_pdp_script_refusals(folder):
    zoo_pdp(folder, "cascade.str", "xor.net", "xor.pat", "xor.wts")
    with pytest.raises(PdpError, match=r"bp's own loop over units \(cascade mode\)"):
        load_source(folder / "cascade.str")
    (folder / "nopat.str").write_text("get network xor.net\n")
    with pytest.raises(PdpError, match="loads no patterns"):
        load_source(folder / "nopat.str")


# ---------------------------------------------------------------- the command line
@pytest.fixture
def served(monkeypatch):
    """serve() replaced: what it was given, without blocking."""
    got = {}

    def fake_serve(session, host=None, port=0, echo=print):
        got.update(session=session, host=host, port=port)
        echo(f"pdpsim view: {session.net.name} ({session.source}) at http://127.0.0.1:{port}/")
        session.close()

    monkeypatch.setattr("pdpsim.viewer.server.serve", fake_serve)
    return got


def test_cli_lens_view_serves_the_scripts_network(folder, served):
    from pdpsim.cli.lens import lens
    r = CliRunner().invoke(lens, ["--view", "xor.tcl", "--seed", "1", "--port", "8123"])
    assert r.exit_code == 0, r.output
    assert "Performing 10 updates" in r.output
    assert "pdpsim view: xor (Lens script xor.tcl) at http://127.0.0.1:8123/" in r.output
    s = served["session"]
    assert s.epoch == 10 and s.display.asked() == ["units", "links"] and served["port"] == 8123


def test_cli_view_runs_scripts(folder, served):
    from pdpsim.cli.view import view
    r = CliRunner().invoke(view, ["xor.tcl", "--seed", "1"])
    assert r.exit_code == 0, r.output
    assert "(Lens script xor.tcl)" in r.output and served["session"].epoch == 10
    zoo_pdp(folder, "xor.str", "xor.net", "xor.pat")
    r = CliRunner().invoke(view, ["xor.str", "--seed", "1"])
    assert r.exit_code == 0, r.output
    assert "(PDP script xor.str)" in r.output


def test_cli_refusals_are_one_error_line(folder, served):
    from pdpsim.cli.lens import lens
    from pdpsim.cli.view import view
    (folder / "c.tcl").write_text("addNet c CONTINUOUS 2 2 1\n")
    for cmd, args in ((lens, ["--view", "c.tcl"]), (view, ["c.tcl"])):
        r = CliRunner().invoke(cmd, args)
        assert r.exit_code == 2
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("pdpsim: error: cannot view the Lens network: network 'c' "
                                                       "is a CONTINUOUS network")
    (folder / "bad.tcl").write_text("nope 1\n")
    r = CliRunner().invoke(lens, ["--view", "bad.tcl"])
    assert r.exit_code == 1 and r.output.startswith("pdpsim lens: error: bad.tcl:1:")
    r = CliRunner().invoke(lens, ["xor.tcl", "--port", "80"])
    assert r.exit_code == 2 and "--port and --host go with --view" in r.output
    r = CliRunner().invoke(view, ["xor.tcl", "--weights", "w.npz"])
    assert r.exit_code == 2 and "sets its own weights" in r.output
    assert "session" not in served


def test_graph_any_lens_object_from_the_page(lens_session):
    s = lens_session
    ref = batch_shell(XOR_TCL)
    with TestClient(create_app(s), base_url=BASE) as c:
        h = c.post("/api/watch", json={"value": "object", "path": "group(2).unit(0).output"}).json()
        assert h["history"] == [[10, float(ref.eval("getObj group(2).unit(0).output"))]]
        c.post("/api/train/step", json={})
        ref.eval("train 1")
        h = c.get("/api/history", params={"id": h["id"]}).json()
        assert h["history"][-1] == [11, pytest.approx(float(ref.eval("getObj group(2).unit(0).output")), rel=1e-12)]
        for body, status, msg in (({"value": "object", "path": "nope.zz"}, 404, "Lens object 'nope.zz'"),
                                  ({"value": "object", "path": "hidden"}, 400, "is not a number"),
                                  ({"value": "object"}, 400, "give the Lens object"),
                                  ({"value": "object", "path": "error", "group": "x"}, 400, "unknown key")):
            r = c.post("/api/watch", json=body)
            assert r.status_code == status and msg in r.json()["error"], r.json()
        assert "lens-path" in c.get("/").text and "showLens" in c.get("/static/app.js").text


def test_the_scripts_example_sets_can_be_shown(folder):
    (folder / "test.ex").write_text("name: t1\nI: 1 1\nT: 0;\nname: t2\nI: 0 1\nT: 1;\n")
    (folder / "two.tcl").write_text(XOR_TCL + "loadExamples test.ex\nuseTestingSet test\n")
    s = load_source(folder / "two.tcl", seed=1)
    try:
        with TestClient(create_app(s), base_url=BASE) as c:
            m = c.get("/api/model").json()
            assert m["example_sets"] == ["xor", "test"] and m["example_set"] == "xor"
            one = c.post("/api/watch", json={"value": "output", "group": "output", "unit": 0, "example": "p11"}).json()
            total = c.post("/api/watch", json={"value": "error"}).json()
            m = c.post("/api/examples", json={"set": "test"}).json()
            assert m["example_set"] == "test" and m["examples"] == ["t1", "t2"]
            st = c.get("/api/state", params={"example": "t1"}).json()
            p11 = s.lnet.training_set.examples                    # t1 is p11's input: the same outputs
            assert st["groups"]["input"]["output"] == list(p11.inputs["input"][3, 0])
            ids = [w["id"] for w in c.get("/api/watches").json()["watches"]]
            assert one["id"] not in ids and total["id"] in ids     # an example's graph closes; the total stays
            assert c.post("/api/train/step", json={}).json()["epoch"] == 11   # Lens trains on its training set
            r = c.post("/api/examples", json={"set": "nope"})
            assert r.status_code == 404 and "example sets: xor, test" in r.json()["error"]
            assert c.post("/api/examples", json={}).status_code == 400
    finally:
        s.close()
    plain = load_source("xor")
    try:
        with TestClient(create_app(plain), base_url=BASE) as c:
            m = c.get("/api/model").json()
            assert m["example_sets"] == [m["example_set"]]
            assert c.post("/api/examples", json={"set": m["example_set"]}).status_code == 200
            assert c.post("/api/examples", json={"set": "other"}).status_code == 404
    finally:
        plain.close()


def test_lens_view_serves_until_ctrl_c(folder):
    """The real command: the script's output, the address, the server answering, Ctrl-C ending it."""
    import json
    import re
    import signal
    import subprocess
    import sys
    import urllib.request
    proc = subprocess.Popen([sys.executable, "-c", "from pdpsim.cli.lens import lens; lens()", "--view", "xor.tcl",
                             "--seed", "1"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, f"no address printed: {lines} {proc.stderr.read()}"
            lines.append(line)
            m = re.search(r"^pdpsim view: xor \(Lens script xor.tcl\) at (http://127\.0\.0\.1:\d+/)$", line.strip())
            if m:
                break
        assert any("10)" in x for x in lines)                  # the script ran first, its report printed
        url = m.group(1)
        with urllib.request.urlopen(url + "api/model", timeout=10) as r:
            assert json.load(r)["lens"]["views"] == ["units", "links"]
        req = urllib.request.Request(url + "api/train/step", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert json.load(r)["epoch"] == 11
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0
        assert "Aborted" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
