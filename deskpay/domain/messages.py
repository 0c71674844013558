"""The operator-facing sentences, in English and French, keyed by a stable id.

Modules add their own sentences with :func:`register`; a key with no entry is
shown as is, so a missing translation degrades to something readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_CATALOGUE: dict[str, dict[str, str]] = {}


def register(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``{key: {"en": ..., "fr": ...}}`` entries; a key registered twice must agree."""
    for key, texts in entries.items():
        if key in _CATALOGUE and _CATALOGUE[key] != dict(texts):
            raise ValueError(f"message {key!r} registered twice with different texts")
        _CATALOGUE[key] = dict(texts)


def render_message(key: str, lang: str, params: Mapping[str, Any]) -> str:
    texts = _CATALOGUE.get(key)
    if texts is None:
        return key
    template = texts.get(lang) or texts["en"]
    # Amounts travel as Money and are written out in the reader's language.
    shown = {k: (v.format(lang) if hasattr(v, "currency") and hasattr(v, "minor") else v) for k, v in params.items()}
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
