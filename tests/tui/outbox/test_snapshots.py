"""SVG snapshots of the outbox (method: ``tests/support/snapshots.py``): the list, and one email read."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from deskpay.services.bookings.confirmation import send_confirmation
from deskpay.services.money.collect import collect_online
from deskpay.services.money.split import split_booking
from deskpay.tui.outbox.screen import OutboxScreen
from tests.support.clock import FROZEN_NOW
from tests.support.smtp_server import outbox, set_email
from tests.support.snapshots import SMALL, dialog_reference, fresh_reference, screen_snapshot
from tests.support.tui import until


async def _seed_outbox(desk) -> list[int]:
    """Four emails queued through the services over the morning; the oldest sent, the next refused by the server."""
    clock = desk.clock
    clock.advance(hours=-2)
    await send_confirmation(desk, fresh_reference(desk))  # an English customer
    clock.advance(minutes=45)
    await collect_online(desk, dialog_reference(desk), "45,60", send_email=True)
    clock.advance(minutes=45)
    second = fresh_reference(desk, minimum_minor=10_000)
    await split_booking(desk, second, parts=2, emails=["anna@example.com", "paul.martin@example.org"])
    clock.advance(minutes=30)
    assert clock() == FROZEN_NOW
    ids = sorted(outbox(desk))
    set_email(desk, ids[0], status="sent", attempts=1, sent_at=FROZEN_NOW.replace(hour=6, minute=5))
    set_email(
        desk, ids[-1], status="failed", attempts=3, last_error="550 5.1.1 <paul.martin@example.org>: No such user"
    )
    return ids


async def _open_outbox(pilot) -> list[int]:
    ids = await _seed_outbox(pilot.app.desk)
    await pilot.press("o")
    await until(pilot, lambda: isinstance(pilot.app.screen, OutboxScreen))
    table = pilot.app.screen.query_one("#outbox-list", DataTable)
    await until(pilot, lambda: table.row_count == len(ids))
    return ids


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_outbox(snap_compare, tui_data_dir, frozen_time, lang):
    """Newest first, with status, attempts and the server's last answer."""
    assert screen_snapshot(snap_compare, tui_data_dir, lang, _open_outbox)


def test_outbox_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    assert screen_snapshot(snap_compare, tui_data_dir, "fr", _open_outbox, size=SMALL)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_outbox_reading_a_failed_email(snap_compare, tui_data_dir, frozen_time, lang):
    """Enter on the failed email: its head (status, attempts, error) and the text the customer would get."""

    async def show(pilot) -> None:
        await _open_outbox(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.reading)

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)
