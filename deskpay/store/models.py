"""The tables. Amounts are integer minor units beside their currency; times are UTC.

Ids are typed ``int``: a row the services read or flushed has one; a row not
yet flushed has ``None`` for a moment, and nothing reads its id before the flush.

Booking carries denormalised ``paid_minor``/``pending_minor``/``badge`` so the
list screen can filter and page 100,000 bookings in SQL; they are recomputed
from payments and links by the services in the same transaction as any change
(see ``services.ledger.refresh_booking``), never incremented.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from deskpay.domain.amounts import Badge
from deskpay.domain.booking import BookingStatus
from deskpay.domain.links import LinkPurpose, LinkStatus
from deskpay.domain.operators import Role
from deskpay.domain.outbox import EmailStatus
from deskpay.domain.payments import PaymentKind
from deskpay.store.columns import UTCDateTime, utcnow


def _utc(index: bool = False, nullable: bool = False):
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


class Operator(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    email: str | None = Field(default=None, max_length=254)
    role: str = Field(default=Role.STAFF, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Activity(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    unit_price_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    duration_minutes: int = 60
    max_participants: int = 20
    terms_kind: str | None = Field(default=None, max_length=20)  # None: the business default
    terms_percent: int = 0
    terms_fixed_minor: int = Field(default=0, sa_type=BigInteger)
    start_times: str = Field(default="", max_length=200)  # "09:00,14:00" local times
    active: bool = True


class Customer(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str | None = Field(default=None, max_length=40, index=True)
    language: str = Field(default="fr", max_length=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Booking(SQLModel, table=True):
    __table_args__ = (
        Index("ix_booking_start_id", "start_at", "id"),
        Index("ix_booking_revision", "revision"),
        # A text search scans this narrow index (it holds what the search reads) instead of the table.
        Index("ix_booking_search", "search_text", "start_at", "id"),
    )

    id: int = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    start_at: datetime = Field(sa_type=UTCDateTime)
    participants: int
    total_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    status: str = Field(default=BookingStatus.CONFIRMED, max_length=16)
    language: str = Field(default="fr", max_length=5)
    notes: str = Field(default="", sa_type=Text)
    # Denormalised for the list screen; recomputed by services.ledger.
    paid_minor: int = Field(default=0, sa_type=BigInteger)
    pending_minor: int = Field(default=0, sa_type=BigInteger)
    badge: str = Field(default=Badge.UNPAID, max_length=16, index=True)
    search_text: str = Field(default="", sa_type=Text)  # lower-case, accent-free "ref name email phone"
    revision: int = Field(default=0, sa_type=BigInteger)  # global change counter at the last change
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Payment(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    link_id: int | None = Field(default=None, foreign_key="paymentlink.id", index=True)
    amount_minor: int = Field(sa_type=BigInteger)  # always positive; kind says which way
    currency: str = Field(max_length=3)
    kind: str = Field(default=PaymentKind.PAYMENT, max_length=10)
    method: str = Field(max_length=12)  # a PaymentMethod
    provider_reference: str | None = Field(default=None, max_length=255, unique=True)
    operator: str = Field(max_length=120)
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaymentLink(SQLModel, table=True):
    __table_args__ = (
        Index("ix_paymentlink_status_expires", "status", "expires_at"),
        # Stripe polling asks every few seconds which links are due; only open ones have a date. The index is
        # partial on both databases (migration 0002). Only the SQLite clause is repeated here: naming a
        # ``postgresql_`` keyword makes SQLAlchemy import its PostgreSQL dialect (~20 ms) at every launch of a
        # SQLite desk, and Alembic's model comparison does not look at index clauses anyway.
        Index("ix_paymentlink_next_check", "next_check_at", sqlite_where=text("next_check_at IS NOT NULL")),
    )

    id: int = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    label: str = Field(default="", max_length=120)
    purpose: str = Field(default=LinkPurpose.LINK, max_length=16)
    recipient_email: str | None = Field(default=None, max_length=254)
    language: str = Field(default="fr", max_length=5)
    status: str = Field(default=LinkStatus.OPEN, max_length=12, index=True)
    status_reason: str = Field(default="", sa_type=Text)
    provider: str = Field(max_length=16)
    provider_id: str | None = Field(default=None, max_length=255, index=True)
    url: str | None = Field(default=None, sa_type=Text)
    token: str = Field(max_length=64, unique=True)
    idempotency_key: str = Field(max_length=80, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # provider polling schedule
    replaces_id: int | None = Field(default=None, foreign_key="paymentlink.id")
    # The email to send once the provider has answered; kept on the row so a
    # crash between the provider call and the queueing is finished on restart.
    notify: bool = False
    email_subject: str | None = Field(default=None, max_length=255)
    email_message: str = Field(default="", sa_type=Text)


class EmailMessage(SQLModel, table=True):
    __table_args__ = (
        Index("ix_email_status_next", "status", "next_attempt_at"),
        Index("ix_email_status_id", "status", "id"),  # the outbox screen pages one status newest first
    )

    id: int = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)
    language: str = Field(default="fr", max_length=5)
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=255)
    text: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    message_id: str = Field(max_length=255, unique=True)
    status: str = Field(default=EmailStatus.QUEUED, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", sa_type=Text)
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    link_id: int | None = Field(default=None, foreign_key="paymentlink.id")
    created_by: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    operator: str = Field(max_length=120)
    action: str = Field(max_length=40)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    details: str = Field(default="{}", sa_type=Text)  # JSON
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Counter(SQLModel, table=True):
    """Named sequences: booking references per year, and the global change revision."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_type=BigInteger)


class ProviderEvent(SQLModel, table=True):
    """Webhook events already handled, so each is handled once."""

    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: int = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=80)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for the statements that need no ORM (bulk inserts, the outbox's claims)."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models, untyped
    return table
