"""Money that came in or went back: payment methods, which way the money went, how the desk collects."""

from __future__ import annotations

from enum import StrEnum

from deskpay.domain.i18n import text


class PaymentMethod(StrEnum):
    """How the money was paid."""

    ONLINE = "online"  # through a payment link (a provider reports it)
    CARD = "card"  # the card terminal at the desk
    CASH = "cash"
    TRANSFER = "transfer"
    VOUCHER = "voucher"  # a gift voucher

    def label(self, lang: str) -> str:
        """In a sentence: ``espèces``, ``bank transfer``."""
        return text(f"method.{self.value}", lang)

    def localized(self, lang: str) -> str:
        return self.label(lang)


DESK_METHODS = (PaymentMethod.CARD, PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.VOUCHER)
"""Recorded at once by the operator; online payments are reported by a provider."""


class CollectMode(StrEnum):
    """What Encaisser can do: open a payment link, or record a desk payment by one of the desk methods."""

    ONLINE = "online"
    CARD = "card"
    CASH = "cash"
    TRANSFER = "transfer"
    VOUCHER = "voucher"

    @property
    def is_desk(self) -> bool:
        return self is not CollectMode.ONLINE

    @property
    def method(self) -> PaymentMethod:
        return PaymentMethod(self.value)


class PaymentKind(StrEnum):
    """Which way the money went."""

    PAYMENT = "payment"
    REFUND = "refund"


def method_label(method: str, lang: str) -> str:
    """A stored method in a sentence; one this version does not know is shown as stored."""
    try:
        return PaymentMethod(method).label(lang)
    except ValueError:
        return method
