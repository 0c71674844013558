"""Running the deskpay CLI in tests: helpers to run it and to compare states (fixtures in tests/cli/conftest.py)."""

from __future__ import annotations

import functools
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from deskpay.cli.main import app
from deskpay.config import load_settings
from deskpay.store.engine import make_engine, read_session
from deskpay.store.models import (
    AuditEvent,
    Booking,
    Counter,
    Customer,
    EmailMessage,
    Payment,
    PaymentLink,
)

runner = CliRunner()


def run(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, f"{args}: {result.output}"
    return result


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json").stdout)


@functools.lru_cache(maxsize=8)
def _engine(url: str):
    return make_engine(url)


def snapshot() -> dict[str, int]:
    """Row counts and money sums of every table: what 'nothing changed' means."""
    with read_session(_engine(load_settings().resolved_database_url())) as s:
        counts = {
            m.__name__: s.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Booking, Customer, Payment, PaymentLink, EmailMessage, AuditEvent)
        }
        counts["paid"] = s.execute(select(func.coalesce(func.sum(Payment.amount_minor), 0))).scalar_one()
        counts["revision"] = s.get(Counter, "revision").value
        return counts


def unpaid_booking(minimum: int = 5_000) -> str:
    """A booking with no open link and at least ``minimum`` cents to pay, found with one query."""
    with read_session(_engine(load_settings().resolved_database_url())) as s:
        reference = s.execute(
            select(Booking.reference)
            .where(
                Booking.status == "confirmed",
                Booking.pending_minor == 0,
                Booking.total_minor - Booking.paid_minor >= minimum,
            )
            .order_by(Booking.id)
            .limit(1)
        ).scalar_one_or_none()
    assert reference is not None, "the demo has no suitable unpaid booking"
    return reference


def unpaid_reference(minimum: int = 5_000) -> str:
    """A booking with no open link and a balance of at least ``minimum`` cents."""
    for row in run_json("bookings", "list", "--unpaid", "--limit", "500")["bookings"]:
        if row["badge"] in ("unpaid", "link_expired", "deposit_paid") and row["balance"] >= minimum:
            return row["reference"]
    raise AssertionError("the demo has no suitable unpaid booking")
