"""A booking's rules: what it costs by default, its states, and which desk actions it allows now."""

from __future__ import annotations

from enum import StrEnum

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.i18n import text
from deskpay.domain.money import Money


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    def label(self, lang: str) -> str:
        return text(f"booking.status.{self.value}", lang)


def price_of(unit_price: Money, participants: int) -> Money:
    """The total a booking costs unless the operator typed another: the activity's price × participants."""
    return Money(unit_price.minor * participants, unit_price.currency)


def follows_price(total: Money, unit_price: Money, participants: int) -> bool:
    """Whether ``total`` is still the price × participants (an edit of the participants then moves it too)."""
    return total == price_of(unit_price, participants)


def can_collect(status: BookingStatus | str, amounts: BookingAmounts) -> bool:
    """Encaisser, split, request the balance: something is left to ask on a booking that still stands."""
    return BookingStatus(status) is BookingStatus.CONFIRMED and bool(amounts.requestable)


def can_send_confirmation(status: BookingStatus | str, customer_email: str | None) -> bool:
    return BookingStatus(status) is BookingStatus.CONFIRMED and bool(customer_email)
