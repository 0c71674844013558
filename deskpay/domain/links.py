"""The life of a payment link: which states exist and which moves between them are allowed."""

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


_ALLOWED = {
    LinkStatus.OPEN: {LinkStatus.PAID, LinkStatus.EXPIRED, LinkStatus.CANCELLED, LinkStatus.FAILED},
}


def can_move(current: LinkStatus | str, target: LinkStatus | str) -> bool:
    return LinkStatus(target) in _ALLOWED.get(LinkStatus(current), set())


def check_move(current: LinkStatus | str, target: LinkStatus | str) -> LinkStatus:
    """The target state, or :class:`Refused` naming both states."""
    cur, tgt = LinkStatus(current), LinkStatus(target)
    if not can_move(cur, tgt):
        raise Refused("link.bad_transition", current=cur, target=tgt)
    return tgt


def check_validity(validity: timedelta) -> timedelta:
    if not MIN_VALIDITY <= validity <= MAX_VALIDITY:
        raise InvalidInput("link.bad_validity")
    return validity


def is_past_expiry(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def time_left(expires_at: datetime, now: datetime) -> timedelta:
    return max(expires_at - now, timedelta(0))
