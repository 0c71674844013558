"""What the TUI tests share: a desk on a temporary SQLite copy of a small seeded demo, at a frozen moment.

* ``tui_desk``: a migrated desk (French) holding the demo business and
  :data:`DEMO_BOOKINGS` bookings generated around :data:`TUI_NOW`; its clock
  is a :class:`TuiClock` (``tui_clock``) and wall-clock time is frozen at the
  same instant with time-machine.
* ``make_app(desk)``: the app as the CLI builds it, without the background
  worker (no HTTP server, no jobs) — tests drive it with ``run_test()``.
* ``settle(pilot)`` / ``until(pilot, predicate)``: wait for thread workers and
  the messages they post.

The demo is generated once per session and copied for each test.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from deskpay.config import Settings
from deskpay.services.demo import load_demo
from deskpay.services.demo_business import business_overrides
from deskpay.services.desk import Desk, open_desk

#: Wednesday 1 July 2026, 10:00 in Paris: mid-season, bookings on both sides.
TUI_NOW = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
DEMO_BOOKINGS = 300
DEMO_SEED = 2026
BASE_URL = "http://127.0.0.1:8765"
DB_NAME = "deskpay.sqlite3"


class TuiClock:
    """``desk.now()``: frozen unless a test moves it."""

    def __init__(self, start: datetime = TUI_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def tui_settings(data_dir: Path, *, lang: str = "fr", **overrides) -> Settings:
    """The demo business's settings on ``data_dir``; no embedded worker."""
    values = {
        **business_overrides(),
        "locale": lang,
        "data_dir": data_dir,
        "embedded_worker": False,
        "sandbox_public_url": BASE_URL,
        "operator": "marie",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A data dir holding the seeded demo database, made once per test session."""
    data_dir = tmp_path_factory.mktemp("tui-demo")
    with time_machine.travel(TUI_NOW, tick=False):
        desk = open_desk(tui_settings(data_dir), operator="demo", clock=TuiClock())
        try:
            load_demo(desk, bookings=DEMO_BOOKINGS, seed=DEMO_SEED)
        finally:
            desk.close()
    return data_dir


def copy_demo(template: Path, data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = template / f"{DB_NAME}{suffix}"
        if source.exists():
            shutil.copy2(source, data_dir / source.name)
    return data_dir


@pytest.fixture
def frozen_time() -> Iterator[None]:
    """Wall-clock time frozen at :data:`TUI_NOW` (asyncio and Textual timers run on the monotonic clock)."""
    with time_machine.travel(TUI_NOW, tick=False):
        yield


@pytest.fixture
def tui_clock() -> TuiClock:
    return TuiClock()


@pytest.fixture
def tui_data_dir(tmp_path, demo_template) -> Path:
    return copy_demo(demo_template, tmp_path / "data")


@pytest.fixture
def tui_desk(tui_data_dir, tui_clock, frozen_time) -> Iterator[Desk]:
    """A French desk on a private copy of the demo database, operator ``marie``, clock frozen."""
    desk = open_desk(tui_settings(tui_data_dir), operator="marie", clock=tui_clock)
    try:
        yield desk
    finally:
        desk.close()


@pytest.fixture
def tui_desk_en(tui_data_dir, tui_clock, frozen_time) -> Iterator[Desk]:
    """The same desk, in English."""
    desk = open_desk(tui_settings(tui_data_dir, lang="en"), operator="marie", clock=tui_clock)
    try:
        yield desk
    finally:
        desk.close()


@pytest.fixture
def other_desk(tui_desk) -> Iterator[Desk]:
    """A second desk on the same database, as another process would be (its own engine)."""
    desk = open_desk(tui_desk.settings, operator="paul", clock=tui_desk.clock)
    try:
        yield desk
    finally:
        desk.close()


def make_app(desk: Desk, **kwargs):
    """The app for ``desk``, as ``run_tui`` makes it but without the background worker."""
    from deskpay.tui.app import DeskpayApp

    kwargs.setdefault("start_worker", False)
    return DeskpayApp(desk, **kwargs)


async def settle(pilot, rounds: int = 3) -> None:
    """Let thread workers finish and their messages be handled."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, predicate: Callable[[], bool], timeout: float = 4.0, step: float = 0.05) -> None:
    """Wait until ``predicate()`` holds (live updates, polls); fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(step)
