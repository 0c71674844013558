"""The outbox around delivery: header injection refused at queue time, the mailbox folder, and the admin
functions the TUI and ``deskpay outbox`` use."""

from __future__ import annotations

import email
import email.policy
import json

import pytest
from sqlalchemy import select

from deskpay.domain.errors import InvalidInput, NotFound, Refused
from deskpay.services.bookings.confirmation import send_confirmation
from deskpay.services.emails.compose import draft_email
from deskpay.services.emails.delivery import Delivery
from deskpay.services.emails.outbox import (
    count_messages,
    get_message,
    list_messages,
    retry_message,
)
from deskpay.store.models import AuditEvent, EmailMessage
from tests.support.clock import FROZEN_NOW
from tests.support.desk import add_activity, add_booking
from tests.support.smtp_server import outbox, queue_emails, set_email


def _context() -> dict:
    return {
        "business": {"name": "Canoës", "address": "", "signature": "", "email": "resa@canoes.example", "phone": ""},
        "customer": {"name": "Élodie"},
        "booking": {
            "reference": "R-1",
            "activity": "Canoë",
            "start": "mercredi",
            "participants": 2,
            "total": "40,00 €",
            "paid": "40,00 €",
            "balance": "0,00 €",
        },
        "link": None,
        "deposit": False,
        "balance_after": "0,00 €",
        "split": None,
        "message": "",
        "payment": {"amount": "40,00 €", "method": "espèces", "when": "mercredi"},
        "tickets": None,
    }


# --- header injection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "to",
    [
        "elodie@example.com\r\nBcc: everyone@example.com",
        "elodie@example.com\nBcc: everyone@example.com",
        "elodie@example.com,\tother@example.com",
        "Élodie <elodie@example.com>",
        "elodie@example.com, other@example.com",
        "elodie@example.com\u2028Bcc: everyone@example.com",
    ],
)
def test_an_injected_recipient_is_refused_at_queue_time(to):
    with pytest.raises(InvalidInput):
        draft_email("receipt", "fr", to, _context())


@pytest.mark.parametrize(
    "subject",
    [
        "Reçu\r\nBcc: everyone@example.com",
        "Reçu\nX-Spam: no",
        "Reçu\rTo: x@example.com",
        "Reçu\x00",
        "Reçu\u2029Bcc: everyone@example.com",
    ],
)
def test_an_injected_subject_is_refused_at_queue_time(subject):
    with pytest.raises(InvalidInput) as caught:
        draft_email("receipt", "fr", "elodie@example.com", _context(), subject=subject)
    assert caught.value.key == "email.header_control"
    assert "saut de ligne" in caught.value.text("fr")


def test_a_refused_email_writes_nothing(desk):
    add_activity(desk)
    with pytest.raises(InvalidInput):
        add_booking(desk, email="elodie@example.com\r\nBcc: everyone@example.com")
    with desk.read() as session:
        assert session.execute(select(EmailMessage)).first() is None


async def test_a_row_tampered_with_after_queueing_is_still_refused_at_send(desk):
    first, second = queue_emails(desk, 2)
    set_email(desk, first, to_addr="elodie@example.com\r\nBcc: everyone@example.com")
    set_email(desk, second, subject="Reçu\r\nBcc: everyone@example.com")
    report = await Delivery(desk).run_batch()
    assert (report.failed, report.sent) == (2, 0)
    rows = outbox(desk)
    assert rows[first].last_error.startswith("cannot build the message: The email address")
    assert rows[second].last_error.startswith("cannot build the message: The “Subject” of the email")
    assert not desk.settings.mailbox_dir().exists() or not list(desk.settings.mailbox_dir().iterdir())


# --- the mailbox folder -----------------------------------------------------------------------------


async def test_without_a_mail_server_the_confirmation_lands_in_the_mailbox(desk):
    add_activity(desk)
    booking = add_booking(desk, name="Élodie Martin", email="elodie@example.com")
    await send_confirmation(desk, booking.reference)
    (row,) = outbox(desk).values()

    report = await Delivery(desk).run_batch()
    assert report.sent == 1
    files = sorted(desk.settings.mailbox_dir().iterdir())
    assert [path.name for path in files] == [f"20260701T080000Z-{row.id:06d}.eml"]  # queue time + id, no temp file

    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Message-ID"] == row.message_id
    assert message["To"] == "elodie@example.com"
    assert message["From"] == f"Test Canoës <{desk.settings.smtp_from}>"
    assert message["Subject"] == row.subject and booking.reference in message["Subject"]
    assert email.utils.parsedate_to_datetime(message["Date"]) == FROZEN_NOW
    assert booking.reference in message.get_body(("plain",)).get_content()
    assert "<html" in message.get_body(("html",)).get_content().lower()
    sent = outbox(desk)[row.id]
    assert (sent.status, sent.sent_at, sent.attempts) == ("sent", FROZEN_NOW, 1)


async def test_a_message_written_again_replaces_its_own_file(desk, clock):
    (only,) = queue_emails(desk, 1)
    await Delivery(desk).run_batch()
    set_email(desk, only, status="queued")  # as after a crash between writing and recording
    clock.advance(minutes=5)
    assert (await Delivery(desk).run_batch()).sent == 1
    files = list(desk.settings.mailbox_dir().iterdir())
    assert len(files) == 1  # named from the queue time, not the send time
    assert (
        email.utils.parsedate_to_datetime(
            email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)["Date"]
        )
        == clock.now
    )


async def test_an_unwritable_mailbox_is_a_transient_failure(desk):
    desk.settings.mailbox_dir().parent.mkdir(parents=True, exist_ok=True)
    desk.settings.mailbox_dir().write_text("not a folder")
    (only,) = queue_emails(desk, 1)
    report = await Delivery(desk).run_batch()
    assert report.retrying == 1
    row = outbox(desk)[only]
    assert row.status == "queued" and row.last_error.startswith("cannot write to the mailbox")


# --- admin ------------------------------------------------------------------------------------------


def test_list_newest_first_filtered_and_counted(desk):
    ids = queue_emails(desk, 4)
    set_email(desk, ids[1], status="failed", attempts=8, last_error="550 5.1.1 No such user")
    set_email(desk, ids[2], status="sent", attempts=1, sent_at=FROZEN_NOW)

    assert [m.id for m in list_messages(desk)] == ids[::-1]
    assert [m.id for m in list_messages(desk, limit=2)] == ids[:1:-1]
    failed = list_messages(desk, status="failed")
    assert [(m.id, m.attempts, m.last_error, m.retryable) for m in failed] == [
        (ids[1], 8, "550 5.1.1 No such user", True)
    ]
    assert failed[0].text is None and failed[0].html is None  # bodies only with get_message
    assert count_messages(desk) == {"queued": 2, "sending": 0, "sent": 1, "failed": 1}


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"status": "lost"}, "outbox.bad_status"),
        ({"limit": 0}, "outbox.bad_limit"),
        ({"limit": 100_000}, "outbox.bad_limit"),
    ],
)
def test_list_refusals(desk, kwargs, key):
    with pytest.raises(InvalidInput) as caught:
        list_messages(desk, **kwargs)
    assert caught.value.key == key and caught.value.text("fr") != caught.value.text("en")


def test_get_message_with_bodies_and_its_booking(desk):
    add_activity(desk)
    booking = add_booking(desk)
    (only,) = queue_emails(desk, 1)
    set_email(desk, only, booking_id=booking.id)
    view = get_message(desk, only)
    assert view.booking_reference == booking.reference and view.text.startswith("Bonjour 0")
    document = view.to_json()
    assert document["booking"] == booking.reference and document["html"].startswith("<p>")
    assert document["created_at"] == "2026-07-01T08:00:00Z" and document["sent_at"] is None
    with pytest.raises(NotFound) as caught:
        get_message(desk, 999)
    assert caught.value.text("fr") == "Il n'y a pas d'e-mail numéro 999 dans la file d'envoi."


def test_retry_puts_a_failed_message_back_now_and_keeps_its_attempts(desk, clock):
    (only,) = queue_emails(desk, 1)
    set_email(desk, only, status="failed", attempts=3, last_error="550 5.1.1 No such user", next_attempt_at=None)
    clock.advance(hours=1)
    view = retry_message(desk, only)
    assert (view.status, view.attempts, view.next_attempt_at, view.last_error) == (
        "queued",
        3,
        clock.now,
        "550 5.1.1 No such user",
    )
    with desk.read() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "email.retry")).scalar_one()
    assert event.operator == "alice" and json.loads(event.details)["email_id"] == only


@pytest.mark.parametrize(
    ("status", "key"),
    [("queued", "outbox.retry_pending"), ("sending", "outbox.retry_sending"), ("sent", "outbox.retry_sent")],
)
def test_retry_refuses_what_is_not_failed(desk, status, key):
    (only,) = queue_emails(desk, 1)
    set_email(desk, only, status=status)
    with pytest.raises(Refused) as caught:
        retry_message(desk, only)
    assert caught.value.key == key
    assert outbox(desk)[only].status == status
    with pytest.raises(NotFound):
        retry_message(desk, 999)
