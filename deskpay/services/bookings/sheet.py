"""One booking's sheet: client, figures, payments, links and history, read in one session."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import Session, col

from deskpay.services.bookings.rows import get_booking_row
from deskpay.services.bookings.views import AuditView, BookingDetail, customer_view
from deskpay.services.desk import Desk
from deskpay.services.links.views import link_view
from deskpay.services.money.ledger import compute_amounts
from deskpay.services.money.views import payment_view
from deskpay.store.engine import must_get
from deskpay.store.models import (
    Activity,
    AuditEvent,
    Booking,
    Customer,
    Payment,
    PaymentLink,
)


def booking_detail(desk: Desk, reference: str) -> BookingDetail:
    with desk.read() as session:
        booking = get_booking_row(session, reference)
        return detail_of(session, booking)


def detail_of(session: Session, booking: Booking) -> BookingDetail:
    customer = must_get(session, Customer, booking.customer_id)
    activity = must_get(session, Activity, booking.activity_id)
    payments = session.execute(
        select(Payment).where(col(Payment.booking_id) == booking.id).order_by(col(Payment.created_at), col(Payment.id))
    ).scalars()
    links = session.execute(
        select(PaymentLink)
        .where(col(PaymentLink.booking_id) == booking.id)
        .order_by(col(PaymentLink.created_at), col(PaymentLink.id))
    ).scalars()
    history = session.execute(
        select(AuditEvent)
        .where(col(AuditEvent.booking_id) == booking.id)
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .limit(200)
    ).scalars()
    return BookingDetail(
        id=booking.id,
        reference=booking.reference,
        activity=activity.name,
        activity_id=activity.id,
        start_at=booking.start_at,
        participants=booking.participants,
        status=booking.status,
        language=booking.language,
        notes=booking.notes,
        customer=customer_view(customer),
        amounts=compute_amounts(session, booking),
        payments=tuple(payment_view(p) for p in payments),
        links=tuple(link_view(link, booking.reference) for link in links),
        history=tuple(AuditView(e.operator, e.action, json.loads(e.details or "{}"), e.created_at) for e in history),
        revision=booking.revision,
    )
