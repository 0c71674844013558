"""Home screen: the day's bookings first, filtered and searched in the database, paged as one scrolls.

The table is the result of a query (:func:`search_bookings`): typing, a
quick filter or "unpaid only" starts a new query in an exclusive worker that
cancels the stale one; scrolling near the end loads the next page; rows that
change (here or in another process) are fetched again by reference and
redrawn in place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from babel.numbers import format_decimal
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Input, Static
from textual.worker import Worker, get_current_worker

from deskpay.domain.dates import read_day
from deskpay.domain.errors import InvalidInput
from deskpay.domain.i18n import Section, has, text
from deskpay.domain.money import babel_locale
from deskpay.services.bookings.listing import BookingQuery, search_bookings
from deskpay.services.bookings.views import BookingPage, BookingRow
from deskpay.services.desk import Desk
from deskpay.tui.base import DeskScreen
from deskpay.tui.common.banner import ModeBanner
from deskpay.tui.common.key_bar import KeyBar
from deskpay.tui.messages import BookingChanged, FirstListShown, OpenBooking
from deskpay.tui.reservations.booking_table import BookingTable
from deskpay.tui.reservations.period_bar import Period, PeriodBar

PAGE_SIZE = 100
LIVE_REFRESH_LIMIT = 60

LABELS = Section("ui.reservations")


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What the operator asked the list to show."""

    text: str = ""
    period: Period = Period.ALL
    day: date | None = None
    unpaid_only: bool = False

    def query(self, today: date, offset: int = 0, limit: int = PAGE_SIZE) -> BookingQuery:
        day_from, day_to = self.period.days(today, self.day)
        return BookingQuery(
            text=self.text, day_from=day_from, day_to=day_to, unpaid_only=self.unpaid_only, offset=offset, limit=limit
        )


class ReservationsScreen(DeskScreen[None]):
    """The bookings list, with search, quick date filters and "unpaid only"."""

    STYLESHEETS = ()
    INLINE_ERRORS = False  # no #error line: the app shows refusals

    AUTO_FOCUS = "BookingTable"

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="reservations.search"),
        Binding("enter", "open_sheet", "Open", id="reservations.open"),
        Binding("n", "new_booking", "New", id="reservations.new"),
        Binding("o", "outbox", "Outbox", id="reservations.outbox"),
        Binding("u", "toggle_unpaid", "Unpaid", id="reservations.unpaid"),
        Binding("1", "period('today')", "Period", key_display="1-5", id="reservations.today"),
        Binding("2", "period('tomorrow')", "Tomorrow", show=False, id="reservations.tomorrow"),
        Binding("3", "period('week')", "This week", show=False, id="reservations.week"),
        Binding("4", "period('all')", "All dates", show=False, id="reservations.all"),
        Binding("5", "focus_day", "A date…", show=False, id="reservations.day"),
        Binding("f5", "reload", "Refresh", show=False, id="reservations.reload"),
        Binding("escape", "focus_table", "Back to the list", show=False, id="reservations.back"),
    ]

    class PageLoaded(Message):
        """A page of the list came back from the database (``append``: the next page, else the first)."""

        def __init__(self, generation: int, page: BookingPage, append: bool) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.append = append

    class RowsRefreshed(Message):
        """Bookings that changed, fetched again with the list's filter (``gone``: no longer match it)."""

        def __init__(self, generation: int, rows: list[BookingRow], gone: list[str], total: int | None) -> None:
            super().__init__()
            self.generation = generation
            self.rows = rows
            self.gone = gone
            self.total = total

    def __init__(self, desk: Desk) -> None:
        super().__init__(desk)
        self.filter = ListFilter()
        self.total = 0
        self.total_is_exact = True  # False: a very broad search counts "1 000+"
        self._generation = 0
        self._loading_first = False
        self._loading_more = False
        self._changed: set[str] = set()
        self._refresh_pending = False
        self._open_when_loaded = False  # Enter on the list before its answer: open its first row
        self._open_if_single = False  # Enter in the search before its answer: open a single match
        self._first_shown = False

    # --- layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield ModeBanner()
        with Horizontal(id="search-row"):
            yield Input(placeholder=LABELS("search", lang), id="search", compact=True)
            yield Static(LABELS("loading", lang), id="count")
        with Horizontal(id="filter-row"):
            yield PeriodBar(lang, id="periods")
            yield Input(placeholder=LABELS("day", lang), id="day", compact=True, max_length=10)
            yield Checkbox(LABELS("unpaid", lang), id="unpaid", compact=True)
        yield BookingTable(lang, self.desk.settings.tz(), search_field="#search", id="bookings")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = LABELS("title", self.lang)
        self._reload()

    def command_title(self, binding: Binding) -> str:
        """The command palette's name for a key (the footer's "Période" is "Aujourd'hui" there)."""
        key = f"command.{binding.id}"
        return text(key, self.lang) if has(key) else binding.description

    def worker_failed(self, worker: Worker) -> None:
        """A load worker failed (the app showed why): stop waiting for it."""
        self._loading_first = self._loading_more = self._refresh_pending = False
        self._open_when_loaded = self._open_if_single = False
        if not self._first_shown:
            self._first_shown = True
            self.post_message(FirstListShown())  # nothing to paint: the app need not wait any longer

    # --- queries (workers post messages; handlers own the widgets) ----------------------------------------

    def _today(self) -> date:
        return self.desk.now().astimezone(self.desk.settings.tz()).date()

    def _reload(self) -> None:
        self._generation += 1
        self._loading_first = True
        self._loading_more = False
        self._load_first(self._generation, self.filter.query(self._today()))

    @work(thread=True, exclusive=True, group="bookings-first", exit_on_error=False)
    def _load_first(self, generation: int, query: BookingQuery) -> None:
        page = search_bookings(self.desk, query)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(generation, page, append=False))

    @work(thread=True, exclusive=True, group="bookings-more", exit_on_error=False)
    def _load_more(self, generation: int, query: BookingQuery) -> None:
        page = search_bookings(self.desk, query)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PageLoaded(generation, page, append=True))

    @work(thread=True, exclusive=True, group="bookings-live", exit_on_error=False)
    def _refetch(self, generation: int, references: list[str], recount: bool) -> None:
        today = self._today()
        base = self.filter
        rows: list[BookingRow] = []
        gone: list[str] = []
        for reference in references:
            page = search_bookings(self.desk, replace(base, text=reference).query(today, limit=5))
            match = next((row for row in page.rows if row.reference == reference), None)
            if match is None:
                gone.append(reference)
            else:
                rows.append(match)
        total = search_bookings(self.desk, base.query(today, limit=1)).total_count if recount else None
        self.post_message(self.RowsRefreshed(generation, rows, gone, total))

    @on(PageLoaded)
    def _show_page(self, message: PageLoaded) -> None:
        if message.generation != self._generation:
            return  # an answer to a question nobody is asking any more
        table = self.query_one(BookingTable)
        if message.append:
            self._loading_more = False
        else:
            self._loading_first = False
        with self.app.batch_update():
            table.show_page(message.page.rows, append=message.append)
        self.total = message.page.total_count
        self.total_is_exact = message.page.total_is_exact
        self._show_count()
        if not self._first_shown:
            self._first_shown = True
            self.call_after_refresh(self.post_message, FirstListShown())
        if not message.append and (self._open_when_loaded or (self._open_if_single and self.total == 1)):
            self._open_when_loaded = self._open_if_single = False
            self._open(table.current_reference)
        self._open_if_single = False

    @on(RowsRefreshed)
    def _show_refreshed(self, message: RowsRefreshed) -> None:
        self._refresh_pending = False
        if message.generation != self._generation:
            return
        table = self.query_one(BookingTable)
        with self.app.batch_update():
            for row in message.rows:
                table.update_booking(row)
            for reference in message.gone:
                table.remove_booking(reference)
        if message.total is not None:
            self.total = message.total
        self._show_count()
        if self._changed:
            self._schedule_refresh()

    def _show_count(self) -> None:
        table = self.query_one(BookingTable)
        total = _number(self.total, self.lang) + ("" if self.total_is_exact else "+")
        text = (
            LABELS("count", self.lang, shown=_number(table.loaded, self.lang), total=total)
            if self.total
            else LABELS("count_none", self.lang)
        )
        # A fixed-width field: no layout pass for every keystroke.
        self.query_one("#count", Static).update(Content(text), layout=False)

    @on(BookingTable.NearEnd)
    def _next_page(self) -> None:
        table = self.query_one(BookingTable)
        if self._loading_first or self._loading_more or table.loaded >= self.total or not table.near_end():
            return
        self._loading_more = True
        self._load_more(self._generation, self.filter.query(self._today(), offset=table.loaded))

    # --- live updates ------------------------------------------------------------------------------------

    @on(BookingChanged)
    def _booking_changed(self, message: BookingChanged) -> None:
        self._changed.add(message.reference)
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        if self._refresh_pending or self._loading_first:
            return
        self._refresh_pending = True
        self.set_timer(0.05, self._refresh_changed)

    def _refresh_changed(self) -> None:
        table = self.query_one(BookingTable)
        changed, self._changed = self._changed, set()
        shown = [ref for ref in changed if ref in table.rows_by_reference]
        if len(shown) > LIVE_REFRESH_LIMIT:
            self._refresh_pending = False
            self._reload()  # a bulk change: asking again is cheaper than one query per row
            return
        if not shown and not (changed - set(shown)):
            self._refresh_pending = False
            return
        self._refetch(self._generation, shown, recount=bool(changed - set(shown)))

    # --- filters -----------------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._set_filter(replace(self.filter, text=event.value.strip()))

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        """Enter in the search box: a single match opens at once (a typed reference); else go to the list.

        Keys typed quickly arrive before the focus moves, so a second Enter may
        land here too: it is the same request, not a second sheet.
        """
        self._focus(self.query_one(BookingTable))
        if self._loading_first:
            self._open_if_single = True  # decided when the answer comes
        elif self.total == 1:
            self._open(self.query_one(BookingTable).current_reference)

    @on(Input.Submitted, "#day")
    def _day_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.action_period("all")
            return
        day_input = self.query_one("#day", Input)
        try:
            day = read_day(text, self._today())
        except InvalidInput as error:
            day_input.add_class("-invalid")
            self.app.notify(error.text(self.lang), severity="error")
            return
        day_input.remove_class("-invalid")
        day_input.value = day.strftime("%d/%m/%Y")
        self.query_one(PeriodBar).period = Period.DAY
        self._set_filter(replace(self.filter, period=Period.DAY, day=day))
        self._focus(self.query_one(BookingTable))

    @on(Checkbox.Changed, "#unpaid")
    def _unpaid_changed(self, event: Checkbox.Changed) -> None:
        self._set_filter(replace(self.filter, unpaid_only=event.value))

    def _set_filter(self, new: ListFilter) -> None:
        if new != self.filter:
            self.filter = new
            self._reload()

    # --- actions -----------------------------------------------------------------------------------------

    def _focus(self, widget) -> None:
        """Focus now, not after the queued keys: ``/`` then a reference typed at once (or scanned) all
        goes to the search box, and none of it to the list's keys (``2`` is "tomorrow")."""

        self.set_focus(widget)

    def action_focus_search(self) -> None:
        self._focus(self.query_one("#search", Input))

    def action_focus_day(self) -> None:
        self._focus(self.query_one("#day", Input))

    def action_focus_table(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and search.value:
            search.value = ""  # first Escape clears the search, the second leaves the field
            return
        self._focus(self.query_one(BookingTable))

    def action_period(self, name: str) -> None:
        period = Period(name)
        if period is Period.DAY:
            self.action_focus_day()
            return
        self.query_one(PeriodBar).period = period
        day_input = self.query_one("#day", Input)
        day_input.value = ""
        day_input.remove_class("-invalid")
        self._set_filter(replace(self.filter, period=period, day=None))

    def action_toggle_unpaid(self) -> None:
        self.query_one("#unpaid", Checkbox).toggle()

    def action_reload(self) -> None:
        self._reload()

    @on(BookingTable.Selected)
    def _row_selected(self, event: BookingTable.Selected) -> None:
        self._open(event.reference)

    def action_open_sheet(self) -> None:
        self._open(self.query_one(BookingTable).current_reference)

    def _open(self, reference: str | None) -> None:
        if self._loading_first:
            # Typed a reference and pressed Enter twice before the answer came: open what the search finds.
            self._open_when_loaded = True
            return
        if reference:
            self.post_message(OpenBooking(reference))

    def action_new_booking(self) -> None:
        from deskpay.tui.new_booking.screen import NewBookingScreen  # not at launch: the first new booking loads it

        def created(reference: str | None) -> None:
            if reference:
                self._reload()
                self.post_message(OpenBooking(reference))

        self.app.push_screen(NewBookingScreen(self.desk), created)

    def action_outbox(self) -> None:
        from deskpay.tui.outbox.screen import OutboxScreen  # not at launch: the first visit loads it

        self.app.push_screen(OutboxScreen(self.desk))


def _number(value: int, lang: str) -> str:

    return format_decimal(value, locale=babel_locale(lang))
