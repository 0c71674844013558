"""The reservations list: pages of :class:`BookingRow` shown as they are loaded, rows keyed by reference.

The table never holds more than the pages the operator scrolled through; it
asks for the next one (:class:`BookingTable.NearEnd`) when the cursor or the
scroll gets close to the last row loaded. Narrow terminals get fewer columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.theme import Theme
from textual.widgets import DataTable

from deskpay.domain.formatting import format_short
from deskpay.services.views import BookingRow
from deskpay.tui.i18n import Labels
from deskpay.tui.widgets.badges import badge_text
from deskpay.tui.widgets.keys import localize_bindings

LABELS = Labels(
    {
        "reference": ("Réf.", "Ref."),
        "start": ("Début", "Start"),
        "activity": ("Activité", "Activity"),
        "customer": ("Client", "Customer"),
        "participants": ("Pers.", "Ppl"),
        "total": ("Total", "Total"),
        "paid": ("Payé", "Paid"),
        "balance": ("Solde", "Balance"),
        "badge": ("Paiement", "Payment"),
        "bookings.open": ("Ouvrir", "Open"),
    }
)

# Column sets, widest first: (key, width, right-aligned). The last one fits 80 columns.
LAYOUTS = (
    (("reference", 13, False), ("start", 11, False), ("activity", 14, False), ("customer", 16, False),
     ("participants", 4, True), ("total", 10, True), ("paid", 10, True), ("balance", 10, True),
     ("badge", 12, False)),
    (("reference", 13, False), ("start", 11, False), ("activity", 14, False), ("customer", 16, False),
     ("balance", 10, True), ("badge", 12, False)),
    (("reference", 13, False), ("start", 11, False), ("customer", 16, False), ("balance", 10, True),
     ("badge", 12, False)),
)
NEAR_END_ROWS = 15


def layout_for(width: int) -> tuple:
    """The widest column set that fits ``width`` cells (padding and scrollbar included)."""
    for layout in LAYOUTS:
        if sum(size + 2 for _, size, _ in layout) + 2 <= width:
            return layout
    return LAYOUTS[-1]


class BookingTable(DataTable):
    """Bookings as rows; the row key is the booking reference."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", key_display="⏎", id="bookings.open")]

    class NearEnd(Message):
        """The operator is close to the last row loaded: load the next page if there is one."""

    def __init__(self, lang: str, tz: ZoneInfo, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.lang = lang
        self.tz = tz
        self.rows_by_reference: dict[str, BookingRow] = {}
        self._columns: tuple = ()
        localize_bindings(self, LABELS, lang)

    def on_mount(self) -> None:
        self._set_columns(self.size.width or 120)
        self.watch(self, "scroll_y", self._check_near_end, init=False)
        self.app.theme_changed_signal.subscribe(self, self._recolour)

    def on_resize(self) -> None:
        if layout_for(self.size.width) is not self._columns:
            self._set_columns(self.size.width)

    def _set_columns(self, width: int) -> None:
        self._columns = layout_for(width)
        rows = list(self.rows_by_reference.values())
        cursor = self.cursor_row
        self.clear(columns=True)
        for key, size, right in self._columns:
            label = LABELS(key, self.lang)
            self.add_column(Text(label, justify="right") if right else label, key=key, width=size)
        self._add(rows)
        if rows:
            self.move_cursor(row=min(cursor, len(rows) - 1), animate=False)

    # --- content -------------------------------------------------------------------------------------------

    def show_page(self, rows: Iterable[BookingRow], *, append: bool) -> None:
        if not append:
            self.rows_by_reference.clear()
            self.clear()
        self._add([row for row in rows if row.reference not in self.rows_by_reference])

    def _add(self, rows: list[BookingRow]) -> None:
        for row in rows:
            self.rows_by_reference[row.reference] = row
            self.add_row(*self._cells(row), key=row.reference)

    def update_booking(self, row: BookingRow) -> None:
        """Redraw one booking in place (a payment came in, a link was opened...)."""
        if row.reference not in self.rows_by_reference:
            return
        self.rows_by_reference[row.reference] = row
        for (key, _, _), value in zip(self._columns, self._cells(row), strict=True):
            self.update_cell(row.reference, key, value)

    def remove_booking(self, reference: str) -> None:
        if self.rows_by_reference.pop(reference, None) is not None:
            self.remove_row(reference)

    @property
    def loaded(self) -> int:
        return len(self.rows_by_reference)

    @property
    def current_reference(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def _cells(self, row: BookingRow) -> list:
        lang = self.lang
        values = {
            "reference": Text(row.reference, no_wrap=True),
            "start": Text(format_short(row.start_at, self.tz, lang), no_wrap=True),
            "activity": Text(row.activity, no_wrap=True, overflow="ellipsis"),
            "customer": Text(row.customer, no_wrap=True, overflow="ellipsis"),
            "participants": Text(str(row.participants), justify="right"),
            "total": Text(row.total.format(lang), justify="right", no_wrap=True),
            "paid": Text(row.paid.format(lang), justify="right", no_wrap=True),
            "balance": Text(row.balance.clamp_min_zero().format(lang), justify="right", no_wrap=True),
            "badge": badge_text(self.app, row.badge, row.status, lang),
        }
        return [values[key] for key, _, _ in self._columns]

    def _recolour(self, _theme: Theme) -> None:
        for reference, row in self.rows_by_reference.items():
            self.update_cell(reference, "badge", badge_text(self.app, row.badge, row.status, self.lang))

    # --- paging --------------------------------------------------------------------------------------------

    def near_end(self) -> bool:
        """Is the cursor, or the last row on screen, within a few rows of the last row loaded?"""
        if not self.row_count:
            return False
        last_visible = int(self.scroll_y) + max(self.size.height - self.header_height, 1)
        return max(self.cursor_row, last_visible) >= self.row_count - NEAR_END_ROWS

    def watch_cursor_coordinate(self, old, new) -> None:
        super().watch_cursor_coordinate(old, new)
        if self.near_end():
            self.post_message(self.NearEnd())

    def _check_near_end(self) -> None:
        if self.near_end():
            self.post_message(self.NearEnd())
