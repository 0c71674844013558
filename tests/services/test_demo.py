"""The demo season: 2,000 bookings whose denormalised figures are exactly what the ledger recomputes."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from deskpay.domain.amounts import BookingAmounts
from deskpay.domain.errors import Refused
from deskpay.domain.money import Money
from deskpay.domain.text import search_key
from deskpay.services.demo import is_demo_database, load_demo
from deskpay.services.money.ledger import compute_amounts
from deskpay.store.models import Booking, Customer, Payment, PaymentLink
from tests.support.desk import add_activity, add_booking, unchanged


def test_summary_counts_what_was_written(demo_season):
    desk, summary = demo_season
    assert summary.bookings == 2_000
    with desk.read() as session:
        count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert (count(Booking), count(Payment), count(PaymentLink), count(Customer)) == (
            summary.bookings,
            summary.payments,
            summary.links,
            summary.customers,
        )
    assert summary.activities == 10 and summary.customers == 150
    assert is_demo_database(desk)


def _recomputed(session, booking, expired: set[int]) -> tuple[int, int, str]:
    amounts = compute_amounts(session, booking)
    return amounts.paid.minor, amounts.pending.minor, amounts.badge(booking.id in expired)


def test_bookings_agree_with_the_ledger(demo_season):
    """compute_amounts on every 7th booking (a full pass costs seconds), an SQL recount on all of them."""
    desk, _ = demo_season
    with desk.read() as session:
        expired = set(session.execute(select(PaymentLink.booking_id).where(PaymentLink.status == "expired")).scalars())
        bookings = session.execute(select(Booking).order_by(Booking.id)).scalars().all()
        sampled = [
            (b.reference, (b.paid_minor, b.pending_minor, b.badge), _recomputed(session, b, expired))
            for b in bookings[::7]
        ]
        paid = dict(
            session.execute(
                select(Payment.booking_id, func.sum(Payment.amount_minor)).group_by(Payment.booking_id)
            ).all()
        )
        pending = dict(
            session.execute(
                select(PaymentLink.booking_id, func.sum(PaymentLink.amount_minor))
                .where(PaymentLink.status == "open")
                .group_by(PaymentLink.booking_id)
            ).all()
        )
    assert len(sampled) > 250
    assert [s for s in sampled if s[1] != s[2]] == []
    recount = [
        (b.reference, b.paid_minor, b.pending_minor)
        for b in bookings
        if (b.paid_minor, b.pending_minor) != (paid.get(b.id, 0), pending.get(b.id, 0))
    ]
    assert recount == []
    badges = [
        b.reference
        for b in bookings
        if b.badge
        != BookingAmounts(
            Money(b.total_minor, b.currency), Money(b.paid_minor, b.currency), Money(b.pending_minor, b.currency)
        ).badge(b.id in expired)
    ]
    assert badges == []


def test_no_booking_asks_or_holds_more_than_its_total(demo_season):
    desk, _ = demo_season
    with desk.read() as session:
        over = (
            session.execute(
                select(Booking.reference).where(Booking.paid_minor + Booking.pending_minor > Booking.total_minor)
            )
            .scalars()
            .all()
        )
        bad_amounts = session.execute(
            select(func.count()).select_from(PaymentLink).where(PaymentLink.amount_minor <= 0)
        ).scalar_one()
    assert over == [] and bad_amounts == 0


def test_a_season_has_every_badge(demo_season):
    desk, _ = demo_season
    with desk.read() as session:
        badges = Counter(session.execute(select(Booking.badge)).scalars())
    assert set(badges) == {"paid", "deposit_paid", "link_open", "link_expired", "unpaid"}
    assert all(n >= 20 for n in badges.values()), badges


def test_open_links_are_still_valid_and_closed_ones_are_not_pending(demo_season):
    desk, _ = demo_season
    now = desk.now()
    with desk.read() as session:
        links = session.execute(select(PaymentLink)).scalars().all()
        paid_links = set(session.execute(select(Payment.link_id).where(Payment.link_id.is_not(None))).scalars())
    assert all(link.expires_at > now for link in links if link.status == "open")
    assert all(link.url and link.provider == "sandbox" for link in links)
    assert {link.id for link in links if link.status == "paid"} == paid_links


def test_search_keys_and_references(demo_season):
    desk, _ = demo_season
    with desk.read() as session:
        rows = session.execute(
            select(Booking.reference, Booking.search_text, Customer.name, Customer.email, Customer.phone).join(
                Customer, Customer.id == Booking.customer_id
            )
        ).all()
    assert len({row.reference for row in rows}) == len(rows)
    assert all(row.search_text == search_key(row.reference, row.name, row.email, row.phone) for row in rows)


def test_demo_is_deterministic_for_a_seed(desk):
    def snapshot():
        with desk.read() as session:
            return session.execute(
                select(
                    Booking.reference, Booking.start_at, Booking.total_minor, Booking.paid_minor, Booking.badge
                ).order_by(Booking.reference)
            ).all()

    load_demo(desk, bookings=200, seed=7)
    first = snapshot()
    load_demo(desk, bookings=200, seed=7)
    assert snapshot() == first


def test_new_bookings_after_the_demo_get_fresh_references(desk):
    load_demo(desk, bookings=200)
    detail = add_booking(desk, activity=1, name="New Customer")
    with desk.read() as session:
        assert session.execute(select(func.count()).select_from(Booking)).scalar_one() == 201
    assert detail.reference.startswith("R-20")


def test_demo_never_replaces_real_bookings(desk):
    add_activity(desk, "Canoë 7 km", price=2_000)
    add_booking(desk)
    with unchanged(desk), pytest.raises(Refused):
        load_demo(desk, bookings=10)
