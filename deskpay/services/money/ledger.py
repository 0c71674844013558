"""A booking's figures, recomputed from its payments and links, and the change revision.

Every service that changes money calls :func:`refresh_booking` in the same
transaction, so the list screen's denormalised columns never drift, and bumps
the global revision so other desks notice the change cheaply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlmodel import Session, col

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.domain.payments import PaymentKind, PaymentMethod
from deskpay.services.changes import notify_change
from deskpay.store.models import Booking, Counter, Payment, PaymentLink


def bump_revision(session: Session) -> int:
    """Increment and return the global change counter (one row, locked for the transaction)."""
    result = session.execute(
        update(Counter)
        .where(col(Counter.name) == "revision")
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    )
    return int(result.scalar_one())


def next_sequence(session: Session, name: str) -> int:
    """A gap-tolerant named sequence (booking numbers per year), safe across processes."""
    updated = session.execute(
        update(Counter)
        .where(col(Counter.name) == name)
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    ).scalar_one_or_none()
    if updated is not None:
        return int(updated)
    session.add(Counter(name=name, value=1))
    session.flush()
    return 1


def compute_amounts(session: Session, booking: Booking) -> BookingAmounts:
    """The authoritative figures, from the payments and links themselves."""
    signed = func.coalesce(
        func.sum(
            case((col(Payment.kind) == PaymentKind.REFUND, -col(Payment.amount_minor)), else_=col(Payment.amount_minor))
        ),
        0,
    )
    paid = session.execute(select(signed).where(col(Payment.booking_id) == booking.id)).scalar_one()
    pending = session.execute(
        select(func.coalesce(func.sum(col(PaymentLink.amount_minor)), 0)).where(
            col(PaymentLink.booking_id) == booking.id, col(PaymentLink.status) == LinkStatus.OPEN.value
        )
    ).scalar_one()
    currency = booking.currency
    return BookingAmounts(
        Money(booking.total_minor, currency), Money(int(paid), currency), Money(int(pending), currency)
    )


def refresh_booking(session: Session, booking: Booking, now: datetime) -> BookingAmounts:
    amounts = compute_amounts(session, booking)
    has_expired = (
        session.execute(
            select(func.count())
            .select_from(PaymentLink)
            .where(col(PaymentLink.booking_id) == booking.id, col(PaymentLink.status) == LinkStatus.EXPIRED.value)
        ).scalar_one()
        > 0
    )
    booking.paid_minor = amounts.paid.minor
    booking.pending_minor = amounts.pending.minor
    booking.badge = amounts.badge(has_expired)
    booking.revision = bump_revision(session)
    booking.updated_at = now
    session.add(booking)
    notify_change(session, booking.reference)
    return amounts


def add_payment(
    session: Session,
    booking: Booking,
    amount: Money,
    *,
    kind: PaymentKind,
    method: PaymentMethod,
    operator: str,
    now: datetime,
    note: str = "",
    link_id: int | None = None,
    provider_reference: str | None = None,
) -> Payment:
    """Money in or given back on ``booking``, which the caller has locked: the one place a payment row is written.

    The caller then recomputes the booking's figures (:func:`refresh_booking`) in the same transaction.
    """
    payment = Payment(
        booking_id=booking.id,
        link_id=link_id,
        amount_minor=amount.minor,
        currency=amount.currency,
        kind=kind,
        method=method,
        provider_reference=provider_reference,
        operator=operator,
        note=note,
        created_at=now,
    )
    session.add(payment)
    session.flush()
    return payment
