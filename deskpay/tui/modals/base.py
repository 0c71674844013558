"""What every desk modal and customer-facing screen shares: the desk, the language, one error path.

* ``desk`` is passed in by whoever pushes the screen; nothing is looked up globally.
* ``lang`` is the app's language when the app has one, else the desk's.
* Binding descriptions are written in English in ``BINDINGS`` and shown in the
  operator's language from the catalogue (``key.<binding id>``).
* One error path: workers catch :class:`DeskpayError` and post
  :class:`~deskpay.tui.messages.ActionFailed`; an unexpected exception ends the
  worker in the ERROR state, which is turned into the same message. The screen
  shows it inline in its ``#error`` line and stops it there, so the app does
  not toast it a second time. Nothing is saved by a service that refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from textual import on
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import Worker

from deskpay import paths
from deskpay.domain.errors import DeskpayError
from deskpay.domain.money import Money
from deskpay.services.desk import Desk
from deskpay.domain.i18n import Section, text
from deskpay.tui.messages import ActionFailed, failure_of
from deskpay.tui.widgets.keys import localize_bindings

ResultT = TypeVar("ResultT")


def modals_css() -> list[Path]:
    """The style sheet of the modals and the desk's customer-facing screens (found on call, not at import)."""
    return [paths.themes_dir() / "modals.tcss"]


def error_text(error: BaseException, lang: str) -> str:
    """What the operator reads: the refusal's own sentence, or a short line for a bug (never a traceback)."""
    if isinstance(error, DeskpayError):
        return error.text(lang)
    detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return text("ui.app.unexpected", lang, kind=type(error).__name__, detail=detail)


def amount_for_input(amount: Money, lang: str) -> str:
    """An amount as an operator would type it: ``107,80`` in French, ``107.80`` in English."""
    text = amount.plain()
    return text.replace(".", ",") if lang == "fr" else text


class _FlowMixin:
    """The shared behaviour; mixed into a ModalScreen and a Screen below."""

    desk: Desk
    LABELS: Section | None = None

    @property
    def lang(self) -> str:
        lang = getattr(self.app, "lang", None)  # type: ignore[attr-defined]
        return lang if lang in ("fr", "en") else self.desk.lang

    def t(self, key: str, /, **params) -> str:
        """This screen's label ``key`` in the operator's language."""
        assert self.LABELS is not None
        return self.LABELS(key, self.lang, **params)

    def show_error(self, text: str) -> None:
        line = self.query_one("#error", Static)  # type: ignore[attr-defined]
        line.update(text)
        line.display = bool(text)

    def clear_error(self) -> None:
        self.show_error("")

    def _setup(self) -> None:
        localize_bindings(self, self.lang)  # type: ignore[arg-type]
        self.refresh_bindings()  # type: ignore[attr-defined]

    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if (failure := failure_of(event, self)) is not None:
            self.post_message(failure)  # type: ignore[attr-defined]

    def _action_failed(self, event: ActionFailed) -> None:
        event.stop()
        self.report_failure(event)

    def report_failure(self, event: ActionFailed) -> None:
        """Show the refusal inline; screens override to also re-enable what they disabled."""
        self.show_error(error_text(event.error, self.lang))


class DeskScreen(_FlowMixin, Screen[ResultT]):
    """A full screen of the desk; the modals below share its error path."""

    def __init__(self, desk: Desk, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.desk = desk
        self.css_path = modals_css()

    def on_mount(self) -> None:
        self._setup()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        self._worker_failed(event)

    @on(ActionFailed)
    def _on_action_failed(self, event: ActionFailed) -> None:
        self._action_failed(event)


class DeskModal(DeskScreen[ResultT], ModalScreen[ResultT]):
    """A modal over the desk: Escape closes it with ``None`` (subclasses may say otherwise)."""
