"""``deskpay bookings``: list, show, create."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.common import desk_session, fail, handle_errors, lang, print_json, run_async
from deskpay.domain.dates import read_day, read_moment
from deskpay.domain.errors import DeskpayError, InvalidInput

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
    from deskpay.domain.dates import format_short
    from deskpay.services.listing import BookingQuery, search_bookings

    with desk_session() as desk:
        the_day = read_day(day, desk.now().astimezone(desk.settings.tz()).date()) if day is not None else None
        page = search_bookings(desk, BookingQuery(text=search or "", day_from=the_day, day_to=the_day,
                                                  unpaid_only=unpaid, limit=limit))
        if as_json:
            print_json({"total_count": page.total_count, "bookings": [row.to_json() for row in page.rows]})
            return
        lng, tz = lang(), desk.settings.tz()
        for row in page.rows:
            typer.echo(f"{row.reference}  {format_short(row.start_at, tz, lng)}  {row.customer[:28]:<28}  "
                       f"{row.total.format(lng):>12}  {row.balance.format(lng):>12}  {row.badge}")
        typer.echo(f"{len(page.rows)} / {page.total_count}")


@app.command("show")
@handle_errors
def show(reference: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One booking's sheet: client, amounts, payments, links, history."""
    from deskpay.cli.render import print_booking
    from deskpay.services.queries import booking_detail

    with desk_session() as desk:
        detail = booking_detail(desk, reference)
        if as_json:
            print_json(detail.to_json())
        else:
            print_booking(detail, desk.settings.tz(), lang())


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
    confirm: str = typer.Option("none", "--confirm", help="Send the confirmation with a payment link: deposit, full or none."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a booking (the phone-booking flow), optionally sending its confirmation with a payment link."""
    from deskpay.services.bookings import NewBooking, NewCustomer, create_booking
    from deskpay.services.confirmation import send_confirmation
    from deskpay.services.queries import booking_detail

    if confirm not in ("deposit", "full", "none"):
        raise InvalidInput("confirmation.bad_mode", mode=confirm[:20])
    with desk_session() as desk:
        if confirm != "none" and not (email and email.strip()):
            from deskpay.domain.errors import Refused

            raise Refused("confirmation.no_email", name=name.strip()[:80])
        detail = create_booking(desk, NewBooking(activity=activity, start=read_moment(start, desk.settings.tz()), participants=participants,
                                                 customer=NewCustomer(name, email, phone, language),
                                                 total=total, notes=notes))
        sent = None
        if confirm != "none":
            try:
                sent = run_async(lambda: _confirm(desk, detail.reference, confirm, send_confirmation))
            except DeskpayError as error:
                fail(f"{detail.reference}: {error.text(lang())}")
            detail = booking_detail(desk, detail.reference)
        if as_json:
            document = detail.to_json()
            document["confirmation"] = None if sent is None else {
                "to": sent.to, "link": sent.link.to_json() if sent.link else None}
            print_json(document)
            return
        lng = lang()
        typer.echo(f"{detail.reference}  {detail.activity}  {detail.amounts.total.format(lng)}")
        if sent is not None:
            typer.echo(f"confirmation → {sent.to}" + (f"  {sent.link.amount.format(lng)}  {sent.link.url}" if sent.link else ""))


async def _confirm(desk, reference, mode, send_confirmation):
    try:
        return await send_confirmation(desk, reference, mode)
    finally:
        await desk.aclose()
