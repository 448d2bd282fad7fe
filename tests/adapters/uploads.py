"""An app for the upload tests (``tests/adapters/test_uploads_served.py``): bodies read as
they arrive, hashed without keeping them, and a ``/state`` that says what the process
still holds (requests in flight or alive, open files) after a client left mid-upload."""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
import weakref
from typing import Any

from ctxcore import App, request

app = App(__name__)
#: Above the largest upload the tests send (100 MiB), below what the 413 test declares.
app.config["MAX_CONTENT_LENGTH"] = 128 * 1024 * 1024

_in_flight: dict[int, str] = {}  # id of the request -> its path, from first hook to teardown
_alive: weakref.WeakSet[Any] = weakref.WeakSet()  # every request object not yet freed
_lock = threading.Lock()


@app.before_request
def _enter() -> None:
    current = request._get_current_object()
    with _lock:
        _in_flight[id(current)] = request.path
        _alive.add(current)


@app.teardown_request
def _leave(exc: BaseException | None) -> None:
    with _lock:
        _in_flight.pop(id(request._get_current_object()), None)


@app.get("/state")
def state() -> dict[str, Any]:
    """The other requests in flight and alive, this process's open files and its pid.

    With ``?collect=1`` a full garbage collection runs first: what is left is reachable,
    which is what a leak is (a cycle waits for the collector, then goes).
    """
    if request.args.get("collect"):
        gc.collect()
    with _lock:
        others = sorted(path for path in _in_flight.values() if path != "/state")
        alive = len(_alive) - 1  # not this request
    fds = len(os.listdir("/proc/self/fd"))
    return {"in_flight": others, "alive": alive, "fds": fds, "pid": os.getpid()}


@app.post("/hash")
def hash_stream() -> dict[str, Any]:
    """The raw body, read in 64 KiB pieces from ``request.stream``; after ``?wait=``
    seconds, for a client that gets ahead of its reader."""
    time.sleep(float(request.args.get("wait", 0)))
    digest = hashlib.sha256()
    size = 0
    while chunk := request.stream.read(65536):
        digest.update(chunk)
        size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size, "thread": threading.get_ident()}


@app.post("/file")
def hash_file() -> dict[str, Any]:
    """A multipart upload: werkzeug's parser spools the file as it reads."""
    upload = request.files["file"]
    digest = hashlib.sha256()
    size = 0
    while chunk := upload.stream.read(65536):
        digest.update(chunk)
        size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size, "name": request.form["name"]}


@app.post("/async-data")
async def async_data() -> dict[str, Any]:
    """An ``async def`` view: its body was read ahead, whole, before it ran."""
    data = request.get_data()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
