"""The bookings tests' fixtures: an activity to book, and the six bookings the list's queries are tested on."""

from __future__ import annotations

import pytest

from tests.support.desk import add_activity
from tests.support.listing import book_everyone


@pytest.fixture
def activity(desk) -> int:
    """Canoë 7 km, 20.00 per participant, at most 10: its id."""
    return add_activity(desk, "Canoë 7 km", price=2_000, max_participants=10)


@pytest.fixture(scope="module")
def listing(module_desk) -> tuple:
    """The six bookings, built once for the tests that only read."""
    return module_desk, book_everyone(module_desk)


@pytest.fixture
def refs(desk) -> dict[str, str]:
    """The six bookings on a desk of the test's own, for tests that change something."""
    return book_everyone(desk)
