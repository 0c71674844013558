"""Errors whose message is meant for the operator, in the operator's language.

Every refusal in deskpay raises one of these with a message key and its
parameters; interfaces show ``error.text(lang)`` and never a traceback.
``str(error)`` is the English text, for logs and tests.
"""

from __future__ import annotations

from typing import Any

from deskpay.domain.i18n import text


class DeskpayError(Exception):
    """Base of every refusal the operator should read."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def text(self, lang: str = "en") -> str:
        return text(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.text("en")


class InvalidInput(DeskpayError):
    """What was typed cannot be used (bad amount, bad email, bad date...)."""


class NotFound(DeskpayError):
    """The booking, link, activity or message named does not exist."""


class Refused(DeskpayError):
    """The input is well-formed but the business rules say no (over the balance, link not open...)."""


class ProviderError(DeskpayError):
    """The payment provider failed; the message says what to do."""


class DeliveryError(DeskpayError):
    """An email could not be handed to the mail server."""


def error_text(error: BaseException, lang: str) -> str:
    """What the operator reads: a refusal's own sentence, or one short line for a bug — never a traceback."""
    if isinstance(error, DeskpayError):
        return error.text(lang)
    detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return text("ui.app.unexpected", lang, kind=type(error).__name__, detail=detail)
