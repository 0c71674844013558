"""What a booking costs, what came in, what is asked in open links, what is left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deskpay.domain.money import Money


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

    def badge(self, has_expired_link: bool = False) -> str:
        """One of ``paid``, ``deposit_paid``, ``link_open``, ``link_expired``, ``unpaid`` for the list badge."""
        if self.fully_paid:
            return "paid"
        if self.pending:
            return "link_open"
        if self.paid:
            return "deposit_paid"
        if has_expired_link:
            return "link_expired"
        return "unpaid"
