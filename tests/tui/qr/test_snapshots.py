"""SVG snapshots of the QR screen (method: ``tests/support/snapshots.py``).

Open (at 100×30 and 80×24), paid, expired, and too small for the terminal.
"""

from __future__ import annotations

import pytest

from deskpay.services.links.lifecycle import expire_due_links
from deskpay.services.money.collect import collect_online
from deskpay.services.providers.sandbox_checkout import pay_sandbox_link
from deskpay.tui.qr.screen import QrScreen
from tests.support.snapshots import SMALL, dialog_snapshot
from tests.support.tui import until


async def _show_qr(pilot, reference: str) -> int:
    outcome = await collect_online(pilot.app.desk, reference, "45,60")
    pilot.app.push_screen(QrScreen(pilot.app.desk, outcome.links[0].id))
    await until(pilot, lambda: getattr(pilot.app.screen, "link", None) is not None)
    return outcome.links[0].id


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_qr(snap_compare, tui_data_dir, frozen_time, lang):
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, _show_qr)


def test_qr_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    """Over SSH: the text beside the code."""
    assert dialog_snapshot(snap_compare, tui_data_dir, "fr", _show_qr, size=SMALL)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_qr_paid(snap_compare, tui_data_dir, frozen_time, lang):
    """The customer paid while the code was on screen: it turns into "Payé ✓"."""

    async def show(pilot, reference: str) -> None:
        link_id = await _show_qr(pilot, reference)
        await pay_sandbox_link(pilot.app.desk, link_id)
        await until(pilot, lambda: pilot.app.screen.query_one("#qr-paid").display)

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_qr_expired(snap_compare, tui_data_dir, frozen_time, lang):
    """A link that expired: no code to scan."""

    async def show(pilot, reference: str) -> None:
        desk = pilot.app.desk
        desk.clock.advance(-desk.settings.link_validity() * 2)
        outcome = await collect_online(desk, reference, "45,60")
        desk.clock.advance(desk.settings.link_validity() * 2)
        expire_due_links(desk)
        pilot.app.push_screen(QrScreen(desk, outcome.links[0].id))
        await until(pilot, lambda: getattr(pilot.app.screen, "link", None) is not None)

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_qr_too_small(snap_compare, tui_data_dir, frozen_time, lang):
    """60×20: no code that would not scan, but the size it needs."""
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, _show_qr, size=(60, 20))
