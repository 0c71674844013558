"""``deskpay demo | config | db`` and opening the TUI."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.common import handle_errors, print_json, settings, state

demo_app = typer.Typer()
config_app = typer.Typer(no_args_is_help=True)
db_app = typer.Typer(no_args_is_help=True)


def open_tui(the_settings=None) -> None:
    """Textual is imported only here, so the other commands start fast."""
    from deskpay.tui.app import run_tui

    run_tui(the_settings or settings(), operator=state.operator)


def demo_settings():
    """The demo business's identity (name, address, locale) over the configured database.

    The demo lives in the usual database (the data directory, or
    DESKPAY_DATABASE_URL), so that the CLI commands see it after
    ``deskpay demo load``; loading refuses to replace real bookings.
    """
    from deskpay.services.demo_business import business_overrides

    overrides = business_overrides()
    if state.lang:
        overrides["locale"] = state.lang
    return settings().model_copy(update=overrides)


def _load(the_settings, bookings: int) -> None:
    from deskpay.services.demo import load_demo
    from deskpay.services.desk import open_desk

    desk = open_desk(the_settings, operator=state.operator)
    try:
        summary = load_demo(desk, bookings=bookings)
    finally:
        desk.close()
    typer.echo(f"demo: {summary.bookings} bookings, {summary.customers} customers, {summary.activities} activities, "
               f"{summary.payments} payments, {summary.links} links → {the_settings.resolved_database_url()}", err=True)


def _demo_is_loaded(the_settings) -> bool:
    from deskpay.services.desk import open_desk
    from deskpay.services.listing import has_bookings

    desk = open_desk(the_settings)
    try:
        return has_bookings(desk)
    finally:
        desk.close()


@demo_app.callback(invoke_without_command=True)
@handle_errors
def demo(ctx: typer.Context, reset: bool = typer.Option(False, "--reset", help="Rebuild the demo data first.")) -> None:
    """Open the TUI on the demo business (created on first use)."""
    if ctx.invoked_subcommand is not None:
        return
    the_settings = demo_settings()
    if reset or not _demo_is_loaded(the_settings):
        _load(the_settings, 2_000)
    open_tui(the_settings)


@demo_app.command("load")
@handle_errors
def demo_load(bookings: int = typer.Option(2_000, "--bookings", min=1, max=1_000_000)) -> None:
    """(Re)build the demo data without opening the TUI."""
    _load(demo_settings(), bookings)


@config_app.command("show")
@handle_errors
def config_show(as_json: bool = typer.Option(False, "--json")) -> None:
    """The effective configuration; secrets are masked."""
    shown = settings().shown()
    if as_json:
        print_json(shown)
        return
    for key, value in shown.items():
        typer.echo(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}")


@db_app.command("upgrade")
@handle_errors
def db_upgrade(revision: Optional[str] = typer.Argument("head")) -> None:
    """Run the database migrations (deskpay also runs them on start)."""
    from deskpay.store.engine import make_engine
    from deskpay.store.migrate import current_revision, upgrade

    engine = make_engine(settings().resolved_database_url())
    try:
        upgrade(engine, revision or "head")
        typer.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()
