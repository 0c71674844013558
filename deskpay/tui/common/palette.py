"""Command palette providers: find a booking by reference or name; pick a theme.

The booking finder asks the same paged query as the list (in a thread, 20
rows), so it costs one page whatever the size of the database.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from deskpay.domain.dates import format_short
from deskpay.domain.i18n import Section
from deskpay.services.bookings.listing import BookingQuery, search_bookings
from deskpay.services.bookings.views import BookingRow
from deskpay.tui.base import desk_app
from deskpay.tui.common.badges import BADGES
from deskpay.tui.messages import ActionFailed, OpenBooking, ThemeChosen

log = logging.getLogger(__name__)

LABELS = Section("ui.palette")

FINDER_ROWS = 20


def _describe(row: BookingRow, app) -> tuple[str, str]:
    lang = desk_app(app).lang
    tz = desk_app(app).desk.settings.tz()
    title = f"{row.reference}  {row.customer}"
    help_text = (
        f"{format_short(row.start_at, tz, lang)} · {row.activity} · "
        f"{row.balance.clamp_min_zero().format(lang)} · {BADGES(row.badge, lang)}"
    )
    return title, help_text


class BookingFinder(Provider):
    """Bookings whose reference, name, email or phone contain what is typed."""

    async def _rows(self, text: str) -> list[BookingRow]:
        try:
            page = await asyncio.to_thread(
                search_bookings, desk_app(self.app).desk, BookingQuery(text=text, limit=FINDER_ROWS)
            )
        except Exception as error:  # the palette would swallow it and show an empty list: say why
            log.warning("booking search failed", exc_info=error)
            self.app.post_message(ActionFailed(error, "find"))
            return []
        return list(page.rows)

    async def discover(self) -> Hits:
        for row in await self._rows(""):
            title, help_text = _describe(row, self.app)
            yield DiscoveryHit(
                Content(title), partial(self.app.post_message, OpenBooking(row.reference)), text=title, help=help_text
            )

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if not text:
            return
        rows = await self._rows(text)
        matcher = self.matcher(text)
        for rank, row in enumerate(rows):
            title, help_text = _describe(row, self.app)
            # The database decided what matches; the fuzzy score only highlights, the order stays the query's.
            score = max(matcher.match(title), 0.5) * (1 - rank / (2 * FINDER_ROWS))
            yield Hit(
                score,
                matcher.highlight(title),
                partial(self.app.post_message, OpenBooking(row.reference)),
                text=title,
                help=help_text,
            )


class ThemePicker(Provider):
    """The themes loaded from ``themes/``; choosing one applies and remembers it."""

    def _themes(self) -> list[tuple[str, str]]:
        app = desk_app(self.app)
        lang = app.lang
        names = [name for name in app.available_themes if name in app.deskpay_themes]
        return [(name, LABELS(name, lang) if name in LABELS else app.deskpay_themes[name]) for name in names]

    async def discover(self) -> Hits:
        for name, title in self._themes():
            text = LABELS("theme", desk_app(self.app).lang, title=title)
            yield DiscoveryHit(text, partial(self.app.post_message, ThemeChosen(name)), text=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, title in self._themes():
            text = LABELS("theme", desk_app(self.app).lang, title=title)
            if (score := matcher.match(text)) > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.post_message, ThemeChosen(name)), text=text)
