"""The ``deskpay`` command: the TUI by default, and the scripting face of the same services.

One module per noun (bookings, payments, links, activities, operators, outbox,
sandbox, worker, demo, config, db). Subcommands that are not the TUI never
import Textual; each command imports the services it uses when it runs, so
``deskpay --help`` and a read such as ``bookings list`` stay fast.
"""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli import activities as activities_cli
from deskpay.cli import bookings as bookings_cli
from deskpay.cli import config as config_cli
from deskpay.cli import db as db_cli
from deskpay.cli import demo as demo_cli
from deskpay.cli import links as links_cli
from deskpay.cli import operators as operators_cli
from deskpay.cli import outbox as outbox_cli
from deskpay.cli import payments as payments_cli
from deskpay.cli import sandbox as sandbox_cli
from deskpay.cli import worker as worker_cli
from deskpay.cli.context import state
from deskpay.cli.tui import open_tui

app = typer.Typer(
    name="deskpay",
    help="Collect booking payments through payment links, from the front desk.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    operator: Optional[str] = typer.Option(None, "--operator", help="Who is at the desk (default: config or OS user)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="fr or en (default: config locale)."),
) -> None:
    """With no command, opens the front-desk TUI."""
    if lang is not None and lang not in ("fr", "en"):
        raise typer.BadParameter("use fr or en", param_hint="--lang")
    state.operator, state.lang = operator, lang
    if ctx.invoked_subcommand is None:
        open_tui()


app.add_typer(bookings_cli.app, name="bookings", help="List, show and create bookings.")
app.command("collect")(payments_cli.collect)
app.command("split")(payments_cli.split)
app.command("resend-confirmation")(bookings_cli.resend_confirmation)
app.command("request-balance")(bookings_cli.request_balance)
app.add_typer(links_cli.app, name="links", help="Payment links: list, cancel, show as QR, regenerate.")
app.command("refund")(payments_cli.refund)
app.add_typer(payments_cli.payments_app, name="payments", help="Correct desk payments (managers).")
app.add_typer(activities_cli.app, name="activities", help="Activities and their payment terms.")
app.add_typer(operators_cli.app, name="operators", help="Operators and their roles (manager, staff).")
app.add_typer(outbox_cli.app, name="outbox", help="Emails queued, sent and failed; retry a failed one.")
app.add_typer(sandbox_cli.app, name="sandbox", help="The built-in offline checkout (no real money).")
app.command("worker")(worker_cli.worker)
app.add_typer(demo_cli.app, name="demo", help="The demo business: load it and open the TUI on it.")
app.add_typer(config_cli.app, name="config", help="Show the configuration (secrets masked).")
app.add_typer(db_cli.app, name="db", help="Database schema migrations.")


def run() -> None:
    app()


if __name__ == "__main__":
    run()
