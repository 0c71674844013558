"""A booking taken on the phone: activity, time, customer, and the confirmation with its payment link."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual.widgets import Input, OptionList, RadioButton, Select, Static

from deskpay.store.models import Booking, Customer
from deskpay.tui.messages import BookingChanged, EmailQueued, LinkCreated
from deskpay.tui.new_booking.screen import NewBookingScreen
from tests.support.tui import (
    ModalHost,
    booking,
    emails,
    links,
    rows,
    settle_except_flows,
    text_of,
)

PARIS = ZoneInfo("Europe/Paris")


def host_for(desk, lang: str = "fr") -> ModalHost:
    return ModalHost(lambda: NewBookingScreen(desk), lang=lang)


async def pick_activity(pilot, name: str) -> None:
    """With the keyboard: open the select, type-to-search is not needed, walk down to ``name``."""
    screen = pilot.app.screen
    select = screen.query_one("#activity", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    names = [a.name for a in sorted(screen.activities.values(), key=lambda a: a.name)]
    for _ in range(names.index(name) + 1):  # the blank prompt comes first
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    assert screen.activity is not None and screen.activity.name == name


async def fill(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    await pilot.pause()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def test_phone_booking_for_a_new_customer_with_the_deposit_link(modal_desk) -> None:
    app = host_for(modal_desk)
    async with app.run_test(size=(80, 24), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await pick_activity(pilot, "Grande descente 24 km")
        assert screen.query_one("#time", Input).value == "08:30"
        await fill(pilot, "#date", "10/07/2026")
        await fill(pilot, "#time", "9h30")
        await fill(pilot, "#participants", "3")
        assert screen.query_one("#total", Input).value == "114,00"
        screen.query_one("#kind-new", RadioButton).value = True
        await pilot.pause()
        await fill(pilot, "#new-name", "Jonas Weber")
        assert screen.query_one("#confirm-deposit", RadioButton).disabled, "no email yet"
        assert "Pas d'adresse email" in text_of(screen.query_one("#confirm-reason", Static))
        await fill(pilot, "#new-email", "jonas@example.com")
        await fill(pilot, "#new-phone", "+49 170 1234567")
        screen.query_one("#language", Select).value = "en"
        deposit = screen.query_one("#confirm-deposit", RadioButton)
        assert not deposit.disabled
        assert "34,20" in str(deposit.label).replace("\u202f", " ").replace("\xa0", " ")
        deposit.value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    [reference] = app.results
    [stored] = rows(modal_desk, Booking)
    assert stored.reference == reference
    assert stored.start_at.astimezone(PARIS) == datetime(2026, 7, 10, 9, 30, tzinfo=PARIS)
    assert (stored.participants, stored.total_minor, stored.language) == (3, 11_400, "en")
    [customer] = rows(modal_desk, Customer)
    assert (customer.name, customer.email, customer.phone) == ("Jonas Weber", "jonas@example.com", "+49 170 1234567")
    [link] = links(modal_desk)
    assert (link.amount_minor, link.purpose, link.recipient_email) == (3_420, "confirmation", "jonas@example.com")
    [email] = emails(modal_desk)
    assert (email.kind, email.to_addr, email.language) == ("confirmation", "jonas@example.com", "en")
    assert link.url in email.text
    assert [m.reference for m in app.posted(BookingChanged)] == [reference]
    assert [m.link_ids for m in app.posted(LinkCreated)] == [(link.id,)]
    assert [(m.to, m.kind) for m in app.posted(EmailQueued)] == [("jonas@example.com", "confirmation")]


async def test_existing_customer_found_as_you_type_full_amount_and_edited_total(modal_desk) -> None:
    booking(modal_desk, name="Camille Le Roux", email="camille@example.com")
    booking(modal_desk, name="Théo Robert", email="theo@example.com")
    app = host_for(modal_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        screen.query_one("#activity", Select).value = next(
            a.id for a in screen.activities.values() if a.name == "Canoë 7 km"
        )
        await pilot.pause()
        await fill(pilot, "#participants", "2")
        await fill(pilot, "#total", "40")
        await fill(pilot, "#search", "theo")
        await settle_except_flows(pilot)
        matches = screen.query_one("#matches", OptionList)
        assert matches.option_count == 1
        await pilot.press("enter")  # to the list
        await pilot.press("enter")  # choose
        await pilot.pause()
        assert "Théo Robert · theo@example.com" in text_of(screen.query_one("#chosen", Static))
        assert screen.query_one("#confirm-full", RadioButton).value, "full amount: no deposit for this activity"
        assert screen.query_one("#confirm-deposit", RadioButton).disabled
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    [reference] = app.results
    stored = [b for b in rows(modal_desk, Booking) if b.reference == reference][0]
    assert stored.total_minor == 4_000
    new_links = [link for link in links(modal_desk) if link.booking_id == stored.id]
    assert [(link.amount_minor, link.recipient_email) for link in new_links] == [(4_000, "theo@example.com")]
    assert len(rows(modal_desk, Customer)) == 2, "no duplicate customer"


async def test_without_email_the_booking_is_saved_and_nothing_is_sent(modal_desk) -> None:
    app = host_for(modal_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        screen.query_one("#activity", Select).value = next(iter(screen.activities))
        screen.query_one("#kind-new", RadioButton).value = True
        await pilot.pause()
        await fill(pilot, "#new-name", "Sans Email")
        assert screen.query_one("#confirm-none", RadioButton).value
        assert screen.query_one("#confirm-full", RadioButton).disabled
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    [reference] = app.results
    assert reference.startswith("R-2026-")
    assert links(modal_desk) == [] and emails(modal_desk) == []


async def test_refusals_are_inline_and_nothing_is_written(modal_desk) -> None:
    app = host_for(modal_desk, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Choose an activity." in text_of(screen.query_one("#error", Static))
        screen.query_one("#activity", Select).value = next(iter(screen.activities))
        await fill(pilot, "#date", "31/02/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "“31/02/2026” is not a date" in text_of(screen.query_one("#error", Static))
        await fill(pilot, "#date", "10/07/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Choose a customer" in text_of(screen.query_one("#error", Static))
        screen.query_one("#kind-new", RadioButton).value = True
        await pilot.pause()
        await fill(pilot, "#new-name", "Bad Email")
        await fill(pilot, "#new-email", "bad@")
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        assert "bad@" in text_of(screen.query_one("#error", Static))
        await fill(pilot, "#new-email", "ok@example.com")
        await fill(pilot, "#participants", "99")
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        assert "Participants: between 1 and 20" in text_of(screen.query_one("#error", Static))
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert rows(modal_desk, Booking) == [] and rows(modal_desk, Customer) == []


async def test_the_confirmation_amounts_follow_the_participants_and_never_go_stale(modal_desk) -> None:
    app = host_for(modal_desk, lang="en")
    async with app.run_test(size=(80, 30)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        await pick_activity(pilot, "Grande descente 24 km")  # 38.00 € each, 30 % deposit

        def labels() -> tuple[str, str]:
            return tuple(str(screen.query_one(f"#confirm-{kind}", RadioButton).label) for kind in ("deposit", "full"))

        await fill(pilot, "#participants", "2")
        await settle_except_flows(pilot)
        assert labels() == ("Deposit per the payment terms: €22.80", "Full amount: €76.00")
        for unreadable in ("", "9" * 40, "²"):  # cleared, absurd, not a count: the old figures must go
            await fill(pilot, "#participants", unreadable)
            await settle_except_flows(pilot)
            assert labels() == ("Deposit per the payment terms: —", "Full amount: —")
        assert app.screen is screen
