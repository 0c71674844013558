"""The booking confirmation: a link for the deposit or the full amount, reused on resend, refused without email."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.bookings.confirmation import send_confirmation
from deskpay.services.links.lifecycle import cancel_link
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.store.models import AuditEvent, Booking, EmailMessage, PaymentLink
from tests.support.desk import add_activity, add_booking, unchanged


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def emails(desk) -> list[tuple]:
    with desk.read() as session:
        return session.execute(
            select(EmailMessage.kind, EmailMessage.to_addr, EmailMessage.link_id).order_by(EmailMessage.id)
        ).all()


@pytest.mark.parametrize(
    ("mode", "asked", "label"),
    [("deposit", 3_000, "Acompte"), (None, 3_000, "Acompte"), ("full", 10_000, "Réservation")],
)
async def test_confirmation_with_a_link(desk, deposit_booking, mode, asked, label):
    sent = await send_confirmation(desk, deposit_booking.reference, mode)
    assert sent.to == "elodie@example.com" and not sent.reused_link
    assert (sent.link.amount, sent.link.purpose, sent.link.label, sent.link.status) == (
        eur(asked),
        "confirmation",
        label,
        LinkStatus.OPEN,
    )
    assert emails(desk) == [("confirmation", "elodie@example.com", sent.link.id)]
    with desk.read() as session:
        email = session.execute(select(EmailMessage)).scalar_one()
        assert session.execute(select(Booking.pending_minor)).scalar_one() == asked
    assert sent.link.url in email.text
    assert Money(asked, "EUR").format("fr") in email.text


async def test_business_terms_apply_when_the_activity_has_none(desk):
    add_activity(desk, "Paddle", price=1_000)  # terms_kind None: the business default, 30 %
    booking = add_booking(desk, "Paddle", participants=3)
    sent = await send_confirmation(desk, booking.reference)
    assert sent.link.amount == eur(900)


async def test_full_terms_ask_everything_by_default(desk):
    add_activity(desk, "Paddle", price=1_000, terms_kind="full")
    booking = add_booking(desk, "Paddle", participants=3)
    sent = await send_confirmation(desk, booking.reference)
    assert sent.link.amount == eur(3_000)


async def test_english_booking_gets_english_labels(desk, deposit_booking):
    english = add_booking(desk, language="en", email="tom@example.com", name="Tom")
    sent = await send_confirmation(desk, english.reference)
    assert sent.link.label == "Deposit"
    with desk.read() as session:
        assert session.execute(select(EmailMessage.language)).scalar_one() == "en"


async def test_resend_reuses_the_open_confirmation_link(desk, deposit_booking):
    first = await send_confirmation(desk, deposit_booking.reference)
    again = await send_confirmation(desk, deposit_booking.reference)
    assert again.reused_link and again.link.id == first.link.id
    with desk.read() as session:
        assert len(session.execute(select(PaymentLink.id)).all()) == 1
        events = session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert emails(desk) == [("confirmation", "elodie@example.com", first.link.id)] * 2
    assert events.count("confirmation.send") == 1 and events.count("link.create") == 1


async def test_a_cancelled_confirmation_link_is_not_reused(desk, deposit_booking):
    first = await send_confirmation(desk, deposit_booking.reference)
    await cancel_link(desk, first.link.id)
    again = await send_confirmation(desk, deposit_booking.reference)
    assert not again.reused_link and again.link.id != first.link.id
    assert again.link.amount == eur(3_000)


async def test_deposit_is_capped_by_what_open_links_leave(desk, deposit_booking):
    await collect_online(desk, deposit_booking.reference, "80")
    sent = await send_confirmation(desk, deposit_booking.reference, "deposit")
    assert sent.link.amount == eur(2_000)


async def test_fully_paid_booking_gets_a_confirmation_without_a_link(desk, deposit_booking):
    collect_offline(desk, deposit_booking.reference, "100", "card")
    sent = await send_confirmation(desk, deposit_booking.reference)
    assert sent.link is None and not sent.reused_link
    assert emails(desk) == [("confirmation", "elodie@example.com", None)]


async def test_mode_none_sends_no_link(desk, deposit_booking):
    sent = await send_confirmation(desk, deposit_booking.reference, "none")
    assert sent.link is None
    with desk.read() as session:
        assert session.execute(select(PaymentLink.id)).first() is None
    assert emails(desk) == [("confirmation", "elodie@example.com", None)]


async def test_deposit_already_paid_needs_no_link(desk, deposit_booking):
    collect_offline(desk, deposit_booking.reference, "30", "cash")
    sent = await send_confirmation(desk, deposit_booking.reference, "deposit")
    assert sent.link is None


async def test_no_customer_email_is_refused_with_the_reason(desk, deposit_booking):
    walk_in = add_booking(desk, name="Walk-in Wanda", email=None)
    for mode in ("deposit", "full", "none", None):
        with unchanged(desk), pytest.raises(Refused) as caught:
            await send_confirmation(desk, walk_in.reference, mode)
        assert caught.value.text("en") == (
            "Walk-in Wanda has no email address: add one to the client to send the confirmation."
        )
        assert caught.value.text("fr") == (
            "Walk-in Wanda n'a pas d'adresse email : ajoutez-en une au client pour envoyer la confirmation."
        )


async def test_bad_mode_is_refused(desk, deposit_booking):
    with unchanged(desk), pytest.raises(InvalidInput) as caught:
        await send_confirmation(desk, deposit_booking.reference, "half")
    assert caught.value.text("en") == "Unknown confirmation mode “half”: use deposit, full or none."


@pytest.mark.parametrize("mode", ["deposit", "full", "none"])
async def test_cancelled_booking_gets_no_confirmation(desk, deposit_booking, mode):
    with desk.write() as session:
        session.execute(update(Booking).values(status="cancelled"))
    with unchanged(desk), pytest.raises(Refused) as caught:
        await send_confirmation(desk, deposit_booking.reference, mode)
    assert caught.value.key == "booking.cancelled"
