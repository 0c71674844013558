"""Six bookings around FROZEN_NOW (Wednesday 1 July 2026, 10:00 in Paris) for the reservations list's queries."""

from __future__ import annotations

from datetime import UTC, datetime

from deskpay.services.desk import Desk
from tests.support.desk import add_activity, add_booking

STARTS = {
    "ten_days_ago": datetime(2026, 6, 21, 8, 0, tzinfo=UTC),
    "yesterday": datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
    "today_early": datetime(2026, 6, 30, 22, 30, tzinfo=UTC),  # 00:30 in Paris: today, already past
    "today_later": datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
    "tomorrow": datetime(2026, 7, 2, 7, 0, tzinfo=UTC),
    "next_week": datetime(2026, 7, 8, 7, 0, tzinfo=UTC),
}
PEOPLE = {
    "ten_days_ago": ("Élodie Martin", "elodie@example.com", "+33 6 12 34 56 78"),
    "yesterday": ("Marc Dupont", "marc.dupont@example.org", "04 75 88 12 34"),
    "today_early": ("Zoë Lefèvre", None, None),
    "today_later": ("Jean-Loup Œuvray", "jl@example.net", "+32 492 67 80 22"),
    "tomorrow": ("ÉLODIE Rousseau", "e.rousseau@example.com", None),
    "next_week": ("100%_Sport", "club@example.com", "06 00 00 00 01"),
}


def book_everyone(desk: Desk) -> dict[str, str]:
    """One Canoë 7 km booking for each of :data:`PEOPLE` at its :data:`STARTS`; their references by key."""
    add_activity(desk, "Canoë 7 km", price=2_000)
    refs = {}
    for key, start in STARTS.items():
        name, email, phone = PEOPLE[key]
        refs[key] = add_booking(desk, name=name, email=email, phone=phone, start=start).reference
    return refs
