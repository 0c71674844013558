"""The customer editor: every field saved, and refusals said inline that change nothing."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Select, Static

from deskpay.services.bookings.customers import find_customers
from deskpay.services.bookings.sheet import booking_detail
from deskpay.tui.booking.customer_edit import CustomerEditModal
from tests.support.tui import ModalHost, booking, settle_except_flows, text_of


def customer_of(desk, reference):
    return booking_detail(desk, reference).customer


async def test_customer_edit_saves_every_field(modal_desk) -> None:
    reference = booking(modal_desk)
    app = ModalHost(lambda: CustomerEditModal(modal_desk, customer_of(modal_desk, reference)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert modal.query_one("#name", Input).value == "Élodie Martin"
        modal.query_one("#name", Input).value = "Élodie Martin-Roux"
        modal.query_one("#email", Input).value = "elodie.roux@example.com"
        modal.query_one("#phone", Input).value = "+33 6 00 00 00 01"
        modal.query_one("#language", Select).value = "en"
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    assert app.results == [True]
    customer = customer_of(modal_desk, reference)
    assert (customer.name, customer.email, customer.phone, customer.language) == (
        "Élodie Martin-Roux",
        "elodie.roux@example.com",
        "+33 6 00 00 00 01",
        "en",
    )
    assert [c.name for c in find_customers(modal_desk, "roux")] == ["Élodie Martin-Roux"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("email", "elodie@", "elodie@"),
        ("phone", "call me", "n'est pas un numéro de téléphone"),
        ("name", "   ", "Le nom est obligatoire"),
    ],
)
async def test_customer_edit_refuses_inline_and_changes_nothing(modal_desk, field, value, expected) -> None:
    reference = booking(modal_desk)
    before = customer_of(modal_desk, reference)
    app = ModalHost(lambda: CustomerEditModal(modal_desk, before))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        modal.query_one(f"#{field}", Input).value = value
        modal.query_one("#name", Input).focus()
        await pilot.press("enter")  # Enter in a field saves
        await settle_except_flows(pilot)
        assert app.screen is modal
        assert expected in text_of(modal.query_one("#error", Static))
        assert not modal.query_one("#save", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [False]
    assert customer_of(modal_desk, reference) == before
