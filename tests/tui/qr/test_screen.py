"""The customer-facing QR screen: what is drawn must scan, at 80×24 as over SSH, and turn to "Payé" when paid.

The read-back takes the characters the compositor drew inside the QR widget's
region (not the widget's own idea of its lines), turns the half blocks back
into modules and has zxing read them: it proves the code on screen is whole,
unclipped, not overlapped, and carries exactly the link's URL.
"""

from __future__ import annotations

import random
import string

import pytest
from rich.color import Color

from deskpay.domain.money import Money
from deskpay.services.links.qr import QrTooLarge, make_qr
from deskpay.services.money.collect import collect_online
from deskpay.services.settlement import record_provider_payment
from deskpay.tui.messages import LinkPaid
from deskpay.tui.qr.qr_view import QrView
from deskpay.tui.qr.screen import QrScreen, big_text, plan_layout
from tests.support.qr_decode import decode_half_blocks
from tests.support.tui import (
    BASE_URL,
    ModalHost,
    booking,
    region_lines,
    screen_text,
    settle_except_flows,
)


async def open_link(desk, amount: str = "45,60") -> tuple[str, object]:
    reference = booking(desk)
    outcome = await collect_online(desk, reference, amount)
    return reference, outcome.links[0]


def host(desk, link_id: int, lang: str = "fr") -> ModalHost:
    return ModalHost(lambda: QrScreen(desk, link_id), lang=lang)


def code_on_screen(app) -> list[str]:
    view = app.screen.query_one(QrView)
    assert view.display and view.region.area, "the code is on screen"
    return region_lines(app, view.region)


async def test_80x24_sandbox_link_scans_back_to_its_url_with_text_beside(modal_desk) -> None:
    reference, link = await open_link(modal_desk)
    assert len(link.url) == len(BASE_URL) + 5 + 43
    app = host(modal_desk, link.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        assert isinstance(screen, QrScreen)
        assert "-beside" in screen.query_one("#qr-layout").classes
        lines = code_on_screen(app)
        assert decode_half_blocks(lines) == link.url
        view = screen.query_one(QrView)
        # The text stands beside the code, not over it.
        text = screen.query_one("#qr-text")
        assert text.region.x >= view.region.right and text.region.right <= 80
        shown = screen_text(app)
        for expected in (
            "Les Pagaies du Pont d'Arc",
            reference,
            "Scannez le code pour payer",
            "Expire dans 24 h 00 min",
        ):
            assert expected in shown
        # Black on white, whatever the theme: sample the drawn cells' colours.
        strips = app.screen._compositor.render_strips()
        row = strips[view.region.y + 1]
        styles = {seg.style for seg in row.crop(view.region.x, view.region.right)}
        assert {(s.color, s.bgcolor) for s in styles if s} == {(Color.parse("#000000"), Color.parse("#ffffff"))}


async def test_tall_terminal_puts_the_text_below_a_sturdier_code(modal_desk) -> None:
    _, link = await open_link(modal_desk)
    app = host(modal_desk, link.id, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_except_flows(pilot)
        screen = app.screen
        assert "-below" in screen.query_one("#qr-layout").classes
        view = screen.query_one(QrView)
        assert view.qr.error_correction == "H"
        assert decode_half_blocks(code_on_screen(app)) == link.url
        assert screen.query_one("#qr-text").region.y >= view.region.bottom
        assert "Scan the code to pay" in screen_text(app)


async def test_too_small_says_which_size_is_needed_and_draws_no_code(modal_desk) -> None:
    _, link = await open_link(modal_desk)
    app = host(modal_desk, link.id)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle_except_flows(pilot)
        assert not app.screen.query_one("#qr-layout").display
        shown = screen_text(app)
        assert "Le QR code demande un terminal d'au moins" in shown and "60×20" in shown
        # Growing the window brings the code back.
        await pilot.resize_terminal(80, 24)
        await settle_except_flows(pilot)
        assert decode_half_blocks(code_on_screen(app)) == link.url


async def test_turns_into_paid_as_soon_as_the_link_is_paid(modal_desk) -> None:
    reference, link = await open_link(modal_desk)
    app = host(modal_desk, link.id)
    async with app.run_test(size=(80, 24), message_hook=app.record) as pilot:
        await settle_except_flows(pilot)
        assert app.screen.query_one("#qr-layout").display
        record_provider_payment(
            modal_desk, provider="sandbox", payment_reference="sbx_pay_1", amount=Money(4_560, "EUR"), link_id=link.id
        )
        await pilot.pause(1.3)  # one poll
        await settle_except_flows(pilot)
        screen = app.screen
        assert not screen.query_one("#qr-layout").display, "no code once paid"
        assert screen.query_one("#qr-paid").display
        shown = screen_text(app)
        assert big_text("PAYÉ ✓").splitlines()[2] in shown
        assert "45,60 €" in shown and "Merci !" in shown
        assert [(m.reference, m.link_id) for m in app.posted(LinkPaid)] == [(reference, link.id)]
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_expired_link_shows_no_code(modal_desk) -> None:
    _, link = await open_link(modal_desk)
    app = host(modal_desk, link.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_except_flows(pilot)
        modal_desk.clock.advance(hours=24, seconds=1)
        await pilot.pause(1.2)
        await settle_except_flows(pilot)
        assert not app.screen.query_one("#qr-layout").display
        assert "Ce lien n'est plus payable : il est expiré." in screen_text(app)


def _stripe_like(length: int) -> str:
    rng = random.Random(3)
    url = "https://checkout.stripe.com/c/pay/cs_test_" + "".join(rng.choice(string.ascii_letters) for _ in range(58))
    return (url + "#fid" + "".join(rng.choice(string.ascii_letters) for _ in range(length)))[:length]


@pytest.mark.parametrize(
    ("size", "kind"), [((80, 24), "beside"), ((100, 30), "beside"), ((120, 40), "below"), ((80, 50), "below")]
)
def test_plan_layout_fits_code_and_text(size, kind) -> None:
    url = f"{BASE_URL}/pay/" + "a" * 43
    plan = plan_layout(url, size)
    assert plan.kind == kind
    cols, rows = plan.qr.cells
    if kind == "beside":
        assert cols + 32 <= size[0] and rows <= size[1]
    else:
        assert cols <= size[0] and rows + 10 <= size[1]


def test_plan_layout_names_the_size_a_stripe_link_needs() -> None:
    url = _stripe_like(420)
    with pytest.raises(QrTooLarge) as caught:
        plan_layout(url, (80, 24))
    need_cols, need_rows = caught.value.needed
    # That size really holds the code and its text.
    plan = plan_layout(url, (need_cols, need_rows))
    assert make_qr(url, max_cells=plan.qr.cells).cells == plan.qr.cells


async def test_in_the_real_app_at_80x24_the_code_still_scans_under_the_banner(tui_desk) -> None:
    """The app mounts its provider banner on every full screen: the code must fit what is left."""
    from sqlalchemy import select

    from deskpay.store.models import Booking, PaymentLink
    from tests.support.tui import make_app, until

    with tui_desk.read() as session:
        busy = select(PaymentLink.booking_id).where(PaymentLink.status == "open")
        reference = (
            session.execute(
                select(Booking.reference)
                .where(Booking.paid_minor == 0, Booking.start_at >= tui_desk.now(), Booking.id.not_in(busy))
                .order_by(Booking.id)
            )
            .scalars()
            .first()
        )
    link = (await collect_online(tui_desk, reference, "30")).links[0]
    app = make_app(tui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: not getattr(app.screen, "_loading_first", False))
        await app.push_screen(QrScreen(tui_desk, link.id))
        await until(pilot, lambda: app.screen.query(QrView) and app.screen.query_one(QrView).qr is not None)
        await pilot.pause()
        assert decode_half_blocks(code_on_screen(app)) == link.url
        assert "-beside" in app.screen.query_one("#qr-layout").classes
