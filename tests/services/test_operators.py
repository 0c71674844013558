"""Managers and staff: who may refund, delete a payment, change terms, manage operators; all audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from deskpay.domain.errors import InvalidInput, NotFound, Refused
from deskpay.domain.money import Money
from deskpay.domain.terms import PaymentTerms
from deskpay.services.bookings.activities import set_activity_terms
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.money.collect import collect_offline
from deskpay.services.money.corrections import delete_payment, record_refund
from deskpay.services.operators import (
    check_not_own_email,
    current_operator,
    save_operator,
)
from deskpay.services.settlement import record_provider_payment
from deskpay.store.models import Activity, AuditEvent, Payment


def test_one_person_shop_is_manager_until_operators_exist(team):
    boss, staff, _ = team
    assert current_operator(staff).role == "manager"
    with pytest.raises(Refused, match="first operator"):
        save_operator(staff, "tom", "staff")
    save_operator(boss, "boss", "manager", "boss@example.com")
    assert current_operator(staff).role == "staff"
    assert current_operator(boss).role == "manager"
    with pytest.raises(Refused, match="Only a manager"):
        save_operator(staff, "tom", "manager")
    save_operator(boss, "tom", "staff", "tom@example.com")
    with pytest.raises(InvalidInput):
        save_operator(boss, "eve", "owner")


def test_staff_cannot_refund_delete_or_change_terms(team):
    boss, staff, reference = team
    save_operator(boss, "boss", "manager")
    payment = collect_offline(staff, reference, "20", "cash")
    with pytest.raises(Refused, match="record a refund"):
        record_refund(staff, reference, "5", "cash")
    with pytest.raises(Refused, match="delete a payment"):
        delete_payment(staff, payment.id, reason="typo")
    with pytest.raises(Refused, match="change payment terms"):
        set_activity_terms(staff, "Kayak", PaymentTerms("full"))
    assert booking_detail(boss, reference).amounts.paid == Money(2000, "EUR")


def test_manager_refund_lowers_paid_and_is_bounded(team):
    boss, _, reference = team
    save_operator(boss, "boss", "manager")
    collect_offline(boss, reference, "20", "card")
    with pytest.raises(Refused, match="more than"):
        record_refund(boss, reference, "20.01", "card")
    refund = record_refund(boss, reference, "7,50", "card", note="one less")
    assert refund.kind == "refund" and refund.amount == Money(750, "EUR")
    detail = booking_detail(boss, reference)
    assert detail.amounts.paid == Money(1250, "EUR") and detail.amounts.balance == Money(4750, "EUR")
    assert detail.history[0].action == "payment.refund" and detail.history[0].operator == "boss"


def test_manager_deletes_a_desk_payment_but_not_an_online_one(team):
    boss, _, reference = team
    save_operator(boss, "boss", "manager")
    cash = collect_offline(boss, reference, "10", "cash")
    with pytest.raises(InvalidInput):
        delete_payment(boss, cash.id, reason="  ")
    delete_payment(boss, cash.id, reason="entered twice")
    with pytest.raises(NotFound):
        delete_payment(boss, cash.id, reason="again")
    with boss.read() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "payment.delete")).scalar_one()
        assert json.loads(event.details)["payment"]["amount"] == 1000
    import asyncio

    from deskpay.services.money.collect import collect_online

    link = asyncio.run(collect_online(boss, reference, "15")).links[0]
    online = record_provider_payment(
        boss, provider="sandbox", payment_reference="pi_1", amount=link.amount, link_id=link.id
    )
    with pytest.raises(Refused, match="refund instead"):
        delete_payment(boss, online.payment_id, reason="no")
    with boss.read() as s:
        assert s.execute(select(func.count()).select_from(Payment)).scalar_one() == 1


def test_manager_changes_activity_terms(team):
    boss, _, _ = team
    set_activity_terms(boss, "Kayak", PaymentTerms("deposit_fixed", fixed_minor=1500))
    with boss.read() as s:
        kayak = s.execute(select(Activity).where(Activity.name == "Kayak")).scalar_one()
        assert (kayak.terms_kind, kayak.terms_fixed_minor) == ("deposit_fixed", 1500)
    set_activity_terms(boss, "Kayak", None)
    with pytest.raises(NotFound):
        set_activity_terms(boss, "Paddle", None)


def test_link_to_the_operators_own_email_is_refused(team):
    boss, _, _ = team
    save_operator(boss, "boss", "manager", "Boss@Example.com")
    with pytest.raises(Refused, match="your own address"):
        check_not_own_email(boss, "boss@example.com")
    check_not_own_email(boss, "ines@example.com")
    check_not_own_email(boss, None)
