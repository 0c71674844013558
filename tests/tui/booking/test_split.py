"""Split end to end: equal shares, custom shares, the live total, one step that creates every link."""

from __future__ import annotations

from textual.widgets import Button, Input, Static

from deskpay.services.links.open import LinksOutcome
from deskpay.tui.booking.split import ShareRow, SplitModal
from deskpay.tui.messages import EmailQueued, LinkCreated
from tests.support.tui import (
    ModalHost,
    booking,
    emails,
    links,
    screen_text,
    settle_except_flows,
    text_of,
)


def host_for(desk, reference: str, lang: str = "fr") -> ModalHost:
    return ModalHost(lambda: SplitModal(desk, reference), lang=lang)


def share_values(modal) -> list[tuple[str, str, str]]:
    return [row.values() for row in modal.query(ShareRow)]


async def type_into(pilot, widget: Input, text: str) -> None:
    widget.focus()
    await pilot.pause()
    widget.select_all()
    await pilot.press(*text) if text else await pilot.press("backspace")
    await pilot.pause()


async def test_equal_shares_of_what_can_be_requested_one_per_participant(modal_desk) -> None:
    reference = booking(modal_desk, participants=3)  # 3 × 38,00 € = 114,00 €
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert modal.query_one("#total", Input).value == "114,00"
        assert modal.query_one("#parts", Input).value == "3"
        assert share_values(modal) == [
            ("Participant 1", "38,00", ""),
            ("Participant 2", "38,00", ""),
            ("Participant 3", "38,00", ""),
        ]
        assert "Total des parts : 114,00 € sur 114,00 € encaissables." in screen_text(app)
        assert modal.query_one("#create", Button).label.plain == "Créer 3 liens"


async def test_changing_the_count_reshares_and_keeps_what_was_typed(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)  # 76,00 €
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        first_email = modal.query(ShareRow).first().query_one(".share-email", Input)
        await type_into(pilot, first_email, "anna@example.com")
        await type_into(pilot, modal.query_one("#parts", Input), "3")
        await settle_except_flows(pilot)
        # 76,00 / 3: the remainder cent goes to the first share.
        assert share_values(modal) == [
            ("Participant 1", "25,34", "anna@example.com"),
            ("Participant 2", "25,33", ""),
            ("Participant 3", "25,33", ""),
        ]
        await type_into(pilot, modal.query_one("#parts", Input), "0")
        await settle_except_flows(pilot)
        assert "Divisez en 1 à 50 liens." in text_of(modal.query_one("#sum", Static))
        assert modal.query_one("#create", Button).disabled


async def test_custom_shares_over_the_requestable_amount_disable_create(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)  # 76,00 €
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        second = list(modal.query(ShareRow))[1].query_one(".share-amount", Input)
        await type_into(pilot, second, "40")
        text = text_of(modal.query_one("#sum", Static))
        assert "78,00 €" in text and "2,00 € de plus" in text
        assert modal.query_one("#create", Button).disabled
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
        assert app.screen is modal and links(modal_desk) == []
        await type_into(pilot, second, "abc")
        assert "Part 2 : « abc » n'est pas un montant" in text_of(modal.query_one("#sum", Static))
        assert modal.query_one("#create", Button).disabled
        await type_into(pilot, second, "30")
        assert not modal.query_one("#create", Button).disabled
        assert "Total des parts : 68,00 €" in text_of(modal.query_one("#sum", Static))


async def test_one_step_creates_every_link_and_queues_the_emails(modal_desk) -> None:
    reference = booking(modal_desk, participants=3)  # 114,00 €
    app = host_for(modal_desk, reference)
    async with app.run_test(size=(100, 30), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        rows = list(modal.query(ShareRow))
        await type_into(pilot, rows[0].query_one(".share-label", Input), "Anna")
        await type_into(pilot, rows[0].query_one(".share-email", Input), "anna@example.com")
        await type_into(pilot, rows[2].query_one(".share-email", Input), "carl@example.com")
        await type_into(pilot, rows[1].query_one(".share-amount", Input), "30")
        await pilot.press("ctrl+s")
        await settle_except_flows(pilot)
    [outcome] = app.results
    assert isinstance(outcome, LinksOutcome) and len(outcome.created) == 3
    stored = links(modal_desk)
    assert [(line.label, line.amount_minor, line.recipient_email, line.purpose, line.status) for line in stored] == [
        ("Anna", 3_800, "anna@example.com", "split", "open"),
        ("Participant 2", 3_000, None, "split", "open"),
        ("Participant 3", 3_800, "carl@example.com", "split", "open"),
    ]
    assert sorted(e.to_addr for e in emails(modal_desk)) == ["anna@example.com", "carl@example.com"]
    assert all(e.kind == "split_share" for e in emails(modal_desk))
    assert [m.link_ids for m in app.posted(LinkCreated)] == [tuple(line.id for line in stored)]
    assert sorted(m.to for m in app.posted(EmailQueued)) == ["anna@example.com", "carl@example.com"]


async def test_a_bad_email_is_refused_inline_and_no_link_is_created(modal_desk) -> None:
    reference = booking(modal_desk, participants=2)
    app = host_for(modal_desk, reference, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_except_flows(pilot)
        modal = app.screen
        assert "Split the payment" in screen_text(app)
        email = modal.query(ShareRow).first().query_one(".share-email", Input)
        await type_into(pilot, email, "not-an-address")
        await pilot.click("#create")
        await settle_except_flows(pilot)
        error = modal.query_one("#error", Static)
        assert error.display and "not-an-address" in str(error.render())
        assert links(modal_desk) == [] and emails(modal_desk) == []
        assert not modal.query_one("#create", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
