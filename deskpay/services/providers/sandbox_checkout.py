"""The sandbox checkout: what the offline payment page shows of a link, and the customer paying or declining.

Paying goes through :func:`deskpay.services.settlement.record_provider_payment`,
the same recording as Stripe's webhooks and polling. The page itself is
:mod:`deskpay.web.checkout_page`; ``deskpay sandbox pay`` calls the same functions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import col

from deskpay.domain.errors import NotFound, Refused
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.settlement import (
    RecordResult,
    close_links_at_provider,
    record_provider_payment,
)
from deskpay.store.engine import must_get
from deskpay.store.models import Booking, PaymentLink

SANDBOX = "sandbox"


@dataclass(frozen=True, slots=True)
class Checkout:
    """What the sandbox checkout page shows of a link."""

    link_id: int
    state: str  # open | paid | expired | cancelled | failed
    language: str
    business_name: str
    booking_reference: str
    label: str
    amount: Money
    expires_at: datetime

    @property
    def payable(self) -> bool:
        return self.state == LinkStatus.OPEN.value


def sandbox_reference(link_id: int) -> str:
    """The sandbox's payment reference: one per link, so a replayed form or command records one payment."""
    return f"sbx_pay_{link_id}"


def checkout_of_token(desk: Desk, token: str) -> Checkout | None:
    """The sandbox link behind a page token; ``None`` when there is none (a Stripe link's token included)."""
    now = desk.now()
    with desk.read() as session:
        link = session.execute(select(PaymentLink).where(col(PaymentLink.token) == token)).scalar_one_or_none()
        if link is None or link.provider != SANDBOX or not link.url:
            return None
        booking = must_get(session, Booking, link.booking_id)
        state = link.status
        if state == LinkStatus.OPEN.value and link.expires_at <= now:
            state = LinkStatus.EXPIRED.value  # the expiry job has not run yet
        return Checkout(
            link_id=link.id,
            state=state,
            language=link.language,
            business_name=desk.settings.business_name,
            booking_reference=booking.reference,
            label=link.label,
            amount=Money(link.amount_minor, link.currency),
            expires_at=link.expires_at,
        )


async def pay_sandbox_link(desk: Desk, link_id: int, *, source: str = "page") -> RecordResult:
    """The customer pays a sandbox link with the test card: recorded like any provider payment.

    Refused when the link is not a sandbox link, or no longer open; paying
    again a link this made paid changes nothing (``created`` is ``False``).
    """

    def load() -> PaymentLink:
        with desk.read() as session:
            link = session.get(PaymentLink, link_id)
            if link is None:
                raise NotFound("link.not_found", id=link_id)
            if link.provider != SANDBOX:
                raise Refused("sandbox.not_sandbox_link", id=link_id, provider=link.provider)
            return link

    link = await asyncio.to_thread(load)
    result = await asyncio.to_thread(
        record_provider_payment,
        desk,
        provider=SANDBOX,
        payment_reference=sandbox_reference(link.id),
        amount=Money(link.amount_minor, link.currency),
        link_id=link.id,
        only_if_open=True,
        source=source,
    )
    if result.closed_links:
        await close_links_at_provider(desk, result.closed_links)
    return result


def decline_sandbox_link(desk: Desk, link_id: int) -> None:
    """The customer pressed "Decline": nothing is charged and the link stays open, as at Stripe
    after a refused card; the attempt is kept in the activity log."""
    now = desk.now()
    with desk.write() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        audit(
            session,
            operator="system",
            action="link.declined",
            now=now,
            booking_id=link.booking_id,
            link_id=link.id,
            amount=Money(link.amount_minor, link.currency),
            provider=link.provider,
        )
