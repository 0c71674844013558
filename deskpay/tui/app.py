"""The deskpay terminal app: the reservations list, booking sheets, and the desk's flows.

Built once from a :class:`Desk` (``run_tui`` builds the desk from the
settings, as the CLI does). The app owns what every screen shares: the
provider banner, themes, the command palettes, one error path, the live
poll that tells screens which bookings changed, and the embedded background
worker (sandbox page, emails, link expiry) while it runs.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker

from deskpay.config import Settings
from deskpay.domain.errors import DeskpayError, error_text
from deskpay.domain.i18n import Section
from deskpay.services.desk import Desk, open_desk
from deskpay.store.columns import utcnow
from deskpay.tui.base import key_display, localize_bindings
from deskpay.tui.common.banner import ModeBanner
from deskpay.tui.messages import (
    ActionFailed,
    BookingChanged,
    FirstListShown,
    OpenBooking,
    ThemeChosen,
    failure_of,
)
from deskpay.tui.state import UiState, load_state, save_state, state_path
from deskpay.tui.themes import (
    DEFAULT_THEME,
    FALLBACK_THEME,
    VARIABLE_DEFAULTS,
    load_themes,
    stylesheets,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
FIRST_LIST_WAIT_SECONDS = 3.0  # the background worker starts then even if the list never showed
WORKER_STOP_SECONDS = 8.0
NO_REVISION = 2**62  # asks changed_since only for the current revision

LABELS = Section("ui.app")


class DeskpayApp(App[None]):
    """The desk: ``DeskpayApp(desk).run()``; ``start_worker=False`` in tests (no HTTP server, no jobs)."""

    TITLE = "deskpay"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+f", "find_booking", "Find", key_display="^f", id="app.find"),
        Binding("ctrl+p", "command_palette", "Commands", key_display="^p", id="app.palette", priority=True),
        Binding("ctrl+t", "pick_theme", "Theme", show=False, id="app.theme"),
        Binding("ctrl+q", "quit", "Quit", key_display="^q", show=False, priority=True, id="app.quit"),
    ]

    provider_mode: reactive[str] = reactive("")
    """``sandbox``, ``test`` or ``live`` once the provider is built (``starting`` before, ``unavailable`` if it cannot be)."""

    class ProviderReady(Message):
        def __init__(self, mode: str) -> None:
            super().__init__()
            self.mode = mode

    class ChangesSeen(Message):
        """The poll found the bookings that changed since the last revision seen."""

        def __init__(self, revision: int, references: tuple[str, ...]) -> None:
            super().__init__()
            self.revision = revision
            self.references = references

    class PollFailed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(
        self,
        desk: Desk,
        *,
        start_worker: bool = True,
        state_file: Path | None = None,
        themes_dir: Path | None = None,
        freeze_heap: bool = False,
    ) -> None:
        super().__init__(css_path=stylesheets())
        self.themes_dir = themes_dir
        self.desk = desk
        self.lang = desk.lang
        self.start_worker = start_worker and desk.settings.embedded_worker
        # Only for a process that is the app (run_tui): a test session's heap is not the app's to freeze.
        self.freeze_heap = freeze_heap
        self.state_file = state_file or state_path(desk.settings)
        self.ui_state: UiState = load_state(self.state_file)
        self.deskpay_themes: dict[str, str] = {}
        self._revision: int | None = None
        self._polling = False
        self._poll_error: str | None = None
        self._worker_stop: asyncio.Event | None = None
        self._worker_task: asyncio.Task | None = None
        self._theme_notices: list[str] = []
        self._first_list_done = False
        self._first_list_timer: Timer | None = None
        localize_bindings(self, self.lang)
        # Themes are chosen before the first screen is styled: setting one later restyles everything.
        self._apply_themes()

    # --- start-up ------------------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        from deskpay.tui.reservations.screen import ReservationsScreen  # the first screen, with the app's first frame

        return ReservationsScreen(self.desk)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        for notice in self._theme_notices:
            self.notify(notice, severity="warning", timeout=10)
        self.screen_change_signal.subscribe(self, self._add_banner)
        self._add_banner(self.screen)  # the first screen came before the subscription
        self._show_provider_mode()
        self.set_interval(POLL_SECONDS, self._poll)
        self._first_list_timer = self.set_timer(FIRST_LIST_WAIT_SECONDS, self._after_first_list)

    @on(FirstListShown)
    def _after_first_list(self) -> None:
        """Once the list is on screen, load what it did not need: the ORM, then the background worker.

        Both are CPU-bound Python (imports, an HTTP server): started with the
        app, they would share the GIL with the first paint and delay it.
        """
        if self._first_list_done:
            return
        self._first_list_done = True
        if self._first_list_timer is not None:
            self._first_list_timer.stop()
        self._load_orm()
        if self.start_worker:
            self._worker_stop = asyncio.Event()
            self._worker_task = asyncio.create_task(self._run_background(self._worker_stop), name="deskpay-worker")

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def _load_orm(self) -> None:
        """The booking sheet's queries and the models behind them (~140 ms of imports), ready before Enter."""
        import deskpay.services.bookings.sheet  # noqa: F401

        if self.freeze_heap:
            freeze_startup_heap()

    def _apply_themes(self) -> None:
        """Register the theme files of ``themes/`` and choose the remembered one (problems are shown on mount)."""
        loaded = load_themes(self.themes_dir)
        for theme in loaded.themes:
            self.register_theme(theme)
        self.deskpay_themes = dict(loaded.titles)
        self._theme_notices = [problem.text(self.lang) for problem in loaded.problems]
        wanted = self.ui_state.theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else FALLBACK_THEME
            self._theme_notices.append(LABELS("theme_fallback", self.lang, name=wanted, fallback=fallback))
            wanted = fallback
        self.theme = wanted

    def switch_theme(self, name: str) -> None:
        """Apply theme ``name`` and remember it for the next run."""
        if name not in self.available_themes:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else FALLBACK_THEME
            self.notify(LABELS("theme_fallback", self.lang, name=name, fallback=fallback), severity="warning")
            name = fallback
        self.theme = name
        self.ui_state = UiState(theme=name)
        if not save_state(self.state_file, self.ui_state):
            self.notify(LABELS("theme_not_saved", self.lang, path=str(self.state_file)), severity="warning")

    def _add_banner(self, screen: Screen) -> None:
        """Every full screen shows the provider banner, whoever wrote the screen.

        The signal comes as a screen is pushed, before it has composed: look
        once it has, so a screen that brings its own banner keeps just that one.
        """
        if not isinstance(screen, ModalScreen):
            screen.call_later(self._ensure_banner, screen)

    def _ensure_banner(self, screen: Screen) -> None:
        if screen.is_attached and not screen.query(ModeBanner):
            screen.mount(ModeBanner(), before=0 if screen.children else None)

    def _show_provider_mode(self) -> None:
        settings = self.desk.settings
        if settings.provider == "sandbox":
            self.provider_mode = self.desk.provider.mode  # the sandbox provider costs nothing to build
        else:
            self.provider_mode = "starting"
            self._build_provider()

    @work(thread=True, exclusive=True, group="provider", exit_on_error=False)
    def _build_provider(self) -> None:
        """Stripe's SDK is slow to import: build the provider after the first paint."""
        try:
            mode = self.desk.provider.mode
        except DeskpayError as error:
            self.post_message(self.ProviderReady("unavailable"))
            self.post_message(ActionFailed(error, "provider"))
            return
        self.post_message(self.ProviderReady(mode))

    @on(ProviderReady)
    def _provider_ready(self, message: ProviderReady) -> None:
        self.provider_mode = message.mode

    # --- the background worker (sandbox page, emails, expiry) ----------------------------------------------

    async def _run_background(self, stop: asyncio.Event) -> None:
        try:
            worker = await asyncio.to_thread(_build_worker, self.desk)
            if self.freeze_heap:
                freeze_startup_heap()  # the worker's servers and templates, too
            await worker.run(stop)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the desk keeps working without its background jobs
            log.exception("embedded worker failed")
            self.post_message(ActionFailed(error, "worker"))

    async def _stop_background(self) -> None:
        task, self._worker_task = self._worker_task, None
        if task is None:
            return
        if self._worker_stop is not None:
            self._worker_stop.set()
        try:
            await asyncio.wait_for(task, WORKER_STOP_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            log.exception("embedded worker did not stop cleanly")

    async def action_quit(self) -> None:
        await self._stop_background()
        self.exit()

    async def on_unmount(self) -> None:
        await self._stop_background()
        try:
            await self.desk.aclose()
        except Exception:
            log.exception("closing the payment provider failed")

    # --- live updates ---------------------------------------------------------------------------------------

    def _poll(self) -> None:
        if not self._polling:
            self._polling = True
            self._poll_changes(self._revision)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll_changes(self, revision: int | None) -> None:
        from deskpay.services.bookings.listing import changed_since  # already loaded by the list

        try:
            new_revision, references = changed_since(self.desk, NO_REVISION if revision is None else revision)
        except Exception as error:  # a locked or vanished database: say it once, keep polling
            self.post_message(self.PollFailed(f"{type(error).__name__}: {error}".splitlines()[0][:200]))
            return
        self.post_message(self.ChangesSeen(new_revision, tuple(references)))

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        self._polling = False
        if message.reason != self._poll_error:
            self._poll_error = message.reason
            self.notify(LABELS("poll_failed", self.lang, reason=message.reason), severity="warning")

    @on(ChangesSeen)
    def _changes_seen(self, message: ChangesSeen) -> None:
        self._polling = False
        self._poll_error = None
        first = self._revision is None
        self._revision = message.revision
        if not first:
            for reference in message.references:
                self._tell_screens(reference)

    @on(OpenBooking)
    def _open_booking(self, message: OpenBooking) -> None:
        self.open_booking(message.reference)

    @on(ThemeChosen)
    def _theme_chosen(self, message: ThemeChosen) -> None:
        self.switch_theme(message.name)

    @on(BookingChanged)
    def _booking_changed_here(self, message: BookingChanged) -> None:
        """A screen or modal of this app changed a booking: every screen hears it at once."""
        self._tell_screens(message.reference)

    def _tell_screens(self, reference: str) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, ModalScreen):
                continue
            notice = BookingChanged(reference)
            notice.bubble = False  # type: ignore[misc]  # the app sent it; it must not come back here
            screen.post_message(notice)

    # --- one error path -------------------------------------------------------------------------------------

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        self.notify(
            error_text(message.error, self.lang), title=LABELS("error_title", self.lang), severity="error", timeout=8
        )

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """The app's own workers (screens report theirs, see ``messages.failure_of``)."""
        if (failure := failure_of(event, self)) is not None:
            self.post_message(failure)

    # --- navigation and commands ---------------------------------------------------------------------------

    def open_booking(self, reference: str) -> None:
        from deskpay.tui.booking.sheet import BookingSheet  # not at launch: the first sheet loads it

        if isinstance(self.screen, BookingSheet) and self.screen.reference == reference:
            return  # already open (a second Enter, or the search answering after it)
        self.push_screen(BookingSheet(self.desk, reference))

    def action_command_palette(self) -> None:
        self._open_palette(None, LABELS("palette", self.lang))

    def action_find_booking(self) -> None:
        from deskpay.tui.common.palette import LABELS as PALETTE  # not at launch: the first palette loads it
        from deskpay.tui.common.palette import BookingFinder  # not at launch: the first palette loads it

        self._open_palette([BookingFinder], PALETTE("find_placeholder", self.lang))

    def action_pick_theme(self) -> None:
        from deskpay.tui.common.palette import LABELS as PALETTE  # not at launch: the first palette loads it
        from deskpay.tui.common.palette import ThemePicker  # not at launch: the first palette loads it

        self._open_palette([ThemePicker], PALETTE("theme_placeholder", self.lang))

    def _open_palette(self, providers: list | None, placeholder: str, attempt: int = 0) -> None:
        """Open a palette; chosen from another palette, wait until that one has closed."""
        if not self.use_command_palette:
            return
        if CommandPalette.is_open(self):  # type: ignore[arg-type]  # Textual types it App[object]
            if attempt < 10:
                self.set_timer(0.03, partial(self._open_palette, providers, placeholder, attempt + 1))
            return
        palette_id = "--command-palette" if providers is None else None
        self.push_screen(CommandPalette(providers=providers, placeholder=placeholder, id=palette_id))

    def action_help(self) -> None:
        from deskpay.tui.common.help import HelpScreen, keys_of  # not at launch: the first ? loads it

        screen = self.screen
        if isinstance(screen, (HelpScreen, CommandPalette)):
            return
        self.push_screen(HelpScreen(self.lang, screen.title or self.title, keys_of(screen)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action: the app's, then each key of the screen the palette was opened from."""
        lang = self.lang
        yield SystemCommand(LABELS("cmd.find", lang), LABELS("cmd.find_help", lang), self.action_find_booking)
        yield SystemCommand(LABELS("cmd.theme", lang), LABELS("cmd.theme_help", lang), self.action_pick_theme)
        yield SystemCommand(LABELS("cmd.keys", lang), LABELS("cmd.keys_help", lang), self.action_help)
        yield SystemCommand(
            LABELS("cmd.screenshot", lang),
            LABELS("cmd.screenshot_help", lang),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )
        yield SystemCommand(LABELS("cmd.quit", lang), LABELS("cmd.quit_help", lang), self.action_quit)
        yield from self._screen_commands(screen)

    def _screen_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        seen: set[str] = set()
        title_of = getattr(screen, "command_title", None)
        for _key, binding in screen._bindings:
            # Ours only (they have ids): Textual's focus and copy keys are not desk actions.
            if binding.id is None or not binding.description or binding.action in seen or binding.system:
                continue
            seen.add(binding.action)
            if not self._check_action_state(binding.action, screen):
                continue  # not applicable right now (no link selected, no email...)
            title = title_of(binding) if callable(title_of) else binding.description
            yield SystemCommand(
                title,
                LABELS("cmd.key_help", self.lang, key=key_display(self, binding), screen=screen.title or ""),
                partial(self.run_action, binding.action, screen),
            )


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, classes, the models) out of every later garbage collection.

    Walking that heap is what a full collection costs: ~50 ms each, nine times
    while someone types a few searches. Objects made after this are collected
    as usual; a collection first, so no garbage is frozen with them.
    """
    gc.collect()
    gc.freeze()


def _build_worker(desk: Desk):
    """The embedded worker: the full one (sandbox page, emails) when deskpay.web is installed."""
    try:
        from deskpay.web.runner import build_worker  # after the first list: the HTTP servers and jobs
    except ImportError:
        from deskpay.services.jobs import Worker, link_jobs  # after the first list: the HTTP servers and jobs

        return Worker(desk, link_jobs())
    return build_worker(desk, embedded=True)


def build_app(
    settings: Settings,
    operator: str | None = None,
    *,
    start_worker: bool = True,
    clock: Callable[[], datetime] | None = None,
    freeze_heap: bool = False,
) -> DeskpayApp:
    """The app as the CLI runs it (tests and snapshots build it here too)."""
    desk = open_desk(settings, operator=operator, clock=clock or utcnow)
    return DeskpayApp(desk, start_worker=start_worker, freeze_heap=freeze_heap)


def run_tui(settings: Settings, operator: str | None = None) -> None:
    """``deskpay`` / ``deskpay demo``: run the desk until the operator quits."""
    app = build_app(settings, operator, freeze_heap=True)
    try:
        app.run()
    finally:
        app.desk.close()
