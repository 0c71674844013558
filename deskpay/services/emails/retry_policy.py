"""How patiently an email is retried: the whole policy in one place.

* which failures are permanent (:func:`is_permanent`: a 5xx reply, a refused
  recipient) and which are worth another try (4xx, a refused connection, a timeout);
* how long to wait before the next attempt (exponential backoff with jitter);
* how many attempts in all (``smtp_max_attempts``, 8 by default) before the
  message is marked failed and left for the operator to retry by hand;
* how long a claim lives before a silent worker is presumed dead (the lease).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from deskpay.domain.outbox import EmailStatus


def is_permanent(smtp_code: int) -> bool:
    """A reply the server will give again however often we ask (5xx): the message fails for good."""
    return smtp_code >= 500


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How patient the worker is. The defaults suit a small business's mail relay."""

    lease: timedelta = timedelta(minutes=10)
    """A claim older than this is presumed dead; it must exceed the longest possible send."""
    backoff_base: timedelta = timedelta(seconds=30)
    """Wait after the first transient failure, doubled after each one; also the pause after the
    server could not be reached at all."""
    backoff_cap: timedelta = timedelta(hours=1)
    jitter: float = 0.5
    """Each wait is drawn in [(1 - jitter) × delay, delay], so that workers do not retry in step."""

    def backoff(self, attempts: int, rng: random.Random) -> timedelta:
        """The wait before attempt ``attempts + 1``, ``attempts`` (≥ 1) having failed."""
        base = self.backoff_base.total_seconds() * 2 ** min(max(attempts - 1, 0), 32)
        delay = min(base, self.backoff_cap.total_seconds())
        return timedelta(seconds=delay * (1 - self.jitter * rng.random()))

    def after_failure(
        self, *, permanent: bool, tries: int, max_attempts: int, now: datetime, rng: random.Random
    ) -> tuple[EmailStatus, datetime | None]:
        """What becomes of a message whose attempt number ``tries`` failed: failed for good, or queued again later.

        A permanent refusal (5xx, recipient unknown) or the last allowed attempt
        fails it (the operator can retry it by hand); anything else waits its backoff.
        """
        if permanent or tries >= max_attempts:
            return EmailStatus.FAILED, None
        return EmailStatus.QUEUED, now + self.backoff(tries, rng)
