"""Who may do what at the desk."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"  # may also change payment terms, record refunds, correct payments
    STAFF = "staff"
