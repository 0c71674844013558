"""Manager-only corrections: refunds, and deleting a desk payment recorded by mistake."""

from __future__ import annotations

import json

from deskpay.domain.errors import InvalidInput, NotFound, Refused
from deskpay.domain.money import Money
from deskpay.domain.payments import PaymentKind
from deskpay.domain.text import clean_line
from deskpay.services.audit import audit
from deskpay.services.bookings.rows import lock_booking
from deskpay.services.desk import Desk
from deskpay.services.money.collect import as_money, collect_mode
from deskpay.services.money.ledger import add_payment, compute_amounts, refresh_booking
from deskpay.services.money.views import PaymentView, payment_view
from deskpay.services.operators import require_manager
from deskpay.store.engine import must_get
from deskpay.store.models import Booking, Payment


def record_refund(desk: Desk, reference: str, amount: Money | str, method: str, *, note: str = "") -> PaymentView:
    """Money given back: lowers what is paid; never more than was paid."""
    require_manager(desk, "record a refund")
    method = collect_mode(method).method
    note = clean_line(note, "Message", max_len=200)
    now = desk.now()
    with desk.write() as session:
        booking = lock_booking(session, reference, for_money=False)
        money = as_money(amount, booking.currency, desk)
        amounts = compute_amounts(session, booking)
        if money > amounts.paid:
            raise Refused("refund.over_paid", asked=money, paid=amounts.paid)
        refund = add_payment(
            session, booking, money, kind=PaymentKind.REFUND, method=method, operator=desk.operator, note=note, now=now
        )
        refresh_booking(session, booking, now)
        audit(
            session,
            operator=desk.operator,
            action="payment.refund",
            now=now,
            booking_id=booking.id,
            amount=money,
            method=method,
            note=note,
            payment_id=refund.id,
        )
        return payment_view(refund)


def delete_payment(desk: Desk, payment_id: int, *, reason: str) -> PaymentView:
    """Remove a desk payment recorded by mistake; the audit log keeps all of it."""
    require_manager(desk, "delete a payment")
    reason = clean_line(reason, "Message", max_len=200)
    if not reason:
        raise InvalidInput("payment.reason_required")
    now = desk.now()
    with desk.write() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise NotFound("payment.not_found", id=payment_id)
        if payment.provider_reference:
            raise Refused("payment.online_not_deletable", id=payment_id)
        booking = lock_booking(session, must_get(session, Booking, payment.booking_id).reference, for_money=False)
        view = payment_view(payment)
        session.delete(payment)
        session.flush()
        refresh_booking(session, booking, now)
        audit(
            session,
            operator=desk.operator,
            action="payment.delete",
            now=now,
            booking_id=booking.id,
            reason=reason,
            payment=json.loads(json.dumps(view.to_json())),
        )
        return view
