"""Who is at the desk and what they may do: managers and staff.

The operator's name comes from ``--operator``, the config, or the OS user.
A shop that has registered no operator yet is a one-person shop: everyone is
a manager until the first operator is added. After that, an unregistered
name is staff.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import col

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.i18n import Msg
from deskpay.domain.operators import Role
from deskpay.domain.text import clean_line
from deskpay.services.audit import audit
from deskpay.services.desk import Desk
from deskpay.services.emails.mime import validate_address
from deskpay.store.models import Operator


@dataclass(frozen=True, slots=True)
class OperatorView:
    name: str
    email: str | None
    role: str
    registered: bool


def current_operator(desk: Desk) -> OperatorView:
    with desk.read() as session:
        row = session.execute(select(Operator).where(col(Operator.name) == desk.operator)).scalar_one_or_none()
        if row is not None:
            return OperatorView(row.name, row.email, row.role, True)
        anyone = session.execute(select(func.count()).select_from(Operator)).scalar_one() > 0
    return OperatorView(desk.operator, None, Role.STAFF if anyone else Role.MANAGER, False)


def require_manager(desk: Desk, action: str) -> OperatorView:
    operator = current_operator(desk)
    if operator.role != Role.MANAGER:
        raise Refused("role.manager_only", action=Msg(f"action.{action.replace(' ', '_')}"), operator=operator.name)
    return operator


def check_not_own_email(desk: Desk, recipient: str | None) -> None:
    """Like TrekkSoft: a payment link is not sent to the operator's own address."""
    if not recipient:
        return
    operator = current_operator(desk)
    if operator.email and operator.email.casefold() == recipient.strip().casefold():
        raise Refused("operator.own_email", email=recipient.strip(), operator=operator.name)


def list_operators(desk: Desk) -> list[OperatorView]:
    with desk.read() as session:
        return [
            OperatorView(o.name, o.email, o.role, True)
            for o in session.execute(select(Operator).order_by(col(Operator.name))).scalars()
        ]


def save_operator(desk: Desk, name: str, role: str, email: str | None = None) -> OperatorView:
    """Add or change an operator; managers only (or anyone, to register the very first, a manager)."""

    if role not in tuple(Role):
        raise InvalidInput("role.unknown")
    clean_name = clean_line(name, "Name", max_len=120, required=True)
    address = validate_address(email) if email and email.strip() else None
    with desk.read() as session:
        first = session.execute(select(func.count()).select_from(Operator)).scalar_one() == 0
    if first and role != Role.MANAGER:
        raise Refused("role.first_is_manager")
    if not first:
        require_manager(desk, "manage operators")
    now = desk.now()
    with desk.write() as session:
        row = session.execute(select(Operator).where(col(Operator.name) == clean_name)).scalar_one_or_none()
        if row is None:
            row = Operator(name=clean_name, created_at=now)
        row.role, row.email = role, address
        session.add(row)
        audit(
            session, operator=desk.operator, action="operator.save", now=now, name=clean_name, role=role, email=address
        )
    return OperatorView(clean_name, address, role, True)
