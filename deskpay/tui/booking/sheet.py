"""One booking: who, what, when; its money and links; what was done. Every money action starts here.

The sheet paints at once and loads the booking in a thread worker; it loads
it again whenever :class:`BookingChanged` names it — after its own actions,
and when another desk or the sandbox page changed it (the app polls).
Actions on a link point at the selected row of the links table.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, get_current_worker

from deskpay.domain.booking import BookingStatus, can_collect, can_send_confirmation
from deskpay.domain.dates import format_when
from deskpay.domain.i18n import Section
from deskpay.domain.links import can_cancel, can_regenerate, can_share
from deskpay.services.bookings.confirmation import send_confirmation
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.bookings.views import BookingDetail
from deskpay.services.desk import Desk
from deskpay.services.links.lifecycle import cancel_link, regenerate_link
from deskpay.services.links.views import LinkView
from deskpay.services.money.collect import request_balance
from deskpay.tui.base import DeskScreen
from deskpay.tui.booking.activity_log import ActivityLog
from deskpay.tui.booking.client_pane import ClientPane
from deskpay.tui.booking.collect import CollectModal
from deskpay.tui.booking.customer_edit import CustomerEditModal
from deskpay.tui.booking.email_link import EmailLinkModal
from deskpay.tui.booking.payment_pane import LinksTable, PaymentPane
from deskpay.tui.booking.split import SplitModal
from deskpay.tui.common.banner import ModeBanner
from deskpay.tui.common.confirm import ConfirmModal
from deskpay.tui.common.key_bar import KeyBar
from deskpay.tui.messages import (
    BookingChanged,
    EmailQueued,
    LinkCancelled,
    LinkCreated,
)
from deskpay.tui.qr.screen import QrScreen

TICK_SECONDS = 5.0
NARROW_BELOW = 110

LABELS = Section("ui.sheet")

LINK_ACTIONS = {"copy_link", "show_qr", "email_link", "cancel_link", "regenerate_link"}
MONEY_ACTIONS = {"collect", "split", "request_balance"}


class BookingSheet(DeskScreen[None]):
    """The sheet of booking ``reference``."""

    STYLESHEETS = ()
    INLINE_ERRORS = False  # no #error line: the app shows refusals

    AUTO_FOCUS = "#links"

    BINDINGS = [
        Binding("escape", "back", "Back", id="sheet.back"),
        Binding("c", "collect", "Collect", id="sheet.collect"),
        Binding("s", "split", "Split", id="sheet.split"),
        Binding("b", "request_balance", "Request balance", id="sheet.balance"),
        Binding("e", "edit_customer", "Edit client", id="sheet.edit_customer"),
        Binding("r", "resend_confirmation", "Resend confirmation", id="sheet.confirmation"),
        Binding("y", "copy_link", "Copy link", id="sheet.copy"),
        Binding("q", "show_qr", "QR", id="sheet.qr"),
        Binding("m", "email_link", "Email link", id="sheet.email"),
        Binding("x", "cancel_link", "Cancel link", id="sheet.cancel"),
        Binding("g", "regenerate_link", "Regenerate", id="sheet.regenerate"),
        Binding("f5", "reload", "Refresh", show=False, id="sheet.reload"),
    ]

    class DetailLoaded(Message):
        def __init__(self, detail: BookingDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, desk: Desk, reference: str) -> None:
        super().__init__(desk)
        self.reference = reference.strip().upper()
        self.detail: BookingDetail | None = None

    # --- layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang, tz = self.lang, self.desk.settings.tz()
        yield ModeBanner()
        with VerticalScroll(id="sheet-scroll", can_focus=False):
            yield Static(Content(LABELS("loading", lang, reference=self.reference)), id="sheet-title")
            yield Static(id="sheet-notes")
            with Horizontal(id="sheet-body"):
                yield ClientPane(lang, id="client")
                yield PaymentPane(lang, tz, id="payment")
            yield Static(LABELS("history", lang), classes="pane-subtitle", id="history-title")
            yield ActivityLog(lang, tz, id="history")
        yield KeyBar()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_BELOW
        self.set_class(narrow, "-narrow")
        for pane in self.query(ClientPane).results(ClientPane):
            pane.compact = narrow
        for payment in self.query(PaymentPane).results(PaymentPane):
            payment.compact = narrow

    def worker_failed(self, worker: Worker) -> None:
        """The load worker failed (the app showed why): stop the spinner."""
        self.query_one("#sheet-body").loading = False

    def on_mount(self) -> None:
        self.title = self.reference
        try:
            self.query_one("#sheet-body").loading = True
            self.query_one(LinksTable).focus()
        except NoMatches:  # the app quit while the sheet was opening: its widgets are already gone
            return
        self._load()
        self.set_interval(TICK_SECONDS, self._tick)

    # --- loading -------------------------------------------------------------------------------------------

    def _load(self) -> None:
        self._fetch(self.reference)

    @work(thread=True, exclusive=True, group="sheet-load", exit_on_error=False)
    def _fetch(self, reference: str) -> None:
        detail = booking_detail(self.desk, reference)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail))

    @on(DetailLoaded)
    def _show(self, message: DetailLoaded) -> None:
        detail = self.detail = message.detail
        lang, tz = self.lang, self.desk.settings.tz()
        status = BookingStatus(detail.status).label(lang)
        title = " · ".join(
            (
                detail.reference,
                detail.activity,
                format_when(detail.start_at, tz, lang),
                LABELS("people", lang, n=detail.participants),
                status,
            )
        )
        self.query_one("#sheet-title", Static).update(Content(title))
        notes = self.query_one("#sheet-notes", Static)
        notes.update(Content(LABELS("notes", lang, notes=detail.notes)) if detail.notes else "")
        notes.display = bool(detail.notes)
        with self.app.batch_update():
            self.query_one(ClientPane).show(detail)
            self.query_one(PaymentPane).show(detail, self.desk.now())
            self.query_one(ActivityLog).show(detail.history)
        self.query_one("#sheet-body").loading = False
        self.refresh_bindings()

    def _tick(self) -> None:
        if self.detail is not None:
            self.query_one(PaymentPane).tick(self.desk.now())

    @on(BookingChanged)
    def _booking_changed(self, message: BookingChanged) -> None:
        if message.reference == self.reference:
            self._load()

    @on(DataTable.RowHighlighted, "#links")
    def _link_highlighted(self) -> None:
        self.refresh_bindings()  # which link actions apply depends on the selected link

    # --- what can be done now ------------------------------------------------------------------------------

    @property
    def selected_link(self) -> LinkView | None:
        return self.query_one(LinksTable).selected

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        detail = self.detail
        if action in MONEY_ACTIONS:
            if detail is None:
                return None
            return can_collect(detail.status, detail.amounts) or None
        if action in ("edit_customer",):
            return detail is not None or None
        if action == "resend_confirmation":
            return (detail is not None and can_send_confirmation(detail.status, detail.customer.email)) or None
        if action in LINK_ACTIONS:
            link = self.selected_link if detail is not None else None
            if link is None:
                return False  # no link: the link keys are not shown at all
            # Only what applies to the selected link is offered; the others are hidden, not greyed.
            if action == "regenerate_link":
                return can_regenerate(link.status)
            if action == "cancel_link":
                return can_cancel(link.status)
            return link.is_open and (can_share(link.status, bool(link.url)) or None)
        return True

    # --- actions -------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self._load()

    def _changed(self) -> None:
        """Our own action changed the booking: the app tells every screen, this one included."""

        self.app.post_message(BookingChanged(self.reference))

    def action_collect(self) -> None:
        self.app.push_screen(CollectModal(self.desk, self.reference), lambda _result: self._changed())

    def action_split(self) -> None:
        self.app.push_screen(SplitModal(self.desk, self.reference), lambda _result: self._changed())

    def action_edit_customer(self) -> None:
        if self.detail is None:
            return

        def edited(saved: bool | None) -> None:
            if saved:
                self._changed()

        self.app.push_screen(CustomerEditModal(self.desk, self.detail.customer), edited)

    def action_copy_link(self) -> None:
        link = self.selected_link
        if link is None or not link.url:
            return
        self.app.copy_to_clipboard(link.url)
        self.notify(LABELS("copied", self.lang, url=link.url))

    def action_show_qr(self) -> None:
        link = self.selected_link
        if link is not None:
            self.app.push_screen(QrScreen(self.desk, link.id), lambda _result: self._load())

    def action_email_link(self) -> None:
        link = self.selected_link
        if link is None:
            return

        def sent(done: bool | None) -> None:
            if done:
                self._changed()

        self.app.push_screen(EmailLinkModal(self.desk, link.id), sent)

    @work(exclusive=True, group="sheet-action", exit_on_error=False)
    async def action_cancel_link(self) -> None:
        link = self.selected_link
        if link is None or not link.is_open:
            return
        question = LABELS(
            "cancel_question", self.lang, label=link.label or f"#{link.id}", amount=link.amount.format(self.lang)
        )
        if not await self.app.push_screen_wait(ConfirmModal(question, danger=True)):
            return
        cancelled = await cancel_link(self.desk, link.id)
        self.post_message(LinkCancelled(self.reference, cancelled.id))

    @on(LinkCancelled)
    def _link_cancelled(self, message: LinkCancelled) -> None:
        links = self.detail.links if self.detail is not None else ()
        link = next((item for item in links if item.id == message.link_id), None)
        if link is not None:
            self.notify(LABELS("cancelled", self.lang, amount=link.amount.format(self.lang)))
        self._changed()

    @work(exclusive=True, group="sheet-action", exit_on_error=False)
    async def action_regenerate_link(self) -> None:
        link = self.selected_link
        if link is None or not can_regenerate(link.status):
            return
        outcome = await regenerate_link(self.desk, link.id)
        for view in outcome.created:
            self.notify(LABELS("regenerated", self.lang, amount=view.amount.format(self.lang)))
        self.post_message(LinkCreated(self.reference, tuple(view.id for view in outcome.created)))
        for view in outcome.created:
            if outcome.emails_queued and view.recipient_email:
                self.post_message(EmailQueued(self.reference, view.recipient_email, "payment_link"))

    @on(LinkCreated)
    def _link_created(self, message: LinkCreated) -> None:
        self._changed()

    @on(EmailQueued)
    def _email_queued(self, message: EmailQueued) -> None:
        key = "confirmation_sent" if message.kind == "confirmation" else "email_queued"
        self.notify(LABELS(key, self.lang, to=message.to))

    @work(exclusive=True, group="sheet-action", exit_on_error=False)
    async def action_request_balance(self) -> None:
        detail = self.detail
        if detail is None or not detail.amounts.requestable:
            return
        email = detail.customer.email
        amount = detail.amounts.requestable.format(self.lang)
        question = (
            LABELS("balance_question_email", self.lang, amount=amount, to=email)
            if email
            else LABELS("balance_question", self.lang, amount=amount)
        )
        if not await self.app.push_screen_wait(ConfirmModal(question)):
            return
        outcome = await request_balance(self.desk, self.reference, send_email=bool(email))
        created = outcome.created
        self.notify(
            LABELS("balance_done", self.lang, amount=created[0].amount.format(self.lang) if created else amount)
        )
        self.post_message(LinkCreated(self.reference, tuple(view.id for view in created)))
        if outcome.emails_queued and email:
            self.post_message(EmailQueued(self.reference, email, "balance_request"))

    @work(exclusive=True, group="sheet-action", exit_on_error=False)
    async def action_resend_confirmation(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if not detail.customer.email:
            self.notify(LABELS("no_email", self.lang, name=detail.customer.name), severity="warning")
            return
        sent = await send_confirmation(self.desk, self.reference)
        self.post_message(EmailQueued(self.reference, sent.to, "confirmation"))
        if sent.link is not None and not sent.reused_link:
            self.post_message(LinkCreated(self.reference, (sent.link.id,)))
        else:
            self._changed()
