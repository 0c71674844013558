"""The sandbox checkout page: what a customer sees when a link is opened with no real provider.

``GET /pay/<token>`` shows the business, the booking, the amount and the
expiry in the booking's language, with two buttons: pay with the test card,
or decline. ``POST /pay/<token>`` acts on them.

Why it is safe enough to face a shop's Wi-Fi:

* the token (32 random bytes) is the capability: without it there is no page
  and no form to forge, so another site cannot make a customer pay;
* each page carries a form nonce (an HMAC of the token and the time, keyed
  by a secret of this server) and a cross-site POST is refused by its
  ``Origin``/``Sec-Fetch-Site``; a stale form gets a fresh page, not an error;
* the payment reference is derived from the link (``sbx_pay_<id>``), so a
  replayed form, a double click or the CLI at the same time records one payment;
* pages are never cached (``no-store``: the token is in the URL), never
  framed, send no referrer, and run under a CSP that allows only their own
  inline style, through a per-response nonce.

Paying goes through :func:`deskpay.services.providers.sandbox_checkout.pay_sandbox_link`, the
same recording as Stripe's webhooks and polling.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from deskpay.domain.dates import format_when
from deskpay.domain.errors import DeskpayError
from deskpay.domain.i18n import LANGUAGES, Section, language
from deskpay.domain.numbers import parse_count
from deskpay.services.desk import Desk
from deskpay.services.providers.sandbox_checkout import (
    Checkout,
    checkout_of_token,
    decline_sandbox_link,
    pay_sandbox_link,
)

log = logging.getLogger(__name__)

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FORM_LIFETIME = 6 * 3600  # seconds a page's form stays valid
APP_KEY: web.AppKey[CheckoutPages] = web.AppKey("checkout_pages")

TEXTS = Section("checkout")
"""The page's words, from the catalogue."""


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    """One autoescaping environment for the process (made on first use, not at import)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class CheckoutPages:
    """The handlers, bound to one desk and one form-signing key."""

    def __init__(self, desk: Desk, *, form_key: bytes | None = None) -> None:
        self.desk = desk
        self._form_key = form_key or secrets.token_bytes(32)

    # -- form nonces ----------------------------------------------------------------------

    def form_nonce(self, token: str, issued: int | None = None) -> str:
        issued = int(time.time()) if issued is None else issued
        mac = hmac.new(self._form_key, f"{token}|{issued}".encode(), hashlib.sha256).hexdigest()[:32]
        return f"{issued}.{mac}"

    def nonce_is_valid(self, token: str, nonce: str) -> bool:
        issued = parse_count(nonce.partition(".")[0], max_digits=12)  # a form field: anything may come
        if issued is None or not 0 <= time.time() - issued <= FORM_LIFETIME:
            return False
        return hmac.compare_digest(nonce, self.form_nonce(token, issued))

    # -- handlers ---------------------------------------------------------------------------

    async def show(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        checkout = await self._checkout(token)
        if checkout is None:
            return self.not_found(request)
        return self.render(request, checkout, token)

    async def act(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if _cross_site(request, self.desk.settings.sandbox_base_url()):
            log.warning("refused a cross-site POST to a sandbox checkout page")
            raise web.HTTPForbidden(text="cross-site form refused")
        checkout = await self._checkout(token)
        if checkout is None:
            return self.not_found(request)
        form = await request.post()
        action, nonce = str(form.get("action", "")), str(form.get("nonce", ""))
        if action not in ("pay", "decline"):
            raise web.HTTPBadRequest(text="unknown action")
        if not checkout.payable:
            # Paid, expired or cancelled meanwhile: say so, charge nothing.
            return self.render(request, checkout, token, status=409)
        if not self.nonce_is_valid(token, nonce):
            return self.render(request, checkout, token, status=400, notice="stale")
        if action == "decline":
            await _run(decline_sandbox_link, self.desk, checkout.link_id)
            return self.render(request, checkout, token, state="declined")
        try:
            await pay_sandbox_link(self.desk, checkout.link_id, source="page")
        except DeskpayError as error:  # closed between the page and the press
            log.info("sandbox link %s not paid: %s", checkout.link_id, error)
            checkout = await self._checkout(token) or checkout
            return self.render(request, checkout, token, status=409)
        # Post/Redirect/Get: a reload shows the receipt instead of posting again.
        raise web.HTTPSeeOther(location=f"/pay/{token}")

    # -- rendering ----------------------------------------------------------------------------

    async def _checkout(self, token: str) -> Checkout | None:
        if not TOKEN.match(token):
            return None
        return await _run(checkout_of_token, self.desk, token)

    def render(
        self,
        request: web.Request,
        checkout: Checkout,
        token: str,
        *,
        status: int = 200,
        state: str | None = None,
        notice: str | None = None,
    ) -> web.Response:
        lang = language(checkout.language, default="en")
        texts = TEXTS.as_dict(lang)
        amount = checkout.amount.format(lang)
        context: dict[str, Any] = {
            "lang": lang,
            "t": texts,
            "state": state or checkout.state,
            "business": checkout.business_name,
            "reference": checkout.booking_reference,
            "label": checkout.label,
            "amount": amount,
            "expires": format_when(checkout.expires_at, self.desk.settings.tz(), lang),
            "action": f"/pay/{token}",
            "nonce": self.form_nonce(token) if checkout.payable else "",
            "notice": texts[notice] if notice else "",
            "paid_text": texts["paid_text"].format(amount=amount),
        }
        return _page(request, "checkout.html.j2", context, status)

    def not_found(self, request: web.Request) -> web.Response:
        return _page(
            request,
            "not_found.html.j2",
            {"lang": "fr", "texts": {lang: TEXTS.as_dict(lang) for lang in LANGUAGES}},
            404,
        )


def _page(request: web.Request, template: str, context: dict[str, Any], status: int) -> web.Response:
    style_nonce = secrets.token_urlsafe(16)
    html = _templates().get_template(template).render(style_nonce=style_nonce, **context)
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers.update(
        {
            "Cache-Control": "no-store",
            "Content-Security-Policy": (
                f"default-src 'none'; style-src 'nonce-{style_nonce}'; img-src 'self' data:; "
                "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
            ),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
        }
    )
    return response


def _cross_site(request: web.Request, public_url: str) -> bool:
    """A POST sent by another site's page (browsers say so; scripts without a browser send neither)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return origin.rstrip("/") not in (f"{request.scheme}://{request.host}", public_url.rstrip("/"))
    return False


async def _run(function, *args):
    return await asyncio.to_thread(function, *args)


@web.middleware
async def _security_headers(request: web.Request, handler) -> web.StreamResponse:
    """Errors and redirects are not cached either."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.setdefault("Cache-Control", "no-store")
        error.headers.setdefault("X-Content-Type-Options", "nosniff")
        raise
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def sandbox_app(desk: Desk, *, form_key: bytes | None = None) -> web.Application:
    """The checkout page's application (served by the worker; tests serve it on a free port)."""
    app = web.Application(client_max_size=16 * 1024, middlewares=[_security_headers])
    pages = CheckoutPages(desk, form_key=form_key)
    app[APP_KEY] = pages
    app.router.add_get("/pay/{token}", pages.show)
    app.router.add_post("/pay/{token}", pages.act)
    return app
