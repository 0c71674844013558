"""Email a payment link: recipient, subject and a personal message, with a live preview of the text part.

The preview is exactly what will be queued (``preview_link_email`` renders it
the way ``send_link_email`` does), refreshed a moment after the operator stops
typing. A bad address or a subject that could inject a header is refused
inline and nothing is queued.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

from deskpay.domain.errors import DeskpayError, error_text
from deskpay.domain.i18n import Section
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.desk import Desk
from deskpay.services.emails.compose import Draft
from deskpay.services.links.lifecycle import get_link
from deskpay.services.links.sending import preview_link_email, send_link_email
from deskpay.services.links.views import LinkView
from deskpay.tui.base import DeskModal
from deskpay.tui.messages import ActionFailed, BookingChanged, EmailQueued

PREVIEW_DELAY = 0.3
"""Seconds of quiet typing before the preview is rendered again."""

_PLACEHOLDER_TO = "client@example.com"  # renders a preview before an address is typed; never sent

LABELS = Section("ui.email_link")


class EmailLinkModal(DeskModal[bool]):
    """``True`` once the email is queued; ``False`` on Escape or Cancel (nothing queued)."""

    LABELS = LABELS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="email_link.cancel"),
        Binding("ctrl+s", "send", "Send", id="email_link.send"),
    ]

    class Loaded(Message):
        def __init__(self, link: LinkView, customer: str, to: str, draft: Draft | None) -> None:
            super().__init__()
            self.link, self.customer, self.to, self.draft = link, customer, to, draft

    class Previewed(Message):
        def __init__(self, draft: Draft | None, error: DeskpayError | None) -> None:
            super().__init__()
            self.draft, self.error = draft, error

    class Sent(Message):
        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self, desk: Desk, link_id: int) -> None:
        super().__init__(desk)
        self.link_id = link_id
        self.link: LinkView | None = None
        self.busy = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="email-link", classes="dialog"):
            yield Static(self.t("title"), classes="title")
            yield Static(self.t("loading"), id="subtitle", classes="hint")
            with Horizontal(classes="field"):
                yield Label(self.t("to"), classes="field-label")
                yield Input(id="to", compact=True, disabled=True)
            with Horizontal(classes="field"):
                yield Label(self.t("subject"), classes="field-label")
                yield Input(id="subject", compact=True, disabled=True)
            yield Label(self.t("message"), classes="section")
            yield TextArea(id="message", compact=True, soft_wrap=True, disabled=True)
            yield Label(self.t("preview"), classes="section")
            with VerticalScroll(id="preview-box"):
                yield Static("", id="preview")
            yield from self.form_end("send", self.t("send"), disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.clear_error()
        self.load()

    # ---------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        try:
            link = get_link(self.desk, self.link_id)
            customer = booking_detail(self.desk, link.booking_reference).customer
            to = link.recipient_email or customer.email or ""
            draft = preview_link_email(self.desk, self.link_id, to=to or _PLACEHOLDER_TO)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "email_link.load"))
            return
        self.post_message(self.Loaded(link, customer.name, to, draft))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.link = event.link
        lang = self.lang
        self.query_one("#subtitle", Static).update(
            self.t(
                "subtitle",
                amount=event.link.amount.format(lang),
                reference=event.link.booking_reference,
                customer=event.customer,
            )
        )
        for selector in ("#to", "#subject", "#message", "#send"):
            self.query_one(selector).disabled = False
        self.query_one("#to", Input).value = event.to
        self.query_one("#subject", Input).value = event.draft.subject if event.draft else ""
        self._show_preview(event.draft)
        self.query_one("#subject" if event.to else "#to", Input).focus()

    # ---------------------------------------------------------------- preview
    @on(Input.Changed, "#to, #subject")
    @on(TextArea.Changed, "#message")
    def _edited(self) -> None:
        if self.link is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._refresh_preview)

    def _fields(self) -> tuple[str, str | None, str]:
        to = self.query_one("#to", Input).value.strip()
        subject = self.query_one("#subject", Input).value.strip() or None
        return to, subject, self.query_one("#message", TextArea).text

    def _refresh_preview(self) -> None:
        self._timer = None
        self.preview(*self._fields())

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def preview(self, to: str, subject: str | None, message: str) -> None:
        try:
            draft = preview_link_email(
                self.desk, self.link_id, to=to or _PLACEHOLDER_TO, subject=subject, message=message
            )
        except DeskpayError as error:
            self.post_message(self.Previewed(None, error))
            return
        self.post_message(self.Previewed(draft, None))

    @on(Previewed)
    def _previewed(self, event: Previewed) -> None:
        if event.error is not None:
            self.show_error(event.error.text(self.lang))
            return
        self._show_preview(event.draft)

    def _show_preview(self, draft: Draft | None) -> None:
        if draft is not None:
            self.query_one("#preview", Static).update(draft.text)
        to = self.query_one("#to", Input).value.strip()
        self.show_error("" if to else self.t("no_to"))

    # ------------------------------------------------------------------- send
    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        if self.busy or self.link is None:
            return
        to, subject, message = self._fields()
        if not to:
            self.show_error(self.t("no_to"))
            self.query_one("#to", Input).focus()
            return
        if self._timer is not None:
            self._timer.stop()
        self.workers.cancel_group(self, "preview")
        self.clear_error()
        self._set_busy(True)
        self.send(self.link.booking_reference, to, subject, message)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        button = self.query_one("#send", Button)
        button.disabled = busy
        button.label = self.t("sending" if busy else "send")

    @work(thread=True, exclusive=True, exit_on_error=False, group="send")
    def send(self, reference: str, to: str, subject: str | None, message: str) -> None:
        try:
            draft = send_link_email(self.desk, self.link_id, to=to, subject=subject, message=message)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "email_link.send"))
            return
        self.post_message(EmailQueued(reference, draft.to, draft.kind))
        self.post_message(BookingChanged(reference))
        self.post_message(self.Sent(draft))

    def report_failure(self, event: ActionFailed) -> None:
        self.show_error(error_text(event.error, self.lang))
        if self.link is not None:
            self._set_busy(False)

    @on(Sent)
    def _sent(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)
