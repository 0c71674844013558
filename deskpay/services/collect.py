"""Encaisser: record money taken at the desk, or open a payment link for it."""

from __future__ import annotations

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.i18n import text
from deskpay.domain.money import Money, parse_amount
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.emails.outbox import method_label
from deskpay.services.ledger import compute_amounts, lock_booking, refresh_booking
from deskpay.services.links import LinksOutcome, LinkSpec, open_links
from deskpay.services.queries import payment_view
from deskpay.services.text import clean_block
from deskpay.services.views import PaymentView
from deskpay.store.models import Payment

OFFLINE_MODES = ("card", "cash", "transfer", "voucher")
MODES = ("online", *OFFLINE_MODES)

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


def collect_offline(desk: Desk, reference: str, amount: Money | str, mode: str, *, note: str = "") -> PaymentView:
    """Record a payment taken at the desk (card terminal, cash, transfer, voucher) at once."""
    if mode not in OFFLINE_MODES:
        raise InvalidInput("collect.bad_mode", mode=str(mode)[:20])
    note = clean_block(note, "Notes", max_len=500)  # refused, not cut short or stored with escape codes
    now = desk.now()
    with desk.write() as session:
        booking = lock_booking(session, reference)
        money = as_money(amount, booking.currency, desk)
        _check_fits(money, compute_amounts(session, booking))
        payment = Payment(booking_id=booking.id, amount_minor=money.minor, currency=money.currency, kind="payment",
                          method=mode, operator=desk.operator, note=note, created_at=now)
        session.add(payment)
        session.flush()
        refresh_booking(session, booking, now)
        audit(session, operator=desk.operator, action="payment.record", now=now, booking_id=booking.id,
              amount=money, method=mode, method_label=method_label(mode, "en"), payment_id=payment.id)
        return payment_view(payment)


async def collect_online(desk: Desk, reference: str, amount: Money | str, *, email: str | None = None,
                         send_email: bool = False, subject: str | None = None, message: str = "",
                         label: str = "", purpose: str = "link") -> LinksOutcome:
    """Open one payment link; optionally queue its email (to ``email`` or the customer's)."""

    def plan(session, booking, customer, amounts):
        money = as_money(amount, booking.currency, desk)
        _check_fits(money, amounts)
        recipient = email if email and email.strip() else (customer.email if send_email else None)
        return [LinkSpec(amount=money, label=label, recipient=recipient, notify=send_email, subject=subject,
                         message=message, purpose=purpose)]

    return await open_links(desk, reference, plan)


async def request_balance(desk: Desk, reference: str, *, email: str | None = None, send_email: bool = True,
                          subject: str | None = None, message: str = "") -> LinksOutcome:
    """One link for everything still requestable, emailed as a balance request."""

    def plan(session, booking, customer, amounts):
        recipient = email if email and email.strip() else customer.email
        if not amounts.requestable:
            return []
        return [LinkSpec(amount=amounts.requestable, label=text("link.label.balance", booking.language),
                         recipient=recipient, notify=send_email, subject=subject, message=message,
                         purpose="balance")]

    return await open_links(desk, reference, plan)
