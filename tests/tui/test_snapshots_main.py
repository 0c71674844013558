"""SVG snapshots of the reservations list and a booking sheet, in French and English, at 100×30.

The app is built by ``build_app`` — the factory ``run_tui`` uses — on a copy of
the seeded demo, with the desk's clock and wall-clock time frozen, no
background worker, and no blinking cursor. Update with
``pytest tests/tui/test_snapshots_main.py --snapshot-update`` only after
reading the diff (``snapshot_report.html``).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Input

from deskpay.store.models import Booking, Customer, PaymentLink
from deskpay.tui.app import build_app
from tests.tui.conftest import TuiClock, settle, tui_settings, until

SIZE = (100, 30)


def _sheet_reference(data_dir) -> str:
    """A booking whose client has an email, with an open link; marie takes 10 € cash: every pane has something."""
    from deskpay.services.desk import open_desk
    from deskpay.services.money.collect import collect_offline

    desk = open_desk(tui_settings(data_dir), operator="marie", migrate=False, clock=TuiClock())
    try:
        with desk.read() as session:
            reference = (
                session.execute(
                    select(Booking.reference)
                    .join(PaymentLink, PaymentLink.booking_id == Booking.id)
                    .join(Customer, Customer.id == Booking.customer_id)
                    .where(PaymentLink.status == "open", Customer.email.is_not(None))
                    .order_by(Booking.id)
                )
                .scalars()
                .first()
            )
        collect_offline(desk, reference, "10,00", "cash")
        return reference
    finally:
        desk.close()


def _app(data_dir, lang: str):
    return build_app(tui_settings(data_dir, lang=lang), "marie", start_worker=False, clock=TuiClock())


async def _still(pilot) -> None:
    for field in pilot.app.query(Input):
        field.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reservations(snap_compare, tui_data_dir, frozen_time, lang):
    app = _app(tui_data_dir, lang)

    async def run_before(pilot) -> None:
        await until(pilot, lambda: not pilot.app.screen._loading_first)
        await _still(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        app.desk.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_booking_sheet(snap_compare, tui_data_dir, frozen_time, lang):
    reference = _sheet_reference(tui_data_dir)
    app = _app(tui_data_dir, lang)

    async def run_before(pilot) -> None:
        await until(pilot, lambda: not pilot.app.screen._loading_first)
        pilot.app.open_booking(reference)
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await _still(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        app.desk.close()


def test_reservations_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    """The smallest terminal we promise: the compact columns and every filter still fit."""
    app = _app(tui_data_dir, "fr")

    async def run_before(pilot) -> None:
        await until(pilot, lambda: not pilot.app.screen._loading_first)
        await _still(pilot)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    finally:
        app.desk.close()
