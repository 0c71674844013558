"""What every email says: the one place that builds an email's context, then renders and checks it.

Booking confirmations, payment links, balance requests, split shares,
receipts and tickets all start from :func:`booking_context`; the result is a
:class:`Draft`, exactly what will be queued (or shown in the preview)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from deskpay.config import Settings
from deskpay.domain.dates import format_when
from deskpay.domain.errors import Refused
from deskpay.domain.links import LinkPurpose
from deskpay.domain.money import Money
from deskpay.domain.payments import method_label
from deskpay.services.desk import Desk
from deskpay.services.emails.mime import check_header_value, validate_address
from deskpay.services.emails.render import render_email
from deskpay.services.money.ledger import compute_amounts
from deskpay.services.operators import check_not_own_email
from deskpay.store.engine import must_get
from deskpay.store.models import Activity, Booking, Customer, Payment, PaymentLink


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
    return {
        "name": settings.business_name,
        "address": settings.business_address,
        "signature": settings.business_signature,
        "email": settings.smtp_reply_to or settings.business_email,
        "phone": settings.business_phone,
    }


def booking_context(
    settings: Settings, booking: Booking, activity: Activity, customer: Customer, paid: Money, lang: str
) -> dict[str, Any]:
    total = Money(booking.total_minor, booking.currency)
    return {
        "business": business_context(settings),
        "customer": {"name": customer.name},
        "booking": {
            "reference": booking.reference,
            "activity": activity.name,
            "start": format_when(booking.start_at, settings.tz(), lang),
            "participants": booking.participants,
            "total": total.format(lang),
            "paid": paid.format(lang),
            "balance": (total - paid).clamp_min_zero().format(lang),
        },
        "link": None,
        "deposit": False,
        "balance_after": (total - paid).clamp_min_zero().format(lang),
        "split": None,
        "message": "",
        "payment": None,
        "tickets": None,
    }


def link_context(settings: Settings, link: PaymentLink, lang: str) -> dict[str, Any]:
    return {
        "url": link.url,
        "amount": Money(link.amount_minor, link.currency).format(lang),
        "label": link.label,
        "expires": format_when(link.expires_at, settings.tz(), lang),
    }


def draft_email(kind: str, lang: str, to: str, context: dict[str, Any], *, subject: str | None = None) -> Draft:
    """Render and validate; raises InvalidInput for a bad address or an injected header."""

    address = validate_address(to)
    rendered = render_email(kind, lang, context)
    final_subject = check_header_value("Subject", subject.strip()) if subject and subject.strip() else rendered.subject
    return Draft(kind, lang, address, final_subject, rendered.text, rendered.html)


PURPOSE_EMAIL = {
    LinkPurpose.CONFIRMATION: "confirmation",
    LinkPurpose.LINK: "payment_link",
    LinkPurpose.BALANCE: "balance_request",
    LinkPurpose.SPLIT: "split_share",
}


def confirmation_email(session: Session, desk: Desk, booking: Booking, to: str) -> Draft:
    """The booking confirmation when it carries no payment link (nothing left to ask)."""
    activity = must_get(session, Activity, booking.activity_id)
    customer = must_get(session, Customer, booking.customer_id)
    amounts = compute_amounts(session, booking)
    context = booking_context(desk.settings, booking, activity, customer, amounts.paid, booking.language)
    return draft_email("confirmation", booking.language, to, context)


def receipt_emails(session: Session, desk: Desk, booking: Booking, link: PaymentLink, payment: Payment) -> list[Draft]:
    """What a payer receives once a link is paid: the receipt, and the tickets when the booking is paid in full.

    None when the business sends no receipts or nobody has an address.
    """
    mode = desk.settings.receipt
    customer = must_get(session, Customer, booking.customer_id)
    to = link.recipient_email or customer.email
    if mode == "none" or not to:
        return []
    activity = must_get(session, Activity, booking.activity_id)
    lang = booking.language
    paid = Money(booking.paid_minor, booking.currency)
    context = booking_context(desk.settings, booking, activity, customer, paid, lang)
    context["payment"] = {
        "amount": Money(payment.amount_minor, payment.currency).format(lang),
        "method": method_label(payment.method, lang),
        "when": format_when(payment.created_at, desk.settings.tz(), lang),
    }
    drafts = [draft_email("receipt", lang, to, context)]
    if mode == "receipt_and_tickets" and booking.paid_minor >= booking.total_minor:
        context["tickets"] = [
            {"code": f"{booking.reference}-{i:02d}", "holder": customer.name}
            for i in range(1, booking.participants + 1)
        ]
        drafts.append(draft_email("tickets", lang, to, context))
    return drafts


def compose_link_email(
    session: Session,
    desk: Desk,
    link: PaymentLink,
    *,
    subject: str | None = None,
    message: str = "",
    to: str | None = None,
) -> Draft:
    """The email for ``link`` (kind chosen by its purpose), in the booking's language."""
    booking = must_get(session, Booking, link.booking_id)
    activity = must_get(session, Activity, booking.activity_id)
    customer = must_get(session, Customer, booking.customer_id)
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
        siblings = (
            session.execute(
                select(col(PaymentLink.id))
                .where(
                    col(PaymentLink.booking_id) == link.booking_id,
                    col(PaymentLink.purpose) == LinkPurpose.SPLIT,
                    col(PaymentLink.created_at) == link.created_at,
                )
                .order_by(col(PaymentLink.id))
            )
            .scalars()
            .all()
        )
        context["split"] = {
            "index": siblings.index(link.id) + 1 if link.id in siblings else 1,
            "count": max(len(siblings), 1),
        }
    recipient = (to or "").strip() or link.recipient_email or customer.email
    if not recipient:
        raise Refused("email.no_recipient")
    check_not_own_email(desk, recipient)
    return draft_email(kind, lang, recipient, context, subject=subject)
