"""Split: several links at once, one per participant, each to its own email."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import InvalidInput
from deskpay.domain.i18n import text
from deskpay.domain.links import LinkPurpose
from deskpay.domain.money import Money
from deskpay.domain.split import plan_split
from deskpay.services.desk import Desk
from deskpay.services.links.open import LinksOutcome, LinkSpec, open_links
from deskpay.services.money.collect import as_money
from deskpay.store.models import Booking, Customer


def default_label(index: int, lang: str) -> str:
    return text("link.label.participant", lang, index=index)


async def split_booking(
    desk: Desk,
    reference: str,
    *,
    parts: int | None = None,
    amount: Money | str | None = None,
    amounts: Sequence[Money | str] | None = None,
    emails: Sequence[str | None] | None = None,
    labels: Sequence[str] | None = None,
    send_email: bool = True,
) -> LinksOutcome:
    """All links of the split are reserved in one transaction and created concurrently.

    A share with an email gets its own email when ``send_email``; shares
    without one are created silently (copy or QR them at the desk).
    """

    def plan(session: Session, booking: Booking, customer: Customer, booking_amounts: BookingAmounts) -> list[LinkSpec]:
        currency = booking.currency
        custom = [as_money(a, currency, desk) for a in amounts] if amounts is not None else None
        total = as_money(amount, currency, desk) if amount is not None else None
        split = plan_split(booking_amounts.requestable, parts=parts, amount=total, amounts=custom)
        count = len(split)
        if emails is not None and len(emails) not in (0, count):
            raise InvalidInput("split.emails_count", given=len(emails), parts=count)
        if labels is not None and len(labels) not in (0, count):
            raise InvalidInput("split.labels_count", given=len(labels), parts=count)
        specs = []
        for index, share in enumerate(split.shares):
            recipient = (emails[index] or None) if emails else None
            label = (labels[index] if labels else "") or default_label(index + 1, booking.language)
            specs.append(
                LinkSpec(
                    amount=share,
                    label=label,
                    recipient=recipient,
                    notify=bool(send_email and recipient),
                    purpose=LinkPurpose.SPLIT,
                )
            )
        return specs

    return await open_links(desk, reference, plan)
