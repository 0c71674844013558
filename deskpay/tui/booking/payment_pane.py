"""The booking sheet's Paiement pane: the figures, the payments received, the payment links.

The links table is where link actions point: its cursor row is "the selected
link". Time left before expiry is redrawn by :meth:`PaymentPane.tick` without
asking the database again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from deskpay.domain.dates import format_duration, format_short
from deskpay.domain.i18n import Section
from deskpay.domain.links import LinkStatus, time_left
from deskpay.domain.payments import PaymentKind
from deskpay.services.bookings.views import BookingDetail
from deskpay.services.links.views import LinkView
from deskpay.tui.common.badges import link_status_text

LABELS = Section("ui.payment_pane")


class LinksTable(DataTable):
    """The booking's payment links, newest last; the row key is the link id."""

    def __init__(self, lang: str, tz: ZoneInfo, **kwargs) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self.lang, self.tz = lang, tz
        self.links: dict[int, LinkView] = {}

    def on_mount(self) -> None:
        for key, width in (("label", 12), ("amount", 11), ("recipient", 20), ("status", 10), ("left", 12)):
            self.add_column(LABELS(key, self.lang), key=key, width=width)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._recolour())

    def show(self, links: tuple[LinkView, ...], now: datetime) -> None:
        selected = self.selected.id if self.selected else None
        fresh = [link.id for link in links if self.links and link.id not in self.links]
        if fresh:
            selected = fresh[-1]  # a link just made (here or elsewhere) is the one to copy, show or send
        self.links = {link.id: link for link in links}
        self.clear()
        for link in links:
            self.add_row(*self._cells(link, now), key=str(link.id))
        if not links:
            return
        # Keep the operator's row (or a new link); else point at the newest open link, else the newest one.
        ids = [link.id for link in links]
        if selected not in ids:
            open_ids = [link.id for link in links if link.is_open]
            selected = open_ids[-1] if open_ids else ids[-1]
        self.move_cursor(row=ids.index(selected), animate=False)

    def tick(self, now: datetime) -> None:
        for link in self.links.values():
            self.update_cell(str(link.id), "left", self._left(link, now))

    @property
    def selected(self) -> LinkView | None:
        if not self.row_count or not self.links:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return self.links.get(int(row_key.value or 0))

    def _cells(self, link: LinkView, now: datetime) -> list:
        return [
            Text(link.label or f"#{link.id}", no_wrap=True, overflow="ellipsis"),
            Text(link.amount.format(self.lang), justify="right", no_wrap=True),
            Text(link.recipient_email or LABELS("no_recipient", self.lang), no_wrap=True, overflow="ellipsis"),
            link_status_text(self.app, link.status.value, self.lang),
            self._left(link, now),
        ]

    def _left(self, link: LinkView, now: datetime) -> Text:
        if link.status is LinkStatus.OPEN:
            return Text(format_duration(time_left(link.expires_at, now)), no_wrap=True)
        if link.status is LinkStatus.EXPIRED:
            return Text(format_short(link.expires_at, self.tz, self.lang), no_wrap=True, style="dim")
        return Text("")

    def _recolour(self) -> None:
        for link in self.links.values():
            self.update_cell(str(link.id), "status", link_status_text(self.app, link.status.value, self.lang))


class PaymentsTable(DataTable):
    """The booking's payments; it sets up its own columns, like the links table."""

    def __init__(self, lang: str, **kwargs) -> None:
        super().__init__(cursor_type="none", show_cursor=False, **kwargs)
        self.lang = lang
        self.can_focus = False

    def on_mount(self) -> None:
        for key, width in (("method", 14), ("amount", 11), ("when", 11), ("who", 12)):
            self.add_column(LABELS(key, self.lang), key=key, width=width)


class PaymentPane(Vertical):
    """Total, paid, pending in open links, balance; then payments and links."""

    compact: reactive[bool] = reactive(False)
    """Narrow terminals: the four figures on one line."""

    def __init__(self, lang: str, tz: ZoneInfo, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lang, self.tz = lang, tz
        self._detail: BookingDetail | None = None

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")
        if self._detail is not None:
            self._show_figures(self._detail)

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(LABELS("title", lang), classes="pane-title")
        yield Static(id="figures")
        yield Static(LABELS("payments", lang), classes="pane-subtitle")
        yield PaymentsTable(lang, id="payments")
        yield Static(LABELS("no_payments", lang), id="no-payments", classes="pane-empty")
        yield Static(LABELS("links", lang), classes="pane-subtitle")
        yield LinksTable(lang, self.tz, id="links")
        yield Static(LABELS("no_links", lang), id="no-links", classes="pane-empty")

    def show(self, detail: BookingDetail, now: datetime) -> None:
        self._detail = detail
        self._show_figures(detail)
        self._show_lists(detail, now)

    def _show_figures(self, detail: BookingDetail) -> None:
        lang, amounts = self.lang, detail.amounts
        rows = [
            ("total", amounts.total),
            ("paid", amounts.paid),
            ("pending", amounts.pending),
            ("balance", amounts.balance.clamp_min_zero()),
        ]
        if amounts.overpaid:
            rows.append(("overpaid", amounts.overpaid))
        labels = [LABELS(key, lang) for key, _ in rows]
        width = max(len(label) for label in labels)
        values = [money.format(lang) for _, money in rows]
        value_width = max(len(value) for value in values)
        lines = []
        for (key, _), label, value in zip(rows, labels, values, strict=True):
            line = Content(f"{label} {value}" if self.compact else f"{label:<{width}}  {value:>{value_width}}")
            if key == "balance":
                line = line.stylize("bold")
            elif key == "overpaid":
                line = line.stylize("$error")
            lines.append(line)
        self.query_one("#figures", Static).update(Content(" · " if self.compact else "\n").join(lines))

    def _show_lists(self, detail: BookingDetail, now: datetime) -> None:
        lang = self.lang

        payments = self.query_one("#payments", DataTable)
        payments.clear()
        for payment in detail.payments:
            method = LABELS(payment.method, lang) if payment.method in LABELS else payment.method
            if payment.kind == PaymentKind.REFUND:
                method = LABELS("refund", lang)
            payments.add_row(
                Text(method, no_wrap=True),
                Text(payment.amount.format(lang), justify="right", no_wrap=True),
                Text(format_short(payment.created_at, self.tz, lang), no_wrap=True),
                Text(payment.operator, no_wrap=True, overflow="ellipsis"),
            )
        payments.display = bool(detail.payments)
        self.query_one("#no-payments").display = not detail.payments
        links = self.query_one(LinksTable)
        links.show(detail.links, now)
        links.display = bool(detail.links)
        self.query_one("#no-links").display = not detail.links

    def tick(self, now: datetime) -> None:
        self.query_one(LinksTable).tick(now)
