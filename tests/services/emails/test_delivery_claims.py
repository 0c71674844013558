"""Claims, leases and stopping: several workers on one database, a worker dying mid-send, a worker asked to stop.

Run on SQLite and, when DESKPAY_TEST_DATABASE_URL names one, on PostgreSQL
(the ``database_url`` fixture: skipped with its reason without it, failing on CI).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from deskpay.services.emails.delivery import DELIVERY_JOB, INTERRUPTED, Delivery
from deskpay.services.emails.retry_policy import DeliveryPolicy
from deskpay.services.emails.transports import Outgoing, SmtpTransport, parse_smtp_url
from deskpay.services.jobs import Worker, delivery_job
from tests.support.smtp_server import mail_server, outbox, queue_emails

LEASE = timedelta(minutes=10)


async def test_two_workers_on_one_database_send_each_message_once(make_desk):
    async with mail_server() as server:
        # Each worker has its own engine and connections, as another process or TUI would.
        desks = [make_desk(server.url) for _ in range(3)]
        ids = queue_emails(desks[0], 40)
        workers = [Delivery(desk, name=f"worker-{n}") for n, desk in enumerate(desks)]

        reports = await asyncio.gather(*(worker.run_batch() for worker in workers))

        assert sum(report.sent for report in reports) == 40
        assert all(report.errors == [] for report in reports)
        rows = outbox(desks[0])
        assert Counter(server.handler.message_ids()) == Counter(rows[i].message_id for i in ids)  # each once
        assert {row.status for row in rows.values()} == {"sent"}


async def test_a_message_claimed_by_a_live_worker_is_left_alone(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        (only,) = queue_emails(desk, 1)
        server.handler.hold = asyncio.Event()  # the first worker is in the middle of sending it
        sending = asyncio.create_task(Delivery(desk, name="worker-1").run_batch())
        await server.handler.data_started.wait()

        other = await Delivery(make_desk(server.url), name="worker-2").run_batch()
        assert other.attempted == 0 and other.recovered == 0
        assert outbox(desk)[only].claimed_by == "worker-1"

        server.handler.hold.set()
        assert (await sending).sent == 1
        assert len(server.handler.received) == 1


class _Crash(BaseException):
    """The worker process dies: nothing after this line of the worker runs."""


class _DyingTransport(SmtpTransport):
    """Hands the message to the server, then dies before the worker can record that it did."""

    async def send(self, outgoing: Outgoing) -> str:
        await super().send(outgoing)
        raise _Crash()


async def test_a_worker_dying_mid_send_leaves_one_message_resent_with_the_same_message_id(make_desk, clock):
    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 3)
        config = parse_smtp_url(server.url)
        dying = Delivery(desk, name="dying", transport=lambda: _DyingTransport(config))
        with pytest.raises(_Crash):
            await dying.run_batch()
        rows = outbox(desk)
        crashed = rows[ids[0]]
        assert (crashed.status, crashed.claimed_by) == ("sending", "dying")
        assert [rows[i].status for i in ids[1:]] == ["queued", "queued"]  # nothing else was claimed

        survivor = Delivery(make_desk(server.url), name="survivor", policy=DeliveryPolicy(lease=LEASE))
        report = await survivor.run_batch()
        assert (report.sent, report.recovered) == (2, 0)  # the lease still runs: the crashed one waits
        clock.advance(LEASE + timedelta(seconds=1))
        report = await survivor.run_batch()
        assert (report.sent, report.recovered) == (1, 1)

        row = outbox(desk)[ids[0]]
        assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
        counts = Counter(server.handler.message_ids())
        assert counts[crashed.message_id] == 2  # the only duplicate: the message in flight, same Message-ID
        assert [counts[rows[i].message_id] for i in ids[1:]] == [1, 1]


async def test_an_expired_lease_with_no_attempts_left_fails(make_desk, clock):
    async with mail_server() as server:
        desk = make_desk(server.url, smtp_max_attempts=1)
        (only,) = queue_emails(desk, 1)
        config = parse_smtp_url(server.url)
        with pytest.raises(_Crash):
            await Delivery(desk, transport=lambda: _DyingTransport(config)).run_batch()
        clock.advance(LEASE + timedelta(seconds=1))
        report = await Delivery(desk).run_batch()
        assert (report.recovered, report.attempted) == (1, 0)
        row = outbox(desk)[only]
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, INTERRUPTED)


async def test_cancelling_the_batch_finishes_the_message_in_flight(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 3)
        server.handler.hold = asyncio.Event()
        batch = asyncio.create_task(Delivery(desk).run_batch())
        await server.handler.data_started.wait()

        batch.cancel()  # quitting the TUI
        await asyncio.sleep(0)
        assert not batch.done()  # still waiting for the server's answer
        server.handler.hold.set()
        with pytest.raises(asyncio.CancelledError):
            await batch

        rows = outbox(desk)
        assert [rows[i].status for i in ids] == ["sent", "queued", "queued"]
        assert [rows[i].claimed_by for i in ids] == [None, None, None]
        assert len(server.handler.received) == 1


async def test_the_stop_event_ends_a_long_batch_after_the_message_in_flight(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 5)
        stop = asyncio.Event()
        server.handler.hold = asyncio.Event()
        batch = asyncio.create_task(Delivery(desk, stop=stop).run_batch())
        await server.handler.data_started.wait()
        stop.set()
        server.handler.hold.set()
        report = await batch
        assert report.sent == 1
        assert [row.status for row in outbox(desk).values()].count("queued") == len(ids) - 1


async def test_the_stop_event_interrupts_a_rate_limit_wait(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url, smtp_rate_per_minute=1)  # one a minute
        queue_emails(desk, 2)
        stop = asyncio.Event()
        delivery = Delivery(desk, stop=stop)
        batch = asyncio.create_task(delivery.run_batch())
        await server.handler.wait_for(1)
        stop.set()
        async with asyncio.timeout(5):
            report = await batch
        assert report.sent == 1
        assert sorted(row.status for row in outbox(desk).values()) == ["queued", "sent"]


async def test_the_job_in_a_worker_sends_when_woken(make_desk):
    async with mail_server() as server:
        desk = make_desk(server.url)
        stop = asyncio.Event()
        worker = Worker(desk, [delivery_job(interval=3600, stop=stop)])  # only a wake-up can send
        running = asyncio.create_task(worker.run(stop))
        await worker.started.wait()
        while worker.runs[DELIVERY_JOB] == 0:  # the first turn, on an empty outbox
            await asyncio.sleep(0.01)

        queue_emails(desk, 2)
        worker.wake(DELIVERY_JOB)
        await server.handler.wait_for(2)
        stop.set()
        await asyncio.wait_for(running, 5)
        assert {row.status for row in outbox(desk).values()} == {"sent"}


async def test_the_job_refuses_a_sender_no_email_can_carry(make_desk, caplog):
    async with mail_server() as server:
        desk = make_desk(server.url, business_name="Canoës\r\nBcc: everyone@example.com")
        queue_emails(desk, 1)
        job = delivery_job()
        report = await job.run(desk)
        await job.run(desk)
        assert report.attempted == 0 and "line break" in report.errors[0]
        assert [row.status for row in outbox(desk).values()] == ["queued"]  # nothing claimed, nothing sent
        assert server.handler.mail_commands == 0
        assert len([r for r in caplog.records if "cannot be sent" in r.getMessage()]) == 1  # said once


_WORKER_PROCESS = """
import asyncio, sys
from deskpay.config import Settings
from deskpay.services.desk import open_desk
from deskpay.services.emails.delivery import Delivery

settings = Settings(data_dir=sys.argv[1], database_url=sys.argv[2], smtp_url=sys.argv[3],
                    smtp_from="resa@canoes.example")
asyncio.run(Delivery(open_desk(settings, operator="killed"), name="killed").run_batch())
"""


async def test_a_worker_process_killed_mid_send_is_taken_over_after_the_lease(make_desk, clock, tmp_path):
    import signal
    import sys
    from datetime import UTC, datetime

    async with mail_server() as server:
        desk = make_desk(server.url)
        ids = queue_emails(desk, 2)
        server.handler.hold = asyncio.Event()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _WORKER_PROCESS,
            str(tmp_path / "data"),
            desk.settings.resolved_database_url(),
            server.url,
        )
        try:
            async with asyncio.timeout(30):
                await server.handler.data_started.wait()  # the server has the message, not yet said so
            process.send_signal(signal.SIGKILL)
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        server.handler.hold.set()  # its 250 goes to nobody
        rows = outbox(desk)
        assert [(rows[i].status, rows[i].claimed_by) for i in ids] == [("sending", "killed"), ("queued", None)]

        clock.now = datetime.now(UTC) + LEASE + timedelta(seconds=1)  # the killed process claimed in real time
        report = await Delivery(desk, name="survivor").run_batch()
        assert (report.recovered, report.sent) == (1, 2)
        counts = Counter(server.handler.message_ids())
        assert counts == Counter({rows[ids[0]].message_id: 2, rows[ids[1]].message_id: 1})
        assert {row.status for row in outbox(desk).values()} == {"sent"}
