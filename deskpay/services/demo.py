"""The demo business: activities and customers from ``data/``, bookings generated around today.

Bookings are written with bulk inserts in one transaction, with their
denormalised figures computed as the ledger would, so that 100,000 of them
load in seconds and look like a season of real trade: unpaid, deposit paid,
fully paid; links open, paid and expired.
"""

from __future__ import annotations

import csv
import random
import secrets
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session, SQLModel, col

from deskpay import paths
from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.booking import BookingStatus, price_of
from deskpay.domain.errors import Refused
from deskpay.domain.i18n import text
from deskpay.domain.links import LinkPurpose, LinkStatus
from deskpay.domain.money import Money, parse_amount
from deskpay.domain.payments import DESK_METHODS, PaymentKind, PaymentMethod
from deskpay.domain.terms import PaymentTerms
from deskpay.domain.text import search_key
from deskpay.services.desk import Desk
from deskpay.store.engine import catch_up_id_sequences
from deskpay.store.models import (
    Activity,
    AuditEvent,
    Booking,
    Counter,
    Customer,
    EmailMessage,
    Payment,
    PaymentLink,
    ProviderEvent,
    table_of,
)

DEFAULT_BOOKINGS = 2_000
DEMO_MARKER = "demo"

SPAN_DAYS = 60
DEMO_LABELS = {
    (LinkPurpose.CONFIRMATION, True): "link.label.full",
    (LinkPurpose.CONFIRMATION, False): "link.label.deposit",
    (LinkPurpose.BALANCE, False): "link.label.balance",
}
"""A demo link's label (in the customer's language), by its purpose and whether it asks the whole total."""


@dataclass(frozen=True)
class DemoSummary:
    activities: int
    customers: int
    bookings: int
    payments: int
    links: int


@dataclass(frozen=True, slots=True)
class _Row:
    """The booking being generated, as its links and payments need it."""

    booking_id: int
    activity: Activity
    customer: Customer
    total: int


@dataclass
class _Season:
    """The links and payments generated so far, inserted in bulk at the end."""

    base_url: str
    links: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)

    def add_link(self, row: _Row, amount: int, status: LinkStatus, purpose: LinkPurpose, when: datetime) -> int:
        link_id = len(self.links) + 1
        token = secrets.token_urlsafe(32) if status is LinkStatus.OPEN else uuid.uuid4().hex
        label = text(DEMO_LABELS[purpose, amount == row.total], row.customer.language)
        expires = when + timedelta(hours=24)
        self.links.append(
            {
                "id": link_id,
                "booking_id": row.booking_id,
                "amount_minor": amount,
                "currency": row.activity.currency,
                "label": label,
                "purpose": purpose,
                "recipient_email": row.customer.email,
                "language": row.customer.language,
                "status": status,
                "status_reason": "",
                "provider": "sandbox",
                "provider_id": f"sbx_{link_id}",
                "url": f"{self.base_url}/pay/{token}",
                "token": token,
                "idempotency_key": f"deskpay-demo-{uuid.uuid4()}",
                "expires_at": expires,
                "created_by": "demo",
                "created_at": when,
                "updated_at": when,
                "notify": False,
                "email_subject": None,
                "email_message": "",
                "next_check_at": None,
                "replaces_id": None,
            }
        )
        return link_id

    def add_payment(self, row: _Row, amount: int, method: str, when: datetime, link_id: int | None) -> None:
        self.payments.append(
            {
                "booking_id": row.booking_id,
                "link_id": link_id,
                "amount_minor": amount,
                "currency": row.activity.currency,
                "kind": PaymentKind.PAYMENT,
                "method": method,
                "provider_reference": f"demo_{uuid.uuid4().hex}" if link_id else None,
                "operator": "demo",
                "note": "",
                "created_at": when,
            }
        )


def _check_replaceable(session: Session) -> None:
    """Only a demo database (or an empty one) may be replaced by the demo: real takings are never erased."""
    has_bookings = session.execute(select(col(Booking.id)).limit(1)).first() is not None
    if has_bookings and session.get(Counter, DEMO_MARKER) is None:
        raise Refused("demo.real_data")


def is_demo_database(desk: Desk) -> bool:
    with desk.read() as session:
        return session.get(Counter, DEMO_MARKER) is not None


def _reset(session: Session) -> None:
    for model in (ProviderEvent, EmailMessage, AuditEvent, Payment, PaymentLink, Booking, Customer, Activity):
        session.execute(delete(model))
    session.execute(delete(Counter).where(col(Counter.name).not_in(("revision", DEMO_MARKER))))


def load_demo(
    desk: Desk, *, bookings: int = DEFAULT_BOOKINGS, seed: int = 2026, reset: bool = True, data_dir: Path | None = None
) -> DemoSummary:
    source = data_dir or paths.demo_data_dir()
    rng = random.Random(seed)
    settings = desk.settings
    tz = settings.tz()
    now = desk.now()
    today = now.astimezone(tz).date()
    activities_data = tomllib.loads((source / "activities.toml").read_text(encoding="utf-8"))["activity"]
    with (source / "customers.csv").open(encoding="utf-8", newline="") as handle:
        customers_data = list(csv.DictReader(handle))
    base_url = settings.sandbox_base_url()

    with desk.write() as session:
        _check_replaceable(session)
        if reset:
            _reset(session)
        if session.get(Counter, DEMO_MARKER) is None:
            session.add(Counter(name=DEMO_MARKER, value=1))
        activities = []
        for item in activities_data:
            price = parse_amount(item["unit_price"], settings.currency)
            terms = PaymentTerms.from_mapping(item.get("payment_terms", {"kind": "full"}), settings.currency)
            activities.append(
                Activity(
                    name=item["name"],
                    unit_price_minor=price.minor,
                    currency=settings.currency,
                    duration_minutes=int(item.get("duration_minutes", 60)),
                    max_participants=int(item.get("max_participants", 20)),
                    terms_kind=terms.kind,
                    terms_percent=terms.percent,
                    terms_fixed_minor=terms.fixed_minor,
                    start_times=",".join(item.get("start_times", ["10:00"])),
                )
            )
        session.add_all(activities)
        customers = [
            Customer(
                name=row["name"].strip(),
                email=row["email"].strip() or None,
                phone=row["phone"].strip() or None,
                language=row["language"].strip() or "fr",
                created_at=now,
            )
            for row in customers_data
        ]
        session.add_all(customers)
        session.flush()

        booking_rows: list[dict[str, Any]] = []
        season = _Season(base_url)
        payments, links = season.payments, season.links
        sequences: dict[int, int] = {}
        first_id = (
            session.execute(select(col(Booking.id)).order_by(col(Booking.id).desc())).scalars().first() or 0
        ) + 1
        for n in range(bookings):
            booking_id = first_id + n
            activity = rng.choice(activities)
            customer = rng.choice(customers)
            # A third of bookings within a week of today, the rest over ±60 days.
            offset = rng.randint(-7, 7) if rng.random() < 0.33 else rng.randint(-SPAN_DAYS, SPAN_DAYS)
            day = today + timedelta(days=offset)
            hh, mm = rng.choice(activity.start_times.split(",")).split(":")
            start = datetime.combine(day, time(int(hh), int(mm)), tzinfo=tz)
            participants = rng.randint(1, min(8, activity.max_participants))
            total = price_of(Money(activity.unit_price_minor, activity.currency), participants).minor
            year = day.year
            sequences[year] = sequences.get(year, 0) + 1
            reference = f"R-{year}-{sequences[year]:06d}"
            created = min(now, start) - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
            terms = PaymentTerms.stored(activity.terms_kind, activity.terms_percent, activity.terms_fixed_minor)
            deposit_minor = terms.deposit_of(Money(total, activity.currency)).minor
            past = start < now
            roll = rng.random()
            paid = pending = 0
            has_expired = False

            row = _Row(booking_id, activity, customer, total)

            paid_when = created + timedelta(hours=rng.randint(1, 20))
            if roll < (0.6 if past else 0.25):  # fully paid, online or at the desk
                if rng.random() < 0.6:
                    season.add_payment(
                        row,
                        total,
                        PaymentMethod.ONLINE,
                        paid_when,
                        season.add_link(row, total, LinkStatus.PAID, LinkPurpose.CONFIRMATION, created),
                    )
                else:
                    season.add_payment(row, total, rng.choice(DESK_METHODS), paid_when, None)
                paid = total
            elif roll < (0.8 if past else 0.6) and deposit_minor < total:  # deposit paid
                season.add_payment(
                    row,
                    deposit_minor,
                    PaymentMethod.ONLINE,
                    paid_when,
                    season.add_link(row, deposit_minor, LinkStatus.PAID, LinkPurpose.CONFIRMATION, created),
                )
                paid = deposit_minor
                if not past and rng.random() < 0.3 and (now - created) < timedelta(hours=23):
                    pending = total - deposit_minor
                    season.add_link(
                        row, pending, LinkStatus.OPEN, LinkPurpose.BALANCE, now - timedelta(hours=rng.randint(1, 20))
                    )
            elif roll < 0.9:  # a link was sent
                if past or rng.random() < 0.5:
                    season.add_link(row, deposit_minor, LinkStatus.EXPIRED, LinkPurpose.CONFIRMATION, created)
                    has_expired = True
                else:
                    pending = deposit_minor
                    season.add_link(
                        row,
                        deposit_minor,
                        LinkStatus.OPEN,
                        LinkPurpose.CONFIRMATION,
                        now - timedelta(hours=rng.randint(1, 20)),
                    )
            currency = activity.currency
            badge = BookingAmounts(Money(total, currency), Money(paid, currency), Money(pending, currency)).badge(
                has_expired
            )
            booking_rows.append(
                {
                    "id": booking_id,
                    "reference": reference,
                    "activity_id": activity.id,
                    "customer_id": customer.id,
                    "start_at": start,
                    "participants": participants,
                    "total_minor": total,
                    "currency": activity.currency,
                    "status": BookingStatus.CONFIRMED,
                    "language": customer.language,
                    "notes": "",
                    "paid_minor": paid,
                    "pending_minor": pending,
                    "badge": badge,
                    "search_text": search_key(reference, customer.name, customer.email, customer.phone),
                    "revision": 0,
                    "created_at": created,
                    "updated_at": created,
                }
            )

        _bulk(session, Booking, booking_rows)
        link_offset = (
            session.execute(select(col(PaymentLink.id)).order_by(col(PaymentLink.id).desc())).scalars().first() or 0
        )
        for link in links:
            link["id"] += link_offset
        for payment in payments:
            if payment["link_id"]:
                payment["link_id"] += link_offset
        _bulk(session, PaymentLink, links)
        _bulk(session, Payment, payments)
        catch_up_id_sequences(session, "booking", "paymentlink")
        for year, value in sequences.items():
            name = f"booking:{year}"
            if session.get(Counter, name) is None:
                session.add(Counter(name=name, value=value))
            else:
                session.execute(
                    update(Counter).where(col(Counter.name) == name).values(value=col(Counter.value) + value)
                )
        session.execute(update(Counter).where(col(Counter.name) == "revision").values(value=col(Counter.value) + 1))
    return DemoSummary(len(activities), len(customers), len(booking_rows), len(payments), len(links))


def _bulk(session: Session, model: type[SQLModel], rows: list[dict[str, Any]], chunk: int = 5_000) -> None:
    table = table_of(model)
    for start in range(0, len(rows), chunk):
        session.execute(insert(table), rows[start : start + chunk])
