"""Splitting an amount into several payment links, one per participant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.money import Money

MAX_SHARES = 50


@dataclass(frozen=True, slots=True)
class SplitPlan:
    shares: tuple[Money, ...]

    @property
    def total(self) -> Money:
        return sum(self.shares[1:], self.shares[0])

    def __len__(self) -> int:
        return len(self.shares)


def equal_shares(amount: Money, parts: int) -> tuple[Money, ...]:
    """``parts`` shares summing exactly to ``amount``; the remainder cents go to the first shares."""
    if not isinstance(parts, int) or not 1 <= parts <= MAX_SHARES:
        raise InvalidInput("split.bad_count", max=MAX_SHARES)
    base, remainder = divmod(amount.minor, parts)
    if base == 0:
        raise InvalidInput("split.zero_share", index=parts)
    return tuple(Money(base + (1 if i < remainder else 0), amount.currency) for i in range(parts))


def plan_split(
    requestable: Money, *, parts: int | None = None, amount: Money | None = None, amounts: Sequence[Money] | None = None
) -> SplitPlan:
    """Equal shares of ``amount`` (default: everything requestable), or the custom ``amounts``.

    Refused when a share is zero, the count is outside 1..50, or the shares
    together ask for more than can still be requested.
    """
    if amounts is not None:
        if not amounts:
            raise InvalidInput("split.no_shares")
        if len(amounts) > MAX_SHARES:
            raise InvalidInput("split.bad_count", max=MAX_SHARES)
        for index, share in enumerate(amounts, start=1):
            if share.minor <= 0:
                raise InvalidInput("split.zero_share", index=index)
        shares = tuple(amounts)
    else:
        shares = equal_shares(amount if amount is not None else requestable, parts or 0)
    plan = SplitPlan(shares)
    if plan.total > requestable:
        raise Refused("split.over_requestable", total=plan.total, requestable=requestable)
    return plan
