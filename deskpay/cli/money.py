"""``deskpay collect | split | resend-confirmation | request-balance``: taking money."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from deskpay.cli.common import desk_session, handle_errors, lang, print_json, run_async, split_list
from deskpay.domain.errors import InvalidInput

def _read_message(path: Optional[Path]) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")[:20_000]
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("cli.message_file", path=str(path), reason=exc.__class__.__name__) from None


async def _closing(desk, coroutine):
    try:
        return await coroutine
    finally:
        await desk.aclose()


def _print_links(outcome, as_json: bool) -> None:
    if as_json:
        print_json({"links": [link.to_json() for link in outcome.links], "emails_queued": outcome.emails_queued,
                    "failures": [{"link_id": i, "error": e.text("en")} for i, e in outcome.failures]})
        return
    lng = lang()
    for link in outcome.links:
        to = f"  → {link.recipient_email}" if link.recipient_email else ""
        state = "" if link.is_open else f"  [{link.status.value}: {link.status_reason}]"
        typer.echo(f"#{link.id}  {link.amount.format(lng):>12}  {link.label}  {link.url or ''}{to}{state}")
    if outcome.failures:
        raise typer.Exit(1)


@handle_errors
def collect(
    reference: str = typer.Argument(..., help="Booking reference, e.g. R-2026-000123."),
    amount: str = typer.Option(..., "--amount", help="Amount as typed at the desk: 12,50 or 12.50."),
    mode: str = typer.Option(..., "--mode", help="online, card, cash, transfer or voucher."),
    email: Optional[str] = typer.Option(None, "--email", help="Send the link to this address (default: the customer's)."),
    subject: Optional[str] = typer.Option(None, "--subject", help="Email subject (default: from the template)."),
    message_file: Optional[Path] = typer.Option(None, "--message-file", help="A text file with your own message."),
    no_email: bool = typer.Option(False, "--no-email", help="Create the link without emailing it."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Encaisser: record a desk payment at once, or create a payment link (online; prints its URL)."""
    from deskpay.services.collect import collect as collect_money, collect_mode

    chosen = collect_mode(mode)
    message = _read_message(message_file)
    with desk_session() as desk:
        done = run_async(lambda: _closing(desk, collect_money(
            desk, reference, amount, chosen, email=email, send_email=not no_email, subject=subject, message=message)))
        if done.payment is not None:
            payment = done.payment
            if as_json:
                print_json({"payment": payment.to_json(), "booking": reference.strip().upper()})
            else:
                typer.echo(f"{payment.amount.format(lang())} {mode} — #{payment.id}")
            return
        outcome = done.links
        assert outcome is not None
        if as_json:
            _print_links(outcome, True)
        else:
            link = outcome.links[0]
            typer.echo(link.url)
            if link.recipient_email and outcome.emails_queued:
                typer.echo(f"email → {link.recipient_email}", err=True)


@handle_errors
def split(
    reference: str = typer.Argument(...),
    parts: Optional[int] = typer.Option(None, "--parts", help="Number of equal shares (1-50)."),
    amount: Optional[str] = typer.Option(None, "--amount", help="Amount to split (default: everything requestable)."),
    amounts: Optional[str] = typer.Option(None, "--amounts", help="Custom shares: 40,30,30.50 (or 40,50;30 with decimal commas)."),
    emails: Optional[str] = typer.Option(None, "--emails", help="One email per share (empty for none): a@x.com,,c@y.com"),
    labels: Optional[str] = typer.Option(None, "--labels", help="One label per share."),
    no_email: bool = typer.Option(False, "--no-email"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Split an amount into several payment links, one per participant."""
    from deskpay.services.split import split_booking

    if (parts is None) == (amounts is None) or (amounts is not None and amount is not None):
        raise InvalidInput("cli.split_args")
    # "40,30,30.50" — or with French decimal commas, separate shares with ";": "40,50;30;29,50".
    custom = None if amounts is None else [a.strip() for a in amounts.split(";" if ";" in amounts else ",")]
    with desk_session() as desk:
        outcome = run_async(lambda: _closing(desk, split_booking(
            desk, reference, parts=parts, amount=amount, amounts=custom, emails=split_list(emails),
            labels=split_list(labels), send_email=not no_email)))
        _print_links(outcome, as_json)


@handle_errors
def resend_confirmation(
    reference: str = typer.Argument(...),
    mode: Optional[str] = typer.Option(None, "--mode", help="deposit or full (default: per the payment terms)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send (again) the booking confirmation with its payment link; impossible without a customer email."""
    from deskpay.services.confirmation import send_confirmation

    if mode is not None and mode not in ("deposit", "full"):
        raise InvalidInput("confirmation.bad_mode", mode=mode[:20])
    with desk_session() as desk:
        sent = run_async(lambda: _closing(desk, send_confirmation(desk, reference, mode)))
        if as_json:
            print_json({"to": sent.to, "reused_link": sent.reused_link,
                        "link": sent.link.to_json() if sent.link else None})
        else:
            link = f"  {sent.link.amount.format(lang())}  {sent.link.url}" if sent.link else ""
            typer.echo(f"confirmation → {sent.to}{link}")


@handle_errors
def request_balance(
    reference: str = typer.Argument(...),
    email: Optional[str] = typer.Option(None, "--email"),
    no_email: bool = typer.Option(False, "--no-email"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One link for everything still to pay, emailed as a balance request."""
    from deskpay.services.collect import request_balance as request

    with desk_session() as desk:
        outcome = run_async(lambda: _closing(desk, request(desk, reference, email=email, send_email=not no_email)))
        _print_links(outcome, as_json)
