"""SVG snapshots of Encaisser, Split and the QR screen, in French and English, at 100×30.

The app is the one the CLI runs (``build_app``), on a copy of the seeded demo,
with the desk's clock and wall-clock time frozen, no background worker, no
blinking cursor, and a sandbox whose link URLs depend only on the link id.
The dialogs open over an empty backdrop screen rather than over the
reservations list, so that these snapshots change only when the dialogs do
(the list has snapshots of its own in ``test_snapshots_main.py``).
Update with ``pytest tests/tui/test_snapshots_modals.py --snapshot-update``
only after reading the diff (``snapshot_report.html``).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.screen import Screen
from textual.widgets import Input

from deskpay.store.models import Booking, Customer, PaymentLink
from deskpay.tui.app import build_app
from deskpay.tui.booking.collect import CollectModal
from deskpay.tui.booking.split import SplitModal
from deskpay.tui.qr.screen import QrScreen
from tests.tui.conftest import BASE_URL, TuiClock, tui_settings, until
from tests.tui.test_modals_support import FixedSandbox
from tests.tui.test_modals_support import settle as settle_flows

SIZE = (100, 30)


def _app(data_dir, lang: str):
    app = build_app(tui_settings(data_dir, lang=lang), "marie", start_worker=False, clock=TuiClock())
    app.desk.use_provider(FixedSandbox(BASE_URL))
    return app


def _reference(app) -> str:
    """The first upcoming demo booking with nothing paid, no open link and a customer with an email."""
    with app.desk.read() as session:
        open_links = select(PaymentLink.booking_id).where(PaymentLink.status == "open")
        return (
            session.execute(
                select(Booking.reference)
                .join(Customer, Customer.id == Booking.customer_id)
                .where(
                    Booking.paid_minor == 0,
                    Booking.participants >= 3,
                    Customer.email.is_not(None),
                    Booking.start_at >= app.desk.now(),
                    Booking.id.not_in(open_links),
                )
                .order_by(Booking.id)
            )
            .scalars()
            .first()
        )


async def _still(pilot) -> None:
    await settle_flows(pilot)
    await pilot.pause(0.2)  # the list behind refreshes a changed booking after a short timer
    await settle_flows(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle_flows(pilot)


class Backdrop(Screen):
    """Nothing but the theme's background, behind the dialog under test."""


async def _ready(pilot) -> None:
    await until(pilot, lambda: not getattr(pilot.app.screen, "_loading_first", False))
    await pilot.app.push_screen(Backdrop())


def _snapshot(snap_compare, data_dir, lang: str, show) -> bool:
    """The app over the backdrop, ``await show(pilot, reference)`` for the dialog under test, then still."""
    app = _app(data_dir, lang)
    reference = _reference(app)

    async def run_before(pilot) -> None:
        await _ready(pilot)
        await show(pilot, reference)
        await _still(pilot)

    try:
        return snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        app.desk.close()


async def _open_collect(pilot, reference: str) -> None:
    pilot.app.push_screen(CollectModal(pilot.app.desk, reference))
    await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collect(snap_compare, tui_data_dir, frozen_time, lang):
    assert _snapshot(snap_compare, tui_data_dir, lang, _open_collect)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collect_link_created(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot, reference: str) -> None:
        await _open_collect(pilot, reference)
        pilot.app.screen.query_one("#amount", Input).value = "40"
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.outcome is not None)

    assert _snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_split(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot, reference: str) -> None:
        pilot.app.push_screen(SplitModal(pilot.app.desk, reference))
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await _still(pilot)
        # One share changed by hand, one email typed: the live total and the rows as the operator sees them.
        rows = list(pilot.app.screen.query(".share"))
        rows[0].query_one(".share-email", Input).value = "anna@example.com"
        rows[1].query_one(".share-amount", Input).value = "10"

    assert _snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_qr(snap_compare, tui_data_dir, frozen_time, lang):
    from deskpay.services.money.collect import collect_online

    async def show(pilot, reference: str) -> None:
        outcome = await collect_online(pilot.app.desk, reference, "45,60")
        pilot.app.push_screen(QrScreen(pilot.app.desk, outcome.links[0].id))
        await until(pilot, lambda: getattr(pilot.app.screen, "link", None) is not None)

    assert _snapshot(snap_compare, tui_data_dir, lang, show)
