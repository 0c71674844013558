"""The store on real databases: migrations from empty, engine settings, UTC times, constraints and indexes.

Each test that takes ``db_url`` runs on a SQLite file and, when DESKPAY_TEST_DATABASE_URL names a
server, on a fresh PostgreSQL database too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel

from deskpay.store.engine import make_engine, read_session, write_session
from deskpay.store.migrate import HEAD, current_revision, head_revision, upgrade
from deskpay.store.models import Booking, Counter, Customer, Payment
from tests.support.store import T0, booking_row

TABLES = {
    "activity",
    "auditevent",
    "booking",
    "counter",
    "customer",
    "emailmessage",
    "operator",
    "payment",
    "paymentlink",
    "providerevent",
    "alembic_version",
}


def test_migrates_an_empty_database_to_head(db_url):
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert head_revision() == HEAD == "0002"
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == TABLES
        with read_session(engine) as session:
            assert session.execute(select(Counter.name, Counter.value)).all() == [("revision", 0)]
        upgrade(engine)  # at head: a no-op, nothing duplicated
        with read_session(engine) as session:
            assert session.execute(select(Counter.name, Counter.value)).all() == [("revision", 0)]
    finally:
        engine.dispose()


def test_migration_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


@pytest.mark.parametrize("name", ["booking", "activity", "customer", "counter"])
def test_the_lists_core_tables_name_real_columns_of_the_same_kind(name):
    """``store.tables`` reads without the ORM: every column it names is one of the models', of the same SQL type
    and, where the models convert values (UTC times), with the same conversion."""
    import re

    from sqlalchemy.dialects import sqlite
    from sqlalchemy.types import TypeDecorator

    import deskpay.store.tables as tables

    def sql_type(column) -> str:
        return re.sub(r"\(.*\)", "", column.type.compile(dialect=sqlite.dialect()))

    light = getattr(tables, name)
    schema = SQLModel.metadata.tables[name]
    assert light.name == schema.name
    for column in light.columns:
        assert column.name in schema.c, f"{name}.{column.name} is not a column of the models"
        model_column = schema.c[column.name]
        assert sql_type(column) == sql_type(model_column), f"{name}.{column.name}"
        if isinstance(model_column.type, TypeDecorator) and type(model_column.type).__module__.startswith("deskpay"):
            assert type(column.type) is type(model_column.type), f"{name}.{column.name} converts differently"


def test_the_lists_core_tables_read_what_the_orm_wrote(engine, booking_id):
    """Same rows, same values, UTC times aware: the two views of the table agree on a real database."""
    from deskpay.store.tables import booking

    with engine.connect() as conn:
        row = conn.execute(select(booking).where(booking.c.id == booking_id)).one()
    with read_session(engine) as session:
        model = session.get(Booking, booking_id)
    assert {key: getattr(model, key) for key in row._mapping} == dict(row._mapping)
    assert row.start_at == T0 and row.start_at.tzinfo is not None


def test_the_polling_index_is_partial_on_every_database(engine):
    """The model names only SQLite's clause (see PaymentLink); the migration makes it partial on both."""
    query = (
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_paymentlink_next_check'"
        if engine.dialect.name == "postgresql"
        else "SELECT sql FROM sqlite_master WHERE name = 'ix_paymentlink_next_check'"
    )
    with engine.connect() as conn:
        definition = conn.exec_driver_sql(query).scalar_one()
    assert "next_check_at IS NOT NULL" in definition.replace("(", "").replace(")", "")


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'desk.sqlite3'}")  # parent folder created on demand
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError):
        with write_session(engine) as session:
            session.add(booking_row(activity_id=999, customer_id=999))


def test_utc_datetimes_come_back_aware_and_equal(engine, booking_id):
    paris = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("Europe/Paris"))  # 22:30 UTC
    with write_session(engine) as session:
        session.get(Booking, booking_id).start_at = paris
    with read_session(engine) as session:
        stored = session.get(Booking, booking_id).start_at
    assert stored == paris
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 12, 31, 22, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused(engine, booking_id):
    with pytest.raises(StatementError, match="naive datetime"):
        with write_session(engine) as session:
            session.get(Booking, booking_id).start_at = datetime(2026, 7, 1, 10, 0)
    with read_session(engine) as session:
        assert session.get(Booking, booking_id).start_at == T0  # rolled back


def test_a_provider_payment_reference_is_stored_once(engine, booking_id):
    row = {
        "booking_id": booking_id,
        "amount_minor": 1_000,
        "currency": "EUR",
        "kind": "payment",
        "method": "online",
        "provider_reference": "pi_123",
        "operator": "system",
        "note": "",
        "created_at": T0,
    }
    with write_session(engine) as session:
        session.execute(insert(Payment.__table__), [row])
    with pytest.raises(IntegrityError):
        with write_session(engine) as session:
            session.execute(insert(Payment.__table__), [dict(row, amount_minor=2_000)])
    with read_session(engine) as session:
        payments = session.execute(select(Payment.amount_minor, Payment.provider_reference)).all()
    assert payments == [(1_000, "pi_123")]


def test_desk_payments_without_reference_may_repeat(engine, booking_id):
    row = {
        "booking_id": booking_id,
        "amount_minor": 1_000,
        "currency": "EUR",
        "kind": "payment",
        "method": "cash",
        "provider_reference": None,
        "operator": "alice",
        "note": "",
        "created_at": T0,
    }
    with write_session(engine) as session:
        session.execute(insert(Payment.__table__), [row, row])
    with read_session(engine) as session:
        assert len(session.execute(select(Payment.id)).all()) == 2


def test_booking_reference_is_unique(engine, booking_id):
    with read_session(engine) as session:
        booking = session.get(Booking, booking_id)
    with pytest.raises(IntegrityError):
        with write_session(engine) as session:
            session.add(booking_row(booking.activity_id, booking.customer_id))


def _indexed_columns(engine, table: str) -> set[tuple[str, ...]]:
    inspector = inspect(engine)
    columns = {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}
    columns |= {tuple(uc["column_names"]) for uc in inspector.get_unique_constraints(table)}
    return columns


INDEXED = [
    ("booking", ("reference",)),
    ("booking", ("start_at", "id")),
    ("booking", ("revision",)),
    ("booking", ("badge",)),
    ("customer", ("name",)),
    ("customer", ("email",)),
    ("customer", ("phone",)),
    ("payment", ("provider_reference",)),
    ("paymentlink", ("status", "expires_at")),
    ("paymentlink", ("provider_id",)),
    ("paymentlink", ("token",)),
    ("emailmessage", ("status", "next_attempt_at")),
]


def test_lookups_have_indexes(engine):
    missing = [(table, columns) for table, columns in INDEXED if columns not in _indexed_columns(engine, table)]
    assert missing == []


def test_write_session_rolls_back_everything_on_error(engine, booking_id):
    with pytest.raises(RuntimeError):
        with write_session(engine) as session:
            session.get(Booking, booking_id).participants = 9
            session.add(Customer(name="Ghost", created_at=T0))
            session.flush()
            raise RuntimeError("boom")
    with read_session(engine) as session:
        assert session.get(Booking, booking_id).participants == 2
        assert session.execute(select(Customer.name)).scalars().all() == ["Élodie"]


def test_sqlite_write_transactions_are_immediate(tmp_path):
    """A second writer waits instead of failing half-way: BEGIN IMMEDIATE takes the lock at once."""
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    try:
        upgrade(engine)
        statements: list[str] = []
        from sqlalchemy import event

        event.listen(
            engine, "before_cursor_execute", lambda conn, cursor, statement, *args: statements.append(statement)
        )
        with write_session(engine) as session:
            session.execute(text("SELECT 1"))
        with read_session(engine) as session:
            session.execute(text("SELECT 1"))
        assert "BEGIN IMMEDIATE" in statements
        assert statements.count("BEGIN") == 1
    finally:
        engine.dispose()


async def test_services_record_a_provider_payment_once_on_every_database(db_url, tmp_path):
    """The same report twice through the service: one payment, on SQLite and on PostgreSQL (row locks)."""
    from deskpay.domain.money import Money
    from deskpay.services.bookings.sheet import booking_detail
    from deskpay.services.desk import open_desk
    from deskpay.services.money.collect import collect_online
    from deskpay.services.settlement import record_provider_payment
    from tests.support.clock import Clock
    from tests.support.desk import add_activity, add_booking, make_settings

    settings = make_settings(tmp_path)
    settings.database_url = db_url
    desk = open_desk(settings, operator="alice", clock=Clock())
    try:
        add_activity(desk, price=2_500)
        booking = add_booking(desk, participants=4)
        link = (await collect_online(desk, booking.reference, "40")).links[0]
        results = [
            record_provider_payment(
                desk, provider="sandbox", payment_reference="pi_once", amount=Money(4_000, "EUR"), link_id=link.id
            )
            for _ in range(3)
        ]
        assert [r.created for r in results] == [True, False, False]
        assert len({r.payment_id for r in results}) == 1
        detail = booking_detail(desk, booking.reference)
        assert [p.amount.minor for p in detail.payments] == [4_000]
        assert (detail.amounts.paid.minor, detail.amounts.pending.minor) == (4_000, 0)
    finally:
        desk.close()
