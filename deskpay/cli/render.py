"""Plain-text rendering of a booking sheet for the terminal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import typer

from deskpay.domain.dates import format_short, format_when
from deskpay.domain.i18n import Section
from deskpay.services.views import BookingDetail
from deskpay.domain.payments import PaymentKind

_LABELS = Section("cli.sheet")


def print_booking(detail: BookingDetail, tz: ZoneInfo, lang: str) -> None:
    t = _LABELS.as_dict(lang)
    a = detail.amounts
    c = detail.customer
    echo = typer.echo
    echo(f"{detail.reference}  {detail.activity}  {format_when(detail.start_at, tz, lang)}  "
         f"×{detail.participants}  [{detail.status}]")
    if detail.notes:
        echo(f"  {detail.notes}")
    echo(f"{t['client']}: {c.name}  {c.email or '—'}  {c.phone or '—'}  ({c.language})")
    echo(f"{t['payment']}: {t['total']} {a.total.format(lang)} · {t['paid']} {a.paid.format(lang)} · "
         f"{t['pending']} {a.pending.format(lang)} · {t['balance']} {a.balance.format(lang)}")
    if detail.payments:
        echo(f"{t['payments']}:")
        for p in detail.payments:
            sign = "-" if p.kind == PaymentKind.REFUND else ""
            echo(f"  #{p.id} {format_short(p.created_at, tz, lang)}  {sign}{p.amount.format(lang):>12}  {p.method}  {p.operator}")
    if detail.links:
        echo(f"{t['links']}:")
        for link in detail.links:
            echo(f"  #{link.id} {link.amount.format(lang):>12}  {link.status.label(lang):<9} "
                 f"{format_short(link.expires_at, tz, lang)}  {link.label}  {link.recipient_email or ''}  {link.url or ''}")
    if detail.history:
        echo(f"{t['history']}:")
        for event in detail.history[:20]:
            echo(f"  {format_short(event.created_at, tz, lang)}  {event.operator:<10} {event.action}")
