"""The services tests' fixtures: a booking to collect on, a team of operators, the demo season.

Each subfolder (``bookings/``, ``emails/``...) adds its own; the desk itself is ``desk`` (``tests/conftest.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deskpay.config import load_settings
from deskpay.services.bookings.create import NewBooking, create_booking
from deskpay.services.bookings.customers import NewCustomer
from deskpay.services.demo import load_demo
from deskpay.services.desk import Desk, open_desk
from deskpay.store.models import Activity
from tests.support.desk import add_activity, add_booking


@pytest.fixture
def booking(desk):
    """4 × 25.00 = 100.00 of Canoë 7 km, on the business's terms: its BookingDetail."""
    add_activity(desk, "Canoë 7 km", price=2_500, max_participants=10)
    return add_booking(desk, participants=4)  # 100.00


@pytest.fixture
def deposit_booking(desk):
    """4 × 25.00 = 100.00 of Canoë 7 km, an activity asking a 30 % deposit: its BookingDetail."""
    add_activity(desk, "Canoë 7 km", price=2_500, terms_kind="deposit_percent", terms_percent=30)
    return add_booking(desk, participants=4)  # 100.00, deposit 30.00


@pytest.fixture()
def team(tmp_path, database_url):
    """``(boss, staff, reference)``: two operators' desks on one database (English), and a Kayak booking."""
    settings = load_settings(data_dir=tmp_path, locale="en", database_url=database_url)
    boss = open_desk(settings, operator="boss")
    with boss.write() as s:
        s.add(Activity(name="Kayak", unit_price_minor=3000, currency="EUR", max_participants=8))
    booking = create_booking(
        boss,
        NewBooking(
            activity="Kayak",
            start=datetime.now(UTC) + timedelta(days=2),
            participants=2,
            customer=NewCustomer("Ines", "ines@example.com"),
        ),
    )
    staff = Desk(settings=settings, engine=boss.engine, operator="tom")
    yield boss, staff, booking.reference
    boss.close()


@pytest.fixture(scope="module")
def demo_season(module_desk):
    """``(desk, summary)``: the 2,000-booking demo, loaded once per module."""
    summary = load_demo(module_desk, bookings=2_000)
    return module_desk, summary
