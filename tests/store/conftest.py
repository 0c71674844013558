"""The store tests' fixtures: a migrated engine on each database, a booking row in it, a server to restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from deskpay.store.engine import make_engine, write_session
from deskpay.store.migrate import upgrade
from deskpay.store.models import Activity, Customer
from tests.support.databases import postgres_database
from tests.support.store import T0, booking_row


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def booking_id(engine) -> int:
    with write_session(engine) as session:
        activity = Activity(name="Canoë", unit_price_minor=2_000, currency="EUR")
        customer = Customer(name="Élodie", email="e@example.com", created_at=T0)
        session.add_all([activity, customer])
        session.flush()
        booking = booking_row(activity.id, customer.id)
        session.add(booking)
        session.flush()
        return booking.id


def _cluster() -> list[str] | None:
    """The command restarting the local cluster, or None where there is none to restart."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"] if versions else None


@pytest.fixture()
def restartable_url():
    """A database of its own on this machine's PostgreSQL, and the command that restarts that server."""
    base = os.environ.get("DESKPAY_TEST_DATABASE_URL")
    command = _cluster()
    reason = (
        "DESKPAY_TEST_DATABASE_URL is not set"
        if not base
        else "no local PostgreSQL cluster to restart (pg_ctlcluster)"
        if command is None
        else "DESKPAY_TEST_DATABASE_URL is not this machine's server"
        if "127.0.0.1" not in base and "localhost" not in base
        else None
    )
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (required when CI=true)")
        pytest.skip(reason)
    yield from ((url, command) for url in postgres_database(base))
