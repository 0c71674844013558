"""Payment badges and link statuses: their words in fr/en and their theme colour.

Cells of a ``DataTable`` are rendered by Rich, not styled by TCSS, so their
colour is read from the theme's variables (``$status-paid``…) when they are
drawn, and redrawn when the theme changes.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color, ColorParseError

from deskpay.domain.amounts import Badge
from deskpay.domain.booking import BookingStatus
from deskpay.domain.i18n import Section
from deskpay.domain.links import LinkStatus
from deskpay.tui.themes import VARIABLE_DEFAULTS, status_colour

BADGES = Section("badge")

LINK_STATUSES = Section("ui.link_status")

CANCELLED = BookingStatus.CANCELLED.value
"""The list shows a cancelled booking by its status, whatever its money."""
_BADGE_VARIABLE = {
    Badge.PAID: "paid",
    Badge.DEPOSIT_PAID: "deposit",
    Badge.LINK_OPEN: "open",
    Badge.LINK_EXPIRED: "expired",
    Badge.UNPAID: "unpaid",
    CANCELLED: "cancelled",
}
_LINK_VARIABLE = {
    LinkStatus.OPEN: "open",
    LinkStatus.PAID: "paid",
    LinkStatus.EXPIRED: "expired",
    LinkStatus.CANCELLED: "cancelled",
    LinkStatus.FAILED: "expired",
}


def _rich_colour(app: App, variable: str) -> Style:
    variables = app.theme_variables or VARIABLE_DEFAULTS
    value = status_colour(variables, variable)
    try:
        return Style(color=Color.parse(value).rich_color)
    except ColorParseError:
        return Style()


def badge_rich_style(app: App, badge: str) -> Style:
    """The colour of a list badge in the current theme (``$status-paid``…)."""
    return _rich_colour(app, _BADGE_VARIABLE.get(badge, "unpaid"))


def badge_text(app: App, badge: str, status: str, lang: str) -> Text:
    """The list's payment badge; a cancelled booking says so whatever its money."""
    key = shown_badge(badge, status)
    return Text(
        BADGES(key, lang),
        style=_rich_colour(app, _BADGE_VARIABLE.get(key, "unpaid")),
        no_wrap=True,
        overflow="ellipsis",
    )


def shown_badge(badge: str, status: str) -> str:
    """What the list's payment column says: the booking's money, or that it is cancelled."""
    return CANCELLED if status == BookingStatus.CANCELLED else badge


def link_status_text(app: App, status: str, lang: str) -> Text:
    return Text(
        LINK_STATUSES(status, lang),
        style=_rich_colour(app, _LINK_VARIABLE.get(LinkStatus(status), "unpaid")),
        no_wrap=True,
        overflow="ellipsis",
    )


def badge_class(badge: str) -> str:
    """The TCSS class of a badge shown in a Static (``-status-paid``…)."""
    return f"-status-{_BADGE_VARIABLE.get(badge, 'unpaid')}"
