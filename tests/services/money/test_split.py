"""Split: several links at once, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.services.money.split import split_booking
from deskpay.store.models import AuditEvent, EmailMessage
from tests.support.desk import unchanged


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


async def test_equal_split_of_the_whole_balance(desk, booking):
    emails = ["a@example.com", "b@example.com", "c@example.com"]
    outcome = await split_booking(desk, booking.reference, parts=3, emails=emails)
    assert [link.amount for link in outcome.links] == [eur(3_334), eur(3_333), eur(3_333)]
    assert [link.label for link in outcome.links] == ["Participant 1", "Participant 2", "Participant 3"]
    assert [link.recipient_email for link in outcome.links] == emails
    assert {link.purpose for link in outcome.links} == {"split"}
    assert all(link.status is LinkStatus.OPEN and link.url for link in outcome.links)
    assert outcome.emails_queued == 3
    with desk.read() as session:
        queued = session.execute(
            select(EmailMessage.to_addr, EmailMessage.kind, EmailMessage.link_id).order_by(EmailMessage.id)
        ).all()
        events = session.execute(select(AuditEvent.action).where(AuditEvent.action == "link.create")).all()
    assert queued == [(e, "split_share", link.id) for e, link in zip(emails, outcome.links, strict=True)]
    assert len(events) == 1  # one reservation for the whole split
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.pending, detail.amounts.requestable) == (eur(10_000), eur(0))


async def test_equal_split_of_a_chosen_amount_without_emails(desk, booking):
    outcome = await split_booking(desk, booking.reference, parts=2, amount="50,01", labels=["Léa", "Tom"])
    assert [(link.amount, link.label, link.recipient_email) for link in outcome.links] == [
        (eur(2_501), "Léa", None),
        (eur(2_500), "Tom", None),
    ]
    assert outcome.emails_queued == 0


async def test_custom_amounts(desk, booking):
    collect_offline(desk, booking.reference, "10", "cash")
    outcome = await split_booking(
        desk,
        booking.reference,
        amounts=["50", "25,50", Money(1_450, "EUR")],
        emails=["a@example.com", None, ""],
        send_email=True,
    )
    assert [link.amount for link in outcome.links] == [eur(5_000), eur(2_550), eur(1_450)]
    assert [link.recipient_email for link in outcome.links] == ["a@example.com", None, None]
    assert outcome.emails_queued == 1  # only the share with an address


async def test_emails_given_but_not_sent(desk, booking):
    outcome = await split_booking(
        desk, booking.reference, parts=2, emails=["a@example.com", "b@example.com"], send_email=False
    )
    assert outcome.emails_queued == 0
    assert [link.recipient_email for link in outcome.links] == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    ("kwargs", "error", "key"),
    [
        ({"parts": 3, "emails": ["a@example.com", "b@example.com"]}, InvalidInput, "split.emails_count"),
        ({"parts": 2, "labels": ["one"]}, InvalidInput, "split.labels_count"),
        (
            {"parts": 3, "emails": ["a@example.com", "b@@example.com", "c@example.com"]},
            InvalidInput,
            "email.address_invalid",
        ),
        ({"parts": 2, "labels": ["ok", "bad\x1b[31m"]}, InvalidInput, "text.control_chars"),
        ({"amounts": ["60", "40,01"]}, Refused, "split.over_requestable"),
        ({"parts": 2, "amount": "100,01"}, Refused, "split.over_requestable"),
        ({"amounts": ["50", "0"]}, InvalidInput, "amount.zero"),
        ({"amounts": ["50", "-1"]}, InvalidInput, "amount.negative"),
        ({"amounts": ["50", "cinquante"]}, InvalidInput, "amount.not_a_number"),
        ({"amounts": []}, InvalidInput, "split.no_shares"),
        ({"parts": 0}, InvalidInput, "split.bad_count"),
        ({"parts": 51}, InvalidInput, "split.bad_count"),
        ({}, InvalidInput, "split.bad_count"),
        ({"parts": 3, "amount": "0,02"}, InvalidInput, "split.zero_share"),
    ],
)
async def test_split_refusals_create_nothing(desk, booking, kwargs, error, key):
    await collect_online(desk, booking.reference, "1")  # one open link already, left alone
    with unchanged(desk), pytest.raises(error) as caught:
        await split_booking(desk, booking.reference, **kwargs)
    assert caught.value.key == key


async def test_emails_count_message(desk, booking):
    with pytest.raises(InvalidInput) as caught:
        await split_booking(desk, booking.reference, parts=3, emails=["a@example.com"])
    assert caught.value.text("en") == "1 email(s) for 3 share(s): give one per share, or none."
    assert caught.value.text("fr") == "1 email(s) pour 3 part(s) : une par part, ou aucune."


async def test_split_counts_what_is_already_pending(desk, booking):
    await collect_online(desk, booking.reference, "40")
    outcome = await split_booking(desk, booking.reference, parts=4)
    assert [link.amount for link in outcome.links] == [eur(1_500)] * 4
    with unchanged(desk), pytest.raises(Refused):
        await split_booking(desk, booking.reference, parts=1, amount="0,01")


async def test_fifty_shares(desk, booking):
    outcome = await split_booking(desk, booking.reference, parts=50)
    assert len(outcome.links) == 50
    assert sum(link.amount.minor for link in outcome.links) == 10_000
