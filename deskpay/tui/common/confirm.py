"""A yes/no question before something that cannot be undone (cancel a link, refund...)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from deskpay.domain.i18n import Section
from deskpay.tui.base import localize_bindings, modals_css

LABELS = Section("ui.confirm")


class ConfirmModal(ModalScreen[bool]):
    """Ask ``question``; ``True`` for yes. Escape and ``n`` answer no.

    With ``danger`` the yes button is red and "No" has the focus, so a
    reflex Enter does not confirm something destructive.
    """

    BINDINGS = [
        Binding("y,o", "yes", "Yes", id="confirm.yes"),
        Binding("n,escape", "no", "No", id="confirm.no"),
        Binding("left", "app.focus_previous", show=False, id="confirm.left"),
        Binding("right", "app.focus_next", show=False, id="confirm.right"),
    ]

    def __init__(self, question: str, *, danger: bool = False) -> None:
        super().__init__(classes="danger" if danger else None)
        self.question = question
        self.danger = danger
        self.css_path = modals_css()

    @property
    def lang(self) -> str:
        lang = getattr(self.app, "lang", None)
        return lang if lang in ("fr", "en") else "fr"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(LABELS("yes", self.lang), id="yes", variant="error" if self.danger else "primary")
                yield Button(LABELS("no", self.lang), id="no")

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
