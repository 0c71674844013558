"""Sharing a payment link: only an open link whose page exists is copied, shown as a QR code or emailed.

Emailing it: the preview the operator reads, then the email queued (first send or resend)."""

from __future__ import annotations

from sqlmodel import Session

from deskpay.domain.errors import NotFound, Refused
from deskpay.domain.links import LinkStatus, can_share
from deskpay.domain.text import clean_block
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.emails.compose import Draft, compose_link_email
from deskpay.services.emails.outbox import queue_draft
from deskpay.services.links.views import LinkView, link_view
from deskpay.services.money.ledger import refresh_booking
from deskpay.store.engine import must_get
from deskpay.store.models import Booking, PaymentLink


def _open_link(session: Session, link_id: int) -> PaymentLink:
    link = session.get(PaymentLink, link_id)
    if link is None:
        raise NotFound("link.not_found", id=link_id)
    if not can_share(link.status, bool(link.url)):
        if link.status != LinkStatus.OPEN:
            raise Refused("link.not_open", id=link_id, status=LinkStatus(link.status))
        raise Refused("link.not_ready", id=link_id)
    return link


def shareable_link(desk: Desk, link_id: int) -> LinkView:
    """The link, if it may be shared now (copied, shown as a QR code, emailed); else the refusal saying why."""
    with desk.read() as session:
        link = _open_link(session, link_id)
        booking = must_get(session, Booking, link.booking_id)
        assert booking is not None
        return link_view(link, booking.reference)


def preview_link_email(
    desk: Desk, link_id: int, *, to: str | None = None, subject: str | None = None, message: str = ""
) -> Draft:
    with desk.read() as session:
        link = _open_link(session, link_id)
        return compose_link_email(
            session, desk, link, subject=subject, message=clean_block(message, "Message", max_len=5000), to=to
        )


def send_link_email(
    desk: Desk, link_id: int, *, to: str | None = None, subject: str | None = None, message: str = ""
) -> Draft:
    """Queue the email of an open link (first send or resend), optionally to another address."""
    now = desk.now()
    with desk.write() as session:
        link = _open_link(session, link_id)
        draft = compose_link_email(
            session, desk, link, subject=subject, message=clean_block(message, "Message", max_len=5000), to=to
        )
        queue_draft(
            session, desk.settings, draft, now=now, operator=desk.operator, booking_id=link.booking_id, link_id=link.id
        )
        if not link.recipient_email:
            link.recipient_email = draft.to
            session.add(link)
        audit(
            session,
            operator=desk.operator,
            action="link.email",
            now=now,
            booking_id=link.booking_id,
            link_id=link.id,
            to=draft.to,
            subject=draft.subject,
        )
        booking = must_get(session, Booking, link.booking_id)
        refresh_booking(session, booking, now)
    return draft
