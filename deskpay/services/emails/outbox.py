"""Queueing an email: rendered, validated and written in the caller's transaction.

The row is the promise to send; the delivery worker keeps it. The Message-ID
is fixed here so that a retried delivery is recognisably the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from deskpay.config import Settings
from deskpay.domain.dates import format_when
from deskpay.domain.i18n import has, text
from deskpay.domain.money import Money
from deskpay.store.models import Activity, Booking, Customer, EmailMessage, PaymentLink
from deskpay.domain.outbox import EmailStatus

def method_label(method: str, lang: str) -> str:
    """A payment method in a sentence (``espèces``, ``bank transfer``); an unknown one as it is."""
    key = f"method.{method}"
    return text(key, lang) if has(key) else method


@dataclass(frozen=True, slots=True)
class Draft:
    """An email ready to queue or to preview: exactly what will be sent."""

    kind: str
    language: str
    to: str
    subject: str
    text: str
    html: str


def business_context(settings: Settings) -> dict[str, Any]:
    return {"name": settings.business_name, "address": settings.business_address,
            "signature": settings.business_signature, "email": settings.smtp_reply_to or settings.business_email,
            "phone": settings.business_phone}


def booking_context(settings: Settings, booking: Booking, activity: Activity, customer: Customer,
                    paid: Money, lang: str) -> dict[str, Any]:
    total = Money(booking.total_minor, booking.currency)
    return {
        "business": business_context(settings),
        "customer": {"name": customer.name},
        "booking": {"reference": booking.reference, "activity": activity.name,
                    "start": format_when(booking.start_at, settings.tz(), lang),
                    "participants": booking.participants, "total": total.format(lang),
                    "paid": paid.format(lang), "balance": (total - paid).clamp_min_zero().format(lang)},
        "link": None, "deposit": False, "balance_after": (total - paid).clamp_min_zero().format(lang),
        "split": None, "message": "", "payment": None, "tickets": None,
    }


def link_context(settings: Settings, link: PaymentLink, lang: str) -> dict[str, Any]:
    return {"url": link.url, "amount": Money(link.amount_minor, link.currency).format(lang), "label": link.label,
            "expires": format_when(link.expires_at, settings.tz(), lang)}


def draft_email(kind: str, lang: str, to: str, context: dict[str, Any], *, subject: str | None = None) -> Draft:
    """Render and validate; raises InvalidInput for a bad address or an injected header."""
    from deskpay.services.emails.mime import check_header_value, validate_address
    from deskpay.services.emails.render import render_email

    address = validate_address(to)
    rendered = render_email(kind, lang, context)
    final_subject = check_header_value("Subject", subject.strip()) if subject and subject.strip() else rendered.subject
    return Draft(kind, lang, address, final_subject, rendered.text, rendered.html)


def queue_draft(session: Session, settings: Settings, draft: Draft, *, now: datetime, operator: str,
                booking_id: int | None, link_id: int | None) -> EmailMessage:
    from deskpay.services.emails.mime import make_message_id

    domain = settings.smtp_from.rpartition("@")[2] or "deskpay.local"
    message = EmailMessage(
        kind=draft.kind, language=draft.language, to_addr=draft.to, subject=draft.subject, text=draft.text,
        html=draft.html, message_id=make_message_id(domain), status=EmailStatus.QUEUED, attempts=0, next_attempt_at=now,
        booking_id=booking_id, link_id=link_id, created_by=operator, created_at=now,
    )
    session.add(message)
    session.flush()
    return message
