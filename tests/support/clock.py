"""The one clock of the test suite: it only moves when the test says so.

``Clock()`` starts at :data:`FROZEN_NOW`; ``Clock.at_wall_time()`` starts at
the real time (for what compares expiries with it: the Stripe double and
SDK, the checkout page, a CLI or a worker in another process). The ``clock``
and ``wall_clock`` fixtures (``tests/conftest.py``) hand one to each test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Mid-season Wednesday 1 July 2026, 10:00 in Paris: every test starts at the same moment.
FROZEN_NOW = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A clock that only moves when the test says so: ``clock()`` is now, ``clock.advance(...)`` moves it."""

    def __init__(self, start: datetime = FROZEN_NOW) -> None:
        self.now = start

    @classmethod
    def at_wall_time(cls) -> Clock:
        """A clock set to the real time (to the second), then moving only when told."""
        return cls(datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now
