"""Dates and times written for people: stored in UTC, shown in the business's zone and the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from deskpay.domain.money import babel_locale


def format_when(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """``samedi 5 juillet 2026 à 14:00`` / ``Saturday 5 July 2026 at 14:00``."""
    local = moment.astimezone(tz)
    pattern = "EEEE d MMMM y 'à' HH:mm" if lang == "fr" else "EEEE d MMMM y 'at' HH:mm"
    return format_datetime(local, pattern, locale=babel_locale(lang))


def format_short(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """``05/07 14:00`` for tables."""
    local = moment.astimezone(tz)
    return format_datetime(local, "dd/MM HH:mm", locale=babel_locale(lang))


def format_day(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    return format_date(moment.astimezone(tz), "full", locale=babel_locale(lang))


def format_clock(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    return format_time(moment.astimezone(tz), "HH:mm", locale=babel_locale(lang))


def format_duration(delta: timedelta) -> str:
    """``23 h 59 min``, ``12 min``, ``0 min`` — the same in both languages."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
