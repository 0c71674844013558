"""The TUI tests' desks (helpers in ``tests/support/tui.py``).

* ``tui_desk`` / ``tui_desk_en``: a desk on a private copy of the seeded demo
  (generated once per session: ``demo_template``), the desk's ``clock`` and
  wall-clock time (``frozen_time``) frozen at FROZEN_NOW; ``other_desk`` is a
  second desk on the same database, as another process would be.
* ``modal_desk``: an empty desk with two activities, for one screen in a host app.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from deskpay.services.demo import load_demo
from deskpay.services.desk import Desk, open_desk
from tests.support.clock import FROZEN_NOW, Clock
from tests.support.tui import DEMO_BOOKINGS, DEMO_SEED, copy_demo, make_modal_desk, seed_activities, tui_settings


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A data dir holding the seeded demo database, made once per test session."""
    data_dir = tmp_path_factory.mktemp("tui-demo")
    with time_machine.travel(FROZEN_NOW, tick=False):
        desk = open_desk(tui_settings(data_dir), operator="demo", clock=Clock())
        try:
            load_demo(desk, bookings=DEMO_BOOKINGS, seed=DEMO_SEED)
        finally:
            desk.close()
    return data_dir


@pytest.fixture
def frozen_time() -> Iterator[None]:
    """Wall-clock time frozen at FROZEN_NOW (asyncio and Textual timers run on the monotonic clock)."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def tui_data_dir(tmp_path, demo_template) -> Path:
    return copy_demo(demo_template, tmp_path / "data")


@pytest.fixture
def tui_desk(tui_data_dir, clock, frozen_time) -> Iterator[Desk]:
    """A French desk on a private copy of the demo database, operator ``marie``, clock frozen."""
    desk = open_desk(tui_settings(tui_data_dir), operator="marie", clock=clock)
    try:
        yield desk
    finally:
        desk.close()


@pytest.fixture
def tui_desk_en(tui_data_dir, clock, frozen_time) -> Iterator[Desk]:
    """The same desk, in English."""
    desk = open_desk(tui_settings(tui_data_dir, lang="en"), operator="marie", clock=clock)
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


@pytest.fixture
def modal_desk(tmp_path, monkeypatch) -> Iterator[Desk]:
    """A migrated desk (French) with two activities; bookings are added by each test."""
    monkeypatch.setenv("DESKPAY_CONFIG_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("DESKPAY_SECRETS_FILE", str(tmp_path / "none-secrets.toml"))
    desk = make_modal_desk(tmp_path)
    seed_activities(desk)
    try:
        yield desk
    finally:
        desk.close()
