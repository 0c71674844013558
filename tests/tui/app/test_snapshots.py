"""SVG snapshots of what the app itself offers: its other themes, and its command palettes.

Method: ``tests/support/snapshots.py``.
"""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from tests.support.snapshots import screen_snapshot
from tests.support.tui import until


@pytest.mark.parametrize("theme", ["deskpay-light", "deskpay-high-contrast"])
def test_reservations_in_another_theme(snap_compare, tui_data_dir, frozen_time, theme):
    async def show(pilot) -> None:
        pilot.app.switch_theme(theme)
        await pilot.pause()

    assert screen_snapshot(snap_compare, tui_data_dir, "fr", show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_find_a_booking(snap_compare, tui_data_dir, frozen_time, lang):
    """``ctrl+f`` and a name: the bookings that match, to open one."""

    async def show(pilot) -> None:
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
        pilot.app.screen.query_one(Input).value = "Chloé Meyer"
        await until(pilot, lambda: pilot.app.screen._list_visible)

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)
