"""An app for the upload tests (``tests/adapters/test_uploads.py``): bodies read as they
arrive, hashed without keeping them."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from ctxcore import App, request

app = App(__name__)
app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024


@app.post("/hash")
def hash_stream() -> dict[str, Any]:
    """The raw body, read in 64 KiB pieces from ``request.stream``."""
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
    data = request.get_data()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
