"""Splitting a booking's amount into payment links: exact shares, remainders first, clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.money import Money
from deskpay.domain.split import MAX_SHARES, SplitPlan, equal_shares, plan_split


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def test_hundred_in_three_puts_the_extra_cent_first():
    assert equal_shares(eur(10_000), 3) == (eur(3_334), eur(3_333), eur(3_333))


def test_remainder_cents_go_to_the_first_shares():
    assert equal_shares(eur(1_002), 4) == (eur(251), eur(251), eur(250), eur(250))


def test_one_share_is_the_whole_amount():
    assert equal_shares(eur(4_999), 1) == (eur(4_999),)


@settings(max_examples=400, deadline=None)
@given(minor=st.integers(min_value=1, max_value=10**12), parts=st.integers(min_value=1, max_value=MAX_SHARES))
def test_equal_shares_sum_exactly_and_differ_by_at_most_one_cent(minor, parts):
    if minor < parts:
        with pytest.raises(InvalidInput) as caught:
            equal_shares(eur(minor), parts)
        assert caught.value.key == "split.zero_share"
        return
    shares = equal_shares(eur(minor), parts)
    assert len(shares) == parts
    assert sum(s.minor for s in shares) == minor
    assert max(s.minor for s in shares) - min(s.minor for s in shares) <= 1
    assert all(s.currency == "EUR" and s.minor > 0 for s in shares)
    # The larger shares come first: the sequence never goes up.
    assert [s.minor for s in shares] == sorted((s.minor for s in shares), reverse=True)


@settings(max_examples=200, deadline=None)
@given(requestable=st.integers(min_value=1, max_value=10**9), parts=st.integers(min_value=1, max_value=MAX_SHARES))
def test_plan_defaults_to_everything_requestable(requestable, parts):
    if requestable < parts:
        return
    plan = plan_split(eur(requestable), parts=parts)
    assert plan.total == eur(requestable)
    assert len(plan) == parts


def test_plan_of_a_chosen_amount():
    plan = plan_split(eur(20_000), parts=2, amount=eur(5_001))
    assert plan.shares == (eur(2_501), eur(2_500))
    assert plan.total == eur(5_001)


def test_custom_amounts_are_kept_as_given():
    plan = plan_split(eur(10_000), amounts=[eur(5_000), eur(2_550), eur(2_450)])
    assert plan == SplitPlan((eur(5_000), eur(2_550), eur(2_450)))
    assert plan.total == eur(10_000)


@pytest.mark.parametrize("parts", [0, -1, 51, 1_000, None])
def test_share_count_outside_one_to_fifty_is_refused(parts):
    with pytest.raises(InvalidInput) as caught:
        plan_split(eur(10_000), parts=parts)
    assert caught.value.key == "split.bad_count"
    assert caught.value.text("en") == "Split into 1 to 50 links."
    assert caught.value.text("fr") == "Divisez en 1 à 50 liens."


def test_fifty_shares_is_the_most():
    assert len(plan_split(eur(10_000), parts=50)) == 50
    with pytest.raises(InvalidInput, match="1 to 50"):
        plan_split(eur(100_000), amounts=[eur(1)] * 51)


def test_a_share_that_would_be_zero_is_refused():
    with pytest.raises(InvalidInput) as caught:
        plan_split(eur(2), parts=3)
    assert caught.value.text("en") == "Share 3 would be zero: fewer shares or a larger amount."
    assert caught.value.text("fr") == "La part 3 serait nulle : moins de parts ou un montant plus élevé."


@pytest.mark.parametrize("bad", [0, -100])
def test_a_zero_or_negative_custom_share_is_refused_with_its_position(bad):
    with pytest.raises(InvalidInput) as caught:
        plan_split(eur(10_000), amounts=[eur(5_000), eur(bad)])
    assert caught.value.key == "split.zero_share"
    assert caught.value.params == {"index": 2}


def test_no_custom_amount_is_refused():
    with pytest.raises(InvalidInput) as caught:
        plan_split(eur(10_000), amounts=[])
    assert caught.value.text("en") == "Give at least one amount."


def test_shares_above_requestable_are_refused():
    with pytest.raises(Refused) as caught:
        plan_split(eur(10_000), amounts=[eur(6_000), eur(4_001)])
    assert caught.value.key == "split.over_requestable"
    assert caught.value.text("en") == "The shares add up to €100.01, more than the €100.00 that can still be requested."
    assert caught.value.text("fr") == (
        "Les parts totalisent 100,01\u00a0€, plus que les 100,00\u00a0€ encore demandables."
    )


def test_equal_split_of_more_than_requestable_is_refused():
    with pytest.raises(Refused, match="more than the"):
        plan_split(eur(10_000), parts=2, amount=eur(10_001))


def test_nothing_requestable_refuses_any_split():
    with pytest.raises(InvalidInput):  # zero to split: the first share would already be zero
        plan_split(eur(0), parts=2)
    with pytest.raises(Refused):
        plan_split(eur(0), amounts=[eur(1)])


def test_shares_in_another_currency_are_refused():
    with pytest.raises(InvalidInput) as caught:
        plan_split(eur(10_000), amounts=[eur(100), Money(100, "USD")])
    assert caught.value.key == "amount.currency_mismatch"
