"""Launch order: the list's first page first; the background worker once it is on screen, and stopped on quit.

(That the ORM loads after the first frame, in the background, is checked in a
fresh interpreter by ``tests/architecture/test_import_hygiene.py``.)
"""

from __future__ import annotations

import asyncio

import deskpay.tui.app as tui_app
import deskpay.tui.reservations.screen as reservations
from deskpay.services.desk import open_desk
from deskpay.tui.messages import FirstListShown
from deskpay.tui.reservations.booking_table import BookingTable
from tests.support.tui import make_app, settle, tui_settings, until


class RecordingWorker:
    """Stands for the embedded worker (sandbox page, emails): notes what the screen held when it was built."""

    def __init__(self, app) -> None:
        self.app = app
        self.rows_when_built: int | None = None
        self.stopped = False

    def build(self, desk) -> RecordingWorker:
        self.rows_when_built = self.app.screen.query_one(BookingTable).loaded
        return self

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.stopped = True


def _desk_with_worker(tui_data_dir, clock):
    return open_desk(tui_settings(tui_data_dir, embedded_worker=True), operator="marie", clock=clock)


async def test_the_background_worker_starts_once_the_list_shows_its_rows(tui_data_dir, clock, frozen_time, monkeypatch):
    desk = _desk_with_worker(tui_data_dir, clock)
    try:
        app = make_app(desk, start_worker=True)
        worker = RecordingWorker(app)
        monkeypatch.setattr(tui_app, "_build_worker", worker.build)
        shown: set[int] = set()  # each FirstListShown once, however many nodes it bubbles through

        def hook(message) -> None:
            if isinstance(message, FirstListShown):
                shown.add(id(message))

        async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
            await until(pilot, lambda: worker.rows_when_built is not None)
            assert worker.rows_when_built > 0
            assert len(shown) == 1
            await settle(pilot)
            assert not worker.stopped
        assert worker.stopped  # quitting stops the background jobs
    finally:
        desk.close()


async def test_a_list_that_cannot_load_still_starts_the_worker(tui_data_dir, clock, frozen_time, monkeypatch):
    def broken(desk, query):
        raise RuntimeError("database file is locked")

    monkeypatch.setattr(reservations, "search_bookings", broken)
    desk = _desk_with_worker(tui_data_dir, clock)
    try:
        app = make_app(desk, start_worker=True)
        worker = RecordingWorker(app)
        monkeypatch.setattr(tui_app, "_build_worker", worker.build)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: worker.rows_when_built is not None)
            assert worker.rows_when_built == 0
            await settle(pilot)
            print("NOTES", [n.message for n in app._notifications], app.screen)
            assert any("database file is locked" in n.message for n in app._notifications)
    finally:
        desk.close()


async def test_without_the_embedded_worker_nothing_is_built(tui_desk, monkeypatch):
    app = make_app(tui_desk, start_worker=True)  # the desk's settings say no embedded worker
    worker = RecordingWorker(app)
    monkeypatch.setattr(tui_app, "_build_worker", worker.build)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app._first_list_done)
        await settle(pilot)
        assert worker.rows_when_built is None and app._worker_task is None
