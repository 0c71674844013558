"""Encaisser: take money for a booking at the desk, or open a payment link for it.

The amount starts at what can still be collected (the balance minus open
links) and can be typed in French or English form. Card, cash, transfer and
voucher record the payment at once; "online" opens a payment link and then
offers to email it, copy it, or show its QR code to the customer at the desk.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
)
from textual.widgets.option_list import Option

from deskpay.domain.dates import format_when
from deskpay.domain.errors import DeskpayError, error_text
from deskpay.domain.i18n import Section
from deskpay.domain.money import parse_amount
from deskpay.domain.payments import CollectMode
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.bookings.views import BookingDetail
from deskpay.services.desk import Desk
from deskpay.services.links.lifecycle import get_link
from deskpay.services.links.open import LinksOutcome
from deskpay.services.links.views import LinkView
from deskpay.services.money.collect import collect
from deskpay.services.money.views import PaymentView
from deskpay.tui.base import DeskModal, amount_for_input
from deskpay.tui.booking.email_link import EmailLinkModal
from deskpay.tui.messages import (
    ActionFailed,
    BookingChanged,
    LinkCreated,
    PaymentRecorded,
)
from deskpay.tui.qr.screen import QrScreen

NEXT_STEPS = ("send_email", "copy", "show_qr", "finish")
"""What the operator can do once the link exists, in the order offered."""

LABELS = Section("ui.collect")


@dataclass(frozen=True, slots=True)
class CollectResult:
    """What Encaisser did: a payment recorded at the desk, or a link opened (and maybe emailed)."""

    reference: str
    mode: CollectMode
    """``online`` or one of the desk modes (card, cash, transfer, voucher)."""
    payment: PaymentView | None = None
    """The payment recorded, for an offline mode."""
    links: LinksOutcome | None = None
    """The link opened, for ``online``."""
    emailed_to: str | None = None
    """Where the link's email was queued, if the operator sent it."""

    @property
    def link(self) -> LinkView | None:
        return self.links.links[0] if self.links and self.links.links else None


class CollectModal(DeskModal[CollectResult | None]):
    """Encaisser for one booking. Escape before anything is saved returns ``None``;
    once a link exists, closing returns the result (the link is real)."""

    LABELS = LABELS
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="collect.cancel"),
        Binding("ctrl+s", "submit", "Confirm", id="collect.submit"),
        Binding("e", "send_email", "Email", id="collect.send_email"),
        Binding("c", "copy", "Copy", id="collect.copy"),
        Binding("q", "show_qr", "QR code", id="collect.show_qr"),
    ]

    class Loaded(Message):
        def __init__(self, detail: BookingDetail) -> None:
            super().__init__()
            self.detail = detail

    class Recorded(Message):
        def __init__(self, payment: PaymentView) -> None:
            super().__init__()
            self.payment = payment

    class LinkReady(Message):
        def __init__(self, outcome: LinksOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class EmailStep(Message):
        def __init__(self, to: str | None) -> None:
            super().__init__()
            self.to = to

    def __init__(self, desk: Desk, reference: str) -> None:
        super().__init__(desk)
        self.reference = reference
        self.detail: BookingDetail | None = None
        self.outcome: LinksOutcome | None = None
        self.emailed_to: str | None = None
        self.busy = False

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Vertical(id="collect", classes="dialog"):
            yield Static(self.t("title", reference=self.reference), classes="title")
            yield Static(self.t("loading"), id="summary")
            yield Static("", id="figures")
            with ContentSwitcher(initial="form", id="steps"):
                with Vertical(id="form"):
                    with Horizontal(classes="field"):
                        yield Label(self.t("amount"), classes="field-label")
                        yield Input(id="amount", compact=True, select_on_focus=True)
                    yield Static("", id="amount-hint", classes="hint")
                    with Horizontal(classes="field"):
                        yield Label(self.t("mode"), classes="field-label")
                        with RadioSet(id="mode", compact=True):
                            for index, mode in enumerate(CollectMode):
                                yield RadioButton(
                                    self.t(f"mode.{mode.value}"), value=index == 0, id=f"mode-{mode.value}"
                                )
                with Vertical(id="done"):
                    yield Static("", id="done-title", classes="title")
                    yield Static("", id="link-url", classes="url")
                    yield Static("", id="link-expiry", classes="hint")
                    yield Static("", id="email-state", classes="hint")
                    yield OptionList(
                        *(Option(self.t(step), id=step) for step in NEXT_STEPS), id="next-steps", compact=True
                    )
            yield from self.form_end("submit", self.t("submit.online"), disabled=True, buttons_id="form-buttons")
        yield Footer()

    def on_mount(self) -> None:
        self.clear_error()
        self.query_one("#amount", Input).focus()
        self.load()

    # ------------------------------------------------------------------ state
    @property
    def mode(self) -> CollectMode:
        pressed = self.query_one("#mode", RadioSet).pressed_button
        return (
            CollectMode(pressed.id.removeprefix("mode-")) if pressed is not None and pressed.id else CollectMode.ONLINE
        )

    @property
    def link_created(self) -> bool:
        return self.outcome is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("send_email", "copy", "show_qr"):
            return self.link_created
        if action == "submit":
            return not self.link_created
        return True

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        submit = self.query_one("#submit", Button)
        submit.disabled = busy or self.detail is None
        submit.label = self.t("working") if busy else self._submit_label()
        self.query_one("#amount", Input).disabled = busy
        self.query_one("#mode", RadioSet).disabled = busy

    def _submit_label(self) -> str:
        return self.t("submit.offline" if self.mode.is_desk else "submit.online")

    # ---------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(booking_detail(self.desk, self.reference)))
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "collect.load"))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        detail = self.detail = event.detail
        lang = self.lang
        amounts = detail.amounts
        self.query_one("#summary", Static).update(
            self.t("summary", customer=detail.customer.name, activity=detail.activity)
        )
        figures = self.t(
            "figures",
            total=amounts.total.format(lang),
            paid=amounts.paid.format(lang),
            balance=amounts.balance.clamp_min_zero().format(lang),
        )
        if amounts.pending:
            figures += self.t("pending", pending=amounts.pending.format(lang))
        self.query_one("#figures", Static).update(figures)
        amount = self.query_one("#amount", Input)
        amount.value = amount_for_input(amounts.requestable, lang) if amounts.requestable else ""
        amount.select_all()  # typing replaces the suggested amount
        self._echo(amount.value)
        self._set_busy(False)

    # ------------------------------------------------------------- the form
    @on(Input.Changed, "#amount")
    def _amount_changed(self, event: Input.Changed) -> None:
        self._echo(event.value)

    def _echo(self, text: str) -> None:
        """Say what the typed amount reads as, or why it cannot be read, before anything is sent."""
        hint = self.query_one("#amount-hint", Static)
        if self.detail is None:
            return
        requestable = self.detail.amounts.requestable
        hint.remove_class("bad")
        if not requestable and not text.strip():
            hint.update(self.t("nothing_left"))
            return
        try:
            money = parse_amount(text, self.detail.currency, ceiling_minor=self.desk.settings.ceiling().minor)
        except DeskpayError as error:
            hint.update(error.text(self.lang))
            hint.add_class("bad")
            return
        if money > requestable:
            hint.update(self.t("over", requestable=requestable.format(self.lang)))
            hint.add_class("bad")
            return
        hint.update(self.t("echo", amount=money.format(self.lang)))

    @on(RadioSet.Changed, "#mode")
    def _mode_changed(self) -> None:
        if not self.busy:
            self.query_one("#submit", Button).label = self._submit_label()

    @on(Input.Submitted, "#amount")
    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.busy or self.detail is None or self.link_created:
            return
        self.clear_error()
        self._set_busy(True)
        self.take(self.query_one("#amount", Input).value, self.mode)

    @work(exclusive=True, exit_on_error=False, group="collect")
    async def take(self, amount: str, mode: CollectMode) -> None:
        """Record the desk payment, or open the link: one call, whatever the mode."""

        try:
            done = await collect(self.desk, self.reference, amount, mode)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, f"collect.{mode.value}"))
            return
        if done.payment is not None:
            self.post_message(PaymentRecorded(self.reference, done.payment.id))
            self.post_message(BookingChanged(self.reference))
            self.post_message(self.Recorded(done.payment))
        elif done.links is not None:
            self.post_message(LinkCreated(self.reference, tuple(link.id for link in done.links.created)))
            self.post_message(BookingChanged(self.reference))
            self.post_message(self.LinkReady(done.links))

    def report_failure(self, event: ActionFailed) -> None:
        super().report_failure(event)
        if not self.link_created:
            self._set_busy(False)
            self.query_one("#amount", Input).focus()

    @on(Recorded)
    def _recorded(self, event: Recorded) -> None:
        self.dismiss(CollectResult(self.reference, CollectMode(event.payment.method), payment=event.payment))

    # ------------------------------------------------------ after the link
    @on(LinkReady)
    def _link_ready(self, event: LinkReady) -> None:
        self.outcome = event.outcome
        self.busy = False
        link = event.outcome.links[0]

        self.query_one("#done-title", Static).update(self.t("done.title", amount=link.amount.format(self.lang)))
        self.query_one("#link-url", Static).update(link.url or "")
        self.query_one("#link-expiry", Static).update(
            self.t("done.expires", when=format_when(link.expires_at, self.desk.settings.tz(), self.lang))
        )
        self.query_one("#steps", ContentSwitcher).current = "done"
        self.query_one("#form-buttons").display = False
        steps = self.query_one("#next-steps", OptionList)
        steps.highlighted = 0
        steps.focus()
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#next-steps")
    async def _next_step(self, event: OptionList.OptionSelected) -> None:
        await self.run_action("cancel" if event.option.id in ("finish", None) else event.option.id)

    @property
    def link(self) -> LinkView | None:
        return self.outcome.links[0] if self.outcome and self.outcome.links else None

    def action_send_email(self) -> None:
        if self.link is not None:
            self.email_flow()

    @work(exclusive=True, exit_on_error=False, group="flow")
    async def email_flow(self) -> None:
        """Collect → email: the email modal is pushed and awaited inside this worker."""

        link = self.link
        assert link is not None
        sent = await self.app.push_screen_wait(EmailLinkModal(self.desk, link.id))
        to = None
        if sent:
            to = (await asyncio.to_thread(get_link, self.desk, link.id)).recipient_email or "?"
        self.post_message(self.EmailStep(to))

    @on(EmailStep)
    def _email_step(self, event: EmailStep) -> None:
        if event.to:
            self.emailed_to = event.to
        self.query_one("#email-state", Static).update(
            self.t("emailed", to=event.to) if event.to else self.t("not_emailed")
        )

    def action_copy(self) -> None:
        link = self.link
        if link is not None and link.url:
            self.app.copy_to_clipboard(link.url)
            self.notify(self.t("copied"), timeout=3)

    def action_show_qr(self) -> None:
        link = self.link
        if link is not None:
            self.app.push_screen(QrScreen(self.desk, link.id))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.outcome is not None:
            self.dismiss(
                CollectResult(self.reference, CollectMode.ONLINE, links=self.outcome, emailed_to=self.emailed_to)
            )
        elif not self.busy:
            self.dismiss(None)


__all__ = ["CollectModal", "CollectResult", "error_text"]
