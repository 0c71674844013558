"""A booking's figures: paid, pending, balance, what may still be requested, and the list badge."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.money import Money


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def amounts(total: int, payments=(), links=()) -> BookingAmounts:
    return BookingAmounts.of(eur(total), [eur(p) for p in payments], [eur(link) for link in links])


def test_nothing_paid_nothing_pending():
    a = amounts(10_000)
    assert (a.paid, a.pending, a.balance, a.requestable, a.overpaid) == (
        eur(0),
        eur(0),
        eur(10_000),
        eur(10_000),
        eur(0),
    )
    assert not a.fully_paid


def test_payments_and_refunds_sum_signed():
    a = amounts(10_000, payments=[3_000, 2_000, -500])
    assert a.paid == eur(4_500)
    assert a.balance == eur(5_500)


def test_open_links_reserve_what_can_be_requested():
    a = amounts(10_000, payments=[3_000], links=[2_000, 1_000])
    assert a.pending == eur(3_000)
    assert a.balance == eur(7_000)
    assert a.requestable == eur(4_000)


def test_requestable_never_goes_negative():
    a = amounts(10_000, payments=[6_000], links=[5_000])
    assert a.requestable == eur(0)


def test_overpaid_is_what_came_in_beyond_the_total():
    a = amounts(10_000, payments=[10_000, 2_500])
    assert a.overpaid == eur(2_500)
    assert a.balance == eur(-2_500)
    assert a.requestable == eur(0)
    assert a.fully_paid


@pytest.mark.parametrize(
    ("total", "payments", "links", "expired", "badge"),
    [
        (10_000, [], [], False, "unpaid"),
        (10_000, [], [], True, "link_expired"),
        (10_000, [], [3_000], False, "link_open"),
        (10_000, [], [3_000], True, "link_open"),
        (10_000, [3_000], [], False, "deposit_paid"),
        (10_000, [3_000], [], True, "deposit_paid"),
        (10_000, [3_000], [7_000], False, "link_open"),
        (10_000, [10_000], [], False, "paid"),
        (10_000, [12_000], [500], True, "paid"),
    ],
)
def test_badge(total, payments, links, expired, badge):
    assert amounts(total, payments, links).badge(has_expired_link=expired) == badge


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(0, 10**9),
    payments=st.lists(st.integers(1, 10**8), max_size=6),
    links=st.lists(st.integers(1, 10**8), max_size=6),
)
def test_paid_plus_pending_plus_requestable_never_exceed_the_total_when_not_overbooked(total, payments, links):
    a = amounts(total, payments, links)
    assert a.requestable.minor >= 0
    assert a.paid.minor == sum(payments) and a.pending.minor == sum(links)
    if a.paid.minor + a.pending.minor <= total:
        assert a.paid.minor + a.pending.minor + a.requestable.minor == total
    else:
        assert a.requestable.minor == 0
