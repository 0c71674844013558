"""``deskpay operators list | add``: who is at the desk, and who may do what."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.context import cli_desk, handle_errors, print_json

app = typer.Typer(no_args_is_help=True)


@app.command("list")
@handle_errors
def operators_list(as_json: bool = typer.Option(False, "--json")) -> None:
    from deskpay.services.operators import (  # this command's own services: the others are not loaded
        current_operator,
        list_operators,
    )

    with cli_desk() as cli:
        desk = cli.desk
        rows = list_operators(desk)
        me = current_operator(desk)
        if as_json:
            print_json(
                {
                    "operators": [{"name": o.name, "email": o.email, "role": o.role} for o in rows],
                    "current": {"name": me.name, "role": me.role, "registered": me.registered},
                }
            )
            return
        for o in rows:
            typer.echo(f"{o.name:<20} {o.role:<8} {o.email or ''}")
        typer.echo(f"→ {me.name} ({me.role})")


@app.command("add")
@handle_errors
def operators_add(
    name: str = typer.Argument(...),
    role: str = typer.Option("staff", "--role"),
    email: Optional[str] = typer.Option(None, "--email"),
) -> None:
    """Add or change an operator (managers only; the first one must be a manager)."""
    from deskpay.services.operators import save_operator  # this command's own services: the others are not loaded

    with cli_desk() as cli:
        desk = cli.desk
        saved = save_operator(desk, name, role, email)
        typer.echo(f"{saved.name} {saved.role}")
