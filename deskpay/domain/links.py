"""The life of a payment link: which states exist and which moves between them are allowed."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.messages import register

MIN_VALIDITY = timedelta(minutes=30)
MAX_VALIDITY = timedelta(hours=24)
DEFAULT_VALIDITY = MAX_VALIDITY

register(
    {
        "link.bad_transition": {
            "en": "This link is {current}; it cannot become {target}.",
            "fr": "Ce lien est {current_fr} ; il ne peut pas devenir {target_fr}.",
        },
        "link.bad_validity": {
            "en": "A link stays valid between 30 minutes and 24 hours.",
            "fr": "Un lien reste valable entre 30 minutes et 24 heures.",
        },
    }
)


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
        return _LABELS[self][0 if lang == "fr" else 1]


_LABELS = {
    LinkStatus.OPEN: ("ouvert", "open"),
    LinkStatus.PAID: ("payé", "paid"),
    LinkStatus.EXPIRED: ("expiré", "expired"),
    LinkStatus.CANCELLED: ("annulé", "cancelled"),
    LinkStatus.FAILED: ("en échec", "failed"),
}

_ALLOWED = {
    LinkStatus.OPEN: {LinkStatus.PAID, LinkStatus.EXPIRED, LinkStatus.CANCELLED, LinkStatus.FAILED},
}


def can_move(current: LinkStatus | str, target: LinkStatus | str) -> bool:
    return LinkStatus(target) in _ALLOWED.get(LinkStatus(current), set())


def check_move(current: LinkStatus | str, target: LinkStatus | str) -> LinkStatus:
    """The target state, or :class:`Refused` naming both states."""
    cur, tgt = LinkStatus(current), LinkStatus(target)
    if not can_move(cur, tgt):
        raise Refused("link.bad_transition", current=cur.value, target=tgt.value,
                      current_fr=cur.label("fr"), target_fr=tgt.label("fr"))
    return tgt


def check_validity(validity: timedelta) -> timedelta:
    if not MIN_VALIDITY <= validity <= MAX_VALIDITY:
        raise InvalidInput("link.bad_validity")
    return validity


def is_past_expiry(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def time_left(expires_at: datetime, now: datetime) -> timedelta:
    return max(expires_at - now, timedelta(0))
