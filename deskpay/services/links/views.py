"""What the interfaces read of a payment link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deskpay.domain.dates import iso_utc
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money

if TYPE_CHECKING:  # the models are the ORM's: the reservations list reads without them
    from deskpay.store.models import PaymentLink


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
        return {
            "id": self.id,
            "booking": self.booking_reference,
            "amount": self.amount.minor,
            "currency": self.amount.currency,
            "label": self.label,
            "purpose": self.purpose,
            "recipient_email": self.recipient_email,
            "status": self.status.value,
            "status_reason": self.status_reason,
            "provider": self.provider,
            "url": self.url,
            "expires_at": iso_utc(self.expires_at),
            "created_by": self.created_by,
            "created_at": iso_utc(self.created_at),
        }


def link_view(link: PaymentLink, reference: str) -> LinkView:
    return LinkView(
        id=link.id,
        booking_reference=reference,
        amount=Money(link.amount_minor, link.currency),
        label=link.label,
        purpose=link.purpose,
        recipient_email=link.recipient_email,
        status=LinkStatus(link.status),
        status_reason=link.status_reason,
        provider=link.provider,
        url=link.url,
        expires_at=link.expires_at,
        created_by=link.created_by,
        created_at=link.created_at,
        language=link.language,
    )
