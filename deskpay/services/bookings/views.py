"""What the interfaces read of bookings: plain, immutable results (never ORM rows across threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.dates import iso_utc
from deskpay.domain.money import Money
from deskpay.services.links.views import LinkView
from deskpay.services.money.views import PaymentView

if TYPE_CHECKING:  # the models are the ORM's: the reservations list reads without them
    from deskpay.store.models import Activity, Customer


@dataclass(frozen=True, slots=True)
class ActivityView:
    id: int
    name: str
    unit_price_minor: int
    currency: str
    duration_minutes: int
    max_participants: int
    terms_kind: str | None
    terms_percent: int
    terms_fixed_minor: int
    start_times: str
    active: bool

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_minor, self.currency)


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: int
    name: str
    email: str | None
    phone: str | None
    language: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email, "phone": self.phone, "language": self.language}


@dataclass(frozen=True, slots=True)
class AuditView:
    operator: str
    action: str
    details: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BookingRow:
    """One line of the reservations list."""

    id: int
    reference: str
    start_at: datetime
    activity: str
    customer: str
    participants: int
    total: Money
    paid: Money
    badge: str
    status: str

    @property
    def balance(self) -> Money:
        return self.total - self.paid

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "start": iso_utc(self.start_at),
            "activity": self.activity,
            "customer": self.customer,
            "participants": self.participants,
            "currency": self.total.currency,
            "total": self.total.minor,
            "paid": self.paid.minor,
            "balance": self.balance.minor,
            "badge": self.badge,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class BookingPage:
    rows: tuple[BookingRow, ...]
    total_count: int
    offset: int
    revision: int
    total_is_exact: bool = True  # False: at least total_count match (a very broad text search)


@dataclass(frozen=True, slots=True)
class BookingDetail:
    id: int
    reference: str
    activity: str
    activity_id: int
    start_at: datetime
    participants: int
    status: str
    language: str
    notes: str
    customer: CustomerView
    amounts: BookingAmounts
    payments: tuple[PaymentView, ...]
    links: tuple[LinkView, ...]
    history: tuple[AuditView, ...] = field(default=())
    revision: int = 0

    @property
    def currency(self) -> str:
        return self.amounts.total.currency

    def to_json(self) -> dict[str, Any]:
        a = self.amounts
        return {
            "reference": self.reference,
            "activity": self.activity,
            "start": iso_utc(self.start_at),
            "participants": self.participants,
            "status": self.status,
            "language": self.language,
            "notes": self.notes,
            "customer": self.customer.to_json(),
            "currency": self.currency,
            "total": a.total.minor,
            "paid": a.paid.minor,
            "pending": a.pending.minor,
            "balance": a.balance.minor,
            "requestable": a.requestable.minor,
            "overpaid": a.overpaid.minor,
            "payments": [p.to_json() for p in self.payments],
            "links": [link.to_json() for link in self.links],
            "history": [
                {"operator": h.operator, "action": h.action, "details": h.details, "at": iso_utc(h.created_at)}
                for h in self.history
            ],
        }


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(customer.id, customer.name, customer.email, customer.phone, customer.language)


def activity_view(a: Activity) -> ActivityView:
    return ActivityView(
        a.id,
        a.name,
        a.unit_price_minor,
        a.currency,
        a.duration_minutes,
        a.max_participants,
        a.terms_kind,
        a.terms_percent,
        a.terms_fixed_minor,
        a.start_times,
        a.active,
    )
