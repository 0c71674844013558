"""What every screen and dialog of the desk shares: the desk, the language, the key words, one error path.

* ``desk`` is passed in by whoever pushes the screen; nothing is looked up globally.
* ``lang`` is the app's language when the app has one, else the desk's.
* Binding descriptions are written in English in ``BINDINGS`` and shown in the
  operator's language from the catalogue (``key.<binding id>``).
* One error path: workers catch :class:`DeskpayError` and post
  :class:`~deskpay.tui.messages.ActionFailed`; an unexpected exception ends the
  worker in the ERROR state, which is turned into the same message. A dialog
  shows it inline in its ``#error`` line; a full screen lets the app show it.
  Nothing is saved by a service that refused.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, cast

from textual import on
from textual._context import NoActiveAppError
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Button, Static
from textual.worker import Worker

from deskpay import paths
from deskpay.domain.errors import error_text
from deskpay.domain.i18n import Section, has, text
from deskpay.domain.money import Money
from deskpay.services.desk import Desk
from deskpay.tui.messages import ActionFailed, failure_of

ResultT = TypeVar("ResultT")


def modals_css() -> list[Path]:
    """The style sheet of the modals and the desk's customer-facing screens (found on call, not at import)."""
    return [paths.themes_dir() / "modals.tcss"]


def amount_for_input(amount: Money, lang: str) -> str:
    """An amount as an operator would type it: ``107,80`` in French, ``107.80`` in English."""
    text = amount.plain()
    return text.replace(".", ",") if lang == "fr" else text


def localize_bindings(node: DOMNode, lang: str) -> None:
    """Give ``node``'s bindings the description (and tooltip) of ``key.<id>`` in the catalogue.

    Bindings without an id, or whose id has no entry, keep their text.
    """
    translated: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        translated[key] = [
            replace(binding, description=text(f"key.{binding.id}", lang), tooltip=text(f"key.{binding.id}", lang))
            if binding.id is not None and has(f"key.{binding.id}")
            else binding
            for binding in bindings
        ]
    node._bindings = BindingsMap.from_keys(translated)


class DeskApp(Protocol):
    """What the desk's app offers the widgets that Textual hands a plain ``App`` (the palettes)."""

    desk: Desk
    lang: str
    deskpay_themes: dict[str, str]

    @property
    def available_themes(self) -> dict[str, Theme]: ...


def desk_app(app: App[Any]) -> DeskApp:
    """The running app as the desk's: its desk, its language, its themes."""
    return cast(DeskApp, app)


def key_display(app, binding: Binding) -> str:
    """How the footer would write the key of ``binding`` (``?``, ``^p``, ``enter``)."""
    if binding.key_display:
        return binding.key_display
    return app.get_key_display(binding)


class DeskScreen(Screen[ResultT]):
    """Every screen of the desk: its desk, its language, its keys in that language, one error path.

    A screen with an ``#error`` line (``INLINE_ERRORS``, the dialogs and flows)
    shows a refusal there and stops it, so the app does not toast it a second
    time; the others let it bubble to the app, which shows it. A failed
    worker of the screen becomes the same :class:`ActionFailed`, after
    :meth:`worker_failed` lets the screen stop waiting for its answer.
    """

    LABELS: ClassVar[Section | None] = None
    """The catalogue section of this screen's labels, for :meth:`t`."""
    STYLESHEETS: ClassVar[tuple[str, ...]] = ("modals.tcss",)
    """Style sheets of ``themes/`` this screen adds to the app's."""
    INLINE_ERRORS: ClassVar[bool] = True

    def __init__(
        self, desk: Desk, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.desk = desk
        if self.STYLESHEETS:
            self.css_path = [paths.themes_dir() / sheet for sheet in self.STYLESHEETS]
        localize_bindings(self, self.lang)

    @property
    def lang(self) -> str:
        """The app's language (the operator's), else the desk's."""
        try:
            lang = getattr(self.app, "lang", None)
        except NoActiveAppError:
            lang = None
        return lang if lang in ("fr", "en") else self.desk.lang

    def t(self, key: str, /, **params: object) -> str:
        """This screen's label ``key`` in the operator's language."""
        assert self.LABELS is not None
        return self.LABELS(key, self.lang, **params)

    def form_end(
        self, submit_id: str, submit_label: str, *, disabled: bool = False, buttons_id: str | None = None
    ) -> ComposeResult:
        """The end of every form: its error line, then its action button and Cancel."""
        yield Static("", id="error", classes="error")
        with Horizontal(classes="buttons", id=buttons_id):
            yield Button(submit_label, id=submit_id, variant="primary", disabled=disabled, compact=True)
            yield Button(self.t("cancel"), id="cancel", compact=True)

    def show_error(self, message: str) -> None:
        line = self.query_one("#error", Static)
        line.update(message)
        line.display = bool(message)

    def clear_error(self) -> None:
        self.show_error("")

    def worker_failed(self, worker: Worker) -> None:
        """One of this screen's workers failed (its error is about to be shown): stop waiting for its answer."""

    def report_failure(self, event: ActionFailed) -> None:
        """Show the refusal inline; screens override to also re-enable what they disabled."""
        self.show_error(error_text(event.error, self.lang))

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        # Textual tells a worker's state to its owner only: the owner turns a failure into a message that bubbles.
        if (failure := failure_of(event, self)) is not None:
            self.worker_failed(event.worker)
            self.post_message(failure)

    @on(ActionFailed)
    def _on_action_failed(self, event: ActionFailed) -> None:
        if self.INLINE_ERRORS:
            event.stop()
            self.report_failure(event)


class DeskModal(DeskScreen[ResultT], ModalScreen[ResultT]):
    """A modal over the desk: Escape closes it with ``None`` (subclasses may say otherwise)."""
