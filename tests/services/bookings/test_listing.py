"""The reservations list: today and upcoming first, then the past; search, filters, pages and counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from deskpay.domain.money import Money
from deskpay.services.bookings.customers import find_customers
from deskpay.services.bookings.listing import (
    BookingQuery,
    changed_since,
    current_revision,
    has_bookings,
    search_bookings,
)
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.money.collect import collect_offline
from tests.support.clock import FROZEN_NOW
from tests.support.desk import add_activity, add_booking
from tests.support.listing import PEOPLE


def search(desk, **kwargs) -> list[str]:
    return [row.reference for row in search_bookings(desk, BookingQuery(**kwargs)).rows]


def keys(refs, *names) -> list[str]:
    return [refs[name] for name in names]


def test_today_and_upcoming_first_then_the_past_newest_first(listing):
    desk, refs = listing
    page = search_bookings(desk, BookingQuery())
    assert [row.reference for row in page.rows] == keys(
        refs, "today_early", "today_later", "tomorrow", "next_week", "yesterday", "ten_days_ago"
    )
    assert page.total_count == 6 and page.offset == 0
    row = page.rows[0]
    assert (row.customer, row.activity, row.participants, row.total, row.paid, row.badge, row.status) == (
        "Zoë Lefèvre",
        "Canoë 7 km",
        2,
        Money(4_000, "EUR"),
        Money(0, "EUR"),
        "unpaid",
        "confirmed",
    )
    with desk.read() as session:
        assert page.revision == current_revision(session)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("elodie", ["tomorrow", "ten_days_ago"]),
        ("ÉLODIE", ["tomorrow", "ten_days_ago"]),
        ("Elodie martin", ["ten_days_ago"]),
        ("zoe", ["today_early"]),
        ("oeuvray", ["today_later"]),
        ("Œuvray", ["today_later"]),
        ("lefevre", ["today_early"]),
        ("marc.dupont@example.org", ["yesterday"]),
        ("example.com", ["tomorrow", "next_week", "ten_days_ago"]),
        ("0475881234", ["yesterday"]),
        ("04 75 88", ["yesterday"]),
        ("612345678", ["ten_days_ago"]),
        ("+32492678022", ["today_later"]),
        ("100%", ["next_week"]),
        ("%", ["next_week"]),  # a literal percent sign, not a wildcard
        ("_", ["next_week"]),
        ("nobody", []),
    ],
)
def test_text_search(listing, text, expected):
    desk, refs = listing
    assert search(desk, text=text) == keys(refs, *expected)


def test_reference_prefix_search(listing):
    desk, refs = listing
    assert search(desk, text=refs["yesterday"]) == keys(refs, "yesterday")
    assert search(desk, text=refs["yesterday"].lower()) == keys(refs, "yesterday")
    assert len(search(desk, text="R-2026-00000")) == 6
    assert len(search(desk, text="r-2026")) == 6
    assert search(desk, text="R-2025") == []


def test_unpaid_only(desk, refs):
    collect_offline(desk, refs["tomorrow"], "40", "cash")
    collect_offline(desk, refs["yesterday"], "10", "cash")
    unpaid = search(desk, unpaid_only=True)
    assert refs["tomorrow"] not in unpaid and refs["yesterday"] in unpaid
    assert len(unpaid) == 5


def test_date_range_is_local_and_inclusive(listing):
    desk, refs = listing
    assert search(desk, day_from=date(2026, 7, 1), day_to=date(2026, 7, 1)) == keys(refs, "today_early", "today_later")
    assert search(desk, day_from=date(2026, 7, 2)) == keys(refs, "tomorrow", "next_week")
    assert search(desk, day_to=date(2026, 6, 30)) == keys(refs, "yesterday", "ten_days_ago")
    assert search(desk, day_from=date(2026, 6, 30), day_to=date(2026, 7, 2), text="elodie") == keys(refs, "tomorrow")


@pytest.mark.parametrize(("offset", "limit"), [(0, 2), (2, 2), (3, 2), (4, 2), (5, 5), (0, 6), (6, 3), (1, 4)])
def test_pages_cut_the_same_order(listing, offset, limit):
    desk, refs = listing
    everything = search(desk)
    page = search_bookings(desk, BookingQuery(offset=offset, limit=limit))
    assert [row.reference for row in page.rows] == everything[offset : offset + limit]
    assert page.total_count == 6 and page.offset == offset


def test_paging_a_filtered_search(listing):
    desk, refs = listing
    first = search_bookings(desk, BookingQuery(text="example.com", limit=2))
    second = search_bookings(desk, BookingQuery(text="example.com", offset=2, limit=2))
    assert first.total_count == second.total_count == 3
    assert [r.reference for r in first.rows + second.rows] == keys(refs, "tomorrow", "next_week", "ten_days_ago")


def test_limits_are_bounded(listing):
    desk, refs = listing
    assert len(search(desk, limit=0)) == 1
    assert len(search(desk, offset=-5)) == 6


def test_changed_since_names_the_bookings_that_moved(desk, refs):
    page = search_bookings(desk, BookingQuery())
    assert changed_since(desk, page.revision) == (page.revision, [])
    collect_offline(desk, refs["tomorrow"], "10", "card")
    revision, changed = changed_since(desk, page.revision)
    assert revision == page.revision + 1 and changed == [refs["tomorrow"]]


def test_booking_detail_and_customer_search(listing):
    desk, refs = listing
    detail = booking_detail(desk, refs["today_later"].lower())
    assert detail.customer.name == "Jean-Loup Œuvray"
    assert {c.name for c in find_customers(desk, "example.com")} == {"100%_Sport", "Élodie Martin", "ÉLODIE Rousseau"}


def test_many_bookings_page_through_without_loss(desk):
    add_activity(desk, "Canoë 7 km", price=2_000)
    made = {add_booking(desk, start=FROZEN_NOW + timedelta(hours=h)).reference for h in range(-30, 30, 3)}
    seen: list[str] = []
    offset = 0
    while True:
        page = search_bookings(desk, BookingQuery(offset=offset, limit=7))
        if not page.rows:
            break
        seen += [row.reference for row in page.rows]
        offset += len(page.rows)
    assert len(seen) == len(made) == 20 and set(seen) == made


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("zoe", {"Zoë Lefèvre"}),
        ("Zoë", {"Zoë Lefèvre"}),
        ("LEFEVRE", {"Zoë Lefèvre"}),
        ("oeuvray", {"Jean-Loup Œuvray"}),
        ("elodie", {"Élodie Martin", "ÉLODIE Rousseau"}),
        ("élodie rousseau", {"ÉLODIE Rousseau"}),
        ("marc.dupont", {"Marc Dupont"}),
        ("0475881234", {"Marc Dupont"}),
        ("100%", {"100%_Sport"}),
        ("", {name for name, _, _ in PEOPLE.values()}),
        ("nobody", set()),
    ],
)
def test_find_customers_folds_accents(listing, text, names):
    desk, _ = listing
    assert {c.name for c in find_customers(desk, text)} == names


def test_a_very_broad_search_shows_a_lower_bound_and_still_pages_in_order(listing, monkeypatch):
    """Past the exact-count threshold the total reads "N+", and the pages keep the list's order."""
    import deskpay.services.bookings.listing as listing_module

    desk, _ = listing
    everything = [row.reference for row in search_bookings(desk, BookingQuery(text="e", limit=500)).rows]
    assert len(everything) > 4
    monkeypatch.setattr(listing_module, "_EXACT_UP_TO", 3)
    first = search_bookings(desk, BookingQuery(text="e", limit=2))
    assert (first.total_count, first.total_is_exact) == (3, False)
    pages = [
        row.reference
        for offset in range(0, len(everything), 2)
        for row in search_bookings(desk, BookingQuery(text="e", offset=offset, limit=2)).rows
    ]
    assert pages == everything
    narrow = search_bookings(desk, BookingQuery(text=everything[0], limit=5))
    assert narrow.total_is_exact and narrow.total_count == 1


def test_has_bookings_is_false_on_an_empty_desk_and_true_after_one(desk):
    assert has_bookings(desk) is False
    add_activity(desk)
    add_booking(desk)
    assert has_bookings(desk) is True
