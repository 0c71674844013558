"""Every TUI form fed hostile input: refused inline with nothing written, or stored exactly; never a crash."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Static

from deskpay.services.collect import collect_online
from deskpay.services.queries import booking_detail
from deskpay.tui.modals.collect import CollectModal
from deskpay.tui.modals.customer_edit import CustomerEditModal
from deskpay.tui.modals.email_link import EmailLinkModal
from tests.tui.test_modals_collect import choose_mode
from tests.tui.test_modals_support import (  # noqa: F401  (modal_desk is a fixture)
    ModalHost, booking, emails, links, modal_desk, payments, settle, text_of)

# The CLI suite (tests/test_hostile_input.py) walks the whole catalogue; the forms get what stresses a text field.
HOSTILE = ["", "   ", "12\r\nBcc: victim@example.com", "'; DROP TABLE booking; --", "💶💶 🛶", "\u202eevil",
           "x" * 10_000, "ab\x00cd"]


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
