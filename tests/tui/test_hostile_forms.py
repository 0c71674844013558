"""Every TUI form fed hostile input: refused inline with nothing written, or stored exactly; never a crash."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Button, Input, OptionList, RadioButton, Select, Static

from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.links.open import LinksOutcome
from deskpay.services.money.collect import collect_online
from deskpay.store.models import Booking, Customer, EmailMessage, PaymentLink
from deskpay.tui.booking.collect import CollectModal
from deskpay.tui.booking.customer_edit import CustomerEditModal
from deskpay.tui.booking.email_link import EmailLinkModal
from deskpay.tui.booking.split import ShareRow, SplitModal
from deskpay.tui.new_booking.screen import NewBookingScreen
from tests.conftest import db_state
from tests.tui.test_modals_collect import choose_mode
from tests.tui.test_modals_support import (  # noqa: F401  (modal_desk is a fixture)
    ModalHost,
    booking,
    emails,
    links,
    modal_desk,
    payments,
    rows,
    settle,
    text_of,
)

# The CLI suite (tests/test_hostile_input.py) walks the whole catalogue; the forms get what stresses a text field.
HOSTILE = [
    "",
    "   ",
    "12\r\nBcc: victim@example.com",
    "'; DROP TABLE booking; --",
    "💶💶 🛶",
    "\u202eevil",
    "x" * 10_000,
    "ab\x00cd",
]


def _state(desk, reference):
    return (payments(desk), links(desk), emails(desk), booking_detail(desk, reference).customer)


async def _refused(pilot, modal, before, desk, reference) -> None:
    assert pilot.app.screen is modal, "a refusal keeps the form open"
    assert text_of(modal.query_one("#error", Static)).strip(), "and says why"
    assert _state(desk, reference) == before, "and writes nothing"


async def test_encaisser_amount(modal_desk) -> None:
    reference = booking(modal_desk)
    before = _state(modal_desk, reference)
    app = ModalHost(lambda: CollectModal(modal_desk, reference))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        modal = app.screen
        await choose_mode(pilot, "cash")
        for value in HOSTILE:
            modal.query_one("#amount", Input).value = value
            await pilot.click("#submit")
            await settle(pilot)
            await _refused(pilot, modal, before, modal_desk, reference)


@pytest.mark.parametrize("field", ["name", "email", "phone"])
async def test_customer_edit(modal_desk, field) -> None:
    reference = booking(modal_desk)
    app = ModalHost(lambda: CustomerEditModal(modal_desk, booking_detail(modal_desk, reference).customer))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for value in HOSTILE:
            modal = app.screen
            before = _state(modal_desk, reference)
            modal.query_one(f"#{field}", Input).value = value
            await pilot.press("ctrl+s")
            await settle(pilot)
            if app.screen is modal:
                await _refused(pilot, modal, before, modal_desk, reference)
                await pilot.press("escape")
            else:  # accepted: stored exactly as typed (trimmed), then the next value on a fresh form
                stored = getattr(booking_detail(modal_desk, reference).customer, field)
                assert stored == (value.strip() or None if field != "name" else value.strip())
            await settle(pilot)
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle(pilot)


@pytest.mark.parametrize("field", ["to", "subject"])
async def test_email_a_link(modal_desk, field) -> None:
    reference = booking(modal_desk)
    link = (await collect_online(modal_desk, reference, "20")).links[0]
    app = ModalHost(lambda: EmailLinkModal(modal_desk, link.id))
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        for value in HOSTILE:
            modal = app.screen
            before = _state(modal_desk, reference)
            modal.query_one(f"#{field}", Input).value = value
            await pilot.pause(0.5)  # the preview follows the typing after a short pause
            await settle(pilot)
            send = modal.query_one("#send", Button)
            if not send.disabled:
                await pilot.click("#send")
                await settle(pilot)
            if app.screen is modal:
                await _refused(pilot, modal, before, modal_desk, reference)
                await pilot.press("escape")
            else:
                queued = emails(modal_desk)[-1]
                assert len(emails(modal_desk)) == len(before[2]) + 1
                if field == "subject":
                    assert queued.subject == value.strip() or not value.strip()
            await settle(pilot)
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle(pilot)


# ------------------------------------------------------------------ split, new booking

#: What a numeric field gets on top: digits of other scripts, a negative, zero and a huge number.
NUMERIC_HOSTILE = [*HOSTILE, "١٢", "１２", "-5", "0", "9" * 400]
#: Right-to-left text that is a real name (HOSTILE has the bidi *override*, which is not).
RTL_TEXT = "مرحبا بكم"
#: More digits than Python's int() converts (4,300), and still what an integer Input lets the operator paste.
TOO_MANY_DIGITS = "9" * 10_000
PARIS = ZoneInfo("Europe/Paris")


def _ascii_digits(value: str) -> str:
    """``value`` with the digits of any script written 0-9: what a lenient form may read it as."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value).strip()


def _count(value: str, largest: int) -> int | None:
    """The whole number ``value`` stands for (digits of any script), if it is one from 1 to ``largest``."""
    text = _ascii_digits(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 5 and 1 <= int(text) <= largest else None


def _plain_line(text: str) -> bool:
    """Something a form may store as typed: one printable line (no control or bidi-override characters), short."""
    return text.isprintable() and len(text) <= 500


def _clear(said: str) -> bool:
    """A refusal the operator can act on: something said, and not the line for a bug (an exception in a worker)."""
    return bool(said.strip()) and not said.startswith("Erreur inattendue")


def _new_rows(desk, model, before: dict[str, list[tuple]]) -> list:
    known = {row[0] for row in before[model.__tablename__]}
    return [row for row in rows(desk, model) if row.id not in known]


# ------------------------------------------------------------------ split


def _split_input(modal, field: str) -> Input:
    """``total``/``parts`` above the shares, or ``label``/``amount``/``email`` of the first share."""
    if field in ("total", "parts"):
        return modal.query_one(f"#{field}", Input)
    return modal.query(ShareRow).first().query_one(f".share-{field}", Input)


async def _split_refused(pilot, modal, before, desk) -> None:
    assert pilot.app.is_running, "no crash"
    assert pilot.app.screen is modal, "a refusal keeps the modal open"
    error = text_of(modal.query_one("#error", Static)).strip()
    live = modal.query_one("#sum", Static)
    if error:  # refused by the service on "create": the button is usable again for a corrected value
        assert _clear(error), error[:200]
        assert not modal.busy and not modal.query_one("#create", Button).disabled
    else:  # refused by the live check under the shares: it says why and "create" stays disabled
        assert live.has_class("bad") and text_of(live).strip(), "and says why"
        assert modal.query_one("#create", Button).disabled
    assert len(modal.query(ShareRow)) >= 1, "the shares are still there"
    assert db_state(desk) == before, "and writes nothing: no link, email, audit event or revision"


def _split_accepts(field: str, value: str, created: list, queued: list) -> None:
    """What the split may do with ``value`` when it takes it (a 2-participant booking, 76,00 €)."""
    assert queued == [], "no share has an address: no email"
    assert all(link.status == "open" and link.purpose == "split" for link in created)
    if field == "parts":
        count = _count(value, 50)
        assert count is not None, f"split into {len(created)} links for {value!r}"
        assert len(created) == count, (value, len(created))
    elif field in ("total", "amount"):
        pytest.fail(f"the split took {value!r} as an amount")
    elif field == "email":
        assert not value.strip(), f"the split took {value!r} as an address"
        assert [link.recipient_email for link in created] == [None, None]
    elif field == "label":
        assert _plain_line(value.strip()), f"the split stored the label {value!r}"
        assert [link.label for link in created] == [value.strip() or "Participant 1", "Participant 2"]
    if field in ("email", "label"):
        assert [link.amount_minor for link in created] == [3_800, 3_800]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("parts", NUMERIC_HOSTILE),
        ("total", NUMERIC_HOSTILE),
        ("amount", NUMERIC_HOSTILE),
        ("email", [*HOSTILE, RTL_TEXT, "-5"]),
        ("label", [*HOSTILE, RTL_TEXT, "١٢"]),
    ],
    ids=["parts", "total", "share-amount", "share-email", "share-label"],
)
async def test_split(modal_desk, field, values) -> None:
    """Share count, amount to split, and a share's amount, address and label: each hostile value in turn."""
    current = {"reference": booking(modal_desk, participants=2)}  # 2 × 38,00 € = 76,00 €
    app = ModalHost(lambda: SplitModal(modal_desk, current["reference"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for value in values:
            modal = app.screen
            assert isinstance(modal, SplitModal) and modal.detail is not None
            before = db_state(modal_desk)
            _split_input(modal, field).value = value
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            if app.screen is modal:
                await _split_refused(pilot, modal, before, modal_desk)
                continue
            assert app.is_running
            assert isinstance(app.results[-1], LinksOutcome)
            _split_accepts(
                field, value, _new_rows(modal_desk, PaymentLink, before), _new_rows(modal_desk, EmailMessage, before)
            )
            current["reference"] = booking(modal_desk, participants=2)  # a fresh booking for the next value
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle(pilot)


async def test_split_count_of_ten_thousand_digits(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)
    app = ModalHost(lambda: SplitModal(modal_desk, reference))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        modal = app.screen
        before = db_state(modal_desk)
        modal.query_one("#parts", Input).value = TOO_MANY_DIGITS
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _split_refused(pilot, modal, before, modal_desk)


async def test_split_text_ending_in_a_dash_is_not_called_a_negative_amount(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)
    app = ModalHost(lambda: SplitModal(modal_desk, reference))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        modal = app.screen
        _split_input(modal, "amount").value = "'; DROP TABLE booking; --"
        await settle(pilot)
        said = text_of(modal.query_one("#sum", Static))
        assert said.startswith("Part 1 : ")
        assert "négatif" not in said and "n'est pas un montant" in said, said


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
    await settle(pilot)


async def _booking_refused(pilot, screen, before, desk) -> str:
    assert pilot.app.is_running, "no crash"
    assert pilot.app.screen is screen, "a refusal keeps the form open"
    error = screen.query_one("#error", Static)
    said = text_of(error).strip()
    assert error.display and _clear(said), f"and says why: {said[:200]!r}"
    assert not screen.busy and not screen.query_one("#save", Button).disabled, "and can be saved again"
    assert db_state(desk) == before, "and writes nothing: no booking, customer, link, email or audit event"
    return said


def _day(value: str) -> date | None:
    try:
        return datetime.strptime(_ascii_digits(value), "%d/%m/%Y").date()
    except ValueError:
        return None


def _clock(value: str) -> time | None:
    text = _ascii_digits(value)
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
        expected["participants"] = _count(value, 20)
        assert expected["participants"] is not None, f"the form took {value!r} as a number of participants"
        expected["total"] = 2_200 * expected["participants"]
    elif field == "total":
        pytest.fail(f"the form took {value!r} as a total")
    elif field == "new-name":
        assert _plain_line(value.strip()) and value.strip(), f"the form stored the name {value!r}"
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
        await settle(pilot)
        await _booking_form(pilot, app.screen)
        for value in values:
            screen = app.screen
            before = db_state(modal_desk)
            screen.query_one(f"#{field}", Input).value = value
            await pilot.pause()
            await pilot.press("ctrl+s")
            await settle(pilot)
            if app.screen is screen:
                await _booking_refused(pilot, screen, before, modal_desk)
                continue
            made = _new_rows(modal_desk, Booking, before)
            assert app.is_running and app.results[-1] == made[0].reference
            _booking_accepts(field, value, made, _new_rows(modal_desk, Customer, before))
            assert _new_rows(modal_desk, PaymentLink, before) == [], "no email address: no link"
            assert _new_rows(modal_desk, EmailMessage, before) == [], "and no confirmation"
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle(pilot)
            await _booking_form(pilot, app.screen)


async def test_new_booking_customer_search(modal_desk) -> None:
    """The search box finds nobody odd, and without a customer chosen nothing is saved."""
    booking(modal_desk, name="Élodie Martin", email="elodie@example.com")  # someone to find
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await _booking_form(pilot, screen, new_customer=False)
        before = db_state(modal_desk)
        for value in [*NUMERIC_HOSTILE, RTL_TEXT, "%", "_", "%_\\"]:
            screen.query_one("#search", Input).value = value
            await settle(pilot)  # the search runs in a worker
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
        await settle(pilot)
        screen = app.screen
        await _booking_form(pilot, screen, new_customer=False)
        before = db_state(modal_desk)
        screen.query_one("#search", Input).value = value
        await settle(pilot)
        screen.query_one("#kind-new", RadioButton).value = True
        await pilot.pause()
        assert screen.query_one(f"#{field}", Input).value == value.strip()
        await pilot.press("ctrl+s")
        await settle(pilot)
        if app.screen is screen:
            await _booking_refused(pilot, screen, before, modal_desk)
            return
    [customer] = _new_rows(modal_desk, Customer, before)
    assert field == "new-name" and _plain_line(value.strip()), f"the form stored {value!r} from the search"
    assert (customer.name, customer.email, customer.phone) == (value.strip(), None, None)
    assert len(_new_rows(modal_desk, Booking, before)) == 1


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
        await settle(pilot)
        screen = app.screen
        await _booking_form(pilot, screen)
        before = db_state(modal_desk)
        screen.query_one("#participants", Input).value = value
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _booking_refused(pilot, screen, before, modal_desk)


async def test_new_booking_date_and_time_errors_show_what_was_typed_on_one_visible_line(modal_desk) -> None:
    app = ModalHost(lambda: NewBookingScreen(modal_desk))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await _booking_form(pilot, screen)
        shown = {}
        for field in ("date", "time"):
            for value in ("12\r\nBcc: victim@example.com", "\u202eevil", "ab\x00cd", "x" * 10_000):
                screen.query_one(f"#{field}", Input).value = value
                await pilot.press("ctrl+s")
                await settle(pilot)
                shown[field, value[:30]] = text_of(screen.query_one("#error", Static))
            screen.query_one(f"#{field}", Input).value = "10/07/2026" if field == "date" else "09:00"
        bad = {
            key: said[:60]
            for key, said in shown.items()
            if not (said.strip() and said.isprintable() and len(said) <= 200)
        }
        assert bad == {}
