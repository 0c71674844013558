"""HTTP clients for the desk's web endpoints, as a phone's browser and as Stripe talk to them."""

from __future__ import annotations

import html
import re

import aiohttp

from deskpay.web.runner import HttpService
from tests.support.stripe_desk import WEBHOOK_SECRET
from tests.support.stripe_server import signed_delivery

#: The one-time form value of the checkout page.
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


class Page:
    """The checkout server on a free port, and a client that talks to it as a phone's browser would."""

    def __init__(self, service: HttpService, http: aiohttp.ClientSession) -> None:
        self.service, self.http = service, http

    def url(self, token: str) -> str:
        return f"{self.service.base_url}/pay/{token}"

    async def get(self, token: str) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
        async with self.http.get(self.url(token)) as response:
            return response.status, await response.text(), response.headers

    async def nonce(self, token: str) -> str:
        _, text, _ = await self.get(token)
        return html.unescape(NONCE.search(text).group(1))

    async def press(
        self, token: str, action: str, nonce: str | None = None, *, headers: dict[str, str] | None = None
    ) -> tuple[int, str, str | None]:
        """POST the form, without following the redirect: (status, body, Location)."""
        form = {"action": action, "nonce": nonce if nonce is not None else await self.nonce(token)}
        origin = {"Origin": self.service.base_url}
        async with self.http.post(
            self.url(token), data=form, headers={**origin, **(headers or {})}, allow_redirects=False
        ) as response:
            return response.status, await response.text(), response.headers.get("Location")


class Endpoint:
    """The webhook endpoint on a free port, and an HTTP client to post to it as Stripe does."""

    def __init__(self, service: HttpService, http: aiohttp.ClientSession) -> None:
        self.service, self.http = service, http

    @property
    def url(self) -> str:
        return f"{self.service.base_url}/stripe/webhook"

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
        async with self.http.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.json()

    async def deliver(
        self, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
    ) -> tuple[int, dict]:
        return await self.post(*signed_delivery(event, secret, timestamp=timestamp))
