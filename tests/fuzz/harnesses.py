"""Fuzz harnesses: each takes raw bytes and checks a property ctxcore promises for any input.

Every harness is a plain function, so the corpus replays through it under pytest on
every Python (``tests/fuzz/test_corpus.py``); ``python -m tests.fuzz NAME`` drives one
with atheris (coverage-guided) where atheris is installed. A harness raises only when a
property breaks; an input the code refuses cleanly is a pass.

* ``session_cookie``: a session cookie, garbage or correctly signed around any payload,
  gives a session (empty when unusable), never an error.
* ``request``: an HTTP request built from the bytes (method, path, query, headers,
  body), through ``scope_to_environ`` and the App: a 2xx/3xx/4xx answer, never a 5xx,
  and no context left pushed.
* ``request_id``: ``ContextMiddleware`` keeps a sane incoming id and replaces anything
  else; what it keeps is always sane.
* ``json``: the ujson/orjson providers and the patched ``json`` module parse what the
  standard library parses to the same value (or refuse what it refuses), and dump
  values that load back equal.
"""

from __future__ import annotations

import json as std_json
import math
import re
from collections.abc import Callable
from typing import Any

HARNESSES: dict[str, Callable[[bytes], None]] = {}


def harness(func: Callable[[bytes], None]) -> Callable[[bytes], None]:
    HARNESSES[func.__name__] = func
    return func


class Source:
    """Reads typed values from fuzz bytes (atheris' FuzzedDataProvider, without atheris)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        value = self.data[self.pos]
        self.pos += 1
        return value

    def take(self, limit: int) -> bytes:
        size = min(self.byte() % (limit + 1), len(self.data) - self.pos)
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def text(self, limit: int) -> str:
        return self.take(limit).decode("utf-8", "surrogateescape")

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk


_app: Any = None


def app() -> Any:
    """One App for every run: routes that read what a request carries."""
    global _app
    if _app is None:
        from ctxcore import App, jsonify, request, session

        built = App("fuzz")
        built.config["SECRET_KEY"] = "fuzz-secret"

        @built.route("/", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
        def index() -> Any:
            visits = session.get("visits", 0)
            session["visits"] = visits + 1 if isinstance(visits, int) else 1
            return jsonify(
                args=request.args.to_dict(flat=False),
                form=request.form.to_dict(flat=False),
                json=request.get_json(silent=True),
                cookies=len(request.cookies),
                files=len(request.files),
            )

        @built.route("/items/<int:item>/<path:rest>")
        def item(item: int, rest: str) -> Any:
            return {"item": item, "rest": rest, "q": request.args.get("q")}

        _app = built
    return _app


@harness
def session_cookie(data: bytes) -> None:
    src = Source(data)
    application = app()
    interface = application.session_interface
    serializer = interface.get_signing_serializer(application)
    if src.byte() % 2:
        # Correctly signed, so the payload decoding (base64, zlib, JSON) is what runs.
        raw = serializer.make_signer().sign(src.rest()).decode("latin-1")
    else:
        raw = src.rest().decode("latin-1")
    cookie = raw.replace("\r", "").replace("\n", "")
    with application.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as ctx:
        found = interface.open_session(application, ctx.request)
        assert found is not None
        assert isinstance(dict(found), dict)


_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_HEADER_NAMES = (
    b"content-type",
    b"content-length",
    b"cookie",
    b"transfer-encoding",
    b"host",
    b"accept",
    b"x-forwarded-for",
)


@harness
def request(data: bytes) -> None:
    from ctxcore.adapters.asgi import scope_to_environ

    from ctxcore._stacks import top_app_context, top_request_context

    src = Source(data)
    method = _METHODS[src.byte() % len(_METHODS)]
    path = "/" + src.text(40)
    if src.byte() % 2:
        path = f"/items/{src.byte()}/{src.text(20)}"
    headers = []
    for _ in range(src.byte() % 6):
        name = _HEADER_NAMES[src.byte() % len(_HEADER_NAMES)]
        headers.append((name, src.take(60)))
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": src.take(60),
        "root_path": "",
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
    }
    environ = scope_to_environ(scope, src.rest())
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    body = app()(environ, start_response)
    try:
        b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    code = int(statuses[-1].split(" ", 1)[0])
    assert code < 500, f"{statuses[-1]} for {scope!r}"
    assert top_request_context() is None
    assert top_app_context() is None


_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@harness
def request_id(data: bytes) -> None:
    from ctxcore.adapters.middleware import ContextMiddleware

    middleware = ContextMiddleware(lambda environ, start_response: [])
    incoming = data.decode("latin-1")
    chosen = middleware._choose(incoming)
    assert _SANE.fullmatch(chosen), chosen
    if _SANE.fullmatch(incoming):
        assert chosen == incoming
    else:
        assert chosen != incoming


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: NaN equals NaN, and 1 == 1.0 only when both are numbers."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _loads(func: Callable[[str], Any], text: str) -> tuple[bool, Any]:
    try:
        return True, func(text)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return False, None


@harness
def json(data: bytes) -> None:
    from ctxcore import json as ctx_json
    from ctxcore.json.provider import get_provider

    text = data.decode("utf-8", "replace")
    ok, expected = _loads(std_json.loads, text)
    for backend in ("ujson", "orjson"):
        provider = get_provider(backend)
        parsed_ok, parsed = _loads(provider.loads, text)
        if ok and parsed_ok:
            assert _same(parsed, expected), (backend, text, parsed, expected)
        if ok and parsed_ok:
            # The plain call, and the compact and indented ones responses make (the
            # fast library's path).
            for options in ({}, {"separators": (",", ":")}, {"indent": 2}):
                dumped = provider.dumps(parsed, **options)
                assert _same(std_json.loads(dumped), parsed), (backend, options, dumped)
        with ctx_json.patched(backend):
            patched_ok, patched = _loads(std_json.loads, text)
        # The patch falls back to the standard library for what the fast one refuses:
        # whatever the standard library parses, the patched module parses the same.
        # (ujson is lenient: it also reads some invalid documents, such as numbers with
        # leading zeros; tests/engine/test_json.py pins that difference. orjson is not.)
        if ok:
            assert patched_ok, (backend, text)
            assert _same(patched, expected), (backend, text, patched, expected)
        elif backend == "orjson":
            assert not patched_ok, (backend, text)
