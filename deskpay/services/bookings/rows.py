"""Finding a booking's row, and locking it for a change of its money.

Every check of what can still be requested and the insert it guards happen
under this lock: ``FOR UPDATE`` on PostgreSQL, the ``BEGIN IMMEDIATE``
transaction on SQLite."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from deskpay.domain.booking import BookingStatus
from deskpay.domain.errors import NotFound, Refused
from deskpay.store.models import Booking


def lock_booking(session: Session, reference: str, *, for_money: bool = True) -> Booking:
    """The booking row, locked until the transaction ends (SQLite: the IMMEDIATE transaction already is)."""
    statement = select(Booking).where(col(Booking.reference) == reference.strip().upper())
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update()
    booking: Booking | None = session.execute(statement).scalar_one_or_none()
    if booking is None:
        raise NotFound("booking.not_found", reference=reference.strip()[:40])
    if for_money and booking.status == BookingStatus.CANCELLED:
        raise Refused("booking.cancelled", reference=booking.reference)
    return booking


def get_booking_row(session: Session, reference: str) -> Booking:
    booking: Booking | None = session.execute(
        select(Booking).where(col(Booking.reference) == reference.strip().upper())
    ).scalar_one_or_none()
    if booking is None:
        raise NotFound("booking.not_found", reference=reference.strip()[:40])
    return booking
