"""A stateful Stripe double: the part of the Checkout Sessions API deskpay uses, on 127.0.0.1.

The real stripe SDK talks to it unchanged (``api_base=double.base_url``), so
tests exercise the SDK's form encoding, retries, idempotency keys and error
classes rather than a mock of them. It behaves like Stripe where deskpay
depends on it: Stripe-shaped errors, ``Idempotency-Key`` replay (same key →
same answer, different parameters → ``idempotency_error``), the
``expires_at`` window, ``url`` only while a session is open. Tests steer it:
``pay``/``expire`` a session, queue faults (500, 429, a late answer, a
dropped connection), add latency, and read the log of requests received.

Use it from async tests (``async with StripeDouble() as double``) or from
sync code and bench scripts (``with StripeDouble().serve_in_thread() as double``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import secrets
import socket
import string
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from multidict import CIMultiDict

API_VERSION = "2026-10-28.endive"  # what stripe 16.1 sends; echoed when a request names none
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 60 * 60
_ALNUM = string.ascii_letters + string.digits
_KEY = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOCALES = frozenset(
    "auto bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hi-IN hr hu id it ja ko lt lv ms mt nb nl "
    "pl pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW".split()
)
_CREATE_PARAMS = frozenset(
    "mode line_items success_url cancel_url customer_email locale client_reference_id metadata expires_at "
    "payment_method_types payment_intent_data ui_mode submit_type allow_promotion_codes "
    "billing_address_collection customer expand".split()
)


def sign_webhook(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe would send: ``t=<ts>,v1=<hex hmac-sha256 of "ts.payload">``.

    ``stripe.Webhook.construct_event(payload, header, secret)`` (or
    ``StripeClient.construct_event``) accepts it; it rejects a timestamp older
    than its tolerance (300 s by default).
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signed_delivery(
    event: dict[str, Any], secret: str, *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of Stripe's POST delivering ``event`` to a webhook endpoint."""
    payload = json.dumps(event).encode()
    header = sign_webhook(payload, secret, int(time.time()) if timestamp is None else timestamp)
    return payload, {
        "Stripe-Signature": header,
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }


def parse_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rebuild the nesting the SDK flattens: ``line_items[0][price_data][currency]`` → dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        parts = [head, *re.findall(r"\[([^\]]*)\]", key[len(head) :])]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(key)
        last = parts[-1] or str(len(node))  # "expand[]" appends
        if isinstance(node.get(last), dict):
            raise ValueError(key)
        node[last] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def _random_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def _page(rows: list[dict[str, Any]], p: dict[str, Any], url: str) -> dict[str, Any]:
    """A Stripe list page: newest first, ``created[gt|gte|lt|lte]``, ``limit``, cursors."""
    limit = _integer(p.get("limit", "10"), "limit")
    if not 1 <= limit <= 100:
        raise StripeRefusal(400, "Invalid limit: must be between 1 and 100.", param="limit")
    created = p.get("created")
    bounds = created if isinstance(created, dict) else {"eq": created} if created is not None else {}
    tests = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__, "eq": int.__eq__}
    for op, value in bounds.items():
        if op not in tests:
            raise StripeRefusal(400, f"Received unknown parameter: created[{op}]", param=f"created[{op}]")
        rows = [r for r in rows if tests[op](r["created"], _integer(value, f"created[{op}]"))]
    ids = [r["id"] for r in rows]
    if "ending_before" in p and "starting_after" not in p:  # the page just before (newer than) the cursor
        rows = rows[: ids.index(p["ending_before"])] if p["ending_before"] in ids else []
        return {"object": "list", "data": rows[-limit:], "has_more": len(rows) > limit, "url": url}
    if "starting_after" in p:
        rows = rows[ids.index(p["starting_after"]) + 1 :] if p["starting_after"] in ids else []
    return {"object": "list", "data": rows[:limit], "has_more": len(rows) > limit, "url": url}


class StripeRefusal(Exception):
    """Raised inside the double to answer a Stripe-shaped error."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param
        self.headers = headers or {}

    def response(self) -> web.Response:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return web.json_response({"error": error}, status=self.status, headers=self.headers)


def _missing(param: str) -> StripeRefusal:
    return StripeRefusal(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def _integer(value: Any, param: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise StripeRefusal(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param)
    return int(value)


@dataclass
class Fault:
    """One queued misbehaviour, consumed by the next API request."""

    kind: Literal["error", "rate_limit", "delay", "drop"]
    status: int = 500
    seconds: float = 0.0
    processed: bool = False  # for "drop": handle the request, then lose the answer


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: CIMultiDict[str]
    params: dict[str, Any]  # body (POST) or query (GET), nesting rebuilt
    at: float = field(default_factory=time.monotonic)

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


@dataclass
class _Idempotent:
    fingerprint: tuple
    status: int | None = None  # None while the first request is still running
    body: bytes = b""


class StripeDouble:
    """The fake Stripe API. Controls are safe to call from any thread."""

    def __init__(
        self, *, latency: float = 0.0, api_keys: Iterable[str] | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.latency = latency
        """Seconds every API request waits (``asyncio.sleep``: concurrent requests overlap)."""
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        """Keys accepted; ``None`` accepts any well-formed secret or restricted key."""
        self.clock = clock
        self.sessions: dict[str, dict[str, Any]] = {}
        self.line_items: dict[str, list[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self.faults: deque[Fault] = deque()
        self.in_flight = 0
        self.max_in_flight = 0
        self._idempotency: dict[str, _Idempotent] = {}
        self._lock = threading.RLock()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._api(self._create))
        app.router.add_get("/v1/checkout/sessions", self._api(self._list))
        app.router.add_get("/v1/checkout/sessions/{id}", self._api(self._retrieve))
        app.router.add_post("/v1/checkout/sessions/{id}/expire", self._api(self._expire_api))
        app.router.add_get("/v1/events", self._api(self._list_events))
        app.router.add_get("/v1/events/{id}", self._api(self._retrieve_event))
        app.router.add_route("*", "/{tail:.*}", self._api(self._unknown))
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StripeDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextmanager
    def serve_in_thread(self) -> Iterator[StripeDouble]:
        """Run the double on its own event loop in a daemon thread, for sync tests and scripts."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:  # reported to the caller below
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        thread = threading.Thread(target=run, name="stripe-double", daemon=True)
        thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        try:
            yield self
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

    # -- test controls -------------------------------------------------------------

    def pay(self, session_id: str, *, async_method: bool = False) -> dict[str, Any]:
        """The customer pays: the session completes with a new payment intent. Only an open session.

        ``async_method`` (a bank debit): the session completes ``unpaid``;
        :meth:`settle_async` later says whether the money came.
        """
        with self._lock:
            session = self._open_session(session_id)
            session.update(
                status="complete",
                payment_status="unpaid" if async_method else "paid",
                url=None,
                payment_intent=_random_id("pi_3", 24),
            )
            session["customer_details"] = {
                "email": session["customer_email"] or "customer@example.com",
                "name": None,
                "phone": None,
                "address": None,
                "tax_exempt": "none",
                "tax_ids": [],
            }
            self._event("checkout.session.completed", session)
            return json.loads(json.dumps(session))

    def settle_async(self, session_id: str, *, succeeded: bool = True) -> dict[str, Any]:
        """The bank answers for a session paid with an asynchronous method."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "complete" or session["payment_status"] != "unpaid":
                raise ValueError(f"{session_id} is not waiting for an asynchronous payment")
            if succeeded:
                session["payment_status"] = "paid"
                self._event("checkout.session.async_payment_succeeded", session)
            else:
                self._event("checkout.session.async_payment_failed", session)
            return json.loads(json.dumps(session))

    def last_event(self, type: str, session_id: str | None = None) -> dict[str, Any]:
        """The newest event of ``type`` (about ``session_id``), as Stripe would post it."""
        with self._lock:
            for event in reversed(self.events):
                if event["type"] == type and (session_id is None or event["data"]["object"]["id"] == session_id):
                    return json.loads(json.dumps(event))
        raise LookupError(f"no {type} event" + (f" for {session_id}" if session_id else ""))

    def add_event(self, type: str, data_object: dict[str, Any]) -> dict[str, Any]:
        """An event about any object (a type deskpay ignores, a session of another app)."""
        with self._lock:
            self.events.append(
                {
                    "id": _random_id("evt_1", 24),
                    "object": "event",
                    "api_version": API_VERSION,
                    "created": int(self.clock()),
                    "data": {"object": data_object},
                    "livemode": False,
                    "pending_webhooks": 1,
                    "request": {"id": None, "idempotency_key": None},
                    "type": type,
                }
            )
            return json.loads(json.dumps(self.events[-1]))

    def expire(self, session_id: str) -> dict[str, Any]:
        """The session times out (as if ``expires_at`` had passed). Only an open session."""
        with self._lock:
            session = self._open_session(session_id)
            self._mark_expired(session)
            return json.loads(json.dumps(session))

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        """The next ``times`` requests get a Stripe ``api_error`` with this status (not stored for idempotency)."""
        self._queue(Fault("error", status=status), times)

    def rate_limit_next(self, times: int = 1) -> None:
        """The next requests get 429 with ``Retry-After`` and ``Stripe-Should-Retry: true``."""
        self._queue(Fault("rate_limit", status=429), times)

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Handle the next requests, then hold the answer ``seconds`` (longer than the client timeout)."""
        self._queue(Fault("delay", seconds=seconds), times)

    def drop_next(self, times: int = 1, *, processed: bool = False) -> None:
        """Close the next connections without answering, before or after handling the request."""
        self._queue(Fault("drop", processed=processed), times)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def _queue(self, fault: Fault, times: int) -> None:
        with self._lock:
            self.faults.extend(Fault(**vars(fault)) for _ in range(times))

    # -- plumbing ------------------------------------------------------------------

    def _api(self, handler: Callable[[web.Request, dict[str, Any], bool], dict[str, Any]]):
        async def endpoint(request: web.Request) -> web.StreamResponse:
            pairs = list((await request.post()).items()) if request.method == "POST" else list(request.query.items())
            headers = CIMultiDict(request.headers)
            common = {
                "Request-Id": _random_id("req_", 14),
                "Stripe-Version": headers.get("Stripe-Version", API_VERSION),
            }
            key = headers.get("Idempotency-Key") if request.method == "POST" else None
            if key:
                common["Idempotency-Key"] = key
            try:
                params = parse_form(pairs)
            except ValueError as bad:
                params = {}
                refusal: StripeRefusal | None = StripeRefusal(400, f"Invalid parameter: {bad}", param=str(bad))
            else:
                refusal = None
            with self._lock:
                self.requests.append(RecordedRequest(request.method, request.path, headers, params))
                fault = self.faults.popleft() if self.faults else None
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                livemode = self._authenticate(headers)
                if refusal:
                    raise refusal
                if self.latency:
                    await asyncio.sleep(self.latency)
                if fault and fault.kind == "error":
                    raise StripeRefusal(fault.status, "An unknown error occurred", type="api_error")
                if fault and fault.kind == "rate_limit":
                    raise StripeRefusal(
                        429,
                        "Request rate limit exceeded. Retry after a moment.",
                        code="rate_limit",
                        headers={"Retry-After": "1", "Stripe-Should-Retry": "true"},
                    )
                if fault and fault.kind == "drop" and not fault.processed:
                    return self._drop(request)
                status, body, replayed = self._idempotent(
                    key, request, pairs, lambda: handler(request, params, livemode)
                )
                if fault and fault.kind == "delay":
                    await asyncio.sleep(fault.seconds)
                if fault and fault.kind == "drop":
                    return self._drop(request)
                if replayed:
                    common["Idempotent-Replayed"] = "true"
                return web.Response(body=body, status=status, headers=common, content_type="application/json")
            except StripeRefusal as refused:
                response = refused.response()
                response.headers.update(common)
                return response
            finally:
                with self._lock:
                    self.in_flight -= 1

        return endpoint

    def _idempotent(
        self, key: str | None, request: web.Request, pairs: list[tuple[str, str]], run: Callable[[], dict[str, Any]]
    ) -> tuple[int, bytes, bool]:
        """Stripe's idempotency: replay a stored success, refuse a reused key with other parameters."""
        fingerprint = (request.method, request.path, tuple(sorted(pairs)))
        with self._lock:
            stored = self._idempotency.get(key) if key else None
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise StripeRefusal(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters they were "
                        f"first used with. Try using a key other than '{key}' if you meant to execute a "
                        "different request.",
                        type="idempotency_error",
                    )
                if stored.status is None:
                    raise StripeRefusal(
                        409,
                        "There is currently another in-progress request using this "
                        f"Idempotent Key: {key}. Please try again later.",
                        type="idempotency_error",
                    )
                return stored.status, stored.body, True
            if key:
                self._idempotency[key] = _Idempotent(fingerprint)
            try:
                body = json.dumps(run()).encode()
            except BaseException:
                self._idempotency.pop(key, None)  # validation failures are not stored, as on Stripe
                raise
            if key:
                self._idempotency[key].status, self._idempotency[key].body = 200, body
            return 200, body, False

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)  # never reaches the client

    def _authenticate(self, headers: CIMultiDict[str]) -> bool:
        scheme, _, key = headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not key:
            raise StripeRefusal(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        if not _KEY.match(key) or (self.api_keys is not None and key not in self.api_keys):
            raise StripeRefusal(401, f"Invalid API Key provided: {key[:8]}{'*' * 4}{key[-4:]}")
        return "_live_" in key

    # -- endpoints -----------------------------------------------------------------

    def _create(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        unknown = sorted(set(p) - _CREATE_PARAMS)
        if unknown:
            raise StripeRefusal(
                400, f"Received unknown parameter: {unknown[0]}", code="parameter_unknown", param=unknown[0]
            )
        if "mode" not in p:
            raise _missing("mode")
        if p["mode"] != "payment":
            raise StripeRefusal(400, "This double only supports `mode=payment`.", param="mode")
        items = p.get("line_items")
        if not items:
            raise StripeRefusal(
                400, "`line_items` is required in `payment` mode.", code="parameter_missing", param="line_items"
            )
        if not isinstance(items, list):
            raise StripeRefusal(400, "Invalid array", param="line_items")
        currencies, total = set(), 0
        for i, item in enumerate(items):
            where = f"line_items[{i}]"
            if not isinstance(item, dict):
                raise StripeRefusal(400, "Invalid object", param=where)
            if "price" in item:
                raise StripeRefusal(
                    400, f"No such price: '{item['price']}'", code="resource_missing", param=f"{where}[price]"
                )
            price = item.get("price_data")
            if not isinstance(price, dict):
                raise _missing(f"{where}[price_data]")
            for name in ("currency", "unit_amount"):
                if name not in price:
                    raise _missing(f"{where}[price_data][{name}]")
            if not re.fullmatch(r"[a-z]{3}", price["currency"]):
                raise StripeRefusal(
                    400,
                    f"Invalid currency: {price['currency']}.",
                    code="parameter_invalid_string",
                    param=f"{where}[price_data][currency]",
                )
            product = price.get("product_data")
            if not isinstance(product, dict) or not product.get("name"):
                raise _missing(f"{where}[price_data][product_data][name]")
            if "quantity" not in item:
                raise _missing(f"{where}[quantity]")
            unit = _integer(price["unit_amount"], f"{where}[price_data][unit_amount]")
            quantity = _integer(item["quantity"], f"{where}[quantity]")
            if unit < 0 or quantity < 1:
                raise StripeRefusal(400, "Invalid non-negative integer", param=where)
            currencies.add(price["currency"])
            total += unit * quantity
        if len(currencies) > 1:
            raise StripeRefusal(400, "All line items must use the same currency.", param="line_items")
        if total > 99_999_999:
            raise StripeRefusal(
                400, "Amount must be no more than 999,999.99", code="amount_too_large", param="line_items"
            )
        now = int(self.clock())
        expires_at = _integer(p["expires_at"], "expires_at") if "expires_at" in p else now + MAX_EXPIRY
        if expires_at < now + MIN_EXPIRY:
            raise StripeRefusal(
                400,
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                param="expires_at",
            )
        if expires_at > now + MAX_EXPIRY:
            raise StripeRefusal(
                400,
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                param="expires_at",
            )
        email = p.get("customer_email")
        if email is not None and not _EMAIL.match(email):
            raise StripeRefusal(400, f"Invalid email address: {email}", code="email_invalid", param="customer_email")
        locale = p.get("locale")
        if locale is not None and locale not in _LOCALES:
            raise StripeRefusal(400, f"Invalid locale: must be one of {', '.join(sorted(_LOCALES))}", param="locale")
        for name in ("success_url", "cancel_url"):
            if name in p and not re.match(r"^https?://\S+$", p[name]):
                raise StripeRefusal(400, "Not a valid URL", code="url_invalid", param=name)
        metadata = p.get("metadata", {})
        if not isinstance(metadata, dict) or len(metadata) > 50:
            raise StripeRefusal(400, "Invalid metadata: at most 50 keys.", param="metadata")
        for k, v in metadata.items():
            if len(k) > 40 or not isinstance(v, str) or len(v) > 500:
                raise StripeRefusal(
                    400, f"Invalid metadata[{k}]: keys ≤ 40 and values ≤ 500 characters.", param=f"metadata[{k}]"
                )
        if len(p.get("client_reference_id", "")) > 200:
            raise StripeRefusal(400, "client_reference_id must be at most 200 characters.", param="client_reference_id")
        session_id = _random_id(f"cs_{'live' if livemode else 'test'}_a1", 56)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "adaptive_pricing": {"enabled": False},
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": total,
            "amount_total": total,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_address_collection": None,
            "cancel_url": p.get("cancel_url"),
            "client_reference_id": p.get("client_reference_id"),
            "client_secret": None,
            "consent": None,
            "created": now,
            "currency": currencies.pop(),
            "customer": None,
            "customer_creation": "if_required",
            "customer_details": None,
            "customer_email": email,
            "expires_at": expires_at,
            "invoice": None,
            "livemode": livemode,
            "locale": locale,
            "metadata": metadata,
            "mode": "payment",
            "payment_intent": None,
            "payment_link": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "submit_type": None,
            "subscription": None,
            "success_url": p.get("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted_page",
            "url": self._checkout_url(session_id),
        }
        with self._lock:
            self.sessions[session_id] = session
            self.line_items[session_id] = items
        return session

    def _retrieve(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        with self._lock:
            return self._session(request.match_info["id"])

    def _expire_api(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        with self._lock:
            session = self._session(request.match_info["id"])
            if session["status"] != "open":
                raise StripeRefusal(
                    400, 'Only Checkout Sessions with a status in ["open"] can be expired.', param="session"
                )
            self._mark_expired(session)
            return session

    def _list(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        with self._lock:
            rows = [self._session(sid) for sid in reversed(self.sessions)]  # newest first
        for name in ("status", "payment_intent"):
            if name in p:
                rows = [s for s in rows if s[name] == p[name]]
        return _page(rows, p, request.path)

    def _list_events(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        with self._lock:
            rows = list(reversed(self.events))
        types = p.get("types") or ([p["type"]] if "type" in p else None)
        if types:
            rows = [e for e in rows if e["type"] in types]
        return _page(rows, p, request.path)

    def _retrieve_event(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        with self._lock:
            for event in self.events:
                if event["id"] == request.match_info["id"]:
                    return event
        raise StripeRefusal(404, f"No such event: '{request.match_info['id']}'", code="resource_missing", param="id")

    def _unknown(self, request: web.Request, p: dict[str, Any], livemode: bool) -> dict[str, Any]:
        raise StripeRefusal(
            404,
            f"Unrecognized request URL ({request.method}: {request.path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        )

    # -- state ---------------------------------------------------------------------

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeRefusal(
                404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session"
            )
        if session["status"] == "open" and session["expires_at"] <= self.clock():
            self._mark_expired(session)
        return session

    def _open_session(self, session_id: str) -> dict[str, Any]:
        session = self._session(session_id)
        if session["status"] != "open":
            raise ValueError(f"{session_id} is {session['status']}, not open")
        return session

    def _mark_expired(self, session: dict[str, Any]) -> None:
        session.update(status="expired", url=None)
        self._event("checkout.session.expired", session)

    def _event(self, type: str, session: dict[str, Any]) -> None:
        """Keep the event Stripe would send: listed at ``/v1/events``; for webhooks sign
        ``json.dumps(event).encode()`` with :func:`sign_webhook`."""
        self.events.append(
            {
                "id": _random_id("evt_1", 24),
                "object": "event",
                "api_version": API_VERSION,
                "created": int(self.clock()),
                "data": {"object": json.loads(json.dumps(session))},
                "livemode": session["livemode"],
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": type,
            }
        )

    @staticmethod
    def _checkout_url(session_id: str) -> str:
        # Real urls carry a long opaque fragment; their length matters to QR codes and emails.
        return f"https://checkout.stripe.com/c/pay/{session_id}#" + secrets.token_urlsafe(240)[:300]
