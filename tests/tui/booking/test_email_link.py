"""Email a payment link: pre-filled fields, a preview that follows the typing, refusals that queue nothing."""

from __future__ import annotations

from textual.widgets import Button, Input, Static, TextArea

from deskpay.domain.money import Money
from deskpay.services.money.collect import collect_online
from deskpay.services.settlement import record_provider_payment
from deskpay.tui.booking.email_link import PREVIEW_DELAY, EmailLinkModal
from deskpay.tui.messages import EmailQueued
from tests.support.tui import (
    ModalHost,
    booking,
    emails,
    settle_except_flows,
    text_of,
)


async def open_link(desk, **booking_args):
    reference = booking(desk, **booking_args)
    return (await collect_online(desk, reference, "20")).links[0]


def host_for(desk, link_id: int, lang: str = "fr") -> ModalHost:
    return ModalHost(lambda: EmailLinkModal(desk, link_id), lang=lang)


async def after_typing(pilot) -> None:
    await pilot.pause(PREVIEW_DELAY + 0.2)
    await settle_except_flows(pilot)


async def test_prefilled_from_the_customer_and_the_template(modal_desk) -> None:
    link = await open_link(modal_desk)
    app = host_for(modal_desk, link.id)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert modal.query_one("#to", Input).value == "elodie@example.com"
        assert modal.query_one("#subject", Input).value.startswith("Lien de paiement de 20,00")
        preview = text_of(modal.query_one("#preview", Static))
        assert "Bonjour Élodie Martin" in preview and link.url in preview
        assert not modal.query_one("#error", Static).display


async def test_preview_follows_the_edits_and_the_edited_email_is_queued(modal_desk) -> None:
    link = await open_link(modal_desk)
    app = host_for(modal_desk, link.id)
    async with app.run_test(size=(100, 36), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        modal.query_one("#to", Input).value = "papa.martin@example.com"
        modal.query_one("#subject", Input).value = "Le solde de la descente"
        message = modal.query_one("#message", TextArea)
        message.focus()
        await pilot.press(*"Merci pour samedi !")
        await after_typing(pilot)
        assert "Merci pour samedi !" in text_of(modal.query_one("#preview", Static))
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    assert app.results == [True]
    [email] = emails(modal_desk)
    assert (email.to_addr, email.subject, email.kind, email.status) == (
        "papa.martin@example.com",
        "Le solde de la descente",
        "payment_link",
        "queued",
    )
    assert "Merci pour samedi !" in email.text and link.url in email.text
    assert [(m.to, m.kind, m.reference) for m in app.posted(EmailQueued)] == [
        ("papa.martin@example.com", "payment_link", link.booking_reference)
    ]


async def test_bad_address_and_injected_header_are_refused_and_nothing_is_queued(modal_desk) -> None:
    link = await open_link(modal_desk)
    app = host_for(modal_desk, link.id, lang="en")
    async with app.run_test(size=(100, 36), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        to = modal.query_one("#to", Input)
        to.value = "elodie@@example"
        await after_typing(pilot)
        assert "elodie@@example" in text_of(modal.query_one("#error", Static))
        await pilot.click("#send")
        await settle_except_flows(pilot)
        assert app.screen is modal and emails(modal_desk) == []
        to.value = "elodie@example.com"
        modal.query_one("#subject", Input).value = "Hello\u2028Bcc: everyone@example.com"
        await after_typing(pilot)
        assert text_of(modal.query_one("#error", Static))
        await pilot.click("#send")
        await settle_except_flows(pilot)
        assert app.screen is modal and emails(modal_desk) == []
        assert not modal.query_one("#send", Button).disabled
        assert not app.posted(EmailQueued)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [False]
    assert emails(modal_desk) == []


async def test_without_any_address_the_operator_is_asked_for_one(modal_desk) -> None:
    link = await open_link(modal_desk, email=None)
    app = host_for(modal_desk, link.id)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert modal.query_one("#to", Input).value == ""
        assert modal.query_one("#to", Input).has_focus
        assert "Saisissez l'adresse email du client." in text_of(modal.query_one("#error", Static))
        assert "Bonjour Élodie Martin" in text_of(modal.query_one("#preview", Static))
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        assert emails(modal_desk) == []
        await pilot.press(*"elodie@example.org")
        await after_typing(pilot)
        assert not modal.query_one("#error", Static).display
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    assert app.results == [True]
    assert [e.to_addr for e in emails(modal_desk)] == ["elodie@example.org"]


async def test_a_paid_link_cannot_be_emailed(modal_desk) -> None:
    link = await open_link(modal_desk)
    record_provider_payment(
        modal_desk, provider="sandbox", payment_reference="p1", amount=Money(2_000, "EUR"), link_id=link.id
    )
    before = len(emails(modal_desk))  # the receipt
    app = host_for(modal_desk, link.id)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert "seul un lien ouvert" in text_of(modal.query_one("#error", Static))
        assert modal.query_one("#send", Button).disabled
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    assert len(emails(modal_desk)) == before
