"""``python -m bench.e2e.pyload URL``: the Python load generator used when wrk is absent.

Closed loop like wrk: ``--connections`` keep-alive connections, each sending its next
GET when the previous answer is complete, for ``--duration`` seconds; uvloop when it is
installed. Prints the same ``CTXCORE-E2E {json}`` line as wrk's script. A Python client
costs far more CPU per request than wrk, so the report shows its CPU share: when it is
near a whole core, the client, not the server, limited the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import Counter
from urllib.parse import urlsplit

from bench.e2e.load import MARKER, PERCENTILES

TIMEOUT = 10.0


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one HTTP/1.x response: its status, its body and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append((await reader.readexactly(size + 2))[:size])
            if size == 0:
                break
        body = b"".join(parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection") != "close" and lines[0].startswith("HTTP/1.1")


async def _connection(
    host: str,
    port: int,
    request: bytes,
    deadline: float,
    *,
    latencies: list[float],
    errors: Counter[str],
) -> None:
    while time.perf_counter() < deadline:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
        except (OSError, asyncio.TimeoutError):
            errors["connect"] += 1
            await asyncio.sleep(0.01)
            continue
        try:
            keep = True
            while keep and time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    writer.write(request)
                    status, _body, keep = await asyncio.wait_for(read_response(reader), TIMEOUT)
                except asyncio.TimeoutError:
                    errors["timeout"] += 1
                    break
                except (
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                ):
                    errors["read"] += 1
                    break
                latencies.append((time.perf_counter() - started) * 1e6)
                if not 200 <= status < 400:
                    errors["status"] += 1
        finally:
            writer.close()


async def _run(url: str, connections: int, duration: float) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(
            _connection(host, port, request, deadline, latencies=latencies, errors=errors)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "mean_us": sum(latencies) / len(latencies) if latencies else 0.0,
        "max_us": latencies[-1] if latencies else 0.0,
        "errors": {k: errors[k] for k in ("connect", "read", "write", "status", "timeout")},
        "p": {f"{p:g}": percentile(latencies, p) for p in PERCENTILES},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.e2e.pyload")
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=1.0)
    args = parser.parse_args(argv)
    try:
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    try:
        result = loop.run_until_complete(_run(args.url, args.connections, args.duration))
    finally:
        loop.close()
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
