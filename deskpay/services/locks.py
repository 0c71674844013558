"""Jobs that must run once across several workers: a PostgreSQL advisory lock; SQLite needs none.

On SQLite every write transaction is already serialised (BEGIN IMMEDIATE),
and the jobs are idempotent, so the guard there is a no-op.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from deskpay.services.desk import Desk


def lock_key(name: str) -> int:
    return zlib.crc32(f"deskpay:{name}".encode()) & 0x7FFFFFFF


@asynccontextmanager
async def job_lock(desk: Desk, name: str, *, enabled: bool = True) -> AsyncIterator[bool]:
    if not enabled or desk.engine.dialect.name != "postgresql":
        yield True
        return
    conn = await asyncio.to_thread(desk.engine.connect)
    try:
        got = await asyncio.to_thread(
            lambda: bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(name)}).scalar())
        )
        try:
            yield got
        finally:
            if got:
                await asyncio.to_thread(
                    lambda: conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(name)})
                )
    finally:
        await asyncio.to_thread(conn.close)
