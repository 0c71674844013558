"""The footer of our screens: the keys of the current screen on one line, greyed when they do not apply.

Textual's ``Footer`` makes one widget per key and recomposes them all when
the bindings change (every focus change); at start-up that was a quarter of
the time to the first list. This is one ``Static`` redrawn from
``screen.active_bindings``; a click on a key presses it.
"""

from __future__ import annotations

from collections import OrderedDict

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """``⏎ Ouvrir  / Chercher  n Nouvelle…`` for the screen it is on."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self._redraw()

    def _redraw(self) -> None:
        keys: OrderedDict[str, tuple[str, str, bool, str]] = OrderedDict()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not binding.description or binding.action in keys:
                continue
            keys[binding.action] = (self.app.get_key_display(binding), binding.description, enabled, binding.key)
        parts = []
        for display, description, enabled, key in keys.values():
            key_style = "bold $footer-key-foreground" if enabled else "dim"
            text_style = "" if enabled else "dim"
            click = f"@click=app.simulate_key({key!r})" if enabled else ""
            # A link takes the link colour: only the description is the click target, the key keeps its colour.
            parts.append(
                Content.from_markup(
                    f"[{key_style}]$display[/] [{text_style} {click}]$description[/]",
                    display=display,
                    description=description,
                )
            )
        self.update(Content("  ").join(parts))
