"""``POST /stripe/webhook``: Stripe's events about Checkout Sessions, verified, then reconciled.

The ``Stripe-Signature`` header is checked by the stripe SDK
(``WebhookSignature.verify_header``) against STRIPE_WEBHOOK_SECRET with a
5-minute tolerance, over the raw body exactly as received. A missing or bad
signature, or a body that is not an event, is answered 400 and changes
nothing. A verified event goes to
:func:`deskpay.services.settlement.handle_stripe_event` (each event id handled
once); event types deskpay does not use are answered 200 and ignored. If
settling fails the answer is 500, so Stripe sends the event again later.
"""

from __future__ import annotations

import json
import logging

import stripe
from aiohttp import web

from deskpay.services.desk import Desk
from deskpay.services.settlement import handle_stripe_event

log = logging.getLogger(__name__)

PATH = "/stripe/webhook"
TOLERANCE = 300  # seconds; Stripe's own default
MAX_BODY = 512 * 1024  # a Checkout Session event is a few kilobytes


class StripeWebhooks:
    def __init__(self, desk: Desk, secret: str) -> None:
        self.desk = desk
        self._secret = secret

    async def receive(self, request: web.Request) -> web.Response:
        payload = await request.read()
        try:
            stripe.WebhookSignature.verify_header(
                payload, request.headers.get("Stripe-Signature"), self._secret, tolerance=TOLERANCE
            )
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, ValueError) as error:  # UnicodeDecodeError is a ValueError
            log.warning("refused a webhook: %s", str(error).split(". ")[0][:200])
            return web.json_response({"error": "invalid signature or payload"}, status=400)
        if not isinstance(event, dict):
            return web.json_response({"error": "not an event"}, status=400)
        try:
            outcome = await handle_stripe_event(self.desk, event)
        except ValueError as error:
            log.warning("refused webhook event %s: %s", event.get("id"), error)
            return web.json_response({"error": "not a checkout session event"}, status=400)
        except Exception:
            log.exception(
                "webhook event %s (%s) could not be settled; Stripe will send it again",
                event.get("id"),
                event.get("type"),
            )
            return web.json_response({"error": "not handled, retry later"}, status=500)
        if outcome.outcome != "ignored":
            log.info("webhook %s %s: %s", outcome.event_type, outcome.event_id, outcome.outcome)
        return web.json_response({"received": True, "outcome": outcome.outcome})


def webhook_app(desk: Desk, secret: str) -> web.Application:
    """The webhook endpoint's application (served by ``deskpay worker --listen``)."""
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(PATH, StripeWebhooks(desk, secret).receive)
    return app
