"""Hostile input for the TUI's forms, and what a form may do with it.

The CLI suite (``tests/cli/test_hostile_input.py``) walks the whole catalogue;
the forms get what stresses a text field. Used by the hostile-form tests of
``tests/tui/booking/`` and ``tests/tui/new_booking/``.
"""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo

from tests.support.tui import rows

#: What a text field gets: empty, blank, a header injection, SQL, emoji, a bidi override, 10,000 characters, a NUL.
HOSTILE = [
    "",
    "   ",
    "12\r\nBcc: victim@example.com",
    "'; DROP TABLE booking; --",
    "💶💶 🛶",
    "\u202eevil",
    "x" * 10_000,
    "ab\x00cd",
]


#: What a numeric field gets on top: digits of other scripts, a negative, zero and a huge number.
NUMERIC_HOSTILE = [*HOSTILE, "١٢", "１２", "-5", "0", "9" * 400]
#: Right-to-left text that is a real name (HOSTILE has the bidi *override*, which is not).
RTL_TEXT = "مرحبا بكم"
#: More digits than Python's int() converts (4,300), and still what an integer Input lets the operator paste.
TOO_MANY_DIGITS = "9" * 10_000
PARIS = ZoneInfo("Europe/Paris")


def ascii_digits(value: str) -> str:
    """``value`` with the digits of any script written 0-9: what a lenient form may read it as."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value).strip()


def count_of(value: str, largest: int) -> int | None:
    """The whole number ``value`` stands for (digits of any script), if it is one from 1 to ``largest``."""
    text = ascii_digits(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 5 and 1 <= int(text) <= largest else None


def plain_line(text: str) -> bool:
    """Something a form may store as typed: one printable line (no control or bidi-override characters), short."""
    return text.isprintable() and len(text) <= 500


def clear_refusal(said: str) -> bool:
    """A refusal the operator can act on: something said, and not the line for a bug (an exception in a worker)."""
    return bool(said.strip()) and not said.startswith("Erreur inattendue")


def new_rows(desk, model, before: dict[str, list[tuple]]) -> list:
    known = {row[0] for row in before[model.__tablename__]}
    return [row for row in rows(desk, model) if row.id not in known]
