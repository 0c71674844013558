"""``POST /stripe/webhook`` over real HTTP: signatures checked by the stripe SDK, events from the Stripe double.

The endpoint is served by the same component the worker uses, on a free
port of 127.0.0.1; events are the double's own, signed as Stripe signs them.
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from sqlalchemy import func, select

from deskpay.domain.errors import Refused
from deskpay.services.links.lifecycle import expire_due_links, regenerate_link
from deskpay.services.money.collect import collect_online
from deskpay.services.settlement import poll_due_links
from deskpay.store.models import (
    Booking,
    EmailMessage,
    Payment,
    PaymentLink,
    ProviderEvent,
)
from deskpay.web.runner import HttpService, webhook_service
from deskpay.web.webhooks import webhook_app
from tests.support.desk import add_booking
from tests.support.stripe_desk import WEBHOOK_SECRET
from tests.support.stripe_server import signed_delivery

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


async def open_link(desk, reference: str, amount: str = "12,00") -> PaymentLink:
    outcome = await collect_online(desk, reference, amount)
    with desk.read() as session:
        return session.get(PaymentLink, outcome.links[0].id)


def link_row(desk, link_id: int) -> PaymentLink:
    with desk.read() as session:
        return session.get(PaymentLink, link_id)


def payments(desk) -> list[Payment]:
    with desk.read() as session:
        return list(session.execute(select(Payment).order_by(Payment.id)).scalars())


def count(desk, model) -> int:
    with desk.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def booking(desk, reference: str) -> Booking:
    with desk.read() as session:
        return session.execute(select(Booking).where(Booking.reference == reference)).scalar_one()


# -- signatures ---------------------------------------------------------------------------------


async def test_a_signed_completed_event_records_the_payment(stripe_desk, double, endpoint):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    paid = double.pay(link.provider_id)

    status, body = await endpoint.deliver(double.last_event("checkout.session.completed"))

    assert (status, body) == (200, {"received": True, "outcome": "settled"})
    [payment] = payments(stripe_desk)
    assert (payment.provider_reference, payment.amount_minor, payment.link_id) == (
        paid["payment_intent"],
        1200,
        link.id,
    )
    assert link_row(stripe_desk, link.id).status == "paid"
    assert booking(stripe_desk, reference).paid_minor == 1200
    assert count(stripe_desk, ProviderEvent) == 1
    with stripe_desk.read() as session:
        assert session.execute(select(EmailMessage.kind)).scalars().all() == ["receipt"]


def _unchanged(desk, link_id: int) -> None:
    assert payments(desk) == []
    assert count(desk, ProviderEvent) == 0
    assert link_row(desk, link_id).status == "open"


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "no header", "empty header", "garbled header", "body changed", "five minutes old"],
)
async def test_a_bad_or_missing_signature_is_400_and_changes_nothing(stripe_desk, double, endpoint, tamper):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    double.pay(link.provider_id)
    event = double.last_event("checkout.session.completed")
    secret = "whsec_someone_else" if tamper == "wrong secret" else WEBHOOK_SECRET
    timestamp = int(time.time()) - 301 if tamper == "five minutes old" else None
    body, headers = signed_delivery(event, secret, timestamp=timestamp)
    if tamper == "no header":
        del headers["Stripe-Signature"]
    elif tamper == "empty header":
        headers["Stripe-Signature"] = ""
    elif tamper == "garbled header":
        headers["Stripe-Signature"] = "v1=abc,t=notanumber"
    elif tamper == "body changed":
        body = body.replace(b'"amount_total": 1200', b'"amount_total": 1')

    status, answer = await endpoint.post(body, headers)

    assert status == 400 and "error" in answer
    _unchanged(stripe_desk, link.id)


async def test_a_signed_body_that_is_not_an_event_is_400(stripe_desk, endpoint):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    for body in (
        b"not json",
        b"[1, 2]",
        b"\xff\xfe",
        json.dumps(
            {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"object": "charge"}}}
        ).encode(),
    ):
        status, _ = await endpoint.post(body, {"Stripe-Signature": _sign(body)})
        assert status == 400, body
    _unchanged(stripe_desk, link.id)


def _sign(body: bytes) -> str:
    from tests.support.stripe_server import sign_webhook

    return sign_webhook(body, WEBHOOK_SECRET, int(time.time()))


async def test_unknown_event_types_are_acknowledged_and_ignored(stripe_desk, double, endpoint):
    event = double.add_event("customer.created", {"id": "cus_123", "object": "customer"})
    assert await endpoint.deliver(event) == (200, {"received": True, "outcome": "ignored"})
    assert count(stripe_desk, ProviderEvent) == 0


# What another application may put where we put our link id: a number, a superscript, an id beyond any column.
@pytest.mark.parametrize(
    "claimed", ["1", "²", "9" * 20, "9" * 5_000], ids=["one", "superscript", "20 digits", "5000 digits"]
)
async def test_a_session_of_another_application_is_acknowledged(stripe_desk, double, endpoint, claimed):
    session = {
        "id": "cs_test_notours",
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": "pi_notours",
        "amount_total": 500,
        "currency": "eur",
        "client_reference_id": claimed,
        "metadata": {"link_id": claimed, "token": "guessed"},
    }
    assert (await endpoint.deliver(double.add_event("checkout.session.completed", session)))[1]["outcome"] == (
        "unknown_session"
    )
    assert payments(stripe_desk) == []


def test_the_webhook_endpoint_needs_its_secret(stripe_desk):
    stripe_desk.settings.stripe_webhook_secret = None
    with pytest.raises(Refused) as refused:
        webhook_service(stripe_desk, "127.0.0.1:0")
    assert refused.value.key == "stripe.no_webhook_secret"
    assert "STRIPE_WEBHOOK_SECRET" in str(refused.value)


# -- once per event, once per payment -------------------------------------------------------------


async def test_the_same_event_twice_records_one_payment(stripe_desk, double, endpoint):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    double.pay(link.provider_id)
    event = double.last_event("checkout.session.completed")

    first = await endpoint.deliver(event)
    again = await endpoint.deliver(event)
    together = await asyncio.gather(*(endpoint.deliver(event) for _ in range(3)))

    assert first[1]["outcome"] == "settled"
    assert again[1]["outcome"] == "duplicate"
    assert all(status == 200 for status, _ in together)
    assert len(payments(stripe_desk)) == 1
    assert count(stripe_desk, ProviderEvent) == 1
    assert count(stripe_desk, EmailMessage) == 1


async def test_polling_and_a_webhook_at_the_same_moment_record_one_payment(stripe_desk, double, endpoint, wall_clock):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    double.pay(link.provider_id)
    wall_clock.advance(seconds=10)
    event = double.last_event("checkout.session.completed")

    results = await asyncio.gather(
        poll_due_links(stripe_desk), endpoint.deliver(event), poll_due_links(stripe_desk), endpoint.deliver(event)
    )

    assert [r[0] for r in results[1::2]] == [200, 200]
    [payment] = payments(stripe_desk)
    assert payment.link_id == link.id
    assert link_row(stripe_desk, link.id).status == "paid"
    assert booking(stripe_desk, reference).paid_minor == 1200


async def test_a_failure_while_settling_is_500_and_the_retry_records_it(stripe_desk, double, endpoint, monkeypatch):
    import deskpay.services.settlement as reconcile

    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    double.pay(link.provider_id)
    event = double.last_event("checkout.session.completed")
    real = reconcile.record_provider_payment

    def database_hiccup(*args, **kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(reconcile, "record_provider_payment", database_hiccup)
    assert (await endpoint.deliver(event))[0] == 500
    assert count(stripe_desk, ProviderEvent) == 0  # not remembered: Stripe's retry is handled
    monkeypatch.setattr(reconcile, "record_provider_payment", real)
    assert await endpoint.deliver(event) == (200, {"received": True, "outcome": "settled"})
    assert len(payments(stripe_desk)) == 1


# -- out of order -----------------------------------------------------------------------------------


async def test_expired_after_completed_leaves_the_link_paid(stripe_desk, double, endpoint):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    double.pay(link.provider_id)
    completed = double.last_event("checkout.session.completed")
    # Stripe never expires a paid session; an expired event about it is an older one arriving late.
    stale = json.loads(json.dumps(completed))
    stale.update(id="evt_1staleExpired", type="checkout.session.expired")
    stale["data"]["object"].update(status="expired", payment_status="unpaid", payment_intent=None)

    await endpoint.deliver(completed)
    assert (await endpoint.deliver(stale))[1]["outcome"] == "settled"

    assert link_row(stripe_desk, link.id).status == "paid"
    assert len(payments(stripe_desk)) == 1


async def test_completed_after_expired_is_recorded_as_a_late_payment(stripe_desk, double, endpoint):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    paid = double.pay(link.provider_id)
    completed = double.last_event("checkout.session.completed")
    expired = json.loads(json.dumps(completed))
    expired.update(id="evt_1earlierExpired", type="checkout.session.expired")
    expired["data"]["object"].update(status="expired", payment_status="unpaid", payment_intent=None)

    await endpoint.deliver(expired)
    assert link_row(stripe_desk, link.id).status == "expired"
    await endpoint.deliver(completed)

    [payment] = payments(stripe_desk)
    assert payment.provider_reference == paid["payment_intent"]
    late = link_row(stripe_desk, link.id)
    assert (late.status, late.status_reason) == ("expired", "paid after it was expired")
    assert booking(stripe_desk, reference).paid_minor == 1200


async def test_a_late_payment_on_a_replaced_link_shows_the_overpayment(stripe_desk, double, endpoint, wall_clock):
    reference = add_booking(stripe_desk).reference  # 40.00 €
    first = await open_link(stripe_desk, reference, "40,00")
    wall_clock.now = first.expires_at
    expire_due_links(stripe_desk)  # closed here; the customer still has Stripe's page open
    second = link_row(stripe_desk, (await regenerate_link(stripe_desk, first.id)).links[0].id)
    double.pay(second.provider_id)
    await endpoint.deliver(double.last_event("checkout.session.completed", second.provider_id))
    assert booking(stripe_desk, reference).badge == "paid"

    double.pay(first.provider_id)
    await endpoint.deliver(double.last_event("checkout.session.completed", first.provider_id))

    assert [p.amount_minor for p in payments(stripe_desk)] == [4000, 4000]
    paid = booking(stripe_desk, reference)
    assert paid.paid_minor - paid.total_minor == 4000


async def test_full_payment_expires_the_other_links_at_stripe(stripe_desk, double, endpoint, wall_clock):
    reference = add_booking(stripe_desk).reference
    first = await open_link(stripe_desk, reference, "40,00")
    wall_clock.now = first.expires_at
    expire_due_links(stripe_desk)
    second = link_row(stripe_desk, (await regenerate_link(stripe_desk, first.id)).links[0].id)

    double.pay(first.provider_id)
    await endpoint.deliver(double.last_event("checkout.session.completed", first.provider_id))

    assert link_row(stripe_desk, second.id).status == "expired"
    assert double.sessions[second.provider_id]["status"] == "expired"
    assert len(double.requests_to("POST", f"/v1/checkout/sessions/{second.provider_id}/expire")) == 1


# -- asynchronous payment methods ----------------------------------------------------------------------


@pytest.mark.parametrize("succeeded", [True, False], ids=["succeeded", "failed"])
async def test_an_unpaid_completion_waits_for_the_bank(stripe_desk, double, endpoint, succeeded):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference)
    double.pay(link.provider_id, async_method=True)
    await endpoint.deliver(double.last_event("checkout.session.completed"))
    assert payments(stripe_desk) == []
    assert link_row(stripe_desk, link.id).status == "open"

    double.settle_async(link.provider_id, succeeded=succeeded)
    kind = "succeeded" if succeeded else "failed"
    await endpoint.deliver(double.last_event(f"checkout.session.async_payment_{kind}"))

    if succeeded:
        assert [p.amount_minor for p in payments(stripe_desk)] == [1200]
        assert link_row(stripe_desk, link.id).status == "paid"
    else:
        assert payments(stripe_desk) == []
        failed = link_row(stripe_desk, link.id)
        assert (failed.status, failed.status_reason) == ("failed", "the customer's payment failed")
        assert booking(stripe_desk, reference).pending_minor == 0


# -- receipts follow the configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receipt", "kinds"), [("none", []), ("receipt", ["receipt"]), ("receipt_and_tickets", ["receipt", "tickets"])]
)
async def test_the_receipt_follows_the_configuration(stripe_desk, double, endpoint, receipt, kinds):
    reference = add_booking(stripe_desk).reference
    link = await open_link(stripe_desk, reference, "40,00")
    double.pay(link.provider_id)
    await endpoint.deliver(double.last_event("checkout.session.completed"))
    with stripe_desk.read() as session:
        assert sorted(session.execute(select(EmailMessage.kind)).scalars()) == kinds


async def test_the_app_accepts_only_posts_on_its_path(stripe_desk):
    service = HttpService("webhooks", lambda: webhook_app(stripe_desk, WEBHOOK_SECRET), "127.0.0.1:0")
    await service.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{service.base_url}/stripe/webhook") as response:
                assert response.status == 405
            async with http.post(f"{service.base_url}/other", data=b"{}") as response:
                assert response.status == 404
    finally:
        await service.stop()
