"""Engines and sessions.

SQLite: WAL, foreign keys, a busy timeout, and write transactions that start
with ``BEGIN IMMEDIATE`` so the check-then-insert of money rules is serialised
across processes. PostgreSQL: a pool with pre-ping (a restarted server is
survived); write transactions lock the booking row (``FOR UPDATE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 15_000
RowT = TypeVar("RowT")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_recycle=1800)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get("deskpay_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


# Sessions import the ORM when first used: the reservations list reads on Core alone
# (``services.bookings.listing``), so a desk paints its first page before the ORM is loaded.


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    from sqlmodel import Session  # the ORM at first use: a desk's first list reads on Core

    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A transaction that commits on success and rolls back on any error."""
    from sqlmodel import Session  # the ORM at first use: a desk's first list reads on Core

    with Session(engine.execution_options(deskpay_write=True), expire_on_commit=False) as session:
        with session.begin():
            yield session


def catch_up_id_sequences(session: Session, *tables: str) -> None:
    """After rows were inserted with explicit ids, let the database's own ids continue after them.

    SQLite hands out max(id) + 1 by itself; PostgreSQL's sequences know nothing
    of ids they did not give, so the next plain insert would collide.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    from sqlalchemy import text  # the ORM at first use: a desk's first list reads on Core

    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )
        )


def must_get(session: Session, model: type[RowT], ident: object) -> RowT:
    """The row a foreign key guarantees: its absence is a broken database, never an operator's mistake."""
    row = session.get(model, ident)
    if row is None:
        raise LookupError(f"{model.__name__} #{ident} is missing: the database is inconsistent")
    return row
