"""Reading bookings: the paged, filtered list and one booking's full sheet.

The list is a query, not a widget full of rows: filter, count and page in the
database, so 100,000 bookings cost what one page costs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlmodel import Session

from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.desk import Desk
from deskpay.services.ledger import compute_amounts, current_revision, get_booking_row
from deskpay.services.text import digits, fold
from deskpay.services.views import (
    ActivityView,
    AuditView,
    BookingDetail,
    BookingPage,
    BookingRow,
    CustomerView,
    LinkView,
    PaymentView,
)
from deskpay.store.models import Activity, AuditEvent, Booking, Customer, Payment, PaymentLink


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
    conditions = []
    walk_conditions = None  # the same filter written so that only the date index can serve it
    if query.day_from:
        conditions.append(Booking.start_at >= _local_midnight(query.day_from, tz))
    if query.day_to:
        conditions.append(Booking.start_at < _local_midnight(query.day_to + timedelta(days=1), tz))
    if query.unpaid_only:
        conditions.append(Booking.paid_minor < Booking.total_minor)
        conditions.append(Booking.status == "confirmed")
    needle = query.text.strip()[:100]
    if needle:
        words = [fold(w) for w in needle.split()]
        if len(words) == 1 and _REFERENCE.match(words[0]):
            # A reference (or its start): a range on the unique index, not a scan.
            prefix = words[0].upper()
            walk_conditions = [*conditions, Booking.reference.concat("") >= prefix,
                               Booking.reference.concat("") < prefix + "\uffff"]
            conditions.append(Booking.reference >= prefix)
            conditions.append(Booking.reference < prefix + "\uffff")
            words = []
        for word in words:
            alternatives = [Booking.search_text.like(f"%{escape_like(word)}%", escape="\\")]
            if len(digits(word)) >= 3 and len(digits(word)) == len(word.replace("+", "")):
                alternatives.append(Booking.search_text.like(f"%{digits(word)}%"))
            conditions.append(or_(*alternatives))
    limit = max(1, min(query.limit, 500))
    offset = max(query.offset, 0)
    with desk.read() as session:
        if needle:
            rows, total, exact = _text_page(session, conditions, walk_conditions or conditions, today_start,
                                            offset, limit)
        else:
            rows, exact = _browse_page(session, conditions, today_start, offset, limit), True
            total = session.execute(select(func.count()).select_from(Booking).where(*conditions)).scalar_one()
        revision = current_revision(session)
    return BookingPage(rows=tuple(rows), total_count=int(total), offset=offset, revision=revision,
                       total_is_exact=exact)


def _browse_page(session: Session, conditions: list, today_start: datetime, offset: int, limit: int,
                 upcoming: int | None = None) -> list[BookingRow]:
    """Upcoming first (today at the top, ascending), then the past, most recent first.

    Two index walks on (start_at, id) rather than one sort of every match; the
    number of upcoming matches is needed only past the first page.
    """
    is_upcoming = Booking.start_at >= today_start
    if upcoming is None and offset > 0:
        upcoming = session.execute(select(func.count()).select_from(Booking).where(*conditions, is_upcoming)).scalar_one()
    rows: list[BookingRow] = []
    if upcoming is None or offset < upcoming:
        rows += _page(session, conditions, is_upcoming, (Booking.start_at.asc(), Booking.id.asc()), offset, limit)
    if len(rows) < limit:
        past_offset = 0 if upcoming is None or offset < upcoming else offset - upcoming
        rows += _page(session, conditions, Booking.start_at < today_start,
                      (Booking.start_at.desc(), Booking.id.desc()), past_offset, limit - len(rows))
    return rows


def _text_page(session: Session, conditions: list, walk_conditions: list, today_start: datetime, offset: int,
               limit: int) -> tuple[list[BookingRow], int, bool]:
    """A text search: one scan reads the matches' (id, start); a few are sorted here, many are paged by index.

    Up to ``_EXACT_UP_TO`` matches the total is exact; beyond, it is shown as
    "1 000+", since a search that broad is refined, not scrolled to its end.
    """
    # One scan of the narrow search index reads each match's id and start, up to the bound.
    matches = session.execute(select(Booking.id, Booking.start_at).where(*conditions).limit(_EXACT_UP_TO + 1)).all()
    if len(matches) > _EXACT_UP_TO:
        # Thousands match: walking the date index finds a page of them at once, where the
        # reference index would hand over every match to be sorted.
        return _browse_page(session, walk_conditions, today_start, offset, limit), _EXACT_UP_TO, False
    upcoming = sorted((m for m in matches if m.start_at >= today_start), key=lambda m: (m.start_at, m.id))
    past = sorted((m for m in matches if m.start_at < today_start), key=lambda m: (m.start_at, m.id), reverse=True)
    wanted = [m.id for m in (upcoming + past)[offset:offset + limit]]
    found = {row.id: row for row in _page(session, [Booking.id.in_(wanted)], True, (Booking.id,), 0, len(wanted))}
    return [found[i] for i in wanted if i in found], len(matches), True


def _page(session: Session, conditions: list, side, order: tuple, offset: int, limit: int) -> list[BookingRow]:
    statement = (
        select(Booking.id, Booking.reference, Booking.start_at, Activity.name, Customer.name,
               Booking.participants, Booking.total_minor, Booking.paid_minor, Booking.currency,
               Booking.badge, Booking.status)
        .join(Activity, Activity.id == Booking.activity_id)
        .join(Customer, Customer.id == Booking.customer_id)
        .where(*conditions, side)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return [
        BookingRow(id=r[0], reference=r[1], start_at=r[2], activity=r[3], customer=r[4], participants=r[5],
                   total=Money(r[6], r[8]), paid=Money(r[7], r[8]), badge=r[9], status=r[10])
        for r in session.execute(statement)
    ]


def changed_since(desk: Desk, revision: int, references: list[str] | None = None) -> tuple[int, list[str]]:
    """The current revision and which bookings changed after ``revision``: a cheap poll for live screens."""
    with desk.read() as session:
        now_revision = current_revision(session)
        if now_revision == revision:
            return now_revision, []
        statement = select(Booking.reference).where(Booking.revision > revision)
        if references is not None:
            statement = statement.where(Booking.reference.in_(references))
        return now_revision, list(session.execute(statement.limit(1000)).scalars())


def booking_detail(desk: Desk, reference: str) -> BookingDetail:
    with desk.read() as session:
        booking = get_booking_row(session, reference)
        return detail_of(session, booking)


def detail_of(session: Session, booking: Booking) -> BookingDetail:
    customer = session.get(Customer, booking.customer_id)
    activity = session.get(Activity, booking.activity_id)
    payments = session.execute(
        select(Payment).where(Payment.booking_id == booking.id).order_by(Payment.created_at, Payment.id)
    ).scalars()
    links = session.execute(
        select(PaymentLink).where(PaymentLink.booking_id == booking.id).order_by(PaymentLink.created_at, PaymentLink.id)
    ).scalars()
    history = session.execute(
        select(AuditEvent).where(AuditEvent.booking_id == booking.id).order_by(AuditEvent.created_at.desc(),
                                                                             AuditEvent.id.desc()).limit(200)
    ).scalars()
    return BookingDetail(
        id=booking.id, reference=booking.reference, activity=activity.name, activity_id=activity.id,
        start_at=booking.start_at, participants=booking.participants, status=booking.status,
        language=booking.language, notes=booking.notes, customer=customer_view(customer),
        amounts=compute_amounts(session, booking),
        payments=tuple(payment_view(p) for p in payments),
        links=tuple(link_view(link, booking.reference) for link in links),
        history=tuple(AuditView(e.operator, e.action, json.loads(e.details or "{}"), e.created_at) for e in history),
        revision=booking.revision,
    )


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(customer.id, customer.name, customer.email, customer.phone, customer.language)


def payment_view(p: Payment) -> PaymentView:
    return PaymentView(p.id, Money(p.amount_minor, p.currency), p.kind, p.method, p.operator, p.created_at,
                       p.provider_reference, p.link_id)


def link_view(link: PaymentLink, reference: str) -> LinkView:
    return LinkView(
        id=link.id, booking_reference=reference, amount=Money(link.amount_minor, link.currency), label=link.label,
        purpose=link.purpose, recipient_email=link.recipient_email, status=LinkStatus(link.status),
        status_reason=link.status_reason, provider=link.provider, url=link.url, expires_at=link.expires_at,
        created_by=link.created_by, created_at=link.created_at, language=link.language,
    )


def list_links(desk: Desk, reference: str | None = None, status: str | None = None, limit: int = 500) -> list[LinkView]:
    with desk.read() as session:
        statement = select(PaymentLink, Booking.reference).join(Booking, Booking.id == PaymentLink.booking_id)
        if reference:
            statement = statement.where(Booking.reference == reference.strip().upper())
        if status:
            statement = statement.where(PaymentLink.status == LinkStatus(status).value)
        statement = statement.order_by(PaymentLink.created_at.desc(), PaymentLink.id.desc()).limit(limit)
        return [link_view(link, ref) for link, ref in session.execute(statement)]


def find_customers(desk: Desk, text: str, limit: int = 20) -> list[CustomerView]:
    """Customers matching every word typed, accents folded (``zoe`` finds ``Zoë``)."""
    words = [fold(word) for word in text.strip()[:100].split()]
    with desk.read() as session:
        statement = select(Customer).order_by(Customer.name).limit(limit)
        for word in words:
            pattern = f"%{escape_like(word)}%"
            # The folded keys (name, email, phone digits) live on the customer's bookings;
            # lower() in the database folds neither accents nor, on SQLite, non-ASCII case.
            via_bookings = select(Booking.customer_id).where(Booking.search_text.like(pattern, escape="\\"))
            statement = statement.where(or_(Customer.id.in_(via_bookings),
                                            func.lower(Customer.name).like(pattern, escape="\\"),
                                            func.lower(Customer.email).like(pattern, escape="\\"),
                                            Customer.phone.like(pattern, escape="\\")))
        return [customer_view(c) for c in session.execute(statement).scalars()]


def list_activities(desk: Desk) -> list[ActivityView]:
    with desk.read() as session:
        return [activity_view(a) for a in
                session.execute(select(Activity).where(Activity.active).order_by(Activity.name)).scalars()]


def activity_view(a: Activity) -> ActivityView:
    return ActivityView(a.id, a.name, a.unit_price_minor, a.currency, a.duration_minutes, a.max_participants,
                        a.terms_kind, a.terms_percent, a.terms_fixed_minor, a.start_times, a.active)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)
