"""Encaisser: record money taken at the desk, or open a payment link for it.

:func:`collect` is the one dispatcher the TUI and the CLI call: a desk mode
(card terminal, cash, transfer, voucher) records the payment at once; the
online mode opens a payment link.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlmodel import Session

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.i18n import text
from deskpay.domain.links import LinkPurpose
from deskpay.domain.money import Money, parse_amount
from deskpay.domain.payments import CollectMode, PaymentKind, PaymentMethod
from deskpay.domain.text import clean_block
from deskpay.services.audit import audit
from deskpay.services.bookings.rows import lock_booking
from deskpay.services.desk import Desk
from deskpay.services.links.open import LinksOutcome, LinkSpec, open_links
from deskpay.services.money.ledger import add_payment, compute_amounts, refresh_booking
from deskpay.services.money.views import PaymentView, payment_view
from deskpay.store.models import Booking, Customer


def as_money(amount: Money | str, currency: str, desk: Desk) -> Money:
    ceiling = desk.settings.ceiling()
    if isinstance(amount, Money):
        # The same rules as a typed amount: a Money from code is not exempt from the ceiling.
        if amount.currency != currency:
            raise InvalidInput("amount.wrong_currency", given=amount.currency, currency=currency)
        if amount.minor < 0:
            raise InvalidInput("amount.negative")
        if amount.minor == 0:
            raise InvalidInput("amount.zero")
        if amount.minor > ceiling.minor:
            raise InvalidInput("amount.above_ceiling", ceiling=Money(ceiling.minor, currency))
        return amount
    return parse_amount(amount, currency, ceiling_minor=ceiling.minor)


def _check_fits(asked: Money, amounts: BookingAmounts) -> None:
    if asked > amounts.requestable:
        key = "collect.over_balance_pending" if amounts.pending else "collect.over_balance"
        raise Refused(key, asked=asked, requestable=amounts.requestable, pending=amounts.pending)


def collect_mode(value: CollectMode | str) -> CollectMode:
    """``value`` as a collect mode, or the refusal naming the modes there are."""
    try:
        return CollectMode(value)
    except ValueError:
        raise InvalidInput("collect.bad_mode", mode=str(value)[:20]) from None


def desk_method(value: PaymentMethod | str) -> PaymentMethod:
    """``value`` as a desk payment method (not ``online``: a provider reports those)."""
    mode = collect_mode(value)
    if not mode.is_desk:
        raise InvalidInput("collect.bad_mode", mode=str(value)[:20])
    return mode.method


@dataclass(frozen=True, slots=True)
class Collected:
    """What Encaisser did: a desk payment recorded, or a payment link opened."""

    mode: CollectMode
    payment: PaymentView | None = None
    links: LinksOutcome | None = None


async def collect(
    desk: Desk,
    reference: str,
    amount: Money | str,
    mode: CollectMode | str,
    *,
    note: str = "",
    email: str | None = None,
    send_email: bool = False,
    subject: str | None = None,
    message: str = "",
) -> Collected:
    """Encaisser, whatever the mode: a desk mode records the payment, ``online`` opens a link (and may email it)."""
    chosen = collect_mode(mode)
    if chosen.is_desk:
        payment = await asyncio.to_thread(collect_offline, desk, reference, amount, chosen.method, note=note)
        return Collected(chosen, payment=payment)
    links = await collect_online(
        desk, reference, amount, email=email, send_email=send_email, subject=subject, message=message
    )
    return Collected(chosen, links=links)


def collect_offline(
    desk: Desk, reference: str, amount: Money | str, method: PaymentMethod | str, *, note: str = ""
) -> PaymentView:
    """Record a payment taken at the desk (card terminal, cash, transfer, voucher) at once."""
    method = desk_method(method)
    note = clean_block(note, "Notes", max_len=500)  # refused, not cut short or stored with escape codes
    now = desk.now()
    with desk.write() as session:
        booking = lock_booking(session, reference)
        money = as_money(amount, booking.currency, desk)
        _check_fits(money, compute_amounts(session, booking))
        payment = add_payment(
            session, booking, money, kind=PaymentKind.PAYMENT, method=method, operator=desk.operator, note=note, now=now
        )
        refresh_booking(session, booking, now)
        audit(
            session,
            operator=desk.operator,
            action="payment.record",
            now=now,
            booking_id=booking.id,
            amount=money,
            method=method,
            method_label=method.label("en"),
            payment_id=payment.id,
        )
        return payment_view(payment)


async def collect_online(
    desk: Desk,
    reference: str,
    amount: Money | str,
    *,
    email: str | None = None,
    send_email: bool = False,
    subject: str | None = None,
    message: str = "",
    label: str = "",
    purpose: LinkPurpose = LinkPurpose.LINK,
) -> LinksOutcome:
    """Open one payment link; optionally queue its email (to ``email`` or the customer's)."""

    def plan(session: Session, booking: Booking, customer: Customer, amounts: BookingAmounts) -> list[LinkSpec]:
        money = as_money(amount, booking.currency, desk)
        _check_fits(money, amounts)
        recipient = email if email and email.strip() else (customer.email if send_email else None)
        return [
            LinkSpec(
                amount=money,
                label=label,
                recipient=recipient,
                notify=send_email,
                subject=subject,
                message=message,
                purpose=purpose,
            )
        ]

    return await open_links(desk, reference, plan)


async def request_balance(
    desk: Desk,
    reference: str,
    *,
    email: str | None = None,
    send_email: bool = True,
    subject: str | None = None,
    message: str = "",
) -> LinksOutcome:
    """One link for everything still requestable, emailed as a balance request."""

    def plan(session: Session, booking: Booking, customer: Customer, amounts: BookingAmounts) -> list[LinkSpec]:
        recipient = email if email and email.strip() else customer.email
        if not amounts.requestable:
            return []
        return [
            LinkSpec(
                amount=amounts.requestable,
                label=text("link.label.balance", booking.language),
                recipient=recipient,
                notify=send_email,
                subject=subject,
                message=message,
                purpose=LinkPurpose.BALANCE,
            )
        ]

    return await open_links(desk, reference, plan)
