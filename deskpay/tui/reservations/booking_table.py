"""The reservations list: pages of :class:`BookingRow`, drawn line by line, rows keyed by reference.

A ``DataTable`` renders every cell through Rich and re-renders a whole page
when it changes — too slow to follow each keystroke of a search. This is a
line-API widget (``ScrollView`` + ``render_line``, as toolong does): only the
rows on screen are formatted and drawn, each line is cached, and amounts
and times are formatted once per value (babel is slow).

The table holds only the pages the operator scrolled through; it posts
:class:`BookingTable.NearEnd` when the cursor or the view gets close to the
last row loaded. Narrow terminals get fewer columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.theme import Theme
from textual.widgets import Input

from deskpay.domain.dates import format_short
from deskpay.domain.i18n import Section
from deskpay.domain.money import Money
from deskpay.services.bookings.views import BookingRow
from deskpay.tui.base import localize_bindings
from deskpay.tui.common.badges import BADGES, badge_rich_style, shown_badge

LABELS = Section("ui.booking_table")

# Column sets, widest first: (key, minimum width, right-aligned). The last one fits 80 columns.
LAYOUTS = (
    (
        ("reference", 13, False),
        ("start", 11, False),
        ("activity", 12, False),
        ("customer", 14, False),
        ("participants", 5, True),
        ("total", 10, True),
        ("paid", 10, True),
        ("balance", 10, True),
        ("badge", 12, False),
    ),
    (
        ("reference", 13, False),
        ("start", 11, False),
        ("activity", 12, False),
        ("customer", 14, False),
        ("balance", 10, True),
        ("badge", 12, False),
    ),
    (
        ("reference", 13, False),
        ("start", 11, False),
        ("customer", 14, False),
        ("balance", 10, True),
        ("badge", 12, False),
    ),
)
PADDING = 1
NEAR_END_ROWS = 15
SCROLLBAR = 1
# Room left over goes to the text columns: activity names and customer names are long.
STRETCH = {"activity": 0.55, "customer": 0.45}
MAX_STRETCHED = {"activity": 40, "customer": 30}


def _needed(layout: tuple) -> int:
    return sum(size + 2 * PADDING for _, size, _ in layout) + SCROLLBAR


def layout_for(width: int) -> tuple:
    """The widest column set that fits ``width`` cells, its text columns widened into the room left."""
    layout = next((candidate for candidate in LAYOUTS if _needed(candidate) <= width), LAYOUTS[-1])
    room = max(width - _needed(layout), 0)
    keys = [key for key, _, _ in layout if key in STRETCH]
    share = sum(STRETCH[key] for key in keys) or 1
    widened = []
    for key, size, right in layout:
        if key in STRETCH:
            size = min(size + int(room * STRETCH[key] / share), MAX_STRETCHED[key])
        widened.append((key, size, right))
    return tuple(widened)


@lru_cache(maxsize=8192)
def money_text(amount: Money, lang: str) -> str:
    """``Money.format`` costs ~0.2 ms (babel); a list shows the same few amounts again and again."""
    return amount.format(lang)


@lru_cache(maxsize=8192)
def short_time(moment, tz: ZoneInfo, lang: str) -> str:
    return format_short(moment, tz, lang)


def _fit(text: str, width: int, right: bool) -> str:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded on the left (``right``) or the right."""
    # Rich measures a string character by character the first time it sees it; plain ASCII is one cell each.
    length = len(text) if text.isascii() and text.isprintable() else cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    padding = " " * (width - length)
    return padding + text if right else text + padding


class BookingTable(ScrollView, can_focus=True):
    """Bookings as lines, a header on top, a row cursor; the row key is the booking reference."""

    BINDINGS = [
        Binding("enter", "select", "Open", key_display="⏎", id="bookings.open"),
        Binding("up", "cursor_up", "Previous row", show=False, id="bookings.up"),
        Binding("down", "cursor_down", "Next row", show=False, id="bookings.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="bookings.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="bookings.page_down"),
        Binding("home,ctrl+home", "first", "First row", show=False, id="bookings.first"),
        Binding("end,ctrl+end", "last", "Last loaded row", show=False, id="bookings.last"),
    ]

    COMPONENT_CLASSES = {
        "booking-table--header",
        "booking-table--cursor",
        "booking-table--odd",
    }

    cursor_row: reactive[int] = reactive(0, init=False)

    class NearEnd(Message):
        """The operator is close to the last row loaded: load the next page if there is one."""

    class Selected(Message):
        """Enter or a double click on a booking."""

        def __init__(self, reference: str) -> None:
            super().__init__()
            self.reference = reference

    def __init__(self, lang: str, tz: ZoneInfo, *, search_field: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lang = lang
        self.tz = tz
        self.search_field = search_field
        """Selector of the screen's search field, which ``/`` focuses (see :meth:`_on_key`)."""
        self.rows: list[BookingRow] = []
        self.rows_by_reference: dict[str, BookingRow] = {}
        self._index: dict[str, int] = {}
        self._columns: tuple = LAYOUTS[0]
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._styles_generation = 0
        self._style_cache: tuple | None = None
        localize_bindings(self, lang)

    def on_mount(self) -> None:
        self._columns = layout_for(self.size.width or 120)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def on_resize(self) -> None:
        layout = layout_for(self.size.width)
        if layout != self._columns:
            self._columns = layout
            self._lines.clear()
        self._update_virtual_size()
        self._keep_cursor_visible()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_generation += 1
        self._lines.clear()

    def _theme_changed(self, _theme: Theme) -> None:
        self._styles_generation += 1
        self._lines.clear()
        self.refresh()

    # --- content -------------------------------------------------------------------------------------------

    def show_page(self, rows: Iterable[BookingRow], *, append: bool) -> None:
        if not append:
            self.rows = []
            self.rows_by_reference = {}
            self._index = {}
            self._lines.clear()
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        for row in rows:
            if row.reference in self.rows_by_reference:
                continue
            self._index[row.reference] = len(self.rows)
            self.rows.append(row)
            self.rows_by_reference[row.reference] = row
        self._update_virtual_size()
        self.refresh()

    def update_booking(self, row: BookingRow) -> None:
        """Redraw one booking in place (a payment came in, a link was opened...)."""
        index = self._index.get(row.reference)
        if index is None:
            return
        self.rows[index] = row
        self.rows_by_reference[row.reference] = row
        self._lines.clear()
        self.refresh()

    def remove_booking(self, reference: str) -> None:
        index = self._index.pop(reference, None)
        if index is None:
            return
        del self.rows[index]
        del self.rows_by_reference[reference]
        self._index = {row.reference: i for i, row in enumerate(self.rows)}
        self.cursor_row = min(self.cursor_row, max(len(self.rows) - 1, 0))
        self._lines.clear()
        self._update_virtual_size()
        self.refresh()

    @property
    def loaded(self) -> int:
        return len(self.rows)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def current_reference(self) -> str | None:
        return self.rows[self.cursor_row].reference if 0 <= self.cursor_row < len(self.rows) else None

    def cells(self, reference: str) -> list[str]:
        """The texts shown for ``reference`` in the current columns (for tests and screen readers)."""
        return [text.strip() for text in self._texts(self.rows_by_reference[reference])]

    def _update_virtual_size(self) -> None:
        width = sum(size + 2 * PADDING for _, size, _ in self._columns)
        self.virtual_size = Size(width, len(self.rows) + 1)

    # --- drawing -------------------------------------------------------------------------------------------

    def _texts(self, row: BookingRow) -> list[str]:
        lang = self.lang
        values = {
            "reference": row.reference,
            "start": short_time(row.start_at, self.tz, lang),
            "activity": row.activity,
            "customer": row.customer,
            "participants": str(row.participants),
            "total": money_text(row.total, lang),
            "paid": money_text(row.paid, lang),
            "balance": money_text(row.balance.clamp_min_zero(), lang),
            "badge": BADGES(shown_badge(row.badge, row.status), lang),
        }
        return [values[key] for key, _, _ in self._columns]

    def _styles(self) -> tuple[Style, Style, Style, Style]:
        """Base, header, odd-row and cursor styles, computed once per style change (they cost)."""
        key = (self._styles_generation, self.has_focus)
        if self._style_cache is None or self._style_cache[0] != key:
            base = self.rich_style
            self._style_cache = (
                key,
                (
                    base,
                    base + self.get_component_rich_style("booking-table--header"),
                    self.get_component_rich_style("booking-table--odd"),
                    self.get_component_rich_style("booking-table--cursor"),
                ),
            )
        return self._style_cache[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._styles()[0]
        if y == 0:
            return self._line(("header",), width, base)
        index = int(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        return self._line(("row", index), width, base)

    def _line(self, what: tuple, width: int, base: Style) -> Strip:
        cursor = what[0] == "row" and what[1] == self.cursor_row
        key = (
            what,
            self.rows[what[1]] if what[0] == "row" else None,
            cursor,
            self.has_focus,
            width,
            self._columns,
            self._styles_generation,
        )
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        _, header_style, odd_style, cursor_style = self._styles()
        if what[0] == "header":
            style = header_style
            texts = [LABELS(name, self.lang) for name, _, _ in self._columns]
            badge_style = None
        else:
            row = self.rows[what[1]]
            style = base
            if what[1] % 2:
                style += odd_style
            texts = self._texts(row)
            badge_style = badge_rich_style(self.app, shown_badge(row.badge, row.status))
            if cursor:
                style += cursor_style
        segments: list[Segment] = []
        pad = " " * PADDING
        cells = 0
        for (name, size, right), text in zip(self._columns, texts, strict=True):
            cell_style = style + badge_style if name == "badge" and badge_style and not cursor else style
            segments.append(Segment(pad + _fit(text, size, right) + pad, cell_style))
            cells += size + 2 * PADDING
        strip = Strip(segments, cells).crop_extend(0, width, style)  # its length is known: not measured again
        self._lines[key] = strip
        return strip

    # --- cursor and paging ---------------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._keep_cursor_visible()
        self.refresh()
        if self.near_end():
            self.post_message(self.NearEnd())

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.near_end():
            self.post_message(self.NearEnd())

    def _on_focus(self, event: events.Focus) -> None:
        self._styles_generation += 1
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._styles_generation += 1
        self.refresh()

    def _keep_cursor_visible(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def near_end(self) -> bool:
        """Is the cursor, or the last row on screen, within a few rows of the last row loaded?"""
        if not self.rows:
            return False
        last_visible = int(self.scroll_y) + max(self.size.height - 1, 1)
        return max(self.cursor_row, last_visible) >= len(self.rows) - NEAR_END_ROWS

    def _move(self, row: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(row, len(self.rows) - 1))

    def action_cursor_up(self) -> None:
        self._move(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor_row - max(self.size.height - 2, 1))

    def action_page_down(self) -> None:
        self._move(self.cursor_row + max(self.size.height - 2, 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_select(self) -> None:
        if reference := self.current_reference:
            self.post_message(self.Selected(reference))

    async def _on_key(self, event: events.Key) -> None:
        """``/`` and the keys typed after it in one burst (a scanner, a fast typist) go to the search field.

        Keys reach this widget before any binding runs, so the keys that follow
        ``/`` in a burst are already queued here when a screen binding would move
        the focus; they are handed to the field instead of being lost.
        """

        if self.search_field is None:
            return
        field = self.screen.query_one(self.search_field, Input)
        if event.key == "slash" and self.screen.focused is self:
            self.screen.set_focus(field)
        elif self.screen.focused is not field:
            return
        elif event.is_printable and event.character:
            field.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            field.action_delete_left()
        elif event.key == "enter":
            await field.action_submit()
        else:
            return
        event.stop()
        event.prevent_default()

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        if row < len(self.rows):
            self.cursor_row = row
            if event.chain >= 2:
                self.action_select()
