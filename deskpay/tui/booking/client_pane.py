"""The booking sheet's Client pane: who booked, how to reach them, and the confirmation to resend."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from deskpay.domain.i18n import Section
from deskpay.services.bookings.views import BookingDetail

LABELS = Section("ui.client")


class ClientPane(Vertical):
    """Name, email, phone and language of the booking's client; ``e`` edits, ``r`` resends the confirmation."""

    compact: reactive[bool] = reactive(False)
    """Narrow terminals: the details on one line, the actions side by side."""

    def __init__(self, lang: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lang = lang
        self._detail: BookingDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(LABELS("title", self.lang), classes="pane-title")
        yield Static(id="client-name")
        yield Static(id="client-details")
        yield Static(
            Content.from_markup("[@click=screen.edit_customer]$text[/]", text=LABELS("edit", self.lang)),
            id="client-edit",
            classes="pane-action",
        )
        yield Static(id="client-confirmation", classes="pane-action")

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")
        if self._detail is not None:
            self.show(self._detail)

    def show(self, detail: BookingDetail) -> None:
        self._detail = detail
        lang, customer = self.lang, detail.customer
        none = LABELS("none", lang)
        self.query_one("#client-name", Static).update(Content(customer.name))
        language = LABELS(f"lang_{customer.language}", lang) if customer.language in ("fr", "en") else customer.language
        lines = [
            (LABELS("email", lang), customer.email or none),
            (LABELS("phone", lang), customer.phone or none),
            (LABELS("language", lang), language),
        ]
        width = max(len(label) for label, _ in lines)
        if self.compact:
            text = " · ".join(value for _, value in lines)
        else:
            text = "\n".join(f"{label:<{width}}  {value}" for label, value in lines)
        self.query_one("#client-details", Static).update(Content(text))
        confirmation = self.query_one("#client-confirmation", Static)
        if customer.email:
            confirmation.update(
                Content.from_markup("[@click=screen.resend_confirmation]$text[/]", text=LABELS("confirmation", lang))
            )
            confirmation.remove_class("-disabled")
        else:
            confirmation.update(Content(LABELS("confirmation_off", lang, name=customer.name)))
            confirmation.add_class("-disabled")
