"""The activity log records every action; emails are queued in the same transaction as the action."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from deskpay.domain.errors import DeskpayError, Refused
from deskpay.domain.money import Money
from deskpay.services.bookings import confirmation
from deskpay.services.bookings.confirmation import send_confirmation
from deskpay.services.bookings.customers import NewCustomer, edit_customer
from deskpay.services.bookings.edit import edit_booking
from deskpay.services.links import sending as links
from deskpay.services.links.lifecycle import (
    cancel_link,
    expire_due_links,
    regenerate_link,
)
from deskpay.services.links.sending import send_link_email
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.services.money.split import split_booking
from deskpay.services.settlement import record_provider_payment
from deskpay.store.models import AuditEvent, EmailMessage
from tests.support.desk import add_activity, add_booking, db_state, unchanged


def events(desk) -> list[tuple]:
    with desk.read() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    return [(e.operator, e.action, e.booking_id, e.created_at, json.loads(e.details)) for e in rows]


async def test_every_action_leaves_an_audit_event(desk, deposit_booking, clock):
    expected = [("alice", "booking.create")]
    collect_offline(desk, deposit_booking.reference, "10", "cash")
    expected.append(("alice", "payment.record"))
    link = (await collect_online(desk, deposit_booking.reference, "20")).links[0]
    expected.append(("alice", "link.create"))
    send_link_email(desk, link.id, to="papa@example.org")
    expected.append(("alice", "link.email"))
    await cancel_link(desk, link.id, reason="typo")
    expected.append(("alice", "link.cancel"))
    sent = await send_confirmation(desk, deposit_booking.reference)
    expected.append(("alice", "link.create"))
    await send_confirmation(desk, deposit_booking.reference)  # resend: the same link
    expected.append(("alice", "confirmation.send"))
    clock.advance(hours=24)
    expire_due_links(desk)
    expected.append(("system", "link.expire"))
    await regenerate_link(desk, sent.link.id)
    expected.append(("alice", "link.create"))
    await split_booking(desk, deposit_booking.reference, parts=2, amount="20")
    expected.append(("alice", "link.create"))
    record_provider_payment(
        desk, provider="sandbox", payment_reference="pi_1", amount=Money(2_000, "EUR"), link_id=sent.link.id
    )
    expected.append(("system", "payment.online"))
    await edit_booking(desk, deposit_booking.reference, notes="Life jackets: 2 S, 2 M")
    expected.append(("alice", "booking.edit"))
    edit_customer(desk, deposit_booking.customer.id, NewCustomer(name="Élodie Martin-Roux", email="elodie@example.com"))
    expected.append(("alice", "customer.edit"))

    log = events(desk)
    assert [(operator, action) for operator, action, *_ in log] == expected
    assert {booking_id for _, _, booking_id, _, _ in log} == {deposit_booking.id}
    assert log[-1][3] == clock()  # stamped with the desk's clock, not the machine's
    assert log[1][4]["amount"] == {"amount": 1_000, "currency": "EUR"} and log[1][4]["method"] == "cash"
    assert log[4][4]["reason"] == "typo"


async def test_refusals_leave_no_audit_event_and_no_email(desk, deposit_booking):
    state = db_state(desk)
    for call in (
        lambda: collect_online(desk, deposit_booking.reference, "100,01", send_email=True),
        lambda: split_booking(desk, deposit_booking.reference, parts=2, emails=["a@example.com", "bad"]),
        lambda: send_confirmation(desk, deposit_booking.reference, "sometimes"),
    ):
        with pytest.raises(DeskpayError):
            await call()
    assert db_state(desk) == state


class Boom(Exception):
    pass


def _explode(*args, **kwargs):
    raise Boom


async def test_link_email_is_rolled_back_with_its_action(desk, deposit_booking, monkeypatch):
    link = (await collect_online(desk, deposit_booking.reference, "20")).links[0]
    monkeypatch.setattr(links, "refresh_booking", _explode)  # fails after the email is queued
    with unchanged(desk), pytest.raises(Boom):
        send_link_email(desk, link.id, to="papa@example.org")


async def test_confirmation_email_is_rolled_back_with_its_action(desk, deposit_booking, monkeypatch):
    await send_confirmation(desk, deposit_booking.reference)
    monkeypatch.setattr(confirmation, "audit", _explode)  # the resend fails after queueing
    with unchanged(desk), pytest.raises(Boom):
        await send_confirmation(desk, deposit_booking.reference)


async def test_emails_are_queued_only_once_the_link_exists(desk, deposit_booking):
    outcome = await collect_online(desk, deposit_booking.reference, "20", send_email=True)
    with desk.read() as session:
        email = session.execute(select(EmailMessage)).scalar_one()
    assert email.link_id == outcome.links[0].id and outcome.links[0].url in email.text


async def test_no_email_without_a_customer_address(desk):
    add_activity(desk, "Canoë 7 km", price=2_500)
    walk_in = add_booking(desk, email=None)
    with unchanged(desk), pytest.raises(Refused):
        await collect_online(desk, walk_in.reference, "20", send_email=True)
