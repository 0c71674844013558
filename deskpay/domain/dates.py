"""Dates and times: the one reader of what people type, and how moments are written for people.

Moments are stored in UTC and shown in the business's zone, in the reader's
language. What an operator types — a day in the list's filter or the new
booking form, an hour, a start on the command line — is read here, by one
set of rules, and refused with one message when it is not a date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from deskpay.domain.errors import InvalidInput
from deskpay.domain.money import babel_locale

_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:hH.](\d{2})?)?$")


def read_day(typed: str, today: date) -> date:
    """``25/12/2026``, ``25/12/26``, ``25.12.26``, ``25-12-2026``, ``25/12`` (this year) or ``2026-12-25``."""
    raw = (typed or "").strip()
    try:
        if match := _ISO_DAY.match(raw):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY.match(raw):
            year = int(match[3]) if match[3] else today.year
            return date(year + 2000 if year < 100 else year, int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise InvalidInput("date.bad_day", text=raw)


def read_time(typed: str) -> time:
    """``14:30``, ``14h30``, ``14h``, ``14.30`` or ``14``."""
    raw = (typed or "").strip()
    match = _CLOCK.match(raw)
    try:
        if match:
            return time(int(match[1]), int(match[2] or 0))
    except ValueError:
        pass
    raise InvalidInput("date.bad_time", text=raw)


def read_moment(typed: str, tz: tzinfo) -> datetime:
    """A start typed on the command line: ISO 8601 with an offset or ``Z``, or a local ``YYYY-MM-DDTHH:MM``.

    A moment without an offset is read in ``tz`` (the business's zone); the result is always aware.
    """
    raw = (typed or "").strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("date.bad_moment", text=raw) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def iso_utc(moment: datetime | None) -> str | None:
    """A moment for JSON: ISO 8601 in UTC with ``Z`` (``2026-11-23T08:00:00Z``), whatever zone it carried."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
