"""Reconciliation: what the provider says of a payment link becomes our records, through one function.

Two paths lead to :func:`settle`:

* **Polling** (works behind NAT, needs nothing from outside): the
  ``stripe.poll`` job retrieves the Checkout Session of every link whose
  ``next_check_at`` is due. Fresh links are asked every 10 s, older ones less
  often, every one once just before it expires and once after, so a payment
  made in the last minute is never missed. A link is polled until the
  provider calls it final (paid, expired, failed), whatever its status here:
  a session paid in a race with a cancel is still found and recorded.
* **Webhooks**: the web layer verifies Stripe's signature and hands the
  event to :func:`handle_stripe_event`; each event id is handled once
  (``ProviderEvent``).

Both read sessions with the same rules (``providers.stripe_sessions``) and
both record payments with :func:`record_provider_payment`, whose unique
provider reference makes a payment reported by both paths, or twice, count
once. Every step is idempotent, so two workers, or a poll racing a webhook,
agree without further locking.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from deskpay.domain.errors import NotFound, ProviderError
from deskpay.domain.links import LinkStatus, check_move
from deskpay.domain.money import Money
from deskpay.domain.numbers import parse_count
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.ledger import lock_booking, refresh_booking
from deskpay.services.payments import close_links_at_provider, record_provider_payment
from deskpay.services.providers.base import RemoteStatus
from deskpay.services.providers.stripe_sessions import HANDLED_EVENTS, session_of_event, status_of_event
from deskpay.services.worker import Job
from deskpay.store.models import Booking, PaymentLink, ProviderEvent
from deskpay.domain.links import RemoteState

log = logging.getLogger(__name__)

# The polling schedule: how long after the previous check the next one comes, by the link's age.
STEPS = ((timedelta(minutes=10), timedelta(seconds=10)), (timedelta(hours=1), timedelta(minutes=1)),
         (timedelta(hours=6), timedelta(minutes=5)))
OLD_STEP = timedelta(minutes=15)
FINAL_CHECK_BEFORE = timedelta(seconds=60)  # the check just before expiry
CONFIRM_AFTER = timedelta(seconds=30)  # and the one that sees the provider expire it
STALE_AFTER = timedelta(days=1)  # a session still open this long after its expiry: stop asking
PROCESSING_STEP = timedelta(minutes=15)
PROCESSING_LIMIT = timedelta(days=15)  # bank debits settle within 14 days
ERROR_BACKOFF = timedelta(minutes=1)

PROCESSING_REASON = "payment processing"
_AUDIT_ACTIONS = {RemoteState.EXPIRED: "link.expire", RemoteState.FAILED: "link.payment_failed",
                  RemoteState.PROCESSING: "link.payment_processing"}
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


# -- the schedule -------------------------------------------------------------------------


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


# -- the one function both paths go through ----------------------------------------------


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
    result = await asyncio.to_thread(record_provider_payment, desk, provider=link.provider,
                                     payment_reference=reference, amount=amount, link_id=link.id, source=source)
    if result.closed_links:
        await close_links_at_provider(desk, result.closed_links)
    if result.created:
        log.info("link %s paid (%s, via %s)", link.id, reference, source)
    return Settlement(link.id, result.booking_reference, "recorded" if result.created else "already_recorded",
                      payment_id=result.payment_id, late=result.created and link.status != LinkStatus.OPEN.value,
                      overpaid=result.overpaid)


def _settle_state(desk: Desk, link_id: int, state: RemoteState, source: str) -> Settlement:
    now = desk.now()
    with desk.write() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        booking = session.get(Booking, link.booking_id)
        is_open = link.status == LinkStatus.OPEN.value
        outcome = "unchanged"
        if state in (RemoteState.EXPIRED, RemoteState.FAILED) and is_open:
            booking = lock_booking(session, booking.reference, for_money=False)
            target = LinkStatus.EXPIRED if state is RemoteState.EXPIRED else LinkStatus.FAILED
            link.status = check_move(link.status, target).value
            link.status_reason = "expired at the provider" if state is RemoteState.EXPIRED else "the customer's payment failed"
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
            audit(session, operator="system", action=_AUDIT_ACTIONS[RemoteState(outcome)], now=now, booking_id=booking.id,
                  link_id=link.id, provider=link.provider, provider_id=link.provider_id, source=source)
        session.add(link)
        return Settlement(link.id, booking.reference, outcome)


# -- polling ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Due:
    link_id: int
    provider_id: str


def _due_links(desk: Desk, provider: str, limit: int) -> list[_Due]:
    now = desk.now()
    with desk.read() as session:
        rows = session.execute(
            select(PaymentLink.id, PaymentLink.provider_id)
            .where(PaymentLink.next_check_at <= now, PaymentLink.provider == provider,
                   PaymentLink.provider_id.is_not(None))
            .order_by(PaymentLink.next_check_at, PaymentLink.id)
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


def polling_job(interval: float = 5.0) -> Job:
    """The worker job: every ``interval`` seconds, the links whose check is due (fresh ones: every 10 s)."""
    return Job(POLL_JOB, interval, poll_due_links)


# -- webhooks -----------------------------------------------------------------------------


def _already_handled(desk: Desk, provider: str, event_id: str) -> bool:
    with desk.read() as session:
        return session.execute(
            select(ProviderEvent.id).where(ProviderEvent.provider == provider, ProviderEvent.event_id == event_id)
        ).first() is not None


def _remember(desk: Desk, provider: str, event_id: str, event_type: str) -> None:
    try:
        with desk.write() as session:
            session.add(ProviderEvent(provider=provider, event_id=event_id, event_type=event_type,
                                      received_at=desk.now()))
    except IntegrityError:
        pass  # the same event, delivered twice at once, was handled by both: harmless, settling is idempotent


def _link_of_session(desk: Desk, provider: str, session_obj: Mapping[str, Any]) -> int | None:
    """Our link for a Checkout Session: by session id, or by the link id and token deskpay put in
    the session (a session created just before a crash, whose id we never stored)."""
    with desk.read() as session:
        link_id = session.execute(
            select(PaymentLink.id).where(PaymentLink.provider == provider,
                                         PaymentLink.provider_id == str(session_obj["id"]))
        ).scalar_one_or_none()
        if link_id is not None:
            return link_id
        metadata = session_obj.get("metadata") or {}
        claimed = parse_count(str(session_obj.get("client_reference_id") or metadata.get("link_id") or ""),
                              max_digits=15)  # beyond that no id of ours, and PostgreSQL would refuse the lookup
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
