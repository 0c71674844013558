"""Whole numbers that arrive as text (a share count, a form's timestamp, a port): read only what surely is one."""

from __future__ import annotations


def parse_count(text: str | None, *, max_digits: int = 9) -> int | None:
    """``"12"`` → 12, ``"١٢"`` → 12; None for anything else, including more than ``max_digits`` digits.

    ``str.isdigit`` lets "²" through, which ``int()`` then refuses, and ``int()``
    refuses more than 4,300 digits: both once crashed a form or a web handler
    fed hostile text. ``isdecimal`` is exactly what ``int()`` reads.
    """
    text = (text or "").strip()
    if not text or len(text) > max_digits or not text.isdecimal():
        return None
    return int(text)
