"""The outbox: queueing an email in the caller's transaction, and what the operator does with the queue.

The row is the promise to send; the delivery worker keeps it. The Message-ID
is fixed when the email is queued, so a retried delivery is recognisably the
same message. The list is a query with a limit — the table of sent emails
grows forever, the screen shows the newest first; a failed email is put back
in the queue by hand (:func:`retry_message`). Plain immutable views cross the
thread boundary; rows never do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from deskpay.config import Settings
from deskpay.domain.dates import iso_utc
from deskpay.domain.errors import InvalidInput, NotFound, Refused
from deskpay.domain.outbox import EmailStatus
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.emails.compose import Draft
from deskpay.services.emails.mime import make_message_id
from deskpay.store.models import Booking, EmailMessage


def queue_draft(
    session: Session,
    settings: Settings,
    draft: Draft,
    *,
    now: datetime,
    operator: str,
    booking_id: int | None,
    link_id: int | None,
) -> EmailMessage:
    domain = settings.smtp_from.rpartition("@")[2] or "deskpay.local"
    message = EmailMessage(
        kind=draft.kind,
        language=draft.language,
        to_addr=draft.to,
        subject=draft.subject,
        text=draft.text,
        html=draft.html,
        message_id=make_message_id(domain),
        status=EmailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        booking_id=booking_id,
        link_id=link_id,
        created_by=operator,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


STATUSES = tuple(EmailStatus)
"""Every status an outbox message can have, in the order of its life."""


MAX_LIST_LIMIT = 1000
"""The most rows one list call returns; the outbox screen pages, it never loads everything."""


_RETRY_REFUSALS = {
    EmailStatus.SENT: "outbox.retry_sent",
    EmailStatus.QUEUED: "outbox.retry_pending",
    EmailStatus.SENDING: "outbox.retry_sending",
}


@dataclass(frozen=True, slots=True)
class MessageView:
    """One email of the outbox. ``text`` and ``html`` are filled only by :func:`get_message`."""

    id: int
    kind: str
    language: str
    to: str
    subject: str
    status: str
    attempts: int
    last_error: str
    """The mail server's reply (or the connection error) of the last failed attempt."""
    message_id: str
    next_attempt_at: datetime | None
    """When the worker tries next (queued), or None."""
    claimed_by: str | None
    """The worker sending it (status sending)."""
    booking_id: int | None
    booking_reference: str | None
    link_id: int | None
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    text: str | None = None
    html: str | None = None

    @property
    def retryable(self) -> bool:
        return EmailStatus(self.status).retryable

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "language": self.language,
            "to": self.to,
            "subject": self.subject,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "message_id": self.message_id,
            "next_attempt_at": iso_utc(self.next_attempt_at),
            "claimed_by": self.claimed_by,
            "booking_id": self.booking_id,
            "booking": self.booking_reference,
            "link_id": self.link_id,
            "created_by": self.created_by,
            "created_at": iso_utc(self.created_at),
            "sent_at": iso_utc(self.sent_at),
        }
        if self.text is not None or self.html is not None:
            document["text"] = self.text
            document["html"] = self.html
        return document


def list_messages(desk: Desk, status: str | None = None, limit: int = 200) -> list[MessageView]:
    """The newest emails first, optionally of one status; without their bodies."""
    if status is not None and status not in STATUSES:
        raise InvalidInput("outbox.bad_status", status=status)
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise InvalidInput("outbox.bad_limit", limit=MAX_LIST_LIMIT)
    query = (
        select(EmailMessage, col(Booking.reference))
        .outerjoin(Booking, col(Booking.id) == col(EmailMessage.booking_id))
        .order_by(col(EmailMessage.id).desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(col(EmailMessage.status) == status)
    with desk.read() as session:
        return [_view(row, reference, bodies=False) for row, reference in session.execute(query).all()]


def count_messages(desk: Desk) -> dict[str, int]:
    """How many emails have each status (every status present, zero included)."""
    query = select(col(EmailMessage.status), func.count()).group_by(col(EmailMessage.status))
    with desk.read() as session:
        counts = dict(session.execute(query).all())
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def get_message(desk: Desk, id: int) -> MessageView:
    """One email with its text and HTML bodies; NotFound if there is none with that id."""
    with desk.read() as session:
        return _load(session, id)


def retry_message(desk: Desk, id: int) -> MessageView:
    """Put a failed email back in the queue, due now; its attempts and last error are kept.

    Only ``failed`` emails can be retried: a sent one would reach the customer
    twice, a queued or sending one is already on its way.
    """
    now = desk.now()
    with desk.write() as session:
        # Conditional on the status, so a worker changing it meanwhile cannot be overwritten.
        changed = session.execute(  # type: ignore[attr-defined]  # an UPDATE's result has a rowcount
            update(EmailMessage)
            .where(col(EmailMessage.id) == id, col(EmailMessage.status) == EmailStatus.FAILED)
            .values(status=EmailStatus.QUEUED, next_attempt_at=now, claimed_by=None, claimed_at=None)
        ).rowcount
        if not changed:
            current = session.get(EmailMessage, id)
            if current is None:
                raise NotFound("outbox.not_found", id=id)
            raise Refused(
                _RETRY_REFUSALS.get(EmailStatus(current.status), "outbox.retry_pending"), id=id, to=current.to_addr
            )
        message = _load(session, id)
        audit(
            session,
            operator=desk.operator,
            action="email.retry",
            now=now,
            booking_id=message.booking_id,
            email_id=id,
            to=message.to,
            kind=message.kind,
            attempts=message.attempts,
        )
    return message


def _load(session: Session, id: int) -> MessageView:
    row = session.execute(
        select(EmailMessage, col(Booking.reference))
        .outerjoin(Booking, col(Booking.id) == col(EmailMessage.booking_id))
        .where(col(EmailMessage.id) == id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound("outbox.not_found", id=id)
    return _view(row[0], row[1], bodies=True)


def _view(row: EmailMessage, reference: str | None, *, bodies: bool) -> MessageView:
    return MessageView(
        id=row.id,
        kind=row.kind,
        language=row.language,
        to=row.to_addr,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        message_id=row.message_id,
        next_attempt_at=row.next_attempt_at,
        claimed_by=row.claimed_by,
        booking_id=row.booking_id,
        booking_reference=reference,
        link_id=row.link_id,
        created_by=row.created_by,
        created_at=row.created_at,
        sent_at=row.sent_at,
        text=row.text if bodies else None,
        html=row.html if bodies else None,
    )
