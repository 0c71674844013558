"""``deskpay bookings list | show | create``, ``deskpay resend-confirmation``, ``deskpay request-balance``."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.context import cli_desk, fail, handle_errors, lang, print_json
from deskpay.cli.output import print_booking, print_links
from deskpay.domain.dates import read_day, read_moment
from deskpay.domain.errors import InvalidInput, error_text
from deskpay.domain.terms import ConfirmationMode, confirmation_mode

app = typer.Typer(no_args_is_help=True)


@app.command("list")
@handle_errors
def list_bookings(
    search: Optional[str] = typer.Option(None, "--search", help="Reference, name, email or phone."),
    day: Optional[str] = typer.Option(None, "--date", help="Only this day (YYYY-MM-DD, local)."),
    unpaid: bool = typer.Option(False, "--unpaid", help="Only bookings with a balance left."),
    limit: int = typer.Option(100, "--limit", min=1, max=500),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Bookings, upcoming first (today at the top), then past ones."""
    from deskpay.domain.dates import format_short  # this command's own services: the others are not loaded
    from deskpay.services.bookings.listing import (  # this command's own services: the others are not loaded
        BookingQuery,
        search_bookings,
    )

    with cli_desk() as cli:
        desk = cli.desk
        the_day = read_day(day, desk.now().astimezone(desk.settings.tz()).date()) if day is not None else None
        page = search_bookings(
            desk, BookingQuery(text=search or "", day_from=the_day, day_to=the_day, unpaid_only=unpaid, limit=limit)
        )
        if as_json:
            print_json({"total_count": page.total_count, "bookings": [row.to_json() for row in page.rows]})
            return
        lng, tz = lang(), desk.settings.tz()
        for row in page.rows:
            typer.echo(
                f"{row.reference}  {format_short(row.start_at, tz, lng)}  {row.customer[:28]:<28}  "
                f"{row.total.format(lng):>12}  {row.balance.format(lng):>12}  {row.badge}"
            )
        typer.echo(f"{len(page.rows)} / {page.total_count}")


@app.command("show")
@handle_errors
def show(reference: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One booking's sheet: client, amounts, payments, links, history."""
    from deskpay.services.bookings.sheet import booking_detail  # this command's own services: the others are not loaded

    with cli_desk() as cli:
        detail = booking_detail(cli.desk, reference)
        if as_json:
            print_json(detail.to_json())
        else:
            print_booking(detail, cli.desk.settings.tz(), lang())


@app.command("create")
@handle_errors
def create(
    activity: str = typer.Option(..., "--activity", help="Activity name (or a unique part of it)."),
    start: str = typer.Option(..., "--start", help="Start, ISO 8601 (local time when no offset)."),
    participants: int = typer.Option(..., "--participants"),
    name: str = typer.Option(..., "--name", help="Customer name."),
    email: Optional[str] = typer.Option(None, "--email"),
    phone: Optional[str] = typer.Option(None, "--phone"),
    language: str = typer.Option("fr", "--lang", help="Customer language: fr or en."),
    total: Optional[str] = typer.Option(None, "--total", help="Override the total (default: price × participants)."),
    notes: str = typer.Option("", "--notes"),
    confirm: str = typer.Option(
        "none", "--confirm", help="Send the confirmation with a payment link: deposit, full or none."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a booking (the phone-booking flow), optionally sending its confirmation with a payment link."""
    from deskpay.services.bookings.create import (  # this command's own services: the others are not loaded
        NewBooking,
        book,
    )
    from deskpay.services.bookings.customers import (
        NewCustomer,  # this command's own services: the others are not loaded
    )

    mode = confirmation_mode(confirm)
    with cli_desk() as cli:
        data = NewBooking(
            activity=activity,
            start=read_moment(start, cli.desk.settings.tz()),
            participants=participants,
            customer=NewCustomer(name, email, phone, language),
            total=total,
            notes=notes,
        )
        booked = cli.run(book(cli.desk, data, mode))
        if booked.confirmation_error is not None:
            fail(f"{booked.booking.reference}: {error_text(booked.confirmation_error, lang())}")
        detail, sent = booked.booking, booked.confirmation
        if as_json:
            document = detail.to_json()
            document["confirmation"] = (
                None if sent is None else {"to": sent.to, "link": sent.link.to_json() if sent.link else None}
            )
            print_json(document)
            return
        lng = lang()
        typer.echo(f"{detail.reference}  {detail.activity}  {detail.amounts.total.format(lng)}")
        if sent is not None:
            link = f"  {sent.link.amount.format(lng)}  {sent.link.url}" if sent.link else ""
            typer.echo(f"confirmation → {sent.to}{link}")


@handle_errors
def resend_confirmation(
    reference: str = typer.Argument(...),
    mode: Optional[str] = typer.Option(None, "--mode", help="deposit or full (default: per the payment terms)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send (again) the booking confirmation with its payment link; impossible without a customer email."""
    from deskpay.services.bookings.confirmation import (
        send_confirmation,  # this command's own services: the others are not loaded
    )

    chosen = None if mode is None else confirmation_mode(mode)
    if chosen is ConfirmationMode.NONE:  # a resend without its link is not what --mode is for
        raise InvalidInput("confirmation.bad_mode", mode="none")
    with cli_desk() as cli:
        sent = cli.run(send_confirmation(cli.desk, reference, chosen))
        if as_json:
            print_json(
                {"to": sent.to, "reused_link": sent.reused_link, "link": sent.link.to_json() if sent.link else None}
            )
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
    from deskpay.services.money.collect import (
        request_balance as request,  # this command's own services: the others are not loaded
    )

    with cli_desk() as cli:
        outcome = cli.run(request(cli.desk, reference, email=email, send_email=not no_email))
        print_links(outcome, as_json)
