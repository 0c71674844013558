"""The desk's dialogs: Encaisser, split, email a link, confirm, edit a customer.

Each is a typed ``ModalScreen[Result]`` that returns through ``dismiss()``;
Escape closes with ``None`` (``False`` for the yes/no ones). Names are
imported lazily so that importing one modal does not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "CollectModal": "collect",
    "CollectResult": "collect",
    "ConfirmModal": "confirm",
    "CustomerEditModal": "customer_edit",
    "EmailLinkModal": "email_link",
    "SplitModal": "split",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from deskpay.tui.modals.collect import CollectModal, CollectResult
    from deskpay.tui.modals.confirm import ConfirmModal
    from deskpay.tui.modals.customer_edit import CustomerEditModal
    from deskpay.tui.modals.email_link import EmailLinkModal
    from deskpay.tui.modals.split import SplitModal


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
