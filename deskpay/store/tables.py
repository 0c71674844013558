"""The columns the reservations list reads, named in SQLAlchemy Core alone.

The list and the live poll read a dozen columns of four tables. Naming them
with lightweight ``table()``/``column()`` clauses lets a desk show its first
page before the ORM, SQLModel and the model classes are imported (about
140 ms of a launch, loaded in the background once the list is up).
``models.py`` remains the schema; a test keeps every column here in step with it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text, column, table

from deskpay.store.columns import UTCDateTime

booking = table(
    "booking",
    column("id", Integer),
    column("reference", String),
    column("activity_id", Integer),
    column("customer_id", Integer),
    column("start_at", UTCDateTime()),
    column("participants", Integer),
    column("total_minor", BigInteger),
    column("paid_minor", BigInteger),
    column("currency", String),
    column("status", String),
    column("badge", String),
    column("search_text", Text),
    column("revision", BigInteger),
)
activity = table("activity", column("id", Integer), column("name", String))
customer = table("customer", column("id", Integer), column("name", String))
counter = table("counter", column("name", String), column("value", BigInteger))
