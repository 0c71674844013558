"""``deskpay refund | payments | activities | operators``: manager corrections and set-up."""

from __future__ import annotations

from typing import Optional

import typer

from deskpay.cli.common import MAX_ID, desk_session, handle_errors, lang, print_json
from deskpay.domain.errors import InvalidInput

payments_app = typer.Typer(no_args_is_help=True)
activities_app = typer.Typer(no_args_is_help=True)
operators_app = typer.Typer(no_args_is_help=True)

@handle_errors
def refund(reference: str = typer.Argument(...), amount: str = typer.Option(..., "--amount"),
           method: str = typer.Option(..., "--method", help="How the money went back: card, cash, transfer, voucher, online."),
           note: str = typer.Option("", "--note"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Record a refund (managers only)."""
    from deskpay.services.adjustments import record_refund

    with desk_session() as desk:
        payment = record_refund(desk, reference, amount, method, note=note)
        if as_json:
            print_json({"refund": payment.to_json()})
        else:
            typer.echo(f"-{payment.amount.format(lang())} {method} — #{payment.id}")


@payments_app.command("delete")
@handle_errors
def payments_delete(payment_id: int = typer.Argument(..., min=1, max=MAX_ID), reason: str = typer.Option("", "--reason")) -> None:
    """Delete a desk payment recorded by mistake (managers only; the audit log keeps it)."""
    from deskpay.services.adjustments import delete_payment

    with desk_session() as desk:
        payment = delete_payment(desk, payment_id, reason=reason)
        typer.echo(f"#{payment.id} {payment.amount.format(lang())} deleted")


@activities_app.command("list")
@handle_errors
def activities_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Activities with their price and payment terms."""
    from deskpay.domain.money import Money
    from deskpay.services.confirmation import terms_for
    from deskpay.services.queries import list_activities

    with desk_session() as desk:
        rows = []
        for activity in list_activities(desk):
            terms = terms_for(desk, activity)
            rows.append({"name": activity.name, "unit_price": activity.unit_price_minor, "currency": activity.currency,
                         "max_participants": activity.max_participants,
                         "payment_terms": terms.to_mapping(activity.currency), "own_terms": bool(activity.terms_kind)})
        if as_json:
            print_json({"activities": rows})
            return
        for row in rows:
            typer.echo(f"{Money(row['unit_price'], row['currency']).format(lang()):>10}  {row['name']}  {row['payment_terms']}")


@activities_app.command("terms")
@handle_errors
def activities_terms(name: str = typer.Argument(...), full: bool = typer.Option(False, "--full"),
                     percent: Optional[int] = typer.Option(None, "--deposit-percent"),
                     fixed: Optional[str] = typer.Option(None, "--deposit-fixed"),
                     default: bool = typer.Option(False, "--default", help="Use the business's terms.")) -> None:
    """Change an activity's payment terms (managers only)."""
    from deskpay.domain.terms import PaymentTerms

    if sum([full, percent is not None, fixed is not None, default]) != 1:
        raise InvalidInput("cli.terms_args")
    from deskpay.services.adjustments import set_activity_terms

    with desk_session() as desk:
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


@operators_app.command("list")
@handle_errors
def operators_list(as_json: bool = typer.Option(False, "--json")) -> None:
    from deskpay.services.operators import current_operator, list_operators

    with desk_session() as desk:
        rows = list_operators(desk)
        me = current_operator(desk)
        if as_json:
            print_json({"operators": [{"name": o.name, "email": o.email, "role": o.role} for o in rows],
                        "current": {"name": me.name, "role": me.role, "registered": me.registered}})
            return
        for o in rows:
            typer.echo(f"{o.name:<20} {o.role:<8} {o.email or ''}")
        typer.echo(f"→ {me.name} ({me.role})")


@operators_app.command("add")
@handle_errors
def operators_add(name: str = typer.Argument(...), role: str = typer.Option("staff", "--role"),
                  email: Optional[str] = typer.Option(None, "--email")) -> None:
    """Add or change an operator (managers only; the first one must be a manager)."""
    from deskpay.services.operators import save_operator

    with desk_session() as desk:
        saved = save_operator(desk, name, role, email)
        typer.echo(f"{saved.name} {saved.role}")
