"""Edit a customer's name, email, phone and language, with the service's own checks shown inline."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Select, Static

from deskpay.domain.errors import DeskpayError
from deskpay.domain.i18n import Section
from deskpay.services.bookings.customers import NewCustomer, edit_customer
from deskpay.services.bookings.views import CustomerView
from deskpay.services.desk import Desk
from deskpay.tui.base import DeskModal
from deskpay.tui.messages import ActionFailed

LABELS = Section("ui.customer_edit")


class CustomerEditModal(DeskModal[bool]):
    """``True`` once the customer is saved; ``False`` on Escape or Cancel (nothing changed)."""

    LABELS = LABELS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="customer_edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="customer_edit.save"),
    ]

    class Saved(Message):
        pass

    def __init__(self, desk: Desk, customer: CustomerView) -> None:
        super().__init__(desk)
        self.customer = customer
        self.busy = False

    def compose(self) -> ComposeResult:
        c = self.customer
        with Vertical(id="customer-edit", classes="dialog"):
            yield Static(self.t("title"), classes="title")
            for field, value in (("name", c.name), ("email", c.email or ""), ("phone", c.phone or "")):
                with Horizontal(classes="field"):
                    yield Label(self.t(field), classes="field-label")
                    yield Input(value, id=field, compact=True)
            with Horizontal(classes="field"):
                yield Label(self.t("language"), classes="field-label")
                yield Select(
                    [(self.t("lang.fr"), "fr"), (self.t("lang.en"), "en")],
                    id="language",
                    value=c.language if c.language in ("fr", "en") else "fr",
                    allow_blank=False,
                    compact=True,
                )
            yield Static(self.t("hint"), classes="hint")
            yield from self.form_end("save", self.t("save"))
        yield Footer()

    def on_mount(self) -> None:
        self.clear_error()
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:
            return

        language = self.query_one("#language", Select).value
        data = NewCustomer(
            name=self.query_one("#name", Input).value,
            email=self.query_one("#email", Input).value.strip() or None,
            phone=self.query_one("#phone", Input).value.strip() or None,
            language=language if isinstance(language, str) else "fr",
        )
        self.clear_error()
        self._set_busy(True)
        self.save(data)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        button = self.query_one("#save", Button)
        button.disabled = busy
        button.label = self.t("saving" if busy else "save")

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, data) -> None:
        try:
            edit_customer(self.desk, self.customer.id, data)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "customer_edit.save"))
            return
        self.post_message(self.Saved())

    def report_failure(self, event: ActionFailed) -> None:
        super().report_failure(event)
        self._set_busy(False)

    @on(Saved)
    def _saved(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)
