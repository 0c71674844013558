"""``deskpay links``: list, cancel, regenerate, qr."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.context import MAX_ID, cli_desk, handle_errors, lang, print_json
from deskpay.domain.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)


@app.command("list")
@handle_errors
def list_links(
    reference: Optional[str] = typer.Argument(None, help="Only this booking's links."),
    status: Optional[str] = typer.Option(None, "--status", help="open, paid, expired, cancelled or failed."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Payment links, newest first."""
    from deskpay.domain.dates import format_short  # this command's own services: the others are not loaded
    from deskpay.domain.links import LinkStatus  # this command's own services: the others are not loaded
    from deskpay.services.links.lifecycle import (
        list_links as query,  # this command's own services: the others are not loaded
    )

    if status is not None and status not in {s.value for s in LinkStatus}:
        raise InvalidInput("links.bad_status", status=status[:20])
    with cli_desk() as cli:
        desk = cli.desk
        if reference:
            from deskpay.services.bookings.sheet import (
                booking_detail,  # this command's own services: the others are not loaded
            )

            booking_detail(desk, reference)  # an unknown booking is an error, not an empty list
        links = query(desk, reference, status)
        if as_json:
            print_json({"links": [link.to_json() for link in links]})
            return
        lng, tz = lang(), desk.settings.tz()
        for link in links:
            typer.echo(
                f"#{link.id:<6} {link.booking_reference}  {link.amount.format(lng):>12}  {link.status.value:<9}  "
                f"{format_short(link.expires_at, tz, lng)}  {link.label[:20]:<20}  {link.url or ''}"
            )
        typer.echo(f"{len(links)}")


@app.command("cancel")
@handle_errors
def cancel(
    link_id: int = typer.Argument(..., min=1, max=MAX_ID),
    reason: str = typer.Option("", "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cancel an open link (at the provider too, so it can no longer be paid)."""
    from deskpay.services.links.lifecycle import cancel_link  # this command's own services: the others are not loaded

    with cli_desk() as cli:
        link = cli.run(cancel_link(cli.desk, link_id, reason=reason))
        if as_json:
            print_json({"link": link.to_json()})
        else:
            typer.echo(f"#{link.id} {link.status.value}")


@app.command("regenerate")
@handle_errors
def regenerate(
    link_id: int = typer.Argument(..., min=1, max=MAX_ID), as_json: bool = typer.Option(False, "--json")
) -> None:
    """A new link with the same amount, label and recipient as an expired or cancelled one."""
    from deskpay.services.links.lifecycle import (
        regenerate_link,  # this command's own services: the others are not loaded
    )

    with cli_desk() as cli:
        outcome = cli.run(regenerate_link(cli.desk, link_id))
        if as_json:
            print_json({"links": [link.to_json() for link in outcome.links]})
        else:
            for link in outcome.links:
                typer.echo(f"#{link.id}  {link.amount.format(lang())}  {link.url}")


@app.command("qr")
@handle_errors
def qr(
    link_id: int = typer.Argument(..., min=1, max=MAX_ID),
    invert: bool = typer.Option(False, "--invert", help="For terminals with dark text on a light background."),
) -> None:
    """Print the link's QR code in the terminal (half blocks), for the customer to scan."""
    import shutil  # this command's own services: the others are not loaded

    from deskpay.services.links.qr import (  # this command's own services: the others are not loaded
        make_qr,
        render_half_blocks,
    )
    from deskpay.services.links.sending import shareable_link  # this command's own services: the others are not loaded

    with cli_desk() as cli:
        link = shareable_link(cli.desk, link_id)
        size = shutil.get_terminal_size((100, 50))
        assert link.url is not None  # a shareable link has its page
        code = make_qr(link.url, max_cells=(size.columns, max(size.lines - 3, 10)))
        for line in render_half_blocks(code, dark_on_light=invert):
            typer.echo(line)
        typer.echo(f"{link.booking_reference}  {link.amount.format(lang())}  {link.label}")
        typer.echo(link.url)
