"""``deskpay demo [--reset]`` and ``deskpay demo load``: the demo canoe base, loaded and opened."""

from __future__ import annotations

import typer

from deskpay.cli.context import handle_errors, settings, state
from deskpay.cli.tui import open_tui

app = typer.Typer()


def demo_settings():
    """The demo business's identity (name, address, locale) over the configured database.

    The demo lives in the usual database (the data directory, or
    DESKPAY_DATABASE_URL), so that the CLI commands see it after
    ``deskpay demo load``; loading refuses to replace real bookings.
    """
    from deskpay.services.demo_business import (
        business_overrides,  # this command's own services: the others are not loaded
    )

    overrides = business_overrides()
    if state.lang:
        overrides["locale"] = state.lang
    return settings().model_copy(update=overrides)


def _load(the_settings, bookings: int) -> None:
    from deskpay.services.demo import load_demo  # this command's own services: the others are not loaded
    from deskpay.services.desk import open_desk  # this command's own services: the others are not loaded

    desk = open_desk(the_settings, operator=state.operator)
    try:
        summary = load_demo(desk, bookings=bookings)
    finally:
        desk.close()
    typer.echo(
        f"demo: {summary.bookings} bookings, {summary.customers} customers, {summary.activities} activities, "
        f"{summary.payments} payments, {summary.links} links → {the_settings.resolved_database_url()}",
        err=True,
    )


def _demo_is_loaded(the_settings) -> bool:
    from deskpay.services.bookings.listing import has_bookings  # this command's own services: the others are not loaded
    from deskpay.services.desk import open_desk  # this command's own services: the others are not loaded

    desk = open_desk(the_settings)
    try:
        return has_bookings(desk)
    finally:
        desk.close()


@app.callback(invoke_without_command=True)
@handle_errors
def demo(ctx: typer.Context, reset: bool = typer.Option(False, "--reset", help="Rebuild the demo data first.")) -> None:
    """Open the TUI on the demo business (created on first use)."""
    if ctx.invoked_subcommand is not None:
        return
    the_settings = demo_settings()
    if reset or not _demo_is_loaded(the_settings):
        _load(the_settings, 2_000)
    open_tui(the_settings)


@app.command("load")
@handle_errors
def demo_load(bookings: int = typer.Option(2_000, "--bookings", min=1, max=1_000_000)) -> None:
    """(Re)build the demo data without opening the TUI."""
    _load(demo_settings(), bookings)
