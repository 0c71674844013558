"""The yes/no question: the keys that answer it, and the focus on "no" when the action is dangerous."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from deskpay.tui.common.confirm import ConfirmModal
from tests.support.tui import ModalHost, screen_text


@pytest.mark.parametrize(
    ("keys", "expected"), [(["y"], True), (["o"], True), (["n"], False), (["escape"], False), (["enter"], True)]
)
async def test_confirm_answers(keys, expected) -> None:
    app = ModalHost(lambda: ConfirmModal("Annuler le lien ?"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Annuler le lien ?" in screen_text(app)
        await pilot.press(*keys)
        await pilot.pause()
    assert app.results == [expected]


async def test_dangerous_confirm_puts_the_focus_on_no() -> None:
    app = ModalHost(lambda: ConfirmModal("Rembourser 45,60 € ?", danger=True), lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#no", Button).has_focus
        assert app.screen.query_one("#yes", Button).label.plain == "Yes"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [False]
