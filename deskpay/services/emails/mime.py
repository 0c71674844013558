"""Checking addresses and header values, and building the MIME message to send.

Everything a person typed (an address, a subject, a business name) ends up in a
header, where a line break would let it add headers of its own (``Bcc:``...).
So every value is checked here before it reaches :mod:`email`, and refused with
a message the operator can act on.

The message is built deterministically from its inputs — Message-ID, Date and
multipart boundary included — so a retry after a failed delivery sends the very
same bytes, and the recipient's client can recognise a duplicate.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from deskpay.domain.errors import InvalidInput

MAX_ADDRESS_LENGTH = 254
"""RFC 5321's limit on a forward path, the longest address any server accepts."""
MAX_SUBJECT_LENGTH = 250
"""Longer subjects are cut by every client anyway; refusing them catches pasted text."""
MAX_HEADER_LENGTH = 998
"""RFC 5322's line limit; folding would hide a longer value but no header needs one."""

# Headers build_mime writes itself; an extra header may not replace them, and Bcc
# must never be written into a message (every recipient would see it).
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)

_HEADER_NAME = re.compile(r"^[!-9;-~]{1,76}$")  # printable ASCII without ":" (RFC 5322 ftext)
_MESSAGE_ID = re.compile(r"^<[!-;=?-~]+@[!-;=?-~]+>$")  # printable ASCII without "<", ">" or space
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SHOWN_LENGTH = 60


def validate_address(addr: str) -> str:
    """Check an address typed by the operator and return its normalized form.

    Syntax only (no DNS lookup). Surrounding spaces are dropped; line breaks,
    control or invisible characters, names with angle brackets, quoted local
    parts and IP-literal domains are refused with a message naming the address.
    """
    return _validated(addr).normalized


def check_header_value(name: str, value: str) -> str:
    """Return ``value`` unchanged if it is safe in the header ``name``, else refuse it.

    Refuses CR, LF, NUL and every other control character (and the Unicode line
    and paragraph separators), subjects over :data:`MAX_SUBJECT_LENGTH` and any
    value over :data:`MAX_HEADER_LENGTH` characters.
    """
    if not isinstance(value, str):
        raise TypeError(f"header {name!r} must be a str, not {type(value).__name__}")
    if any(_is_line_or_control(ch) for ch in value):
        raise InvalidInput("email.header_control", header=name)
    limit = MAX_SUBJECT_LENGTH if name.lower() == "subject" else MAX_HEADER_LENGTH
    if len(value) > limit:
        key = "email.subject_too_long" if name.lower() == "subject" else "email.header_too_long"
        raise InvalidInput(key, header=name, length=len(value), limit=limit)
    return value


def make_message_id(domain: str) -> str:
    """A new, unique ``<...@domain>`` Message-ID.

    Call it once per email and store the result with the email: resending with
    the stored id lets receiving servers and clients recognise a duplicate.
    """
    return make_msgid(domain=_ascii_domain(domain))


def build_mime(
    *,
    message_id: str,
    date: datetime,
    from_addr: str,
    from_name: str,
    to: str,
    to_name: str = "",
    reply_to: str | None = None,
    subject: str,
    text: str,
    html: str,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative (text, then HTML) UTF-8 message, ready for SMTP.

    Every address is validated and every header value checked; non-ASCII
    subjects and names are encoded (RFC 2047) by :data:`email.policy.SMTP`.
    The same arguments always give the same bytes (``msg.as_bytes()``): the
    boundary is derived from the content instead of drawn at random. An address
    with a non-ASCII local part switches to :data:`email.policy.SMTPUTF8`, and
    the mail server must then support SMTPUTF8.
    """
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("build_mime needs an aware datetime for the Date header")
    _check_message_id(message_id)
    sender = _validated(from_addr)
    recipient = _validated(to)
    answer_to = _validated(reply_to) if reply_to is not None else None
    check_header_value("From", from_name)
    check_header_value("To", to_name)
    check_header_value("Subject", subject)
    extra = _checked_extra_headers(headers or {})

    needs_utf8 = any(v.ascii_email is None for v in (sender, recipient, answer_to) if v is not None)
    msg = EmailMessage(policy=policy.SMTPUTF8 if needs_utf8 else policy.SMTP)
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date)
    msg["From"] = _address(from_name, sender)
    msg["To"] = _address(to_name, recipient)
    if answer_to is not None:
        msg["Reply-To"] = _address("", answer_to)
    msg["Subject"] = subject
    for name, value in extra:
        msg[name] = value
    # Quoted-printable keeps both parts 7-bit and readable, whatever the server's 8BITMIME support.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(_boundary(message_id, text, html))
    for part in msg.iter_parts():
        del part["MIME-Version"]  # set_content adds it to each part; it belongs on the top level only
    return msg


def _validated(addr: str | None) -> ValidatedEmail:
    if not isinstance(addr, str) or not addr.strip():
        raise InvalidInput("email.address_empty")
    shown = _shown(addr)
    if any(_is_line_or_control(ch) or unicodedata.category(ch) == "Cf" for ch in addr):
        raise InvalidInput("email.address_control", address=shown)
    candidate = addr.strip()
    if len(candidate) > MAX_ADDRESS_LENGTH:
        raise InvalidInput("email.address_too_long", address=shown, limit=MAX_ADDRESS_LENGTH)
    if "<" in candidate or ">" in candidate:
        raise InvalidInput("email.address_display_name", address=shown)
    try:
        return validate_email(
            candidate,
            check_deliverability=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_empty_local=False,
        )
    except EmailNotValidError as error:
        raise InvalidInput("email.address_invalid", address=shown) from error


def _address(display_name: str, validated: ValidatedEmail) -> Address:
    # The ASCII form (IDNA domain) goes everywhere; only a non-ASCII local part needs SMTPUTF8.
    # Built from its parts: parsing a non-ASCII local part back would be refused as a defect.
    return Address(
        display_name=display_name,
        username=validated.ascii_local_part or validated.local_part,
        domain=validated.ascii_domain or validated.domain,
    )


def _checked_extra_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    checked = []
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise InvalidInput("email.header_name_invalid", header=_shown(str(name)))
        if name.lower() in RESERVED_HEADERS:
            raise InvalidInput("email.header_reserved", header=name)
        checked.append((name, check_header_value(name, value)))
    return checked


def _check_message_id(message_id: str) -> None:
    if not isinstance(message_id, str) or not _MESSAGE_ID.match(message_id) or len(message_id) > MAX_HEADER_LENGTH:
        raise InvalidInput("email.message_id_invalid", message_id=_shown(str(message_id)))


def _ascii_domain(domain: str) -> str:
    shown = _shown(str(domain))
    candidate = domain.strip().rstrip(".") if isinstance(domain, str) else ""
    if not candidate or any(_is_line_or_control(ch) for ch in candidate):
        raise InvalidInput("email.domain_invalid", domain=shown)
    try:
        ascii_domain = candidate.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidInput("email.domain_invalid", domain=shown) from error
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or not all(_HOSTNAME_LABEL.match(label) for label in labels):
        raise InvalidInput("email.domain_invalid", domain=shown)
    return ascii_domain.lower()


def _boundary(message_id: str, text: str, html: str) -> str:
    # "=_" never occurs in quoted-printable output, so this cannot collide with a body line.
    digest = hashlib.sha256("\0".join((message_id, text, html)).encode("utf-8")).hexdigest()
    return f"=_deskpay_{digest[:40]}"


def _is_line_or_control(ch: str) -> bool:
    """CR, LF, NUL, TAB and every other control character, plus Unicode line/paragraph separators."""
    return unicodedata.category(ch) in {"Cc", "Zl", "Zp"}


def _shown(text: str) -> str:
    """The text as it may appear in an error: control characters made visible, length capped."""
    visible = "".join("�" if _is_line_or_control(ch) or unicodedata.category(ch) == "Cf" else ch for ch in text)
    return visible if len(visible) <= _SHOWN_LENGTH else visible[: _SHOWN_LENGTH - 1] + "…"
