"""A user of the todo example app, scripted: what each test client does, over HTTP."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Outcome:
    """What the clients saw: failures (each a sentence), and every X-Threads header."""

    failures: list[str] = field(default_factory=list)
    thread_pairs: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0


def _check(outcome: Outcome, who: str, response: httpx.Response, status: int) -> Any:
    outcome.requests += 1
    threads = response.headers.get("X-Threads")
    if threads is not None:
        opened, current = threads.split(":")
        outcome.thread_pairs.append((opened, current))
    if response.status_code != status:
        outcome.failures.append(
            f"{who}: {response.request.method} {response.request.url.path} -> "
            f"{response.status_code}, expected {status}: {response.text[:200]!r}"
        )
        return None
    ctype = response.headers.get("content-type", "")
    return response.json() if ctype.startswith("application/json") else response.text


async def user_session(base: str, name: str, outcome: Outcome) -> None:
    """Register, log in, create, read, update, export, render, delete — checking each."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        creds = {"username": name, "password": f"pw-{name}"}
        await _request(outcome, name, client, "POST", "/auth/register", 201, json=creds)
        await _request(outcome, name, client, "POST", "/auth/login", 200, json=creds)
        titles = [f"{name}-{i}" for i in range(3)]
        ids = []
        for title in titles:
            made = await _request(
                outcome, name, client, "POST", "/todos/", 201, json={"title": title}
            )
            if made is not None:
                ids.append(made["id"])
        listed = await _request(outcome, name, client, "GET", "/todos/", 200)
        if listed is not None:
            seen = [todo["title"] for todo in listed["todos"]]
            if listed["user"] != name or seen != titles:
                outcome.failures.append(f"{name}: list shows {listed['user']} {seen}")
        if ids:
            done = await _request(
                outcome, name, client, "PATCH", f"/todos/{ids[0]}", 200, json={"done": True}
            )
            if done is not None and not done["done"]:
                outcome.failures.append(f"{name}: update did not stick")
        exported = await _request(outcome, name, client, "GET", "/todos/export", 200)
        if exported is not None:
            lines = [json.loads(line)["title"] for line in exported.splitlines()]
            if lines != titles:
                outcome.failures.append(f"{name}: export gave {lines}")
        page = await _request(outcome, name, client, "GET", "/", 200)
        if page is not None and (f"{name}'s todos" not in page or "Welcome" not in page):
            outcome.failures.append(f"{name}: page lacks the user or the flash: {page[:300]!r}")
        if ids:
            await _request(outcome, name, client, "DELETE", f"/todos/{ids[-1]}", 204)
            await _request(outcome, name, client, "GET", f"/todos/{ids[-1]}", 404)


async def _request(
    outcome: Outcome,
    who: str,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    status: int,
    **kwargs: Any,
) -> Any:
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        outcome.requests += 1
        outcome.failures.append(f"{who}: {method} {path}: {exc!r}")
        return None
    return _check(outcome, who, response, status)


def run_users(base: str, count: int) -> Outcome:
    """``count`` users at once, each through its own connection and cookies."""
    outcome = Outcome()

    async def main() -> None:
        await asyncio.gather(*(user_session(base, f"user{i}", outcome) for i in range(count)))

    asyncio.run(main())
    return outcome
