"""What the interfaces read of a payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deskpay.domain.dates import iso_utc
from deskpay.domain.money import Money

if TYPE_CHECKING:  # the models are the ORM's: the reservations list reads without them
    from deskpay.store.models import Payment


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
        return {
            "id": self.id,
            "amount": self.amount.minor,
            "currency": self.amount.currency,
            "kind": self.kind,
            "method": self.method,
            "operator": self.operator,
            "created_at": iso_utc(self.created_at),
            "provider_reference": self.provider_reference,
            "link_id": self.link_id,
        }


def payment_view(p: Payment) -> PaymentView:
    return PaymentView(
        p.id,
        Money(p.amount_minor, p.currency),
        p.kind,
        p.method,
        p.operator,
        p.created_at,
        p.provider_reference,
        p.link_id,
    )
