"""Money as integer minor units with an ISO 4217 currency; parsing what operators type.

Floats never hold an amount. Parsing accepts the French and English ways of
writing an amount and refuses anything it cannot read without guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache

from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
)

from deskpay.domain.errors import InvalidInput

DEFAULT_CEILING_MINOR = 10_000_000  # 100,000.00 in a two-decimal currency
_MAX_INPUT_LENGTH = 40
_BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@lru_cache(maxsize=64)
def currency_digits(currency: str) -> int:
    """Decimal places of a currency (2 for EUR, 0 for JPY), from CLDR via babel."""
    if currency not in _known_currencies():
        raise InvalidInput("currency.unknown", code=currency)
    return get_currency_precision(currency)


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def babel_locale(lang: str) -> str:
    return _BABEL_LOCALES.get(lang, lang)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (cents) of ``currency``."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise InvalidInput("amount.currency_mismatch", a=self.currency, b=other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def clamp_min_zero(self) -> Money:
        return self if self.minor >= 0 else Money.zero(self.currency)

    def as_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-currency_digits(self.currency))

    def format(self, lang: str = "en") -> str:
        """``1 234,50 €`` in French, ``€1,234.50`` in English.

        Any size is written out: the default 28-digit decimal context would make
        babel fail on an absurd amount someone typed, before it is refused.
        """
        with localcontext() as context:
            context.prec = max(context.prec, len(str(abs(self.minor))) + 4)
            return format_currency(self.as_decimal(), self.currency, locale=babel_locale(lang))

    def plain(self) -> str:
        """Digits only, dot decimal (``1234.50``): for inputs pre-filled with an amount."""
        return f"{self.as_decimal():f}"

    def to_json(self) -> dict[str, int | str]:
        return {"amount": self.minor, "currency": self.currency}


# Symbols and codes an operator may type around an amount.
# A code is a word of its own: "xxxxx" is not an amount in XXX, nor "eurostar" one in EUR.
_CURRENCY_WORD = re.compile(r"^(?P<code>[A-Za-z]{3})(?![A-Za-z])\s*|\s*(?<![A-Za-z])(?P<code2>[A-Za-z]{3})$")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF", "Fr.": "CHF"}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"^[0-9.,]+$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{3})*$")


def parse_amount(text: str, currency: str, *, ceiling_minor: int = DEFAULT_CEILING_MINOR) -> Money:
    """Read an amount typed in French or English form; refuse what cannot be read for sure."""
    digits = currency_digits(currency)
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("amount.empty")
    if len(raw) > _MAX_INPUT_LENGTH:
        raise InvalidInput("amount.too_long")
    body = _strip_currency(raw, currency)
    body = _SPACES.sub("", body)
    negative = body.startswith(("-", "−")) or body.endswith("-")
    body = body.strip("-−").lstrip("+")
    # A number first: "'; DROP TABLE booking; --" is not a negative amount, it is no amount at all.
    if not body or not _NUMBER.match(body) or not any(c.isdigit() for c in body):
        raise InvalidInput("amount.not_a_number", text=_shorten(raw))
    if negative:
        raise InvalidInput("amount.negative")
    units, fraction = _split_decimal(body, raw, digits)
    if len(fraction) > digits:
        raise InvalidInput("amount.too_many_decimals", currency=currency, digits=digits)
    minor = int(units or "0") * 10**digits + int((fraction or "0").ljust(digits, "0") or "0")
    if minor == 0:
        raise InvalidInput("amount.zero")
    if minor > ceiling_minor:
        raise InvalidInput("amount.above_ceiling", ceiling=Money(ceiling_minor, currency))
    return Money(minor, currency)


def _shorten(text: str) -> str:
    return text if len(text) <= 20 else text[:19] + "…"


@lru_cache(maxsize=64)
def _own_symbols(currency: str) -> tuple[str, ...]:
    """The symbols :meth:`Money.format` writes for ``currency`` (``US$``, ``$US``, ``£GB``, ``JP¥``), longest first."""
    symbols = {get_currency_symbol(currency, locale) for locale in _BABEL_LOCALES.values()}
    return tuple(sorted(symbols, key=len, reverse=True))


def _strip_currency(raw: str, currency: str) -> str:
    body = raw
    # What we print must read back: the currency's own locale symbols come first,
    # before the bare "$"/"£"/"¥" below would leave "US"/"GB"/"JP" behind.
    own = next((symbol for symbol in _own_symbols(currency) if symbol in body), None)
    if own:
        body = body.replace(own, "", 1)
    else:
        for symbol, code in _SYMBOLS.items():
            if symbol in body:
                if code != currency and not (symbol == "$" and get_currency_symbol(currency, "en_US").endswith("$")):
                    raise InvalidInput("amount.wrong_currency", given=code, currency=currency)
                body = body.replace(symbol, "", 1)
                break
    match = _CURRENCY_WORD.search(body.strip())
    if match:
        code = (match.group("code") or match.group("code2")).upper()
        if code in _known_currencies():
            if code != currency:
                raise InvalidInput("amount.wrong_currency", given=code, currency=currency)
            body = _CURRENCY_WORD.sub("", body.strip(), count=1)
    return body.strip()


def _split_decimal(body: str, raw: str, digits: int) -> tuple[str, str]:
    """Return (units, fraction) digits, deciding which of ``,`` and ``.`` is the decimal mark."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        units, _, fraction = body.rpartition(decimal_mark)
        if group_mark in fraction or not _GROUPED.match(units.replace(group_mark, ",")):
            raise InvalidInput("amount.not_a_number", text=_shorten(raw))
        return units.replace(group_mark, ""), fraction
    mark = "," if commas else "." if dots else None
    if mark is None:
        return body, ""
    if body.count(mark) > 1:
        if not _GROUPED.match(body):
            raise InvalidInput("amount.not_a_number", text=_shorten(raw))
        return body.replace(mark, ""), ""
    units, _, fraction = body.partition(mark)
    if not units and not fraction:
        raise InvalidInput("amount.not_a_number", text=_shorten(raw))
    # "1.234" may be a thousands group; "0.005" cannot (no group starts with 0): that is three decimals.
    if len(fraction) == 3 and units and not units.startswith("0") and digits != 3:
        if digits == 0 and _GROUPED.match(body):
            return units + fraction, ""
        raise InvalidInput("amount.ambiguous", text=_shorten(raw), plain=units + fraction)
    return units, fraction
