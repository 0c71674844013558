"""The provider banner, on every full screen: is this fake money, Stripe's test mode, or real money?"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from deskpay.tui.i18n import Labels

LABELS = Labels(
    {
        "sandbox": ("SANDBOX — paiements fictifs", "SANDBOX — fake payments"),
        "test": ("STRIPE MODE TEST", "STRIPE TEST MODE"),
        "live": ("STRIPE LIVE", "STRIPE LIVE"),
        "starting": ("STRIPE — connexion…", "STRIPE — connecting…"),
        "unavailable": ("STRIPE — indisponible", "STRIPE — unavailable"),
    }
)

MODES = ("sandbox", "test", "live", "starting", "unavailable")


class ModeBanner(Widget):
    """One docked line: the provider mode on the left, business and operator on the right.

    It follows the app's ``provider_mode`` reactive, so it changes by itself
    once a slow provider (Stripe) has been built after the first paint.
    """

    def compose(self) -> ComposeResult:
        yield Static(id="banner-mode")
        yield Static(id="banner-who")

    def on_mount(self) -> None:
        app = self.app
        desk = getattr(app, "desk", None)
        if desk is not None:
            self.query_one("#banner-who", Static).update(
                Content(f"{desk.settings.business_name} · {desk.operator}"))
        self.watch(app, "provider_mode", self._show_mode)

    def _show_mode(self, mode: str) -> None:
        lang = getattr(self.app, "lang", "fr")
        self.query_one("#banner-mode", Static).update(LABELS(mode or "starting", lang))
        for name in MODES:
            self.set_class(name == (mode or "starting"), f"-{name}")
