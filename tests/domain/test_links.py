"""A payment link's life: open, then paid, expired, cancelled or failed, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.links import (
    DEFAULT_VALIDITY,
    LinkStatus,
    can_move,
    check_move,
    check_validity,
    is_past_expiry,
    time_left,
)

ALLOWED = {
    (LinkStatus.OPEN, target)
    for target in (LinkStatus.PAID, LinkStatus.EXPIRED, LinkStatus.CANCELLED, LinkStatus.FAILED)
}


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_an_open_link_can_end(current, target):
    assert can_move(current, target)
    assert check_move(current.value, target.value) is target


@pytest.mark.parametrize(("current", "target"), sorted(set(product(LinkStatus, LinkStatus)) - ALLOWED))
def test_every_other_move_is_refused(current, target):
    assert not can_move(current, target)
    with pytest.raises(Refused) as caught:
        check_move(current, target)
    assert caught.value.key == "link.bad_transition"
    assert caught.value.text("en") == f"This link is {current.value}; it cannot become {target.value}."


def test_refusal_in_french_uses_french_state_names():
    with pytest.raises(Refused) as caught:
        check_move("cancelled", "paid")
    assert caught.value.text("fr") == "Ce lien est annulé ; il ne peut pas devenir payé."


def test_only_open_is_not_final():
    assert [s for s in LinkStatus if not s.is_final] == [LinkStatus.OPEN]


def test_unknown_state_is_an_error():
    with pytest.raises(ValueError):
        check_move("open", "refunded")


@pytest.mark.parametrize("validity", [timedelta(minutes=30), timedelta(hours=5), timedelta(hours=24)])
def test_validity_between_half_an_hour_and_a_day(validity):
    assert check_validity(validity) == validity


@pytest.mark.parametrize(
    "validity",
    [
        timedelta(minutes=29, seconds=59),
        timedelta(0),
        timedelta(hours=-1),
        timedelta(hours=24, seconds=1),
        timedelta(days=7),
    ],
)
def test_validity_outside_is_refused(validity):
    with pytest.raises(InvalidInput) as caught:
        check_validity(validity)
    assert caught.value.text("en") == "A link stays valid between 30 minutes and 24 hours."
    assert caught.value.text("fr") == "Un lien reste valable entre 30 minutes et 24 heures."


def test_default_validity_is_a_day():
    assert DEFAULT_VALIDITY == timedelta(hours=24)


def test_expiry_is_reached_at_the_exact_moment():
    expires = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert not is_past_expiry(expires, expires - timedelta(microseconds=1))
    assert is_past_expiry(expires, expires)
    assert time_left(expires, expires - timedelta(minutes=90)) == timedelta(minutes=90)
    assert time_left(expires, expires + timedelta(hours=1)) == timedelta(0)
