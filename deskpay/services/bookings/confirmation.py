"""The booking confirmation with a payment link: at booking time and resent later."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import Refused
from deskpay.domain.i18n import text
from deskpay.domain.links import LinkPurpose, LinkStatus
from deskpay.domain.terms import ConfirmationMode, confirmation_mode
from deskpay.services.audit import audit
from deskpay.services.bookings.activities import default_mode, terms_for
from deskpay.services.bookings.rows import get_booking_row, lock_booking
from deskpay.services.desk import Desk
from deskpay.services.emails.compose import (
    compose_link_email,
    confirmation_email,
)
from deskpay.services.emails.outbox import queue_draft
from deskpay.services.links.open import LinkSpec, open_links
from deskpay.services.links.views import LinkView, link_view
from deskpay.services.money.ledger import compute_amounts, refresh_booking
from deskpay.store.engine import must_get
from deskpay.store.models import Activity, Booking, Customer, PaymentLink


@dataclass(frozen=True, slots=True)
class ConfirmationSent:
    to: str
    link: LinkView | None  # None when nothing was left to ask
    reused_link: bool


def _customer_email(session: Session, booking: Booking) -> str:
    customer = must_get(session, Customer, booking.customer_id)
    if not customer.email:
        raise Refused("confirmation.no_email", name=customer.name)
    return customer.email


async def send_confirmation(desk: Desk, reference: str, mode: ConfirmationMode | str | None = None) -> ConfirmationSent:
    """Email the confirmation, with a link for the deposit or the full amount per the terms.

    An open confirmation link is reused rather than doubled; when nothing is
    left to ask, the confirmation goes out without a link.
    """
    mode = None if mode is None else confirmation_mode(mode)

    def prepare() -> tuple[int | None, bool]:
        with desk.read() as session:
            booking = get_booking_row(session, reference)
            _customer_email(session, booking)
            if mode is ConfirmationMode.NONE:
                return None, False
            existing = (
                session.execute(
                    select(col(PaymentLink.id))
                    .where(
                        col(PaymentLink.booking_id) == booking.id,
                        col(PaymentLink.status) == LinkStatus.OPEN,
                        col(PaymentLink.purpose) == LinkPurpose.CONFIRMATION,
                        col(PaymentLink.url).is_not(None),
                    )
                    .order_by(col(PaymentLink.id).desc())
                )
                .scalars()
                .first()
            )
            if existing is not None:
                return existing, False
            activity = must_get(session, Activity, booking.activity_id)
            chosen = mode or default_mode(desk, activity)
            amounts = compute_amounts(session, booking)
            ask = terms_for(desk, activity).confirmation_amount(
                chosen, amounts.total, amounts.paid, amounts.requestable
            )
            return None, bool(ask)

    existing_id, needs_link = await asyncio.to_thread(prepare)
    if needs_link:

        def plan(session: Session, booking: Booking, customer: Customer, amounts: BookingAmounts) -> list[LinkSpec]:
            activity = must_get(session, Activity, booking.activity_id)
            chosen = mode or default_mode(desk, activity)
            ask = terms_for(desk, activity).confirmation_amount(
                chosen, amounts.total, amounts.paid, amounts.requestable
            )
            if not ask:
                return []
            return [
                LinkSpec(
                    amount=ask,
                    label=text(f"link.label.{chosen}", booking.language),
                    recipient=_customer_email(session, booking),
                    notify=True,
                    purpose=LinkPurpose.CONFIRMATION,
                )
            ]

        outcome = await open_links(desk, reference, plan)
        link = outcome.links[0]
        return ConfirmationSent(to=link.recipient_email or "", link=link, reused_link=False)

    def send_without_new_link() -> ConfirmationSent:
        now = desk.now()
        with desk.write() as session:
            booking = lock_booking(session, reference)  # a cancelled booking is confirmed to nobody
            to = _customer_email(session, booking)
            link = session.get(PaymentLink, existing_id) if existing_id else None
            if link is not None and link.status == LinkStatus.OPEN:
                draft = compose_link_email(session, desk, link, to=to)
            else:
                link = None
                draft = confirmation_email(session, desk, booking, to)
            queue_draft(
                session,
                desk.settings,
                draft,
                now=now,
                operator=desk.operator,
                booking_id=booking.id,
                link_id=link.id if link else None,
            )
            audit(
                session,
                operator=desk.operator,
                action="confirmation.send",
                now=now,
                booking_id=booking.id,
                to=to,
                link_id=link.id if link else None,
            )
            refresh_booking(session, booking, now)
            return ConfirmationSent(
                to=to, link=link_view(link, booking.reference) if link else None, reused_link=link is not None
            )

    return await asyncio.to_thread(send_without_new_link)
