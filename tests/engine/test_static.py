"""Static files: the static routes, send_file and send_from_directory, real servers.

Compared with Flask where both serve the same folder. The real-server tests start
gunicorn (gthread), uvicorn (uvloop) and gevent's server on 127.0.0.1, serve a rendered page and a
1 MiB static file through them, and check the file is closed once it is sent.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import flask
import httpx
import pytest
from ctxcore.adapters.asgi import FILE_CHUNK
from werkzeug.exceptions import NotFound

import ctxcore
from ctxcore import App, Blueprint, send_file, send_from_directory, url_for
from tests.adapters.servers import HOST, running_server
from tests.engine.apps.templated import build

HEADERS = ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control")


def get(app: Any, path: str, **kwargs: Any) -> Any:
    """One request through the test client, read and closed (closing frees the file)."""
    response = app.test_client().get(path, **kwargs)
    response.get_data()
    response.close()
    return response


@pytest.fixture(scope="module")
def apps() -> tuple[Any, Any]:
    return build(ctxcore), build(flask)


@pytest.mark.parametrize(
    "path", ["/static/css/site.css", "/static/app.js", "/admin/static/admin.css"]
)
def test_static_file_same_as_flask(apps: tuple[Any, Any], path: str) -> None:
    ours, flasks = (get(app, path) for app in apps)
    assert ours.status_code == flasks.status_code == 200
    assert ours.data == flasks.data
    assert ours.data == (Path(apps[0].root_path) / path.lstrip("/")).read_bytes()
    for name in HEADERS:
        assert ours.headers.get(name) == flasks.headers.get(name), name
    assert ours.headers["ETag"]
    assert ours.headers["Last-Modified"]


def test_static_route_and_url_for(apps: tuple[Any, Any]) -> None:
    app = apps[0]
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["static"] == "/static/<path:filename>"
    assert rules["admin.static"] == "/admin/static/<path:filename>"
    assert "shop.static" not in rules  # no static folder
    with app.test_request_context():
        assert url_for("static", filename="a b.css") == "/static/a%20b.css"
        assert url_for("admin.static", filename="x.css") == "/admin/static/x.css"


def test_conditional_requests_answer_304(apps: tuple[Any, Any]) -> None:
    app = apps[0]
    first = get(app, "/static/css/site.css")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get(app, "/static/css/site.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = get(app, "/static/css/site.css", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    changed = get(app, "/static/css/site.css", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_range_request_answers_206(apps: tuple[Any, Any]) -> None:
    data = (Path(apps[0].static_folder) / "css" / "site.css").read_bytes()
    for app in apps:
        response = get(app, "/static/css/site.css", headers={"Range": "bytes=5-9"})
        assert response.status_code == 206
        assert response.data == data[5:10]
        assert response.headers["Content-Range"] == f"bytes 5-9/{len(data)}"


@pytest.mark.parametrize(
    "path",
    [
        "/static/missing.css",
        "/static/css",  # a folder
        "/static/../__init__.py",
        "/static/..%2f__init__.py",
        "/static/css/..%2F..%2F__init__.py",
        "/static/%2e%2e/__init__.py",
        "/static/%2Fetc%2Fpasswd",
        "/static//etc/passwd",
        "/admin/static/../../__init__.py",
    ],
)
def test_missing_or_outside_is_404(apps: tuple[Any, Any], path: str) -> None:
    for app in apps:
        # follow_redirects: werkzeug first merges a doubled slash with a redirect.
        assert get(app, path, follow_redirects=True).status_code == 404, (app, path)


def test_send_from_directory_refuses_traversal(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    app = App(__name__, root_path=str(tmp_path))
    with app.test_request_context():
        for path in ("../secret.txt", "/etc/passwd", "..", "a/../../secret.txt"):
            with pytest.raises(NotFound):
                send_from_directory(tmp_path / "inside", path)


def test_static_options(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.txt").write_text("asset")
    app = App(__name__, root_path=str(tmp_path), static_folder="assets", static_url_path="/s")
    assert get(app, "/s/a.txt").data == b"asset"
    none = App(__name__, root_path=str(tmp_path), static_folder=None)
    assert "static" not in {rule.endpoint for rule in none.url_map.iter_rules()}
    hosted = App(
        __name__, root_path=str(tmp_path), static_folder="assets",
        static_host="cdn.test", host_matching=True,
    )  # fmt: skip
    hosted.add_url_rule("/", "index", lambda: "index", host="www.test")
    assert get(hosted, "/assets/a.txt", base_url="http://cdn.test").data == b"asset"
    assert get(hosted, "/assets/a.txt", base_url="http://www.test").status_code == 404
    with pytest.raises(ValueError, match="needs static_host"):
        App(__name__, root_path=str(tmp_path), host_matching=True)
    App(__name__, host_matching=True, static_folder=None)  # no static route: no host needed


def test_static_folder_changed_later_is_served_from(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "f.txt").write_text(name)
    app = App(__name__, root_path=str(tmp_path), static_folder="one")
    assert get(app, "/one/f.txt").data == b"one"
    app.static_folder = "two"  # the route stays where it was, as in Flask
    assert get(app, "/one/f.txt").data == b"two"


def test_blueprint_static_without_prefix_is_shadowed_by_the_app(tmp_path: Path) -> None:
    for folder in ("static", "bp/static"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "f.txt").write_text(folder)
    app = App(__name__, root_path=str(tmp_path))
    bp = Blueprint("bp", __name__, static_folder="bp/static", root_path=str(tmp_path))
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again", url_prefix="/again")
    assert get(app, "/static/f.txt").data == b"static"
    assert get(app, "/again/static/f.txt").data == b"bp/static"


def test_max_age_from_config(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "f.txt").write_text("f")
    app = App(__name__, root_path=str(tmp_path))
    assert "max-age" not in get(app, "/static/f.txt").headers.get("Cache-Control", "")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 60
    assert "max-age=60" in get(app, "/static/f.txt").headers["Cache-Control"]
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(hours=1)
    assert "max-age=3600" in get(app, "/static/f.txt").headers["Cache-Control"]
    with app.app_context():
        assert app.get_send_file_max_age("f.txt") == 3600


def test_send_file_of_bytesio_with_download_name() -> None:
    app = App(__name__)

    @app.route("/report")
    def report() -> Any:
        return send_file(io.BytesIO(b"a,b\n1,2\n"), download_name="report.csv", as_attachment=True)

    @app.route("/inline")
    def inline() -> Any:
        return send_file(io.BytesIO(b"\x89PNG"), mimetype="image/png")

    response = get(app, "/report")
    assert response.status_code == 200
    assert response.data == b"a,b\n1,2\n"
    assert response.headers["Content-Disposition"] == "attachment; filename=report.csv"
    assert response.mimetype == "text/csv"
    assert isinstance(response, ctxcore.Response)
    inline_response = get(app, "/inline")
    assert inline_response.mimetype == "image/png"
    assert "Content-Disposition" not in inline_response.headers


def test_send_file_path_relative_to_root_and_x_sendfile(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("data")
    app = App(__name__, root_path=str(tmp_path))
    app.add_url_rule("/f", "f", lambda: send_file("data.txt"))
    assert get(app, "/f").data == b"data"
    app.config["USE_X_SENDFILE"] = True
    response = get(app, "/f")
    assert response.headers["X-Sendfile"] == str(tmp_path / "data.txt")
    assert response.data == b""


def test_send_file_outside_a_request_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="needs an active request context"):
        send_file(io.BytesIO(b"x"), download_name="x.txt")


def test_send_static_file_without_a_folder() -> None:
    app = App(__name__, static_folder=None)
    with app.test_request_context(), pytest.raises(RuntimeError, match="static_folder"):
        app.send_static_file("x")


# -- through the ASGI adapter and real servers --------------------------------------------


def _open_fds_to(pid: int | str, path: Path) -> int:
    count = 0
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(entry) == str(path):
                count += 1
        except OSError:  # closed meanwhile
            continue
    return count


def _big_static(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    big = folder / "big.bin"
    big.write_bytes(os.urandom(1 << 20))
    return big


def _asgi_get(app: App, path: str, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    """What ``app.asgi`` sends for one GET from a client that stays connected."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip

    async def main() -> None:
        messages = iter([{"type": "http.request", "body": b"", "more_body": False}])
        connected = asyncio.Event()  # never set: no http.disconnect

        async def receive() -> dict[str, Any]:
            for message in messages:
                return message
            await connected.wait()
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app.asgi(scope, receive, send)

    asyncio.run(main())
    return sent


def test_asgi_sends_a_file_in_chunks_and_closes_it(tmp_path: Path) -> None:
    big = _big_static(tmp_path / "static")
    data = big.read_bytes()
    app = App(__name__, root_path=str(tmp_path))
    sent = _asgi_get(app, "/static/big.bin", [])
    assert sent[0]["status"] == 200
    bodies = [m["body"] for m in sent[1:]]
    assert b"".join(bodies) == data
    assert len(bodies) >= len(data) // FILE_CHUNK, "sent as one message, not streamed"
    assert max(len(b) for b in bodies) <= FILE_CHUNK
    assert len(bodies[0]) == FILE_CHUNK  # not werkzeug's 8 KiB: fewer thread hops
    assert sent[-1]["more_body"] is False
    assert _open_fds_to("self", big) == 0


@pytest.mark.parametrize(
    ("header", "status", "length"),
    [(b"range", 206, 1000), (b"if-none-match", 304, 0), (b"if-modified-since", 304, 0)],
)
def test_asgi_conditional_and_range_close_the_file(
    tmp_path: Path, header: bytes, status: int, length: int
) -> None:
    big = _big_static(tmp_path / "static")
    app = App(__name__, root_path=str(tmp_path))
    first = dict(_asgi_get(app, "/static/big.bin", [])[0]["headers"])
    value = {
        b"range": b"bytes=1000-1999",
        b"if-none-match": first[b"etag"],
        b"if-modified-since": first[b"last-modified"],
    }[header]
    sent = _asgi_get(app, "/static/big.bin", [(header, value)])
    assert sent[0]["status"] == status
    body = b"".join(m["body"] for m in sent[1:])
    assert body == big.read_bytes()[1000:2000][:length]
    assert _open_fds_to("self", big) == 0


def _process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            children = (task / "children").read_text().split()
            todo.extend(int(child) for child in children)
    return found


SERVERS = [
    pytest.param(
        ("gunicorn", "--threads", "4", "--worker-class", "gthread"), id="gunicorn-gthread"
    ),
    pytest.param(("uvicorn", "--loop", "uvloop"), id="uvicorn-uvloop"),
    pytest.param(("gevent",), id="gevent"),
]


@pytest.fixture(scope="module")
def big_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("static")
    (folder / "css").mkdir()
    here = Path(build.__code__.co_filename).parent
    (folder / "css" / "site.css").write_bytes((here / "static" / "css" / "site.css").read_bytes())
    return _big_static(folder)


@pytest.fixture(scope="module", params=SERVERS)
def served(request: pytest.FixtureRequest, big_static: Path) -> Iterator[tuple[int, int]]:
    server, *extra = request.param
    env = {"CTXCORE_TEMPLATED_STATIC": str(big_static.parent)}
    with running_server("tests.engine.apps.templated:app", server, *extra, env=env) as (
        port,
        proc,
    ):
        yield port, proc.pid


def test_real_server_serves_template_and_static_file(
    served: tuple[int, int], big_static: Path, apps: tuple[Any, Any]
) -> None:
    port, pid = served
    base = f"http://{HOST}:{port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/?name=<Ada>")
        assert page.status_code == 200
        expected = get(apps[1], "/?name=<Ada>").get_data(as_text=True)
        assert page.text == expected  # what Flask renders in-process
        stream = client.get("/stream")
        assert stream.text == "<li>0 /stream</li>\n<li>1 /stream</li>\n<li>2 /stream</li>\n"
        css = client.get("/static/css/site.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        assert (
            client.get(
                "/static/css/site.css", headers={"If-None-Match": css.headers["etag"]}
            ).status_code
            == 304
        )
        data = big_static.read_bytes()
        for _ in range(3):
            response = client.get("/static/big.bin")
            assert response.status_code == 200
            assert response.content == data
        ranged = client.get("/static/big.bin", headers={"Range": "bytes=1000-1999"})
        assert ranged.status_code == 206
        assert ranged.content == data[1000:2000]
        assert client.get("/static/../big.bin").status_code == 404
        assert client.get("/static/nothing.bin").status_code == 404
    held = sum(_open_fds_to(each, big_static) for each in _process_tree(pid))
    assert held == 0, "the server still holds the static file open"


def test_wsgi_server_file_wrapper_is_returned_for_sendfile(tmp_path: Path) -> None:
    """gunicorn sendfile()s only an instance of its own wsgi.file_wrapper: the app
    returns one over the file, and closing it ends the request and closes the file."""
    from gunicorn.http.wsgi import FileWrapper
    from werkzeug.test import EnvironBuilder

    big = _big_static(tmp_path / "static")
    app = App(__name__, root_path=str(tmp_path))
    torn_down: list[bool] = []
    app.teardown_request(lambda exc: torn_down.append(ctxcore.has_request_context()))
    builder = EnvironBuilder("/static/big.bin")
    environ = builder.get_environ()
    builder.close()
    environ["wsgi.file_wrapper"] = FileWrapper
    started: list[str] = []
    body = app(environ, lambda status, headers, exc_info=None: started.append(status))
    assert started == ["200 OK"]
    assert isinstance(body, FileWrapper)
    assert os.readlink(f"/proc/self/fd/{body.filelike.fileno()}") == str(big)
    assert b"".join(body) == big.read_bytes()  # a server without sendfile iterates it
    assert torn_down == []
    body.close()
    assert torn_down == [True]  # teardown ran, in the request
    assert _open_fds_to("self", big) == 0
    assert not ctxcore.has_request_context()
