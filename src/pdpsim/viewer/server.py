"""The viewer's web app: a static page and a small JSON API (Starlette, served by uvicorn).

API (every response is JSON; errors are ``{"error": message}`` with a 4xx status)::

    GET  /api/model                               groups, link blocks, examples, time, training parameters,
                                                  the drawing's layout (boxes of groups, units, labels);
                                                  a Lens script's session adds ``lens``: the display
                                                  commands it gave (pdpsim.viewer.scripts)
    GET  /api/state?example=NAME&tick=T           every group's output, net_input, target, output_deriv,
                                                  input_deriv for one example (``index=I`` instead of a
                                                  name) at one tick/event (default: the last)
    GET  /api/block?name=SRC->DST&view=weights    a link block's weights, or ``view=deriv``: dE/dw
    GET  /api/training?since=EPOCH                epoch, running, the error curve after ``since``
    GET  /api/representations?group=G&method=mds  dissimilarity matrix and MDS/PCA coordinates
    GET  /api/unit?group=G&unit=U                 one unit (index or name): its incoming and outgoing
                                                  links, each with its weight and the unit at the other end
    GET  /api/watches                             the graphs open: id, label, what each follows
    GET  /api/history?id=N&since=EPOCH            a graph's values: [[epoch, value], ...] after ``since``
    POST /api/watch   {"value": V, ...}           graph a value over training, recorded now and after every
                                                  epoch: V output, net_input, target, output_deriv,
                                                  input_deriv (with group, unit, example, tick), error
                                                  (example; none: all), weight (block, from, to);
                                                  a Lens script's session: object (path: a Lens object)
    POST /api/unwatch {"id": N}                   close a graph
    POST /api/examples {"set": NAME}              show another example set (a Lens script's session may
                                                  hold several; GET /api/model lists them); the model
    POST /api/train/step    {}                    one epoch, now
    POST /api/train/run     {"epochs": N}         N epochs in the background; returns at once
    POST /api/train/pause   {}
    POST /api/train/reset   {"seed": S or null}   where the session started (null: epoch 0, or a run
                                                  folder's last epoch and curve) or fresh weights drawn with S

POST bodies must be JSON objects sent as ``application/json``. Nothing in a
request names a file: the page's three files are read once from the package
when the app is built, and the model was read when the session was made.

Safety: bound to 127.0.0.1 by default, where requests must carry a loopback
``Host`` header (against DNS rebinding) and POSTs from another origin are
refused. With ``--host`` every request needs the access token, as
``?token=`` (the page's address; the reply sets an HttpOnly cookie), an
``X-Pdpsim-Token`` header, ``Authorization: Bearer ...`` or that cookie:
without one a request gets 401, with a wrong one 403.
"""
from __future__ import annotations

import asyncio
import json
import math
import secrets
import socket
import sys
from importlib import resources
from typing import Callable
from urllib.parse import parse_qs

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pdpsim.validation import PdpError
from pdpsim.viewer.session import ViewerError, ViewerSession

STATIC = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
          "app.css": "text/css; charset=utf-8"}
#: Host header names accepted when serving on loopback without a token
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_COOKIE = "pdpsim_token"      # + "_PORT": browsers share cookies between a host's ports
MAX_BODY = 16 * 1024
#: seconds a client may take to send a request body; a stalled one gets 408
BODY_TIMEOUT = 10.0
#: connections served at once (more get 503): stalled clients cannot hold every slot
MAX_CONNECTIONS = 64
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
]


# ---------------------------------------------------------------- JSON
def jsonable(obj):
    """Plain JSON data: arrays to lists, NaN and infinities to null."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        a = np.asarray(obj, dtype=float)
        if np.isfinite(a).all():
            return a.tolist()
        o = a.astype(object)
        o[~np.isfinite(a)] = None
        return o.tolist()
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


class JsonResponse(JSONResponse):
    def render(self, content) -> bytes:
        return json.dumps(jsonable(content), allow_nan=False, separators=(",", ":")).encode()


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status_code=status)


# ---------------------------------------------------------------- requests
def _query(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    q = {}
    for key, value in request.query_params.multi_items():
        if key == "token":
            continue
        if key not in allowed:
            raise ViewerError(f"unknown query parameter '{key}'" + (f" (expected: {', '.join(allowed)})"
                                                                     if allowed else ""))
        if key in q:
            raise ViewerError(f"query parameter '{key}' given twice")
        q[key] = value
    return q


async def _body(request: Request, allowed: tuple[str, ...]) -> dict:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise HTTPException(415, "send the request body as JSON (Content-Type: application/json)")
    async def read() -> bytes:
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                raise HTTPException(413, f"request body over {MAX_BODY} bytes")
        return raw
    try:
        raw = await asyncio.wait_for(read(), BODY_TIMEOUT)
    except asyncio.TimeoutError:
        raise HTTPException(408, f"the request body did not arrive within {BODY_TIMEOUT:g} s") from None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ViewerError(f"the request body is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ViewerError("the request body must be a JSON object")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ViewerError(f"unknown key(s) {', '.join(repr(k) for k in unknown)} in the request body"
                          + (f" (expected: {', '.join(allowed)})" if allowed else " (expected none)"))
    return data


# ---------------------------------------------------------------- guard
def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware: Host and Origin checks on loopback, the access token otherwise, safety headers."""

    def __init__(self, app, token: str | None, allowed_hosts: tuple[str, ...] | None):
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            return await self._deny(send, 403, f"unexpected Host header {host!r}: the viewer answers "
                                               "only on its loopback address")
        origin = headers.get("origin")
        if scope["method"] not in ("GET", "HEAD") and origin is not None and origin != f"http://{host}":
            return await self._deny(send, 403, f"requests from another origin ({origin}) are refused")
        set_cookie = False
        if self.token is not None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            supplied = None
            if "x-pdpsim-token" in headers:
                supplied = headers["x-pdpsim-token"]
            elif headers.get("authorization", "").lower().startswith("bearer "):
                supplied = headers["authorization"][7:].strip()
            elif query.get("token"):
                supplied = query["token"][0]
                set_cookie = scope["path"] == "/"
            else:
                supplied = _cookie(headers.get("cookie", ""), _cookie_name(scope))
            if not supplied:
                return await self._deny(send, 401, "an access token is required: open the address "
                                                   "`pdpsim view` printed, with its ?token=")
            if not secrets.compare_digest(supplied.encode(), self.token.encode()):
                return await self._deny(send, 403, "wrong access token")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = list(SECURITY_HEADERS)
                if set_cookie:
                    extra.append((b"set-cookie", f"{_cookie_name(scope)}={self.token}; HttpOnly; "
                                                 "SameSite=Strict; Path=/".encode()))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    async def _deny(self, send, status: int, message: str):
        body = json.dumps({"error": message}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())] + SECURITY_HEADERS})
        await send({"type": "http.response.body", "body": body})


def _cookie_name(scope) -> str:
    """The token cookie of the server this request reached: one name per port, so that two
    viewers on one host (each with its own token) do not overwrite each other's cookie."""
    server = scope.get("server") or (None, None)
    return f"{TOKEN_COOKIE}_{server[1]}" if server[1] else TOKEN_COOKIE


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


# ---------------------------------------------------------------- the app
def _static_files() -> dict[str, bytes]:
    root = resources.files("pdpsim.viewer").joinpath("static")
    return {name: root.joinpath(name).read_bytes() for name in STATIC}


def create_app(session: ViewerSession, token: str | None = None,
               allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS) -> Starlette:
    """The viewer's ASGI app for ``session``.

    ``token``: required on every request when given. ``allowed_hosts``: Host
    header names accepted (None: any; the default suits a loopback server).
    """
    files = _static_files()

    def static(name: str) -> Response:
        return Response(files[name], media_type=STATIC[name])

    async def index(request: Request) -> Response:
        return static("index.html")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files:
            raise HTTPException(404, f"no such file: {name!r}")
        return static(name)

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    def model(request: Request):
        _query(request, ())
        return JsonResponse(session.describe())

    def state(request: Request):
        q = _query(request, ("example", "index", "tick"))
        return JsonResponse(session.state(q.get("example"), q.get("tick"), index=q.get("index")))

    def block(request: Request):
        q = _query(request, ("name", "view"))
        if "name" not in q:
            raise ViewerError("give the link block as ?name=SOURCE->DEST")
        return JsonResponse(session.block_view(q["name"], q.get("view", "weights")))

    def training(request: Request):
        q = _query(request, ("since",))
        return JsonResponse(session.training_status(q.get("since")))

    def representations(request: Request):
        q = _query(request, ("group", "method"))
        if "group" not in q:
            raise ViewerError("give the group as ?group=NAME")
        return JsonResponse(session.representations(q["group"], q.get("method", "mds")))

    def unit(request: Request):
        q = _query(request, ("group", "unit"))
        if "group" not in q or "unit" not in q:
            raise ViewerError("give the unit as ?group=NAME&unit=INDEX (or the unit's name)")
        return JsonResponse(session.unit(q["group"], q["unit"]))

    def watches(request: Request):
        _query(request, ())
        return JsonResponse(session.watch_list())

    def history(request: Request):
        q = _query(request, ("id", "since"))
        if "id" not in q:
            raise ViewerError("give the graph as ?id=N (POST /api/watch opens one)")
        return JsonResponse(session.history(q["id"], q.get("since")))

    async def watch(request: Request):
        body = await _body(request, ("value", "group", "unit", "example", "index", "tick", "block", "from", "to",
                                     "path"))
        return JsonResponse(await run_in_threadpool(session.watch, body))

    async def examples(request: Request):
        body = await _body(request, ("set",))
        if not isinstance(body.get("set"), str):
            raise ViewerError("give the example set: {\"set\": NAME}")
        return JsonResponse(await run_in_threadpool(session.use_examples, body["set"]))

    async def unwatch(request: Request):
        body = await _body(request, ("id",))
        if "id" not in body:
            raise ViewerError("give the graph: {\"id\": N}")
        return JsonResponse(await run_in_threadpool(session.unwatch, body["id"]))

    async def step(request: Request):
        await _body(request, ())
        return JsonResponse(await run_in_threadpool(session.step))

    async def run(request: Request):
        body = await _body(request, ("epochs",))
        if "epochs" not in body:
            raise ViewerError("give the number of epochs: {\"epochs\": N}")
        return JsonResponse(await run_in_threadpool(session.start, body["epochs"]))

    async def pause(request: Request):
        await _body(request, ())
        return JsonResponse(await run_in_threadpool(session.pause))

    async def reset(request: Request):
        body = await _body(request, ("seed",))
        return JsonResponse(await run_in_threadpool(session.reset, body.get("seed")))

    async def on_pdp_error(request: Request, exc: PdpError):
        return _error(getattr(exc, "status", 400), str(exc))

    async def on_http(request: Request, exc: HTTPException):
        detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else \
            f"no such page: {request.url.path}"
        return _error(exc.status_code, str(detail))

    async def on_crash(request: Request, exc: Exception):
        return _error(500, f"internal error ({type(exc).__name__}); the server goes on")

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name}", asset, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/api/model", model, methods=["GET"]),
        Route("/api/state", state, methods=["GET"]),
        Route("/api/block", block, methods=["GET"]),
        Route("/api/training", training, methods=["GET"]),
        Route("/api/representations", representations, methods=["GET"]),
        Route("/api/unit", unit, methods=["GET"]),
        Route("/api/watches", watches, methods=["GET"]),
        Route("/api/history", history, methods=["GET"]),
        Route("/api/watch", watch, methods=["POST"]),
        Route("/api/unwatch", unwatch, methods=["POST"]),
        Route("/api/examples", examples, methods=["POST"]),
        Route("/api/train/step", step, methods=["POST"]),
        Route("/api/train/run", run, methods=["POST"]),
        Route("/api/train/pause", pause, methods=["POST"]),
        Route("/api/train/reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={PdpError: on_pdp_error, HTTPException: on_http,
                                                       Exception: on_crash})
    app.state.session = session
    return Guard(app, token, allowed_hosts)


# ---------------------------------------------------------------- serving
def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise PdpError(f"--host {host}: not an address of this machine ({e.strerror})") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        raise PdpError(f"cannot listen on {host} port {port}: {e.strerror}") from None
    sock.listen(64)
    sock.setblocking(False)
    return sock


def address(host: str, port: int, token: str | None = None) -> str:
    h = f"[{host}]" if ":" in host else host
    return f"http://{h}:{port}/" + (f"?token={token}" if token else "")


def serve(session: ViewerSession, host: str | None = None, port: int = 0,
          echo: Callable[[str], None] = print) -> None:
    """Serve ``session`` until interrupted: on 127.0.0.1 (no token), or on ``host`` with a random token.

    Prints the address (with the token) and opens nothing else.
    """
    import uvicorn
    bind = "127.0.0.1" if host is None else host
    token = None if host is None else secrets.token_urlsafe(24)
    sock = _bind(bind, port)
    actual = sock.getsockname()[1]
    app = create_app(session, token=token, allowed_hosts=LOOPBACK_HOSTS if host is None else None)
    echo(f"pdpsim view: {session.net.name} ({session.source}) at {address(bind, actual, token)}")
    if token:
        echo("anyone who can reach this address needs the token above; Ctrl-C stops the server")
    else:
        echo("on this machine only (loopback); Ctrl-C stops the server")
    sys.stdout.flush()
    config = uvicorn.Config(app, host=bind, port=actual, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2, limit_concurrency=MAX_CONNECTIONS)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:          # Ctrl-C: uvicorn has shut down; end quietly
        pass
    finally:
        session.close()
        sock.close()


class ServerThread:
    """The viewer served from a background thread of this process (notebooks, tests)::

        from pdpsim.viewer import ViewerSession
        from pdpsim.viewer.server import ServerThread
        srv = ServerThread(ViewerSession(pdpsim.load("xor")))
        srv.url            # http://127.0.0.1:PORT/
        srv.stop()

    Listens on 127.0.0.1. With ``token``, every request needs it, as with ``pdpsim view --host``
    (``url`` then carries it).
    """

    def __init__(self, session: ViewerSession, port: int = 0, timeout: float = 10.0, token: str | None = None):
        import threading
        import time
        import uvicorn
        self.session = session
        sock = _bind("127.0.0.1", port)
        self.port = sock.getsockname()[1]
        self.url = address("127.0.0.1", self.port, token)
        app = create_app(session, token=token, allowed_hosts=None if token else LOOPBACK_HOSTS)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="off", timeout_graceful_shutdown=1,
                                limit_concurrency=MAX_CONNECTIONS)
        self._server = uvicorn.Server(config)
        self._sock = sock
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="pdpsim-view-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise PdpError("the viewer's server did not start")
            time.sleep(0.01)

    def stop(self, timeout: float = 5.0) -> None:
        self.session.close()
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> "ServerThread":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
