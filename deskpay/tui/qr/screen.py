"""The QR code of a payment link, full screen, turned towards the customer at the desk.

Large scannable code, the amount, the business, the booking reference and
label, and how long the link stays valid. The layout follows the terminal:
text beside the code when the window is short (80×24 over SSH), below it when
it is tall; when no readable code fits, the screen says which size is needed
instead of drawing a code that would not scan. The link is read again every
second in a worker: once paid, the screen turns into a large "Payé ✓".
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Digits, Static

from deskpay.domain.dates import format_duration
from deskpay.domain.errors import DeskpayError
from deskpay.domain.i18n import Section
from deskpay.domain.links import LinkStatus, time_left
from deskpay.services.desk import Desk
from deskpay.services.links.lifecycle import get_link
from deskpay.services.links.qr import QrCode, QrTooLarge, cells_needed, make_qr
from deskpay.services.links.views import LinkView
from deskpay.tui.base import DeskScreen
from deskpay.tui.messages import ActionFailed, BookingChanged, LinkPaid
from deskpay.tui.qr.qr_view import QrView

POLL_SECONDS = 1.0
"""How often the link's status is read again (a cheap indexed read)."""
TEXT_BESIDE = 30
"""Columns kept for the text when it stands beside the code."""
GAP = 2
"""Columns between the code and the text beside it."""
TEXT_BELOW = 10
"""Rows kept for the text when it stands below the code."""
_LEVEL_RANK = {"L": 0, "M": 1, "Q": 2, "H": 3}

LABELS = Section("ui.qr")

# A large-letter font for the few letters of "PAYÉ ✓" / "PAID ✓": six rows, the first for accents.
_GLYPHS = {
    "P": ["    ", "███ ", "█  █", "███ ", "█   ", "█   "],
    "A": ["    ", " ██ ", "█  █", "████", "█  █", "█  █"],
    "Y": ["     ", "█   █", " █ █ ", "  █  ", "  █  ", "  █  "],
    "É": ["  ▄ ", "████", "█   ", "███ ", "█   ", "████"],
    "I": ["   ", "███", " █ ", " █ ", " █ ", "███"],
    "D": ["    ", "███ ", "█  █", "█  █", "█  █", "███ "],
    " ": ["  "] * 6,
    "✓": ["       ", "      █", "     █ ", "█   █  ", " █ █   ", "  █    "],
}


def big_text(text: str) -> str | None:
    """``text`` in large letters, or ``None`` if a letter is missing from the font."""
    if any(char not in _GLYPHS for char in text):
        return None
    return "\n".join(" ".join(_GLYPHS[char][row] for char in text).rstrip() for row in range(6))


@dataclass(frozen=True, slots=True)
class QrLayout:
    """Where the code goes in a terminal of a given size: ``beside`` or ``below`` its text."""

    kind: str
    qr: QrCode


def plan_layout(url: str, size: tuple[int, int]) -> QrLayout:
    """The sturdiest code that fits with its text, beside or below; below wins a tie (tall windows).

    Raises :class:`QrTooLarge` naming the smallest terminal that would hold
    the code and its text.
    """
    cols, rows = size
    options: list[QrLayout] = []
    for kind, area in (("below", (cols, rows - TEXT_BELOW)), ("beside", (cols - TEXT_BESIDE - GAP, rows))):
        if area[0] <= 0 or area[1] <= 0:
            continue
        try:
            options.append(QrLayout(kind, make_qr(url, max_cells=area)))
        except QrTooLarge:
            continue
    if not options:
        need_cols, need_rows = cells_needed(url)
        beside = (need_cols + GAP + TEXT_BESIDE, need_rows)
        below = (need_cols, need_rows + TEXT_BELOW)
        needed = min(beside, below, key=lambda s: (max(s[0], cols) * max(s[1], rows), s))
        raise QrTooLarge(needed=needed, available=size)
    return max(options, key=lambda o: (_LEVEL_RANK[o.qr.error_correction], o.qr.quiet_zone, o.kind == "below"))


class _Stage(Container):
    """The room the screen gives to the code and its text; says when that room changes."""

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        self.post_message(self.Resized())


class QrScreen(DeskScreen[None]):
    """The link's QR code for the customer; Escape returns to where the operator was."""

    LABELS = LABELS
    BINDINGS = [Binding("escape", "back", "Back", id="qr.back")]

    class LinkState(Message):
        def __init__(self, link: LinkView) -> None:
            super().__init__()
            self.link = link

    def __init__(self, desk: Desk, link_id: int) -> None:
        super().__init__(desk)
        self.link_id = link_id
        self.link: LinkView | None = None
        self.paid_announced = False

    def compose(self) -> ComposeResult:
        with _Stage(id="qr-stage"):
            yield from self._compose_stage()

    def _compose_stage(self) -> ComposeResult:
        with Container(id="qr-layout"):
            yield QrView(id="qr-code")
            with Vertical(id="qr-text"):
                yield Static(self.desk.settings.business_name, id="qr-business")
                yield Digits("", id="qr-amount")
                yield Static("", id="qr-label")
                yield Static(self.t("scan"), id="qr-scan")
                yield Static("", id="qr-countdown")
                yield Static(self.t("back"), id="qr-back", classes="hint")
        with Vertical(id="qr-paid"):
            yield Static("", id="qr-paid-big")
            yield Static("", id="qr-paid-amount")
            yield Static(self.t("thanks"), id="qr-thanks")
        yield Static(self.t("loading"), id="qr-message")
        yield Static("", id="error", classes="error")

    def on_mount(self) -> None:
        self.clear_error()
        self.query_one("#qr-layout").display = False
        self.query_one("#qr-paid").display = False
        self.poll()
        self.set_interval(POLL_SECONDS, self._tick)

    # ------------------------------------------------------------ the link
    def _tick(self) -> None:
        self._show_countdown()
        if self.link is None or self.link.status is LinkStatus.OPEN:
            self.poll()

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def poll(self) -> None:
        try:
            self.post_message(self.LinkState(get_link(self.desk, self.link_id)))
        except DeskpayError as error:
            self.post_message(ActionFailed(error, "qr.poll"))

    @on(LinkState)
    def _link_state(self, event: LinkState) -> None:
        before = self.link
        self.link = event.link
        if event.link.status is LinkStatus.PAID and not self.paid_announced:
            self.paid_announced = True
            self.post_message(LinkPaid(event.link.booking_reference, event.link.id))
            self.post_message(BookingChanged(event.link.booking_reference))
        if before is None or before.status is not event.link.status or before.url != event.link.url:
            self._arrange()

    @on(LinkPaid)
    def _paid_elsewhere(self, event: LinkPaid) -> None:
        """The app may forward a payment it heard of first (webhook, another desk): look now."""
        if event.link_id == self.link_id and not self.paid_announced:
            self.poll()

    # -------------------------------------------------------------- layout
    @on(_Stage.Resized)
    def _stage_resized(self) -> None:
        self._arrange()

    def _arrange(self) -> None:
        """Choose what the customer sees for the link's state and the terminal's size."""
        link = self.link
        layout = self.query_one("#qr-layout")
        paid = self.query_one("#qr-paid")
        message = self.query_one("#qr-message", Static)
        layout.display = paid.display = message.display = False
        if link is None:
            message.update(self.t("loading"))
            message.display = True
            return
        if link.status is LinkStatus.PAID:
            self._show_paid(link)
            return
        if link.status is not LinkStatus.OPEN or self._expired(link):
            status = LinkStatus.EXPIRED if link.status is LinkStatus.OPEN else link.status
            message.update(self.t("closed", status=status.label(self.lang)))
            message.display = True
            return
        if not link.url:
            message.update(self.t("not_ready"))
            message.display = True
            return
        # The stage is what the screen leaves once other widgets (the app's banner) have their rows.
        stage = self.query_one("#qr-stage").size
        size = stage if stage.area else self.size
        try:
            plan = plan_layout(link.url, (size.width, size.height))
        except QrTooLarge as error:
            message.update(error.text(self.lang) + "\n\n" + self.t("back"))
            message.display = True
            return
        self._show_code(link, plan, size)

    def _show_code(self, link: LinkView, plan: QrLayout, size: Size) -> None:
        lang = self.lang
        layout = self.query_one("#qr-layout")
        layout.set_class(plan.kind == "beside", "-beside")
        layout.set_class(plan.kind == "below", "-below")
        self.query_one("#qr-code", QrView).qr = plan.qr
        text = self.query_one("#qr-text")
        cols, rows = plan.qr.cells
        if plan.kind == "beside":
            text.styles.width = min(TEXT_BESIDE, size.width - cols - GAP)
            text.styles.height = rows
        else:
            text.styles.width = max(cols, TEXT_BESIDE) if size.width >= TEXT_BESIDE else cols
            text.styles.height = "auto"
        amount = link.amount.format(lang)
        digits = self.query_one("#qr-amount", Digits)
        digits.update(amount.replace("\u202f", " ").replace("\xa0", " "))
        label = link.label or link.booking_reference
        self.query_one("#qr-label", Static).update(
            self.t("label", label=label, reference=link.booking_reference) if link.label else label
        )
        self._show_countdown()
        layout.display = True

    def _show_paid(self, link: LinkView) -> None:
        big = big_text(self.t("paid"))
        self.query_one("#qr-paid-big", Static).update(big or self.t("paid.plain"))
        self.query_one("#qr-paid-amount", Static).update(
            f"{link.amount.format(self.lang)} · {link.label or link.booking_reference} · {link.booking_reference}"
            if link.label
            else f"{link.amount.format(self.lang)} · {link.booking_reference}"
        )
        self.query_one("#qr-paid").display = True

    def _expired(self, link: LinkView) -> bool:
        return not time_left(link.expires_at, self.desk.now())

    def _show_countdown(self) -> None:
        link = self.link
        if link is None or link.status is not LinkStatus.OPEN:
            return
        if self._expired(link):
            self._arrange()
            return
        left = format_duration(time_left(link.expires_at, self.desk.now()))
        self.query_one("#qr-countdown", Static).update(self.t("expires", left=left))

    def action_back(self) -> None:
        self.dismiss(None)
