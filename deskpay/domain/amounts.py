"""What a booking costs, what came in, what is asked in open links, what is left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from deskpay.domain.money import Money


class Badge(StrEnum):
    """What the reservations list says of a booking's money, at a glance."""

    UNPAID = "unpaid"
    DEPOSIT_PAID = "deposit_paid"
    PAID = "paid"
    LINK_OPEN = "link_open"
    LINK_EXPIRED = "link_expired"


@dataclass(frozen=True, slots=True)
class BookingAmounts:
    """The figures of a booking's Paiement pane.

    ``paid`` is succeeded payments minus refunds; ``pending`` is the sum of
    open links. ``requestable`` is what may still be asked for without
    letting paid + open links exceed the total.
    """

    total: Money
    paid: Money
    pending: Money

    @classmethod
    def of(cls, total: Money, payments: Iterable[Money], open_links: Iterable[Money]) -> BookingAmounts:
        zero = Money.zero(total.currency)
        return cls(total=total, paid=sum(payments, zero), pending=sum(open_links, zero))

    @property
    def balance(self) -> Money:
        return self.total - self.paid

    @property
    def requestable(self) -> Money:
        return (self.balance - self.pending).clamp_min_zero()

    @property
    def overpaid(self) -> Money:
        """Money received beyond the total (a race or a mistake): to refund or keep, a manager decides."""
        return (self.paid - self.total).clamp_min_zero()

    @property
    def fully_paid(self) -> bool:
        return self.paid.minor >= self.total.minor

    def badge(self, has_expired_link: bool = False) -> Badge:
        """The list badge: paid, then a link open, then a deposit paid, then an expired link, else unpaid."""
        if self.fully_paid:
            return Badge.PAID
        if self.pending:
            return Badge.LINK_OPEN
        if self.paid:
            return Badge.DEPOSIT_PAID
        if has_expired_link:
            return Badge.LINK_EXPIRED
        return Badge.UNPAID
