"""What the commands print for people: a booking sheet, the links a command opened."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from deskpay.cli.context import lang, print_json
from deskpay.domain.dates import format_short, format_when
from deskpay.domain.i18n import Section
from deskpay.domain.payments import PaymentKind
from deskpay.services.bookings.views import BookingDetail

if TYPE_CHECKING:  # the command that prints links has imported them already
    from deskpay.services.links.open import LinksOutcome

_LABELS = Section("cli.sheet")


def print_booking(detail: BookingDetail, tz: ZoneInfo, lang: str) -> None:
    t = _LABELS.as_dict(lang)
    a = detail.amounts
    c = detail.customer
    echo = typer.echo
    echo(
        f"{detail.reference}  {detail.activity}  {format_when(detail.start_at, tz, lang)}  "
        f"×{detail.participants}  [{detail.status}]"
    )
    if detail.notes:
        echo(f"  {detail.notes}")
    echo(f"{t['client']}: {c.name}  {c.email or '—'}  {c.phone or '—'}  ({c.language})")
    echo(
        f"{t['payment']}: {t['total']} {a.total.format(lang)} · {t['paid']} {a.paid.format(lang)} · "
        f"{t['pending']} {a.pending.format(lang)} · {t['balance']} {a.balance.format(lang)}"
    )
    if detail.payments:
        echo(f"{t['payments']}:")
        for p in detail.payments:
            sign = "-" if p.kind == PaymentKind.REFUND else ""
            echo(
                f"  #{p.id} {format_short(p.created_at, tz, lang)}  {sign}{p.amount.format(lang):>12}  {p.method}  {p.operator}"
            )
    if detail.links:
        echo(f"{t['links']}:")
        for link in detail.links:
            echo(
                f"  #{link.id} {link.amount.format(lang):>12}  {link.status.label(lang):<9} "
                f"{format_short(link.expires_at, tz, lang)}  {link.label}  {link.recipient_email or ''}  {link.url or ''}"
            )
    if detail.history:
        echo(f"{t['history']}:")
        for event in detail.history[:20]:
            echo(f"  {format_short(event.created_at, tz, lang)}  {event.operator:<10} {event.action}")


def print_links(outcome: LinksOutcome, as_json: bool) -> None:
    """The links as a JSON document, or one line each; exit 1 when one of them could not be created."""
    if as_json:
        print_json(
            {
                "links": [link.to_json() for link in outcome.links],
                "emails_queued": outcome.emails_queued,
                "failures": [{"link_id": i, "error": e.text("en")} for i, e in outcome.failures],
            }
        )
        return
    lng = lang()
    for link in outcome.links:
        to = f"  → {link.recipient_email}" if link.recipient_email else ""
        state = "" if link.is_open else f"  [{link.status.value}: {link.status_reason}]"
        typer.echo(f"#{link.id}  {link.amount.format(lng):>12}  {link.label}  {link.url or ''}{to}{state}")
    if outcome.failures:
        raise typer.Exit(1)
