"""``deskpay outbox``: the emails deskpay sends — list them, read one, retry a failed one.

Sending is the worker's job (``deskpay worker``, or the TUI's embedded one);
``retry`` only puts a failed email back in the queue, due now.
"""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.context import cli_desk, handle_errors, lang, print_json
from deskpay.domain.outbox import EmailStatus

app = typer.Typer(help="The outbox: emails queued, sent and failed; retry a failed one.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_outbox(
    status: Optional[str] = typer.Option(None, "--status", help="queued, sending, sent or failed."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Emails, newest first."""
    from deskpay.services.emails.outbox import (  # this command's own services: the others are not loaded
        count_messages,
        list_messages,
    )

    with cli_desk() as cli:
        desk = cli.desk
        messages = list_messages(desk, status=status, limit=limit)
        counts = count_messages(desk)
        if as_json:
            print_json({"messages": [message.to_json() for message in messages], "counts": counts})
            return
        from deskpay.domain.dates import format_short  # this command's own services: the others are not loaded

        lng, tz = lang(), desk.settings.tz()
        for message in messages:
            when = message.sent_at or message.next_attempt_at or message.created_at
            line = (
                f"#{message.id:<6} {message.status:<7} {format_short(when, tz, lng):<16} "
                f"{message.kind:<15} {message.to[:32]:<32} {message.subject[:50]}"
            )
            if message.status in (EmailStatus.QUEUED, EmailStatus.FAILED) and message.last_error:
                line += f"  [{message.attempts}× {message.last_error[:60]}]"
            typer.echo(line.rstrip())
        shown = counts[status] if status else sum(counts.values())
        typer.echo(f"{len(messages)} / {shown}  ({', '.join(f'{k} {v}' for k, v in counts.items())})")


@app.command("show")
@handle_errors
def show(message_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """One email: its headers, where it stands, and its text."""
    from deskpay.services.emails.outbox import get_message  # this command's own services: the others are not loaded

    with cli_desk() as cli:
        message = get_message(cli.desk, message_id)
    if as_json:
        print_json(message.to_json())
        return
    document = message.to_json()
    for key in (
        "id",
        "status",
        "kind",
        "language",
        "to",
        "subject",
        "booking",
        "message_id",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_by",
        "created_at",
    ):
        if document.get(key) not in (None, ""):
            typer.echo(f"{key + ':':<17} {document[key]}")
    typer.echo("")
    typer.echo(message.text or "")


@app.command("retry")
@handle_errors
def retry(message_id: int = typer.Argument(..., metavar="ID"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Put a failed email back in the queue (its attempts are kept); the worker sends it at its next turn."""
    from deskpay.services.emails.outbox import retry_message  # this command's own services: the others are not loaded

    with cli_desk() as cli:
        message = retry_message(cli.desk, message_id)
    if as_json:
        print_json(message.to_json())
        return
    typer.echo(f"#{message.id} {message.status}: {message.to} — {message.subject}")
