"""``deskpay db upgrade``: the database migrations (they also run when deskpay starts)."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.context import handle_errors, settings

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
@handle_errors
def db_upgrade(revision: Optional[str] = typer.Argument("head")) -> None:
    """Run the database migrations (deskpay also runs them on start)."""
    from deskpay.store.engine import make_engine  # this command's own services: the others are not loaded
    from deskpay.store.migrate import (  # this command's own services: the others are not loaded
        current_revision,
        upgrade,
    )

    engine = make_engine(settings().resolved_database_url())
    try:
        upgrade(engine, revision or "head")
        typer.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()
