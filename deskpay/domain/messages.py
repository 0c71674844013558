"""The operator-facing sentences, in English and French, keyed by a stable id.

Modules add their own sentences with :func:`register`; a key with no entry is
shown as is, so a missing translation degrades to something readable.
"""

from __future__ import annotations

from collections.abc import Mapping
import unicodedata
from typing import Any

_CATALOGUE: dict[str, dict[str, str]] = {}


def register(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``{key: {"en": ..., "fr": ...}}`` entries; a key registered twice must agree."""
    for key, texts in entries.items():
        if key in _CATALOGUE and _CATALOGUE[key] != dict(texts):
            raise ValueError(f"message {key!r} registered twice with different texts")
        _CATALOGUE[key] = dict(texts)


_INVISIBLE = {"\r": "\\r", "\n": "\\n", "\t": " ", "\x00": "\\0"}
_MAX_ECHO = 80


def visible_echo(text: str) -> str:
    """Typed text as one visible line: control and bidi-override characters escaped, long input cut."""
    out = []
    for char in text[: _MAX_ECHO + 1]:
        if char in _INVISIBLE:
            out.append(_INVISIBLE[char])
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp") or 0x202A <= ord(char) <= 0x202E \
                or 0x2066 <= ord(char) <= 0x2069 or char in "\u200e\u200f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    shown = "".join(out)
    return shown if len(text) <= _MAX_ECHO else shown[:_MAX_ECHO] + "…"


def render_message(key: str, lang: str, params: Mapping[str, Any]) -> str:
    texts = _CATALOGUE.get(key)
    if texts is None:
        return key
    template = texts.get(lang) or texts["en"]
    # Amounts travel as Money and are written out in the reader's language; echoed
    # input is made one visible line, so a message never spans lines or hides text.
    shown = {k: (v.format(lang) if hasattr(v, "currency") and hasattr(v, "minor")
                 else visible_echo(v) if isinstance(v, str) else v) for k, v in params.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return template


register(
    {
        "amount.empty": {"en": "Enter an amount.", "fr": "Saisissez un montant."},
        "amount.too_long": {"en": "That amount is too long.", "fr": "Ce montant est trop long."},
        "amount.not_a_number": {
            "en": "“{text}” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "fr": "« {text} » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        },
        "amount.negative": {"en": "The amount cannot be negative.", "fr": "Le montant ne peut pas être négatif."},
        "amount.zero": {"en": "The amount must be more than zero.", "fr": "Le montant doit être supérieur à zéro."},
        "amount.too_many_decimals": {
            "en": "{currency} amounts have at most {digits} decimal(s).",
            "fr": "Les montants en {currency} ont au plus {digits} décimale(s).",
        },
        "amount.ambiguous": {
            "en": "“{text}” is ambiguous: write {plain} or use two decimals.",
            "fr": "« {text} » est ambigu : écrivez {plain} ou indiquez deux décimales.",
        },
        "amount.wrong_currency": {
            "en": "That amount is in {given}; this booking is in {currency}.",
            "fr": "Ce montant est en {given} ; cette réservation est en {currency}.",
        },
        "amount.above_ceiling": {
            "en": "The amount is above the limit of {ceiling}.",
            "fr": "Le montant dépasse la limite de {ceiling}.",
        },
        "amount.currency_mismatch": {
            "en": "Cannot combine {a} and {b} amounts.",
            "fr": "Impossible de combiner des montants en {a} et en {b}.",
        },
        "currency.unknown": {"en": "Unknown currency “{code}”.", "fr": "Devise inconnue « {code} »."},
    }
)
