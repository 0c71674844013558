"""Money: reading what operators type (French and English), refusing the rest clearly, writing amounts back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskpay.domain.errors import DeskpayError, InvalidInput
from deskpay.domain.money import (
    DEFAULT_CEILING_MINOR,
    Money,
    currency_digits,
    parse_amount,
)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("typed", "minor"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("12", 1200),
        ("12,5", 1250),
        ("0,01", 1),
        (".5", 50),
        ("5.", 500),
        ("+5", 500),
        ("1 234,50", 123450),
        ("1,234.50", 123450),
        ("1.234,50", 123450),
        ("1'234.50", 123450),
        ("1 000 000", 100_000_000),
        ("12,5 €", 1250),
        ("12,50€", 1250),
        ("€12.50", 1250),
        ("€ 12", 1200),
        ("EUR 12.50", 1250),
        ("eur 12.50", 1250),
        ("12 EUR", 1200),
        ("  12,50  ", 1250),
        (f"1{NNBSP}234,50", 123450),
        (f"1{NBSP}234,50{NBSP}€", 123450),
        (f"1{NNBSP}234,50{NBSP}€", 123450),
        ("1\u2009234,50", 123450),
        ("100000,00", DEFAULT_CEILING_MINOR),
    ],
)
def test_reads_french_and_english_forms(typed, minor):
    assert parse_amount(typed, "EUR", ceiling_minor=10**12) == Money(minor, "EUR")


@pytest.mark.parametrize(
    ("currency", "typed", "minor"),
    [
        ("USD", "$12.50", 1250),
        ("USD", "US$12.50", 1250),
        ("USD", "12,50 $US", 1250),
        ("GBP", "£12.50", 1250),
        ("GBP", "12,50 £GB", 1250),
        ("CHF", "CHF 12.50", 1250),
        ("CHF", "Fr. 12.50", 1250),
        ("JPY", "¥1234", 1234),
        ("JPY", "JP¥1,234", 1234),
        ("JPY", "1 234 JPY", 1234),
        ("JPY", "1,234", 1234),
    ],
)
def test_reads_other_currencies(currency, typed, minor):
    assert parse_amount(typed, currency) == Money(minor, currency)


def _refusal(typed: str, currency: str = "EUR", **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(typed, currency, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("typed", "key", "en", "fr"),
    [
        ("", "amount.empty", "Enter an amount.", "Saisissez un montant."),
        ("   ", "amount.empty", "Enter an amount.", "Saisissez un montant."),
        (NNBSP, "amount.empty", "Enter an amount.", "Saisissez un montant."),
        (
            "abc",
            "amount.not_a_number",
            "“abc” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« abc » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        (
            "12e3",
            "amount.not_a_number",
            "“12e3” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« 12e3 » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        (
            "12.5.3",
            "amount.not_a_number",
            "“12.5.3” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« 12.5.3 » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        (
            "€",
            "amount.not_a_number",
            "“€” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« € » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        ("-12", "amount.negative", "The amount cannot be negative.", "Le montant ne peut pas être négatif."),
        ("−12,50", "amount.negative", "The amount cannot be negative.", "Le montant ne peut pas être négatif."),
        ("12-", "amount.negative", "The amount cannot be negative.", "Le montant ne peut pas être négatif."),
        ("- 5 €", "amount.negative", "The amount cannot be negative.", "Le montant ne peut pas être négatif."),
        # A number first: text that merely ends in a dash is no amount, not a negative one.
        (
            "1; --",
            "amount.not_a_number",
            "“1; --” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« 1; -- » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        (
            "-",
            "amount.not_a_number",
            "“-” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« - » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        ("0", "amount.zero", "The amount must be more than zero.", "Le montant doit être supérieur à zéro."),
        ("0,00 €", "amount.zero", "The amount must be more than zero.", "Le montant doit être supérieur à zéro."),
        (
            "12,505",
            "amount.ambiguous",
            "“12,505” is ambiguous: write 12505 or use two decimals.",
            "« 12,505 » est ambigu : écrivez 12505 ou indiquez deux décimales.",
        ),
        (
            "1.2345",
            "amount.too_many_decimals",
            "EUR amounts have at most 2 decimal(s).",
            "Les montants en EUR ont au plus 2 décimale(s).",
        ),
        (
            "0,005",
            "amount.too_many_decimals",
            "EUR amounts have at most 2 decimal(s).",
            "Les montants en EUR ont au plus 2 décimale(s).",
        ),
        (
            "0.001",
            "amount.too_many_decimals",
            "EUR amounts have at most 2 decimal(s).",
            "Les montants en EUR ont au plus 2 décimale(s).",
        ),
        (
            "100000.01",
            "amount.above_ceiling",
            "The amount is above the limit of €100,000.00.",
            f"Le montant dépasse la limite de 100{NNBSP}000,00{NBSP}€.",
        ),
        (
            "100 000,01 €",
            "amount.above_ceiling",
            "The amount is above the limit of €100,000.00.",
            f"Le montant dépasse la limite de 100{NNBSP}000,00{NBSP}€.",
        ),
        (
            "$12",
            "amount.wrong_currency",
            "That amount is in USD; this booking is in EUR.",
            "Ce montant est en USD ; cette réservation est en EUR.",
        ),
        (
            "12 CHF",
            "amount.wrong_currency",
            "That amount is in CHF; this booking is in EUR.",
            "Ce montant est en CHF ; cette réservation est en EUR.",
        ),
        (
            "£GB 3",
            "amount.wrong_currency",
            "That amount is in GBP; this booking is in EUR.",
            "Ce montant est en GBP ; cette réservation est en EUR.",
        ),
        (
            "usd 12",
            "amount.wrong_currency",
            "That amount is in USD; this booking is in EUR.",
            "Ce montant est en USD ; cette réservation est en EUR.",
        ),
        (
            "１２",
            "amount.not_a_number",
            "“１２” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« １２ » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        (
            "١٢",
            "amount.not_a_number",
            "“١٢” is not an amount. Type digits, e.g. 12.50 or 12,50.",
            "« ١٢ » n'est pas un montant. Saisissez des chiffres, par ex. 12,50.",
        ),
        ("9" * 41, "amount.too_long", "That amount is too long.", "Ce montant est trop long."),
    ],
)
def test_refusals_say_why_in_both_languages(typed, key, en, fr):
    error = _refusal(typed)
    assert error.key == key
    assert error.text("en") == en
    assert error.text("fr") == fr
    assert str(error) == en


def test_none_is_an_empty_amount():
    assert _refusal(None).key == "amount.empty"


def test_long_rejected_text_is_shortened_in_the_message():
    error = _refusal("x" * 30)
    assert error.text("en") == "“" + "x" * 19 + "…” is not an amount. Type digits, e.g. 12.50 or 12,50."


def test_huge_inputs_are_refused_without_work():
    assert _refusal("9" * 39).key == "amount.above_ceiling"  # fits the length limit, not the ceiling
    assert _refusal("1" * 10_000).key == "amount.too_long"
    assert _refusal("1,0" * 100_000).key == "amount.too_long"


@pytest.mark.parametrize(("currency", "digits"), [("EUR", 2), ("USD", 2), ("CHF", 2), ("GBP", 2), ("JPY", 0)])
def test_decimals_per_currency(currency, digits):
    assert currency_digits(currency) == digits
    one_more = "1." + "1" * (digits + 2) if digits else "12.5"  # three decimals would be ambiguous with a group
    error = _refusal(one_more, currency)
    assert error.key == "amount.too_many_decimals"
    assert error.params == {"currency": currency, "digits": digits}
    assert error.text("en") == f"{currency} amounts have at most {digits} decimal(s)."
    assert error.text("fr") == f"Les montants en {currency} ont au plus {digits} décimale(s)."


def test_jpy_has_no_minor_unit():
    assert parse_amount("1 234", "JPY") == Money(1234, "JPY")
    assert _refusal("12,50", "JPY").key == "amount.too_many_decimals"


def test_unknown_currency_is_refused():
    with pytest.raises(InvalidInput) as caught:
        parse_amount("12", "XQZ")
    assert caught.value.text("en") == "Unknown currency “XQZ”."
    assert caught.value.text("fr") == "Devise inconnue « XQZ »."


def test_ceiling_is_configurable():
    assert parse_amount("500", "EUR", ceiling_minor=50_000) == Money(50_000, "EUR")
    error = _refusal("500,01", ceiling_minor=50_000)
    assert error.key == "amount.above_ceiling"
    assert error.text("en") == "The amount is above the limit of €500.00."
    assert error.text("fr") == f"Le montant dépasse la limite de 500,00{NBSP}€."


def test_default_ceiling_is_one_hundred_thousand():
    assert DEFAULT_CEILING_MINOR == 10_000_000
    assert parse_amount("100 000", "EUR") == Money(10_000_000, "EUR")
    assert _refusal("100000,01").key == "amount.above_ceiling"


@pytest.mark.parametrize(
    ("minor", "currency", "fr", "en"),
    [
        (123450, "EUR", f"1{NNBSP}234,50{NBSP}€", "€1,234.50"),
        (1, "EUR", f"0,01{NBSP}€", "€0.01"),
        (10_000_000, "EUR", f"100{NNBSP}000,00{NBSP}€", "€100,000.00"),
        (1250, "CHF", f"12,50{NBSP}CHF", "CHF12.50"),
        (1250, "GBP", f"12,50{NBSP}£GB", "£12.50"),
        (1250, "USD", f"12,50{NBSP}$US", "US$12.50"),
        (1234, "JPY", f"1{NNBSP}234{NBSP}JPY", "JP¥1,234"),
    ],
)
def test_format_uses_babel_spaces(minor, currency, fr, en):
    assert Money(minor, currency).format("fr") == fr
    assert Money(minor, currency).format("en") == en


def test_plain_and_json():
    assert Money(123450, "EUR").plain() == "1234.50"
    assert Money(5, "EUR").plain() == "0.05"
    assert Money(1234, "JPY").plain() == "1234"
    assert Money(123450, "EUR").to_json() == {"amount": 123450, "currency": "EUR"}


def test_money_holds_only_integers():
    with pytest.raises(TypeError):
        Money(12.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "EUR")  # type: ignore[arg-type]


def test_money_refuses_to_mix_currencies():
    with pytest.raises(InvalidInput) as caught:
        Money(100, "EUR") + Money(100, "USD")
    assert caught.value.text("en") == "Cannot combine EUR and USD amounts."
    with pytest.raises(InvalidInput):
        _ = Money(100, "EUR") < Money(100, "USD")
    with pytest.raises(TypeError):
        Money(100, "EUR") + 1  # type: ignore[operator]


def test_money_arithmetic():
    assert Money(300, "EUR") - Money(500, "EUR") == Money(-200, "EUR")
    assert (Money(300, "EUR") - Money(500, "EUR")).clamp_min_zero() == Money(0, "EUR")
    assert -Money(3, "EUR") == Money(-3, "EUR")
    assert not Money.zero("EUR")
    assert Money(1, "EUR") > Money(0, "EUR") and Money(1, "EUR") >= Money(1, "EUR")


# --- properties ------------------------------------------------------------------------------------------

CURRENCIES = st.sampled_from(["EUR", "USD", "CHF", "GBP", "JPY"])
LANGS = st.sampled_from(["fr", "en"])


@settings(max_examples=300, deadline=None)
@given(minor=st.integers(min_value=1, max_value=10**13), currency=CURRENCIES, lang=LANGS)
def test_what_we_write_reads_back(minor, currency, lang):
    money = Money(minor, currency)
    assert parse_amount(money.format(lang), currency, ceiling_minor=10**13) == money


@settings(max_examples=300, deadline=None)
@given(minor=st.integers(min_value=1, max_value=DEFAULT_CEILING_MINOR))
def test_plain_forms_read_back(minor):
    money = Money(minor, "EUR")
    units, cents = divmod(minor, 100)
    french_units = f"{units:,}".replace(",", " ")
    forms = [money.plain(), f"{units},{cents:02d}", f"{units:,}.{cents:02d}", f"{french_units},{cents:02d}"]
    for form in forms:
        assert parse_amount(form, "EUR") == money, form


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=45), currency=CURRENCIES)
def test_parse_returns_a_positive_amount_or_a_clear_refusal(text, currency):
    try:
        money = parse_amount(text, currency)
    except DeskpayError as error:
        assert error.text("en") != error.key  # a sentence, not a bare key
        assert error.text("fr") != error.key
        return
    assert money.minor > 0
    assert money.minor <= DEFAULT_CEILING_MINOR
    assert money.currency == currency


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789.,  €-+", max_size=20))
def test_parse_of_digit_soup_never_returns_a_non_positive_amount(text):
    try:
        money = parse_amount(text, "EUR")
    except InvalidInput:
        return
    assert 0 < money.minor <= DEFAULT_CEILING_MINOR


def test_an_absurd_amount_is_still_written_out():
    """What someone typed is shown before it is refused: 40 digits must not break the formatting."""
    assert Money(10**40, "EUR").format("en") == "€" + f"{10**38:,}" + ".00"
