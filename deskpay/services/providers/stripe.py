"""Stripe Checkout Sessions as deskpay payment links, through the official SDK only.

Why it is built this way:

* The SDK's async methods need httpx (``stripe.HTTPXClient``), and an httpx
  client is bound to the event loop it first ran on. deskpay may call us from
  the app's loop and from worker threads with loops of their own, so the
  ``StripeClient`` is made lazily inside the running loop and remade when the
  loop changes. Call ``aclose()`` on the loop that used it last.
* ``StripeClient`` retries nothing unless ``max_network_retries`` is set, and
  waits 80 s by default; a desk cannot wait that long, so both are ours to set.
* Every create carries the link's ``idempotency_key``: the SDK reuses it on
  each of its retries, and deskpay reuses it to repair a crash, so Stripe
  returns the same session instead of opening a second one.
* Stripe errors become :class:`ProviderError` with a sentence the operator can
  act on. The API key never appears in a message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import stripe

from deskpay.domain.errors import ProviderError
from deskpay.domain.links import RemoteState
from deskpay.services.providers.base import (
    CreatedLink,
    LinkRequest,
    ProviderMode,
    RemoteStatus,
)
from deskpay.services.providers.stripe_sessions import status_of_session

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

# Stripe accepts expires_at between 30 min and 24 h after creation; the margins absorb clock skew.
EARLIEST_EXPIRY = timedelta(minutes=31)
LATEST_EXPIRY = timedelta(hours=23, minutes=55)

_SECRET_KEY = re.compile(r"^(?:sk|rk)_(test|live)_[A-Za-z0-9]+$")
_ANY_KEY = re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*]+")


class _HTTPXClient(stripe.HTTPXClient):
    """``stripe.HTTPXClient`` whose pause between retries can be capped (tests, benches)."""

    def __init__(self, *, max_retry_delay: float | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._max_retry_delay = max_retry_delay

    def sleep_async(self, secs: float) -> Awaitable[None]:
        if self._max_retry_delay is not None:
            secs = min(secs, self._max_retry_delay)
        return super().sleep_async(secs)  # type: ignore[no-untyped-call, no-any-return]  # stripe's is untyped


class StripeProvider:
    """Payment links as Stripe Checkout Sessions (mode ``payment``, one line item)."""

    name = "stripe"
    # A margin inside Stripe's 30 min .. 24 h, for clock skew and a repair a few minutes late.
    validity_window = (timedelta(minutes=35), timedelta(hours=23, minutes=50))

    def __init__(
        self,
        api_key: str,
        *,
        success_url: str,
        cancel_url: str,
        api_base: str | None = None,
        timeout: float = 20.0,
        max_network_retries: int = 3,
        max_retry_delay: float | None = None,
    ) -> None:
        """``api_base`` points at a proxy or a test double; ``max_retry_delay`` caps the SDK's
        backoff (0.5 s doubling up to 5 s, with jitter) and is meant for tests."""
        self._api_key = (api_key or "").strip()
        self.mode: ProviderMode = _mode_of(self._api_key)
        self._success_url = success_url
        self._cancel_url = cancel_url
        self._api_base = api_base.rstrip("/") if api_base else None
        self._timeout = timeout
        self._max_network_retries = max_network_retries
        self._max_retry_delay = max_retry_delay
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stripe: stripe.StripeClient | None = None
        self._http: _HTTPXClient | None = None

    def __repr__(self) -> str:  # never show the key
        return f"StripeProvider(mode={self.mode!r}, api_base={self._api_base!r})"

    # -- the PaymentProvider interface ------------------------------------------------

    async def create_link(self, request: LinkRequest) -> CreatedLink:
        now = datetime.now(UTC)
        expires_at = min(max(request.expires_at, now + EARLIEST_EXPIRY), now + LATEST_EXPIRY)
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": request.amount.currency.lower(),
                        "unit_amount": request.amount.minor,
                        "product_data": {
                            "name": f"{request.business_name} — {request.booking_reference} — {request.label}",
                        },
                    },
                    "quantity": 1,
                }
            ],
            "locale": request.language,
            "client_reference_id": str(request.link_id),
            "metadata": {
                "booking_reference": request.booking_reference,
                "link_id": str(request.link_id),
                "operator": request.operator,
                "token": request.token,
            },
            "expires_at": int(expires_at.timestamp()),
            "success_url": self._success_url,
            "cancel_url": self._cancel_url,
        }
        if request.recipient_email:
            params["customer_email"] = request.recipient_email
        client = self._client()
        try:
            session = await client.v1.checkout.sessions.create_async(
                cast(
                    "SessionCreateParams", params
                ),  # exactly its keys; the test double checks them against Stripe's spec
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            raise _translate(error) from None
        actual = datetime.fromtimestamp(session.expires_at, UTC) if session.expires_at else expires_at
        if not session.url:
            raise ProviderError("stripe.no_url", provider_id=session.id)
        return CreatedLink(provider_id=session.id, url=session.url, expires_at=actual)

    async def cancel_link(self, provider_id: str) -> None:
        """Expire the session; already expired is fine, already paid is refused."""
        client = self._client()
        try:
            await client.v1.checkout.sessions.expire_async(provider_id)
            return
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                raise _translate(error, provider_id) from None
            # Not open any more: ask Stripe what it is rather than parse the message.
            refusal = _translate(error, provider_id)
        except stripe.StripeError as error:
            raise _translate(error, provider_id) from None
        status = await self.fetch_status(provider_id)
        if status.state is RemoteState.EXPIRED:
            return
        if status.state is RemoteState.PAID:
            raise ProviderError("stripe.already_paid", provider_id=provider_id)
        if status.state in (RemoteState.PROCESSING, RemoteState.FAILED):
            raise ProviderError("stripe.payment_processing", provider_id=provider_id)
        raise refusal

    async def fetch_status(self, provider_id: str) -> RemoteStatus:
        client = self._client()
        try:
            session = await client.v1.checkout.sessions.retrieve_async(provider_id)
        except stripe.StripeError as error:
            raise _translate(error, provider_id) from None
        return status_of_session(session.to_dict())

    async def aclose(self) -> None:
        """Close the HTTP client if it belongs to the running loop (one of a finished loop cannot be)."""
        http, same_loop = self._http, self._loop is asyncio.get_running_loop()
        self._loop = self._stripe = self._http = None
        if http is not None and same_loop:
            await http.close_async()  # type: ignore[no-untyped-call]  # stripe's HTTPXClient is untyped

    # -- internals ----------------------------------------------------------------------

    def _client(self) -> stripe.StripeClient:
        """The client of the running loop, made on first use and remade when the loop changed.

        The previous client is dropped, not closed: its connections belong to
        another (usually finished) loop and cannot be closed from this one.
        """
        loop = asyncio.get_running_loop()
        if self._stripe is None or self._loop is not loop:
            self._http = _HTTPXClient(timeout=self._timeout, max_retry_delay=self._max_retry_delay)
            self._stripe = stripe.StripeClient(
                self._api_key,
                http_client=self._http,
                max_network_retries=self._max_network_retries,
                base_addresses={"api": self._api_base} if self._api_base else None,
            )
            self._loop = loop
        return self._stripe


def _mode_of(api_key: str) -> ProviderMode:
    match = _SECRET_KEY.match(api_key)
    if match:
        return "live" if match.group(1) == "live" else "test"
    if not api_key:
        raise ProviderError("stripe.key_missing")
    if api_key.startswith("pk_"):
        raise ProviderError("stripe.key_publishable")
    raise ProviderError("stripe.key_malformed")


def _scrub(text: str | None) -> str:
    return _ANY_KEY.sub("[key]", text or "").strip()


def _translate(error: stripe.StripeError, provider_id: str | None = None) -> ProviderError:
    """One operator sentence per kind of Stripe failure; Stripe's request id kept for support."""
    extra = {"request_id": error.request_id, "http_status": error.http_status}
    if isinstance(error, stripe.AuthenticationError):
        return ProviderError("stripe.auth_refused", **extra)
    if isinstance(error, stripe.PermissionError):
        return ProviderError("stripe.permission", **extra)
    if isinstance(error, stripe.RateLimitError):
        return ProviderError("stripe.rate_limited", **extra)
    if isinstance(error, stripe.IdempotencyError):
        return ProviderError("stripe.idempotency_conflict", **extra)
    if isinstance(error, stripe.InvalidRequestError):
        if error.code == "resource_missing" and provider_id:
            return ProviderError("stripe.not_found", provider_id=provider_id, **extra)
        return ProviderError("stripe.invalid_request", detail=_scrub(error.user_message), **extra)
    if isinstance(error, stripe.APIConnectionError):
        return ProviderError("stripe.unreachable", **extra)
    if isinstance(error, stripe.APIError):
        return ProviderError("stripe.server_error", **extra)
    return ProviderError("stripe.unexpected", detail=_scrub(error.user_message), **extra)
