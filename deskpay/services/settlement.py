"""Settling what a provider says of a payment link: a payment recorded once, whichever path reports it.

Every path that learns of a payment — Stripe polling, Stripe webhooks, the
sandbox checkout page, ``deskpay sandbox pay`` — ends in
:func:`record_provider_payment`. The provider's payment reference is unique in
the database, so a payment reported twice, or by two paths, counts once. When a
booking becomes fully paid its other open links close, here and at the
provider (:func:`close_links_at_provider`), so nobody can pay twice.

Polling (works behind NAT, needs nothing from outside): the ``stripe.poll``
job retrieves the Checkout Session of every link whose ``next_check_at`` is
due; fresh links every 10 s, older ones less often, every one once just
before it expires and once after, so a payment made in the last minute is never
missed. Webhooks: ``deskpay worker --listen`` verifies each event and hands it
to :func:`handle_stripe_event`; each event id is handled once. Both read
sessions with the same rules (``providers.stripe_sessions``) and settle through
:func:`settle`; every step is idempotent, so two workers, or a poll racing a
webhook, agree without further locking."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from deskpay.domain.errors import NotFound, ProviderError, Refused
from deskpay.domain.links import LinkStatus, RemoteState, check_move
from deskpay.domain.money import Money
from deskpay.domain.numbers import parse_count
from deskpay.domain.payments import PaymentKind, PaymentMethod
from deskpay.services.audit import audit
from deskpay.services.bookings.rows import lock_booking
from deskpay.services.desk import Desk
from deskpay.services.emails.compose import receipt_emails
from deskpay.services.emails.outbox import queue_draft
from deskpay.services.money.ledger import add_payment, refresh_booking
from deskpay.services.providers.base import RemoteStatus
from deskpay.services.providers.stripe_sessions import (
    HANDLED_EVENTS,
    session_of_event,
    status_of_event,
)
from deskpay.store.engine import must_get
from deskpay.store.models import (
    Booking,
    Payment,
    PaymentLink,
    ProviderEvent,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordResult:
    payment_id: int
    created: bool  # False: this payment was already recorded
    booking_reference: str
    fully_paid: bool
    overpaid: Money
    closed_links: tuple[tuple[int, str | None, str], ...] = ()  # (id, provider_id, provider) expired because paid

    @classmethod
    def already(cls, payment_id: int, booking: Booking) -> RecordResult:
        """The payment was recorded before (a replay, the other path): nothing changes, the booking is as it is."""
        return cls(
            payment_id,
            False,
            booking.reference,
            booking.paid_minor >= booking.total_minor,
            Money(max(booking.paid_minor - booking.total_minor, 0), booking.currency),
        )


def _find_link(session: Session, link_id: int | None, provider: str, provider_id: str | None) -> PaymentLink:
    link: PaymentLink | None = session.get(PaymentLink, link_id) if link_id is not None else None
    if link is None and provider_id:
        link = session.execute(
            select(PaymentLink).where(
                col(PaymentLink.provider) == provider, col(PaymentLink.provider_id) == provider_id
            )
        ).scalar_one_or_none()
    if link is None:
        raise NotFound("link.not_found", id=link_id if link_id is not None else provider_id)
    return link


def record_provider_payment(
    desk: Desk,
    *,
    provider: str,
    payment_reference: str,
    amount: Money,
    link_id: int | None = None,
    provider_id: str | None = None,
    paid_at: datetime | None = None,
    only_if_open: bool = False,
    source: str = "",
) -> RecordResult:
    """Record the payment once; mark the link paid, or note a late payment on a closed link.

    ``only_if_open`` (the sandbox checkout) refuses a link that is no longer
    open or past its expiry instead of recording a late payment; the check is
    made under the booking lock, so a cancel at the desk cannot slip between.
    ``source`` (``poll``, ``webhook``, ``page``, ``cli``) goes to the audit log.
    """
    try:
        return _record(desk, provider, payment_reference, amount, link_id, provider_id, paid_at, only_if_open, source)
    except IntegrityError:
        # Another process recorded the same reference between our check and our insert.
        with desk.read() as session:
            existing = session.execute(
                select(Payment, Booking)
                .join(Booking, col(Booking.id) == col(Payment.booking_id))
                .where(col(Payment.provider_reference) == payment_reference)
            ).one_or_none()
        if existing is None:
            raise
        payment, booking = existing
        return RecordResult.already(payment.id, booking)


def _record(
    desk: Desk,
    provider: str,
    reference: str,
    amount: Money,
    link_id: int | None,
    provider_id: str | None,
    paid_at: datetime | None,
    only_if_open: bool,
    source: str,
) -> RecordResult:
    now = desk.now()
    with desk.write() as session:
        link = _find_link(session, link_id, provider, provider_id)
        booking = lock_booking(session, must_get(session, Booking, link.booking_id).reference, for_money=False)
        if amount.currency != booking.currency:
            # Never add another currency's cents to this booking's sums; a person must look.
            log.error(
                "payment %s for link %s is in %s, booking %s is in %s",
                reference,
                link.id,
                amount.currency,
                booking.reference,
                booking.currency,
            )
            raise Refused(
                "payment.currency_mismatch",
                reference=reference,
                given=amount.currency,
                currency=booking.currency,
                booking=booking.reference,
            )
        existing = session.execute(
            select(Payment).where(col(Payment.provider_reference) == reference)
        ).scalar_one_or_none()
        if existing is not None:
            return RecordResult.already(existing.id, booking)
        if only_if_open and (link.status != LinkStatus.OPEN.value or link.expires_at <= now):
            status = LinkStatus.EXPIRED if link.status == LinkStatus.OPEN.value else LinkStatus(link.status)
            raise Refused("link.not_payable", id=link.id, status=status)
        payment = add_payment(
            session,
            booking,
            amount,
            kind=PaymentKind.PAYMENT,
            method=PaymentMethod.ONLINE,
            operator=link.created_by,
            now=paid_at or now,
            link_id=link.id,
            provider_reference=reference,
        )
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
            others = (
                session.execute(
                    select(PaymentLink).where(
                        col(PaymentLink.booking_id) == booking.id, col(PaymentLink.status) == LinkStatus.OPEN
                    )
                )
                .scalars()
                .all()
            )
            for other in others:
                other.status = check_move(other.status, LinkStatus.EXPIRED).value
                other.status_reason = "booking fully paid"
                other.updated_at = now
                session.add(other)
                closed.append((other.id, other.provider_id, other.provider))
            if others:
                amounts = refresh_booking(session, booking, now)
        audit(
            session,
            operator="system",
            action="payment.online",
            now=now,
            booking_id=booking.id,
            amount=amount,
            link_id=link.id,
            provider=provider,
            reference=reference,
            late=late,
            source=source,
            closed_links=[c[0] for c in closed],
            overpaid=amounts.overpaid,
        )
        _queue_receipt(session, desk, booking, link, payment, now)
        return RecordResult(payment.id, True, booking.reference, amounts.fully_paid, amounts.overpaid, tuple(closed))


def _queue_receipt(
    session: Session, desk: Desk, booking: Booking, link: PaymentLink, payment: Payment, now: datetime
) -> None:
    try:
        for draft in receipt_emails(session, desk, booking, link, payment):
            queue_draft(
                session, desk.settings, draft, now=now, operator="system", booking_id=booking.id, link_id=link.id
            )
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
            try:
                await reconcile_link(desk, link_id, source="close")
            except Exception:
                log.exception("could not record the payment of %s, paid while its booking was closing", pid)
        elif isinstance(result, BaseException):
            log.warning("could not expire %s at the provider: %s", pid, result)


# The polling schedule: how long after the previous check the next one comes, by the link's age.
STEPS = (
    (timedelta(minutes=10), timedelta(seconds=10)),
    (timedelta(hours=1), timedelta(minutes=1)),
    (timedelta(hours=6), timedelta(minutes=5)),
)


OLD_STEP = timedelta(minutes=15)


FINAL_CHECK_BEFORE = timedelta(seconds=60)  # the check just before expiry


CONFIRM_AFTER = timedelta(seconds=30)  # and the one that sees the provider expire it


STALE_AFTER = timedelta(days=1)  # a session still open this long after its expiry: stop asking


PROCESSING_STEP = timedelta(minutes=15)


PROCESSING_LIMIT = timedelta(days=15)  # bank debits settle within 14 days


ERROR_BACKOFF = timedelta(minutes=1)


PROCESSING_REASON = "payment processing"


_AUDIT_ACTIONS = {
    RemoteState.EXPIRED: "link.expire",
    RemoteState.FAILED: "link.payment_failed",
    RemoteState.PROCESSING: "link.payment_processing",
}


POLL_JOB = "stripe.poll"


POLL_BATCH = 100


POLL_CONCURRENCY = 4  # Stripe's test mode allows 25 reads a second; stay well under


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one report of the provider changed."""

    link_id: int
    booking_reference: str
    outcome: str  # recorded | already_recorded | expired | failed | processing | unchanged
    payment_id: int | None = None
    late: bool = False  # the payment came for a link already closed here
    overpaid: Money | None = None


@dataclass(frozen=True, slots=True)
class EventOutcome:
    event_id: str
    event_type: str
    outcome: str  # settled | duplicate | ignored | unknown_session
    settlement: Settlement | None = None


def next_check(*, state: RemoteState, created_at: datetime, expires_at: datetime, now: datetime) -> datetime | None:
    """When to ask the provider again about a link in ``state``; ``None``: never (it is final)."""
    state = RemoteState(state)
    if state is RemoteState.PROCESSING:
        return now + PROCESSING_STEP if now - created_at < PROCESSING_LIMIT else None
    if state is not RemoteState.OPEN:
        return None
    age = now - created_at
    step = next((step for limit, step in STEPS if age < limit), OLD_STEP)
    final_check = expires_at - FINAL_CHECK_BEFORE
    if now < final_check:
        return min(now + step, final_check)
    if now < expires_at + CONFIRM_AFTER:
        return expires_at + CONFIRM_AFTER
    # The provider should have expired it by now; ask now and then for a while, then give up.
    return now + OLD_STEP if now < expires_at + STALE_AFTER else None


async def settle(desk: Desk, link_id: int, status: RemoteStatus, *, source: str) -> Settlement:
    """Bring our records in line with what the provider says of ``link_id``.

    paid: the payment is recorded once (a late one on a closed link shows as
    overpayment), and if the booking is now fully paid its other open links
    are expired here and at the provider. expired / failed: an open link
    closes. processing: the link stays open, out of the expiry job's reach,
    until the bank answers. open: only the next check is scheduled.
    """
    if status.state is RemoteState.PAID:
        return await _settle_paid(desk, link_id, status, source)
    return await asyncio.to_thread(_settle_state, desk, link_id, status.state, source)


def _load_link(desk: Desk, link_id: int) -> PaymentLink:
    with desk.read() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        return link


async def _settle_paid(desk: Desk, link_id: int, status: RemoteStatus, source: str) -> Settlement:
    link = await asyncio.to_thread(_load_link, desk, link_id)
    amount = status.amount_paid or Money(link.amount_minor, link.currency)
    reference = status.payment_reference or link.provider_id or f"link_{link.id}"
    result = await asyncio.to_thread(
        record_provider_payment,
        desk,
        provider=link.provider,
        payment_reference=reference,
        amount=amount,
        link_id=link.id,
        source=source,
    )
    if result.closed_links:
        await close_links_at_provider(desk, result.closed_links)
    if result.created:
        log.info("link %s paid (%s, via %s)", link.id, reference, source)
    return Settlement(
        link.id,
        result.booking_reference,
        "recorded" if result.created else "already_recorded",
        payment_id=result.payment_id,
        late=result.created and link.status != LinkStatus.OPEN.value,
        overpaid=result.overpaid,
    )


def _settle_state(desk: Desk, link_id: int, state: RemoteState, source: str) -> Settlement:
    now = desk.now()
    with desk.write() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        booking = must_get(session, Booking, link.booking_id)
        is_open = link.status == LinkStatus.OPEN.value
        outcome = "unchanged"
        if state in (RemoteState.EXPIRED, RemoteState.FAILED) and is_open:
            booking = lock_booking(session, booking.reference, for_money=False)
            target = LinkStatus.EXPIRED if state is RemoteState.EXPIRED else LinkStatus.FAILED
            link.status = check_move(link.status, target).value
            link.status_reason = (
                "expired at the provider" if state is RemoteState.EXPIRED else "the customer's payment failed"
            )
            outcome = state.value
        elif state is RemoteState.PROCESSING and is_open and link.status_reason != PROCESSING_REASON:
            booking = lock_booking(session, booking.reference, for_money=False)
            link.status_reason = PROCESSING_REASON
            outcome = "processing"
        link.next_check_at = next_check(state=state, created_at=link.created_at, expires_at=link.expires_at, now=now)
        if state is RemoteState.PROCESSING and is_open and link.next_check_at is None:
            # The bank never answered: free the money so the desk can ask again.
            booking = lock_booking(session, booking.reference, for_money=False)
            link.status = check_move(link.status, LinkStatus.EXPIRED).value
            link.status_reason = "payment never settled"
            outcome = "expired"
        if outcome != "unchanged":
            link.updated_at = now
            refresh_booking(session, booking, now)
            audit(
                session,
                operator="system",
                action=_AUDIT_ACTIONS[RemoteState(outcome)],
                now=now,
                booking_id=booking.id,
                link_id=link.id,
                provider=link.provider,
                provider_id=link.provider_id,
                source=source,
            )
        session.add(link)
        return Settlement(link.id, booking.reference, outcome)


@dataclass(frozen=True, slots=True)
class _Due:
    link_id: int
    provider_id: str


def _due_links(desk: Desk, provider: str, limit: int) -> list[_Due]:
    now = desk.now()
    with desk.read() as session:
        rows = session.execute(
            select(col(PaymentLink.id), col(PaymentLink.provider_id))
            .where(
                col(PaymentLink.next_check_at) <= now,
                col(PaymentLink.provider) == provider,
                col(PaymentLink.provider_id).is_not(None),
            )
            .order_by(col(PaymentLink.next_check_at), col(PaymentLink.id))
            .limit(limit)
        ).all()
    return [_Due(link_id, provider_id) for link_id, provider_id in rows]


def _put_off(desk: Desk, link_id: int, until: datetime | None) -> None:
    with desk.write() as session:
        link = session.get(PaymentLink, link_id)
        if link is not None:
            link.next_check_at = until
            session.add(link)


async def reconcile_link(desk: Desk, link_id: int, *, source: str = "poll") -> Settlement:
    """Ask the provider about one link now and settle what it says (the desk's "check now")."""

    link = await asyncio.to_thread(_load_link, desk, link_id)
    if not link.provider_id or link.provider != desk.provider.name:
        return Settlement(link.id, "", "unchanged")
    status = await desk.provider.fetch_status(link.provider_id)
    return await settle(desk, link.id, status, source=source)


async def poll_due_links(desk: Desk, *, limit: int = POLL_BATCH, concurrency: int = POLL_CONCURRENCY) -> int:
    """One turn of polling: retrieve the due sessions (a few at a time) and settle them.

    A session that cannot be fetched is tried again a minute later; one the
    provider does not know (another account, deleted) is no longer asked.
    Returns how many links were asked about.
    """
    provider = desk.provider
    if provider.name == "sandbox":
        return 0
    due = await asyncio.to_thread(_due_links, desk, provider.name, limit)
    gate = asyncio.Semaphore(concurrency)

    async def one(item: _Due) -> None:
        async with gate:
            try:
                status = await provider.fetch_status(item.provider_id)
            except ProviderError as error:
                if error.key == "stripe.not_found":
                    log.warning("link %s: %s; no longer polled", item.link_id, error)
                    await asyncio.to_thread(_put_off, desk, item.link_id, None)
                else:
                    log.warning("link %s: could not ask the provider: %s", item.link_id, error)
                    await asyncio.to_thread(_put_off, desk, item.link_id, desk.now() + ERROR_BACKOFF)
                return
            await settle(desk, item.link_id, status, source="poll")

    results = await asyncio.gather(*(one(item) for item in due), return_exceptions=True)
    for item, result in zip(due, results, strict=True):
        if isinstance(result, asyncio.CancelledError):
            raise result
        if isinstance(result, BaseException):
            log.error("link %s: polling failed", item.link_id, exc_info=result)
            await asyncio.to_thread(_put_off, desk, item.link_id, desk.now() + ERROR_BACKOFF)
    return len(due)


def _already_handled(desk: Desk, provider: str, event_id: str) -> bool:
    with desk.read() as session:
        return (
            session.execute(
                select(col(ProviderEvent.id)).where(
                    col(ProviderEvent.provider) == provider, col(ProviderEvent.event_id) == event_id
                )
            ).first()
            is not None
        )


def _remember(desk: Desk, provider: str, event_id: str, event_type: str) -> None:
    try:
        with desk.write() as session:
            session.add(
                ProviderEvent(provider=provider, event_id=event_id, event_type=event_type, received_at=desk.now())
            )
    except IntegrityError:
        pass  # the same event, delivered twice at once, was handled by both: harmless, settling is idempotent


def _link_of_session(desk: Desk, provider: str, session_obj: Mapping[str, Any]) -> int | None:
    """Our link for a Checkout Session: by session id, or by the link id and token deskpay put in
    the session (a session created just before a crash, whose id we never stored)."""
    with desk.read() as session:
        link_id: int | None = session.execute(
            select(col(PaymentLink.id)).where(
                col(PaymentLink.provider) == provider, col(PaymentLink.provider_id) == str(session_obj["id"])
            )
        ).scalar_one_or_none()
        if link_id is not None:
            return link_id
        metadata = session_obj.get("metadata") or {}
        claimed = parse_count(
            str(session_obj.get("client_reference_id") or metadata.get("link_id") or ""), max_digits=15
        )  # beyond that no id of ours, and PostgreSQL would refuse the lookup
        if claimed is None:
            return None
        link = session.get(PaymentLink, claimed)
        if link is None or link.provider != provider or not metadata.get("token") or metadata["token"] != link.token:
            return None
        return link.id


async def handle_stripe_event(desk: Desk, event: Mapping[str, Any]) -> EventOutcome:
    """Settle one verified Stripe event, once per event id.

    The event is remembered only after it was settled: a failure leaves it
    unhandled, Stripe sends it again, and settling twice changes nothing.
    ``ValueError`` for an event that is not shaped like one.
    """
    event_id, event_type = str(event.get("id") or ""), str(event.get("type") or "")
    if not event_id or not event_type:
        raise ValueError("not a Stripe event")
    if event_type not in HANDLED_EVENTS:
        return EventOutcome(event_id, event_type, "ignored")
    session_obj = session_of_event(event)
    status = status_of_event(event)
    assert status is not None  # a handled event type always says something of its session
    if await asyncio.to_thread(_already_handled, desk, "stripe", event_id):
        return EventOutcome(event_id, event_type, "duplicate")
    link_id = await asyncio.to_thread(_link_of_session, desk, "stripe", session_obj)
    if link_id is None:
        log.info("event %s is about %s, which is not a deskpay link: ignored", event_id, session_obj["id"])
        await asyncio.to_thread(_remember, desk, "stripe", event_id, event_type)
        return EventOutcome(event_id, event_type, "unknown_session")
    settlement = await settle(desk, link_id, status, source="webhook")
    await asyncio.to_thread(_remember, desk, "stripe", event_id, event_type)
    return EventOutcome(event_id, event_type, "settled", settlement)
