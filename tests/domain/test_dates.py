"""The one reader of typed days, times and moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from deskpay.domain.dates import read_day, read_moment, read_time
from deskpay.domain.errors import InvalidInput

PARIS = ZoneInfo("Europe/Paris")


def test_days_in_every_form_the_desk_types() -> None:
    today = date(2026, 7, 1)
    assert read_day("25/12/2026", today) == date(2026, 12, 25)
    assert read_day("25/12", today) == date(2026, 12, 25)
    assert read_day("5.8.26", today) == date(2026, 8, 5)
    assert read_day("2026-08-05", today) == date(2026, 8, 5)
    assert read_day("10/07/2026", today) == date(2026, 7, 10)
    assert read_day("1/8", today) == date(2026, 8, 1)
    assert read_day("2026-12-24", today) == date(2026, 12, 24)
    assert read_day("24.12.26", today) == date(2026, 12, 24)
    assert read_day(" 24-12-2026 ", today) == date(2026, 12, 24)


@pytest.mark.parametrize("typed", ["31/02/2026", "demain", "", "25/12/202", "2026-13-01", "1/2/3/4"])
def test_what_is_not_a_day_is_refused_in_both_languages(typed) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_day(typed, date(2026, 7, 1))
    assert "n'est pas une date" in refused.value.text("fr") and "is not a date" in refused.value.text("en")


def test_times() -> None:
    assert read_time("9h30") == time(9, 30) and read_time("14") == time(14, 0)
    assert read_time("08:30") == time(8, 30) and read_time("14h") == time(14, 0)
    for typed in ("25:00", "9h75", "midi", ""):
        with pytest.raises(InvalidInput, match="not a time"):
            read_time(typed)


def test_moments_without_an_offset_are_the_business_s_local_time() -> None:
    assert read_moment("2026-07-04T09:30", PARIS) == datetime(2026, 7, 4, 7, 30, tzinfo=UTC)
    assert read_moment("2026-07-04T09:30Z", PARIS) == datetime(2026, 7, 4, 9, 30, tzinfo=UTC)
    assert read_moment("2026-07-04T09:30+02:00", PARIS) == datetime(2026, 7, 4, 7, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="not a date and time"):
        read_moment("tomorrow 9am", PARIS)
