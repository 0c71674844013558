"""Plain, immutable results handed to the interfaces (never ORM rows across threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money


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
class PaymentView:
    id: int
    amount: Money
    kind: str
    method: str
    operator: str
    created_at: datetime
    provider_reference: str | None
    link_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "amount": self.amount.minor, "currency": self.amount.currency, "kind": self.kind,
                "method": self.method, "operator": self.operator, "created_at": _iso(self.created_at),
                "provider_reference": self.provider_reference, "link_id": self.link_id}


@dataclass(frozen=True, slots=True)
class LinkView:
    id: int
    booking_reference: str
    amount: Money
    label: str
    purpose: str
    recipient_email: str | None
    status: LinkStatus
    status_reason: str
    provider: str
    url: str | None
    expires_at: datetime
    created_by: str
    created_at: datetime
    language: str

    @property
    def is_open(self) -> bool:
        return self.status is LinkStatus.OPEN

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "booking": self.booking_reference, "amount": self.amount.minor,
                "currency": self.amount.currency, "label": self.label, "purpose": self.purpose,
                "recipient_email": self.recipient_email, "status": self.status.value,
                "status_reason": self.status_reason, "provider": self.provider, "url": self.url,
                "expires_at": _iso(self.expires_at), "created_by": self.created_by,
                "created_at": _iso(self.created_at)}


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
        return {"reference": self.reference, "start": _iso(self.start_at), "activity": self.activity,
                "customer": self.customer, "participants": self.participants, "currency": self.total.currency,
                "total": self.total.minor, "paid": self.paid.minor, "balance": self.balance.minor,
                "badge": self.badge, "status": self.status}


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
            "reference": self.reference, "activity": self.activity, "start": _iso(self.start_at),
            "participants": self.participants, "status": self.status, "language": self.language,
            "notes": self.notes, "customer": self.customer.to_json(), "currency": self.currency,
            "total": a.total.minor, "paid": a.paid.minor, "pending": a.pending.minor,
            "balance": a.balance.minor, "requestable": a.requestable.minor, "overpaid": a.overpaid.minor,
            "payments": [p.to_json() for p in self.payments], "links": [link.to_json() for link in self.links],
            "history": [{"operator": h.operator, "action": h.action, "details": h.details,
                         "at": _iso(h.created_at)} for h in self.history],
        }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
