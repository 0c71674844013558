"""Reconciliation by polling, with the real stripe SDK against the Stripe double on 127.0.0.1.

The desk (``stripe_desk``) runs on the ``wall_clock``: it starts at the real
time (the double and the SDK use it for expiries) and only moves when a test
moves it; a poll turn is called directly, so nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from deskpay.domain.errors import ProviderError
from deskpay.domain.money import Money
from deskpay.services.links.lifecycle import (
    cancel_link,
    expire_due_links,
    regenerate_link,
)
from deskpay.services.money.collect import collect_online
from deskpay.services.providers.base import RemoteStatus
from deskpay.services.providers.sandbox import SandboxProvider
from deskpay.services.settlement import (
    PROCESSING_REASON,
    next_check,
    poll_due_links,
    reconcile_link,
    settle,
)
from deskpay.store.models import AuditEvent, Booking, EmailMessage, Payment, PaymentLink
from tests.support.desk import add_booking

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


async def open_link(desk, reference: str, amount: str) -> PaymentLink:
    outcome = await collect_online(desk, reference, amount, label="Acompte")
    return row(desk, PaymentLink, outcome.links[0].id)


def row(desk, model, key):
    with desk.read() as session:
        return session.get(model, key)


def payments(desk, reference: str) -> list[Payment]:
    with desk.read() as session:
        booking = session.execute(select(Booking).where(Booking.reference == reference)).scalar_one()
        return list(session.execute(select(Payment).where(Payment.booking_id == booking.id)).scalars())


def booking(desk, reference: str) -> Booking:
    with desk.read() as session:
        return session.execute(select(Booking).where(Booking.reference == reference)).scalar_one()


def audits(desk, action: str) -> list[dict]:
    with desk.read() as session:
        rows = session.execute(select(AuditEvent.details).where(AuditEvent.action == action)).scalars()
        return [json.loads(details) for details in rows]


def count(desk, model) -> int:
    with desk.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def retrieves(double, session_id: str) -> int:
    return len(double.requests_to("GET", f"/v1/checkout/sessions/{session_id}"))


# -- the schedule ---------------------------------------------------------------------------

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
EXPIRES = T0 + timedelta(hours=24)


@pytest.mark.parametrize(
    ("age", "expected_step"),
    [
        (timedelta(seconds=5), timedelta(seconds=10)),
        (timedelta(minutes=30), timedelta(minutes=1)),
        (timedelta(hours=3), timedelta(minutes=5)),
        (timedelta(hours=10), timedelta(minutes=15)),
    ],
    ids=["fresh", "half-hour", "hours", "old"],
)
def test_fresh_links_are_asked_often_and_older_ones_less(age, expected_step):
    now = T0 + age
    assert next_check(state="open", created_at=T0, expires_at=EXPIRES, now=now) == now + expected_step


def test_every_link_is_asked_once_just_before_expiry_and_once_after():
    near = EXPIRES - timedelta(minutes=5)
    final = next_check(state="open", created_at=T0, expires_at=EXPIRES, now=near)
    assert final == EXPIRES - timedelta(seconds=60)  # not 15 minutes later, past the expiry
    after = next_check(state="open", created_at=T0, expires_at=EXPIRES, now=final)
    assert after == EXPIRES + timedelta(seconds=30)
    # Stripe late to expire it: asked now and then, then given up a day later.
    assert next_check(state="open", created_at=T0, expires_at=EXPIRES, now=after) == after + timedelta(minutes=15)
    assert next_check(state="open", created_at=T0, expires_at=EXPIRES, now=EXPIRES + timedelta(days=2)) is None


@pytest.mark.parametrize("state", ["paid", "expired", "failed"])
def test_final_states_are_not_asked_again(state):
    assert next_check(state=state, created_at=T0, expires_at=EXPIRES, now=T0) is None


def test_processing_payments_are_followed_for_fifteen_days():
    assert next_check(state="processing", created_at=T0, expires_at=EXPIRES, now=T0 + timedelta(days=3)) == (
        T0 + timedelta(days=3, minutes=15)
    )
    assert next_check(state="processing", created_at=T0, expires_at=EXPIRES, now=T0 + timedelta(days=16)) is None


# -- polling ----------------------------------------------------------------------------------


async def test_a_paid_session_is_recorded_once_by_polling(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    assert link.next_check_at == wall_clock.now + timedelta(seconds=10)

    assert await poll_due_links(stripe_desk) == 0  # not due yet: Stripe is not asked
    assert retrieves(double, link.provider_id) == 0

    paid = double.pay(link.provider_id)
    wall_clock.advance(seconds=10)
    assert await poll_due_links(stripe_desk) == 1

    [payment] = payments(stripe_desk, reference)
    assert payment.provider_reference == paid["payment_intent"]
    assert (payment.amount_minor, payment.currency, payment.method) == (1200, "EUR", "online")
    settled = row(stripe_desk, PaymentLink, link.id)
    assert settled.status == "paid" and settled.next_check_at is None
    assert booking(stripe_desk, reference).paid_minor == 1200
    [logged] = audits(stripe_desk, "payment.online")
    assert logged["source"] == "poll" and logged["reference"] == paid["payment_intent"] and not logged["late"]
    with stripe_desk.read() as session:
        [receipt] = session.execute(select(EmailMessage).where(EmailMessage.kind == "receipt")).scalars()
    assert receipt.to_addr == "elodie@example.com" and receipt.link_id == link.id

    wall_clock.advance(hours=1)
    assert await poll_due_links(stripe_desk) == 0  # final: never asked again
    again = await reconcile_link(stripe_desk, link.id)  # and asking anyway changes nothing
    assert again.outcome == "already_recorded"
    assert len(payments(stripe_desk, reference)) == 1


async def test_an_expired_session_closes_the_link(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    double.expire(link.provider_id)
    wall_clock.advance(seconds=10)
    await poll_due_links(stripe_desk)

    expired = row(stripe_desk, PaymentLink, link.id)
    assert (expired.status, expired.status_reason, expired.next_check_at) == (
        "expired",
        "expired at the provider",
        None,
    )
    assert booking(stripe_desk, reference).pending_minor == 0
    assert booking(stripe_desk, reference).badge == "link_expired"
    assert payments(stripe_desk, reference) == []


async def test_an_open_session_is_only_rescheduled(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    wall_clock.advance(minutes=30)
    await poll_due_links(stripe_desk)
    still = row(stripe_desk, PaymentLink, link.id)
    assert still.status == "open" and still.next_check_at == wall_clock.now + timedelta(minutes=1)
    assert retrieves(double, link.provider_id) == 1


async def test_stripe_down_puts_the_check_off_a_minute(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    double.fail_next(500, times=2)  # the try and the SDK's one retry
    wall_clock.advance(seconds=10)
    await poll_due_links(stripe_desk)
    still = row(stripe_desk, PaymentLink, link.id)
    assert still.status == "open" and still.next_check_at == wall_clock.now + timedelta(minutes=1)


async def test_a_session_stripe_does_not_know_is_no_longer_asked(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    del double.sessions[link.provider_id]
    wall_clock.advance(seconds=10)
    await poll_due_links(stripe_desk)
    assert row(stripe_desk, PaymentLink, link.id).next_check_at is None
    wall_clock.advance(minutes=5)
    assert await poll_due_links(stripe_desk) == 0


async def test_the_sandbox_is_never_polled(stripe_desk):
    stripe_desk.use_provider(SandboxProvider("http://127.0.0.1:8765"))  # a Stripe business's desk, on the sandbox
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    assert link.next_check_at is None
    assert await poll_due_links(stripe_desk) == 0


async def test_a_processing_payment_waits_for_the_bank(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    double.pay(link.provider_id, async_method=True)
    wall_clock.advance(seconds=10)
    await poll_due_links(stripe_desk)
    waiting = row(stripe_desk, PaymentLink, link.id)
    assert (waiting.status, waiting.status_reason) == ("open", PROCESSING_REASON)
    assert waiting.next_check_at == wall_clock.now + timedelta(minutes=15)
    assert payments(stripe_desk, reference) == []

    wall_clock.advance(hours=2)  # past the link's expiry: the expiry job leaves it to polling, money is on its way
    assert expire_due_links(stripe_desk) == 0
    double.settle_async(link.provider_id, succeeded=True)
    await poll_due_links(stripe_desk)
    assert row(stripe_desk, PaymentLink, link.id).status == "paid"
    assert [p.amount_minor for p in payments(stripe_desk, reference)] == [1200]


# -- cancelling, and closing the other links of a paid booking ----------------------------------


async def test_cancelling_a_link_expires_its_session_at_stripe(stripe_desk, double):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    view = await cancel_link(stripe_desk, link.id, reason="changed their mind")
    assert view.status.value == "cancelled"
    assert double.sessions[link.provider_id]["status"] == "expired"
    assert row(stripe_desk, PaymentLink, link.id).next_check_at is None


async def test_cancelling_a_link_paid_a_moment_before_records_the_payment(stripe_desk, double):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    double.pay(link.provider_id)
    with pytest.raises(ProviderError) as refused:
        await cancel_link(stripe_desk, link.id)
    assert refused.value.key == "stripe.already_paid"
    assert row(stripe_desk, PaymentLink, link.id).status == "paid"
    assert [p.amount_minor for p in payments(stripe_desk, reference)] == [1200]


async def test_a_late_payment_that_completes_the_booking_expires_its_other_links_at_stripe(
    stripe_desk, double, wall_clock
):
    reference = add_booking(stripe_desk).reference  # 40.00 €
    first = await open_link(stripe_desk, reference, "40,00")
    # The desk's expiry job closes it a moment before Stripe does; the desk sends a new one.
    wall_clock.now = first.expires_at
    assert expire_due_links(stripe_desk) == 1
    second = row(stripe_desk, PaymentLink, (await regenerate_link(stripe_desk, first.id)).links[0].id)
    assert second.status == "open"

    double.pay(first.provider_id)  # the customer had the first page open, and paid it
    await poll_due_links(stripe_desk)

    assert [p.amount_minor for p in payments(stripe_desk, reference)] == [4000]
    [logged] = audits(stripe_desk, "payment.online")
    assert logged["late"] is True and logged["closed_links"] == [second.id]
    closed = row(stripe_desk, PaymentLink, second.id)
    assert (closed.status, closed.status_reason) == ("expired", "booking fully paid")
    assert double.sessions[second.provider_id]["status"] == "expired"  # nobody can pay it twice
    assert booking(stripe_desk, reference).badge == "paid"


async def test_paying_both_links_of_a_race_shows_the_overpayment(stripe_desk, double, wall_clock):
    reference = add_booking(stripe_desk).reference
    first = await open_link(stripe_desk, reference, "40,00")
    wall_clock.now = first.expires_at
    expire_due_links(stripe_desk)
    second = row(stripe_desk, PaymentLink, (await regenerate_link(stripe_desk, first.id)).links[0].id)
    double.pay(second.provider_id)
    double.pay(first.provider_id)
    await asyncio.gather(reconcile_link(stripe_desk, second.id), reconcile_link(stripe_desk, first.id))

    assert sorted(p.amount_minor for p in payments(stripe_desk, reference)) == [4000, 4000]
    paid = booking(stripe_desk, reference)
    assert paid.paid_minor - paid.total_minor == 4000  # the overpayment the manager refunds


async def test_a_link_paid_while_its_booking_closes_is_recorded_not_lost(stripe_desk, double, wall_clock):
    """Two open links, both paid on Stripe in the same minute: closing the second finds it paid."""
    reference = add_booking(stripe_desk).reference
    first = await open_link(stripe_desk, reference, "40,00")
    wall_clock.now = first.expires_at
    expire_due_links(stripe_desk)
    second = row(stripe_desk, PaymentLink, (await regenerate_link(stripe_desk, first.id)).links[0].id)
    double.pay(first.provider_id)
    double.pay(second.provider_id)
    await reconcile_link(stripe_desk, first.id)  # fully paid → close the second → Stripe says: paid

    assert sorted(p.amount_minor for p in payments(stripe_desk, reference)) == [4000, 4000]
    assert row(stripe_desk, PaymentLink, second.id).status_reason.startswith("paid after")


# -- the one function, called twice at once --------------------------------------------------


async def test_concurrent_settles_of_one_payment_record_it_once(stripe_desk, double):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    double.pay(link.provider_id)
    status = await stripe_desk.provider.fetch_status(link.provider_id)
    outcomes = await asyncio.gather(*(settle(stripe_desk, link.id, status, source=f"path{i}") for i in range(6)))
    assert sorted(o.outcome for o in outcomes) == ["already_recorded"] * 5 + ["recorded"]
    assert len(payments(stripe_desk, reference)) == 1
    assert count(stripe_desk, EmailMessage) == 1  # one receipt


async def test_settling_a_failed_payment_frees_the_money(stripe_desk, double):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    outcome = await settle(stripe_desk, link.id, RemoteStatus("failed"), source="test")
    assert outcome.outcome == "failed"
    failed = row(stripe_desk, PaymentLink, link.id)
    assert (failed.status, failed.next_check_at) == ("failed", None)
    assert booking(stripe_desk, reference).pending_minor == 0
    assert audits(stripe_desk, "link.payment_failed")[0]["link_id"] == link.id


async def test_a_payment_amount_is_what_stripe_took(stripe_desk, double):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "12,00")
    await settle(
        stripe_desk,
        link.id,
        RemoteStatus("paid", payment_reference="pi_x", amount_paid=Money(1200, "EUR")),
        source="test",
    )
    assert payments(stripe_desk, reference)[0].provider_reference == "pi_x"
