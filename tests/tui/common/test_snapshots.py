"""SVG snapshots of what every screen shares: the yes/no question and the keys help (method: ``tests/support/snapshots.py``)."""

from __future__ import annotations

import pytest

from deskpay.domain.i18n import Section
from deskpay.domain.money import Money
from deskpay.tui.common.confirm import ConfirmModal
from deskpay.tui.common.help import HelpScreen
from tests.support.snapshots import SMALL, dialog_snapshot, fresh_reference, screen_snapshot
from tests.support.tui import until

SHEET = Section("ui.sheet")


def _confirm(question_key: str, *, danger: bool, **params):
    """Show the question the booking sheet asks, as it asks it."""

    async def show(pilot, reference: str) -> None:
        lang = pilot.app.lang
        values = {key: value.format(lang) if isinstance(value, Money) else value for key, value in params.items()}
        await pilot.app.push_screen(ConfirmModal(SHEET(question_key, lang, **values), danger=danger))

    return show


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_confirm_cancelling_a_link(snap_compare, tui_data_dir, frozen_time, lang):
    """A dangerous question: "no" has the focus."""
    show = _confirm("cancel_question", danger=True, label="Solde", amount=Money(4_560, "EUR"))
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_confirm_requesting_the_balance(snap_compare, tui_data_dir, frozen_time, lang):
    show = _confirm("balance_question_email", danger=False, amount=Money(19_000, "EUR"), to="chloe.paris@example.com")
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


async def _help(pilot) -> None:
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_on_the_list(snap_compare, tui_data_dir, frozen_time, lang):
    """``?`` on the reservations list: its keys, the app's, and those that do not apply now."""
    assert screen_snapshot(snap_compare, tui_data_dir, lang, _help)


def test_help_on_the_list_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    assert screen_snapshot(snap_compare, tui_data_dir, "fr", _help, size=SMALL)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_on_the_sheet(snap_compare, tui_data_dir, frozen_time, lang):
    """``?`` on a booking sheet with no link: the link keys are there, marked as not applying now."""

    async def show(pilot) -> None:
        pilot.app.open_booking(fresh_reference(pilot.app.desk))
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await _help(pilot)

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)
