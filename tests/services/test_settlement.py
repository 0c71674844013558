"""Payments reported by the provider: recorded exactly once, closing what must close, late ones kept."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from deskpay.domain.errors import NotFound
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.links.lifecycle import expire_due_links, get_link
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.services.settlement import record_provider_payment
from deskpay.store.models import AuditEvent, Booking, EmailMessage, Payment
from tests.support.desk import add_activity, add_booking, db_state, unchanged


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


async def open_link(desk, booking, amount, **kwargs):
    return (await collect_online(desk, booking.reference, amount, **kwargs)).links[0]


def pay(desk, link, reference="pi_1", amount=None, **kwargs):
    return record_provider_payment(
        desk, provider="sandbox", payment_reference=reference, amount=amount or link.amount, link_id=link.id, **kwargs
    )


def payments(desk) -> list[tuple]:
    with desk.read() as session:
        return session.execute(
            select(Payment.amount_minor, Payment.method, Payment.provider_reference, Payment.link_id).order_by(
                Payment.id
            )
        ).all()


async def test_a_payment_is_recorded_and_the_link_marked_paid(desk, booking):
    link = await open_link(desk, booking, "30")
    result = pay(desk, link)
    assert (result.created, result.booking_reference, result.fully_paid, result.overpaid) == (
        True,
        booking.reference,
        False,
        eur(0),
    )
    assert payments(desk) == [(3_000, "online", "pi_1", link.id)]
    assert get_link(desk, link.id).status is LinkStatus.PAID
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.paid, detail.amounts.pending, detail.amounts.requestable) == (eur(3_000), eur(0), eur(7_000))
    with desk.read() as session:
        assert session.execute(select(Booking.badge)).scalar_one() == "deposit_paid"
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "payment.online")).scalar_one()
        receipt = session.execute(select(EmailMessage)).scalar_one()
    assert event.operator == "system" and '"reference": "pi_1"' in event.details
    assert (receipt.kind, receipt.to_addr, receipt.link_id) == ("receipt", "elodie@example.com", link.id)


async def test_the_same_payment_reported_twice_is_recorded_once(desk, booking):
    link = await open_link(desk, booking, "30")
    first = pay(desk, link)
    state = db_state(desk)
    again = pay(desk, link)
    by_provider_id = record_provider_payment(
        desk, provider="sandbox", payment_reference="pi_1", amount=eur(3_000), provider_id=f"sbx_{link.id}"
    )
    assert not again.created and not by_provider_id.created
    assert again.payment_id == by_provider_id.payment_id == first.payment_id
    assert db_state(desk) == state  # no payment, email, audit event or revision added


async def test_a_raw_duplicate_insert_is_refused_by_the_database(desk, booking):
    link = await open_link(desk, booking, "30")
    pay(desk, link)
    with desk.read() as session:
        row = session.execute(select(Payment.__table__)).mappings().one()
    with unchanged(desk), pytest.raises(IntegrityError):
        with desk.write() as session:
            session.execute(insert(Payment.__table__), [{k: v for k, v in row.items() if k != "id"}])


async def test_paying_every_link_settles_the_booking(desk, booking):
    deposit = await open_link(desk, booking, "30")
    rest = await open_link(desk, booking, "70")
    pay(desk, deposit, "pi_deposit")
    result = pay(desk, rest, "pi_rest")
    assert result.fully_paid and result.closed_links == ()
    assert booking_detail(desk, booking.reference).amounts.fully_paid


async def test_paying_the_whole_amount_on_one_link_expires_the_others(desk, booking):
    whole = await open_link(desk, booking, "60")
    other = await open_link(desk, booking, "40")
    result = pay(desk, whole, amount=eur(10_000))  # the customer paid everything on one page
    assert result.fully_paid
    assert [c[0] for c in result.closed_links] == [other.id]
    closed = get_link(desk, other.id)
    assert (closed.status, closed.status_reason) == (LinkStatus.EXPIRED, "booking fully paid")
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.paid, detail.amounts.pending) == (eur(10_000), eur(0))
    with desk.read() as session:
        assert session.execute(select(Booking.badge, Booking.pending_minor)).one() == ("paid", 0)


async def test_late_payment_on_an_expired_link_is_kept_as_overpayment(desk, booking, clock):
    link = await open_link(desk, booking, "40")
    clock.advance(hours=24)
    assert expire_due_links(desk) == 1
    collect_offline(desk, booking.reference, "100", "card")  # paid in full at the desk meanwhile
    result = pay(desk, link, "pi_late")
    assert result.created and result.fully_paid
    assert result.overpaid == eur(4_000)
    late = get_link(desk, link.id)
    assert (late.status, late.status_reason) == (LinkStatus.EXPIRED, "paid after it was expired")
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.paid, detail.amounts.overpaid) == (eur(14_000), eur(4_000))
    with desk.read() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "payment.online")).scalar_one()
    assert '"late": true' in event.details and '"overpaid": {"amount": 4000' in event.details


async def test_receipt_goes_to_the_link_recipient(desk, booking):
    link = await open_link(desk, booking, "30", email="papa@example.org", send_email=True)
    pay(desk, link)
    with desk.read() as session:
        kinds = session.execute(select(EmailMessage.kind, EmailMessage.to_addr).order_by(EmailMessage.id)).all()
    assert kinds == [("payment_link", "papa@example.org"), ("receipt", "papa@example.org")]


async def test_no_receipt_when_turned_off(desk, booking):
    desk.settings.receipt = "none"
    link = await open_link(desk, booking, "30")
    pay(desk, link)
    with desk.read() as session:
        assert session.execute(select(EmailMessage)).first() is None


async def test_unknown_link_changes_nothing(desk, booking):
    with unchanged(desk), pytest.raises(NotFound):
        record_provider_payment(desk, provider="sandbox", payment_reference="pi_x", amount=eur(100), link_id=999)
    with unchanged(desk), pytest.raises(NotFound):
        record_provider_payment(
            desk, provider="sandbox", payment_reference="pi_x", amount=eur(100), provider_id="sbx_nope"
        )


def test_a_payment_in_another_currency_is_refused_and_changes_nothing(desk):
    """USD cents must never be added to a EUR booking's sums."""
    import asyncio

    from deskpay.domain.errors import Refused
    from deskpay.services.money.collect import collect_online
    from deskpay.services.settlement import record_provider_payment

    add_activity(desk, "Kayak USD test")
    booking = add_booking(desk, "Kayak USD test")
    link = asyncio.run(collect_online(desk, booking.reference, "10")).links[0]
    with unchanged(desk):
        with pytest.raises(Refused) as refused:
            record_provider_payment(
                desk, provider="sandbox", payment_reference="pi_usd", amount=Money(1000, "USD"), link_id=link.id
            )
    assert "USD" in refused.value.text("en") and booking.reference in refused.value.text("fr")
