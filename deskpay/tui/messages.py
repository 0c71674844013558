"""The named steps of the desk's flows, posted as Textual messages.

Workers post them when a service call finishes; screens react with ``@on``;
tests assert on them through ``run_test(message_hook=...)``.
"""

from __future__ import annotations

import logging

from textual.message import Message
from textual.worker import Worker, WorkerState

from deskpay.domain.errors import DeskpayError

log = logging.getLogger(__name__)


class BookingChanged(Message):
    """A booking's money or links changed (here or in another process): refresh what shows it."""

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference


class OpenBooking(Message):
    """Open the sheet of booking ``reference`` (the list, the finder and a new booking ask the app)."""

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference


class ThemeChosen(Message):
    """The operator chose theme ``name`` in the palette: apply it and remember it."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class FirstListShown(Message):
    """The home list painted its first page: the app may now load what the first screen did not need."""


class PaymentRecorded(Message):
    def __init__(self, reference: str, payment_id: int) -> None:
        super().__init__()
        self.reference = reference
        self.payment_id = payment_id


class LinkCreated(Message):
    def __init__(self, reference: str, link_ids: tuple[int, ...]) -> None:
        super().__init__()
        self.reference = reference
        self.link_ids = link_ids


class LinkCancelled(Message):
    def __init__(self, reference: str, link_id: int) -> None:
        super().__init__()
        self.reference = reference
        self.link_id = link_id


class LinkPaid(Message):
    def __init__(self, reference: str, link_id: int) -> None:
        super().__init__()
        self.reference = reference
        self.link_id = link_id


class EmailQueued(Message):
    def __init__(self, reference: str | None, to: str, kind: str) -> None:
        super().__init__()
        self.reference = reference
        self.to = to
        self.kind = kind


class ActionFailed(Message):
    """One error path: any worker's refusal or failure ends here and is shown to the operator."""

    def __init__(self, error: BaseException, context: str = "") -> None:
        super().__init__()
        self.error = error
        self.context = context


def failure_of(event: Worker.StateChanged, owner) -> ActionFailed | None:
    """The :class:`ActionFailed` for ``owner``'s worker that just failed (a bug is logged with its traceback).

    Textual tells a worker's state to its owner only (the message does not
    bubble): each owner turns a failure into this message, which does, so a
    refusal is never lost on the way to the operator.
    """
    if event.state is not WorkerState.ERROR or event.worker.node is not owner:
        return None
    error = event.worker.error
    assert error is not None  # a worker in the ERROR state holds its error
    if not isinstance(error, DeskpayError):
        log.error("worker %s failed", event.worker.name, exc_info=error)
    return ActionFailed(error, event.worker.name)
