"""`pdpsim view`: the JSON API through Starlette's test client, the session, the CLI, notebook displays."""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the viewer needs starlette (a pdpsim dependency)")
with warnings.catch_warnings():
    # Starlette >= 1.10 prefers the httpx2 fork of httpx and warns when it finds only httpx; both work
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    try:
        from starlette.testclient import TestClient
    except RuntimeError as e:                       # neither httpx nor httpx2
        pytest.skip(f"Starlette's test client needs httpx (pdpsim[test]): {e}", allow_module_level=True)

import pdpsim  # noqa: E402
from pdpsim import build_spec, test as run_test, train  # noqa: E402
from pdpsim.viewer.server import create_app  # noqa: E402
from pdpsim.viewer.session import MAX_RUN_EPOCHS, ViewerSession, load_source  # noqa: E402

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


def wait_idle(client, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        t = client.get("/api/training").json()
        if not t["running"]:
            return t
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.02)


# ---------------------------------------------------------------- page and model
def test_page_and_assets_are_served_from_the_package(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/static/app.js" in r.text and "/static/app.css" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"
    for name, ctype in (("app.js", "text/javascript"), ("app.css", "text/css")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    # nothing else can be read: no path from a request reaches the file system
    for path in ("/static/server.py", "/static/..%2Fserver.py", "/static/../session.py", "/static/%2e%2e/__init__.py",
                 "/static/", "/etc/passwd", "/api/../../pyproject.toml", "/nope"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "error" in r.json()


def test_model_describes_groups_blocks_examples(client):
    m = client.get("/api/model").json()
    assert m["name"] == "xor" and m["time"] is None
    layers = {g["name"]: g["layer"] for g in m["groups"]}
    assert layers["input"] == 0 and layers["hidden"] == 1 and layers["output"] == 2
    assert {b["name"] for b in m["blocks"]} == {"input->hidden", "hidden->output", "bias->hidden", "bias->output"}
    assert m["examples"] == ["00", "01", "10", "11"]
    assert m["values"] == ["output", "net_input", "target", "output_deriv", "input_deriv"]
    assert m["training"]["learning_rate"] == 0.5 and m["max_run_epochs"] == MAX_RUN_EPOCHS


def test_state_matches_a_forward_and_backward_pass(client):
    st = client.get("/api/state", params={"example": "01"}).json()
    assert st["example"] == "01" and st["index"] == 1 and st["tick"] == 0 and st["epoch"] == 0
    m = pdpsim.load("xor")
    res = run_test(m.network, m.examples)
    assert st["groups"]["output"]["output"] == pytest.approx(res.outputs["output"][1].tolist(), abs=1e-12)
    assert st["groups"]["output"]["target"] == [1.0]
    assert st["error"] == pytest.approx(res.errors[1], abs=1e-12)
    assert st["groups"]["hidden"]["target"] == [None, None]            # no targets: null, not NaN
    assert st["groups"]["input"]["output_deriv"] == [None, None]       # not computed for input groups
    assert st["groups"]["input"]["output"] == [0.0, 1.0]
    net = m.network                                                    # dE/dn from the backward pass
    net.backward()
    assert st["groups"]["hidden"]["input_deriv"] == pytest.approx(net.groups["hidden"].input_deriv[1].tolist())
    by_index = client.get("/api/state", params={"index": 1}).json()
    assert by_index["groups"] == st["groups"]


def test_block_weights_and_derivatives(client, session):
    b = client.get("/api/block", params={"name": "input->hidden"}).json()
    assert b["view"] == "weights" and b["row_names"] == ["input:0", "input:1"]
    assert np.allclose(b["values"], session.net.block("input", "hidden").weights)
    d = client.get("/api/block", params={"name": "input->hidden", "view": "deriv"}).json()
    m = pdpsim.load("xor")
    run_test(m.network, m.examples)
    m.network.backward()                                               # dE/dw summed over all examples
    assert np.allclose(d["values"], m.network.block("input", "hidden").weight_deriv)
    assert d["max_abs"] == pytest.approx(np.abs(d["values"]).max())


# ---------------------------------------------------------------- training
def test_step_changes_error_and_weights(client):
    w0 = client.get("/api/block", params={"name": "hidden->output"}).json()["values"]
    u0 = client.get("/api/state", params={"example": "00"}).json()["groups"]["output"]["output"]
    t1 = client.post("/api/train/step", json={}).json()
    assert t1["epoch"] == 1 and t1["errors"][0][0] == 1 and not t1["running"]
    t2 = client.post("/api/train/step", json={}).json()
    assert t2["epoch"] == 2 and t2["error"] != t1["error"] and t2["version"] > t1["version"]
    assert client.get("/api/block", params={"name": "hidden->output"}).json()["values"] != w0
    assert client.get("/api/state", params={"example": "00"}).json()["groups"]["output"]["output"] != u0
    curve = client.get("/api/training").json()["errors"]
    assert [e for e, _ in curve] == [1, 2]
    assert client.get("/api/training", params={"since": 1}).json()["errors"] == [[2, t2["error"]]]


def test_background_run_gives_the_weights_of_one_plain_training_run(client, session):
    r = client.post("/api/train/run", json={"epochs": 120})
    assert r.status_code == 200 and r.json()["epoch"] < 120
    t = wait_idle(client)
    assert t["epoch"] == 120 and t["stopped"] == "done"
    errors = client.get("/api/training").json()["errors"]
    assert [e for e, _ in errors] == list(range(1, 121))
    m = pdpsim.load("xor")
    res = train(m.network, m.examples, m.training, max_epochs=120)
    assert np.allclose([v for _, v in errors], res.errors, rtol=0, atol=1e-12)
    for name, w in m.network.get_weights().items():
        assert np.allclose(session.net.get_weights()[name], w, rtol=0, atol=1e-12)


def test_run_stops_at_the_training_criterion(client):
    client.post("/api/train/run", json={"epochs": 5000})
    t = wait_idle(client)
    assert t["stopped"] == "output_criterion" and t["epoch"] < 5000


def test_pause_and_busy(client):
    session = client.app.app.state.session
    session.params = session.params.__class__(**{**session.params.to_dict(), "output_criterion": None})
    assert client.post("/api/train/run", json={"epochs": MAX_RUN_EPOCHS}).json()["running"]
    for path, body in (("/api/train/step", {}), ("/api/train/run", {"epochs": 3})):
        r = client.post(path, json=body)
        assert r.status_code == 409 and "pause" in r.json()["error"]
    time.sleep(0.1)
    assert client.get("/api/state").status_code == 200                # views answer while training runs
    t = client.post("/api/train/pause", json={}).json()
    assert not t["running"] and t["stopped"] == "paused" and 0 < t["epoch"] < MAX_RUN_EPOCHS
    assert client.post("/api/train/step", json={}).json()["epoch"] == t["epoch"] + 1


def test_reset_to_start_or_to_a_seed(client, session):
    start = session.net.get_weights()
    e0 = client.get("/api/state").json()["total_error"]
    client.post("/api/train/run", json={"epochs": 30})
    wait_idle(client)
    t = client.post("/api/train/reset", json={"seed": None}).json()
    assert t["epoch"] == 0 and t["errors"] == [] and t["error"] is None
    assert all(np.array_equal(session.net.get_weights()[k], w) for k, w in start.items())
    assert client.get("/api/state").json()["total_error"] == e0
    first = client.post("/api/train/step", json={}).json()["error"]
    client.post("/api/train/reset", json={})                           # no seed: the starting weights
    assert client.post("/api/train/step", json={}).json()["error"] == first
    client.post("/api/train/reset", json={"seed": 3})
    w3 = session.net.get_weights()
    client.post("/api/train/step", json={})
    client.post("/api/train/reset", json={"seed": 3})
    assert all(np.array_equal(session.net.get_weights()[k], w) for k, w in w3.items())
    client.post("/api/train/reset", json={"seed": 4})
    assert not np.array_equal(session.net.get_weights()["input->hidden"], w3["input->hidden"])


# ---------------------------------------------------------------- representations
@pytest.mark.parametrize("method", ["mds", "pca"])
def test_representations(client, session, method):
    r = client.get("/api/representations", params={"group": "hidden", "method": method}).json()
    assert r["names"] == ["00", "01", "10", "11"] and r["method"] == method
    d = np.array(r["dissimilarity"])
    h = np.array(r["patterns"])
    from scipy.spatial.distance import pdist, squareform
    assert np.allclose(d, squareform(pdist(h)))
    assert np.allclose(h, [client.get("/api/state", params={"index": i}).json()["groups"]["hidden"]["output"]
                           for i in range(4)])
    c = np.array(r["coords"])
    assert c.shape == (4, 2) and np.isfinite(c).all()
    if method == "pca":
        assert sum(r["explained"]) == pytest.approx(1.0)
        assert np.allclose(squareform(pdist(c)), d, atol=1e-9)          # 2 hidden units: PCA keeps every distance
    else:
        assert r["stress"] >= 0


def test_views_follow_training(client):
    before = client.get("/api/representations", params={"group": "hidden", "method": "pca"}).json()
    block = client.get("/api/block", params={"name": "input->hidden", "view": "deriv"}).json()
    client.post("/api/train/step", json={})
    after = client.get("/api/representations", params={"group": "hidden", "method": "pca"}).json()
    assert after["version"] == before["version"] + 1 and after["epoch"] == 1
    assert after["dissimilarity"] != before["dissimilarity"]
    assert client.get("/api/block", params={"name": "input->hidden", "view": "deriv"}).json()["values"] != \
        block["values"]


@pytest.mark.parametrize("name", pdpsim.formats.spec.zoo_names())
def test_every_shipped_spec_can_be_viewed(name):
    from pdpsim.viewer.server import jsonable
    s = load_source(name)
    try:
        d = s.describe()
        json.dumps(jsonable(d), allow_nan=False)
        assert [g["name"] for g in d["groups"]] == list(s.net.groups)
        assert sorted(b["name"] for b in d["blocks"]) == sorted(b.name for b in s.net.blocks)
        before = {b.name: b.weights.copy() for b in s.net.blocks}
        s.step()                                                  # one epoch: the weights change
        assert any(not np.array_equal(before[b.name], b.weights) for b in s.net.blocks)
        for i in range(len(s.examples)):
            st = jsonable(s.state(index=i))
            json.dumps(st, allow_nan=False)
            assert set(st["groups"]) == set(s.net.groups)
        for b in d["blocks"]:
            view = jsonable(s.block_view(b["name"], "deriv"))
            json.dumps(view, allow_nan=False)
            assert np.shape(view["values"]) == s.net.block(*b["name"].split("->")).weights.shape
        hidden = [g["name"] for g in d["groups"] if g["kind"] != "BIAS"]
        rep = jsonable(s.representations(hidden[-1], "pca"))
        json.dumps(rep, allow_nan=False)
        assert len(rep["names"]) == np.shape(rep["coords"])[0] > 0
    finally:
        s.close()


def test_hebb_rule_shows_its_learning_signal():
    from dataclasses import replace
    m = pdpsim.load("xor-no-hidden")
    m.training = replace(m.training, rule="hebb")
    s = ViewerSession(m)
    d = s.block_view("input->output", "deriv")["values"]                # dE/dw = -sum a_i t_j
    x, t = m.examples.inputs["input"][:, 0], m.examples.targets["output"][:, 0]
    assert np.allclose(d, -(x.T @ t))
    assert s.step()["epoch"] == 1


@pytest.mark.parametrize("method", ["mds", "pca"])
def test_projection_without_the_analysis_module(monkeypatch, method):
    """scipy and scikit-learn directly, where pdpsim.analysis is not there."""
    from scipy.spatial.distance import pdist, squareform
    from pdpsim.viewer import session as session_module
    x = np.random.default_rng(0).uniform(size=(6, 3))
    monkeypatch.delattr(pdpsim, "analysis", raising=False)
    monkeypatch.setitem(sys.modules, "pdpsim.analysis", None)
    d, coords, extra = session_module._project(x, method)
    assert np.allclose(d, squareform(pdist(x))) and coords.shape == (6, 2) and np.isfinite(coords).all()
    if method == "pca":
        assert 0.5 < sum(extra["explained"]) <= 1.0
    else:
        assert extra["stress"] >= 0
    d1, c1, _ = session_module._project(x[:1], method)
    assert d1.shape == (1, 1) and np.array_equal(c1, np.zeros((1, 2)))


# ---------------------------------------------------------------- bad requests
BAD = [
    ("get", "/api/state", {"example": "nope"}, None, 404, "no example named 'nope'"),
    ("get", "/api/state", {"index": "7"}, None, 404, "no example 7"),
    ("get", "/api/state", {"index": "one"}, None, 400, "index must be an integer"),
    ("get", "/api/state", {"example": "00", "index": "0"}, None, 400, "not both"),
    ("get", "/api/state", {"tick": "abc"}, None, 400, "tick must be an integer"),
    ("get", "/api/state", {"tick": "-1"}, None, 400, "out of range"),
    ("get", "/api/state", {"tick": "5"}, None, 400, "out of range"),
    ("get", "/api/state", {"tick": "1e999"}, None, 400, "tick must be an integer"),
    ("get", "/api/state", {"bogus": "1"}, None, 400, "unknown query parameter 'bogus'"),
    ("get", "/api/block", {"name": "input->nowhere"}, None, 404, "no link block 'input->nowhere'"),
    ("get", "/api/block", {}, None, 400, "give the link block"),
    ("get", "/api/block", {"name": "input->hidden", "view": "../../etc"}, None, 400, "view must be"),
    ("get", "/api/representations", {"group": "ghost"}, None, 404, "no group 'ghost'"),
    ("get", "/api/representations", {"group": "hidden", "method": "tsne"}, None, 400, "method must be"),
    ("get", "/api/training", {"since": "x"}, None, 400, "since must be an integer"),
    ("post", "/api/train/run", None, {"epochs": "ten"}, 400, "epochs must be an integer"),
    ("post", "/api/train/run", None, {"epochs": 0}, 400, "between 1 and"),
    ("post", "/api/train/run", None, {"epochs": -3}, 400, "between 1 and"),
    ("post", "/api/train/run", None, {"epochs": 1.5}, 400, "must be an integer"),
    ("post", "/api/train/run", None, {"epochs": True}, 400, "must be an integer"),
    ("post", "/api/train/run", None, {"epochs": 10 ** 12}, 400, "between 1 and"),
    ("post", "/api/train/run", None, {"epochs": None}, 400, "must be an integer"),
    ("post", "/api/train/run", None, {}, 400, "give the number of epochs"),
    ("post", "/api/train/run", None, {"epochs": 5, "speed": 2}, 400, "unknown key(s) 'speed'"),
    ("post", "/api/train/reset", None, {"seed": -1}, 400, "seed must be"),
    ("post", "/api/train/reset", None, {"seed": "abc"}, 400, "seed must be an integer"),
    ("post", "/api/train/reset", None, {"seed": 2 ** 70}, 400, "seed must be"),
    ("post", "/api/train/step", None, [1, 2], 400, "must be a JSON object"),
    ("post", "/api/train/step", None, {"epochs": 4}, 400, "unknown key(s) 'epochs'"),
]


@pytest.mark.parametrize("method,path,params,body,status,message", BAD,
                         ids=[f"{b[1]}-{b[2] or b[3]}" for b in BAD])
def test_bad_requests_get_4xx_json(client, method, path, params, body, status, message):
    r = client.get(path, params=params) if method == "get" else client.post(path, json=body)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]
    assert client.get("/api/model").status_code == 200                  # and the server goes on


def test_bad_bodies_and_methods(client):
    r = client.post("/api/train/run", content=b'{"epochs": ', headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    r = client.post("/api/train/run", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    r = client.post("/api/train/run", content=b"epochs=5",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and "application/json" in r.json()["error"]
    r = client.post("/api/train/step", content=b"{}")                   # no content type
    assert r.status_code == 415
    r = client.post("/api/train/reset", content=b'{"seed": ' + b"1" * 20000 + b"}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.get("/api/train/step").status_code == 405
    assert client.post("/api/model", json={}).status_code == 405
    assert "error" in client.delete("/api/model").json()
    assert client.get("/api/training").json()["epoch"] == 0              # nothing trained by any of these


# ---------------------------------------------------------------- safety
def test_loopback_server_checks_host_and_origin(session):
    with TestClient(create_app(session), base_url="http://evil.example:8000") as c:
        r = c.get("/api/model")
        assert r.status_code == 403 and "Host" in r.json()["error"]
    with TestClient(create_app(session), base_url="http://localhost:8000") as c:
        assert c.get("/").status_code == 200
        r = c.post("/api/train/step", json={}, headers={"origin": "http://evil.example"})
        assert r.status_code == 403 and "origin" in r.json()["error"]
        assert c.post("/api/train/step", json={}, headers={"origin": "http://localhost:8000"}).status_code == 200


def test_token_is_required_when_serving_beyond_loopback(session):
    app = create_app(session, token="s3cret-token", allowed_hosts=None)
    with TestClient(app, base_url="http://192.0.2.10:8000") as c:
        for path in ("/", "/static/app.js", "/api/model", "/api/state"):
            r = c.get(path)
            assert r.status_code == 401 and "token" in r.json()["error"], path
        assert c.post("/api/train/step", json={}).status_code == 401
        assert c.get("/api/model", headers={"X-Pdpsim-Token": "wrong"}).status_code == 403
        assert c.get("/api/model", params={"token": "s3cret-tokeN"}).status_code == 403
        assert c.get("/api/model", headers={"X-Pdpsim-Token": "s3cret-token"}).status_code == 200
        assert c.get("/api/model", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert c.get("/api/training").status_code == 401
        r = c.get("/", params={"token": "s3cret-token"})                    # the printed address
        assert r.status_code == 200 and "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/static/app.js").status_code == 200                  # the cookie now carries the token
        assert c.post("/api/train/step", json={}).json()["epoch"] == 1
        c.cookies.clear()
        assert c.get("/api/model").status_code == 401


# ---------------------------------------------------------------- networks in time
def test_network_in_time_ticks_and_derivatives():
    s = ViewerSession(build_spec(CONTINUOUS))
    with TestClient(create_app(s), base_url=BASE) as c:
        m = c.get("/api/model").json()
        assert m["time"]["step"] == "tick" and m["last_step"] == [6, 6, 6] and m["derivs_per_tick"]
        assert {g["name"]: g["layer"] for g in m["groups"]}["cleanup"] == 3
        t0 = c.get("/api/state", params={"example": "b", "tick": 0}).json()
        assert t0["groups"]["hidden"]["output"] == [0.5] * 4              # tick 0: the initial state
        assert t0["groups"]["output"]["target"] == [None] * 3
        assert t0["groups"]["output"]["output_deriv"] == [None] * 3
        last = c.get("/api/state", params={"example": "b"}).json()
        assert last["tick"] == 6 and last["groups"]["output"]["target"] == [0.0, 1.0, 0.0]
        assert last["groups"]["hidden"]["output"] != t0["groups"]["hidden"]["output"]
        snap = s.snapshot()
        assert np.allclose(snap.values["output"]["output"][6], s.net.groups["output"].output)
        # dE/dn of every tick, summed over ticks and examples, is the bias weights' derivative
        for g in ("hidden", "output"):
            assert np.allclose(np.nansum(snap.values[g]["input_deriv"], axis=(0, 1)),
                               snap.weight_deriv[f"bias->{g}"][0])
        assert c.get("/api/state", params={"example": "b", "tick": 7}).status_code == 400
        e1 = c.post("/api/train/step", json={}).json()["error"]
        assert e1 == pytest.approx(float(snap.errors.sum()))
        assert c.get("/api/representations", params={"group": "hidden"}).json()["when"] == "end of each example"
    s.close()


def test_simple_recurrent_network_events():
    s = ViewerSession(build_spec(SRN))
    res = run_test(build_spec(SRN).network, build_spec(SRN).examples)
    with TestClient(create_app(s), base_url=BASE) as c:
        m = c.get("/api/model").json()
        assert m["time"]["step"] == "event" and m["last_step"] == [2, 2]
        for e in range(3):
            st = c.get("/api/state", params={"example": "s2", "tick": e}).json()
            assert st["groups"]["output"]["output"] == pytest.approx(res.event_outputs["output"][1, e].tolist())
        e1 = c.get("/api/state", params={"example": "s1", "tick": 1}).json()
        e0 = c.get("/api/state", params={"example": "s1", "tick": 0}).json()
        assert e1["groups"]["context"]["output"] == pytest.approx(e0["groups"]["hidden"]["output"])
        assert e0["groups"]["context"]["output"] == [0.5] * 3
        assert c.post("/api/train/step", json={}).json()["error"] == pytest.approx(res.total_error)
    s.close()


# ---------------------------------------------------------------- run folders, CLI
def test_run_folder_loads_its_spec_training_and_weights(tmp_path):
    from pdpsim.tools.runs import train_run
    from pdpsim.records.weights import read_weights, save_weights
    train_run("xor", tmp_path / "run", max_epochs=40, learning_rate=0.3)
    s = load_source(tmp_path / "run")
    saved, _ = read_weights(tmp_path / "run" / "weights.npz")
    assert all(np.array_equal(s.net.get_weights()[k], w) for k, w in saved.items())
    assert s.params.learning_rate == 0.3 and s.params.max_epochs == 40
    assert "run" in s.source and "weights.npz" in s.source
    other = pdpsim.load("xor", seed=9)
    save_weights(other.network, tmp_path / "other.npz")
    s2 = load_source(tmp_path / "run", weights=tmp_path / "other.npz")
    assert np.array_equal(s2.net.get_weights()["input->hidden"], other.network.get_weights()["input->hidden"])
    s2.reset()                                                         # reset goes back to those weights
    assert np.array_equal(s2.net.get_weights()["input->hidden"], other.network.get_weights()["input->hidden"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(pdpsim.PdpError, match="no run.json"):
        load_source(tmp_path / "empty")
    (tmp_path / "empty" / "run.json").write_text("{not json")
    with pytest.raises(pdpsim.PdpError, match="not valid JSON"):
        load_source(tmp_path / "empty")
    with pytest.raises(pdpsim.PdpError, match="no such file"):
        load_source("xor", weights=tmp_path / "missing.npz")


def test_cli_bad_arguments():
    from click.testing import CliRunner
    from pdpsim.cli.view import view
    r = CliRunner().invoke(view, ["no-such-spec"])
    assert r.exit_code == 2 and "no shipped spec" in r.output
    r = CliRunner().invoke(view, ["xor", "--port", "70000"])
    assert r.exit_code == 2
    r = CliRunner().invoke(view, ["--help"])
    assert r.exit_code == 0 and "--host" in r.output and "--weights" in r.output
    import click
    from pdpsim.cli.view import register

    @click.group()
    def main():
        pass

    register(main)                                                     # as pdpsim.cli.main does
    r = CliRunner().invoke(main, ["view", "--help"])
    assert r.exit_code == 0 and "SPEC|RUN_DIR" in r.output


def fetch(url, headers=None):
    """(status, JSON) of a GET to a real server."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            status = r.status
            ctype = r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        body, status, ctype = e.read(), e.code, e.headers.get("content-type", "")
    return status, (json.loads(body) if ctype.startswith("application/json") else body.decode())


def _start_cli(*args):
    proc = subprocess.Popen([sys.executable, "-m", "pdpsim.cli.view", "xor", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+)", line)
    if not m:
        proc.kill()
        raise AssertionError(f"no address printed: {line!r} {proc.stderr.read()}")
    return proc, m.group(1)


def test_cli_serves_on_loopback_and_prints_the_address():
    proc, url = _start_cli()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        status, model = fetch(url + "api/model")
        assert status == 200 and model["name"] == "xor"
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_with_host_requires_the_printed_token():
    proc, url = _start_cli("--host", "127.0.0.1")
    try:
        m = re.fullmatch(r"(http://127\.0\.0\.1:\d+/)\?token=([\w-]{20,})", url)
        assert m
        base, token = m.groups()
        assert fetch(base + "api/model")[0] == 401
        assert fetch(base + "api/model", {"X-Pdpsim-Token": token + "x"})[0] == 403
        assert fetch(url)[0] == 200
        assert fetch(base + "api/model", {"X-Pdpsim-Token": token})[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_server_thread(session):
    from pdpsim.viewer.server import ServerThread
    with ServerThread(session) as srv:
        assert fetch(srv.url + "api/training") == (200, fetch(srv.url + "api/training")[1])
        assert fetch(srv.url + "api/training")[1]["epoch"] == 0


# ---------------------------------------------------------------- notebooks
def test_jupyter_displays():
    from pdpsim.viewer import jupyter
    m = pdpsim.load("xor")
    html = jupyter.network_html(m.network)
    assert "Network 'xor'" in html and "input-&gt;hidden" in html and "<svg" in html
    assert "after a forward pass" in html
    res = train(m.network, m.examples, m.training, max_epochs=50)
    assert "outputs of the first example" in jupyter.network_html(m.network)
    assert "Example set 'xor'" in jupyter.examples_html(m.examples) and "11" in jupyter.examples_html(m.examples)
    t = jupyter.training_result_html(res)
    assert "50 epochs" in t and "polyline" in t and "max_epochs" in t
    net = pdpsim.Network("<script>alert(1)</script>")
    net.add_group("<b>", 2, kind="INPUT")
    net.add_group("out", 1, kind="OUTPUT")
    net.connect("<b>", "out")
    html = jupyter.network_html(net)
    assert "<script>" not in html and "&lt;b&gt;" in html
    classes = (pdpsim.Network, pdpsim.ExampleSet, pdpsim.TrainingResult)
    saved = {cls: cls.__dict__.get("_repr_html_") for cls in classes}
    try:
        jupyter.install()
        assert m.network._repr_html_().startswith("<div")
        assert "Example set" in m.examples._repr_html_() and "Training" in res._repr_html_()
    finally:
        for cls, old in saved.items():
            if old is not None:
                cls._repr_html_ = old
            elif "_repr_html_" in cls.__dict__:
                delattr(cls, "_repr_html_")


def test_a_stream_of_one_example_compares_its_events():
    """Elman's letter stream is one example of ~2000 events: its representations are the
    hidden patterns of its first 200 events."""
    from pdpsim.viewer.session import REPRESENTATION_STEPS
    s = load_source("elman-letters")
    try:
        r = s.representations("hidden", "pca")
    finally:
        s.close()
    assert r["names"][:2] == ["event 0", "event 1"] and len(r["names"]) == REPRESENTATION_STEPS
    assert np.asarray(r["patterns"]).shape == (REPRESENTATION_STEPS, 20)
    assert "events 0-199 of example" in r["when"]
