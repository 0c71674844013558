"""Payment links: open (one or several at once), finish, cancel, expire, regenerate, email.

Opening happens in three steps so that money rules and the provider never
disagree: (1) under the booking lock, check the requestable amount and insert
the links as ``open`` without a URL — the money is reserved; (2) outside any
transaction, ask the provider for each link, concurrently; (3) store URLs,
mark refusals ``failed`` (which frees their money), queue the emails. A crash
between (1) and (3) is finished later by :func:`finish_unfinished_links`,
with the same idempotency keys, so the provider never makes two.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import DeskpayError, NotFound, ProviderError, Refused
from deskpay.domain.links import LinkStatus, check_move
from deskpay.domain.money import Money
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.emails.outbox import (
    Draft,
    booking_context,
    draft_email,
    link_context,
    queue_draft,
)
from deskpay.services.operators import check_not_own_email
from deskpay.services.ledger import compute_amounts, lock_booking, refresh_booking
from deskpay.services.providers.base import CreatedLink, LinkRequest
from deskpay.services.queries import link_view
from deskpay.services.text import clean_block, clean_line
from deskpay.services.views import LinkView
from deskpay.store.models import Activity, Booking, Customer, PaymentLink
from deskpay.domain.links import LinkPurpose, can_regenerate

log = logging.getLogger(__name__)

PURPOSE_EMAIL = {LinkPurpose.CONFIRMATION: "confirmation", LinkPurpose.LINK: "payment_link",
                 LinkPurpose.BALANCE: "balance_request", LinkPurpose.SPLIT: "split_share"}
UNFINISHED_AFTER = timedelta(minutes=2)
FIRST_CHECK_AFTER = timedelta(seconds=10)  # then services.reconcile.next_check takes over


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """One link to open, and whether (and how) to email it once it exists."""

    amount: Money
    label: str = ""
    recipient: str | None = None
    notify: bool = False
    subject: str | None = None
    message: str = ""
    purpose: LinkPurpose = LinkPurpose.LINK


@dataclass(frozen=True, slots=True)
class LinksOutcome:
    links: tuple[LinkView, ...]
    failures: tuple[tuple[int, DeskpayError], ...] = ()
    emails_queued: int = 0

    @property
    def created(self) -> tuple[LinkView, ...]:
        return tuple(link for link in self.links if link.status is LinkStatus.OPEN)


Planner = Callable[[Session, Booking, Customer, BookingAmounts], Sequence[LinkSpec]]


def _validate_spec(desk: Desk, spec: LinkSpec) -> LinkSpec:
    from deskpay.services.emails.mime import check_header_value, validate_address

    recipient = validate_address(spec.recipient) if spec.recipient and spec.recipient.strip() else None
    if spec.notify and recipient is None:
        raise Refused("email.no_recipient")
    check_not_own_email(desk, recipient)
    subject = check_header_value("Subject", clean_line(spec.subject, "Subject", max_len=200)) if spec.subject else None
    return LinkSpec(amount=spec.amount, label=clean_line(spec.label, "Label", max_len=120), recipient=recipient,
                    notify=spec.notify, subject=subject or None,
                    message=clean_block(spec.message, "Message", max_len=5000), purpose=spec.purpose)


def _reserve(desk: Desk, reference: str, planner: Planner, replaces_id: int | None) -> list[LinkRequest]:
    settings, now = desk.settings, desk.now()
    provider = desk.provider
    with desk.write() as session:
        booking = lock_booking(session, reference)
        customer = session.get(Customer, booking.customer_id)
        amounts = compute_amounts(session, booking)
        specs = [_validate_spec(desk, spec) for spec in planner(session, booking, customer, amounts)]
        if not specs:
            raise Refused("links.nothing_to_request")
        asked = sum((s.amount for s in specs), Money.zero(booking.currency))
        if asked > amounts.requestable or not amounts.requestable:
            if not amounts.requestable:
                raise Refused("links.nothing_to_request")
            raise Refused("links.over_requestable", asked=asked, requestable=amounts.requestable,
                          pending=amounts.pending)
        shortest, longest = provider.validity_window
        expires_at = now + min(max(settings.link_validity(), shortest), longest)
        rows = [
            PaymentLink(
                booking_id=booking.id, amount_minor=spec.amount.minor, currency=booking.currency, label=spec.label,
                purpose=spec.purpose, recipient_email=spec.recipient, language=booking.language, status=LinkStatus.OPEN,
                provider=provider.name, token=secrets.token_urlsafe(32), idempotency_key=f"deskpay-{uuid.uuid4()}",
                expires_at=expires_at, created_by=desk.operator, created_at=now, updated_at=now,
                replaces_id=replaces_id, notify=spec.notify, email_subject=spec.subject, email_message=spec.message,
            )
            for spec in specs
        ]
        session.add_all(rows)
        session.flush()
        refresh_booking(session, booking, now)
        audit(session, operator=desk.operator, action="link.create", now=now, booking_id=booking.id,
              links=[{"id": r.id, "amount": Money(r.amount_minor, r.currency), "label": r.label,
                      "to": r.recipient_email, "purpose": r.purpose} for r in rows])
        return [_request_of(desk, row, booking) for row in rows]


def _request_of(desk: Desk, row: PaymentLink, booking: Booking) -> LinkRequest:
    return LinkRequest(
        link_id=row.id, token=row.token, idempotency_key=row.idempotency_key,
        amount=Money(row.amount_minor, row.currency), booking_reference=booking.reference, label=row.label,
        recipient_email=row.recipient_email, language=row.language, expires_at=row.expires_at,
        business_name=desk.settings.business_name, operator=row.created_by,
    )


async def _ask_provider(desk: Desk, requests: Sequence[LinkRequest]) -> list[CreatedLink | DeskpayError]:
    results = await asyncio.gather(*(desk.provider.create_link(r) for r in requests), return_exceptions=True)
    outcome: list[CreatedLink | DeskpayError] = []
    for result in results:
        if isinstance(result, DeskpayError):
            outcome.append(result)
        elif isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.exception("provider failed creating a link", exc_info=result)
            outcome.append(ProviderError("provider.unexpected", kind=type(result).__name__))
        else:
            outcome.append(result)
    return outcome


Orphan = tuple[int, str | None, str]  # (link id, provider id, provider) of a remote link to close


def _finish(desk: Desk, requests: Sequence[LinkRequest],
            results: Sequence[CreatedLink | DeskpayError]) -> tuple[LinksOutcome, list[Orphan]]:
    now = desk.now()
    failures: list[tuple[int, DeskpayError]] = []
    orphans: list[Orphan] = []
    queued = 0
    with desk.write() as session:
        booking = None
        rows = []
        for request, result in zip(requests, results, strict=True):
            link = session.get(PaymentLink, request.link_id)
            if booking is None:
                booking = lock_booking(session, request.booking_reference, for_money=False)
            rows.append(link)
            if link.url:
                continue  # finished by another process
            if link.status != LinkStatus.OPEN.value:
                # Cancelled or expired while the provider was creating it: keep the remote id so a
                # payment is still traced to it, and have the remote link closed so nobody can pay it.
                if isinstance(result, CreatedLink) and not link.provider_id:
                    link.provider_id = result.provider_id
                    link.updated_at = now
                    session.add(link)
                    orphans.append((link.id, result.provider_id, link.provider))
                continue
            if isinstance(result, DeskpayError):
                link.status = check_move(link.status, LinkStatus.FAILED).value
                link.status_reason = result.text(desk.lang)
                failures.append((link.id, result))
            else:
                link.provider_id, link.url, link.expires_at = result.provider_id, result.url, result.expires_at
                # Remote links are polled until the provider calls them final; the sandbox's live here.
                link.next_check_at = now + FIRST_CHECK_AFTER if link.provider != "sandbox" else None
                if link.notify and link.recipient_email:
                    draft = compose_link_email(session, desk, link, subject=link.email_subject,
                                               message=link.email_message)
                    queue_draft(session, desk.settings, draft, now=now, operator=link.created_by,
                                booking_id=link.booking_id, link_id=link.id)
                    queued += 1
            link.updated_at = now
            session.add(link)
        refresh_booking(session, booking, now)
        if failures:
            audit(session, operator=desk.operator, action="link.failed", now=now, booking_id=booking.id,
                  links=[{"id": i, "error": e.text("en")} for i, e in failures])
        views = tuple(link_view(row, booking.reference) for row in rows)
    return LinksOutcome(links=views, failures=tuple(failures), emails_queued=queued), orphans


async def _finish_and_close(desk: Desk, requests: Sequence[LinkRequest],
                            results: Sequence[CreatedLink | DeskpayError]) -> LinksOutcome:
    from deskpay.services.payments import close_links_at_provider

    outcome, orphans = await asyncio.to_thread(_finish, desk, requests, results)
    if orphans:
        await close_links_at_provider(desk, tuple(orphans))
    return outcome


async def open_links(desk: Desk, reference: str, planner: Planner, *, replaces_id: int | None = None) -> LinksOutcome:
    """Reserve, create at the provider, finish. Raises the provider's error when every link failed."""
    requests = await asyncio.to_thread(_reserve, desk, reference, planner, replaces_id)
    results = await _ask_provider(desk, requests)
    outcome = await _finish_and_close(desk, requests, results)
    if outcome.failures and len(outcome.failures) == len(requests):
        raise outcome.failures[0][1]
    return outcome


async def finish_unfinished_links(desk: Desk) -> int:
    """Repair links left without a URL by a crash: ask the provider again with the same idempotency key."""
    cutoff = desk.now() - UNFINISHED_AFTER

    def pending() -> list[LinkRequest]:
        with desk.read() as session:
            rows = session.execute(
                select(PaymentLink, Booking).join(Booking, Booking.id == PaymentLink.booking_id).where(
                    PaymentLink.status == LinkStatus.OPEN, PaymentLink.url.is_(None), PaymentLink.created_at < cutoff,
                    PaymentLink.provider == desk.provider.name)
            ).all()
            return [_request_of(desk, link, booking) for link, booking in rows]

    requests = await asyncio.to_thread(pending)
    for request in requests:  # one at a time: each belongs to its own booking
        results = await _ask_provider(desk, [request])
        await _finish_and_close(desk, [request], results)
    return len(requests)


def compose_link_email(session: Session, desk: Desk, link: PaymentLink, *, subject: str | None = None,
                       message: str = "", to: str | None = None) -> Draft:
    """The email for ``link`` (kind chosen by its purpose), in the booking's language."""
    booking = session.get(Booking, link.booking_id)
    activity = session.get(Activity, booking.activity_id)
    customer = session.get(Customer, booking.customer_id)
    amounts = compute_amounts(session, booking)
    lang = booking.language
    context = booking_context(desk.settings, booking, activity, customer, amounts.paid, lang)
    context["link"] = link_context(desk.settings, link, lang)
    context["message"] = message or ""
    link_amount = Money(link.amount_minor, link.currency)
    context["balance_after"] = (amounts.balance - link_amount).clamp_min_zero().format(lang)
    context["deposit"] = link_amount < amounts.balance
    kind = PURPOSE_EMAIL.get(LinkPurpose(link.purpose), "payment_link")
    if kind == "split_share":
        siblings = session.execute(
            select(PaymentLink.id).where(PaymentLink.booking_id == link.booking_id, PaymentLink.purpose == LinkPurpose.SPLIT,
                                         PaymentLink.created_at == link.created_at).order_by(PaymentLink.id)
        ).scalars().all()
        context["split"] = {"index": siblings.index(link.id) + 1 if link.id in siblings else 1,
                            "count": max(len(siblings), 1)}
    recipient = (to or "").strip() or link.recipient_email or customer.email
    if not recipient:
        raise Refused("email.no_recipient")
    check_not_own_email(desk, recipient)
    return draft_email(kind, lang, recipient, context, subject=subject)


def _open_link(session: Session, link_id: int) -> PaymentLink:
    link = session.get(PaymentLink, link_id)
    if link is None:
        raise NotFound("link.not_found", id=link_id)
    if link.status != LinkStatus.OPEN.value:
        status = LinkStatus(link.status)
        raise Refused("link.not_open", id=link_id, status=status)
    if not link.url:
        raise Refused("link.not_ready", id=link_id)
    return link


def get_link(desk: Desk, link_id: int) -> LinkView:
    with desk.read() as session:
        link = session.get(PaymentLink, link_id)
        if link is None:
            raise NotFound("link.not_found", id=link_id)
        return link_view(link, session.get(Booking, link.booking_id).reference)


def preview_link_email(desk: Desk, link_id: int, *, to: str | None = None, subject: str | None = None,
                       message: str = "") -> Draft:
    with desk.read() as session:
        link = _open_link(session, link_id)
        return compose_link_email(session, desk, link, subject=subject,
                                  message=clean_block(message, "Message", max_len=5000), to=to)


def send_link_email(desk: Desk, link_id: int, *, to: str | None = None, subject: str | None = None,
                    message: str = "") -> Draft:
    """Queue the email of an open link (first send or resend), optionally to another address."""
    now = desk.now()
    with desk.write() as session:
        link = _open_link(session, link_id)
        draft = compose_link_email(session, desk, link, subject=subject,
                                   message=clean_block(message, "Message", max_len=5000), to=to)
        queue_draft(session, desk.settings, draft, now=now, operator=desk.operator, booking_id=link.booking_id,
                    link_id=link.id)
        if not link.recipient_email:
            link.recipient_email = draft.to
            session.add(link)
        audit(session, operator=desk.operator, action="link.email", now=now, booking_id=link.booking_id,
              link_id=link.id, to=draft.to, subject=draft.subject)
        booking = session.get(Booking, link.booking_id)
        refresh_booking(session, booking, now)
    return draft


async def cancel_link(desk: Desk, link_id: int, *, reason: str = "") -> LinkView:
    """Cancel at the provider first (so it can no longer be paid), then here."""
    reason = clean_line(reason, "Message", max_len=200)

    def load() -> PaymentLink:
        with desk.read() as session:
            link = session.get(PaymentLink, link_id)
            if link is None:
                raise NotFound("link.not_found", id=link_id)
            check_move(link.status, LinkStatus.CANCELLED)
            return link

    link = await asyncio.to_thread(load)
    closed_remotely = False
    if link.provider_id and link.provider == desk.provider.name:
        try:
            await desk.provider.cancel_link(link.provider_id)
        except ProviderError as error:
            if error.key == "stripe.already_paid":
                await _record_paid_instead(desk, link_id)
            raise
        closed_remotely = True

    def store() -> LinkView:
        now = desk.now()
        with desk.write() as session:
            booking = session.get(Booking, link.booking_id)
            booking = lock_booking(session, booking.reference, for_money=False)
            row = session.get(PaymentLink, link_id)
            row.status = check_move(row.status, LinkStatus.CANCELLED).value
            row.status_reason = reason
            if closed_remotely:
                row.next_check_at = None  # expired at the provider: it cannot be paid any more
            row.updated_at = now
            session.add(row)
            refresh_booking(session, booking, now)
            audit(session, operator=desk.operator, action="link.cancel", now=now, booking_id=booking.id,
                  link_id=row.id, amount=Money(row.amount_minor, row.currency), reason=reason)
            return link_view(row, booking.reference)

    return await asyncio.to_thread(store)


async def _record_paid_instead(desk: Desk, link_id: int) -> None:
    """The customer paid before the cancel reached the provider: record it now, so the desk sees why."""
    from deskpay.services.reconcile import reconcile_link

    try:
        await reconcile_link(desk, link_id, source="cancel")
    except Exception:
        log.exception("link %s was paid at the provider but the payment could not be recorded yet", link_id)


def expire_due_links(desk: Desk) -> int:
    """Mark open links past their expiry as expired (the sandbox's, and Stripe's as a backstop).

    A link whose customer paid by a method still settling (a bank debit) is
    left open while polling follows it: its money is on the way.
    """
    from deskpay.services.reconcile import PROCESSING_REASON

    now = desk.now()
    with desk.write() as session:
        rows = session.execute(
            select(PaymentLink).where(PaymentLink.status == LinkStatus.OPEN, PaymentLink.expires_at <= now)
        ).scalars().all()
        rows = [row for row in rows if not (row.status_reason == PROCESSING_REASON and row.next_check_at)]
        touched: dict[int, list[int]] = {}
        for row in rows:
            row.status = check_move(row.status, LinkStatus.EXPIRED).value
            row.status_reason = "validity over"
            row.updated_at = now
            session.add(row)
            touched.setdefault(row.booking_id, []).append(row.id)
        for booking_id, ids in touched.items():
            booking = session.get(Booking, booking_id)
            refresh_booking(session, booking, now)
            audit(session, operator="system", action="link.expire", now=now, booking_id=booking_id, links=ids)
    return len(rows)


async def regenerate_link(desk: Desk, link_id: int) -> LinksOutcome:
    """A new link with the same amount, label and recipient as an expired, cancelled or failed one."""

    def load() -> tuple[str, LinkSpec]:
        with desk.read() as session:
            link = session.get(PaymentLink, link_id)
            if link is None:
                raise NotFound("link.not_found", id=link_id)
            if not can_regenerate(link.status):
                status = LinkStatus(link.status)
                raise Refused("link.cannot_regenerate", id=link_id, status=status)
            reference = session.get(Booking, link.booking_id).reference
            return reference, LinkSpec(amount=Money(link.amount_minor, link.currency), label=link.label,
                                       recipient=link.recipient_email, notify=bool(link.recipient_email),
                                       subject=link.email_subject, message=link.email_message, purpose=link.purpose)

    reference, spec = await asyncio.to_thread(load)
    return await open_links(desk, reference, lambda *_: [spec], replaces_id=link_id)
