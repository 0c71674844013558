"""Payment terms: the deposit a confirmation asks for, never more than can still be requested."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskpay.domain.errors import InvalidInput
from deskpay.domain.money import Money
from deskpay.domain.terms import PaymentTerms


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


@pytest.mark.parametrize(
    ("percent", "total", "deposit"),
    [
        (30, 10_000, 3_000),
        (30, 3_333, 1_000),  # 999.9 cents rounds up to 10.00
        (30, 1, 1),
        (33, 100, 33),
        (33, 101, 34),  # 33.33 cents rounds up
        (1, 99, 1),
        (100, 12_345, 12_345),
    ],
)
def test_percent_deposit_rounds_up_to_the_cent(percent, total, deposit):
    assert PaymentTerms("deposit_percent", percent=percent).deposit_of(eur(total)) == eur(deposit)


def test_fixed_deposit_is_capped_at_the_total():
    terms = PaymentTerms("deposit_fixed", fixed_minor=5_000)
    assert terms.deposit_of(eur(19_000)) == eur(5_000)
    assert terms.deposit_of(eur(3_800)) == eur(3_800)


def test_full_terms_ask_everything():
    assert PaymentTerms("full").deposit_of(eur(7_700)) == eur(7_700)
    assert not PaymentTerms("full").has_deposit
    assert PaymentTerms("deposit_percent", percent=30).has_deposit


@pytest.mark.parametrize(
    ("mode", "paid", "requestable", "asked"),
    [
        ("deposit", 0, 10_000, 3_000),
        ("deposit", 1_000, 9_000, 2_000),  # what is missing of the deposit
        ("deposit", 3_000, 7_000, 0),  # deposit already paid: nothing to ask
        ("deposit", 5_000, 5_000, 0),
        ("deposit", 0, 2_500, 2_500),  # an open link holds the rest: capped by requestable
        ("full", 0, 10_000, 10_000),
        ("full", 3_000, 7_000, 7_000),
        ("full", 3_000, 4_000, 4_000),
        ("full", 10_000, 0, 0),
        ("full", 12_000, 0, 0),  # overpaid: never negative
        ("none", 0, 10_000, 0),
    ],
)
def test_confirmation_amount(mode, paid, requestable, asked):
    terms = PaymentTerms("deposit_percent", percent=30)
    assert terms.confirmation_amount(mode, eur(10_000), eur(paid), eur(requestable)) == eur(asked)


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(1, 10**9),
    paid=st.integers(0, 10**9),
    pending=st.integers(0, 10**9),
    percent=st.integers(1, 100),
    fixed=st.integers(1, 10**9),
    kind=st.sampled_from(["full", "deposit_percent", "deposit_fixed"]),
    mode=st.sampled_from(["deposit", "full", "none"]),
)
def test_confirmation_never_asks_more_than_requestable(total, paid, pending, percent, fixed, kind, mode):
    terms = PaymentTerms(kind, percent=percent, fixed_minor=fixed)
    requestable = max(total - paid - pending, 0)
    asked = terms.confirmation_amount(mode, eur(total), eur(paid), eur(requestable))
    assert 0 <= asked.minor <= requestable
    assert asked.minor <= max(total - paid, 0)
    deposit = terms.deposit_of(eur(total))
    assert 0 < deposit.minor <= total


@pytest.mark.parametrize("percent", [0, -5, 101])
def test_bad_percent_is_refused(percent):
    with pytest.raises(InvalidInput) as caught:
        PaymentTerms("deposit_percent", percent=percent)
    assert caught.value.text("en") == "A deposit percentage is between 1 and 100."
    assert caught.value.text("fr") == "Un pourcentage d'acompte est compris entre 1 et 100."


def test_unknown_kind_is_refused():
    with pytest.raises(InvalidInput) as caught:
        PaymentTerms("half")  # type: ignore[arg-type]
    assert caught.value.text("en") == "Unknown payment terms “half”: use full, deposit_percent or deposit_fixed."


@pytest.mark.parametrize(
    ("mapping", "terms"),
    [
        ({"kind": "full"}, PaymentTerms("full")),
        ({}, PaymentTerms("full")),
        ({"kind": "deposit_percent", "percent": 30}, PaymentTerms("deposit_percent", percent=30)),
        ({"kind": "deposit_percent", "percent": "25"}, PaymentTerms("deposit_percent", percent=25)),
        ({"kind": "deposit_fixed", "amount": "50.00"}, PaymentTerms("deposit_fixed", fixed_minor=5_000)),
        ({"kind": "deposit_fixed", "amount": "49,90"}, PaymentTerms("deposit_fixed", fixed_minor=4_990)),
    ],
)
def test_from_mapping_and_back(mapping, terms):
    assert PaymentTerms.from_mapping(mapping, "EUR") == terms
    assert PaymentTerms.from_mapping(terms.to_mapping("EUR"), "EUR") == terms


def test_to_mapping_writes_amounts_as_strings():
    assert PaymentTerms("deposit_fixed", fixed_minor=5_000).to_mapping("EUR") == {
        "kind": "deposit_fixed",
        "amount": "50.00",
    }


@pytest.mark.parametrize(
    ("mapping", "key"),
    [
        ({"kind": "deposit_fixed", "amount": "abc"}, "amount.not_a_number"),
        ({"kind": "deposit_fixed"}, "amount.empty"),
        ({"kind": "deposit_fixed", "amount": "0"}, "amount.zero"),
        ({"kind": "deposit_percent"}, "terms.bad_percent"),
        ({"kind": "deposit_percent", "percent": "trente"}, "terms.bad_percent"),
        ({"kind": "deposit_percent", "percent": 30.5}, "terms.bad_percent"),
        ({"kind": "deposit_percent", "percent": True}, "terms.bad_percent"),
        ({"kind": "half"}, "terms.bad_kind"),
    ],
)
def test_bad_mapping_is_a_clear_refusal(mapping, key):
    with pytest.raises(InvalidInput) as caught:
        PaymentTerms.from_mapping(mapping, "EUR")
    assert caught.value.key == key
