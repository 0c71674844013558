"""``deskpay activities list | terms``: prices and payment terms (changing terms is for managers)."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.context import cli_desk, handle_errors, lang, print_json
from deskpay.domain.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)


@app.command("list")
@handle_errors
def activities_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Activities with their price and payment terms."""
    from deskpay.domain.money import Money  # this command's own services: the others are not loaded
    from deskpay.services.bookings.activities import (  # this command's own services: the others are not loaded
        list_activities,
        terms_for,
    )

    with cli_desk() as cli:
        desk = cli.desk
        rows = []
        for activity in list_activities(desk):
            terms = terms_for(desk, activity)
            rows.append(
                {
                    "name": activity.name,
                    "unit_price": activity.unit_price_minor,
                    "currency": activity.currency,
                    "max_participants": activity.max_participants,
                    "payment_terms": terms.to_mapping(activity.currency),
                    "own_terms": bool(activity.terms_kind),
                }
            )
        if as_json:
            print_json({"activities": rows})
            return
        for row in rows:
            price = Money(int(str(row["unit_price"])), str(row["currency"])).format(lang())
            typer.echo(f"{price:>10}  {row['name']}  {row['payment_terms']}")


@app.command("terms")
@handle_errors
def activities_terms(
    name: str = typer.Argument(...),
    full: bool = typer.Option(False, "--full"),
    percent: Optional[int] = typer.Option(None, "--deposit-percent"),
    fixed: Optional[str] = typer.Option(None, "--deposit-fixed"),
    default: bool = typer.Option(False, "--default", help="Use the business's terms."),
) -> None:
    """Change an activity's payment terms (managers only)."""
    from deskpay.domain.terms import PaymentTerms  # this command's own services: the others are not loaded

    if sum([full, percent is not None, fixed is not None, default]) != 1:
        raise InvalidInput("cli.terms_args")
    from deskpay.services.bookings.activities import (
        set_activity_terms,  # this command's own services: the others are not loaded
    )

    with cli_desk() as cli:
        desk = cli.desk
        if default:
            terms = None
        elif full:
            terms = PaymentTerms("full")
        elif percent is not None:
            terms = PaymentTerms("deposit_percent", percent=percent)
        else:
            terms = PaymentTerms.from_mapping({"kind": "deposit_fixed", "amount": fixed}, desk.currency)
        set_activity_terms(desk, name, terms)
        typer.echo(f"{name}: {terms.to_mapping(desk.currency) if terms else 'default'}")
