"""The reservations list: a query that pages, filters, searches, opens sheets and follows other desks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from textual.command import CommandPalette

from deskpay.services.bookings.listing import BookingQuery, search_bookings
from deskpay.services.money.collect import collect_offline
from deskpay.store.models import Booking
from deskpay.tui.booking.sheet import BookingSheet
from deskpay.tui.messages import BookingChanged
from deskpay.tui.reservations.booking_table import BookingTable, _fit
from deskpay.tui.reservations.period_bar import Period
from deskpay.tui.reservations.screen import PAGE_SIZE, ReservationsScreen
from tests.support.tui import DEMO_BOOKINGS, make_app, settle, until


def _local_day(desk, moment):
    return moment.astimezone(desk.settings.tz()).date()


def _count_text(app) -> str:
    return str(app.screen.query_one("#count").render())


async def test_first_page_today_first_and_count(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReservationsScreen)
        table = screen.query_one(BookingTable)
        assert table.loaded == PAGE_SIZE  # one page, never everything
        assert _count_text(app) == f"{PAGE_SIZE} sur {DEMO_BOOKINGS}"
        today = tui_desk.now().astimezone(tui_desk.settings.tz()).date()
        first = next(iter(table.rows_by_reference.values()))
        assert _local_day(tui_desk, first.start_at) >= today
        # Upcoming bookings come in start order, today's first.
        starts = [row.start_at for row in table.rows_by_reference.values()]
        upcoming = [s for s in starts if _local_day(tui_desk, s) >= today]
        assert upcoming == sorted(upcoming)
        assert table.has_focus


async def test_pages_load_as_the_cursor_nears_the_end(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BookingTable)
        assert table.loaded == PAGE_SIZE
        await pilot.press("ctrl+end")  # cursor to the last loaded row
        await until(pilot, lambda: table.loaded == 2 * PAGE_SIZE)
        await pilot.press("ctrl+end")
        await until(pilot, lambda: table.loaded == DEMO_BOOKINGS)
        assert _count_text(app) == f"{DEMO_BOOKINGS} sur {DEMO_BOOKINGS}"
        assert len(set(table.rows_by_reference)) == DEMO_BOOKINGS  # no row twice across pages
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.loaded == DEMO_BOOKINGS


async def test_search_as_you_type_by_name_and_reference(tui_desk):
    name = search_bookings(tui_desk, BookingQuery(limit=1)).rows[0].customer
    family = name.split()[-1]
    expected = search_bookings(tui_desk, BookingQuery(text=family, limit=500)).total_count
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.screen.query_one("#search").has_focus
        for char in family:
            await pilot.press(char)
        await settle(pilot)
        table = app.screen.query_one(BookingTable)
        assert 0 < table.loaded == min(expected, PAGE_SIZE)
        assert all(family.lower() in row.customer.lower() for row in table.rows_by_reference.values())
        assert _count_text(app) == f"{table.loaded} sur {expected}"

        # A reference: first Escape clears the box, then a reference narrows to one booking.
        await pilot.press("escape")
        await settle(pilot)
        assert table.loaded == PAGE_SIZE
        reference = next(iter(table.rows_by_reference))
        for char in reference:
            await pilot.press(char)
        await settle(pilot)
        assert list(table.rows_by_reference) == [reference]
        await pilot.press("enter")  # leaves the box for the table
        assert table.has_focus
        await pilot.press("enter")  # opens the sheet
        await settle(pilot)
        assert isinstance(app.screen, BookingSheet)
        assert app.screen.reference == reference


async def test_nothing_found_says_so(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzqqq")
        await settle(pilot)
        assert app.screen.query_one(BookingTable).loaded == 0
        assert _count_text(app) == "Aucune réservation"


async def test_quick_filters_and_unpaid_only(tui_desk):
    tz = tui_desk.settings.tz()
    today = tui_desk.now().astimezone(tz).date()
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(BookingTable)

        await pilot.press("1")
        await settle(pilot)
        assert screen.filter.period is Period.TODAY
        expected = search_bookings(tui_desk, BookingQuery(day_from=today, day_to=today, limit=500)).total_count
        assert screen.total == expected and table.loaded == min(expected, PAGE_SIZE)
        assert all(_local_day(tui_desk, r.start_at) == today for r in table.rows_by_reference.values())

        await pilot.press("2")
        await settle(pilot)
        tomorrow = today + timedelta(days=1)
        assert all(_local_day(tui_desk, r.start_at) == tomorrow for r in table.rows_by_reference.values())

        await pilot.press("3")
        await settle(pilot)
        monday = today - timedelta(days=today.weekday())
        days = {_local_day(tui_desk, r.start_at) for r in table.rows_by_reference.values()}
        assert days and all(monday <= d <= monday + timedelta(days=6) for d in days)

        await pilot.press("u")
        await settle(pilot)
        assert screen.filter.unpaid_only
        assert all(r.paid < r.total for r in table.rows_by_reference.values())
        expected = search_bookings(
            tui_desk, BookingQuery(day_from=monday, day_to=monday + timedelta(days=6), unpaid_only=True, limit=500)
        ).total_count
        assert screen.total == expected

        await pilot.press("4", "u")
        await settle(pilot)
        assert screen.filter.period is Period.ALL and not screen.filter.unpaid_only
        assert screen.total == DEMO_BOOKINGS


async def test_typed_date_and_a_date_that_is_not_one(tui_desk):
    tz = tui_desk.settings.tz()
    today = tui_desk.now().astimezone(tz).date()
    day = today + timedelta(days=3)
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("5", *"31/02/2026", "enter")
        await settle(pilot)
        assert screen.filter.period is Period.ALL  # unchanged
        assert screen.query_one("#day").has_class("-invalid")
        assert any("n'est pas une date" in n.message for n in app._notifications)

        await pilot.press(*["backspace"] * 10, *day.strftime("%d/%m"), "enter")
        await settle(pilot)
        assert screen.filter.period is Period.DAY and screen.filter.day == day
        table = screen.query_one(BookingTable)
        assert all(_local_day(tui_desk, r.start_at) == day for r in table.rows_by_reference.values())
        assert not screen.query_one("#day").has_class("-invalid")


async def test_live_update_when_another_desk_records_a_payment(tui_desk, other_desk):
    seen: list[BookingChanged] = []

    def hook(message):
        if isinstance(message, BookingChanged):
            seen.append(message)

    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BookingTable)
        row = next(r for r in table.rows_by_reference.values() if r.paid < r.total and r.badge != "link_open")
        await until(pilot, lambda: app._revision is not None)  # the first poll took the revision
        collect_offline(other_desk, row.reference, row.total - row.paid, "cash")
        await until(pilot, lambda: table.rows_by_reference[row.reference].badge == "paid", timeout=4)
        assert any(m.reference == row.reference for m in seen)
        assert table.cells(row.reference)[-1] == "payé"


async def test_find_booking_palette_opens_the_sheet(tui_desk):
    with tui_desk.read() as session:
        reference = session.execute(select(Booking.reference).order_by(Booking.id.desc())).scalars().first()
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*reference)
        await until(
            pilot,
            lambda: (
                reference in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt)
                if app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count
                else False
            ),
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingSheet)
        assert app.screen.reference == reference


async def test_a_finder_that_cannot_search_says_why(tui_desk, monkeypatch):
    """A locked database while searching from the palette: a message, not an empty list that looks like no match."""
    import deskpay.tui.common.palette as palette  # the finder's module: where it looks search_bookings up

    def locked(desk, query):
        raise RuntimeError("database is locked")

    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(palette, "search_bookings", locked)
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press("m", "a", "r")
        await until(pilot, lambda: any("database is locked" in n.message for n in app._notifications))
        assert app.is_running and isinstance(app.screen, CommandPalette)


async def test_the_list_never_writes(tui_desk):
    """Browsing, searching and filtering read only: the revision does not move."""
    from deskpay.services.bookings.listing import current_revision

    with tui_desk.read() as session:
        before = current_revision(session), session.execute(select(func.count()).select_from(Booking)).scalar_one()
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1", "2", "3", "4", "u", "u", "slash", *"dupont", "escape", "escape", "ctrl+end")
        await settle(pilot)
    with tui_desk.read() as session:
        after = current_revision(session), session.execute(select(func.count()).select_from(Booking)).scalar_one()
    assert after == before


async def test_enter_before_the_search_answers_opens_what_it_finds(tui_desk, monkeypatch):
    """Type a reference and Enter, Enter at once: the sheet of that booking opens, not of the old first row."""
    import time

    import deskpay.tui.reservations.screen as reservations

    with tui_desk.read() as session:
        reference = session.execute(select(Booking.reference).order_by(Booking.id.desc())).scalars().first()
    real_search = reservations.search_bookings

    def slow_search(desk, query):
        if query.text:
            time.sleep(0.5)  # a slow database: the Enters arrive before the answer
        return real_search(desk, query)

    monkeypatch.setattr(reservations, "search_bookings", slow_search)
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("slash")
        screen.query_one("#search").value = reference  # all at once, as a paste or a fast typist
        await pilot.press("enter", "enter")
        assert screen._loading_first and isinstance(app.screen, ReservationsScreen)
        await until(pilot, lambda: isinstance(app.screen, BookingSheet))
        await settle(pilot)  # let the sheet finish mounting before the test tears the app down
        assert app.screen.reference == reference
        assert len(app.screen_stack) == 2  # one sheet over the list, not two


async def test_enter_in_the_search_opens_a_single_match(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(BookingTable)
        reference = table.rows[5].reference
        name = table.rows[5].customer
        await pilot.press("slash", *reference, "enter")
        await settle(pilot)
        assert isinstance(app.screen, BookingSheet) and app.screen.reference == reference
        await pilot.press("escape")
        await settle(pilot)
        # Several matches: Enter goes to the list, a second Enter opens the row under the cursor.
        await pilot.press("slash", *["backspace"] * 20, *name.split()[0], "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReservationsScreen) and table.has_focus


async def test_keys_typed_in_a_burst_all_reach_the_search(tui_desk):
    """``/`` then a reference at terminal speed (or from a scanner): nothing is taken by the list's keys."""
    from textual import events

    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        reference = screen.query_one(BookingTable).rows[7].reference
        for key, char in [("slash", "/"), *[(c, c) for c in reference], ("enter", "\r")]:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        await until(pilot, lambda: isinstance(app.screen, BookingSheet))
        assert app.screen.reference == reference
        assert screen.filter.period is Period.ALL and screen.filter.text == reference
        # The sheet mounted and loaded before the app shuts down (quitting mid-mount fails in its on_mount).
        await until(pilot, lambda: app.screen.detail is not None)


@pytest.mark.parametrize(
    ("text", "width", "right", "expected"),
    [
        ("R-2026-0001", 12, False, "R-2026-0001 "),
        ("12,00 €", 9, True, "  12,00 €"),
        ("Élodie Martin", 15, False, "Élodie Martin  "),
        ("Kayak 🛶", 9, False, "Kayak 🛶 "),  # the canoe takes two cells
        ("Grande descente 24 km", 10, False, "Grande de…"),
        ("沙织 山田", 6, False, "沙织 …"),  # wide characters are cut by cells, not by characters
    ],
)
def test_a_cell_is_exactly_its_width(text, width, right, expected):
    from rich.cells import cell_len

    fitted = _fit(text, width, right)
    assert fitted == expected
    assert cell_len(fitted) == width
