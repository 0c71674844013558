"""Reading a Stripe Checkout Session (or an event about one) as a :class:`RemoteStatus`.

Polling retrieves sessions and webhooks receive events that carry them; both
are read here, by the same rules, so the two paths cannot disagree. Plain
dicts in, no SDK import: the webhook path and the tests stay light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deskpay.domain.links import RemoteState
from deskpay.domain.money import Money
from deskpay.services.providers.base import RemoteStatus

COMPLETED = "checkout.session.completed"
ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
ASYNC_FAILED = "checkout.session.async_payment_failed"
EXPIRED = "checkout.session.expired"
HANDLED_EVENTS = frozenset({COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED, EXPIRED})


def status_of_session(session: Mapping[str, Any]) -> RemoteStatus:
    """``paid`` once the money is in; ``processing`` while an asynchronous method (a bank debit)
    has not settled; ``expired``; else ``open``."""
    raw = dict(session)
    status, payment_status = session.get("status"), session.get("payment_status")
    if status == "complete" and payment_status in ("paid", "no_payment_required"):
        intent = session.get("payment_intent")
        if isinstance(intent, Mapping):  # expanded
            intent = intent.get("id")
        total, currency = session.get("amount_total"), session.get("currency")
        amount = Money(int(total), str(currency).upper()) if total is not None and currency else None
        # The payment intent id is the payment's identity; a session without one (nothing to pay)
        # is identified by the session itself.
        return RemoteStatus(
            RemoteState.PAID, payment_reference=str(intent or session["id"]), amount_paid=amount, raw=raw
        )
    if status == "complete":
        return RemoteStatus(RemoteState.PROCESSING, raw=raw)
    if status == "expired":
        return RemoteStatus(RemoteState.EXPIRED, raw=raw)
    return RemoteStatus(RemoteState.OPEN, raw=raw)


def session_of_event(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The Checkout Session an event is about; ``ValueError`` when it carries none."""
    data = event.get("data")
    session = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(session, Mapping) or session.get("object") != "checkout.session" or not session.get("id"):
        raise ValueError("the event carries no checkout session")
    return session


def status_of_event(event: Mapping[str, Any]) -> RemoteStatus | None:
    """What a handled event says of its session; ``None`` for event types deskpay ignores.

    ``async_payment_failed`` is the one case the session alone cannot tell
    (it stays ``complete``/``unpaid`` as while processing), so the event's type decides.
    """
    kind = event.get("type")
    if kind not in HANDLED_EVENTS:
        return None
    session = session_of_event(event)
    if kind == ASYNC_FAILED:
        return RemoteStatus(RemoteState.FAILED, raw=dict(session))
    return status_of_session(session)
