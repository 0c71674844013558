"""Customers: checking what was typed, finding them, editing them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import col

from deskpay.domain.errors import InvalidInput, NotFound
from deskpay.domain.text import clean_line, clean_phone, escape_like, fold, search_key
from deskpay.services.audit import audit
from deskpay.services.bookings.views import CustomerView, customer_view
from deskpay.services.desk import Desk
from deskpay.services.emails.mime import validate_address
from deskpay.services.money.ledger import refresh_booking
from deskpay.store.models import Booking, Customer


@dataclass(frozen=True, slots=True)
class NewCustomer:
    name: str
    email: str | None = None
    phone: str | None = None
    language: str = "fr"


def check_language(lang: str) -> str:
    if lang not in ("fr", "en"):
        raise InvalidInput("booking.bad_language")
    return lang


def clean_customer(desk: Desk, data: NewCustomer) -> NewCustomer:
    email = validate_address(data.email) if data.email and data.email.strip() else None
    return NewCustomer(
        name=clean_line(data.name, "Name", max_len=200, required=True),
        email=email,
        phone=clean_phone(data.phone),
        language=check_language(data.language),
    )


def customer_search_key(reference: str, customer: Customer) -> str:
    return search_key(reference, customer.name, customer.email, customer.phone)


def edit_customer(desk: Desk, customer_id: int, data: NewCustomer) -> None:
    """Update a customer and the search keys of their bookings."""
    clean = clean_customer(desk, data)
    now = desk.now()
    with desk.write() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("customer.not_found", id=customer_id)
        before = {"name": customer.name, "email": customer.email, "phone": customer.phone}
        customer.name, customer.email, customer.phone, customer.language = (
            clean.name,
            clean.email,
            clean.phone,
            clean.language,
        )
        session.add(customer)
        bookings = session.execute(select(Booking).where(col(Booking.customer_id) == customer.id)).scalars().all()
        for booking in bookings:
            booking.search_text = customer_search_key(booking.reference, customer)
            session.add(booking)
            refresh_booking(session, booking, now)
        audit(
            session,
            operator=desk.operator,
            action="customer.edit",
            now=now,
            booking_id=bookings[-1].id if bookings else None,
            before=before,
            after={"name": clean.name, "email": clean.email, "phone": clean.phone},
        )


def find_customers(desk: Desk, text: str, limit: int = 20) -> list[CustomerView]:
    """Customers matching every word typed, accents folded (``zoe`` finds ``Zoë``)."""
    words = [fold(word) for word in text.strip()[:100].split()]
    with desk.read() as session:
        statement = select(Customer).order_by(col(Customer.name)).limit(limit)
        for word in words:
            pattern = f"%{escape_like(word)}%"
            # The folded keys (name, email, phone digits) live on the customer's bookings;
            # lower() in the database folds neither accents nor, on SQLite, non-ASCII case.
            via_bookings = select(col(Booking.customer_id)).where(col(Booking.search_text).like(pattern, escape="\\"))
            statement = statement.where(
                or_(
                    col(Customer.id).in_(via_bookings),
                    func.lower(col(Customer.name)).like(pattern, escape="\\"),
                    func.lower(col(Customer.email)).like(pattern, escape="\\"),
                    col(Customer.phone).like(pattern, escape="\\"),
                )
            )
        return [customer_view(c) for c in session.execute(statement).scalars()]
