"""A payment link after it opened: repaired after a crash, cancelled, expired, regenerated, listed."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from deskpay.domain.errors import NotFound, ProviderError, Refused
from deskpay.domain.links import LinkPurpose, LinkStatus, can_regenerate, check_move
from deskpay.domain.money import Money
from deskpay.domain.text import clean_line
from deskpay.services.audit import audit
from deskpay.services.bookings.rows import lock_booking
from deskpay.services.desk import Desk
from deskpay.services.links.open import (
    LinksOutcome,
    LinkSpec,
    ask_provider,
    finish_and_close,
    open_links,
    request_of,
)
from deskpay.services.links.views import LinkView, link_view
from deskpay.services.money.ledger import refresh_booking
from deskpay.services.providers.base import LinkRequest
from deskpay.services.settlement import PROCESSING_REASON, reconcile_link
from deskpay.store.engine import must_get
from deskpay.store.models import Booking, PaymentLink

log = logging.getLogger(__name__)

UNFINISHED_AFTER = timedelta(minutes=2)


async def finish_unfinished_links(desk: Desk) -> int:
    """Repair links left without a URL by a crash: ask the provider again with the same idempotency key."""
    cutoff = desk.now() - UNFINISHED_AFTER

    def pending() -> list[LinkRequest]:
        with desk.read() as session:
            rows = session.execute(
                select(PaymentLink, Booking)
                .join(Booking, col(Booking.id) == col(PaymentLink.booking_id))
                .where(
                    col(PaymentLink.status) == LinkStatus.OPEN,
                    col(PaymentLink.url).is_(None),
                    col(PaymentLink.created_at) < cutoff,
                    col(PaymentLink.provider) == desk.provider.name,
                )
            ).all()
            return [request_of(desk, link, booking) for link, booking in rows]

    requests = await asyncio.to_thread(pending)
    for request in requests:  # one at a time: each belongs to its own booking
        results = await ask_provider(desk, [request])
        await finish_and_close(desk, [request], results)
    return len(requests)


def get_link(desk: Desk, link_id: int) -> LinkView:
    with desk.read() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        return link_view(link, must_get(session, Booking, link.booking_id).reference)


async def cancel_link(desk: Desk, link_id: int, *, reason: str = "") -> LinkView:
    """Cancel at the provider first (so it can no longer be paid), then here."""
    reason = clean_line(reason, "Message", max_len=200)

    def load() -> PaymentLink:
        with desk.read() as session:
            link = session.get(PaymentLink, link_id)
            if link is None:
                raise NotFound("link.not_found", id=link_id)
            check_move(link.status, LinkStatus.CANCELLED)
            return link

    link = await asyncio.to_thread(load)
    closed_remotely = False
    if link.provider_id and link.provider == desk.provider.name:
        try:
            await desk.provider.cancel_link(link.provider_id)
        except ProviderError as error:
            if error.key == "stripe.already_paid":
                await _record_paid_instead(desk, link_id)
            raise
        closed_remotely = True

    def store() -> LinkView:
        now = desk.now()
        with desk.write() as session:
            booking = must_get(session, Booking, link.booking_id)
            booking = lock_booking(session, booking.reference, for_money=False)
            row = must_get(session, PaymentLink, link_id)
            row.status = check_move(row.status, LinkStatus.CANCELLED).value
            row.status_reason = reason
            if closed_remotely:
                row.next_check_at = None  # expired at the provider: it cannot be paid any more
            row.updated_at = now
            session.add(row)
            refresh_booking(session, booking, now)
            audit(
                session,
                operator=desk.operator,
                action="link.cancel",
                now=now,
                booking_id=booking.id,
                link_id=row.id,
                amount=Money(row.amount_minor, row.currency),
                reason=reason,
            )
            return link_view(row, booking.reference)

    return await asyncio.to_thread(store)


async def _record_paid_instead(desk: Desk, link_id: int) -> None:
    """The customer paid before the cancel reached the provider: record it now, so the desk sees why."""
    try:
        await reconcile_link(desk, link_id, source="cancel")
    except Exception:
        log.exception("link %s was paid at the provider but the payment could not be recorded yet", link_id)


def expire_due_links(desk: Desk) -> int:
    """Mark open links past their expiry as expired (the sandbox's, and Stripe's as a backstop).

    A link whose customer paid by a method still settling (a bank debit) is
    left open while polling follows it: its money is on the way.
    """
    now = desk.now()
    with desk.write() as session:
        rows = (
            session.execute(
                select(PaymentLink).where(
                    col(PaymentLink.status) == LinkStatus.OPEN, col(PaymentLink.expires_at) <= now
                )
            )
            .scalars()
            .all()
        )
        rows = [row for row in rows if not (row.status_reason == PROCESSING_REASON and row.next_check_at)]
        touched: dict[int, list[int]] = {}
        for row in rows:
            row.status = check_move(row.status, LinkStatus.EXPIRED).value
            row.status_reason = "validity over"
            row.updated_at = now
            session.add(row)
            touched.setdefault(row.booking_id, []).append(row.id)
        for booking_id, ids in touched.items():
            booking = must_get(session, Booking, booking_id)
            refresh_booking(session, booking, now)
            audit(session, operator="system", action="link.expire", now=now, booking_id=booking_id, links=ids)
    return len(rows)


async def regenerate_link(desk: Desk, link_id: int) -> LinksOutcome:
    """A new link with the same amount, label and recipient as an expired, cancelled or failed one."""

    def load() -> tuple[str, LinkSpec]:
        with desk.read() as session:
            link = session.get(PaymentLink, link_id)
            if link is None:
                raise NotFound("link.not_found", id=link_id)
            if not can_regenerate(link.status):
                status = LinkStatus(link.status)
                raise Refused("link.cannot_regenerate", id=link_id, status=status)
            reference = must_get(session, Booking, link.booking_id).reference
            return reference, LinkSpec(
                amount=Money(link.amount_minor, link.currency),
                label=link.label,
                recipient=link.recipient_email,
                notify=bool(link.recipient_email),
                subject=link.email_subject,
                message=link.email_message,
                purpose=LinkPurpose(link.purpose),
            )

    reference, spec = await asyncio.to_thread(load)
    return await open_links(desk, reference, lambda *_: [spec], replaces_id=link_id)


def list_links(desk: Desk, reference: str | None = None, status: str | None = None, limit: int = 500) -> list[LinkView]:
    with desk.read() as session:
        statement = select(PaymentLink, col(Booking.reference)).join(
            Booking, col(Booking.id) == col(PaymentLink.booking_id)
        )
        if reference:
            statement = statement.where(col(Booking.reference) == reference.strip().upper())
        if status:
            statement = statement.where(col(PaymentLink.status) == LinkStatus(status).value)
        statement = statement.order_by(col(PaymentLink.created_at).desc(), col(PaymentLink.id).desc()).limit(limit)
        return [link_view(link, ref) for link, ref in session.execute(statement)]
