"""A QR code drawn with half blocks, black on white whatever the theme, at exactly its own size.

The code itself is chosen by :func:`deskpay.services.links.qr.make_qr` for the area
the screen gives it (this widget never shrinks or wraps a code: a clipped QR
code does not scan). Colours are explicit in the rendered text, not taken from
the theme: a dark theme's light-on-dark text would invert the code, and some
phone readers refuse inverted codes.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from deskpay.services.links.qr import QrCode, render_half_blocks

INK = "#000000"
PAPER = "#ffffff"
_STYLE = Style(color=INK, bgcolor=PAPER)


class QrView(Widget):
    """Shows one :class:`QrCode` (quiet zone included) as ``cells`` columns × rows of half blocks."""

    DEFAULT_CSS = """
    QrView {
        width: auto;
        height: auto;
        color: #000000;
        background: #ffffff;
    }
    """

    qr: reactive[QrCode | None] = reactive(None, layout=True)
    """The code to draw; ``None`` draws nothing and takes no room."""

    def __init__(
        self, qr: QrCode | None = None, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(QrView.qr, qr)

    @property
    def lines(self) -> list[str]:
        """The half-block lines drawn, top to bottom (what a test reads back)."""
        return render_half_blocks(self.qr, dark_on_light=True) if self.qr is not None else []

    def get_content_width(self, container, viewport) -> int:
        return self.qr.cells[0] if self.qr is not None else 0

    def get_content_height(self, container, viewport, width: int) -> int:
        return self.qr.cells[1] if self.qr is not None else 0

    def render(self) -> Text:
        return Text("\n".join(self.lines), style=_STYLE, no_wrap=True, overflow="crop", end="")
