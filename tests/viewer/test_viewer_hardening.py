"""The viewer against clients that misbehave: two viewers on one host, stalled bodies."""
import asyncio
import warnings

import pytest

pytest.importorskip("starlette", reason="the viewer needs starlette (a pdpsim dependency)")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")     # Starlette >= 1.10 prefers the httpx2 fork
    try:
        from starlette.testclient import TestClient
    except RuntimeError as e:
        pytest.skip(f"Starlette's test client needs httpx (pdpsim[test]): {e}", allow_module_level=True)

import pdpsim  # noqa: E402
from pdpsim.viewer import server  # noqa: E402
from pdpsim.viewer.server import create_app  # noqa: E402
from pdpsim.viewer.session import ViewerSession  # noqa: E402


@pytest.fixture
def session():
    s = ViewerSession(pdpsim.load("xor"))
    yield s
    s.close()


def test_each_port_has_its_own_token_cookie(session):
    """A browser sends a host's cookies to all its ports: viewer A's cookie must not stand in
    for viewer B's token, nor B's login overwrite A's."""
    a = create_app(session, token="token-a", allowed_hosts=None)
    b = create_app(session, token="token-b", allowed_hosts=None)
    with TestClient(a, base_url="http://192.0.2.10:8001") as ca, TestClient(b, base_url="http://192.0.2.10:8002") as cb:
        ra = ca.get("/", params={"token": "token-a"})
        rb = cb.get("/", params={"token": "token-b"})
        assert ra.headers["set-cookie"].startswith("pdpsim_token_8001=token-a;")
        assert rb.headers["set-cookie"].startswith("pdpsim_token_8002=token-b;")
        jar = "pdpsim_token_8001=token-a; pdpsim_token_8002=token-b"          # what the browser now sends
        ca.cookies.clear()
        cb.cookies.clear()
        assert ca.get("/api/model", headers={"cookie": jar}).status_code == 200
        assert cb.get("/api/model", headers={"cookie": jar}).status_code == 200
        assert cb.get("/api/model", headers={"cookie": "pdpsim_token_8001=token-a"}).status_code == 401
        assert cb.get("/api/model", headers={"cookie": "pdpsim_token_8002=token-a"}).status_code == 403


def _call(app, scope, receive):
    sent = []

    async def send(message):
        sent.append(message)
    asyncio.run(app(scope, receive, send))
    return sent


def test_a_stalled_body_is_answered_408(session, monkeypatch):
    monkeypatch.setattr(server, "BODY_TIMEOUT", 0.2)
    app = create_app(session)
    scope = {"type": "http", "method": "POST", "path": "/api/train/step", "raw_path": b"/api/train/step",
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                         (b"content-length", b"100")]}

    async def receive():                 # the headers came; the body never does
        await asyncio.sleep(3600)
    sent = _call(app, scope, receive)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 408
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"did not arrive within 0.2 s" in body
    assert session.epoch == 0                          # nothing was trained


def test_a_slow_but_steady_body_is_read(session, monkeypatch):
    monkeypatch.setattr(server, "BODY_TIMEOUT", 5.0)
    app = create_app(session)
    scope = {"type": "http", "method": "POST", "path": "/api/train/step", "raw_path": b"/api/train/step",
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json")]}
    parts = [b"{", b"}"]

    async def receive():
        await asyncio.sleep(0.05)
        chunk = parts.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(parts)}
    sent = _call(app, scope, receive)
    assert next(m for m in sent if m["type"] == "http.response.start")["status"] == 200
    assert session.epoch == 1
