"""The app the soak suite drives: every request checks that it sees only its own values.

``/sync/<rid>`` and ``/async/<rid>`` store the request id in ``g``, in a context-ident
:class:`~ctxcore.Local` and in the session, yield (``time.sleep(0)`` lets another thread
take the GIL, ``await asyncio.sleep(0)`` another task take the loop, so requests really
interleave), then read all three back. The answer is ``{"rid": ..., "ok": ...}``: ``ok``
is false when anything was left over from an earlier request (the Local or the session
already set, ``g`` not fresh) or when any of the three holds another request's id. A
mismatch is answered, not raised, so the driver counts it as a leak rather than an
error.

``/diag`` answers how many idents hold a pushed request or app context (its own
included) and the serving process's pid, RSS and thread count, so a runner outside the process can
check that nothing stayed pushed once the load stopped.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

from ctxcore import App, Local, g, live_idents, request, session

__all__ = ["SECRET", "app", "diag_counts", "local", "rss_bytes"]

SECRET = "bench-soak-secret"
local = Local()
app = App(__name__)
app.config["SECRET_KEY"] = SECRET


def _store(rid: str) -> None:
    # Nothing from an earlier request may be visible yet (same thread, task, connection).
    g.fresh = "rid" not in g and not hasattr(local, "rid") and "rid" not in session
    g.rid = rid
    local.rid = rid
    session["rid"] = rid


def _answer(rid: str) -> dict[str, Any]:
    ok = (
        g.fresh
        and g.rid == local.rid == session["rid"] == rid
        and request.view_args == {"rid": rid}
    )
    return {"rid": rid, "ok": bool(ok)}


@app.route("/sync/<rid>")
def sync_view(rid: str) -> dict[str, Any]:
    _store(rid)
    time.sleep(0)
    return _answer(rid)


@app.route("/async/<rid>")
async def async_view(rid: str) -> dict[str, Any]:
    _store(rid)
    await asyncio.sleep(0)
    return _answer(rid)


def rss_bytes(pid: int | str = "self") -> int | None:
    """Resident set size of process ``pid`` (Linux ``/proc``), or None when unknown."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def diag_counts() -> dict[str, int]:
    """Idents holding a pushed request / app context in this process right now."""
    from ctxcore._stacks import stacks_for

    stacks = stacks_for(app.ident)
    return {"request": live_idents(stacks.request), "app": live_idents(stacks.app)}


@app.route("/diag")
def diag() -> dict[str, Any]:
    """Live contexts (this request's own included); pid, RSS and threads of the process."""
    return {
        **diag_counts(),
        "pid": os.getpid(),
        "rss": rss_bytes(),
        "threads": threading.active_count(),
    }
