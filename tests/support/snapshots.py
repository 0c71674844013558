"""How the SVG snapshots are taken: the app the CLI runs, on the seeded demo, with nothing left to chance.

The app is built by ``build_app`` — the factory ``run_tui`` uses — on a copy
of the seeded demo (``tui_data_dir``), with the desk's clock and wall-clock
time frozen (``frozen_time``), no background worker, no blinking cursor, a
fixed terminal size, and a sandbox whose link URLs depend only on the link id.
Screens are snapshotted in the app as the operator reaches them; dialogs
open over an empty :class:`Backdrop` so that their snapshots change only
when the dialog does (the screens behind have snapshots of their own).

Update with ``pytest tests/tui/<feature>/test_snapshots.py --snapshot-update``
only after reading the diff (``snapshot_report.html``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from textual.screen import Screen
from textual.widgets import Input, TextArea

from deskpay.domain.errors import ProviderError
from deskpay.services.providers.base import CreatedLink, LinkRequest
from deskpay.store.models import Booking, Customer, PaymentLink
from deskpay.tui.app import build_app
from tests.support.clock import Clock
from tests.support.tui import BASE_URL, FixedSandbox, settle, settle_except_flows, tui_settings, until

#: The size the screens are designed for, and the smallest one we promise.
SIZE = (100, 30)
SMALL = (80, 24)


def snapshot_app(data_dir, lang: str, *, fixed_sandbox: bool = True):
    """The app as ``deskpay`` builds it for ``marie``, without its worker, on the frozen clock."""
    app = build_app(tui_settings(data_dir, lang=lang), "marie", start_worker=False, clock=Clock())
    if fixed_sandbox:
        app.desk.use_provider(FixedSandbox(BASE_URL))
    return app


async def list_loaded(pilot) -> None:
    """The reservations list has its first page."""
    await until(pilot, lambda: not getattr(pilot.app.screen, "_loading_first", False))


async def still(pilot) -> None:
    """No blinking cursor, every worker done."""
    for field in [*pilot.app.query(Input), *pilot.app.query(TextArea)]:
        field.cursor_blink = False
    await settle(pilot)


async def still_dialog(pilot) -> None:
    """A dialog's workers done (a flow waiting for it is left waiting), what changed behind it redrawn, no blink."""
    await settle_except_flows(pilot)
    await pilot.pause(0.2)  # the list behind refreshes a changed booking after a short timer
    await settle_except_flows(pilot)
    for field in [*pilot.app.screen.query(Input), *pilot.app.screen.query(TextArea)]:
        field.cursor_blink = False
    await settle_except_flows(pilot)


class RefusingSandbox(FixedSandbox):
    """The sandbox down: it refuses every new link, which the desk then records as failed."""

    async def create_link(self, request: LinkRequest) -> CreatedLink:
        raise ProviderError("provider.unexpected", kind="Timeout")


class Backdrop(Screen):
    """Nothing but the theme's background, behind the dialog under test."""


def dialog_reference(desk) -> str:
    """The first upcoming demo booking with nothing paid, no open link and a customer with an email."""
    with desk.read() as session:
        open_links = select(PaymentLink.booking_id).where(PaymentLink.status == "open")
        return (
            session.execute(
                select(Booking.reference)
                .join(Customer, Customer.id == Booking.customer_id)
                .where(
                    Booking.paid_minor == 0,
                    Booking.participants >= 3,
                    Customer.email.is_not(None),
                    Booking.start_at >= desk.now(),
                    Booking.id.not_in(open_links),
                )
                .order_by(Booking.id)
            )
            .scalars()
            .first()
        )


def fresh_reference(desk, *, minimum_minor: int = 10_000) -> str:
    """The first upcoming demo booking with no link and nothing paid, owing at least ``minimum_minor``,
    whose customer has an email: a sheet whose links are all the test's own."""
    with desk.read() as session:
        with_links = select(PaymentLink.booking_id)
        return (
            session.execute(
                select(Booking.reference)
                .join(Customer, Customer.id == Booking.customer_id)
                .where(
                    Booking.paid_minor == 0,
                    Booking.total_minor >= minimum_minor,
                    Customer.email.is_not(None),
                    Booking.start_at >= desk.now(),
                    Booking.id.not_in(with_links),
                )
                .order_by(Booking.id)
            )
            .scalars()
            .first()
        )


def dialog_snapshot(
    snap_compare,
    data_dir,
    lang: str,
    show: Callable[..., Awaitable[None]],
    *,
    size: tuple[int, int] = SIZE,
) -> bool:
    """The app over the backdrop, ``await show(pilot, reference)`` for the dialog under test, then still."""
    app = snapshot_app(data_dir, lang)
    reference = dialog_reference(app.desk)

    async def run_before(pilot) -> None:
        await list_loaded(pilot)
        await pilot.app.push_screen(Backdrop())
        await show(pilot, reference)
        await still_dialog(pilot)

    try:
        return snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        app.desk.close()


def screen_snapshot(
    snap_compare,
    data_dir,
    lang: str,
    show: Callable[..., Awaitable[None]] | None = None,
    *,
    size: tuple[int, int] = SIZE,
    fixed_sandbox: bool = True,
) -> bool:
    """The app once its list is loaded, ``await show(pilot)`` to reach the screen under test, then still."""
    app = snapshot_app(data_dir, lang, fixed_sandbox=fixed_sandbox)

    async def run_before(pilot) -> None:
        await list_loaded(pilot)
        if show is not None:
            await show(pilot)
        await still(pilot)

    try:
        return snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        app.desk.close()
