"""``deskpay config show``: the effective configuration, secrets masked."""

from __future__ import annotations

import typer

from deskpay.cli.context import handle_errors, print_json, settings

app = typer.Typer(no_args_is_help=True)


@app.command("show")
@handle_errors
def config_show(as_json: bool = typer.Option(False, "--json")) -> None:
    """The effective configuration; secrets are masked."""
    shown = settings().shown()
    if as_json:
        print_json(shown)
        return
    for key, value in shown.items():
        typer.echo(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}")
