"""Changing a booking: participants, total, start, notes; the open links that no longer fit are cancelled."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from deskpay.domain.booking import follows_price, price_of
from deskpay.domain.errors import InvalidInput
from deskpay.domain.links import LinkStatus, check_move
from deskpay.domain.money import Money
from deskpay.domain.text import clean_block
from deskpay.services.audit import audit
from deskpay.services.bookings.activities import check_participants, unit_price
from deskpay.services.bookings.rows import lock_booking
from deskpay.services.bookings.sheet import detail_of
from deskpay.services.bookings.views import BookingDetail
from deskpay.services.desk import Desk
from deskpay.services.links.views import LinkView
from deskpay.services.money.collect import as_money
from deskpay.services.money.ledger import compute_amounts, refresh_booking
from deskpay.services.settlement import close_links_at_provider
from deskpay.store.engine import must_get
from deskpay.store.models import Activity, PaymentLink


@dataclass(frozen=True, slots=True)
class EditOutcome:
    booking: BookingDetail
    cancelled_links: tuple[LinkView, ...]


async def edit_booking(
    desk: Desk,
    reference: str,
    *,
    participants: int | None = None,
    total: Money | str | None = None,
    notes: str | None = None,
    start: datetime | None = None,
) -> EditOutcome:
    """Change a booking; open links that no longer fit what can be requested are cancelled, newest first."""

    def change() -> EditOutcome:
        now = desk.now()
        with desk.write() as session:
            booking = lock_booking(session, reference)
            activity = must_get(session, Activity, booking.activity_id)
            before = {"participants": booking.participants, "total": Money(booking.total_minor, booking.currency)}
            if participants is not None:
                check_participants(participants, activity)
                current = Money(booking.total_minor, booking.currency)
                if total is None and follows_price(current, unit_price(activity), booking.participants):
                    booking.total_minor = price_of(unit_price(activity), participants).minor
                booking.participants = participants
            if total is not None:
                booking.total_minor = as_money(total, booking.currency, desk).minor
            if notes is not None:
                booking.notes = clean_block(notes, "Notes", max_len=2000)
            if start is not None:
                moment = start if start.tzinfo else start.replace(tzinfo=desk.settings.tz())
                if abs(moment - now) > timedelta(days=731):
                    raise InvalidInput("booking.start_range")
                booking.start_at = moment
            amounts = compute_amounts(session, booking)
            if amounts.paid > amounts.total:
                raise InvalidInput("booking.total_below_paid", total=amounts.total, paid=amounts.paid)
            cancelled: list[PaymentLink] = []
            if amounts.pending > amounts.balance:
                open_links = (
                    session.execute(
                        select(PaymentLink)
                        .where(col(PaymentLink.booking_id) == booking.id, col(PaymentLink.status) == LinkStatus.OPEN)
                        .order_by(col(PaymentLink.created_at).desc(), col(PaymentLink.id).desc())
                    )
                    .scalars()
                    .all()
                )
                pending = amounts.pending.minor
                for link in open_links:
                    if pending <= amounts.balance.minor:
                        break
                    link.status = check_move(link.status, LinkStatus.CANCELLED)
                    link.status_reason = "booking changed: no longer fits the balance"
                    link.updated_at = now
                    session.add(link)
                    pending -= link.amount_minor
                    cancelled.append(link)
            session.add(booking)
            session.flush()
            refresh_booking(session, booking, now)
            audit(
                session,
                operator=desk.operator,
                action="booking.edit",
                now=now,
                booking_id=booking.id,
                before=before,
                after={"participants": booking.participants, "total": Money(booking.total_minor, booking.currency)},
                cancelled_links=[link.id for link in cancelled],
            )
            detail = detail_of(session, booking)
            cancelled_views = tuple(v for v in detail.links if v.id in {c.id for c in cancelled})
            return EditOutcome(detail, cancelled_views)

    outcome = await asyncio.to_thread(change)
    if outcome.cancelled_links:
        await close_links_at_provider(
            desk, tuple((v.id, _provider_id(desk, v.id), v.provider) for v in outcome.cancelled_links)
        )
    return outcome


def _provider_id(desk: Desk, link_id: int) -> str | None:
    with desk.read() as session:
        return must_get(session, PaymentLink, link_id).provider_id
