"""Every form of the booking sheet fed hostile input: refused inline with nothing written, or stored exactly; never a crash.

Encaisser's amount, the customer editor, emailing a link, and the split.
"""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Static

from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.links.open import LinksOutcome
from deskpay.services.money.collect import collect_online
from deskpay.store.models import EmailMessage, PaymentLink
from deskpay.tui.booking.collect import CollectModal
from deskpay.tui.booking.customer_edit import CustomerEditModal
from deskpay.tui.booking.email_link import EmailLinkModal
from deskpay.tui.booking.split import ShareRow, SplitModal
from tests.support.desk import db_state
from tests.support.hostile import (
    HOSTILE,
    NUMERIC_HOSTILE,
    RTL_TEXT,
    TOO_MANY_DIGITS,
    clear_refusal,
    count_of,
    new_rows,
    plain_line,
)
from tests.support.tui import (
    ModalHost,
    booking,
    choose_mode,
    emails,
    links,
    payments,
    settle_except_flows,
    text_of,
)


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
        await settle_except_flows(pilot)
        modal = app.screen
        await choose_mode(pilot, "cash")
        for value in HOSTILE:
            modal.query_one("#amount", Input).value = value
            await pilot.click("#submit")
            await settle_except_flows(pilot)
            await _refused(pilot, modal, before, modal_desk, reference)


@pytest.mark.parametrize("field", ["name", "email", "phone"])
async def test_customer_edit(modal_desk, field) -> None:
    reference = booking(modal_desk)
    app = ModalHost(lambda: CustomerEditModal(modal_desk, booking_detail(modal_desk, reference).customer))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        for value in HOSTILE:
            modal = app.screen
            before = _state(modal_desk, reference)
            modal.query_one(f"#{field}", Input).value = value
            await pilot.press("ctrl+s")
            await settle_except_flows(pilot)
            if app.screen is modal:
                await _refused(pilot, modal, before, modal_desk, reference)
                await pilot.press("escape")
            else:  # accepted: stored exactly as typed (trimmed), then the next value on a fresh form
                stored = getattr(booking_detail(modal_desk, reference).customer, field)
                assert stored == (value.strip() or None if field != "name" else value.strip())
            await settle_except_flows(pilot)
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle_except_flows(pilot)


@pytest.mark.parametrize("field", ["to", "subject"])
async def test_email_a_link(modal_desk, field) -> None:
    reference = booking(modal_desk)
    link = (await collect_online(modal_desk, reference, "20")).links[0]
    app = ModalHost(lambda: EmailLinkModal(modal_desk, link.id))
    async with app.run_test(size=(100, 36)) as pilot:
        await settle_except_flows(pilot)
        for value in HOSTILE:
            modal = app.screen
            before = _state(modal_desk, reference)
            modal.query_one(f"#{field}", Input).value = value
            await pilot.pause(0.5)  # the preview follows the typing after a short pause
            await settle_except_flows(pilot)
            send = modal.query_one("#send", Button)
            if not send.disabled:
                await pilot.click("#send")
                await settle_except_flows(pilot)
            if app.screen is modal:
                await _refused(pilot, modal, before, modal_desk, reference)
                await pilot.press("escape")
            else:
                queued = emails(modal_desk)[-1]
                assert len(emails(modal_desk)) == len(before[2]) + 1
                if field == "subject":
                    assert queued.subject == value.strip() or not value.strip()
            await settle_except_flows(pilot)
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle_except_flows(pilot)


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
        assert clear_refusal(error), error[:200]
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
        count = count_of(value, 50)
        assert count is not None, f"split into {len(created)} links for {value!r}"
        assert len(created) == count, (value, len(created))
    elif field in ("total", "amount"):
        pytest.fail(f"the split took {value!r} as an amount")
    elif field == "email":
        assert not value.strip(), f"the split took {value!r} as an address"
        assert [link.recipient_email for link in created] == [None, None]
    elif field == "label":
        assert plain_line(value.strip()), f"the split stored the label {value!r}"
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
        await settle_except_flows(pilot)
        for value in values:
            modal = app.screen
            assert isinstance(modal, SplitModal) and modal.detail is not None
            before = db_state(modal_desk)
            _split_input(modal, field).value = value
            await settle_except_flows(pilot)
            await pilot.press("ctrl+s")
            await settle_except_flows(pilot)
            if app.screen is modal:
                await _split_refused(pilot, modal, before, modal_desk)
                continue
            assert app.is_running
            assert isinstance(app.results[-1], LinksOutcome)
            _split_accepts(
                field, value, new_rows(modal_desk, PaymentLink, before), new_rows(modal_desk, EmailMessage, before)
            )
            current["reference"] = booking(modal_desk, participants=2)  # a fresh booking for the next value
            app.push_screen(app.make_screen(), callback=app.results.append)
            await settle_except_flows(pilot)


async def test_split_count_of_ten_thousand_digits(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)
    app = ModalHost(lambda: SplitModal(modal_desk, reference))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        before = db_state(modal_desk)
        modal.query_one("#parts", Input).value = TOO_MANY_DIGITS
        await settle_except_flows(pilot)
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        await _split_refused(pilot, modal, before, modal_desk)


async def test_split_text_ending_in_a_dash_is_not_called_a_negative_amount(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)
    app = ModalHost(lambda: SplitModal(modal_desk, reference))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        _split_input(modal, "amount").value = "'; DROP TABLE booking; --"
        await settle_except_flows(pilot)
        said = text_of(modal.query_one("#sum", Static))
        assert said.startswith("Part 1 : ")
        assert "négatif" not in said and "n'est pas un montant" in said, said
