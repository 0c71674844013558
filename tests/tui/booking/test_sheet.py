"""The booking sheet: what it shows, its link actions (asserted in the database), and live updates."""

from __future__ import annotations

from contextlib import asynccontextmanager

from sqlalchemy import func, select

from deskpay.services.bookings.create import NewBooking, create_booking
from deskpay.services.bookings.customers import NewCustomer
from deskpay.services.money.collect import collect_offline
from deskpay.store.models import Booking, EmailMessage, Payment, PaymentLink
from deskpay.tui.booking.client_pane import ClientPane
from deskpay.tui.booking.payment_pane import LinksTable
from deskpay.tui.booking.sheet import BookingSheet
from deskpay.tui.common.confirm import ConfirmModal
from deskpay.tui.messages import BookingChanged, LinkCancelled, LinkCreated
from tests.support.tui import make_app, settle, until


def _booking_with_link(desk, status: str) -> tuple[str, PaymentLink]:
    with desk.read() as session:
        link, reference = session.execute(
            select(PaymentLink, Booking.reference)
            .join(Booking, Booking.id == PaymentLink.booking_id)
            .where(
                PaymentLink.status == status, Booking.status == "confirmed", PaymentLink.recipient_email.is_not(None)
            )
            .order_by(PaymentLink.id)
        ).first()
        # Only bookings whose links are all of that one kind, so the sheet selects it for sure.
        return reference, link


def _link(desk, link_id: int) -> PaymentLink:
    with desk.read() as session:
        return session.get(PaymentLink, link_id)


def _count(desk, model, *where) -> int:
    with desk.read() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


async def _open_sheet(app, pilot, reference: str) -> BookingSheet:
    await settle(pilot)
    app.open_booking(reference)
    await settle(pilot)
    sheet = app.screen
    assert isinstance(sheet, BookingSheet)
    await until(pilot, lambda: sheet.detail is not None)
    return sheet


def _select_link(sheet: BookingSheet, link_id: int) -> None:
    table = sheet.query_one(LinksTable)
    table.move_cursor(row=list(table.links).index(link_id), animate=False)


@asynccontextmanager
async def _sheet_on_link(desk, status: str, **run_test):
    """The sheet of a booking whose links are all ``status``, open, with that link selected."""
    reference, link = _booking_with_link(desk, status)
    app = make_app(desk)
    async with app.run_test(size=(120, 40), **run_test) as pilot:
        sheet = await _open_sheet(app, pilot, reference)
        _select_link(sheet, link.id)
        yield app, pilot, sheet, link


async def test_sheet_shows_client_money_links_and_history(tui_desk):
    reference, link = _booking_with_link(tui_desk, "open")
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        sheet = await _open_sheet(app, pilot, reference)
        detail = sheet.detail
        title = str(sheet.query_one("#sheet-title").render())
        assert reference in title and detail.activity in title and "pers." in title
        assert detail.customer.name in str(sheet.query_one("#client-name").render())
        figures = str(sheet.query_one("#figures").render())
        for label in ("Total", "Payé", "En attente (liens ouverts)", "Solde"):
            assert label in figures
        assert detail.amounts.pending.format("fr") in figures
        links = sheet.query_one(LinksTable)
        assert link.id in links.links
        assert sheet.selected_link is not None and sheet.selected_link.is_open
        assert sheet.query_one(LinksTable).has_focus


async def test_history_columns_are_sized_when_shown_not_later(tui_desk):
    """Each column's width is set with the rows: a frame drawn before DataTable's idle-time measuring
    would otherwise cache the header at the old width (seen as a narrow "Quoi" header in a snapshot)."""
    from rich.cells import cell_len

    from deskpay.tui.booking.activity_log import ActivityLog, describe

    reference, _ = _booking_with_link(tui_desk, "open")
    collect_offline(tui_desk, reference, "1,00", "cash")
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        sheet = await _open_sheet(app, pilot, reference)
        log = sheet.query_one(ActivityLog)
        assert log.row_count == len(sheet.detail.history) > 0
        longest = max(cell_len(describe(event, "fr")) for event in sheet.detail.history)
        assert [(c.auto_width, c.width) for c in log.ordered_columns][2] == (False, max(longest, len("Quoi")))


async def test_cancel_link_asks_then_cancels(tui_desk):
    messages: list = []
    async with _sheet_on_link(tui_desk, "open", message_hook=messages.append) as (app, pilot, sheet, link):
        reference = sheet.reference
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert app.screen is sheet
        assert _link(tui_desk, link.id).status == "open"

        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await until(pilot, lambda: _link(tui_desk, link.id).status == "cancelled")
        await until(pilot, lambda: any(isinstance(m, LinkCancelled) and m.link_id == link.id for m in messages))
        await until(
            pilot,
            lambda: (
                sheet.detail.links
                and next(v for v in sheet.detail.links if v.id == link.id).status.value == "cancelled"
            ),
        )
        assert any(isinstance(m, BookingChanged) and m.reference == reference for m in messages)


async def test_a_refused_action_says_why_and_changes_nothing(tui_desk, other_desk):
    """The customer pays while the operator confirms the cancel: the refusal is shown, the payment stands."""
    from deskpay.services.providers.sandbox_checkout import pay_sandbox_link

    async with _sheet_on_link(tui_desk, "open") as (app, pilot, sheet, link):
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pay_sandbox_link(other_desk, link.id)
        await pilot.press("y")
        await until(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        [refusal] = [n for n in app._notifications if n.severity == "error"]
        assert "Erreur inattendue" not in refusal.message and "pay" in refusal.message.lower()
        assert _link(tui_desk, link.id).status == "paid"
        assert app.screen is sheet


async def test_a_sheet_that_cannot_load_says_why_and_stops_waiting(tui_desk, monkeypatch):
    import deskpay.tui.booking.sheet as booking_sheet

    def broken(desk, reference):
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(booking_sheet, "booking_detail", broken)
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_booking("R-2026-000001")
        await until(pilot, lambda: any("disk I/O error" in n.message for n in app._notifications))
        assert not app.screen.query_one("#sheet-body").loading


async def test_copy_puts_the_url_on_the_clipboard(tui_desk):
    async with _sheet_on_link(tui_desk, "open") as (app, pilot, sheet, link):
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == link.url


async def test_resend_confirmation_without_email_is_disabled_and_says_why(tui_desk):
    with tui_desk.read() as session:
        activity = session.execute(select(Booking.activity_id)).scalars().first()
    detail = create_booking(
        tui_desk,
        NewBooking(
            activity=activity,
            start=tui_desk.now().replace(hour=12),
            participants=2,
            customer=NewCustomer(name="Benoît Sansmail"),
        ),
    )
    emails_before = _count(tui_desk, EmailMessage)
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        sheet = await _open_sheet(app, pilot, detail.reference)
        assert sheet.check_action("resend_confirmation", ()) is None  # shown greyed, not runnable
        reason = str(sheet.query_one(ClientPane).query_one("#client-confirmation").render())
        assert "n'a pas d'adresse email" in reason and "Benoît Sansmail" in reason
        await pilot.press("r")
        await settle(pilot)
    assert _count(tui_desk, EmailMessage) == emails_before


async def test_resend_confirmation_queues_the_email(tui_desk):
    reference, _link_row = _booking_with_link(tui_desk, "open")
    with tui_desk.read() as session:
        booking_id = session.execute(select(Booking.id).where(Booking.reference == reference)).scalar_one()
    before = _count(tui_desk, EmailMessage, EmailMessage.booking_id == booking_id)
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_sheet(app, pilot, reference)
        await pilot.press("r")
        await until(pilot, lambda: _count(tui_desk, EmailMessage, EmailMessage.booking_id == booking_id) == before + 1)


async def test_regenerate_an_expired_link(tui_desk):
    messages: list = []
    async with _sheet_on_link(tui_desk, "expired", message_hook=messages.append) as (app, pilot, sheet, link):
        reference = sheet.reference
        await settle(pilot)
        assert sheet.check_action("regenerate_link", ()) is True
        assert sheet.check_action("copy_link", ()) is False  # not offered on an expired link
        await pilot.press("g")
        await until(pilot, lambda: _count(tui_desk, PaymentLink, PaymentLink.replaces_id == link.id) == 1)
        await until(pilot, lambda: any(isinstance(m, LinkCreated) and m.reference == reference for m in messages))
        await until(pilot, lambda: len(sheet.detail.links) >= 2)
    with tui_desk.read() as session:
        new = session.execute(select(PaymentLink).where(PaymentLink.replaces_id == link.id)).scalar_one()
    assert new.status == "open" and new.url
    assert (new.amount_minor, new.label, new.recipient_email) == (link.amount_minor, link.label, link.recipient_email)


async def test_live_update_when_another_desk_records_a_payment(tui_desk, other_desk):
    with tui_desk.read() as session:
        reference = (
            session.execute(
                select(Booking.reference)
                .where(Booking.paid_minor == 0, Booking.pending_minor == 0, Booking.status == "confirmed")
                .order_by(Booking.id)
            )
            .scalars()
            .first()
        )
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        sheet = await _open_sheet(app, pilot, reference)
        assert not sheet.detail.payments
        await until(pilot, lambda: app._revision is not None)
        collect_offline(other_desk, reference, "10,00", "cash")
        await until(pilot, lambda: len(sheet.detail.payments) == 1, timeout=4)
        assert "10,00" in str(sheet.query_one("#figures").render())
        assert sheet.detail.history[0].operator == "paul"


async def test_invalid_amount_writes_nothing(tui_desk):
    with tui_desk.read() as session:
        reference = (
            session.execute(
                select(Booking.reference)
                .where(Booking.paid_minor == 0, Booking.pending_minor == 0, Booking.status == "confirmed")
                .order_by(Booking.id)
            )
            .scalars()
            .first()
        )
    payments, links = _count(tui_desk, Payment), _count(tui_desk, PaymentLink)
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_sheet(app, pilot, reference)
        await pilot.press("c")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "CollectModal"
        amount = modal.query_one("#amount")
        amount.value = "douze euros"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal  # still open, saying why
        assert str(modal.query_one("#error").render())
    assert (_count(tui_desk, Payment), _count(tui_desk, PaymentLink)) == (payments, links)


async def test_palette_offers_the_sheet_actions(tui_desk):
    reference, _ = _booking_with_link(tui_desk, "open")
    app = make_app(tui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        sheet = await _open_sheet(app, pilot, reference)
        titles = [command.title for command in app.get_system_commands(sheet)]
        for title in (
            "Encaisser",
            "Split",
            "Solde",
            "Copier",
            "Annuler lien",
            "Trouver une réservation",
            "Changer de thème",
            "Quitter",
        ):
            assert title in titles
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert type(help_screen).__name__ == "HelpScreen"
        described = {entry.description for entry in help_screen.entries}
        assert {"Encaisser", "Split", "Copier", "QR", "Email", "Annuler lien", "Régénérer", "Retour"} <= described
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is sheet


async def test_quitting_while_a_sheet_opens_leaves_no_error(tui_desk):
    """The operator opens a sheet and quits at once: the sheet's mount must not look for widgets already gone."""
    reference, _ = _booking_with_link(tui_desk, "open")
    for _ in range(6):
        app = make_app(tui_desk)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda app=app: not app.screen._loading_first)
            app.open_booking(reference)
            app.exit()
        assert app._exception is None
