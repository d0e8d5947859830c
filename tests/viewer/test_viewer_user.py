"""`pdpsim view` as a new user meets it: one unit's links, graphs of any value over training,
a drawing whose labels do not overlap, and a trained run folder opened as it was left."""
import itertools
import os
import shutil
import time
import warnings
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

import pdpsim  # noqa: E402
from pdpsim import build_spec, test as run_test, train  # noqa: E402
from pdpsim.viewer.server import create_app, jsonable  # noqa: E402
from pdpsim.viewer.session import ViewerSession, load_source  # noqa: E402

BASE = "http://127.0.0.1"

CONTINUOUS = {
    "name": "att", "seed": 1,
    "groups": {"input": {"units": 3, "type": "INPUT"},
               "hidden": {"units": 4, "integration": "OUT_INTEGR"},
               "output": {"units": 3, "type": "OUTPUT", "integration": "OUT_INTEGR", "error": "CROSS_ENTROPY"},
               "cleanup": {"units": 2, "integration": "IN_INTEGR"}},
    "links": ["input -> hidden", "hidden -> output", {"from": "output", "to": "cleanup", "bidirectional": True}],
    "time": {"mode": "continuous", "ticks_per_interval": 3, "intervals": 2},
    "examples": {"names": ["a", "b", "c"], "inputs": [[[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]],
                 "targets": [[[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]]},
    "training": {"learning_rate": 0.2},
}

SRN = {
    "name": "srn", "seed": 2,
    "groups": {"input": {"units": 2, "type": "INPUT"}, "hidden": {"units": 3},
               "context": {"units": 3, "type": "CONTEXT", "copies": "hidden"},
               "output": {"units": 2, "type": "OUTPUT"}},
    "links": ["input -> hidden", "context -> hidden", "hidden -> output"],
    "time": {"mode": "srn"},
    "examples": {"names": ["s1", "s2"], "inputs": [[[1, 0], [0, 1], [1, 1]], [[0, 1], [1, 0], [0, 0]]],
                 "targets": [[[0, 1], [1, 0], [1, 1]], [[1, 0], [0, 1], [0, 0]]]},
}


@pytest.fixture
def session():
    s = load_source("xor")
    yield s
    s.close()


@pytest.fixture
def client(session):
    with TestClient(create_app(session), base_url=BASE) as c:
        yield c


def wait_idle(client, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        t = client.get("/api/training").json()
        if not t["running"]:
            return t
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.02)


# ---------------------------------------------------------------- (a) one unit's links
def test_unit_shows_its_incoming_and_outgoing_weights(client, session):
    u = client.get("/api/unit", params={"group": "hidden", "unit": "1"}).json()
    assert u["group"] == "hidden" and u["index"] == 1 and u["name"] == "hidden:1"
    net = session.net
    incoming = {(link["block"], link["unit"]): link["weight"] for link in u["incoming"]}
    assert incoming == {("input->hidden", "input:0"): net.block("input", "hidden").weights[0, 1],
                        ("input->hidden", "input:1"): net.block("input", "hidden").weights[1, 1],
                        ("bias->hidden", "bias:0"): net.block("bias", "hidden").weights[0, 1]}
    assert [(link["block"], link["group"], link["unit"], link["index"]) for link in u["outgoing"]] == \
        [("hidden->output", "output", "output:0", 0)]
    assert u["outgoing"][0]["weight"] == net.block("hidden", "output").weights[1, 0]
    by_name = client.get("/api/unit", params={"group": "hidden", "unit": "hidden:1"}).json()
    assert by_name["incoming"] == u["incoming"] and by_name["outgoing"] == u["outgoing"]
    # an input unit has no incoming links; the weights follow training
    assert client.get("/api/unit", params={"group": "input", "unit": 0}).json()["incoming"] == []
    client.post("/api/train/step", json={})
    after = client.get("/api/unit", params={"group": "hidden", "unit": 1}).json()
    assert after["epoch"] == 1 and after["outgoing"][0]["weight"] == net.block("hidden", "output").weights[1, 0]
    assert after["outgoing"][0]["weight"] != u["outgoing"][0]["weight"]


def test_unit_leaves_out_links_a_mask_removed():
    m = pdpsim.load("encoder-4-2-4")
    b = m.network.block("input", "hidden")
    b.mask = np.ones_like(b.weights)
    b.mask[2, 0] = 0
    s = ViewerSession(m)
    try:
        u = s.unit("hidden", "0")
        assert [link["unit"] for link in u["incoming"] if link["block"] == "input->hidden"] == \
            ["input:0", "input:1", "input:3"]
    finally:
        s.close()


@pytest.mark.parametrize("params,status,message", [
    ({"group": "ghost", "unit": "0"}, 404, "no group 'ghost'"),
    ({"group": "hidden", "unit": "2"}, 404, "no unit 2 in group 'hidden'"),
    ({"group": "hidden", "unit": "nobody"}, 404, "no unit 'nobody' in group 'hidden'"),
    ({"group": "hidden"}, 400, "give the unit"),
    ({"unit": "0"}, 400, "give the unit"),
    ({"group": "hidden", "unit": "0", "x": "1"}, 400, "unknown query parameter 'x'"),
])
def test_unit_bad_requests(client, params, status, message):
    r = client.get("/api/unit", params=params)
    assert r.status_code == status and message in r.json()["error"]


# ---------------------------------------------------------------- (b) any value over training
def _replay(spec_or_name, epochs, read):
    """``read(net, examples)`` at epoch 0 and after each of ``epochs`` epochs of one plain run."""
    m = build_spec(spec_or_name) if isinstance(spec_or_name, dict) else pdpsim.load(spec_or_name)
    out = [read(m.network, m.examples)]
    for e in range(epochs):
        train(m.network, m.examples, m.training, max_epochs=e + 1, start_epoch=e)
        out.append(read(m.network, m.examples))
    return out


def test_history_of_a_unit_value_an_example_error_and_a_weight(client):
    watches = [
        {"value": "output", "group": "output", "unit": 0, "example": "01"},
        {"value": "net_input", "group": "hidden", "unit": "hidden:1", "example": "10"},
        {"value": "input_deriv", "group": "hidden", "unit": 0, "example": "11"},
        {"value": "error", "example": "00"},
        {"value": "weight", "block": "input->hidden", "from": "input:1", "to": 0},
    ]
    ids = []
    for w in watches:
        r = client.post("/api/watch", json=w)
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
        assert r.json()["history"][0][0] == 0 and len(r.json()["history"]) == 1
    for _ in range(3):
        client.post("/api/train/step", json={})
    client.post("/api/train/run", json={"epochs": 4})
    wait_idle(client)
    hist = [client.get("/api/history", params={"id": i}).json() for i in ids]
    for h in hist:
        assert [e for e, _ in h["history"]] == list(range(8))        # every epoch, from the one it began at

    def at(read):
        return _replay("xor", 7, read)

    out = at(lambda net, xs: run_test(net, xs).outputs["output"][1, 0])
    assert np.allclose([v for _, v in hist[0]["history"]], out, rtol=0, atol=1e-12)

    def net_input(net, xs):
        run_test(net, xs)
        return net.group("hidden").net_input[2, 1]
    assert np.allclose([v for _, v in hist[1]["history"]], at(net_input), rtol=0, atol=1e-12)

    def dedn(net, xs):
        run_test(net, xs)
        net.backward()
        return net.group("hidden").input_deriv[3, 0]
    assert np.allclose([v for _, v in hist[2]["history"]], at(dedn), rtol=0, atol=1e-12)
    err = at(lambda net, xs: run_test(net, xs).errors[0])
    assert np.allclose([v for _, v in hist[3]["history"]], err, rtol=0, atol=1e-12)
    w = at(lambda net, xs: net.block("input", "hidden").weights[1, 0])
    assert np.allclose([v for _, v in hist[4]["history"]], w, rtol=0, atol=1e-15)
    assert "output:0" in hist[0]["label"] and "01" in hist[0]["label"]
    since = client.get("/api/history", params={"id": ids[4], "since": 5}).json()["history"]
    assert [e for e, _ in since] == [6, 7]
    listed = client.get("/api/watches").json()["watches"]
    assert [w["id"] for w in listed] == ids
    # unwatch; reset starts each history again at epoch 0
    assert [w["id"] for w in client.post("/api/unwatch", json={"id": ids[1]}).json()["watches"]] == \
        [i for i in ids if i != ids[1]]
    assert client.get("/api/history", params={"id": ids[1]}).status_code == 404
    client.post("/api/train/reset", json={})
    assert client.get("/api/history", params={"id": ids[0]}).json()["history"] == [hist[0]["history"][0]]


@pytest.mark.parametrize("spec", [CONTINUOUS, SRN], ids=["continuous", "srn"])
def test_history_in_time_and_training_unchanged_by_watching(spec):
    plain = ViewerSession(build_spec(spec))
    watched = ViewerSession(build_spec(spec))
    try:
        name = "output"
        ex = watched.examples.names[1]
        w = watched.watch({"value": "output", "group": name, "unit": 1, "example": ex, "tick": 2})
        e = watched.watch({"value": "error", "example": ex})
        for s in (plain, watched):
            s.step(3)
        for b in plain.net.blocks:                                     # watching changes nothing
            assert np.array_equal(b.weights, watched.net.block(b.source.name, b.dest.name).weights)
        assert [v for _, v in plain.errors] == [v for _, v in watched.errors]
        hw, he = watched.history(w["id"])["history"], watched.history(e["id"])["history"]
        assert [x for x, _ in hw] == [0, 1, 2, 3]
        assert hw[-1][1] == pytest.approx(watched.state(ex, 2)["groups"][name]["output"][1], abs=1e-12)
        assert he[-1][1] == pytest.approx(watched.state(ex)["error"], abs=1e-12)
    finally:
        plain.close()
        watched.close()


def test_watching_leaves_a_background_run_bit_identical(client, session):
    client.post("/api/watch", json={"value": "output", "group": "hidden", "unit": 0, "example": "11"})
    client.post("/api/train/run", json={"epochs": 60})
    wait_idle(client)
    m = pdpsim.load("xor")
    res = train(m.network, m.examples, m.training, max_epochs=60)
    assert np.array_equal([v for _, v in session.errors], res.errors)
    for k, w in m.network.get_weights().items():
        assert np.array_equal(session.net.get_weights()[k], w)


def test_history_stops_with_the_training_criterion(client):
    r = client.post("/api/watch", json={"value": "error"}).json()
    assert "all examples" in r["label"]
    client.post("/api/train/run", json={"epochs": 5000})
    t = wait_idle(client)
    assert t["stopped"] == "output_criterion"
    h = client.get("/api/history", params={"id": r["id"]}).json()["history"]
    assert [e for e, _ in h] == list(range(t["epoch"] + 1))            # the last epoch too


@pytest.mark.parametrize("body,status,message", [
    ({"value": "colour", "group": "hidden", "unit": 0}, 400, "value must be one of"),
    ({"value": "output", "group": "ghost", "unit": 0}, 404, "no group 'ghost'"),
    ({"value": "output", "group": "hidden"}, 400, "give the unit"),
    ({"value": "output", "group": "hidden", "unit": 5}, 404, "no unit 5"),
    ({"value": "output", "group": "hidden", "unit": 0, "example": "22"}, 404, "no example named '22'"),
    ({"value": "output", "group": "hidden", "unit": 0, "tick": 3}, 400, "out of range"),
    ({"value": "weight", "block": "input->nowhere", "from": 0, "to": 0}, 404, "no link block"),
    ({"value": "weight", "block": "input->hidden", "from": 0}, 400, "give 'from' and 'to'"),
    ({"value": "weight", "block": "input->hidden", "from": 0, "to": 9}, 404, "no unit 9"),
    ({"value": "output", "group": "hidden", "unit": 0, "colour": 1}, 400, "unknown key(s) 'colour'"),
])
def test_watch_bad_requests(client, body, status, message):
    r = client.post("/api/watch", json=body)
    assert r.status_code == status and message in r.json()["error"], r.text
    assert client.get("/api/watches").json()["watches"] == []


def test_history_bad_requests(client):
    assert client.get("/api/history").status_code == 400
    r = client.get("/api/history", params={"id": "7"})
    assert r.status_code == 404 and "no graph 7" in r.json()["error"]
    assert client.post("/api/unwatch", json={"id": 7}).status_code == 404
    for _ in range(16):
        client.post("/api/watch", json={"value": "error"})
    r = client.post("/api/watch", json={"value": "error"})
    assert r.status_code == 400 and "at most 16" in r.json()["error"]


# ---------------------------------------------------------------- (c) a drawing whose labels do not overlap
def _boxes_overlap(a, b):
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and \
        b["y"] < a["y"] + a["h"]


def _inside(a, b):
    return b["x"] <= a["x"] and a["x"] + a["w"] <= b["x"] + b["w"] and b["y"] <= a["y"] and \
        a["y"] + a["h"] <= b["y"] + b["h"]


def _check_layout(net, lay):
    assert set(lay["groups"]) == set(net.groups)
    labels, units, groups = [], [], []
    for name, g in lay["groups"].items():
        box = g["box"]
        groups.append(box)
        assert _inside(g["label"], box) and g["label"]["text"].startswith(name)
        assert g["label"]["w"] >= len(g["label"]["text"]) * lay["char_width"]["group"]   # room for every letter
        labels.append(g["label"])
        assert len(g["units"]) == net.group(name).size
        for u in g["units"]:
            assert _inside(u["box"], box)
            units.append(u["box"])
            if u["label"] is not None:
                assert _inside(u["label"], box)
                assert u["label"]["w"] >= len(u["label"]["text"]) * lay["char_width"]["unit"]
                labels.append(u["label"])
        assert 0 <= box["x"] and box["x"] + box["w"] <= lay["width"] and 0 <= box["y"] and \
            box["y"] + box["h"] <= lay["height"]
    for a, b in itertools.combinations(groups, 2):
        assert not _boxes_overlap(a, b), (a, b)
    for a, b in itertools.combinations(labels, 2):
        assert not _boxes_overlap(a, b), (a["text"], b["text"])
    for a in labels:
        for b in units:
            assert not _boxes_overlap(a, b), (a["text"], b)
    return labels


@pytest.mark.parametrize("name", pdpsim.formats.spec.zoo_names())
def test_layout_labels_do_not_overlap_for_every_shipped_spec(name):
    from pdpsim.viewer.session import network_layout
    net = pdpsim.load(name).network
    _check_layout(net, network_layout(net))


def test_layout_of_named_units_and_the_model_carries_it():
    from pdpsim.viewer.session import network_layout
    from pdpsim.reproductions.family_trees import build_network
    net = build_network()
    labels = _check_layout(net, network_layout(net))
    texts = {lab["text"] for lab in labels}
    assert "Christopher" in texts and "Penelope" in texts              # the people's names under their units
    assert "pc0" in texts and "h11" in texts
    xor = pdpsim.load("xor").network
    layout = network_layout(xor)
    assert [u["label"]["text"] for u in layout["groups"]["hidden"]["units"]] == ["0", "1"]   # "hidden:0" in hidden
    assert layout["groups"]["bias"]["units"][0]["label"] is None
    for spec in (CONTINUOUS, SRN):
        s = ViewerSession(build_spec(spec))
        try:
            d = jsonable(s.describe())
            _check_layout(s.net, d["layout"])
        finally:
            s.close()


def test_page_draws_from_the_layout_and_offers_unit_links_and_graphs(client):
    js = client.get("/static/app.js").text
    assert "/api/unit" in js and "/api/watch" in js and "/api/history" in js
    assert "S.model.layout" in js and "net-canvas" in js
    html = client.get("/").text
    assert 'id="unit-info"' in html and 'id="graphs"' in html


# ---------------------------------------------------------------- (d) a trained run folder
def test_run_folder_opens_at_its_trained_epoch_with_its_curve(tmp_path):
    import csv
    from pdpsim.tools.runs import train_run
    train_run("xor", tmp_path / "run", max_epochs=40)
    with open(tmp_path / "run" / "error.csv") as f:
        rows = [(int(r["epoch"]), float(r["error"])) for r in csv.DictReader(f)]
    s = load_source(tmp_path / "run")
    try:
        with TestClient(create_app(s), base_url=BASE) as c:
            t = c.get("/api/training").json()
            assert t["epoch"] == 40 and [tuple(p) for p in t["errors"]] == rows and t["error"] == rows[-1][1]
            assert c.get("/api/state").json()["epoch"] == 40
            m = pdpsim.load("xor")
            train(m.network, m.examples, m.training, max_epochs=40)
            assert np.allclose(c.get("/api/state", params={"example": "01"}).json()["groups"]["output"]["output"],
                               run_test(m.network, m.examples).outputs["output"][1])
            t = c.post("/api/train/step", json={}).json()
            assert t["epoch"] == 41 and [e for e, _ in c.get("/api/training").json()["errors"]] == list(range(1, 42))
            t = c.post("/api/train/reset", json={}).json()                 # back to the state it opened in
            assert t["epoch"] == 40 and [tuple(p) for p in t["errors"]] == rows
            t = c.post("/api/train/reset", json={"seed": 3}).json()        # fresh weights: epoch 0
            assert t["epoch"] == 0 and t["errors"] == []
    finally:
        s.close()
    other = pdpsim.load("xor", seed=9)                               # weights from elsewhere: not the run's curve
    from pdpsim.records.weights import save_weights
    save_weights(other.network, tmp_path / "other.npz")
    s = load_source(tmp_path / "run", weights=tmp_path / "other.npz")
    try:
        assert s.epoch == 0 and s.errors == []
    finally:
        s.close()


def test_run_folder_with_a_checkpoint_goes_on_as_the_run_would_have(tmp_path):
    from pdpsim.tools.runs import train_run
    spec = "encoder-4-2-4"
    train_run(spec, tmp_path / "run", max_epochs=30, checkpoint_every=10)
    s = load_source(tmp_path / "run")
    try:
        assert s.epoch == 30
        s.step(20)
        m = pdpsim.load(spec)
        res = train(m.network, m.examples, m.training, max_epochs=50)
        assert np.array_equal([v for _, v in s.errors], res.errors)
        for k, w in m.network.get_weights().items():
            assert np.array_equal(s.net.get_weights()[k], w)
    finally:
        s.close()


def test_run_folder_with_a_damaged_error_curve(tmp_path):
    from pdpsim.tools.runs import train_run
    train_run("xor", tmp_path / "run", max_epochs=5)
    (tmp_path / "run" / "error.csv").write_text("epoch,error\n1,0.5\ntwo,x\n")
    with pytest.raises(pdpsim.PdpError, match="error.csv"):
        load_source(tmp_path / "run")
    (tmp_path / "run" / "error.csv").unlink()                            # no curve: the epoch from run.json
    s = load_source(tmp_path / "run")
    try:
        assert s.epoch == 5 and s.errors == []
    finally:
        s.close()


# ---------------------------------------------------------------- the page in a browser (optional)
CHROMIUM = os.environ.get("PDPSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                    reason=f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set PDPSIM_CHROMIUM)")
def test_page_click_a_unit_and_graph_a_value():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    from pdpsim.viewer.server import ServerThread
    session = ViewerSession(pdpsim.load("xor"))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(15_000)
        with ServerThread(session) as srv:
            page.goto(srv.url)
            page.wait_for_function("() => document.body.dataset.shown === '0'")
            page.click("#units .unit[data-group='hidden'][data-index='1']")
            page.wait_for_selector("#unit-info tr.link")
            text = page.inner_text("#unit-info")
            assert "input:0" in text and "output:0" in text
            page.click("#unit-info button.graph-value")
            page.wait_for_selector("#graphs svg.graph")
            page.click("#step")
            page.wait_for_function("() => document.getElementById('epoch').textContent === '1'")
            page.wait_for_function("() => document.querySelector('#graphs svg.graph').dataset.points === '2'")
            page.goto("about:blank")
        browser.close()
