"""The reservations list and the live poll: what a desk reads before anything else.

The list is a query, not a widget full of rows: filter, count and page in the
database, so 100,000 bookings cost what one page costs. It is written in
SQLAlchemy Core over :mod:`deskpay.store.tables`, so that a launch paints its
first page without importing the ORM and the model classes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, func, or_, select, true

from deskpay.domain.booking import BookingStatus
from deskpay.domain.money import Money
from deskpay.domain.text import digits, escape_like, fold
from deskpay.services.bookings.views import BookingPage, BookingRow
from deskpay.services.desk import Desk
from deskpay.store.tables import activity, booking, counter, customer

if TYPE_CHECKING:  # the list reads on Core alone, before the ORM is loaded
    from sqlmodel import Session

_EXACT_UP_TO = 1_000


_REFERENCE = re.compile(r"^r-\d{4}(-\d*)?$")


@dataclass(frozen=True, slots=True)
class BookingQuery:
    """What the list shows: a text search, a local date range, unpaid only, one page."""

    text: str = ""
    day_from: date | None = None
    day_to: date | None = None  # inclusive
    unpaid_only: bool = False
    offset: int = 0
    limit: int = 100


def search_bookings(desk: Desk, query: BookingQuery) -> BookingPage:
    tz = desk.settings.tz()
    today_start = _local_midnight(desk.now().astimezone(tz).date(), tz)
    c = booking.c
    conditions = []
    walk_conditions = None  # the same filter written so that only the date index can serve it
    if query.day_from:
        conditions.append(c.start_at >= _local_midnight(query.day_from, tz))
    if query.day_to:
        conditions.append(c.start_at < _local_midnight(query.day_to + timedelta(days=1), tz))
    if query.unpaid_only:
        conditions.append(c.paid_minor < c.total_minor)
        conditions.append(c.status == BookingStatus.CONFIRMED)
    needle = query.text.strip()[:100]
    if needle:
        words = [fold(w) for w in needle.split()]
        if len(words) == 1 and _REFERENCE.match(words[0]):
            # A reference (or its start): a range on the unique index, not a scan.
            prefix = words[0].upper()
            walk_conditions = [
                *conditions,
                c.reference.concat("") >= prefix,
                c.reference.concat("") < prefix + "\uffff",
            ]
            conditions.append(c.reference >= prefix)
            conditions.append(c.reference < prefix + "\uffff")
            words = []
        for word in words:
            alternatives = [c.search_text.like(f"%{escape_like(word)}%", escape="\\")]
            if len(digits(word)) >= 3 and len(digits(word)) == len(word.replace("+", "")):
                alternatives.append(c.search_text.like(f"%{digits(word)}%"))
            conditions.append(or_(*alternatives))
    limit = max(1, min(query.limit, 500))
    offset = max(query.offset, 0)
    with desk.connect() as conn:
        if needle:
            rows, total, exact = _text_page(conn, conditions, walk_conditions or conditions, today_start, offset, limit)
        else:
            rows, exact = _browse_page(conn, conditions, today_start, offset, limit), True
            total = conn.execute(select(func.count()).select_from(booking).where(*conditions)).scalar_one()
        revision = current_revision(conn)
    return BookingPage(rows=tuple(rows), total_count=int(total), offset=offset, revision=revision, total_is_exact=exact)


def _browse_page(
    conn: Connection,
    conditions: list[ColumnElement[bool]],
    today_start: datetime,
    offset: int,
    limit: int,
    upcoming: int | None = None,
) -> list[BookingRow]:
    """Upcoming first (today at the top, ascending), then the past, most recent first.

    Two index walks on (start_at, id) rather than one sort of every match; the
    number of upcoming matches is needed only past the first page.
    """
    c = booking.c
    is_upcoming = c.start_at >= today_start
    if upcoming is None and offset > 0:
        upcoming = conn.execute(select(func.count()).select_from(booking).where(*conditions, is_upcoming)).scalar_one()
    rows: list[BookingRow] = []
    if upcoming is None or offset < upcoming:
        rows += _page(conn, conditions, is_upcoming, (c.start_at.asc(), c.id.asc()), offset, limit)
    if len(rows) < limit:
        past_offset = 0 if upcoming is None or offset < upcoming else offset - upcoming
        rows += _page(
            conn, conditions, c.start_at < today_start, (c.start_at.desc(), c.id.desc()), past_offset, limit - len(rows)
        )
    return rows


def _text_page(
    conn: Connection,
    conditions: list[ColumnElement[bool]],
    walk_conditions: list[ColumnElement[bool]],
    today_start: datetime,
    offset: int,
    limit: int,
) -> tuple[list[BookingRow], int, bool]:
    """A text search: one scan reads the matches' (id, start); a few are sorted here, many are paged by index.

    Up to ``_EXACT_UP_TO`` matches the total is exact; beyond, it is shown as
    "1 000+", since a search that broad is refined, not scrolled to its end.
    """
    # One scan of the narrow search index reads each match's id and start, up to the bound.
    matches = conn.execute(select(booking.c.id, booking.c.start_at).where(*conditions).limit(_EXACT_UP_TO + 1)).all()
    if len(matches) > _EXACT_UP_TO:
        # Thousands match: walking the date index finds a page of them at once, where the
        # reference index would hand over every match to be sorted.
        return _browse_page(conn, walk_conditions, today_start, offset, limit), _EXACT_UP_TO, False
    upcoming = sorted((m for m in matches if m.start_at >= today_start), key=lambda m: (m.start_at, m.id))
    past = sorted((m for m in matches if m.start_at < today_start), key=lambda m: (m.start_at, m.id), reverse=True)
    wanted = [m.id for m in (upcoming + past)[offset : offset + limit]]
    found = {row.id: row for row in _page(conn, [booking.c.id.in_(wanted)], true(), (booking.c.id,), 0, len(wanted))}
    return [found[i] for i in wanted if i in found], len(matches), True


def _page(
    conn: Connection,
    conditions: list[ColumnElement[bool]],
    side: ColumnElement[bool],
    order: tuple[ColumnElement[Any], ...],
    offset: int,
    limit: int,
) -> list[BookingRow]:
    c = booking.c
    statement = (
        select(
            c.id,
            c.reference,
            c.start_at,
            activity.c.name,
            customer.c.name,
            c.participants,
            c.total_minor,
            c.paid_minor,
            c.currency,
            c.badge,
            c.status,
        )
        .select_from(
            booking.join(activity, activity.c.id == c.activity_id).join(customer, customer.c.id == c.customer_id)
        )
        .where(*conditions, side)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return [
        BookingRow(
            id=r[0],
            reference=r[1],
            start_at=r[2],
            activity=r[3],
            customer=r[4],
            participants=r[5],
            total=Money(r[6], r[8]),
            paid=Money(r[7], r[8]),
            badge=r[9],
            status=r[10],
        )
        for r in conn.execute(statement)
    ]


def current_revision(conn: Connection | Session) -> int:
    """The global change counter (a Connection or a Session: both execute Core)."""
    return int(conn.execute(select(counter.c.value).where(counter.c.name == "revision")).scalar_one())


def has_bookings(desk: Desk) -> bool:
    """Whether the database holds any booking at all (one index probe, not a count)."""
    with desk.connect() as conn:
        return conn.execute(select(booking.c.id).limit(1)).first() is not None


def changed_since(desk: Desk, revision: int, references: list[str] | None = None) -> tuple[int, list[str]]:
    """The current revision and which bookings changed after ``revision``: a cheap poll for live screens."""
    with desk.connect() as conn:
        now_revision = current_revision(conn)
        if now_revision == revision:
            return now_revision, []
        statement = select(booking.c.reference).where(booking.c.revision > revision)
        if references is not None:
            statement = statement.where(booking.c.reference.in_(references))
        return now_revision, list(conn.execute(statement.limit(1000)).scalars())


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)
