"""Reading one booking's full sheet, links, customers and activities (the list is in ``listing``)."""

from __future__ import annotations

import json

from sqlalchemy import func, or_, select
from sqlmodel import Session

from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.desk import Desk
from deskpay.services.ledger import compute_amounts, get_booking_row
from deskpay.services.text import escape_like, fold
from deskpay.services.views import (
    ActivityView,
    AuditView,
    BookingDetail,
    CustomerView,
    LinkView,
    PaymentView,
)
from deskpay.store.models import Activity, AuditEvent, Booking, Customer, Payment, PaymentLink


def booking_detail(desk: Desk, reference: str) -> BookingDetail:
    with desk.read() as session:
        booking = get_booking_row(session, reference)
        return detail_of(session, booking)


def detail_of(session: Session, booking: Booking) -> BookingDetail:
    customer = session.get(Customer, booking.customer_id)
    activity = session.get(Activity, booking.activity_id)
    payments = session.execute(
        select(Payment).where(Payment.booking_id == booking.id).order_by(Payment.created_at, Payment.id)
    ).scalars()
    links = session.execute(
        select(PaymentLink).where(PaymentLink.booking_id == booking.id).order_by(PaymentLink.created_at, PaymentLink.id)
    ).scalars()
    history = session.execute(
        select(AuditEvent).where(AuditEvent.booking_id == booking.id).order_by(AuditEvent.created_at.desc(),
                                                                             AuditEvent.id.desc()).limit(200)
    ).scalars()
    return BookingDetail(
        id=booking.id, reference=booking.reference, activity=activity.name, activity_id=activity.id,
        start_at=booking.start_at, participants=booking.participants, status=booking.status,
        language=booking.language, notes=booking.notes, customer=customer_view(customer),
        amounts=compute_amounts(session, booking),
        payments=tuple(payment_view(p) for p in payments),
        links=tuple(link_view(link, booking.reference) for link in links),
        history=tuple(AuditView(e.operator, e.action, json.loads(e.details or "{}"), e.created_at) for e in history),
        revision=booking.revision,
    )


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(customer.id, customer.name, customer.email, customer.phone, customer.language)


def payment_view(p: Payment) -> PaymentView:
    return PaymentView(p.id, Money(p.amount_minor, p.currency), p.kind, p.method, p.operator, p.created_at,
                       p.provider_reference, p.link_id)


def link_view(link: PaymentLink, reference: str) -> LinkView:
    return LinkView(
        id=link.id, booking_reference=reference, amount=Money(link.amount_minor, link.currency), label=link.label,
        purpose=link.purpose, recipient_email=link.recipient_email, status=LinkStatus(link.status),
        status_reason=link.status_reason, provider=link.provider, url=link.url, expires_at=link.expires_at,
        created_by=link.created_by, created_at=link.created_at, language=link.language,
    )


def list_links(desk: Desk, reference: str | None = None, status: str | None = None, limit: int = 500) -> list[LinkView]:
    with desk.read() as session:
        statement = select(PaymentLink, Booking.reference).join(Booking, Booking.id == PaymentLink.booking_id)
        if reference:
            statement = statement.where(Booking.reference == reference.strip().upper())
        if status:
            statement = statement.where(PaymentLink.status == LinkStatus(status).value)
        statement = statement.order_by(PaymentLink.created_at.desc(), PaymentLink.id.desc()).limit(limit)
        return [link_view(link, ref) for link, ref in session.execute(statement)]


def find_customers(desk: Desk, text: str, limit: int = 20) -> list[CustomerView]:
    """Customers matching every word typed, accents folded (``zoe`` finds ``Zoë``)."""
    words = [fold(word) for word in text.strip()[:100].split()]
    with desk.read() as session:
        statement = select(Customer).order_by(Customer.name).limit(limit)
        for word in words:
            pattern = f"%{escape_like(word)}%"
            # The folded keys (name, email, phone digits) live on the customer's bookings;
            # lower() in the database folds neither accents nor, on SQLite, non-ASCII case.
            via_bookings = select(Booking.customer_id).where(Booking.search_text.like(pattern, escape="\\"))
            statement = statement.where(or_(Customer.id.in_(via_bookings),
                                            func.lower(Customer.name).like(pattern, escape="\\"),
                                            func.lower(Customer.email).like(pattern, escape="\\"),
                                            Customer.phone.like(pattern, escape="\\")))
        return [customer_view(c) for c in session.execute(statement).scalars()]


def list_activities(desk: Desk) -> list[ActivityView]:
    with desk.read() as session:
        return [activity_view(a) for a in
                session.execute(select(Activity).where(Activity.active).order_by(Activity.name)).scalars()]


def activity_view(a: Activity) -> ActivityView:
    return ActivityView(a.id, a.name, a.unit_price_minor, a.currency, a.duration_minutes, a.max_participants,
                        a.terms_kind, a.terms_percent, a.terms_fixed_minor, a.start_times, a.active)
