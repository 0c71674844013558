"""Normalising what people type: search keys, names, phones, free text."""

from __future__ import annotations

import re
import unicodedata

from deskpay.domain.errors import InvalidInput
from deskpay.domain.i18n import Msg, has

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_PHONE = re.compile(r"^\+?[0-9 .\-()]+$")


# Ligatures have no Unicode decomposition: "Œuvray" must still match "oeuvray".
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def fold(text: str) -> str:
    """Lower-case and accent-free, for searching: ``Élodie`` matches ``elodie``, ``Œuvray`` ``oeuvray``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def digits(text: str) -> str:
    return "".join(c for c in text if "0" <= c <= "9")


def escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE … ESCAPE '\\'``: its ``%`` and ``_`` are not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_key(*parts: str | None) -> str:
    words = [fold(p) for p in parts if p]
    words += [digits(p) for p in parts if p and len(digits(p)) >= 6]
    return " ".join(words)


def _field(name: str) -> Msg | str:
    """The field's name in the reader's language (``Name`` → « Le nom »)."""
    key = f"field.{name.lower()}"
    return Msg(key) if has(key) else name


def clean_line(value: str | None, field: str, *, max_len: int, required: bool = False) -> str:
    """One line of text: trimmed, no control or bidi-override characters, bounded length."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput("text.required", field=_field(field))
    if len(text) > max_len:
        raise InvalidInput("text.too_long", field=_field(field), max=max_len)
    if _CONTROL.search(text) or "\n" in text or "\r" in text:
        raise InvalidInput("text.control_chars", field=_field(field))
    return text


def clean_block(value: str | None, field: str, *, max_len: int) -> str:
    """Several lines of free text (notes, the operator's message): line breaks kept, CRLF normalised."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_len:
        raise InvalidInput("text.too_long", field=_field(field), max=max_len)
    if _CONTROL_MULTILINE.search(text):
        raise InvalidInput("text.control_chars", field=_field(field))
    return text


def clean_phone(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > 30 or not _PHONE.match(text) or not 6 <= len(digits(text)) <= 20:
        raise InvalidInput("phone.invalid", phone=text[:30])
    return text
