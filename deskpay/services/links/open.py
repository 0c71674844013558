"""Opening payment links, one or several at once, so that money rules and the provider never disagree.

Opening happens in three steps: (1) under the booking lock, check the
requestable amount and insert the links as ``open`` without a URL — the money
is reserved; (2) outside any transaction, ask the provider for each link,
concurrently; (3) store URLs, mark refusals ``failed`` (which frees their
money), queue the emails. A crash between (1) and (3) is finished later by
:func:`deskpay.services.links.lifecycle.finish_unfinished_links`, with the same
idempotency keys, so the provider never makes two."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import DeskpayError, ProviderError, Refused
from deskpay.domain.links import LinkPurpose, LinkStatus, check_move
from deskpay.domain.money import Money
from deskpay.domain.text import clean_block, clean_line
from deskpay.services.audit import audit
from deskpay.services.bookings.rows import lock_booking
from deskpay.services.desk import Desk
from deskpay.services.emails.compose import compose_link_email
from deskpay.services.emails.mime import check_header_value, validate_address
from deskpay.services.emails.outbox import queue_draft
from deskpay.services.links.views import LinkView, link_view
from deskpay.services.money.ledger import compute_amounts, refresh_booking
from deskpay.services.operators import check_not_own_email
from deskpay.services.providers.base import CreatedLink, LinkRequest
from deskpay.services.settlement import close_links_at_provider
from deskpay.store.engine import must_get
from deskpay.store.models import Booking, Customer, PaymentLink

log = logging.getLogger(__name__)


FIRST_CHECK_AFTER = timedelta(seconds=10)  # then settlement.next_check takes over


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
    recipient = validate_address(spec.recipient) if spec.recipient and spec.recipient.strip() else None
    if spec.notify and recipient is None:
        raise Refused("email.no_recipient")
    check_not_own_email(desk, recipient)
    subject = check_header_value("Subject", clean_line(spec.subject, "Subject", max_len=200)) if spec.subject else None
    return LinkSpec(
        amount=spec.amount,
        label=clean_line(spec.label, "Label", max_len=120),
        recipient=recipient,
        notify=spec.notify,
        subject=subject or None,
        message=clean_block(spec.message, "Message", max_len=5000),
        purpose=spec.purpose,
    )


def _reserve(desk: Desk, reference: str, planner: Planner, replaces_id: int | None) -> list[LinkRequest]:
    settings, now = desk.settings, desk.now()
    provider = desk.provider
    with desk.write() as session:
        booking = lock_booking(session, reference)
        customer = must_get(session, Customer, booking.customer_id)
        amounts = compute_amounts(session, booking)
        specs = [_validate_spec(desk, spec) for spec in planner(session, booking, customer, amounts)]
        if not specs:
            raise Refused("links.nothing_to_request")
        asked = sum((s.amount for s in specs), Money.zero(booking.currency))
        if asked > amounts.requestable or not amounts.requestable:
            if not amounts.requestable:
                raise Refused("links.nothing_to_request")
            raise Refused(
                "links.over_requestable", asked=asked, requestable=amounts.requestable, pending=amounts.pending
            )
        shortest, longest = provider.validity_window
        expires_at = now + min(max(settings.link_validity(), shortest), longest)
        rows = [
            PaymentLink(
                booking_id=booking.id,
                amount_minor=spec.amount.minor,
                currency=booking.currency,
                label=spec.label,
                purpose=spec.purpose,
                recipient_email=spec.recipient,
                language=booking.language,
                status=LinkStatus.OPEN,
                provider=provider.name,
                token=secrets.token_urlsafe(32),
                idempotency_key=f"deskpay-{uuid.uuid4()}",
                expires_at=expires_at,
                created_by=desk.operator,
                created_at=now,
                updated_at=now,
                replaces_id=replaces_id,
                notify=spec.notify,
                email_subject=spec.subject,
                email_message=spec.message,
            )
            for spec in specs
        ]
        session.add_all(rows)
        session.flush()
        refresh_booking(session, booking, now)
        audit(
            session,
            operator=desk.operator,
            action="link.create",
            now=now,
            booking_id=booking.id,
            links=[
                {
                    "id": r.id,
                    "amount": Money(r.amount_minor, r.currency),
                    "label": r.label,
                    "to": r.recipient_email,
                    "purpose": r.purpose,
                }
                for r in rows
            ],
        )
        return [request_of(desk, row, booking) for row in rows]


def request_of(desk: Desk, row: PaymentLink, booking: Booking) -> LinkRequest:
    return LinkRequest(
        link_id=row.id,
        token=row.token,
        idempotency_key=row.idempotency_key,
        amount=Money(row.amount_minor, row.currency),
        booking_reference=booking.reference,
        label=row.label,
        recipient_email=row.recipient_email,
        language=row.language,
        expires_at=row.expires_at,
        business_name=desk.settings.business_name,
        operator=row.created_by,
    )


async def ask_provider(desk: Desk, requests: Sequence[LinkRequest]) -> list[CreatedLink | DeskpayError]:
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


def _finish(
    desk: Desk, requests: Sequence[LinkRequest], results: Sequence[CreatedLink | DeskpayError]
) -> tuple[LinksOutcome, list[Orphan]]:
    now = desk.now()
    failures: list[tuple[int, DeskpayError]] = []
    orphans: list[Orphan] = []
    queued = 0
    with desk.write() as session:
        booking = lock_booking(session, requests[0].booking_reference, for_money=False)  # one booking's links
        rows = []
        for request, result in zip(requests, results, strict=True):
            link = must_get(session, PaymentLink, request.link_id)
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
                    draft = compose_link_email(
                        session, desk, link, subject=link.email_subject, message=link.email_message
                    )
                    queue_draft(
                        session,
                        desk.settings,
                        draft,
                        now=now,
                        operator=link.created_by,
                        booking_id=link.booking_id,
                        link_id=link.id,
                    )
                    queued += 1
            link.updated_at = now
            session.add(link)
        refresh_booking(session, booking, now)
        if failures:
            audit(
                session,
                operator=desk.operator,
                action="link.failed",
                now=now,
                booking_id=booking.id,
                links=[{"id": i, "error": e.text("en")} for i, e in failures],
            )
        views = tuple(link_view(row, booking.reference) for row in rows)
    return LinksOutcome(links=views, failures=tuple(failures), emails_queued=queued), orphans


async def finish_and_close(
    desk: Desk, requests: Sequence[LinkRequest], results: Sequence[CreatedLink | DeskpayError]
) -> LinksOutcome:
    outcome, orphans = await asyncio.to_thread(_finish, desk, requests, results)
    if orphans:
        await close_links_at_provider(desk, tuple(orphans))
    return outcome


async def open_links(desk: Desk, reference: str, planner: Planner, *, replaces_id: int | None = None) -> LinksOutcome:
    """Reserve, create at the provider, finish. Raises the provider's error when every link failed."""
    requests = await asyncio.to_thread(_reserve, desk, reference, planner, replaces_id)
    results = await ask_provider(desk, requests)
    outcome = await finish_and_close(desk, requests, results)
    if outcome.failures and len(outcome.failures) == len(requests):
        raise outcome.failures[0][1]
    return outcome
