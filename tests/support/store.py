"""Rows written straight to the store, below the services (for the store's own tests)."""

from __future__ import annotations

from deskpay.store.models import Booking
from tests.support.clock import FROZEN_NOW

#: The moment every row of the store tests is dated.
T0 = FROZEN_NOW


def booking_row(activity_id: int, customer_id: int, reference: str = "R-2026-000001", **extra) -> Booking:
    values = {
        "reference": reference,
        "activity_id": activity_id,
        "customer_id": customer_id,
        "start_at": T0,
        "participants": 2,
        "total_minor": 4_000,
        "currency": "EUR",
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(extra)
    return Booking(**values)
