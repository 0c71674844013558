"""A new booking taken at the desk or on the phone, with its confirmation and payment link in the same step.

Activity, date and time, participants (the total follows the activity's
price until the operator types another), the customer (found as you type, or
new), the language of the emails, and what to send: the confirmation with a
link for the deposit of the payment terms, for the full amount, or nothing.
Without an email address the confirmation cannot go out, and the screen says
so. The screen returns the new booking's reference, or ``None``.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    Static,
)
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from deskpay.domain.booking import price_of
from deskpay.domain.dates import read_day, read_time
from deskpay.domain.errors import DeskpayError, InvalidInput, error_text
from deskpay.domain.i18n import Section
from deskpay.domain.money import Money, parse_amount
from deskpay.domain.numbers import parse_count
from deskpay.services.bookings.activities import default_mode, list_activities, terms_for
from deskpay.services.bookings.create import NewBooking, book
from deskpay.services.bookings.customers import NewCustomer, find_customers
from deskpay.services.bookings.views import ActivityView, CustomerView
from deskpay.services.desk import Desk
from deskpay.tui.base import DeskScreen, amount_for_input
from deskpay.tui.messages import ActionFailed, BookingChanged, EmailQueued, LinkCreated

LABELS = Section("ui.new_booking")


class FormError(Exception):
    """A field the screen itself can tell is wrong, before asking any service."""


class NewBookingScreen(DeskScreen[str | None]):
    """Returns the reference of the booking created, or ``None`` when the operator cancels."""

    LABELS = LABELS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_booking.cancel"),
        Binding("ctrl+s", "save", "Save", id="new_booking.save"),
    ]

    class Activities(Message):
        def __init__(self, activities: list[ActivityView]) -> None:
            super().__init__()
            self.activities = activities

    class Matches(Message):
        def __init__(self, customers: list[CustomerView]) -> None:
            super().__init__()
            self.customers = customers

    class Saved(Message):
        def __init__(self, reference: str, confirmation_error: BaseException | None = None) -> None:
            super().__init__()
            self.reference = reference
            self.confirmation_error = confirmation_error

    def __init__(self, desk: Desk) -> None:
        super().__init__(desk)
        self.activities: dict[int, ActivityView] = {}
        self.matches: dict[str, CustomerView] = {}
        self.customer: CustomerView | None = None
        self.total_edited = False
        self.wanted_confirm: str | None = None
        self._auto_confirm: str | None = None
        self.busy = False

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        today = self.desk.now().astimezone(self.desk.settings.tz()).date()
        with VerticalScroll(id="new-booking"):
            yield Static(self.t("title"), classes="title")
            with Horizontal(classes="field"):
                yield Label(self.t("activity"), classes="field-label")
                yield Select([], id="activity", prompt=self.t("activity.prompt"), compact=True)
            with Horizontal(classes="field"):
                yield Label(self.t("date"), classes="field-label")
                yield Input(
                    today.strftime("%d/%m/%Y"),
                    id="date",
                    placeholder=self.t("date.placeholder"),
                    compact=True,
                    classes="short",
                )
                yield Label(self.t("time"), classes="inline-label")
                yield Input("", id="time", placeholder="HH:MM", compact=True, classes="tiny")
                yield Static("", id="departures", classes="hint")
            with Horizontal(classes="field"):
                yield Label(self.t("participants"), classes="field-label")
                yield Input("2", id="participants", type="integer", compact=True, classes="tiny")
                yield Label(self.t("total"), classes="inline-label")
                yield Input("", id="total", compact=True, classes="short")
                yield Static("", id="unit", classes="hint")
            with Horizontal(classes="field"):
                yield Label(self.t("customer"), classes="field-label")
                with RadioSet(id="customer-kind", compact=True):
                    yield RadioButton(self.t("customer.existing"), value=True, id="kind-existing")
                    yield RadioButton(self.t("customer.new"), id="kind-new")
            with Vertical(id="existing"):
                yield Input(id="search", placeholder=self.t("search.placeholder"), compact=True)
                yield OptionList(id="matches", compact=True)
                yield Static(self.t("chosen.none"), id="chosen", classes="hint")
            with Vertical(id="new-customer"):
                for field in ("name", "email", "phone"):
                    with Horizontal(classes="field"):
                        yield Label(self.t(field), classes="field-label")
                        yield Input(id=f"new-{field}", compact=True)
            with Horizontal(classes="field"):
                yield Label(self.t("language"), classes="field-label")
                yield Select(
                    [(self.t("lang.fr"), "fr"), (self.t("lang.en"), "en")],
                    id="language",
                    value=self.desk.lang,
                    allow_blank=False,
                    compact=True,
                )
            yield Label(self.t("confirm"), classes="section")
            with RadioSet(id="confirm", compact=True):
                yield RadioButton(self.t("confirm.deposit.none"), id="confirm-deposit")
                yield RadioButton(self.t("confirm.full", amount="—"), id="confirm-full")
                yield RadioButton(self.t("confirm.none"), value=True, id="confirm-none")
            yield Static("", id="confirm-reason", classes="hint")
            yield from self.form_end("save", self.t("save"))
        yield Footer()

    def on_mount(self) -> None:
        self.clear_error()
        self.query_one("#new-customer").display = False
        self.query_one("#activity", Select).focus()
        self.load_activities()
        self.search("")
        self._refresh_confirm()

    # --------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, exit_on_error=False, group="activities")
    def load_activities(self) -> None:
        try:
            self.post_message(self.Activities(list_activities(self.desk)))
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "new_booking.activities"))

    @on(Activities)
    def _activities(self, event: Activities) -> None:
        self.activities = {a.id: a for a in event.activities}
        self.query_one("#activity", Select).set_options((a.name, a.id) for a in event.activities)

    @property
    def activity(self) -> ActivityView | None:
        value = self.query_one("#activity", Select).value
        return self.activities.get(value) if isinstance(value, int) else None

    @on(Select.Changed, "#activity")
    def _activity_changed(self) -> None:
        activity = self.activity
        if activity is None:
            return
        times = [t for t in activity.start_times.split(",") if t]
        self.query_one("#departures", Static).update(self.t("departures", times=", ".join(times)) if times else "")
        clock = self.query_one("#time", Input)
        if times and clock.value not in times:
            clock.value = times[0]
        self.total_edited = False
        self._refresh_total()

    # ------------------------------------------------------------- money
    def _participants(self) -> int | None:
        text = self.query_one("#participants", Input).value.strip()
        return parse_count(text, max_digits=6)  # the activity's limit is checked on saving, with its reason

    def _auto_total(self) -> Money | None:
        activity, count = self.activity, self._participants()
        if activity is None or not count:
            return None
        return price_of(activity.unit_price, count)

    def _total(self) -> Money | None:
        activity = self.activity
        if activity is None:
            return None
        if not self.total_edited:
            return self._auto_total()
        try:
            return parse_amount(
                self.query_one("#total", Input).value,
                activity.currency,
                ceiling_minor=self.desk.settings.ceiling().minor,
            )
        except DeskpayError:
            return None

    @on(Input.Changed, "#participants")
    def _participants_changed(self) -> None:
        self._refresh_total()

    @on(Input.Changed, "#total")
    def _total_changed(self) -> None:
        self.total_edited = True
        self._refresh_confirm()

    def _refresh_total(self) -> None:
        activity, count = self.activity, self._participants()
        unit = self.query_one("#unit", Static)
        if activity is not None:
            price = Money(activity.unit_price_minor, activity.currency).format(self.lang)
            unit.update(self.t("unit", price=price, count=count or "?"))
        if not self.total_edited:
            total = self._auto_total()
            with self.prevent(Input.Changed):
                self.query_one("#total", Input).value = amount_for_input(total, self.lang) if total else ""
        self._refresh_confirm()

    # ------------------------------------------------------------- customer
    @on(RadioSet.Changed, "#customer-kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        new = event.pressed.id == "kind-new"
        self.query_one("#existing").display = not new
        self.query_one("#new-customer").display = new
        if new and not self.query_one("#new-name", Input).value:
            typed = self.query_one("#search", Input).value.strip()
            target = (
                "#new-email"
                if "@" in typed
                else "#new-phone"
                if typed[:1] in "+0123456789" and typed
                else ("#new-name")
            )
            self.query_one(target, Input).value = typed
        self._refresh_confirm()

    @property
    def new_customer(self) -> bool:
        return self.query_one("#kind-new", RadioButton).value

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search(self, text: str) -> None:
        try:
            customers = find_customers(self.desk, text, limit=20)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "new_booking.search"))
            return
        if not get_current_worker().is_cancelled:  # a newer search replaced this one
            self.post_message(self.Matches(customers))

    @on(Matches)
    def _matches(self, event: Matches) -> None:
        self.matches = {str(c.id): c for c in event.customers}
        options = self.query_one("#matches", OptionList)
        options.set_options(
            Option(
                Text(
                    " · ".join(part for part in (c.name, c.email or "—", c.phone or "") if part),
                    no_wrap=True,
                    overflow="ellipsis",
                ),
                id=str(c.id),
            )
            for c in event.customers
        )

    @on(Input.Submitted, "#search")
    def _to_matches(self) -> None:
        options = self.query_one("#matches", OptionList)
        if options.option_count:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#matches")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        customer = self.matches.get(event.option.id or "")
        if customer is None:
            return
        self.customer = customer
        details = " · ".join(part for part in (customer.name, customer.email, customer.phone) if part)
        self.query_one("#chosen", Static).update(self.t("chosen", name=details))
        self.query_one("#language", Select).value = customer.language if customer.language in ("fr", "en") else "fr"
        self._refresh_confirm()

    @on(Input.Changed, "#new-email")
    def _new_email_changed(self) -> None:
        self._refresh_confirm()

    # --------------------------------------------------------- confirmation
    def _has_email(self) -> bool:
        if self.new_customer:
            return bool(self.query_one("#new-email", Input).value.strip())
        return bool(self.customer and self.customer.email)

    def _refresh_confirm(self) -> None:
        """Amounts in the choices, and the choices disabled with their reason when there is no email."""

        lang = self.lang
        activity, total = self.activity, self._total()
        deposit = self.query_one("#confirm-deposit", RadioButton)
        full = self.query_one("#confirm-full", RadioButton)
        has_deposit = False
        if activity is not None and total is not None:
            terms = terms_for(self.desk, activity)
            has_deposit = terms.has_deposit
            deposit.label = (
                self.t("confirm.deposit", amount=terms.deposit_of(total).format(lang))
                if has_deposit
                else self.t("confirm.deposit.none")
            )
            full.label = self.t("confirm.full", amount=total.format(lang))
        else:  # no amount yet, or no longer (the participants were cleared): no stale figure either
            with_terms = activity is not None and terms_for(self.desk, activity).has_deposit
            deposit.label = self.t("confirm.deposit", amount="—") if with_terms else self.t("confirm.deposit.none")
            full.label = self.t("confirm.full", amount="—")
        can_send = self._has_email()
        deposit.disabled = not (can_send and has_deposit)
        full.disabled = not can_send
        reason = self.query_one("#confirm-reason", Static)
        reason.update("" if can_send else self.t("confirm.no_email"))
        # The operator's own choice, else what the activity's payment terms suggest; "none" when impossible.
        wanted = self.wanted_confirm or (default_mode(self.desk, activity) if activity is not None else "none")
        target = wanted if not self.query_one(f"#confirm-{wanted}", RadioButton).disabled else "none"
        if self.confirm_mode != target:
            self._auto_confirm = target
            self.query_one(f"#confirm-{target}", RadioButton).value = True

    @on(RadioSet.Changed, "#confirm")
    def _confirm_changed(self, event: RadioSet.Changed) -> None:
        mode = (event.pressed.id or "confirm-none").removeprefix("confirm-")
        if mode == self._auto_confirm:
            self._auto_confirm = None  # set by the screen, not chosen
            return
        self.wanted_confirm = mode

    @property
    def confirm_mode(self) -> str:
        pressed = self.query_one("#confirm", RadioSet).pressed_button
        return pressed.id.removeprefix("confirm-") if pressed is not None and pressed.id else "none"

    # ------------------------------------------------------------------ save
    def _form(self):
        activity = self.activity
        if activity is None:
            raise FormError("#activity", self.t("err.activity"))
        today = self.desk.now().astimezone(self.desk.settings.tz()).date()
        try:
            day = read_day(self.query_one("#date", Input).value, today)
        except InvalidInput as error:
            raise FormError("#date", error.text(self.lang)) from None
        try:
            clock = read_time(self.query_one("#time", Input).value)
        except InvalidInput as error:
            raise FormError("#time", error.text(self.lang)) from None
        participants = self._participants()
        if participants is None:
            raise FormError("#participants", self.t("err.participants"))
        if self.new_customer:
            customer: NewCustomer | int = NewCustomer(
                name=self.query_one("#new-name", Input).value,
                email=self.query_one("#new-email", Input).value.strip() or None,
                phone=self.query_one("#new-phone", Input).value.strip() or None,
                language=self._language(),
            )
        elif self.customer is not None:
            customer = self.customer.id
        else:
            raise FormError("#search", self.t("err.customer"))
        total = self.query_one("#total", Input).value if self.total_edited else None
        return NewBooking(
            activity=activity.id,
            start=datetime.combine(day, clock),
            participants=participants,
            customer=customer,
            language=self._language(),
            total=total,
        )

    def _language(self) -> str:
        value = self.query_one("#language", Select).value
        return value if isinstance(value, str) else self.desk.lang

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:
            return
        try:
            booking = self._form()
        except FormError as error:
            field, message = error.args
            self.show_error(message)
            self.query_one(field).focus()
            return
        self.clear_error()
        self._set_busy(True)
        self.save(booking, self.confirm_mode)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        button = self.query_one("#save", Button)
        button.disabled = busy
        button.label = self.t("saving" if busy else "save")

    @work(exclusive=True, exit_on_error=False, group="save")
    async def save(self, booking: NewBooking, mode: str) -> None:
        """Book: the booking, then its confirmation (a failed confirmation keeps the booking, and says why)."""
        try:
            booked = await book(self.desk, booking, mode)
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "new_booking.save"))
            return
        reference = booked.booking.reference
        self.post_message(BookingChanged(reference))
        sent = booked.confirmation
        if sent is not None:
            if sent.link is not None and not sent.reused_link:
                self.post_message(LinkCreated(reference, (sent.link.id,)))
            self.post_message(EmailQueued(reference, sent.to, "confirmation"))
        self.post_message(self.Saved(reference, booked.confirmation_error))

    def report_failure(self, event: ActionFailed) -> None:
        super().report_failure(event)
        self._set_busy(False)

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        if event.confirmation_error is not None:
            self.app.notify(
                self.t(
                    "saved.no_confirmation",
                    reference=event.reference,
                    reason=error_text(event.confirmation_error, self.lang),
                ),
                severity="error",
                timeout=15,
            )
        self.dismiss(event.reference)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
