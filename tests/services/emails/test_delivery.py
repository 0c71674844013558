"""Email delivery against a real SMTP server (aiosmtpd on 127.0.0.1): TLS, AUTH, and every kind of failure.

Each test queues emails through the outbox service, runs turns of the
delivery worker, and checks both sides: what the server accepted (bytes,
envelope, connection) and what the outbox says (status, attempts, reply).
Time only moves when a test advances the desk's clock.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from datetime import timedelta

import pytest

from deskpay.domain.errors import InvalidInput
from deskpay.services.emails.delivery import Delivery
from deskpay.services.emails.outbox import retry_message
from deskpay.services.emails.retry_policy import DeliveryPolicy
from deskpay.services.emails.transports import parse_smtp_url
from tests.support.clock import FROZEN_NOW
from tests.support.smtp_server import client_context, mail_server, outbox, queue_emails

LATER = timedelta(hours=2)  # past any backoff of the first attempts and the pause after an unreachable server


async def test_plain_smtp_delivers_each_message_once_on_one_connection(make_desk, clock):
    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 3)
        report = await Delivery(desk).run_batch()

        assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
        received = server.handler.received
        assert len(received) == 3 and {item.connection for item in received} == {1}
        rows = outbox(desk)
        assert sorted(item.message_id for item in received) == sorted(rows[i].message_id for i in ids)
        for item in received:
            row = next(r for r in rows.values() if r.message_id == item.message_id)
            message = item.message
            assert item.mail_from == "resa@canoes.example" and item.rcpt_tos == (row.to_addr,)
            assert message["From"] == "Canoës de l'Ardèche <resa@canoes.example>"
            assert message["Reply-To"] == "contact@canoes.example" and message["To"] == row.to_addr
            assert message["Subject"] == row.subject
            assert email.utils.parsedate_to_datetime(message["Date"]) == FROZEN_NOW  # set at send, from the clock
            assert message.get_body(("plain",)).get_content() == row.text
            assert message.get_body(("html",)).get_content() == row.html
            assert (row.status, row.attempts, row.last_error, row.sent_at, row.claimed_by) == (
                "sent",
                1,
                "",
                FROZEN_NOW,
                None,
            )


async def test_starttls_with_auth(make_desk, ca, cert, tmp_path):
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    async with mail_server("starttls", cert=cert, auth=("resa", "s3cret")) as server:
        desk = make_desk(f"{server.url}?cafile={bundle}", smtp_password="s3cret")
        queue_emails(desk, 2)
        report = await Delivery(desk).run_batch()
        assert report.sent == 2
        assert [(item.tls, item.login) for item in server.handler.received] == [(True, "resa")] * 2


async def test_implicit_tls_with_auth(make_desk, ca, cert):
    async with mail_server("tls", cert=cert, auth=("resa", "s3cret")) as server:
        desk = make_desk(server.url, smtp_password="s3cret")
        queue_emails(desk, 2)
        report = await Delivery(desk, tls_context=client_context(ca)).run_batch()
        assert report.sent == 2
        assert [(item.tls, item.login) for item in server.handler.received] == [(True, "resa")] * 2


async def test_a_wrong_password_is_reported_on_the_message_and_the_rest_waits(make_desk, ca, cert, clock):
    async with mail_server("starttls", cert=cert, auth=("resa", "s3cret")) as server:
        desk = make_desk(server.url, smtp_password="wrong")
        first, second = queue_emails(desk, 2)
        delivery = Delivery(desk, tls_context=client_context(ca))
        report = await delivery.run_batch()

        assert (report.sent, report.retrying) == (0, 1) and server.handler.received == []
        rows = outbox(desk)
        assert rows[first].status == "queued" and rows[first].attempts == 1
        assert "refused the login 'resa'" in rows[first].last_error and "535" in rows[first].last_error
        assert rows[first].next_attempt_at > FROZEN_NOW
        assert (rows[second].status, rows[second].attempts, rows[second].last_error) == ("queued", 0, "")
        assert (await delivery.run_batch()).paused  # no hammering an unreachable server


async def test_an_untrusted_certificate_is_a_transient_failure(make_desk, cert):
    async with mail_server("tls", cert=cert) as server:
        desk = make_desk(server.url)
        (only,) = queue_emails(desk, 1)
        report = await Delivery(desk).run_batch()  # the system's trust store does not know the test CA
        assert report.retrying == 1 and server.handler.received == []
        assert "certificate" in outbox(desk)[only].last_error


async def test_server_down_then_up_delivers_everything_once(make_desk, clock):
    server = await mail_server().__aenter__()
    try:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 4)
        await server.stop()
        delivery = Delivery(desk)

        report = await delivery.run_batch()
        assert (report.sent, report.retrying) == (0, 1)
        rows = outbox(desk)
        assert f"cannot connect to 127.0.0.1:{server.port}" in rows[ids[0]].last_error
        assert [rows[i].attempts for i in ids] == [1, 0, 0, 0]

        await server.start()  # same port
        clock.advance(LATER)
        report = await delivery.run_batch()
        assert report.sent == 4
        assert sorted(server.handler.message_ids()) == sorted(rows[i].message_id for i in ids)
        rows = outbox(desk)
        assert [(rows[i].status, rows[i].attempts) for i in ids] == [("sent", 2), ("sent", 1), ("sent", 1), ("sent", 1)]
    finally:
        await server.stop()


async def test_a_4xx_is_retried_later_and_then_accepted(make_desk, clock):
    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 3)
        server.handler.data_replies.append("451 4.3.0 Temporary local problem")
        delivery = Delivery(desk)

        report = await delivery.run_batch()
        assert (report.sent, report.retrying) == (2, 1)  # the others go on in the same batch
        rows = outbox(desk)
        retry_at = rows[ids[0]].next_attempt_at
        assert (rows[ids[0]].status, rows[ids[0]].last_error) == ("queued", "451 4.3.0 Temporary local problem")
        # First backoff: 30 s with up to 50 % jitter off.
        assert FROZEN_NOW + timedelta(seconds=15) <= retry_at <= FROZEN_NOW + timedelta(seconds=30)

        assert (await delivery.run_batch()).attempted == 0  # not due yet
        clock.now = retry_at
        assert (await delivery.run_batch()).sent == 1
        assert sorted(server.handler.message_ids()) == sorted(rows[i].message_id for i in ids)
        assert (outbox(desk)[ids[0]].status, outbox(desk)[ids[0]].attempts) == ("sent", 2)


async def test_a_4xx_to_the_recipient_is_transient_too(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        (only,) = queue_emails(desk, 1)
        server.handler.rcpt_replies.append("450 4.2.0 Mailbox busy")
        assert (await Delivery(desk).run_batch()).retrying == 1
        assert (outbox(desk)[only].status, outbox(desk)[only].last_error) == ("queued", "450 4.2.0 Mailbox busy")


async def test_transient_failures_stop_after_max_attempts(make_desk, clock):
    async with mail_server() as server:
        desk = make_desk(server.url, smtp_max_attempts=3)
        (only,) = queue_emails(desk, 1)
        server.handler.data_replies.extend(["451 4.3.0 Busy"] * 3)
        delivery = Delivery(desk)
        for expected in ("queued", "queued", "failed"):
            await delivery.run_batch()
            assert outbox(desk)[only].status == expected
            clock.advance(LATER)
        row = outbox(desk)[only]
        assert (row.attempts, row.last_error, row.next_attempt_at) == (3, "451 4.3.0 Busy", None)
        assert (await delivery.run_batch()).attempted == 0 and server.handler.received == []


async def test_a_refused_recipient_fails_with_the_reply_and_can_be_retried_by_hand(make_desk, clock):
    async with mail_server() as server:
        desk = make_desk(server.url)
        bad, good = queue_emails(desk, 2, to="client{i}@example.com")
        server.handler.refused_recipients["client0@example.com"] = "550 5.1.1 <client0@example.com>: No such user"
        delivery = Delivery(desk)

        report = await delivery.run_batch()
        assert (report.sent, report.failed) == (1, 1)
        row = outbox(desk)[bad]
        assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, None)
        assert row.last_error == "550 5.1.1 <client0@example.com>: No such user"

        assert (await delivery.run_batch()).attempted == 0  # failed stays failed
        server.handler.refused_recipients.clear()  # the customer's mailbox was created
        view = retry_message(desk, bad)
        assert (view.status, view.attempts) == ("queued", 1)
        assert (await delivery.run_batch()).sent == 1
        row = outbox(desk)[bad]
        assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
        assert server.handler.message_ids().count(row.message_id) == 1
        assert outbox(desk)[good].status == "sent"


async def test_a_5xx_to_the_data_fails_the_message_only(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        first, second = queue_emails(desk, 2)
        server.handler.data_replies.append("554 5.7.1 Message rejected as spam")
        report = await Delivery(desk).run_batch()
        assert (report.failed, report.sent) == (1, 1)
        assert outbox(desk)[first].last_error == "554 5.7.1 Message rejected as spam"


async def test_a_refused_sender_holds_the_batch_instead_of_failing_every_message(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        first, second = queue_emails(desk, 2)
        server.handler.mail_replies.append("553 5.7.1 <resa@canoes.example>: Sender address rejected")
        report = await Delivery(desk).run_batch()
        assert (report.retrying, report.failed, report.sent) == (1, 0, 0)
        rows = outbox(desk)
        assert (rows[first].status, rows[first].last_error) == (
            "queued",
            "553 5.7.1 <resa@canoes.example>: Sender address rejected",
        )
        assert (rows[second].status, rows[second].attempts) == ("queued", 0)


async def test_a_connection_dropped_mid_batch_is_reopened_and_nothing_is_lost_or_doubled(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 6)
        server.handler.drop_at_mail.extend([2, 4])  # cut at MAIL FROM of the 3rd and the 5th message
        report = await Delivery(desk).run_batch()

        assert report.sent == 6 and report.errors == []
        rows = outbox(desk)
        assert sorted(server.handler.message_ids()) == sorted(rows[i].message_id for i in ids)
        assert [item.connection for item in server.handler.received] == [1, 1, 2, 2, 3, 3]
        assert {rows[i].attempts for i in ids} == {1}


async def test_a_server_that_does_not_answer_times_out(make_desk):
    async with mail_server() as server:
        desk = make_desk(f"{server.url}?timeout=0.3")
        first, second = queue_emails(desk, 2)
        server.handler.hold = asyncio.Event()  # never set: the server keeps the data and says nothing
        report = await Delivery(desk).run_batch()
        assert (report.retrying, report.sent) == (1, 0)
        row = outbox(desk)[first]
        assert row.status == "queued" and row.last_error == f"no answer from 127.0.0.1:{server.port} within 0.3 s"
        assert outbox(desk)[second].attempts == 0  # the rest waits for the next turn
        server.handler.hold.set()


async def test_the_rate_limit_spaces_the_sends(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url, smtp_rate_per_minute=600)  # one every 0.1 s
        queue_emails(desk, 4)
        started = time.monotonic()
        assert (await Delivery(desk).run_batch()).sent == 4
        assert time.monotonic() - started >= 0.3


async def test_non_ascii_addresses_need_smtputf8(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        (only,) = queue_emails(desk, 1, to="élodie@exemple.fr")
        report = await Delivery(desk).run_batch()  # aiosmtpd here does not offer SMTPUTF8
        assert report.failed == 1
        assert "SMTPUTF8" in outbox(desk)[only].last_error


async def test_an_idn_domain_goes_out_in_its_ascii_form(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        queue_emails(desk, 1, to="elodie@exemplé.fr")
        assert (await Delivery(desk).run_batch()).sent == 1
        assert server.handler.received[0].rcpt_tos == ("elodie@xn--exempl-gva.fr",)


def test_backoff_doubles_with_jitter_and_is_capped():
    import random

    policy = DeliveryPolicy(backoff_base=timedelta(seconds=30), backoff_cap=timedelta(minutes=10), jitter=0.5)
    rng = random.Random(7)
    for attempts, full in [(1, 30), (2, 60), (3, 120), (5, 480), (6, 600), (20, 600)]:
        delay = policy.backoff(attempts, rng).total_seconds()
        assert full / 2 <= delay <= full
    assert DeliveryPolicy(jitter=0).backoff(3, rng) == timedelta(seconds=120)


@pytest.mark.parametrize(
    ("url", "password", "expected"),
    [
        ("smtp://mail.example.com", None, ("mail.example.com", 25, "plain", None, None, 30.0, None)),
        (
            "smtp+starttls://resa%40canoes.example@mail.example.com:2525",
            "pw",
            ("mail.example.com", 2525, "starttls", "resa@canoes.example", "pw", 30.0, None),
        ),
        (
            "smtps://resa:inurl@mail.example.com?timeout=12.5&cafile=/etc/ca.pem",
            None,
            ("mail.example.com", 465, "tls", "resa", "inurl", 12.5, "/etc/ca.pem"),
        ),
        (
            "smtps://resa:inurl@mail.example.com",
            "fromenv",
            ("mail.example.com", 465, "tls", "resa", "fromenv", 30.0, None),
        ),
        ("SMTP+STARTTLS://mail.example.com/", None, ("mail.example.com", 587, "starttls", None, None, 30.0, None)),
    ],
)
def test_smtp_url(url, password, expected):
    config = parse_smtp_url(url, password)
    assert (
        config.host,
        config.port,
        config.security,
        config.username,
        config.password,
        config.timeout,
        config.cafile,
    ) == expected
    assert "pw" not in repr(config) and "inurl" not in repr(config) and "fromenv" not in repr(config)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://mail.example.com", "unknown scheme “http”"),
        ("smtp://", "no host name"),
        ("smtp://mail.example.com:port", "the port is not a number"),
        ("smtp://mail.example.com/inbox", "a mail server address has no path"),
        ("smtp://mail.example.com?verify=no", "unknown option “verify”"),
        ("smtp://mail.example.com?timeout=never", "timeout must be a number"),
        ("smtp://resa:secret@mail.example.com?timeout=0", "timeout must be a number"),
        ("smtp://mail.example.com?timeout=600", "timeout must be a number of seconds up to 60"),
    ],
)
def test_smtp_url_refusals(url, reason):
    with pytest.raises(InvalidInput) as caught:
        parse_smtp_url(url)
    assert reason in str(caught.value) and "secret" not in str(caught.value)
    assert caught.value.text("fr").startswith("L'adresse du serveur de messagerie")
