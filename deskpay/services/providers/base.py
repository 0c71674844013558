"""The interface every payment provider implements.

Services own the database; a provider only talks to the outside world. The
link row exists (status ``open``, no url yet) before ``create_link`` is
called, so a crash between the two is repaired by calling it again with the
same ``idempotency_key``: a provider must return the same remote object then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from deskpay.domain.links import RemoteState
from deskpay.domain.money import Money

ProviderMode = Literal["sandbox", "test", "live"]


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """Everything a provider needs to open one payment link."""

    link_id: int
    token: str
    idempotency_key: str
    amount: Money
    booking_reference: str
    label: str
    recipient_email: str | None
    language: str  # "fr" | "en"
    expires_at: datetime  # timezone-aware UTC
    business_name: str
    operator: str


@dataclass(frozen=True, slots=True)
class CreatedLink:
    provider_id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RemoteStatus:
    """What the provider says of a link now."""

    state: RemoteState
    payment_reference: str | None = None  # unique per payment (Stripe: payment_intent id)
    amount_paid: Money | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", RemoteState(self.state))


@runtime_checkable
class PaymentProvider(Protocol):
    name: str  # "sandbox" | "stripe"
    mode: ProviderMode
    # The shortest and longest validity the provider accepts. Links are stored with an
    # expiry inside it, so a repaired creation sends the very same parameters.
    validity_window: tuple[timedelta, timedelta]

    async def create_link(self, request: LinkRequest) -> CreatedLink: ...

    async def cancel_link(self, provider_id: str) -> None: ...

    async def fetch_status(self, provider_id: str) -> RemoteStatus: ...

    async def aclose(self) -> None: ...
