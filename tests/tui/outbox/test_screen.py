"""The outbox screen: the list, reading one email, retrying a failed one (and only a failed one)."""

from __future__ import annotations

from sqlalchemy import update
from textual.widgets import DataTable, Static

from deskpay.services.money.collect import collect_online
from deskpay.store.models import EmailMessage
from deskpay.tui.outbox.screen import OutboxScreen
from tests.support.tui import (
    ModalHost,
    booking,
    emails,
    screen_text,
    settle_except_flows,
    text_of,
)


async def two_emails(desk) -> tuple[int, int]:
    """Two queued link emails; the first then fails for good, as the delivery worker would leave it."""
    first = booking(desk, name="Anna Schmidt", email="anna@example.com")
    second = booking(desk, name="Carl Petit", email="carl@example.com")
    await collect_online(desk, first, "20", send_email=True)
    await collect_online(desk, second, "30", send_email=True)
    failed, queued = (e.id for e in emails(desk))
    with desk.write() as session:
        session.execute(
            update(EmailMessage)
            .where(EmailMessage.id == failed)
            .values(status="failed", attempts=8, last_error="550 5.1.1 mailbox unavailable", next_attempt_at=None)
        )
    return failed, queued


def table_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#outbox-list", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_lists_newest_first_with_status_attempts_and_error(modal_desk) -> None:
    failed, queued = await two_emails(modal_desk)
    app = ModalHost(lambda: OutboxScreen(modal_desk))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle_except_flows(pilot)
        rows = table_rows(app)
        assert [row[0] for row in rows] == [str(queued), str(failed)]
        # N°, created, status, attempts, to, subject, last error
        assert rows[0][2:5] == ["en attente", "0", "carl@example.com"]
        assert rows[1][2:5] == ["échec", "8", "anna@example.com"]
        assert rows[1][6] == "550 5.1.1 mailbox unavailable"
        assert rows[1][5].startswith("Lien de paiement de 20,00")
        assert "En attente 1 · En cours 0 · Envoyés 0 · Échecs 1" in screen_text(app)


async def test_read_one_then_retry_it(modal_desk) -> None:
    failed, _ = await two_emails(modal_desk)
    app = ModalHost(lambda: OutboxScreen(modal_desk), lang="en")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle_except_flows(pilot)
        await pilot.press("down", "enter")  # the older, failed one
        await settle_except_flows(pilot)
        shown = screen_text(app)
        assert f"Email no. {failed}" in shown and "To: anna@example.com" in shown
        assert "Last error: 550 5.1.1 mailbox unavailable" in shown
        assert "Hello Anna Schmidt" in shown or "Bonjour Anna Schmidt" in shown
        await pilot.press("r")
        await settle_except_flows(pilot)
        stored = {e.id: e for e in emails(modal_desk)}[failed]
        assert (stored.status, stored.attempts) == ("queued", 8)
        await pilot.press("escape")  # back to the list
        await settle_except_flows(pilot)
        assert isinstance(app.screen, OutboxScreen)
        assert table_rows(app)[1][2] == "queued"
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_retrying_an_email_that_did_not_fail_is_refused_inline(modal_desk) -> None:
    _, queued = await two_emails(modal_desk)
    app = ModalHost(lambda: OutboxScreen(modal_desk))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle_except_flows(pilot)
        await pilot.press("r")  # the newest: still queued
        await settle_except_flows(pilot)
        assert "seul un e-mail en échec peut être renvoyé" in text_of(app.screen.query_one("#error", Static))
    assert {e.id: e.status for e in emails(modal_desk)}[queued] == "queued"


async def test_filter_cycles_through_statuses(modal_desk) -> None:
    failed, _ = await two_emails(modal_desk)
    app = ModalHost(lambda: OutboxScreen(modal_desk))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle_except_flows(pilot)
        await pilot.press("f")
        await settle_except_flows(pilot)
        assert [row[0] for row in table_rows(app)] == [str(failed)]
        assert "Filtre : échec" in screen_text(app)
        await pilot.press("f", "f", "f", "f")
        await settle_except_flows(pilot)
        assert len(table_rows(app)) == 2
