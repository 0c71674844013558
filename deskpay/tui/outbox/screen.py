"""The outbox: every email the desk queued, whether it went, how many attempts, the last error.

The newest emails first (a limited query: the outbox grows forever), filtered
by status; Enter reads one as the customer gets it (its text part); ``r``
puts a failed email back in the queue. The list refreshes itself while the
delivery worker sends.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Footer, Static

from deskpay.domain.dates import format_short
from deskpay.domain.errors import DeskpayError
from deskpay.domain.i18n import Section
from deskpay.domain.outbox import EmailStatus
from deskpay.services.desk import Desk
from deskpay.services.emails.outbox import count_messages, get_message, list_messages, retry_message
from deskpay.services.emails.render import email_kind_label
from deskpay.tui.base import DeskScreen
from deskpay.tui.messages import ActionFailed

REFRESH_SECONDS = 5.0
"""How often the list is read again while the screen is shown."""
LIST_LIMIT = 200
"""The newest emails shown; older ones are in the database and the CLI."""
FILTERS = (None, EmailStatus.FAILED, EmailStatus.QUEUED, EmailStatus.SENDING, EmailStatus.SENT)
COLUMNS = ("id", "when", "status", "attempts", "to", "subject", "error")
"""Short columns first, so status and attempts stay in view at 80 columns."""

LABELS = Section("ui.outbox")


class OutboxScreen(DeskScreen[None]):
    """Read-only list with one action, retry; Escape closes the reader, then the screen."""

    LABELS = LABELS
    BINDINGS = [
        Binding("escape", "back", "Back", id="outbox.back"),
        Binding("enter", "open", "Read", id="outbox.open", show=True, priority=False),
        Binding("r", "retry", "Retry", id="outbox.retry"),
        Binding("f", "cycle_filter", "Filter", id="outbox.filter"),
        Binding("ctrl+r,f5", "refresh", "Refresh", id="outbox.refresh"),
    ]

    class Listed(Message):
        def __init__(self, messages: list, counts: dict[str, int]) -> None:
            super().__init__()
            self.messages = messages
            self.counts = counts

    class Opened(Message):
        def __init__(self, message) -> None:
            super().__init__()
            self.message = message

    class Retried(Message):
        def __init__(self, message) -> None:
            super().__init__()
            self.message = message

    def __init__(self, desk: Desk) -> None:
        super().__init__(desk)
        self.status_filter: str | None = None
        self.reader_id: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="outbox"):
            yield Static(self.t("title"), id="outbox-title", classes="title")
            yield Static("", id="outbox-counts", classes="hint")
            with ContentSwitcher(initial="outbox-list", id="outbox-steps"):
                yield DataTable(id="outbox-list", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="outbox-reader"):
                    yield Static("", id="reader-head")
                    yield Static("", id="reader-text")
            yield Static("", id="error", classes="error")
        yield Footer()

    def on_mount(self) -> None:
        self.clear_error()
        table = self.query_one("#outbox-list", DataTable)
        for key in COLUMNS:
            table.add_column(self.t(f"col.{key}"), key=key)
        table.focus()
        self.refresh_list()
        self.set_interval(REFRESH_SECONDS, self.refresh_list)

    @property
    def reading(self) -> bool:
        return self.query_one("#outbox-steps", ContentSwitcher).current == "outbox-reader"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "cycle_filter", "retry"):
            return not self.reading if action != "retry" else True
        return True

    # ------------------------------------------------------------------ list
    def action_refresh(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        self.load(self.status_filter)

    @work(thread=True, exclusive=True, exit_on_error=False, group="list")
    def load(self, status: str | None) -> None:
        try:
            messages = list_messages(self.desk, status=status, limit=LIST_LIMIT)
            counts = count_messages(self.desk)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "outbox.list"))
            return
        self.post_message(self.Listed(messages, counts))

    def _status(self, status: str) -> str:
        return self.t(f"status.{status}") if f"status.{status}" in LABELS else status

    @on(Listed)
    def _listed(self, event: Listed) -> None:
        lang, tz = self.lang, self.desk.settings.tz()
        table = self.query_one("#outbox-list", DataTable)
        current = self._selected_id()
        with self.app.batch_update():
            table.clear()
            for message in event.messages:
                error = (message.last_error or "").splitlines()[0][:60] if message.last_error else ""
                table.add_row(
                    str(message.id),
                    format_short(message.created_at, tz, lang),
                    self._status(message.status),
                    str(message.attempts),
                    message.to,
                    message.subject,
                    error,
                    key=str(message.id),
                )
            if current is not None and str(current) in table.rows:
                table.move_cursor(row=table.get_row_index(str(current)))
        name = self._status(self.status_filter) if self.status_filter else self.t("filter.all")
        shown = self.t("shown", shown=len(event.messages)) if event.messages else self.t("empty")
        self.query_one("#outbox-title", Static).update(f"{self.t('title')} · {self.t('filter', name=name)} · {shown}")
        self.query_one("#outbox-counts", Static).update(self.t("counts", **event.counts))

    def _selected_id(self) -> int | None:
        table = self.query_one("#outbox-list", DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no cursor yet
            return None
        return int(key.value) if key.value else None

    def action_cycle_filter(self) -> None:
        index = FILTERS.index(self.status_filter)
        self.status_filter = FILTERS[(index + 1) % len(FILTERS)]
        self.refresh_list()

    # ---------------------------------------------------------------- reader
    @on(DataTable.RowSelected, "#outbox-list")
    def action_open(self) -> None:
        message_id = self._selected_id()
        if message_id is not None and not self.reading:
            self.clear_error()
            self.open_message(message_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_message(self, message_id: int) -> None:
        try:
            self.post_message(self.Opened(get_message(self.desk, message_id)))
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "outbox.open"))

    @on(Opened)
    def _opened(self, event: Opened) -> None:
        m, lang, tz = event.message, self.lang, self.desk.settings.tz()
        sent = self.t("reader.sent", when=format_short(m.sent_at, tz, lang)) if m.sent_at else ""
        error = self.t("reader.error", error=m.last_error) if m.last_error else ""
        head = self.t(
            "reader.head",
            id=m.id,
            kind=email_kind_label(m.kind, lang),
            status=self._status(m.status),
            to=m.to,
            subject=m.subject,
            reference=m.booking_reference or "—",
            created=format_short(m.created_at, tz, lang),
            by=m.created_by or "—",
            attempts=m.attempts,
        )
        head += sent + error
        self.query_one("#reader-head", Static).update(head)
        self.query_one("#reader-text", Static).update(m.text or "")
        self.reader_id = m.id
        self.query_one("#outbox-steps", ContentSwitcher).current = "outbox-reader"
        self.query_one("#outbox-reader").focus()
        self.refresh_bindings()

    # ----------------------------------------------------------------- retry
    def action_retry(self) -> None:
        message_id = self.reader_id if self.reading else self._selected_id()
        if message_id is not None:
            self.clear_error()
            self.retry(message_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="retry")
    def retry(self, message_id: int) -> None:
        try:
            self.post_message(self.Retried(retry_message(self.desk, message_id)))
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "outbox.retry"))

    @on(Retried)
    def _retried(self, event: Retried) -> None:
        self.notify(self.t("retried", id=event.message.id), timeout=4)
        if self.reading:
            self.open_message(event.message.id)
        self.refresh_list()

    def action_back(self) -> None:
        if self.reading:
            self.query_one("#outbox-steps", ContentSwitcher).current = "outbox-list"
            self.query_one("#outbox-list", DataTable).focus()
            self.clear_error()
            self.refresh_bindings()
        else:
            self.dismiss(None)
