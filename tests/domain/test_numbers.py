"""Whole numbers read from text: exactly what int() can read, of a sane size; anything else is None."""

from __future__ import annotations

import pytest

from deskpay.domain.numbers import parse_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("١٢", 12),
        ("１２", 12),
        ("123456789", 123456789),
    ],
)
def test_reads_whole_numbers(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "text", [None, "", "  ", "-5", "+5", "1.5", "1 000", "²", "½", "12a", "9" * 10, "9" * 5_000, "1\n2", "\u202e12"]
)
def test_anything_else_is_none(text):
    assert parse_count(text) is None


def test_the_digit_limit_is_the_callers():
    assert parse_count("12345", max_digits=4) is None
    assert parse_count("1234", max_digits=4) == 1234
