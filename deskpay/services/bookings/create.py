"""A new booking, and (optionally) its confirmation with a payment link: the one use case the TUI and the CLI call."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from deskpay.domain.booking import price_of
from deskpay.domain.errors import DeskpayError, InvalidInput, NotFound, Refused
from deskpay.domain.money import Money
from deskpay.domain.terms import ConfirmationMode, confirmation_mode
from deskpay.domain.text import clean_block
from deskpay.services.audit import audit
from deskpay.services.bookings.activities import (
    check_participants,
    find_activity,
    unit_price,
)
from deskpay.services.bookings.confirmation import ConfirmationSent, send_confirmation
from deskpay.services.bookings.customers import (
    NewCustomer,
    check_language,
    clean_customer,
    customer_search_key,
)
from deskpay.services.bookings.sheet import booking_detail, detail_of
from deskpay.services.bookings.views import BookingDetail
from deskpay.services.desk import Desk
from deskpay.services.money.collect import as_money
from deskpay.services.money.ledger import next_sequence, refresh_booking
from deskpay.store.models import Booking, Customer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NewBooking:
    activity: str | int
    start: datetime  # aware; a naive time is read in the business's timezone
    participants: int
    customer: NewCustomer | int
    language: str | None = None  # default: the customer's
    total: Money | str | None = None  # default: unit price × participants
    notes: str = ""


def create_booking(desk: Desk, data: NewBooking) -> BookingDetail:
    """Validate everything first; a refusal writes nothing."""
    settings, now = desk.settings, desk.now()
    start = data.start if data.start.tzinfo else data.start.replace(tzinfo=settings.tz())
    if abs(start - now) > timedelta(days=731):
        raise InvalidInput("booking.start_range")
    notes = clean_block(data.notes, "Notes", max_len=2000)
    customer_data = clean_customer(desk, data.customer) if isinstance(data.customer, NewCustomer) else None
    with desk.write() as session:
        activity = find_activity(session, data.activity)
        check_participants(data.participants, activity)
        if customer_data is not None:
            customer = Customer(
                name=customer_data.name,
                email=customer_data.email,
                phone=customer_data.phone,
                language=customer_data.language,
                created_at=now,
            )
            session.add(customer)
            session.flush()
        else:
            found = session.get(Customer, data.customer)
            if found is None:
                raise NotFound("customer.not_found", id=data.customer)
            customer = found
        language = check_language(data.language or customer.language)
        if data.total is None:
            total = price_of(unit_price(activity), data.participants)
        else:
            total = as_money(data.total, activity.currency, desk)
        year = start.astimezone(settings.tz()).year
        reference = f"R-{year}-{next_sequence(session, f'booking:{year}'):06d}"
        booking = Booking(
            reference=reference,
            activity_id=activity.id,
            customer_id=customer.id,
            start_at=start,
            participants=data.participants,
            total_minor=total.minor,
            currency=total.currency,
            language=language,
            notes=notes,
            search_text=customer_search_key(reference, customer),
            created_at=now,
            updated_at=now,
        )
        session.add(booking)
        session.flush()
        refresh_booking(session, booking, now)
        audit(
            session,
            operator=desk.operator,
            action="booking.create",
            now=now,
            booking_id=booking.id,
            reference=reference,
            activity=activity.name,
            participants=data.participants,
            total=total,
            customer=customer.name,
        )
        return detail_of(session, booking)


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking taken, and what became of its confirmation."""

    booking: BookingDetail
    """As it stands once the confirmation (if any) went out: with its link."""
    confirmation: ConfirmationSent | None = None
    confirmation_error: BaseException | None = None
    """Why the confirmation did not go out; the booking stands, and its sheet can resend it."""


async def book(desk: Desk, data: NewBooking, confirm: ConfirmationMode | str = ConfirmationMode.NONE) -> Booked:
    """The phone booking: create the booking, then send its confirmation with a payment link.

    Asking for a confirmation the customer cannot receive (no email) is
    refused before anything is written. Once the booking exists, a failed
    confirmation never undoes it: the failure is returned, and logged.
    """
    mode = confirmation_mode(confirm)
    if mode is not ConfirmationMode.NONE:
        await asyncio.to_thread(_check_reachable, desk, data.customer)
    detail = await asyncio.to_thread(create_booking, desk, data)
    if mode is ConfirmationMode.NONE:
        return Booked(detail)
    try:
        sent = await send_confirmation(desk, detail.reference, mode)
    except Exception as error:  # the booking stands: say why the email did not go, never lose the booking
        if not isinstance(error, DeskpayError):
            log.exception("booking %s was saved but its confirmation failed", detail.reference)
        return Booked(detail, confirmation_error=error)
    return Booked(await asyncio.to_thread(booking_detail, desk, detail.reference), sent)


def _check_reachable(desk: Desk, customer: NewCustomer | int) -> None:
    """A confirmation needs the customer's email: the one typed, or the one on file."""
    if isinstance(customer, NewCustomer):
        name, email = customer.name, customer.email
    else:
        with desk.read() as session:
            row = session.get(Customer, customer)
            if row is None:
                raise NotFound("customer.not_found", id=customer)
            name, email = row.name, row.email
    if not (email and email.strip()):
        raise Refused("confirmation.no_email", name=(name or "").strip()[:80])
