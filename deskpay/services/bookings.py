"""Creating and editing bookings and their customers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from deskpay.domain.errors import InvalidInput, NotFound
from deskpay.domain.money import Money
from deskpay.services.audit import audit
from deskpay.services.collect import as_money
from deskpay.services.desk import Desk
from deskpay.services.ledger import compute_amounts, lock_booking, next_sequence, refresh_booking
from deskpay.services.queries import detail_of
from deskpay.services.text import clean_block, clean_line, clean_phone, escape_like, search_key
from deskpay.services.views import BookingDetail, LinkView
from deskpay.store.models import Activity, Booking, Customer, PaymentLink
from deskpay.domain.links import LinkStatus, check_move
from deskpay.domain.booking import follows_price, price_of

@dataclass(frozen=True, slots=True)
class NewCustomer:
    name: str
    email: str | None = None
    phone: str | None = None
    language: str = "fr"


@dataclass(frozen=True, slots=True)
class NewBooking:
    activity: str | int
    start: datetime  # aware; a naive time is read in the business's timezone
    participants: int
    customer: NewCustomer | int
    language: str | None = None  # default: the customer's
    total: Money | str | None = None  # default: unit price × participants
    notes: str = ""


@dataclass(frozen=True, slots=True)
class EditOutcome:
    booking: BookingDetail
    cancelled_links: tuple[LinkView, ...]


def _check_language(lang: str) -> str:
    if lang not in ("fr", "en"):
        raise InvalidInput("booking.bad_language")
    return lang


def clean_customer(desk: Desk, data: NewCustomer) -> NewCustomer:
    from deskpay.services.emails.mime import validate_address

    email = validate_address(data.email) if data.email and data.email.strip() else None
    return NewCustomer(name=clean_line(data.name, "Name", max_len=200, required=True), email=email,
                       phone=clean_phone(data.phone), language=_check_language(data.language))


def _find_activity(session, activity: str | int) -> Activity:
    """An active activity by id, exact name, or a part of its name that matches only one."""
    if isinstance(activity, int):
        row = session.get(Activity, activity)
    else:
        name = activity.strip()
        row = session.execute(select(Activity).where(Activity.name == name)).scalar_one_or_none()
        if row is None and name:
            pattern = f"%{escape_like(name[:100])}%"
            matches = session.execute(
                select(Activity).where(Activity.name.ilike(pattern, escape="\\"), Activity.active)
            ).scalars().all()
            row = matches[0] if len(matches) == 1 else None
    if row is None or not row.active:
        raise NotFound("activity.not_found", name=str(activity)[:80])
    return row


def _unit_price(activity: Activity) -> Money:
    return Money(activity.unit_price_minor, activity.currency)


def _check_participants(value: object, activity: Activity) -> int:
    if type(value) is not int or not 1 <= value <= activity.max_participants:
        raise InvalidInput("booking.participants", max=activity.max_participants, activity=activity.name)
    return value


def _customer_search_key(reference: str, customer: Customer) -> str:
    return search_key(reference, customer.name, customer.email, customer.phone)


def create_booking(desk: Desk, data: NewBooking) -> BookingDetail:
    """Validate everything first; a refusal writes nothing."""
    settings, now = desk.settings, desk.now()
    start = data.start if data.start.tzinfo else data.start.replace(tzinfo=settings.tz())
    if abs(start - now) > timedelta(days=731):
        raise InvalidInput("booking.start_range")
    notes = clean_block(data.notes, "Notes", max_len=2000)
    customer_data = clean_customer(desk, data.customer) if isinstance(data.customer, NewCustomer) else None
    with desk.write() as session:
        activity = _find_activity(session, data.activity)
        _check_participants(data.participants, activity)
        if customer_data is not None:
            customer = Customer(name=customer_data.name, email=customer_data.email, phone=customer_data.phone,
                                language=customer_data.language, created_at=now)
            session.add(customer)
            session.flush()
        else:
            customer = session.get(Customer, data.customer)
            if customer is None:
                raise NotFound("customer.not_found", id=data.customer)
        language = _check_language(data.language or customer.language)
        if data.total is None:
            total = price_of(_unit_price(activity), data.participants)
        else:
            total = as_money(data.total, activity.currency, desk)
        year = start.astimezone(settings.tz()).year
        reference = f"R-{year}-{next_sequence(session, f'booking:{year}'):06d}"
        booking = Booking(reference=reference, activity_id=activity.id, customer_id=customer.id, start_at=start,
                          participants=data.participants, total_minor=total.minor, currency=total.currency,
                          language=language, notes=notes, search_text=_customer_search_key(reference, customer),
                          created_at=now, updated_at=now)
        session.add(booking)
        session.flush()
        refresh_booking(session, booking, now)
        audit(session, operator=desk.operator, action="booking.create", now=now, booking_id=booking.id,
              reference=reference, activity=activity.name, participants=data.participants, total=total,
              customer=customer.name)
        return detail_of(session, booking)


async def edit_booking(desk: Desk, reference: str, *, participants: int | None = None,
                       total: Money | str | None = None, notes: str | None = None,
                       start: datetime | None = None) -> EditOutcome:
    """Change a booking; open links that no longer fit what can be requested are cancelled, newest first."""
    from deskpay.services.payments import close_links_at_provider

    def change() -> EditOutcome:
        now = desk.now()
        with desk.write() as session:
            booking = lock_booking(session, reference)
            activity = session.get(Activity, booking.activity_id)
            before = {"participants": booking.participants, "total": Money(booking.total_minor, booking.currency)}
            if participants is not None:
                _check_participants(participants, activity)
                current = Money(booking.total_minor, booking.currency)
                if total is None and follows_price(current, _unit_price(activity), booking.participants):
                    booking.total_minor = price_of(_unit_price(activity), participants).minor
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
                open_links = session.execute(
                    select(PaymentLink).where(PaymentLink.booking_id == booking.id, PaymentLink.status == LinkStatus.OPEN)
                    .order_by(PaymentLink.created_at.desc(), PaymentLink.id.desc())
                ).scalars().all()
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
            audit(session, operator=desk.operator, action="booking.edit", now=now, booking_id=booking.id,
                  before=before, after={"participants": booking.participants,
                                        "total": Money(booking.total_minor, booking.currency)},
                  cancelled_links=[link.id for link in cancelled])
            detail = detail_of(session, booking)
            cancelled_views = tuple(v for v in detail.links if v.id in {c.id for c in cancelled})
            return EditOutcome(detail, cancelled_views)

    outcome = await asyncio.to_thread(change)
    if outcome.cancelled_links:
        await close_links_at_provider(desk, tuple((v.id, _provider_id(desk, v.id), v.provider)
                                                  for v in outcome.cancelled_links))
    return outcome


def _provider_id(desk: Desk, link_id: int) -> str | None:
    with desk.read() as session:
        return session.get(PaymentLink, link_id).provider_id


def edit_customer(desk: Desk, customer_id: int, data: NewCustomer) -> None:
    """Update a customer and the search keys of their bookings."""
    clean = clean_customer(desk, data)
    now = desk.now()
    with desk.write() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("customer.not_found", id=customer_id)
        before = {"name": customer.name, "email": customer.email, "phone": customer.phone}
        customer.name, customer.email, customer.phone, customer.language = (clean.name, clean.email, clean.phone,
                                                                             clean.language)
        session.add(customer)
        bookings = session.execute(select(Booking).where(Booking.customer_id == customer.id)).scalars().all()
        for booking in bookings:
            booking.search_text = _customer_search_key(booking.reference, customer)
            session.add(booking)
            refresh_booking(session, booking, now)
        audit(session, operator=desk.operator, action="customer.edit", now=now,
              booking_id=bookings[-1].id if bookings else None, before=before,
              after={"name": clean.name, "email": clean.email, "phone": clean.phone})
