"""The outbox: every email the desk queued and what became of it."""
