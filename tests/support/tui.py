"""What the TUI tests share: the seeded demo, the app as the CLI builds it, a host app for one screen, waits.

Two kinds of desk (fixtures in ``tests/tui/conftest.py``):

* ``tui_desk``: a French desk on a private copy of a small seeded demo
  (:data:`DEMO_BOOKINGS` bookings around :data:`~tests.support.clock.FROZEN_NOW`),
  operator ``marie``, the desk's clock and wall-clock time frozen. Tests run
  the whole app on it: ``make_app(desk)``.
* ``modal_desk``: a French desk on an empty database with two activities
  (:func:`seed_activities`), its clock frozen at :data:`MODALS_NOW`, and a
  sandbox whose URLs depend only on the link id (:class:`FixedSandbox`), so
  QR codes are the same every run. Tests push one screen in a
  :class:`ModalHost` (the oterm pattern) and assert on the screen, what it
  dismissed with, the messages it posted and the database.

Waiting: :func:`settle` lets every worker finish; :func:`settle_except_flows`
leaves alone a "flow" worker that waits for a screen it pushed (finishing
that screen is the test's job); :func:`until` waits for a condition.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, RadioSet, Static
from textual.worker import WorkerCancelled, WorkerFailed

from deskpay.config import Settings
from deskpay.services.demo_business import business_overrides
from deskpay.services.desk import Desk, open_desk
from deskpay.services.providers.base import CreatedLink, LinkRequest
from deskpay.services.providers.sandbox import SandboxProvider
from deskpay.store.models import Activity, EmailMessage, Payment, PaymentLink
from tests.support.clock import Clock

DEMO_BOOKINGS = 300
DEMO_SEED = 2026
BASE_URL = "http://127.0.0.1:8765"
DB_NAME = "deskpay.sqlite3"
#: Saturday 4 July 2026, 09:30 in Paris: the moment of the modal tests.
MODALS_NOW = datetime(2026, 7, 4, 7, 30, tzinfo=UTC)


# -- the seeded demo and the whole app -------------------------------------------------------------------


def tui_settings(data_dir: Path, *, lang: str = "fr", **overrides) -> Settings:
    """The demo business's settings on ``data_dir``; no embedded worker."""
    values = {
        **business_overrides(),
        "locale": lang,
        "data_dir": data_dir,
        "embedded_worker": False,
        "sandbox_public_url": BASE_URL,
        "operator": "marie",
        **overrides,
    }
    return Settings(**values)


def copy_demo(template: Path, data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = template / f"{DB_NAME}{suffix}"
        if source.exists():
            shutil.copy2(source, data_dir / source.name)
    return data_dir


def make_app(desk: Desk, **kwargs):
    """The app for ``desk``, as ``run_tui`` makes it but without the background worker."""
    from deskpay.tui.app import DeskpayApp

    kwargs.setdefault("start_worker", False)
    return DeskpayApp(desk, **kwargs)


async def settle(pilot, rounds: int = 3) -> None:
    """Let thread workers finish and their messages be handled."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def settle_except_flows(pilot, times: int = 3) -> None:
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


async def until(pilot, predicate: Callable[[], bool], timeout: float = 4.0, step: float = 0.05) -> None:
    """Wait until ``predicate()`` holds (live updates, polls); fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(step)


# -- one screen in a host app, on a desk with fixed data ------------------------------------------------


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
    desk = open_desk(settings, operator="alice", clock=Clock(MODALS_NOW))
    desk.use_provider(FixedSandbox(BASE_URL))
    return desk


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


# -- reading the screen, driving a form ---------------------------------------------------------------------


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


def no_blink(app: App) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


async def choose_mode(pilot, mode: str) -> None:
    """In Encaisser, pick a mode with the keyboard: focus the radio set, move to the button, press Enter."""
    modal = pilot.app.screen
    radio = modal.query_one("#mode", RadioSet)
    radio.focus()
    await pilot.pause()
    target = [b.id for b in radio.query("RadioButton")].index(f"mode-{mode}")
    current = radio._selected if radio._selected is not None else 0
    for _ in range(target - current):
        await pilot.press("down")
    for _ in range(current - target):
        await pilot.press("up")
    await pilot.press("enter")
    await pilot.pause()
    assert modal.mode == mode
