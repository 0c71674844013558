"""``deskpay sandbox``: the built-in offline checkout, from the command line."""

from __future__ import annotations

import typer

from deskpay.cli.context import cli_desk, handle_errors, lang, print_json
from deskpay.domain.i18n import text

app = typer.Typer(name="sandbox", help="The built-in offline checkout (no real money).", no_args_is_help=True)


@app.command("pay")
@handle_errors
def pay(
    link_id: int = typer.Argument(..., help="The sandbox link to pay, as a customer would with the test card."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Pay a sandbox link with the test card; paying it again changes nothing."""
    from deskpay.domain.money import Money  # this command's own services: the others are not loaded
    from deskpay.services.providers.sandbox_checkout import (
        pay_sandbox_link,  # this command's own services: the others are not loaded
    )

    with cli_desk() as cli:
        result = cli.run(pay_sandbox_link(cli.desk, link_id, source="cli"))
    if as_json:
        print_json(
            {
                "link_id": link_id,
                "payment_id": result.payment_id,
                "created": result.created,
                "booking_reference": result.booking_reference,
                "fully_paid": result.fully_paid,
                "overpaid": result.overpaid.to_json(),
                "closed_links": [link_id for link_id, _, _ in result.closed_links],
            }
        )
        return
    lng = lang()
    if not result.created:
        typer.echo(
            text(
                "cli.sandbox.already_paid",
                lng,
                id=link_id,
                reference=result.booking_reference,
                payment=result.payment_id,
            )
        )
        return
    state = text("cli.sandbox.fully_paid", lng) if result.fully_paid else ""
    typer.echo(text("cli.sandbox.paid", lng, id=link_id, reference=result.booking_reference, state=state).rstrip())
    if result.overpaid > Money.zero(result.overpaid.currency):
        typer.echo(text("cli.sandbox.overpaid", lng, amount=result.overpaid))
