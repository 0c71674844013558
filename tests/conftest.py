"""The fixtures every test can use: a desk on a temporary database, the clock, settings kept out of the developer's.

Where fixtures live: here the generic ones; the Stripe double's in
``tests/support/stripe_desk.py`` (registered below); each area's own in the
``conftest.py`` of its folder (``tests/tui/``, ``tests/web/``, ``tests/cli/``,
``tests/services/``...). Test modules never define or import fixtures; they
import plain helpers from ``tests/support/`` (``add_booking``, ``settle``...).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from deskpay.config import Settings
from deskpay.services.desk import Desk, open_desk
from tests.support.clock import Clock
from tests.support.databases import BACKENDS, SharedPostgres, postgres_database, postgres_server
from tests.support.desk import isolate, make_settings

pytest_plugins = ["tests.support.stripe_desk"]

# Property tests are deterministic (same examples every run, no example database);
# HYPOTHESIS_PROFILE=explore searches at random, for a developer hunting bugs.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch) -> None:
    """No developer's config, secrets or DESKPAY_* variables leak into a test."""
    isolate(monkeypatch, tmp_path_factory.mktemp("config"))


@pytest.fixture
def clock() -> Clock:
    """The desk's clock, at :data:`~tests.support.clock.FROZEN_NOW` until the test moves it."""
    return Clock()


@pytest.fixture
def wall_clock() -> Clock:
    """A clock at the real time, moving only when the test moves it (Stripe and the checkout page use real time)."""
    return Clock.at_wall_time()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'deskpay.sqlite3'}"
        return
    yield from postgres_database(postgres_server())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches the desk's database runs on SQLite and on PostgreSQL.

    ``@pytest.mark.sqlite_only(reason)`` keeps a test on SQLite, for what only
    SQLite has (its file, its locking) or a browser run that proves nothing more twice.
    """
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else BACKENDS)


@pytest.fixture(scope="session")
def shared_postgres() -> Iterator[SharedPostgres]:
    shared = SharedPostgres(postgres_server())
    try:
        yield shared
    finally:
        shared.close()


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
            url = stack.enter_context(contextlib.contextmanager(postgres_database)(postgres_server()))
        with pytest.MonkeyPatch.context() as monkeypatch:
            isolate(monkeypatch, folder)
            settings = make_settings(folder, url)
        desk = open_desk(settings, operator="alice", clock=Clock())
        stack.callback(desk.close)
        yield desk
