"""``deskpay collect | split | refund | payments``: taking money, and the manager's corrections."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from deskpay.cli.context import MAX_ID, cli_desk, handle_errors, lang, print_json, read_message_file, split_list
from deskpay.cli.output import print_links
from deskpay.domain.errors import InvalidInput

payments_app = typer.Typer(no_args_is_help=True)


@handle_errors
def collect(
    reference: str = typer.Argument(..., help="Booking reference, e.g. R-2026-000123."),
    amount: str = typer.Option(..., "--amount", help="Amount as typed at the desk: 12,50 or 12.50."),
    mode: str = typer.Option(..., "--mode", help="online, card, cash, transfer or voucher."),
    email: Optional[str] = typer.Option(
        None, "--email", help="Send the link to this address (default: the customer's)."
    ),
    subject: Optional[str] = typer.Option(None, "--subject", help="Email subject (default: from the template)."),
    message_file: Optional[Path] = typer.Option(None, "--message-file", help="A text file with your own message."),
    no_email: bool = typer.Option(False, "--no-email", help="Create the link without emailing it."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Encaisser: record a desk payment at once, or create a payment link (online; prints its URL)."""
    from deskpay.services.money.collect import (
        collect as collect_money,  # this command's own services: the others are not loaded
    )
    from deskpay.services.money.collect import collect_mode  # this command's own services: the others are not loaded

    chosen = collect_mode(mode)
    message = read_message_file(message_file)
    with cli_desk() as cli:
        done = cli.run(
            collect_money(
                cli.desk,
                reference,
                amount,
                chosen,
                email=email,
                send_email=not no_email,
                subject=subject,
                message=message,
            )
        )
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
            print_links(outcome, True)
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
    amounts: Optional[str] = typer.Option(
        None, "--amounts", help="Custom shares: 40,30,30.50 (or 40,50;30 with decimal commas)."
    ),
    emails: Optional[str] = typer.Option(
        None, "--emails", help="One email per share (empty for none): a@x.com,,c@y.com"
    ),
    labels: Optional[str] = typer.Option(None, "--labels", help="One label per share."),
    no_email: bool = typer.Option(False, "--no-email"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Split an amount into several payment links, one per participant."""
    from deskpay.services.money.split import split_booking  # this command's own services: the others are not loaded

    if (parts is None) == (amounts is None) or (amounts is not None and amount is not None):
        raise InvalidInput("cli.split_args")
    # "40,30,30.50" — or with French decimal commas, separate shares with ";": "40,50;30;29,50".
    custom = None if amounts is None else [a.strip() for a in amounts.split(";" if ";" in amounts else ",")]
    with cli_desk() as cli:
        outcome = cli.run(
            split_booking(
                cli.desk,
                reference,
                parts=parts,
                amount=amount,
                amounts=custom,
                emails=split_list(emails),
                labels=split_list(labels),
                send_email=not no_email,
            )
        )
        print_links(outcome, as_json)


@handle_errors
def refund(
    reference: str = typer.Argument(...),
    amount: str = typer.Option(..., "--amount"),
    method: str = typer.Option(..., "--method", help="How the money went back: card, cash, transfer, voucher, online."),
    note: str = typer.Option("", "--note"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a refund (managers only)."""
    from deskpay.services.money.corrections import (
        record_refund,  # this command's own services: the others are not loaded
    )

    with cli_desk() as cli:
        payment = record_refund(cli.desk, reference, amount, method, note=note)
        if as_json:
            print_json({"refund": payment.to_json()})
        else:
            typer.echo(f"-{payment.amount.format(lang())} {method} — #{payment.id}")


@payments_app.command("delete")
@handle_errors
def payments_delete(
    payment_id: int = typer.Argument(..., min=1, max=MAX_ID), reason: str = typer.Option("", "--reason")
) -> None:
    """Delete a desk payment recorded by mistake (managers only; the audit log keeps it)."""
    from deskpay.services.money.corrections import (
        delete_payment,  # this command's own services: the others are not loaded
    )

    with cli_desk() as cli:
        payment = delete_payment(cli.desk, payment_id, reason=reason)
        typer.echo(f"#{payment.id} {payment.amount.format(lang())} deleted")
