"""Creating and editing bookings and customers: what is stored, and refusals that store nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from deskpay.domain.errors import InvalidInput, NotFound, Refused
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.bookings.create import NewBooking, create_booking
from deskpay.services.bookings.customers import NewCustomer, edit_customer
from deskpay.services.bookings.edit import edit_booking
from deskpay.services.bookings.listing import current_revision
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.store.models import AuditEvent, Booking, Customer
from tests.support.clock import FROZEN_NOW
from tests.support.desk import add_activity, add_booking, unchanged


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def new_booking(**changes) -> NewBooking:
    values = {
        "activity": "Canoë 7 km",
        "start": FROZEN_NOW + timedelta(days=3),
        "participants": 2,
        "customer": NewCustomer(name="Élodie Martin", email="elodie@example.com", phone="+33 6 12 34 56 78"),
    }
    values.update(changes)
    return NewBooking(**values)


def revision(desk) -> int:
    with desk.read() as session:
        return current_revision(session)


# --- create_booking ---------------------------------------------------------------------------------------


def test_create_booking_stores_everything(desk, activity):
    detail = create_booking(desk, new_booking())
    assert detail.reference == "R-2026-000001"
    assert detail.activity == "Canoë 7 km" and detail.participants == 2
    assert detail.amounts.total == eur(4_000) and detail.amounts.paid == eur(0)
    assert detail.customer.name == "Élodie Martin" and detail.customer.email == "elodie@example.com"
    assert detail.start_at == FROZEN_NOW + timedelta(days=3)
    assert [(h.operator, h.action) for h in detail.history] == [("alice", "booking.create")]
    assert detail.history[0].details["total"] == {"amount": 4_000, "currency": "EUR"}
    with desk.read() as session:
        booking = session.execute(select(Booking)).scalar_one()
    assert (booking.paid_minor, booking.pending_minor, booking.badge) == (0, 0, "unpaid")
    assert booking.search_text == (
        "r-2026-000001 elodie martin elodie@example.com +33 6 12 34 56 78 2026000001 33612345678"
    )
    assert booking.revision == revision(desk) == 1


def test_references_count_per_year_of_the_start(desk, activity):
    refs = [create_booking(desk, new_booking()).reference for _ in range(2)]
    refs.append(create_booking(desk, new_booking(start=datetime(2027, 1, 2, 9, 0, tzinfo=UTC))).reference)
    assert refs == ["R-2026-000001", "R-2026-000002", "R-2027-000001"]


def test_reference_year_is_the_local_year(desk, activity):
    # 23:30 UTC on 31 December is already 1 January in Paris.
    detail = create_booking(desk, new_booking(start=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)))
    assert detail.reference == "R-2027-000001"


def test_naive_start_is_read_in_the_business_timezone(desk, activity):
    detail = create_booking(desk, new_booking(start=datetime(2026, 7, 4, 14, 0)))
    assert detail.start_at == datetime(2026, 7, 4, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert detail.start_at == datetime(2026, 7, 4, 12, 0, tzinfo=UTC)


def test_explicit_total_and_existing_customer(desk, activity):
    first = create_booking(desk, new_booking())
    second = create_booking(desk, new_booking(customer=first.customer.id, total="35,50", language="en"))
    assert second.amounts.total == eur(3_550)
    assert second.customer == first.customer
    assert second.language == "en"
    with desk.read() as session:
        assert len(session.execute(select(Customer)).all()) == 1


def test_activity_found_by_a_unique_part_of_its_name(desk, activity):
    add_activity(desk, "Kayak 24 km", price=3_800)
    assert create_booking(desk, new_booking(activity="kayak")).activity == "Kayak 24 km"
    assert create_booking(desk, new_booking(activity=activity)).activity == "Canoë 7 km"


def test_customer_without_email_or_phone(desk, activity):
    detail = create_booking(desk, new_booking(customer=NewCustomer(name="Walk-in", email="  ", phone="")))
    assert (detail.customer.email, detail.customer.phone) == (None, None)


@pytest.mark.parametrize(
    ("changes", "error", "key"),
    [
        ({"activity": "Parapente"}, NotFound, "activity.not_found"),
        ({"activity": 999}, NotFound, "activity.not_found"),
        ({"participants": 0}, InvalidInput, "booking.participants"),
        ({"participants": 11}, InvalidInput, "booking.participants"),
        ({"participants": -3}, InvalidInput, "booking.participants"),
        ({"participants": 2.0}, InvalidInput, "booking.participants"),
        ({"customer": 999}, NotFound, "customer.not_found"),
        ({"customer": NewCustomer(name="A", email="not-an-email")}, InvalidInput, "email.address_invalid"),
        (
            {"customer": NewCustomer(name="A", email="a@example.com\r\nBcc: x@example.com")},
            InvalidInput,
            "email.address_control",
        ),
        ({"customer": NewCustomer(name="A", phone="call me")}, InvalidInput, "phone.invalid"),
        ({"customer": NewCustomer(name="A", phone="12")}, InvalidInput, "phone.invalid"),
        ({"customer": NewCustomer(name="   ")}, InvalidInput, "text.required"),
        ({"customer": NewCustomer(name="x" * 10_000)}, InvalidInput, "text.too_long"),
        ({"customer": NewCustomer(name="Élodie\x00")}, InvalidInput, "text.control_chars"),
        ({"customer": NewCustomer(name="Élodie\u202eniraM")}, InvalidInput, "text.control_chars"),
        ({"customer": NewCustomer(name="Élodie\nMartin")}, InvalidInput, "text.control_chars"),
        ({"customer": NewCustomer(name="A", language="de")}, InvalidInput, "booking.bad_language"),
        ({"language": "es"}, InvalidInput, "booking.bad_language"),
        ({"notes": "n" * 2_001}, InvalidInput, "text.too_long"),
        ({"notes": "bell\x07"}, InvalidInput, "text.control_chars"),
        ({"start": FROZEN_NOW + timedelta(days=732)}, InvalidInput, "booking.start_range"),
        ({"start": FROZEN_NOW - timedelta(days=732)}, InvalidInput, "booking.start_range"),
        ({"total": "abc"}, InvalidInput, "amount.not_a_number"),
        ({"total": "0"}, InvalidInput, "amount.zero"),
        ({"total": "-5"}, InvalidInput, "amount.negative"),
        ({"total": "100000,01"}, InvalidInput, "amount.above_ceiling"),
        ({"total": Money(10**12, "EUR")}, InvalidInput, "amount.above_ceiling"),
        ({"total": Money(4_000, "USD")}, InvalidInput, "amount.wrong_currency"),
    ],
)
def test_create_booking_refusals_write_nothing(desk, activity, changes, error, key):
    create_booking(desk, new_booking())  # something already there, to see it is left alone
    with unchanged(desk), pytest.raises(error) as caught:
        create_booking(desk, new_booking(**changes))
    assert caught.value.key == key
    assert caught.value.text("en") != key and caught.value.text("fr") != key


def test_participants_refusal_names_the_limit(desk, activity):
    with pytest.raises(InvalidInput) as caught:
        create_booking(desk, new_booking(participants=11))
    assert caught.value.text("en") == "Participants: between 1 and 10 for Canoë 7 km."
    assert caught.value.text("fr") == "Participants : entre 1 et 10 pour Canoë 7 km."


def test_a_refused_booking_does_not_use_up_a_reference(desk, activity):
    with pytest.raises(InvalidInput):
        create_booking(desk, new_booking(total="abc"))
    assert create_booking(desk, new_booking()).reference == "R-2026-000001"


def test_start_range_is_two_years_either_way(desk, activity):
    assert create_booking(desk, new_booking(start=FROZEN_NOW + timedelta(days=730))).reference
    assert create_booking(desk, new_booking(start=FROZEN_NOW - timedelta(days=730))).reference


# --- edit_booking -----------------------------------------------------------------------------------------


async def test_fewer_participants_lowers_the_total_and_cancels_links_that_no_longer_fit(desk, activity, clock):
    booking = add_booking(desk, participants=5)  # 100.00
    await collect_online(desk, booking.reference, "30")
    clock.advance(minutes=1)
    await collect_online(desk, booking.reference, "40")
    clock.advance(minutes=1)
    await collect_online(desk, booking.reference, "20")  # 90.00 pending
    outcome = await edit_booking(desk, booking.reference, participants=3)  # total 60.00
    assert outcome.booking.amounts.total == eur(6_000)
    # Newest first: 20 then 40 go; 30 fits in the new balance and stays.
    assert [link.amount for link in outcome.cancelled_links] == [eur(4_000), eur(2_000)]
    states = {link.amount.minor: link.status for link in outcome.booking.links}
    assert states == {3_000: LinkStatus.OPEN, 4_000: LinkStatus.CANCELLED, 2_000: LinkStatus.CANCELLED}
    assert outcome.booking.amounts.pending == eur(3_000)
    assert outcome.booking.amounts.requestable == eur(3_000)
    edit = next(h for h in outcome.booking.history if h.action == "booking.edit")
    assert edit.details["before"] == {"participants": 5, "total": {"amount": 10_000, "currency": "EUR"}}
    assert edit.details["after"] == {"participants": 3, "total": {"amount": 6_000, "currency": "EUR"}}
    assert sorted(edit.details["cancelled_links"]) == sorted(link.id for link in outcome.cancelled_links)


async def test_edit_keeps_a_negotiated_total(desk, activity):
    booking = add_booking(desk, participants=2, total="35")
    outcome = await edit_booking(desk, booking.reference, participants=4)
    assert outcome.booking.participants == 4
    assert outcome.booking.amounts.total == eur(3_500)  # not unit price × 4: it was set by hand


async def test_edit_total_notes_and_start(desk, activity):
    booking = add_booking(desk)
    start = datetime(2026, 8, 1, 9, 30)
    outcome = await edit_booking(desk, booking.reference, total="55", notes="Two kids\r\nlife jackets", start=start)
    detail = outcome.booking
    assert detail.amounts.total == eur(5_500)
    assert detail.notes == "Two kids\nlife jackets"
    assert detail.start_at == datetime(2026, 8, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert outcome.cancelled_links == ()


async def test_total_below_paid_is_refused(desk, activity):
    booking = add_booking(desk, participants=3)  # 60.00
    collect_offline(desk, booking.reference, "50", "cash")
    with unchanged(desk), pytest.raises(InvalidInput) as caught:
        await edit_booking(desk, booking.reference, total="49,99")
    assert caught.value.text("en") == "The new total €49.99 is below what was already paid (€50.00)."
    with unchanged(desk), pytest.raises(InvalidInput):
        await edit_booking(desk, booking.reference, participants=2)  # 40.00 < 50.00 paid


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"participants": 0}, "booking.participants"),
        ({"participants": 11}, "booking.participants"),
        ({"total": "zéro"}, "amount.not_a_number"),
        ({"total": Money(0, "EUR")}, "amount.zero"),
        ({"notes": "x" * 2_001}, "text.too_long"),
        ({"start": FROZEN_NOW + timedelta(days=800)}, "booking.start_range"),
    ],
)
async def test_edit_refusals_change_nothing(desk, activity, changes, key):
    booking = add_booking(desk)
    await collect_online(desk, booking.reference, "10")
    with unchanged(desk), pytest.raises(InvalidInput) as caught:
        await edit_booking(desk, booking.reference, **changes)
    assert caught.value.key == key


async def test_edit_of_unknown_or_cancelled_booking(desk, activity):
    booking = add_booking(desk)
    with unchanged(desk), pytest.raises(NotFound):
        await edit_booking(desk, "R-2026-999999", participants=1)
    with desk.write() as session:
        session.execute(select(Booking)).scalar_one().status = "cancelled"
    with unchanged(desk), pytest.raises(Refused) as caught:
        await edit_booking(desk, booking.reference, participants=1)
    assert caught.value.key == "booking.cancelled"


# --- edit_customer ----------------------------------------------------------------------------------------


def test_edit_customer_updates_search_keys_of_every_booking(desk, activity):
    first = add_booking(desk)
    second = create_booking(desk, new_booking(customer=first.customer.id))
    revision_before = revision(desk)
    edit_customer(
        desk,
        first.customer.id,
        NewCustomer(name="Zoé Lefèvre", email="zoe@example.org", phone="04 75 00 11 22", language="en"),
    )
    with desk.read() as session:
        keys = dict(session.execute(select(Booking.reference, Booking.search_text)).all())
        customer = session.get(Customer, first.customer.id)
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "customer.edit")).scalar_one()
    assert keys == {
        ref: f"{ref.lower()} zoe lefevre zoe@example.org 04 75 00 11 22 {ref[2:].replace('-', '')} 0475001122"
        for ref in (first.reference, second.reference)
    }
    assert (customer.name, customer.email, customer.phone, customer.language) == (
        "Zoé Lefèvre",
        "zoe@example.org",
        "04 75 00 11 22",
        "en",
    )
    assert event.operator == "alice"
    assert '"before": {"email": "elodie@example.com", "name": "Élodie Martin"' in event.details
    assert revision(desk) > revision_before
    assert booking_detail(desk, second.reference).customer.name == "Zoé Lefèvre"


@pytest.mark.parametrize(
    ("customer_id", "data", "key"),
    [
        (999, NewCustomer(name="Zoé"), "customer.not_found"),
        (1, NewCustomer(name=""), "text.required"),
        (1, NewCustomer(name="Zoé", email="zoe@"), "email.address_invalid"),
        (1, NewCustomer(name="Zoé", phone="+33 six"), "phone.invalid"),
        (1, NewCustomer(name="Zoé", language="it"), "booking.bad_language"),
    ],
)
def test_edit_customer_refusals_change_nothing(desk, activity, customer_id, data, key):
    add_booking(desk)
    with unchanged(desk), pytest.raises((InvalidInput, NotFound)) as caught:
        edit_customer(desk, customer_id, data)
    assert caught.value.key == key


def test_activity_lookup_refuses_inactive_wildcards_and_boolean_counts(desk):
    """An inactive activity cannot be booked; '%' is a character, not a wildcard; True is not a count."""
    from deskpay.domain.errors import InvalidInput, NotFound
    from deskpay.store.models import Activity

    add_activity(desk, "Kayak 100% fun")
    add_activity(desk, "Old tour")
    with desk.write() as session:
        old = session.execute(select(Activity).where(Activity.name == "Old tour")).scalar_one()
        old.active = False
        session.add(old)
    with unchanged(desk):
        with pytest.raises(NotFound):
            add_booking(desk, "Old tour")
        with pytest.raises(NotFound):
            add_booking(desk, "_")
        with pytest.raises(InvalidInput):
            add_booking(desk, "Kayak 100% fun", participants=True)
    assert add_booking(desk, "100% fun").activity == "Kayak 100% fun"
