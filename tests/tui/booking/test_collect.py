"""Encaisser end to end: keys in, then the screen, the result, the messages and the database."""

from __future__ import annotations

from textual.widgets import Button, Input, Static

from deskpay.tui.booking.collect import CollectModal, CollectResult
from deskpay.tui.booking.email_link import EmailLinkModal
from deskpay.tui.messages import (
    BookingChanged,
    EmailQueued,
    LinkCreated,
    PaymentRecorded,
)
from deskpay.tui.qr.screen import QrScreen
from tests.support.tui import (
    ModalHost,
    booking,
    choose_mode,
    emails,
    links,
    payments,
    screen_text,
    settle_except_flows,
)


def host_for(desk, reference: str, lang: str = "fr") -> ModalHost:
    return ModalHost(lambda: CollectModal(desk, reference), lang=lang)


async def test_amount_starts_at_what_can_be_collected(modal_desk) -> None:
    reference = booking(modal_desk)  # 4 × 38,00 € = 152,00 €
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert isinstance(modal, CollectModal)
        assert modal.query_one("#amount", Input).value == "152,00"
        text = screen_text(app)
        assert "Encaisser — " + reference in text
        assert "Reste 152,00" in text
        assert modal.query_one("#submit", Button).label.plain == "Créer le lien"


async def test_cash_payment_is_recorded_at_once(modal_desk) -> None:
    reference = booking(modal_desk)
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert modal.query_one("#amount", Input).has_focus
        await pilot.press(*"50,5")  # replaces the suggested amount; typed the French way
        await pilot.pause()
        assert "50,50" in str(modal.query_one("#amount-hint", Static).render())
        await choose_mode(pilot, "cash")
        assert modal.query_one("#submit", Button).label.plain == "Encaisser"
        await pilot.click("#submit")
        await settle_except_flows(pilot)
    [result] = app.results
    assert isinstance(result, CollectResult)
    assert result.mode == "cash" and result.payment is not None
    assert result.payment.amount.minor == 5_050
    [payment] = payments(modal_desk)
    assert (payment.amount_minor, payment.method, payment.operator) == (5_050, "cash", "alice")
    assert [m.payment_id for m in app.posted(PaymentRecorded)] == [payment.id]
    assert app.posted(BookingChanged)


async def test_english_amount_and_card(modal_desk) -> None:
    reference = booking(modal_desk)
    app = host_for(modal_desk, reference, lang="en")
    async with app.run_test(size=(100, 30), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert modal.query_one("#amount", Input).value == "152.00"
        modal.query_one("#amount", Input).value = "1,000.00"
        await pilot.pause()
        assert "More than the €152.00" in str(modal.query_one("#amount-hint", Static).render())
        modal.query_one("#amount", Input).value = "12.30"
        await choose_mode(pilot, "card")
        modal.query_one("#amount", Input).focus()
        await pilot.press("enter")  # Enter in the amount submits
        await settle_except_flows(pilot)
    [result] = app.results
    assert result.payment.method == "card" and result.payment.amount.minor == 1_230
    assert [p.method for p in payments(modal_desk)] == ["card"]


async def test_invalid_amount_is_refused_inline_and_nothing_is_saved(modal_desk) -> None:
    reference = booking(modal_desk)
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        for typed, expected in (("douze", "n'est pas un montant"), ("500", "dépasse les 152,00"), ("-3", "négatif")):
            modal.query_one("#amount", Input).value = typed
            await choose_mode(pilot, "cash")
            await pilot.click("#submit")
            await settle_except_flows(pilot)
            assert app.screen is modal, "the modal stays open on a refusal"
            error = modal.query_one("#error", Static)
            assert error.display and expected in str(error.render())
            assert not modal.query_one("#submit", Button).disabled, "the operator can correct and retry"
        assert app.results == []
        assert payments(modal_desk) == [] and links(modal_desk) == []
        assert not app.posted(PaymentRecorded)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_online_creates_a_link_then_emails_it_with_an_edited_subject(modal_desk) -> None:
    reference = booking(modal_desk)
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        modal.query_one("#amount", Input).value = "45,60"
        await pilot.click("#submit")  # "online" is the first mode
        await settle_except_flows(pilot)
        [link] = links(modal_desk)
        assert (link.amount_minor, link.status, link.purpose) == (4_560, "open", "link")
        assert link.url and link.url in screen_text(app).replace("\n", "")
        assert [m.link_ids for m in app.posted(LinkCreated)] == [(link.id,)]
        assert emails(modal_desk) == [], "no email until the operator asks"

        await pilot.press("e")
        await settle_except_flows(pilot)
        email_modal = app.screen
        assert isinstance(email_modal, EmailLinkModal)
        assert email_modal.query_one("#to", Input).value == "elodie@example.com"
        subject = email_modal.query_one("#subject", Input)
        subject.value = "Votre acompte pour samedi"
        await pilot.pause(0.5)
        await settle_except_flows(pilot)
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        assert app.screen is modal, "back on Encaisser after sending"
        assert "Email mis en file d'envoi pour elodie@example.com" in screen_text(app)

        await pilot.press("q")
        await settle_except_flows(pilot)
        assert isinstance(app.screen, QrScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is modal

        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == link.url

        await pilot.press("escape")
        await pilot.pause()
    [result] = app.results
    assert result.mode == "online" and result.link.id == link.id and result.emailed_to == "elodie@example.com"
    [email] = emails(modal_desk)
    assert (email.to_addr, email.subject, email.status, email.link_id) == (
        "elodie@example.com",
        "Votre acompte pour samedi",
        "queued",
        link.id,
    )
    assert link.url in email.text
    assert [(m.to, m.kind) for m in app.posted(EmailQueued)] == [("elodie@example.com", "payment_link")]


async def test_online_refused_over_the_balance_creates_nothing(modal_desk) -> None:
    reference = booking(modal_desk, participants=1)  # 38,00 €
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        modal.query_one("#amount", Input).value = "38,01"
        await pilot.click("#submit")
        await settle_except_flows(pilot)
        assert "dépasse" in str(modal.query_one("#error", Static).render())
        assert links(modal_desk) == []


async def test_next_steps_can_be_walked_with_arrows_and_enter(modal_desk) -> None:
    reference = booking(modal_desk)
    app = host_for(modal_desk, reference, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        await pilot.press("enter")  # Enter in the amount: an online link for the whole balance
        await settle_except_flows(pilot)
        [link] = links(modal_desk)
        assert link.amount_minor == 15_200
        await pilot.press("down", "down", "enter")  # "Show the QR code to the customer"
        await settle_except_flows(pilot)
        assert isinstance(app.screen, QrScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "enter")  # "Done"
        await pilot.pause()
    [result] = app.results
    assert result.link.id == link.id and result.emailed_to is None
