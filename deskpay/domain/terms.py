"""Payment terms: how much a booking confirmation asks for up front."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from deskpay.domain.errors import InvalidInput
from deskpay.domain.money import Money, parse_amount

TermsKind = Literal["full", "deposit_percent", "deposit_fixed"]


class ConfirmationMode(StrEnum):
    """What a booking confirmation asks the customer to pay through its link."""

    DEPOSIT = "deposit"
    FULL = "full"
    NONE = "none"  # the confirmation alone, no link


def confirmation_mode(value: ConfirmationMode | str) -> ConfirmationMode:
    """``value`` as a confirmation mode, or the refusal naming the modes there are."""
    try:
        return ConfirmationMode(value)
    except ValueError:
        raise InvalidInput("confirmation.bad_mode", mode=str(value)[:20]) from None


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    kind: TermsKind = "full"
    percent: int = 0
    fixed_minor: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("full", "deposit_percent", "deposit_fixed"):
            raise InvalidInput("terms.bad_kind", kind=self.kind)
        if self.kind == "deposit_percent" and not 1 <= self.percent <= 100:
            raise InvalidInput("terms.bad_percent")

    @classmethod
    def stored(cls, kind: str | None, percent: int = 0, fixed_minor: int = 0) -> PaymentTerms:
        """Terms as a row stores them (an activity's ``terms_kind``…); no kind means paying in full."""
        if kind in (None, "", "full"):
            return cls("full")
        if kind == "deposit_percent":
            return cls("deposit_percent", percent=percent)
        if kind == "deposit_fixed":
            return cls("deposit_fixed", fixed_minor=fixed_minor)
        raise InvalidInput("terms.bad_kind", kind=str(kind)[:40])

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], currency: str) -> PaymentTerms:
        """Read ``{kind=..., percent=..., amount="50.00"}`` as written in config and demo data."""
        kind = str(data.get("kind", "full"))
        if kind == "deposit_fixed":
            return cls("deposit_fixed", fixed_minor=parse_amount(str(data.get("amount", "")), currency).minor)
        if kind == "deposit_percent":
            # Whole numbers only, written as a number or digits: 30.5 or "trente" is refused, not truncated.
            percent = data.get("percent", 0)
            if isinstance(percent, str) and percent.strip().isdecimal() and percent.strip().isascii():
                percent = int(percent)
            if isinstance(percent, bool) or not isinstance(percent, int):
                raise InvalidInput("terms.bad_percent")
            return cls("deposit_percent", percent=percent)
        if kind != "full":
            raise InvalidInput("terms.bad_kind", kind=kind[:40])
        return cls("full")

    def to_mapping(self, currency: str) -> dict[str, Any]:
        if self.kind == "deposit_fixed":
            return {"kind": self.kind, "amount": Money(self.fixed_minor, currency).plain()}
        if self.kind == "deposit_percent":
            return {"kind": self.kind, "percent": self.percent}
        return {"kind": "full"}

    @property
    def has_deposit(self) -> bool:
        return self.kind != "full"

    def deposit_of(self, total: Money) -> Money:
        """The deposit on ``total``: a percentage rounded up to the minor unit, or a fixed sum, never above the total."""
        if self.kind == "deposit_percent":
            return Money(min(total.minor, -(-total.minor * self.percent // 100)), total.currency)
        if self.kind == "deposit_fixed":
            return Money(min(total.minor, self.fixed_minor), total.currency)
        return total

    def confirmation_amount(self, mode: ConfirmationMode, total: Money, paid: Money, requestable: Money) -> Money:
        """What a "confirmation with payment link" asks for: never more than what is requestable.

        ``deposit`` asks what is still missing of the deposit; ``full`` asks the
        rest. Zero means there is nothing to ask and no link should be made.
        """
        if mode == ConfirmationMode.NONE:
            return Money.zero(total.currency)
        target = self.deposit_of(total) if mode == ConfirmationMode.DEPOSIT else total
        wanted = (target - paid).clamp_min_zero()
        return wanted if wanted <= requestable else requestable
