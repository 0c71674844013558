"""SVG snapshots of the new booking screen (method: ``tests/support/snapshots.py``): empty, filled, refused."""

from __future__ import annotations

import pytest
from textual.widgets import Input, RadioButton, Select, Static

from deskpay.tui.new_booking.screen import NewBookingScreen
from tests.support.snapshots import SMALL, screen_snapshot
from tests.support.tui import text_of, until


async def _new_booking(pilot) -> NewBookingScreen:
    await pilot.press("n")
    await until(pilot, lambda: isinstance(pilot.app.screen, NewBookingScreen))
    screen = pilot.app.screen
    await until(pilot, lambda: bool(screen.activities))
    return screen


async def _fill(pilot, *, date: str = "10/07/2026") -> NewBookingScreen:
    """A phone booking for a new customer: the first activity by name, 4 people, the confirmation asking it all."""
    screen = await _new_booking(pilot)
    first = min(screen.activities.values(), key=lambda activity: activity.name)
    screen.query_one("#activity", Select).value = first.id
    await until(pilot, lambda: screen.activity is not None)
    screen.query_one("#date", Input).value = date
    screen.query_one("#participants", Input).value = "4"
    screen.query_one("#kind-new", RadioButton).value = True
    await until(pilot, lambda: screen.query_one("#new-customer").display)
    for field, value in (("name", "Inès Moreau"), ("email", "ines.moreau@example.com"), ("phone", "+33 6 11 22 33 44")):
        screen.query_one(f"#new-{field}", Input).value = value
    screen.query_one("#confirm-full", RadioButton).value = True
    await pilot.pause()
    return screen


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_booking(snap_compare, tui_data_dir, frozen_time, lang):
    """``n`` on the list: today's date, two participants, an existing customer to search for."""
    assert screen_snapshot(snap_compare, tui_data_dir, lang, _new_booking)


def test_new_booking_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    assert screen_snapshot(snap_compare, tui_data_dir, "fr", _new_booking, size=SMALL)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_booking_filled(snap_compare, tui_data_dir, frozen_time, lang):
    assert screen_snapshot(snap_compare, tui_data_dir, lang, _fill)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_booking_with_an_error(snap_compare, tui_data_dir, frozen_time, lang):
    """Saved with a date that is not one: refused inline, nothing written."""

    async def show(pilot) -> None:
        screen = await _fill(pilot, date="31/02/2026")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "31/02/2026" in text_of(screen.query_one("#error", Static)))

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)
