"""Split a booking's payment into several links, one per participant, each to its own email.

The amount to split starts at what can still be requested and is shared
equally (remainder cents on the first shares); any share can then be changed
by hand. The total of the shares is checked live against what can be
requested: over it, the error says so and "create" stays disabled. One step
creates every link and queues the email of each share that has an address.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Static

from deskpay.domain.errors import DeskpayError, InvalidInput
from deskpay.domain.i18n import Section
from deskpay.domain.money import Money, parse_amount
from deskpay.domain.numbers import parse_count
from deskpay.domain.split import MAX_SHARES, equal_shares
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.bookings.views import BookingDetail
from deskpay.services.desk import Desk
from deskpay.services.links.open import LinksOutcome
from deskpay.services.money.split import default_label, split_booking
from deskpay.tui.base import DeskModal, amount_for_input
from deskpay.tui.messages import ActionFailed, BookingChanged, EmailQueued, LinkCreated

LABELS = Section("ui.split")


class ShareRow(Horizontal):
    """One share: its label, its amount, and the optional address its link is emailed to."""

    def __init__(self, index: int, label: str, amount: str, email: str = "", *, email_placeholder: str) -> None:
        super().__init__(classes="share", id=f"share-{index}")
        self.index = index
        self._initial = (label, amount, email, email_placeholder)

    def compose(self) -> ComposeResult:
        label, amount, email, placeholder = self._initial
        yield Input(label, classes="share-label", compact=True, select_on_focus=True)
        yield Input(amount, classes="share-amount", compact=True, select_on_focus=True)
        yield Input(email, classes="share-email", compact=True, placeholder=placeholder)

    def values(self) -> tuple[str, str, str]:
        label, amount, email = (w.value for w in self.query(Input))
        return label, amount, email


class SplitModal(DeskModal[LinksOutcome | None]):
    """The links created (with their failures, if the provider refused some), or ``None`` when cancelled."""

    LABELS = LABELS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="split.cancel"),
        Binding("ctrl+s", "create", "Create", id="split.create"),
    ]

    class Loaded(Message):
        def __init__(self, detail: BookingDetail) -> None:
            super().__init__()
            self.detail = detail

    class Created(Message):
        def __init__(self, outcome: LinksOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, desk: Desk, reference: str) -> None:
        super().__init__(desk)
        self.reference = reference
        self.detail: BookingDetail | None = None
        self.busy = False
        self.valid = False

    def compose(self) -> ComposeResult:
        with Vertical(id="split", classes="dialog"):
            yield Static(self.t("title", reference=self.reference), classes="title")
            yield Static(self.t("loading"), id="summary", classes="hint")
            with Horizontal(classes="field"):
                yield Label(self.t("total"), classes="field-label wide")
                yield Input(id="total", compact=True, select_on_focus=True, disabled=True)
                yield Label(self.t("parts"), classes="field-label short")
                yield Input(id="parts", type="integer", compact=True, select_on_focus=True, disabled=True)
            with Horizontal(classes="share-head"):
                yield Label(self.t("col.label"), classes="share-label")
                yield Label(self.t("col.amount"), classes="share-amount")
                yield Label(self.t("col.email"), classes="share-email")
            yield VerticalScroll(id="shares")
            yield Static("", id="sum", classes="hint")
            yield from self.form_end("create", self.t("create", count=2), disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.clear_error()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(booking_detail(self.desk, self.reference)))
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "split.load"))

    @on(Loaded)
    async def _loaded(self, event: Loaded) -> None:
        detail = self.detail = event.detail
        requestable = detail.amounts.requestable
        self.query_one("#summary", Static).update(
            self.t(
                "summary",
                customer=detail.customer.name,
                activity=detail.activity,
                requestable=requestable.format(self.lang),
            )
        )
        total = self.query_one("#total", Input)
        parts = self.query_one("#parts", Input)
        total.disabled = parts.disabled = False
        with self.prevent(Input.Changed):
            total.value = amount_for_input(requestable, self.lang) if requestable else ""
            parts.value = str(max(2, min(detail.participants, MAX_SHARES)))
        await self._reshare()
        total.focus()

    # --------------------------------------------------------- equal shares
    @on(Input.Changed, "#total, #parts")
    async def _split_changed(self) -> None:
        await self._reshare()

    def _count(self) -> int:
        text = self.query_one("#parts", Input).value.strip()
        count = parse_count(text, max_digits=4) or 0
        if not 1 <= count <= MAX_SHARES:
            raise InvalidInput("split.bad_count", max=MAX_SHARES)
        return count

    def _money(self, text: str) -> Money:
        assert self.detail is not None
        return parse_amount(text, self.detail.currency, ceiling_minor=self.desk.settings.ceiling().minor)

    async def _reshare(self) -> None:
        """Equal shares of the amount to split, keeping the labels and emails already typed."""
        if self.detail is None:
            return
        if not self.detail.amounts.requestable:
            self._invalid(self.t("nothing"))
            return
        try:
            count = self._count()
            shares = equal_shares(self._money(self.query_one("#total", Input).value), count)
        except DeskpayError as error:
            self._invalid(error.text(self.lang))
            return
        container = self.query_one("#shares", VerticalScroll)
        rows = list(container.query(ShareRow))
        for row in rows[count:]:
            await row.remove()
        with self.prevent(Input.Changed):
            for row, share in zip(rows, shares, strict=False):
                row.query_one(".share-amount", Input).value = amount_for_input(share, self.lang)
        new_rows = [
            ShareRow(
                index,
                default_label(index, self.lang),
                amount_for_input(shares[index - 1], self.lang),
                email_placeholder=self.t("email.placeholder"),
            )
            for index in range(len(rows) + 1, count + 1)
        ]
        if new_rows:
            await container.mount_all(new_rows)
        self._check_sum()

    # ------------------------------------------------------------ live sum
    @on(Input.Changed, ".share-amount")
    def _share_changed(self) -> None:
        self._check_sum()

    def _shares(self) -> list[Money]:
        shares = []
        for row in self.query(ShareRow):
            try:
                shares.append(self._money(row.values()[1]))
            except DeskpayError as error:
                raise InvalidInput("split.bad_share", index=row.index, reason=error.text(self.lang)) from None
        return shares

    def _check_sum(self) -> None:
        assert self.detail is not None
        lang = self.lang
        requestable = self.detail.amounts.requestable
        if not requestable:
            self._invalid(self.t("nothing"))
            return
        try:
            shares = self._shares()
        except InvalidInput as error:
            self._invalid(error.text(lang))
            return
        if not shares:
            self._invalid(self.t("bad_parts", max=MAX_SHARES))
            return
        total = sum(shares[1:], shares[0])
        if total > requestable:
            self._invalid(
                self.t(
                    "sum.over",
                    total=total.format(lang),
                    over=(total - requestable).format(lang),
                    requestable=requestable.format(lang),
                )
            )
            return
        self.valid = True
        sum_line = self.query_one("#sum", Static)
        sum_line.update(self.t("sum.ok", total=total.format(lang), requestable=requestable.format(lang)))
        sum_line.remove_class("bad")
        self.clear_error()
        self._update_button(len(shares))

    def _invalid(self, text: str) -> None:
        self.valid = False
        sum_line = self.query_one("#sum", Static)
        sum_line.update(text)
        sum_line.add_class("bad")
        self._update_button(len(self.query(ShareRow)))

    def _update_button(self, count: int) -> None:
        button = self.query_one("#create", Button)
        button.disabled = self.busy or not self.valid
        if self.busy:
            button.label = self.t("working")
        else:
            button.label = self.t("create.one") if count == 1 else self.t("create", count=count)

    # -------------------------------------------------------------- create
    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        if self.busy or not self.valid or self.detail is None:
            return
        rows = [row.values() for row in self.query(ShareRow)]
        labels = [label.strip() for label, _, _ in rows]
        amounts = self._shares()
        emails = [email.strip() or None for _, _, email in rows]
        self.clear_error()
        self.busy = True
        self._update_button(len(rows))
        self.create(labels, amounts, emails if any(emails) else None)

    @work(exclusive=True, exit_on_error=False, group="create")
    async def create(self, labels: list[str], amounts: list[Money], emails: list[str | None] | None) -> None:
        try:
            outcome = await split_booking(
                self.desk, self.reference, amounts=amounts, emails=emails, labels=labels, send_email=True
            )
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "split.create"))
            return
        self.post_message(LinkCreated(self.reference, tuple(link.id for link in outcome.created)))
        for link in outcome.created:
            if link.recipient_email:
                self.post_message(EmailQueued(self.reference, link.recipient_email, "split_share"))
        self.post_message(BookingChanged(self.reference))
        self.post_message(self.Created(outcome))

    def report_failure(self, event: ActionFailed) -> None:
        super().report_failure(event)
        self.busy = False
        if self.detail is not None:
            self._update_button(len(self.query(ShareRow)))

    @on(Created)
    def _created(self, event: Created) -> None:
        self.dismiss(event.outcome)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
