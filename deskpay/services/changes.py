"""Noticing changes made by other desks: LISTEN/NOTIFY on PostgreSQL, a revision check on SQLite.

Every money change bumps the global revision (see ``money.ledger``); on PostgreSQL
it also notifies ``deskpay_changes`` with the booking reference, delivered
when its transaction commits. :class:`ChangeWatcher` blocks (in a thread)
until a notification comes or the timeout passes; callers then ask
``listing.changed_since`` what changed, so both databases share one path.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from deskpay.services.desk import Desk

if TYPE_CHECKING:
    import psycopg

CHANNEL = "deskpay_changes"
log = logging.getLogger(__name__)


def notify_change(session: Session, reference: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :reference)"), {"channel": CHANNEL, "reference": reference})


class ChangeWatcher:
    """``wait(timeout)`` returns True when another process may have changed something."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._conn: psycopg.Connection[Any] | None = None
        self.listening = False

    def _connect(self) -> None:
        import psycopg  # the PostgreSQL driver, only on a PostgreSQL desk

        url = make_url(self.desk.settings.resolved_database_url())
        params: dict[str, Any] = {
            k: v
            for k, v in {
                "host": url.host,
                "port": url.port,
                "user": url.username,
                "password": url.password,
                "dbname": url.database,
            }.items()
            if v is not None
        }
        self._conn = psycopg.connect(autocommit=True, connect_timeout=5, **params)
        self._conn.execute(f"LISTEN {CHANNEL}")
        self.listening = True

    def wait(self, timeout: float) -> bool:
        if self.desk.engine.dialect.name != "postgresql":
            return True  # SQLite: nothing to listen to; the caller's revision check is the signal
        try:
            if self._conn is None or self._conn.closed:
                self._connect()
            assert self._conn is not None
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except Exception as error:  # a restarted server: reconnect on the next call, check meanwhile
            log.warning("change notifications interrupted (%s); reconnecting", type(error).__name__)
            self.close()
            return True

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
        self._conn = None
        self.listening = False
