"""The activity log: who did what, when, on which booking, for how much."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from deskpay.domain.money import Money
from deskpay.store.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_json()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def audit(
    session: Session, *, operator: str, action: str, now: datetime, booking_id: int | None = None, **details: Any
) -> None:
    session.add(
        AuditEvent(
            operator=operator,
            action=action,
            booking_id=booking_id,
            created_at=now,
            details=json.dumps(_plain(details), ensure_ascii=False, sort_keys=True),
        )
    )
