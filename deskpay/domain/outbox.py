"""An email's life in the outbox: queued, being sent, sent, or failed for good (retried by hand)."""

from __future__ import annotations

from enum import StrEnum


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def retryable(self) -> bool:
        """Only a failed email goes back in the queue: a sent one would reach the customer twice."""
        return self is EmailStatus.FAILED
