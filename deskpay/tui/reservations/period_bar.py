"""The quick date filters of the reservations list: today, tomorrow, this week, all, a typed day."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from deskpay.domain.i18n import Section

LABELS = Section("ui.period")


class Period(StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    ALL = "all"
    DAY = "day"

    def days(self, today: date, day: date | None) -> tuple[date | None, date | None]:
        """The inclusive local date range this period covers (None: unbounded)."""
        if self is Period.TODAY:
            return today, today
        if self is Period.TOMORROW:
            return today + timedelta(days=1), today + timedelta(days=1)
        if self is Period.WEEK:
            monday = today - timedelta(days=today.weekday())
            return monday, monday + timedelta(days=6)
        if self is Period.DAY and day is not None:
            return day, day
        return None, None


KEYS = {Period.TODAY: "1", Period.TOMORROW: "2", Period.WEEK: "3", Period.ALL: "4", Period.DAY: "5"}


class PeriodBar(Static):
    """``1 Aujourd'hui  2 Demain  3 Semaine  4 Tout  5 Date``, the chosen one highlighted; clickable."""

    period: reactive[Period] = reactive(Period.ALL)

    def __init__(self, lang: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lang = lang

    def watch_period(self, period: Period) -> None:
        parts = []
        for choice in Period:
            style = "bold reverse " if choice is period else ""
            parts.append(
                f"[{style}@click=screen.period('{choice.value}')] {KEYS[choice]} {LABELS(choice.value, self.lang)} [/]"
            )
        self.update(Content.from_markup("".join(parts)))
