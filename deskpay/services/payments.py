"""Recording a payment reported by a provider, exactly once, whichever path reports it.

Polling, webhooks, the sandbox page and the CLI all call
:func:`record_provider_payment`. The provider's payment reference is unique in
the database: a second report of the same payment changes nothing.

The sandbox checkout (the offline default) lives here too: its page and
``deskpay sandbox pay`` are the sandbox provider reporting a payment.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from deskpay.domain.errors import NotFound, ProviderError, Refused
from deskpay.domain.dates import format_when
from deskpay.domain.links import LinkStatus, check_move
from deskpay.domain.money import Money
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.emails.outbox import booking_context, draft_email, method_label, queue_draft
from deskpay.services.ledger import lock_booking, refresh_booking
from deskpay.store.models import Activity, Booking, Customer, Payment, PaymentLink
from deskpay.domain.payments import PaymentKind, PaymentMethod

log = logging.getLogger(__name__)

SANDBOX = "sandbox"


@dataclass(frozen=True, slots=True)
class RecordResult:
    payment_id: int
    created: bool  # False: this payment was already recorded
    booking_reference: str
    fully_paid: bool
    overpaid: Money
    closed_links: tuple[tuple[int, str | None, str], ...] = ()  # (id, provider_id, provider) expired because paid


def _find_link(session, link_id: int | None, provider: str, provider_id: str | None) -> PaymentLink:
    link = session.get(PaymentLink, link_id) if link_id is not None else None
    if link is None and provider_id:
        link = session.execute(
            select(PaymentLink).where(PaymentLink.provider == provider, PaymentLink.provider_id == provider_id)
        ).scalar_one_or_none()
    if link is None:
        raise NotFound("link.not_found", id=link_id if link_id is not None else provider_id)
    return link


def record_provider_payment(desk: Desk, *, provider: str, payment_reference: str, amount: Money,
                            link_id: int | None = None, provider_id: str | None = None,
                            paid_at: datetime | None = None, only_if_open: bool = False,
                            source: str = "") -> RecordResult:
    """Record the payment once; mark the link paid, or note a late payment on a closed link.

    ``only_if_open`` (the sandbox checkout) refuses a link that is no longer
    open or past its expiry instead of recording a late payment; the check is
    made under the booking lock, so a cancel at the desk cannot slip between.
    ``source`` (``poll``, ``webhook``, ``page``, ``cli``) goes to the audit log.
    """
    try:
        return _record(desk, provider, payment_reference, amount, link_id, provider_id, paid_at, only_if_open,
                       source)
    except IntegrityError:
        # Another process recorded the same reference between our check and our insert.
        with desk.read() as session:
            existing = session.execute(
                select(Payment, Booking).join(Booking, Booking.id == Payment.booking_id)
                .where(Payment.provider_reference == payment_reference)
            ).one_or_none()
        if existing is None:
            raise
        payment, booking = existing
        return RecordResult(payment.id, False, booking.reference, booking.paid_minor >= booking.total_minor,
                            Money(max(booking.paid_minor - booking.total_minor, 0), booking.currency))


def _record(desk: Desk, provider: str, reference: str, amount: Money, link_id: int | None,
            provider_id: str | None, paid_at: datetime | None, only_if_open: bool, source: str) -> RecordResult:
    now = desk.now()
    with desk.write() as session:
        link = _find_link(session, link_id, provider, provider_id)
        booking = lock_booking(session, session.get(Booking, link.booking_id).reference, for_money=False)
        if amount.currency != booking.currency:
            # Never add another currency's cents to this booking's sums; a person must look.
            log.error("payment %s for link %s is in %s, booking %s is in %s", reference, link.id, amount.currency,
                      booking.reference, booking.currency)
            raise Refused("payment.currency_mismatch", reference=reference, given=amount.currency,
                          currency=booking.currency, booking=booking.reference)
        existing = session.execute(select(Payment).where(Payment.provider_reference == reference)).scalar_one_or_none()
        if existing is not None:
            return RecordResult(existing.id, False, booking.reference, booking.paid_minor >= booking.total_minor,
                                Money(max(booking.paid_minor - booking.total_minor, 0), booking.currency))
        if only_if_open and (link.status != LinkStatus.OPEN.value or link.expires_at <= now):
            status = LinkStatus.EXPIRED if link.status == LinkStatus.OPEN.value else LinkStatus(link.status)
            raise Refused("link.not_payable", id=link.id, status=status)
        payment = Payment(booking_id=booking.id, link_id=link.id, amount_minor=amount.minor, currency=amount.currency,
                          kind=PaymentKind.PAYMENT, method=PaymentMethod.ONLINE, provider_reference=reference,
                          operator=link.created_by, created_at=paid_at or now)
        session.add(payment)
        late = link.status != LinkStatus.OPEN.value
        if not late:
            link.status = check_move(link.status, LinkStatus.PAID).value
        else:
            link.status_reason = f"paid after it was {link.status}"
        link.next_check_at = None  # a paid session is final: nothing more to ask the provider
        link.updated_at = now
        session.add(link)
        session.flush()
        closed: list[tuple[int, str | None, str]] = []
        amounts = refresh_booking(session, booking, now)
        if amounts.fully_paid:
            # Nobody may pay twice: every other open link of this booking closes now.
            others = session.execute(
                select(PaymentLink).where(PaymentLink.booking_id == booking.id, PaymentLink.status == LinkStatus.OPEN)
            ).scalars().all()
            for other in others:
                other.status = check_move(other.status, LinkStatus.EXPIRED).value
                other.status_reason = "booking fully paid"
                other.updated_at = now
                session.add(other)
                closed.append((other.id, other.provider_id, other.provider))
            if others:
                amounts = refresh_booking(session, booking, now)
        audit(session, operator="system", action="payment.online", now=now, booking_id=booking.id, amount=amount,
              link_id=link.id, provider=provider, reference=reference, late=late, source=source,
              closed_links=[c[0] for c in closed], overpaid=amounts.overpaid)
        _queue_receipt(session, desk, booking, link, payment, now)
        return RecordResult(payment.id, True, booking.reference, amounts.fully_paid, amounts.overpaid, tuple(closed))


def _queue_receipt(session, desk: Desk, booking: Booking, link: PaymentLink, payment: Payment, now: datetime) -> None:
    mode = desk.settings.receipt
    customer = session.get(Customer, booking.customer_id)
    to = link.recipient_email or customer.email
    if mode == "none" or not to:
        return
    activity = session.get(Activity, booking.activity_id)
    lang = booking.language
    paid = Money(booking.paid_minor, booking.currency)
    context = booking_context(desk.settings, booking, activity, customer, paid, lang)
    context["payment"] = {"amount": Money(payment.amount_minor, payment.currency).format(lang),
                          "method": method_label(payment.method, lang),
                          "when": format_when(payment.created_at, desk.settings.tz(), lang)}
    try:
        queue_draft(session, desk.settings, draft_email("receipt", lang, to, context), now=now, operator="system",
                    booking_id=booking.id, link_id=link.id)
        if mode == "receipt_and_tickets" and booking.paid_minor >= booking.total_minor:
            context["tickets"] = [{"code": f"{booking.reference}-{i:02d}", "holder": customer.name}
                                  for i in range(1, booking.participants + 1)]
            queue_draft(session, desk.settings, draft_email("tickets", lang, to, context), now=now,
                        operator="system", booking_id=booking.id, link_id=link.id)
    except Exception:  # a receipt must never cost the payment record
        log.exception("could not queue the receipt for booking %s", booking.reference)


async def close_links_at_provider(desk: Desk, closed: tuple[tuple[int, str | None, str], ...]) -> None:
    """Expire at the provider the links closed because the booking is paid (best effort, logged).

    A link the customer paid meanwhile (two links paid in the same minute)
    cannot be expired: its payment is fetched and recorded at once, and the
    booking shows the overpayment.
    """
    targets = [(link_id, pid) for link_id, pid, provider in closed if pid and provider == desk.provider.name]
    results = await asyncio.gather(*(desk.provider.cancel_link(pid) for _, pid in targets), return_exceptions=True)
    for (link_id, pid), result in zip(targets, results, strict=True):
        if isinstance(result, ProviderError) and result.key == "stripe.already_paid":
            from deskpay.services.reconcile import reconcile_link

            try:
                await reconcile_link(desk, link_id, source="close")
            except Exception:
                log.exception("could not record the payment of %s, paid while its booking was closing", pid)
        elif isinstance(result, BaseException):
            log.warning("could not expire %s at the provider: %s", pid, result)


# -- the sandbox checkout ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkout:
    """What the sandbox checkout page shows of a link."""

    link_id: int
    state: str  # open | paid | expired | cancelled | failed
    language: str
    business_name: str
    booking_reference: str
    label: str
    amount: Money
    expires_at: datetime

    @property
    def payable(self) -> bool:
        return self.state == LinkStatus.OPEN.value


def sandbox_reference(link_id: int) -> str:
    """The sandbox's payment reference: one per link, so a replayed form or command records one payment."""
    return f"sbx_pay_{link_id}"


def checkout_of_token(desk: Desk, token: str) -> Checkout | None:
    """The sandbox link behind a page token; ``None`` when there is none (a Stripe link's token included)."""
    now = desk.now()
    with desk.read() as session:
        link = session.execute(select(PaymentLink).where(PaymentLink.token == token)).scalar_one_or_none()
        if link is None or link.provider != SANDBOX or not link.url:
            return None
        booking = session.get(Booking, link.booking_id)
        state = link.status
        if state == LinkStatus.OPEN.value and link.expires_at <= now:
            state = LinkStatus.EXPIRED.value  # the expiry job has not run yet
        return Checkout(link_id=link.id, state=state, language=link.language,
                        business_name=desk.settings.business_name, booking_reference=booking.reference,
                        label=link.label, amount=Money(link.amount_minor, link.currency), expires_at=link.expires_at)


async def pay_sandbox_link(desk: Desk, link_id: int, *, source: str = "page") -> RecordResult:
    """The customer pays a sandbox link with the test card: recorded like any provider payment.

    Refused when the link is not a sandbox link, or no longer open; paying
    again a link this made paid changes nothing (``created`` is ``False``).
    """

    def load() -> PaymentLink:
        with desk.read() as session:
            link = session.get(PaymentLink, link_id)
            if link is None:
                raise NotFound("link.not_found", id=link_id)
            if link.provider != SANDBOX:
                raise Refused("sandbox.not_sandbox_link", id=link_id, provider=link.provider)
            return link

    link = await asyncio.to_thread(load)
    result = await asyncio.to_thread(
        record_provider_payment, desk, provider=SANDBOX, payment_reference=sandbox_reference(link.id),
        amount=Money(link.amount_minor, link.currency), link_id=link.id, only_if_open=True, source=source)
    if result.closed_links:
        await close_links_at_provider(desk, result.closed_links)
    return result


def decline_sandbox_link(desk: Desk, link_id: int) -> None:
    """The customer pressed "Decline": nothing is charged and the link stays open, as at Stripe
    after a refused card; the attempt is kept in the activity log."""
    now = desk.now()
    with desk.write() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        audit(session, operator="system", action="link.declined", now=now, booking_id=link.booking_id,
              link_id=link.id, amount=Money(link.amount_minor, link.currency), provider=link.provider)
