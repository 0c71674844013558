"""The one French/English catalogue: every sentence and label deskpay shows, whoever shows it.

The entries live in :mod:`deskpay.domain.catalogue`, one module per area
(money, bookings, links, the desk's screens, the checkout page…), each key
with its French and its English text. Everything reads them through
:func:`text`: the domain's refusals, the services, the TUI's labels and key
descriptions, the CLI and the checkout page. A key missing from the
catalogue is shown as the key itself, so a slip degrades to something
readable; a test fails on it first.

Parameters are written in the reader's language too: a :class:`Money` as an
amount of that language, anything with a ``localized(lang)`` method (a
status, a :class:`Msg`) in that language, and typed text as one visible line
(:func:`visible_echo`), so a refusal never spans lines or hides characters.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, NamedTuple, Protocol, runtime_checkable

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "en")
DEFAULT_LANG: Lang = "fr"

AREAS = ("money", "bookings", "links", "payments", "providers", "emails", "system", "cli", "checkout", "desk", "keys")
"""The catalogue's modules, in :mod:`deskpay.domain.catalogue`."""


class T(NamedTuple):
    """One entry: the same sentence in French and in English (``{name}`` placeholders in both)."""

    fr: str
    en: str

    def of(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@runtime_checkable
class Localized(Protocol):
    """A value that knows how to say itself in a language (a status, a :class:`Msg`)."""

    def localized(self, lang: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Msg:
    """A catalogue sentence to be written later, in the reader's language (a field name inside a refusal)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def localized(self, lang: str) -> str:
        return text(self.key, lang, **self.params)


def language(value: str | None, default: Lang = DEFAULT_LANG) -> Lang:
    """``value`` if it is one of :data:`LANGUAGES`, else ``default``."""
    return "fr" if value == "fr" else "en" if value == "en" else default


@lru_cache(maxsize=1)
def catalogue() -> Mapping[str, T]:
    """Every entry of every area; a key defined in two areas is a mistake, refused here."""
    merged: dict[str, T] = {}
    for area in AREAS:
        entries: Mapping[str, T] = importlib.import_module(f"deskpay.domain.catalogue.{area}").ENTRIES
        for key, entry in entries.items():
            if key in merged and merged[key] != entry:
                raise ValueError(f"catalogue key {key!r} is defined twice with different texts ({area})")
            merged[key] = entry
    return merged


def has(key: str) -> bool:
    return key in catalogue()


def text(key: str, lang: str, /, **params: Any) -> str:
    """The entry ``key`` in ``lang``, its placeholders filled in that language; ``key`` itself if unknown."""
    entry = catalogue().get(key)
    if entry is None:
        return key
    template = entry.of(lang)
    if not params:
        return template
    try:
        return template.format(**{name: _shown(value, lang) for name, value in params.items()})
    except (KeyError, IndexError, ValueError):
        return template


def _shown(value: Any, lang: str) -> Any:
    if hasattr(value, "currency") and hasattr(value, "minor") and hasattr(value, "format"):
        return value.format(lang)  # Money, without importing it here
    if isinstance(value, Localized):
        return value.localized(lang)
    if isinstance(value, str):
        return visible_echo(value)
    return value


class Section:
    """The entries under one prefix, for a screen that reads many of them: ``LABELS("title", lang)``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix if prefix.endswith(".") else prefix + "."

    def __call__(self, key: str, lang: str, /, **params: Any) -> str:
        return text(self.prefix + key, lang, **params)

    def __contains__(self, key: str) -> bool:
        return has(self.prefix + key)

    def as_dict(self, lang: str) -> dict[str, str]:
        """The section's entries in ``lang``, keyed without the prefix (for a template)."""
        start = len(self.prefix)
        return {key[start:]: entry.of(lang) for key, entry in catalogue().items() if key.startswith(self.prefix)}


_INVISIBLE = {"\r": "\\r", "\n": "\\n", "\t": " ", "\x00": "\\0"}
_MAX_ECHO = 80


def visible_echo(value: str) -> str:
    """Typed text as one visible line: control and bidi-override characters escaped, long input cut."""
    out = []
    for char in value[: _MAX_ECHO + 1]:
        if char in _INVISIBLE:
            out.append(_INVISIBLE[char])
        elif (
            unicodedata.category(char) in ("Cc", "Zl", "Zp")
            or 0x202A <= ord(char) <= 0x202E
            or 0x2066 <= ord(char) <= 0x2069
            or char in "\u200e\u200f"
        ):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    shown = "".join(out)
    return shown if len(value) <= _MAX_ECHO else shown[:_MAX_ECHO] + "…"
