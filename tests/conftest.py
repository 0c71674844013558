"""Shared fixtures: a desk on a temporary database, a clock the test controls, bookings made in one line.

Kept small and generic on purpose; a test module's own helpers stay in that module.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from deskpay.config import Settings
from deskpay.services.desk import Desk, open_desk

# Property tests are deterministic (same examples every run, no example database);
# HYPOTHESIS_PROFILE=explore searches at random, for a developer hunting bugs.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

#: Mid-season Wednesday morning, 10:00 in Paris: every test starts at the same moment.
FROZEN_NOW = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)

_SETTINGS_FIELDS = {name.upper() for name in Settings.model_fields}


class Clock:
    """A clock that only moves when the test says so: ``clock()`` is now, ``clock.advance(...)`` moves it."""

    def __init__(self, start: datetime = FROZEN_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now


def _isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("DESKPAY_CONFIG_FILE", str(home / "config.toml"))
    monkeypatch.setenv("DESKPAY_SECRETS_FILE", str(home / "secrets.toml"))
    for name in list(os.environ):
        upper = name.upper()
        if upper.removeprefix("DESKPAY_") in _SETTINGS_FIELDS or upper.startswith("STRIPE_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch) -> None:
    """No developer's config, secrets or DESKPAY_* variables leak into a test."""
    _isolate(monkeypatch, tmp_path_factory.mktemp("config"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _postgres_database(base_url: str) -> Iterator[str]:
    """A database of its own for this test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"deskpay_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_server() -> str:
    """The server named by DESKPAY_TEST_DATABASE_URL; without it skip, except on CI (CI=true) where it fails."""
    base = os.environ.get("DESKPAY_TEST_DATABASE_URL")
    if not base:
        reason = "DESKPAY_TEST_DATABASE_URL is not set: no PostgreSQL server to test against"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (required when CI=true)")
        pytest.skip(reason)
    return base


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'deskpay.sqlite3'}"
        return
    yield from _postgres_database(_postgres_server())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches the desk's database runs on SQLite and on PostgreSQL.

    ``@pytest.mark.sqlite_only(reason)`` keeps a test on SQLite, for what only
    SQLite has (its file, its locking) or a browser run that proves nothing more twice.
    """
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else BACKENDS)


class _SharedPostgres:
    """One migrated PostgreSQL database for the run, emptied before each test that uses it.

    Creating and migrating a database costs ~0.4 s; truncating its tables ~20 ms.
    """

    def __init__(self, base_url: str) -> None:
        self._databases = _postgres_database(base_url)
        self.url = next(self._databases)
        from sqlalchemy import create_engine

        from deskpay.store.engine import make_engine
        from deskpay.store.migrate import upgrade

        migrated = make_engine(self.url)
        upgrade(migrated)
        migrated.dispose()
        self._admin = create_engine(self.url, pool_pre_ping=True)

    def reset(self) -> str:
        from sqlalchemy import text
        from sqlmodel import SQLModel

        tables = ", ".join(f'"{name}"' for name in SQLModel.metadata.tables)
        with self._admin.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            conn.execute(text("INSERT INTO counter (name, value) VALUES ('revision', 0)"))
        return self.url

    def close(self) -> None:
        self._admin.dispose()
        self._databases.close()


@pytest.fixture(scope="session")
def shared_postgres() -> Iterator[_SharedPostgres]:
    shared = _SharedPostgres(_postgres_server())
    try:
        yield shared
    finally:
        shared.close()


def make_settings(folder: Path, database_url: str | None = None) -> Settings:
    """The business as the tests know it: EUR, French, Paris, 30 % deposit, sandbox provider."""
    return Settings(
        data_dir=folder / "data",
        database_url=database_url or f"sqlite:///{folder / 'desk.sqlite3'}",
        business_name="Test Canoës",
        operator="alice",
        provider="sandbox",
        sandbox_public_url="http://127.0.0.1:8765",
    )


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """One SQLite file migrated to head per run; each desk starts from a copy (migrating costs ~0.1 s)."""
    from deskpay.store.engine import make_engine
    from deskpay.store.migrate import upgrade

    path = tmp_path_factory.mktemp("migrated") / "desk.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _migrated_database(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        path = folder / "desk.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("shared_postgres").reset()


@pytest.fixture
def database_url(backend, tmp_path, request) -> str:
    """A migrated, empty database for this test: a copy of a SQLite file, or the shared PostgreSQL one emptied."""
    return _migrated_database(backend, tmp_path, request)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def desk(settings, clock) -> Iterator[Desk]:
    """A migrated desk on the test's database (SQLite, then PostgreSQL), with the controllable clock."""
    desk = open_desk(settings, operator="alice", clock=clock)
    try:
        yield desk
    finally:
        desk.close()


@pytest.fixture(scope="module", params=BACKENDS)
def module_desk(request, tmp_path_factory) -> Iterator[Desk]:
    """One desk for a whole module, for read-only tests over data built once (clock frozen at FROZEN_NOW).

    On PostgreSQL it has a database of its own, since other tests empty the shared one.
    """
    folder = tmp_path_factory.mktemp("module_desk")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = _migrated_database("sqlite", folder, request)
        else:
            url = stack.enter_context(contextlib.contextmanager(_postgres_database)(_postgres_server()))
        with pytest.MonkeyPatch.context() as monkeypatch:
            _isolate(monkeypatch, folder)
            settings = make_settings(folder, url)
        desk = open_desk(settings, operator="alice", clock=Clock())
        stack.callback(desk.close)
        yield desk


def add_activity(
    desk: Desk,
    name: str = "Canoë 7 km",
    *,
    price: int = 2_000,
    max_participants: int = 10,
    terms_kind: str | None = None,
    terms_percent: int = 0,
    terms_fixed_minor: int = 0,
    currency: str = "EUR",
) -> int:
    """Insert an activity (price in minor units per participant) and return its id."""
    from deskpay.store.models import Activity

    with desk.write() as session:
        activity = Activity(
            name=name,
            unit_price_minor=price,
            currency=currency,
            max_participants=max_participants,
            terms_kind=terms_kind,
            terms_percent=terms_percent,
            terms_fixed_minor=terms_fixed_minor,
        )
        session.add(activity)
        session.flush()
        return activity.id


def add_booking(
    desk: Desk,
    activity: str | int = "Canoë 7 km",
    *,
    participants: int = 2,
    name: str = "Élodie Martin",
    email: str | None = "elodie@example.com",
    phone: str | None = "+33 6 12 34 56 78",
    language: str = "fr",
    start: datetime | None = None,
    total: str | None = None,
):
    """Create a booking through the service (so it is as real as the desk's) and return its BookingDetail."""
    from deskpay.services.bookings.create import NewBooking, create_booking
    from deskpay.services.bookings.customers import NewCustomer

    return create_booking(
        desk,
        NewBooking(
            activity=activity,
            start=start or desk.now() + timedelta(days=3),
            participants=participants,
            customer=NewCustomer(name=name, email=email, phone=phone, language=language),
            total=total,
        ),
    )


def db_state(desk: Desk) -> dict[str, list[tuple]]:
    """Every row of every table (the revision counter included), to prove a refusal changed nothing."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    with desk.read() as session:
        return {
            name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
            for name, table in sorted(SQLModel.metadata.tables.items())
        }


@contextmanager
def unchanged(desk: Desk) -> Iterator[None]:
    """``with unchanged(desk), pytest.raises(...):`` — the refusal must leave every table as it was."""
    before = db_state(desk)
    yield
    assert db_state(desk) == before
