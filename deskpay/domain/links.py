"""The life of a payment link: its states, its purposes, which moves and which desk actions each allows."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.i18n import text

MIN_VALIDITY = timedelta(minutes=30)
MAX_VALIDITY = timedelta(hours=24)
DEFAULT_VALIDITY = MAX_VALIDITY


class LinkStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FAILED = "failed"  # the provider refused to create it

    @property
    def is_final(self) -> bool:
        return self is not LinkStatus.OPEN

    def label(self, lang: str) -> str:
        return text(f"link.status.{self.value}", lang)

    def localized(self, lang: str) -> str:
        return self.label(lang)


class LinkPurpose(StrEnum):
    """Why a link was made; it chooses the email that carries it."""

    CONFIRMATION = "confirmation"  # the booking confirmation's deposit or full payment
    LINK = "link"  # a custom amount, from Encaisser
    BALANCE = "balance"  # everything still requestable
    SPLIT = "split"  # one participant's share


class RemoteState(StrEnum):
    """What the payment provider says of a link."""

    OPEN = "open"
    PROCESSING = "processing"  # the customer finished; an asynchronous method (a bank debit) has not settled
    PAID = "paid"
    FAILED = "failed"  # that method failed: the link cannot be paid any more
    EXPIRED = "expired"


_ALLOWED = {
    LinkStatus.OPEN: {LinkStatus.PAID, LinkStatus.EXPIRED, LinkStatus.CANCELLED, LinkStatus.FAILED},
}
REGENERABLE = frozenset({LinkStatus.EXPIRED, LinkStatus.CANCELLED, LinkStatus.FAILED})
"""A link in one of these states can be made again (same amount, label and recipient)."""


def can_move(current: LinkStatus | str, target: LinkStatus | str) -> bool:
    return LinkStatus(target) in _ALLOWED.get(LinkStatus(current), set())


def check_move(current: LinkStatus | str, target: LinkStatus | str) -> LinkStatus:
    """The target state, or :class:`Refused` naming both states."""
    cur, tgt = LinkStatus(current), LinkStatus(target)
    if not can_move(cur, tgt):
        raise Refused("link.bad_transition", current=cur, target=tgt)
    return tgt


def can_regenerate(status: LinkStatus | str) -> bool:
    return LinkStatus(status) in REGENERABLE


def can_cancel(status: LinkStatus | str) -> bool:
    return can_move(status, LinkStatus.CANCELLED)


def can_share(status: LinkStatus | str, has_url: bool) -> bool:
    """Copy, show as a QR code, email: only an open link whose page exists."""
    return LinkStatus(status) is LinkStatus.OPEN and has_url


def check_validity(validity: timedelta) -> timedelta:
    if not MIN_VALIDITY <= validity <= MAX_VALIDITY:
        raise InvalidInput("link.bad_validity")
    return validity


def is_past_expiry(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def time_left(expires_at: datetime, now: datetime) -> timedelta:
    return max(expires_at - now, timedelta(0))
