"""SVG snapshots of the reservations list (method: ``tests/support/snapshots.py``).

Full and empty, at 100×30 and 80×24, in French and English; unpaid only; a
search with one match and one with none; a typed date that is not a date.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Input

from deskpay.store.models import Booking
from tests.support.snapshots import SIZE, SMALL, screen_snapshot, still
from tests.support.tui import until


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations(snap_compare, tui_data_dir, frozen_time, lang):
    assert screen_snapshot(snap_compare, tui_data_dir, lang, fixed_sandbox=False)


def test_reservations_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    """The smallest terminal we promise: the compact columns and every filter still fit."""
    assert screen_snapshot(snap_compare, tui_data_dir, "fr", size=SMALL, fixed_sandbox=False)


def test_reservations_at_80_by_24_in_english(snap_compare, tui_data_dir, frozen_time):
    assert screen_snapshot(snap_compare, tui_data_dir, "en", size=SMALL)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x30", "80x24"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations_empty(snap_compare, tmp_path, frozen_time, lang, size):
    """A desk on a fresh database: no booking yet."""
    assert screen_snapshot(snap_compare, tmp_path / "fresh", lang, size=size)


async def _wait_for_the_list(pilot) -> None:
    await until(pilot, lambda: not pilot.app.screen._loading_first)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations_unpaid_only(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot) -> None:
        await pilot.press("u")
        await until(pilot, lambda: pilot.app.screen.filter.unpaid_only)
        await _wait_for_the_list(pilot)

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)


def _first_reference(app) -> str:
    with app.desk.read() as session:
        return session.execute(select(Booking.reference).order_by(Booking.id)).scalars().first()


async def _search(pilot, text: str) -> None:
    """``/``, then ``text`` in the search box, as typed; the list answers."""
    await pilot.press("slash")
    search = pilot.app.screen.query_one("#search", Input)
    await until(pilot, lambda: search.has_focus)
    search.value = text
    await until(pilot, lambda: pilot.app.screen.filter.text == text.strip())
    await _wait_for_the_list(pilot)
    await still(pilot)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations_search_with_one_match(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot) -> None:
        await _search(pilot, _first_reference(pilot.app))
        assert pilot.app.screen.total == 1

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)


def test_reservations_search_with_one_match_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    async def show(pilot) -> None:
        await _search(pilot, _first_reference(pilot.app))

    assert screen_snapshot(snap_compare, tui_data_dir, "fr", show, size=SMALL)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations_search_with_no_match(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot) -> None:
        await _search(pilot, "zzzz-nobody")
        assert pilot.app.screen.total == 0

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations_on_a_date_that_is_not_one(snap_compare, tui_data_dir, frozen_time, lang):
    """``5``, then 31/02/2026 and Enter: the field turns red and a notice says why; the list is unchanged."""

    async def show(pilot) -> None:
        await pilot.press("5")
        day = pilot.app.screen.query_one("#day", Input)
        await until(pilot, lambda: day.has_focus)
        day.value = "31/02/2026"
        await pilot.press("enter")
        await until(pilot, lambda: day.has_class("-invalid"))

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)
