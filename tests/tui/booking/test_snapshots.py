"""SVG snapshots of the booking sheet and its dialogs (method: ``tests/support/snapshots.py``).

The sheet on each kind of link (open, paid, expired, cancelled, failed), split
in three, paid in full; Encaisser, Split, Email the link and the customer
editor, each as it opens and with an error; at 100×30 and 80×24.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static, TextArea

from deskpay.domain.errors import ProviderError
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.links.lifecycle import cancel_link, expire_due_links, list_links
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.services.money.split import split_booking
from deskpay.services.providers.sandbox_checkout import pay_sandbox_link
from deskpay.store.models import Booking, Customer, PaymentLink
from deskpay.tui.booking.collect import CollectModal
from deskpay.tui.booking.customer_edit import CustomerEditModal
from deskpay.tui.booking.email_link import PREVIEW_DELAY, EmailLinkModal
from deskpay.tui.booking.payment_pane import LinksTable
from deskpay.tui.booking.split import SplitModal
from tests.support.clock import Clock
from tests.support.snapshots import (
    SIZE,
    SMALL,
    RefusingSandbox,
    dialog_snapshot,
    fresh_reference,
    screen_snapshot,
    still_dialog,
)
from tests.support.tui import BASE_URL, FixedSandbox, text_of, tui_settings, until

# -- the sheet ---------------------------------------------------------------------------------------------


def _sheet_reference(data_dir) -> str:
    """A booking whose client has an email, with an open link; marie takes 10 € cash: every pane has something."""
    from deskpay.services.desk import open_desk
    from deskpay.services.money.collect import collect_offline

    desk = open_desk(tui_settings(data_dir), operator="marie", migrate=False, clock=Clock())
    try:
        with desk.read() as session:
            reference = (
                session.execute(
                    select(Booking.reference)
                    .join(PaymentLink, PaymentLink.booking_id == Booking.id)
                    .join(Customer, Customer.id == Booking.customer_id)
                    .where(PaymentLink.status == "open", Customer.email.is_not(None))
                    .order_by(Booking.id)
                )
                .scalars()
                .first()
            )
        collect_offline(desk, reference, "10,00", "cash")
        return reference
    finally:
        desk.close()


async def _open_sheet(pilot, reference: str) -> None:
    pilot.app.open_booking(reference)
    await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_booking_sheet(snap_compare, tui_data_dir, frozen_time, lang):
    reference = _sheet_reference(tui_data_dir)

    async def show(pilot) -> None:
        await _open_sheet(pilot, reference)

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show, fixed_sandbox=False)


# -- Encaisser ---------------------------------------------------------------------------------------------


async def _open_collect(pilot, reference: str) -> None:
    pilot.app.push_screen(CollectModal(pilot.app.desk, reference))
    await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collect(snap_compare, tui_data_dir, frozen_time, lang):
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, _open_collect)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collect_link_created(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot, reference: str) -> None:
        await _open_collect(pilot, reference)
        pilot.app.screen.query_one("#amount", Input).value = "40"
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.outcome is not None)

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


# -- Split -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_split(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot, reference: str) -> None:
        pilot.app.push_screen(SplitModal(pilot.app.desk, reference))
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await still_dialog(pilot)
        # One share changed by hand, one email typed: the live total and the rows as the operator sees them.
        rows = list(pilot.app.screen.query(".share"))
        rows[0].query_one(".share-email", Input).value = "anna@example.com"
        rows[1].query_one(".share-amount", Input).value = "10"

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


# -- the sheet, link by link -------------------------------------------------------------------------------

LINK_STATES = ("open", "paid", "expired", "cancelled", "failed")


async def _links_in_every_state(desk) -> tuple[str, dict[str, int]]:
    """A booking with a link in each state, made through the services; its reference and each state's link.

    The story: a deposit link sent yesterday expired; the next one was paid; the balance link was
    cancelled, its replacement refused by the provider (down), the one after is open.
    """
    reference = fresh_reference(desk)
    ids: dict[str, int] = {}
    desk.clock.advance(-(desk.settings.link_validity() + timedelta(hours=1)))
    ids["expired"] = (await collect_online(desk, reference, "10", label="Acompte")).links[0].id
    desk.clock.advance(desk.settings.link_validity() + timedelta(hours=1))
    assert expire_due_links(desk) >= 1
    ids["paid"] = (await collect_online(desk, reference, "20", label="Acompte")).links[0].id
    await pay_sandbox_link(desk, ids["paid"])
    ids["cancelled"] = (await collect_online(desk, reference, "15", label="Solde")).links[0].id
    await cancel_link(desk, ids["cancelled"])
    desk.use_provider(RefusingSandbox(BASE_URL))
    with pytest.raises(ProviderError):
        await collect_online(desk, reference, "15", label="Solde")
    [failed] = list_links(desk, reference, status="failed")
    ids["failed"] = failed.id
    desk.use_provider(FixedSandbox(BASE_URL))
    ids["open"] = (await collect_online(desk, reference, "15", label="Solde")).links[0].id
    return reference, ids


def _sheet_on_link(snap_compare, data_dir, state: str, *, lang: str = "fr", size=SIZE) -> bool:
    async def show(pilot) -> None:
        reference, ids = await _links_in_every_state(pilot.app.desk)
        await _open_sheet(pilot, reference)
        table = pilot.app.screen.query_one(LinksTable)
        await until(pilot, lambda: len(table.links) == len(LINK_STATES))
        table.move_cursor(row=table.get_row_index(str(ids[state])), animate=False)
        await until(pilot, lambda: table.selected is not None and table.selected.id == ids[state])

    return screen_snapshot(snap_compare, data_dir, lang, show, size=size)


@pytest.mark.parametrize("state", LINK_STATES)
def test_sheet_on_a_link(snap_compare, tui_data_dir, frozen_time, state):
    """The keys follow the selected link: copy, QR, email and cancel on an open one; regenerate on a dead one."""
    assert _sheet_on_link(snap_compare, tui_data_dir, state)


@pytest.mark.parametrize("state", LINK_STATES)
def test_sheet_on_a_link_at_80_by_24(snap_compare, tui_data_dir, frozen_time, state):
    assert _sheet_on_link(snap_compare, tui_data_dir, state, size=SMALL)


def test_sheet_on_an_open_link_in_english_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    assert _sheet_on_link(snap_compare, tui_data_dir, "open", lang="en", size=SMALL)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x30", "80x24"])
def test_sheet_split_in_three(snap_compare, tui_data_dir, frozen_time, size):
    """Three shares of the balance, one with its own address (its email queued)."""

    async def show(pilot) -> None:
        reference = fresh_reference(pilot.app.desk)
        await split_booking(pilot.app.desk, reference, parts=3, emails=["anna@example.com", None, None])
        await _open_sheet(pilot, reference)

    assert screen_snapshot(snap_compare, tui_data_dir, "fr", show, size=size)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sheet_paid_in_full(snap_compare, tui_data_dir, frozen_time, lang):
    """Nothing left to collect: the money keys are gone."""

    async def show(pilot) -> None:
        reference = fresh_reference(pilot.app.desk)
        balance = booking_detail(pilot.app.desk, reference).amounts.balance
        collect_offline(pilot.app.desk, reference, balance, "card")
        await _open_sheet(pilot, reference)

    assert screen_snapshot(snap_compare, tui_data_dir, lang, show)


# -- Encaisser, more states --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collect_with_a_refused_amount(snap_compare, tui_data_dir, frozen_time, lang):
    """More than can be asked, submitted anyway: the hint and the error line say why; nothing is saved."""

    async def show(pilot, reference: str) -> None:
        await _open_collect(pilot, reference)
        pilot.app.screen.query_one("#amount", Input).value = "9999"
        await pilot.press("enter")
        await until(pilot, lambda: bool(text_of(pilot.app.screen.query_one("#error", Static)).strip()))

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


def test_collect_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    assert dialog_snapshot(snap_compare, tui_data_dir, "fr", _open_collect, size=SMALL)


def test_collect_link_created_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    async def show(pilot, reference: str) -> None:
        await _open_collect(pilot, reference)
        pilot.app.screen.query_one("#amount", Input).value = "40"
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.outcome is not None)

    assert dialog_snapshot(snap_compare, tui_data_dir, "fr", show, size=SMALL)


# -- Split, more states ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_split_with_an_error(snap_compare, tui_data_dir, frozen_time, lang):
    """A share's address that is not one, submitted: the error line names it; no link is created."""

    async def show(pilot, reference: str) -> None:
        pilot.app.push_screen(SplitModal(pilot.app.desk, reference))
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await still_dialog(pilot)
        rows = list(pilot.app.screen.query(".share"))
        rows[0].query_one(".share-email", Input).value = "anna@"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(text_of(pilot.app.screen.query_one("#error", Static)).strip()))

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


def test_split_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    async def show(pilot, reference: str) -> None:
        pilot.app.push_screen(SplitModal(pilot.app.desk, reference))
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)

    assert dialog_snapshot(snap_compare, tui_data_dir, "fr", show, size=SMALL)


# -- Email a link ------------------------------------------------------------------------------------------


async def _open_email_link(pilot, reference: str) -> None:
    outcome = await collect_online(pilot.app.desk, reference, "45,60")
    pilot.app.push_screen(EmailLinkModal(pilot.app.desk, outcome.links[0].id))
    await until(pilot, lambda: getattr(pilot.app.screen, "link", None) is not None)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_email_link(snap_compare, tui_data_dir, frozen_time, lang):
    """Pre-filled from the customer and the template, with the preview of what the customer gets."""
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, _open_email_link)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_email_link_with_a_message(snap_compare, tui_data_dir, frozen_time, lang):
    """A message typed by the operator: the preview follows."""

    async def show(pilot, reference: str) -> None:
        await _open_email_link(pilot, reference)
        pilot.app.screen.query_one("#message", TextArea).text = "Rendez-vous à 9 h au ponton."
        await pilot.pause(PREVIEW_DELAY + 0.2)
        await until(pilot, lambda: "ponton" in text_of(pilot.app.screen.query_one("#preview", Static)))

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_email_link_with_an_error(snap_compare, tui_data_dir, frozen_time, lang):
    async def show(pilot, reference: str) -> None:
        await _open_email_link(pilot, reference)
        pilot.app.screen.query_one("#to", Input).value = "elodie@@example"
        await pilot.pause(PREVIEW_DELAY + 0.2)
        await until(pilot, lambda: "elodie@@example" in text_of(pilot.app.screen.query_one("#error", Static)))

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)


def test_email_link_at_80_by_24(snap_compare, tui_data_dir, frozen_time):
    assert dialog_snapshot(snap_compare, tui_data_dir, "fr", _open_email_link, size=SMALL)


# -- The customer ------------------------------------------------------------------------------------------


async def _open_customer_edit(pilot, reference: str) -> None:
    customer = booking_detail(pilot.app.desk, reference).customer
    await pilot.app.push_screen(CustomerEditModal(pilot.app.desk, customer))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_customer_edit(snap_compare, tui_data_dir, frozen_time, lang):
    assert dialog_snapshot(snap_compare, tui_data_dir, lang, _open_customer_edit)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_customer_edit_with_an_error(snap_compare, tui_data_dir, frozen_time, lang):
    """A phone number that is not one, saved: refused inline, the dialog stays."""

    async def show(pilot, reference: str) -> None:
        await _open_customer_edit(pilot, reference)
        pilot.app.screen.query_one("#phone", Input).value = "call me"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(text_of(pilot.app.screen.query_one("#error", Static)).strip()))

    assert dialog_snapshot(snap_compare, tui_data_dir, lang, show)
