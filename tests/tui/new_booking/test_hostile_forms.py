"""The new booking screen fed hostile input: refused inline with nothing written, or stored exactly; never a crash."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from textual.widgets import Button, Input, OptionList, RadioButton, Select, Static

from deskpay.store.models import Booking, Customer, EmailMessage, PaymentLink
from deskpay.tui.new_booking.screen import NewBookingScreen
from tests.support.desk import db_state
from tests.support.hostile import (
    HOSTILE,
    NUMERIC_HOSTILE,
    PARIS,
    RTL_TEXT,
    TOO_MANY_DIGITS,
    ascii_digits,
    clear_refusal,
    count_of,
    new_rows,
    plain_line,
)
from tests.support.tui import ModalHost, booking, settle_except_flows, text_of

# ------------------------------------------------------------------ new booking


async def _booking_form(pilot, screen, *, new_customer: bool = True) -> None:
    """A form that would save: Canoë 7 km (22,00 €, full payment) on 10/07/2026 at 09:00 for 2, no email."""
    screen.query_one("#activity", Select).value = next(
        a.id for a in screen.activities.values() if a.name == "Canoë 7 km"
    )
    await pilot.pause()
    for selector, text in (("#date", "10/07/2026"), ("#time", "09:00"), ("#participants", "2")):
        screen.query_one(selector, Input).value = text
    if new_customer:
        screen.query_one("#kind-new", RadioButton).value = True
        await pilot.pause()
        screen.query_one("#new-name", Input).value = "Base Client"
    await settle_except_flows(pilot)


async def _booking_refused(pilot, screen, before, desk) -> str:
    assert pilot.app.is_running, "no crash"
    assert pilot.app.screen is screen, "a refusal keeps the form open"
    error = screen.query_one("#error", Static)
    said = text_of(error).strip()
    assert error.display and clear_refusal(said), f"and says why: {said[:200]!r}"
    assert not screen.busy and not screen.query_one("#save", Button).disabled, "and can be saved again"
    assert db_state(desk) == before, "and writes nothing: no booking, customer, link, email or audit event"
    return said


def _day(value: str) -> date | None:
    try:
        return datetime.strptime(ascii_digits(value), "%d/%m/%Y").date()
    except ValueError:
        return None


def _clock(value: str) -> time | None:
    text = ascii_digits(value)
    if text.isascii() and text.isdigit() and len(text) <= 2:
        return time(int(text)) if int(text) < 24 else None
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return None


def _booking_accepts(field: str, value: str, made: list, customers: list) -> None:
    """What the form may store for ``value`` typed into ``field``; everything else as the base form has it."""
    [stored] = made
    [customer] = customers
    start = stored.start_at.astimezone(PARIS)
    expected = {
        "date": date(2026, 7, 10),
        "time": time(9, 0),
        "participants": 2,
        "total": 4_400,
        "new-name": "Base Client",
        "new-email": None,
        "new-phone": None,
    }
    if field == "date":
        expected["date"] = _day(value)
        assert expected["date"] is not None, f"the form took {value!r} as a date"
    elif field == "time":
        expected["time"] = _clock(value)
        assert expected["time"] is not None, f"the form took {value!r} as a time"
    elif field == "participants":
        expected["participants"] = count_of(value, 20)
        assert expected["participants"] is not None, f"the form took {value!r} as a number of participants"
        expected["total"] = 2_200 * expected["participants"]
    elif field == "total":
        pytest.fail(f"the form took {value!r} as a total")
    elif field == "new-name":
        assert plain_line(value.strip()) and value.strip(), f"the form stored the name {value!r}"
        expected["new-name"] = value.strip()
    else:  # an address or phone is optional: only "none" may be taken from this catalogue
        assert not value.strip(), f"the form stored {value!r} in {field}"
    assert (start.date(), start.time(), stored.participants, stored.total_minor) == (
        expected["date"],
        expected["time"],
        expected["participants"],
        expected["total"],
    )
    assert (customer.name, customer.email, customer.phone) == (
        expected["new-name"],
        expected["new-email"],
        expected["new-phone"],
    )
    assert stored.customer_id == customer.id


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("date", [*NUMERIC_HOSTILE, "١٠/٠٧/٢٠٢٦", "31/02/2026"]),
        ("time", [*NUMERIC_HOSTILE, "25:00"]),
        ("participants", [*NUMERIC_HOSTILE, "21"]),
        ("total", NUMERIC_HOSTILE),
        ("new-name", [*HOSTILE, RTL_TEXT, "١٢"]),  # a name may hold digits: the numeric extras add nothing
        ("new-email", [*NUMERIC_HOSTILE, RTL_TEXT]),
        ("new-phone", [*NUMERIC_HOSTILE, RTL_TEXT]),
    ],
    ids=["date", "time", "participants", "total", "new-name", "new-email", "new-phone"],
)
async def test_new_booking(modal_desk, field, values) -> None:
    """Each text input of the new-booking screen, each hostile value in turn, the rest of the form valid."""
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        await _booking_form(pilot, app.screen)
        for value in values:
            screen = app.screen
            before = db_state(modal_desk)
            screen.query_one(f"#{field}", Input).value = value
            await pilot.pause()
            await pilot.press("ctrl+s")
            await settle_except_flows(pilot)
            if app.screen is screen:
                await _booking_refused(pilot, screen, before, modal_desk)
                continue
            made = new_rows(modal_desk, Booking, before)
            assert app.is_running and app.results[-1] == made[0].reference
            _booking_accepts(field, value, made, new_rows(modal_desk, Customer, before))
            assert new_rows(modal_desk, PaymentLink, before) == [], "no email address: no link"
            assert new_rows(modal_desk, EmailMessage, before) == [], "and no confirmation"
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle_except_flows(pilot)
            await _booking_form(pilot, app.screen)


async def test_new_booking_customer_search(modal_desk) -> None:
    """The search box finds nobody odd, and without a customer chosen nothing is saved."""
    booking(modal_desk, name="Élodie Martin", email="elodie@example.com")  # someone to find
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await _booking_form(pilot, screen, new_customer=False)
        before = db_state(modal_desk)
        for value in [*NUMERIC_HOSTILE, RTL_TEXT, "%", "_", "%_\\"]:
            screen.query_one("#search", Input).value = value
            await settle_except_flows(pilot)  # the search runs in a worker
            assert app.is_running
            found = screen.query_one("#matches", OptionList).option_count
            if not value.strip():
                assert found == 1, "nothing typed: everyone"
            elif value in ("x" * 10_000, "'; DROP TABLE booking; --", "%", "_", "%_\\", "ab\x00cd"):
                assert found == 0, (value, found)
            await pilot.press("ctrl+s")  # refused by the screen itself, before any worker
            await pilot.pause()
            said = await _booking_refused(pilot, screen, before, modal_desk)
            assert said == "Choisissez un client dans la liste, ou « Nouveau client »."


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("'; DROP TABLE booking; --", "new-name"),
        (RTL_TEXT, "new-name"),
        ("\u202eevil", "new-name"),
        ("x" * 10_000, "new-name"),
        ("12\r\nBcc: victim@example.com", "new-email"),
        ("9" * 400, "new-phone"),
    ],
    ids=["sql-name", "rtl-name", "bidi-override-name", "10000-chars-name", "crlf-email", "400-digits-phone"],
)
async def test_new_booking_new_customer_from_the_search(modal_desk, value, field) -> None:
    """ "New customer" copies what was searched into the name, email or phone: the same rules apply there."""
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await _booking_form(pilot, screen, new_customer=False)
        before = db_state(modal_desk)
        screen.query_one("#search", Input).value = value
        await settle_except_flows(pilot)
        screen.query_one("#kind-new", RadioButton).value = True
        await pilot.pause()
        assert screen.query_one(f"#{field}", Input).value == value.strip()
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        if app.screen is screen:
            await _booking_refused(pilot, screen, before, modal_desk)
            return
    [customer] = new_rows(modal_desk, Customer, before)
    assert field == "new-name" and plain_line(value.strip()), f"the form stored {value!r} from the search"
    assert (customer.name, customer.email, customer.phone) == (value.strip(), None, None)
    assert len(new_rows(modal_desk, Booking, before)) == 1


@pytest.mark.parametrize(
    "value",
    [
        "9" * 25,
        TOO_MANY_DIGITS,
    ],
    ids=["25 digits", "10,000 digits"],
)
async def test_new_booking_huge_participants(modal_desk, value) -> None:
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await _booking_form(pilot, screen)
        before = db_state(modal_desk)
        screen.query_one("#participants", Input).value = value
        await settle_except_flows(pilot)
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        await _booking_refused(pilot, screen, before, modal_desk)


async def test_new_booking_date_and_time_errors_show_what_was_typed_on_one_visible_line(modal_desk) -> None:
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await _booking_form(pilot, screen)
        shown = {}
        for field in ("date", "time"):
            for value in ("12\r\nBcc: victim@example.com", "\u202eevil", "ab\x00cd", "x" * 10_000):
                screen.query_one(f"#{field}", Input).value = value
                await pilot.press("ctrl+s")
                await settle_except_flows(pilot)
                shown[field, value[:30]] = text_of(screen.query_one("#error", Static))
            screen.query_one(f"#{field}", Input).value = "10/07/2026" if field == "date" else "09:00"
        bad = {
            key: said[:60]
            for key, said in shown.items()
            if not (said.strip() and said.isprintable() and len(said) <= 200)
        }
        assert bad == {}
