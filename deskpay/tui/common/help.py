"""``?``: every key of the screen underneath, with what it does and whether it applies now."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from deskpay.domain.i18n import Section
from deskpay.tui.base import key_display, localize_bindings

LABELS = Section("ui.help")

# Textual's own bindings have no id: their words, by action.
BUILTIN = Section("ui.help.builtin")


@dataclass(frozen=True, slots=True)
class KeyHelp:
    key: str
    description: str
    where: str  # "screen", "app" or "focused"
    enabled: bool


def keys_of(screen: Screen) -> list[KeyHelp]:
    """Every described binding reachable from ``screen``: its own, the focused widgets', the app's.

    A key is listed once, for the binding it would run (the focused widget's
    first, then the screen's, then the app's). Bindings hidden from the footer
    are listed too; those the screen turns off right now are marked.
    """
    app = screen.app
    lang = getattr(app, "lang", "en")
    focused = screen.focused
    widgets = []
    if focused is not None:
        widgets = [node for node in focused.ancestors_with_self if node is not screen and node is not app]
    found: dict[str, list[KeyHelp]] = {"screen": [], "focused": [], "app": []}
    seen: set[str] = set()
    for node in [*widgets, screen, app]:
        where = "app" if node is app else "screen" if node is screen else "focused"
        for key, binding in node._bindings:
            if binding.system or key in seen:
                continue
            description = binding.description
            if binding.id is None and binding.action in BUILTIN:
                description = BUILTIN(binding.action, lang)
            if not description:
                continue
            seen.add(key)
            state = app._check_action_state(binding.action, node)
            if state is False and where != "screen":
                continue
            found[where].append(KeyHelp(key_display(app, binding), description, where, bool(state)))
    return found["screen"] + found["focused"] + found["app"]


class HelpScreen(ModalScreen[None]):
    """The keys of one screen, in a table; Escape or ``?`` closes."""

    BINDINGS = [
        Binding("escape,question_mark,f1", "dismiss(None)", "Close", id="help.close"),
    ]

    def __init__(self, lang: str, screen_title: str, entries: list[KeyHelp]) -> None:
        super().__init__()
        self.lang = lang
        self.screen_title = screen_title
        self.entries = entries
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Content(LABELS("title", self.lang, screen=self.screen_title)), id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(LABELS("hint", self.lang), id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(LABELS("key", self.lang), key="key", width=12)
        table.add_column(LABELS("action", self.lang), key="action", width=34)
        table.add_column(LABELS("where", self.lang), key="where", width=20)
        for entry in self.entries:
            style = "" if entry.enabled else "dim"
            where = LABELS(entry.where, self.lang) if entry.enabled else LABELS("now_off", self.lang)
            table.add_row(
                Text(entry.key, style="bold " + style), Text(entry.description, style=style), Text(where, style=style)
            )
        table.focus()
