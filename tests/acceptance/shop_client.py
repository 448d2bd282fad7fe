"""A shopper, scripted over HTTP: what each of the load tests' users does, checking each
answer, for the shop example (``examples/shop_*``)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Outcome:
    """What the shoppers saw: failures (each a sentence) and how many requests they sent."""

    failures: list[str] = field(default_factory=list)
    requests: int = 0


class Shopper:
    """One user with their own cookies; ``bases`` are the servers it may talk to."""

    def __init__(self, name: str, client: httpx.AsyncClient, outcome: Outcome) -> None:
        self.name = name
        self.client = client
        self.outcome = outcome

    async def call(self, method: str, url: str, status: int, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, url, **kwargs)
        self.outcome.requests += 1
        if response.status_code != status:
            self.outcome.failures.append(
                f"{self.name}: {method} {url} -> {response.status_code}, expected {status}: "
                f"{response.text[:200]!r}"
            )
        return response

    async def csrf_token(self, url: str) -> str:
        page = await self.call("GET", url, 200)
        found = TOKEN.search(page.text)
        if found is None:
            self.outcome.failures.append(f"{self.name}: no CSRF token on {url}")
            return ""
        return found.group(1)

    async def register(self, base: str) -> None:
        token = await self.csrf_token(f"{base}/auth/register")
        form = {"username": self.name, "password": f"pw-{self.name}", "csrf_token": token}
        await self.call("POST", f"{base}/auth/register", 302, data=form)

    async def login(self, base: str) -> None:
        token = await self.csrf_token(f"{base}/auth/login")
        form = {"username": self.name, "password": f"pw-{self.name}", "csrf_token": token}
        await self.call("POST", f"{base}/auth/login", 302, data=form)

    async def add_to_cart(self, base: str, product_id: int, quantity: int) -> None:
        token = await self.csrf_token(f"{base}/")
        form = {"product_id": product_id, "quantity": quantity, "csrf_token": token}
        await self.call("POST", f"{base}/cart", 302, data=form)

    async def checkout(self, base: str) -> None:
        token = await self.csrf_token(f"{base}/cart")
        await self.call("POST", f"{base}/checkout", 302, data={"csrf_token": token})

    async def order_lines(self, base: str) -> list[str]:
        page = await self.call("GET", f"{base}/orders", 200)
        if f"{self.name}'s orders" not in page.text:
            self.outcome.failures.append(f"{self.name}: /orders shows another user")
        return re.findall(r'<li class="order">([^<]+)</li>', page.text)

    async def api_token(self, base: str) -> str:
        credentials = {"username": self.name, "password": f"pw-{self.name}"}
        answer = await self.call("POST", f"{base}/api/token/", 200, json=credentials)
        return str(answer.json().get("access_token", "")) if answer.status_code == 200 else ""


async def shop(base: str, name: str, index: int, outcome: Outcome) -> None:
    """Register, log in, fill the cart, check out, read the orders back (page and API),
    order through the API, and get the API's errors — checking only this user's data."""
    async with httpx.AsyncClient(timeout=60) as client:
        user = Shopper(name, client, outcome)
        await user.register(base)
        await user.call("POST", f"{base}/auth/logout", 400)  # no CSRF token: refused
        await user.login(base)
        quantity = index % 7 + 1
        await user.add_to_cart(base, 1, quantity)
        await user.add_to_cart(base, 2, 1)
        cart = await user.call("GET", f"{base}/cart", 200)
        if f"{quantity} x apple" not in cart.text:
            outcome.failures.append(f"{name}: cart lacks {quantity} x apple: {cart.text[:300]!r}")
        await user.checkout(base)
        lines = await user.order_lines(base)
        if lines != [f"{quantity} x apple", "1 x bread"]:
            outcome.failures.append(f"{name}: orders page shows {lines}")
        empty = await user.call("GET", f"{base}/cart", 200)
        if "Your cart is empty." not in empty.text:
            outcome.failures.append(f"{name}: the cart was not emptied by checkout")
        token = await user.api_token(base)
        bearer = {"Authorization": f"Bearer {token}"}
        made = await user.call(
            "POST",
            f"{base}/api/orders/",
            201,
            json={"product_id": 3, "quantity": 2},
            headers=bearer,
        )
        if made.status_code == 201 and made.json().get("product") != "cheese":
            outcome.failures.append(f"{name}: API order answered {made.json()}")
        mine = await user.call("GET", f"{base}/api/orders/", 200, headers=bearer)
        if mine.status_code == 200:
            seen = [(o["product"], o["quantity"]) for o in mine.json()]
            if seen != [("apple", quantity), ("bread", 1), ("cheese", 2)]:
                outcome.failures.append(f"{name}: API orders show {seen}")
        await user.call("POST", f"{base}/api/orders/", 400, json={"quantity": 0}, headers=bearer)
        await user.call("GET", f"{base}/api/orders/", 401)
        await user.call("GET", f"{base}/api/products/99", 404)
        products = await user.call("GET", f"{base}/api/products/", 200)
        if [p["name"] for p in products.json()] != ["apple", "bread", "cheese"]:
            outcome.failures.append(f"{name}: products listed as {products.text[:200]!r}")


#: Requests one shopper sends (``shop`` checks each).
REQUESTS_PER_SHOPPER = 21


def run_shoppers(bases: list[str], count: int, prefix: str = "user") -> Outcome:
    """``count`` shoppers at once, spread over ``bases`` (one server each, or several)."""
    outcome = Outcome()

    async def one(index: int) -> None:
        name = f"{prefix}{index}"
        try:
            await shop(bases[index % len(bases)], name, index, outcome)
        except httpx.HTTPError as exc:  # a dropped connection is a failure like any other
            sent = exc.request if isinstance(exc, httpx.RequestError) else None
            where = f" on {sent.method} {sent.url.path}" if sent is not None else ""
            outcome.failures.append(f"{name}: {type(exc).__name__}{where}: {exc}")

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(count)))

    asyncio.run(main())
    return outcome
