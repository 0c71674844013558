"""What the modal and screen tests share: a desk on a temporary SQLite file with fixed data, and a host app.

The host app is the oterm pattern: a tiny app that pushes the screen under
test on mount and keeps what ``dismiss()`` returned, plus every message the
flow posted (``run_test(message_hook=...)``), so a test asserts on the
screen, the result, the messages and the database.

The desk's clock is frozen and its provider makes the same URL for the same
link every run, so snapshots and QR codes are identical from run to run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from deskpay.config import Settings
from deskpay.services.desk import Desk, open_desk
from deskpay.services.providers.base import CreatedLink, LinkRequest
from deskpay.services.providers.sandbox import SandboxProvider
from deskpay.store.models import Activity, EmailMessage, Payment, PaymentLink

#: Saturday 4 July 2026, 09:30 in Paris.
MODALS_NOW = datetime(2026, 7, 4, 7, 30, tzinfo=UTC)
BASE_URL = "http://127.0.0.1:8765"


class FixedClock:
    """``desk.now()``: frozen unless a test moves it."""

    def __init__(self, start: datetime = MODALS_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FixedSandbox(SandboxProvider):
    """The sandbox, with a token derived from the link id instead of a random one: same URL every run."""

    async def create_link(self, request: LinkRequest) -> CreatedLink:
        token = hashlib.sha256(f"deskpay-test-{request.link_id}".encode()).hexdigest()[:43]
        return CreatedLink(
            provider_id=f"sbx_{request.link_id}", url=f"{self.base_url}/pay/{token}", expires_at=request.expires_at
        )


def make_modal_desk(tmp_path, *, locale: str = "fr") -> Desk:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'modals.sqlite3'}",
        business_name="Les Pagaies du Pont d'Arc",
        operator="alice",
        provider="sandbox",
        sandbox_public_url=BASE_URL,
        locale=locale,
        smtp_from="reservations@example.com",
    )
    desk = open_desk(settings, operator="alice", clock=FixedClock())
    desk.use_provider(FixedSandbox(BASE_URL))
    return desk


@pytest.fixture
def modal_desk(tmp_path, monkeypatch) -> Iterator[Desk]:
    """A migrated desk (French) with two activities; bookings are added by each test."""
    monkeypatch.setenv("DESKPAY_CONFIG_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("DESKPAY_SECRETS_FILE", str(tmp_path / "none-secrets.toml"))
    desk = make_modal_desk(tmp_path)
    seed_activities(desk)
    try:
        yield desk
    finally:
        desk.close()


def seed_activities(desk: Desk) -> None:
    with desk.write() as session:
        session.add(
            Activity(
                name="Canoë 7 km",
                unit_price_minor=2_200,
                currency="EUR",
                max_participants=20,
                terms_kind="full",
                start_times="09:00,14:00",
            )
        )
        session.add(
            Activity(
                name="Grande descente 24 km",
                unit_price_minor=3_800,
                currency="EUR",
                max_participants=20,
                terms_kind="deposit_percent",
                terms_percent=30,
                start_times="08:30,09:30",
            )
        )


def booking(
    desk: Desk,
    *,
    activity: str = "Grande descente 24 km",
    participants: int = 4,
    name: str = "Élodie Martin",
    email: str | None = "elodie@example.com",
    language: str = "fr",
) -> str:
    """A booking made through the service, three days ahead; its reference."""
    from deskpay.services.bookings.create import NewBooking, create_booking
    from deskpay.services.bookings.customers import NewCustomer

    detail = create_booking(
        desk,
        NewBooking(
            activity=activity,
            start=desk.now() + timedelta(days=3),
            participants=participants,
            customer=NewCustomer(name=name, email=email, phone="+33 6 12 34 56 78", language=language),
        ),
    )
    return detail.reference


def rows(desk: Desk, model) -> list:
    with desk.read() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def payments(desk: Desk) -> list[Payment]:
    return rows(desk, Payment)


def links(desk: Desk) -> list[PaymentLink]:
    return rows(desk, PaymentLink)


def emails(desk: Desk) -> list[EmailMessage]:
    return rows(desk, EmailMessage)


class ModalHost(App):
    """Pushes ``make_screen()`` on mount; ``results`` holds what it dismissed with, ``messages`` what was posted."""

    CSS = "Screen { background: $background; }"

    def __init__(self, make_screen: Callable[[], Screen], *, lang: str = "fr") -> None:
        super().__init__()
        self.make_screen = make_screen
        self.lang = lang
        self.results: list[Any] = []
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield Static("deskpay — host", id="host")

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), callback=self.results.append)

    def record(self, message: Message) -> None:
        self.messages.append(message)

    def posted(self, kind: type[Message]) -> list[Message]:
        """Messages of ``kind``, each once (the hook also sees a message again as it bubbles up)."""
        seen: dict[int, Message] = {}
        for message in self.messages:
            if isinstance(message, kind):
                seen.setdefault(id(message), message)
        return list(seen.values())


def screen_text(app: App) -> str:
    """Every character on the terminal, line by line, as the compositor last drew it."""
    text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    return text.replace("\u202f", " ").replace("\xa0", " ")  # French amounts use narrow no-break spaces


def text_of(widget) -> str:
    """What a Static shows, with the no-break spaces of French amounts made plain."""
    return str(widget.render()).replace("\u202f", " ").replace("\xa0", " ")


def region_lines(app: App, region) -> list[str]:
    """The characters drawn inside ``region`` of the screen (what the customer sees there)."""
    strips = app.screen._compositor.render_strips()
    return [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]


async def settle(pilot, times: int = 3) -> None:
    """Let workers finish and their messages be handled, a few rounds.

    A "flow" worker waits for a screen it pushed to be dismissed (push_screen_wait):
    it is the test's job to finish it, so it is not waited for here.
    """
    for _ in range(times):
        running = [w for w in pilot.app.workers if w.group != "flow" and not w.is_finished]
        for worker in running:
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass  # a newer one replaced it (exclusive), or the screen's error path reports it
        await pilot.pause()


def no_blink(app: App) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


def test_the_fixed_sandbox_makes_the_same_url_for_the_same_link(tmp_path) -> None:
    import asyncio

    provider = FixedSandbox(BASE_URL)
    request = LinkRequest(
        link_id=7,
        token="x",
        idempotency_key="k",
        amount=None,
        booking_reference="R",  # type: ignore[arg-type]
        label="",
        recipient_email=None,
        language="fr",
        expires_at=MODALS_NOW,
        business_name="B",
        operator="o",
    )
    first = asyncio.run(provider.create_link(request)).url
    assert first == asyncio.run(provider.create_link(request)).url
    assert first.startswith(f"{BASE_URL}/pay/") and len(first) == len(BASE_URL) + 5 + 43
