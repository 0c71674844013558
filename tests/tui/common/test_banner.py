"""The provider banner: fake money, Stripe test mode or real money, always on screen; Stripe built after the paint."""

from __future__ import annotations

import pytest

from deskpay.services.desk import open_desk
from deskpay.tui.common.banner import ModeBanner
from tests.support.tui import make_app, settle, tui_settings, until


def _banner_text(app) -> str:
    return str(app.screen.query_one(ModeBanner).query_one("#banner-mode").render())


@pytest.mark.parametrize(
    ("key", "mode", "fr", "en"),
    [
        ("sk_test_0123456789abcdef", "test", "STRIPE MODE TEST", "STRIPE TEST MODE"),
        ("rk_live_0123456789abcdef", "live", "STRIPE LIVE", "STRIPE LIVE"),
    ],
)
async def test_stripe_banner(tui_data_dir, clock, frozen_time, key, mode, fr, en):
    for lang, text in (("fr", fr), ("en", en)):
        settings = tui_settings(tui_data_dir, lang=lang, provider="stripe", stripe_api_key=key)
        desk = open_desk(settings, operator="marie", clock=clock)
        try:
            app = make_app(desk)
            async with app.run_test(size=(100, 30)) as pilot:
                await until(pilot, lambda app=app: app.provider_mode == mode)
                await settle(pilot)
                assert _banner_text(app) == text
                assert app.screen.query_one(ModeBanner).has_class(f"-{mode}")
        finally:
            desk.close()


async def test_stripe_without_key_says_so(tui_data_dir, clock, frozen_time):
    settings = tui_settings(tui_data_dir, provider="stripe")
    desk = open_desk(settings, operator="marie", clock=clock)
    try:
        app = make_app(desk)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.provider_mode == "unavailable")
            await settle(pilot)
            assert _banner_text(app) == "STRIPE — indisponible"
            assert any("STRIPE_API_KEY" in n.message for n in app._notifications)
    finally:
        desk.close()


async def test_banner_on_every_full_screen(tui_desk):
    app = make_app(tui_desk)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert len(app.screen.query(ModeBanner)) == 1  # the home screen brings its own: not a second one
        await pilot.press("o")  # the outbox screen is not ours: the app adds the banner
        await settle(pilot)
        assert type(app.screen).__name__ == "OutboxScreen"
        assert _banner_text(app) == "SANDBOX — paiements fictifs"
        assert len(app.screen.query(ModeBanner)) == 1
        await pilot.press("escape")
        await settle(pilot)
        app.open_booking(app.screen.query_one("BookingTable").current_reference)
        await settle(pilot)
        assert type(app.screen).__name__ == "BookingSheet"
        assert len(app.screen.query(ModeBanner)) == 1  # its own, not a second one
