"""The provider banner, on every full screen: is this fake money, Stripe's test mode, or real money?"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from deskpay.domain.i18n import Section

LABELS = Section("ui.banner")

MODES = ("sandbox", "test", "live", "starting", "unavailable")


class ModeBanner(Widget):
    """One docked line: the provider mode on the left, business and operator on the right.

    It follows the app's ``provider_mode`` reactive, so it changes by itself
    once a slow provider (Stripe) has been built after the first paint.
    """

    def compose(self) -> ComposeResult:
        desk = getattr(self.app, "desk", None)
        who = f"{desk.settings.business_name} · {desk.operator}" if desk is not None else ""
        yield Static(id="banner-mode")
        yield Static(Content(who), id="banner-who")

    def on_mount(self) -> None:
        self.watch(self.app, "provider_mode", self._show_mode)

    def _show_mode(self, mode: str) -> None:
        lang = getattr(self.app, "lang", "fr")
        for label in self.query("#banner-mode").results(Static):
            label.update(LABELS(mode or "starting", lang))
        for name in MODES:
            self.set_class(name == (mode or "starting"), f"-{name}")
