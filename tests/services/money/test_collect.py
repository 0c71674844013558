"""Encaisser: money taken at the desk, and single payment links through the sandbox provider."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from deskpay.domain.errors import InvalidInput, NotFound, Refused
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.domain.payments import DESK_METHODS
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.money.collect import (
    collect_offline,
    collect_online,
    request_balance,
)
from deskpay.store.models import AuditEvent, Booking, EmailMessage, Payment, PaymentLink
from tests.support.desk import add_activity, add_booking, unchanged


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


@pytest.mark.parametrize("mode", DESK_METHODS)
def test_collect_offline_records_each_mode(desk, booking, mode):
    payment = collect_offline(desk, booking.reference, "30,00", mode, note="TPE ticket 0042")
    assert (payment.amount, payment.method, payment.kind, payment.operator) == (eur(3_000), mode, "payment", "alice")
    assert payment.provider_reference is None and payment.link_id is None
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.paid, detail.amounts.balance, detail.amounts.requestable) == (
        eur(3_000),
        eur(7_000),
        eur(7_000),
    )
    with desk.read() as session:
        row = session.execute(select(Booking)).scalar_one()
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "payment.record")).scalar_one()
    assert (row.paid_minor, row.pending_minor, row.badge) == (3_000, 0, "deposit_paid")
    assert f'"method": "{mode}"' in event.details and '"amount": {"amount": 3000, "currency": "EUR"}' in event.details


def test_collect_offline_up_to_the_balance_marks_paid(desk, booking):
    collect_offline(desk, booking.reference, "60", "card")
    collect_offline(desk, booking.reference, Money(4_000, "EUR"), "cash")
    detail = booking_detail(desk, booking.reference)
    assert detail.amounts.paid == eur(10_000) and detail.amounts.fully_paid
    with desk.read() as session:
        assert session.execute(select(Booking.badge)).scalar_one() == "paid"


def test_reference_is_found_whatever_the_case_and_spaces(desk, booking):
    collect_offline(desk, f"  {booking.reference.lower()} ", "10", "cash")
    assert booking_detail(desk, booking.reference).amounts.paid == eur(1_000)


@pytest.mark.parametrize(
    ("amount", "mode", "error", "key"),
    [
        ("10", "bitcoin", InvalidInput, "collect.bad_mode"),
        ("10", "online", InvalidInput, "collect.bad_mode"),
        ("", "cash", InvalidInput, "amount.empty"),
        ("dix", "cash", InvalidInput, "amount.not_a_number"),
        ("-10", "cash", InvalidInput, "amount.negative"),
        ("0", "cash", InvalidInput, "amount.zero"),
        ("10,001", "cash", InvalidInput, "amount.ambiguous"),
        ("10,0001", "cash", InvalidInput, "amount.too_many_decimals"),
        ("$10", "cash", InvalidInput, "amount.wrong_currency"),
        (Money(1_000, "GBP"), "cash", InvalidInput, "amount.wrong_currency"),
        (Money(-1_000, "EUR"), "cash", InvalidInput, "amount.negative"),
        ("100,01", "cash", Refused, "collect.over_balance"),
    ],
)
def test_collect_offline_refusals_change_nothing(desk, booking, amount, mode, error, key):
    collect_offline(desk, booking.reference, "1", "cash")
    with unchanged(desk), pytest.raises(error) as caught:
        collect_offline(desk, booking.reference, amount, mode)
    assert caught.value.key == key


def test_over_balance_message(desk, booking):
    collect_offline(desk, booking.reference, "60", "cash")
    with unchanged(desk), pytest.raises(Refused) as caught:
        collect_offline(desk, booking.reference, "40,01", "card")
    assert caught.value.text("en") == "€40.01 is more than the €40.00 that can be collected now."
    assert caught.value.text("fr") == "40,01\u00a0€ dépasse les 40,00\u00a0€ encaissables maintenant."


async def test_over_requestable_with_pending_links_says_to_cancel_one(desk, booking):
    await collect_online(desk, booking.reference, "70")
    with unchanged(desk), pytest.raises(Refused) as caught:
        collect_offline(desk, booking.reference, "30,01", "cash")
    assert caught.value.key == "collect.over_balance_pending"
    assert caught.value.text("en") == (
        "€30.01 is more than the €30.00 that can be collected now: €70.00 is waiting in open links — cancel one first."
    )
    assert collect_offline(desk, booking.reference, "30", "cash").amount == eur(3_000)


def test_cancelled_or_unknown_booking_is_refused(desk, booking):
    with unchanged(desk), pytest.raises(NotFound) as caught:
        collect_offline(desk, "R-2026-424242", "10", "cash")
    assert caught.value.text("en") == "No booking “R-2026-424242”."
    with desk.write() as session:
        session.execute(update(Booking).values(status="cancelled"))
    with unchanged(desk), pytest.raises(Refused) as caught:
        collect_offline(desk, booking.reference, "10", "cash")
    assert caught.value.text("en") == f"Booking {booking.reference} is cancelled."
    assert caught.value.text("fr") == f"La réservation {booking.reference} est annulée."


def test_ceiling_follows_the_settings(desk, booking):
    desk.settings.amount_ceiling = "50.00"
    with unchanged(desk), pytest.raises(InvalidInput) as caught:
        collect_offline(desk, booking.reference, "50,01", "cash")
    assert caught.value.text("en") == "The amount is above the limit of €50.00."
    with unchanged(desk), pytest.raises(InvalidInput):
        collect_offline(desk, booking.reference, Money(5_001, "EUR"), "cash")


# --- online -------------------------------------------------------------------------------------------------


async def test_collect_online_opens_a_sandbox_link(desk, booking):
    outcome = await collect_online(desk, booking.reference, "25", label="Acompte")
    (link,) = outcome.links
    assert outcome.created == outcome.links and outcome.failures == () and outcome.emails_queued == 0
    assert (link.amount, link.status, link.provider, link.label) == (eur(2_500), LinkStatus.OPEN, "sandbox", "Acompte")
    assert link.url.startswith("http://127.0.0.1:8765/pay/")
    assert link.expires_at == desk.now() + desk.settings.link_validity()
    assert link.recipient_email is None
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.pending, detail.amounts.requestable) == (eur(2_500), eur(7_500))
    with desk.read() as session:
        row = session.execute(select(Booking)).scalar_one()
        assert (row.pending_minor, row.badge) == (2_500, "link_open")
        assert session.execute(select(PaymentLink.provider_id)).scalar_one() == f"sbx_{link.id}"
        assert session.execute(select(EmailMessage)).first() is None


async def test_collect_online_with_email_queues_it_with_the_link(desk, booking):
    outcome = await collect_online(
        desk, booking.reference, "25", send_email=True, subject="Votre acompte", message="À samedi !"
    )
    assert outcome.emails_queued == 1
    link = outcome.links[0]
    with desk.read() as session:
        email = session.execute(select(EmailMessage)).scalar_one()
    assert (email.to_addr, email.kind, email.subject, email.status) == (
        "elodie@example.com",
        "payment_link",
        "Votre acompte",
        "queued",
    )
    assert (email.booking_id, email.link_id, email.language) == (booking.id, link.id, "fr")
    assert link.url in email.text and "À samedi !" in email.text
    assert "25,00\u00a0€" in email.text


async def test_collect_online_to_another_address(desk, booking):
    outcome = await collect_online(desk, booking.reference, "25", email="papa@example.org", send_email=True)
    assert outcome.links[0].recipient_email == "papa@example.org"
    with desk.read() as session:
        assert session.execute(select(EmailMessage.to_addr)).scalar_one() == "papa@example.org"


@pytest.mark.parametrize(
    ("amount", "kwargs", "error", "key"),
    [
        ("100,01", {}, Refused, "collect.over_balance"),
        ("0", {}, InvalidInput, "amount.zero"),
        ("abc", {}, InvalidInput, "amount.not_a_number"),
        ("10", {"email": "nope@", "send_email": True}, InvalidInput, "email.address_invalid"),
        ("10", {"subject": "Hello\r\nBcc: x@example.com"}, InvalidInput, "text.control_chars"),
        ("10", {"label": "l" * 121}, InvalidInput, "text.too_long"),
        ("10", {"message": "m" * 5_001}, InvalidInput, "text.too_long"),
    ],
)
async def test_collect_online_refusals_change_nothing(desk, booking, amount, kwargs, error, key):
    with unchanged(desk), pytest.raises(error) as caught:
        await collect_online(desk, booking.reference, amount, **kwargs)
    assert caught.value.key == key


async def test_collect_online_with_email_but_customer_has_none(desk):
    add_activity(desk, "Canoë 7 km", price=2_500)
    booking = add_booking(desk, email=None)
    with unchanged(desk), pytest.raises(Refused) as caught:
        await collect_online(desk, booking.reference, "10", send_email=True)
    assert caught.value.text("en") == "No email address to send to: type one."


async def test_collect_online_over_requestable_names_pending(desk, booking):
    await collect_online(desk, booking.reference, "80")
    with unchanged(desk), pytest.raises(Refused) as caught:
        await collect_online(desk, booking.reference, "20,01")
    assert caught.value.key == "collect.over_balance_pending"


async def test_collect_online_on_a_cancelled_booking(desk, booking):
    with desk.write() as session:
        session.execute(update(Booking).values(status="cancelled"))
    with unchanged(desk), pytest.raises(Refused, match="is cancelled"):
        await collect_online(desk, booking.reference, "10")


async def test_request_balance_asks_everything_requestable(desk, booking):
    collect_offline(desk, booking.reference, "30", "cash")
    await collect_online(desk, booking.reference, "20")
    outcome = await request_balance(desk, booking.reference)
    (link,) = outcome.links
    assert (link.amount, link.purpose, link.label, link.recipient_email) == (
        eur(5_000),
        "balance",
        "Solde",
        "elodie@example.com",
    )
    assert outcome.emails_queued == 1
    with unchanged(desk), pytest.raises(Refused) as caught:
        await request_balance(desk, booking.reference)
    assert caught.value.text("en") == "Nothing left to request on this booking."


async def test_sum_of_payments_and_open_links_never_exceeds_the_total(desk, booking):
    await collect_online(desk, booking.reference, "40")
    collect_offline(desk, booking.reference, "35", "cash")
    await collect_online(desk, booking.reference, "25")
    for attempt in ("0,01", "1"):
        with pytest.raises(Refused):
            await collect_online(desk, booking.reference, attempt)
        with pytest.raises(Refused):
            collect_offline(desk, booking.reference, attempt, "cash")
    with desk.read() as session:
        paid = sum(session.execute(select(Payment.amount_minor)).scalars())
        pending = sum(session.execute(select(PaymentLink.amount_minor).where(PaymentLink.status == "open")).scalars())
    assert paid + pending == 10_000


@pytest.mark.parametrize(
    ("note", "key"), [("n" * 501, "text.too_long"), ("\x1b]8;;http://evil\x07", "text.control_chars")]
)
def test_payment_note_is_checked_like_any_note(desk, booking, note, key):
    with unchanged(desk), pytest.raises(InvalidInput) as caught:
        collect_offline(desk, booking.reference, "10", "cash", note=note)
    assert caught.value.key == key
    payment = collect_offline(desk, booking.reference, "10", "cash", note="  ticket 42\r\nsigned  ")
    with desk.read() as session:
        assert session.get(Payment, payment.id).note == "ticket 42\nsigned"
