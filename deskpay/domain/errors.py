"""Errors whose message is meant for the operator, as is.

Every refusal in deskpay raises one of these with a sentence a front-desk
user can act on; interfaces show ``str(error)`` and never a traceback.
"""


class DeskpayError(Exception):
    """Base of every refusal the operator should read."""


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
