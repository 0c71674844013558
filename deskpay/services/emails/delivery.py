"""The delivery worker: claims queued emails, sends them, records what the server said.

How an email travels::

    queued ──claim──▶ sending ──250──▶ sent
      ▲                  │ 4xx, refused, timeout, dropped ──▶ queued again, later (backoff)
      │                  │ 5xx, recipient refused ─────────▶ failed (retry by hand: admin.retry_message)
      └── lease expired ─┘ (the worker died mid-send: sent again with the same Message-ID)

**Claims.** Each message is claimed in its own short write transaction: a
conditional ``UPDATE … SET status='sending' WHERE id=… AND status='queued'``
(SQLite runs it inside ``BEGIN IMMEDIATE``; PostgreSQL first picks the row
with ``SELECT … FOR UPDATE SKIP LOCKED``), so several workers or TUIs on one
database never take the same message. Results are written the same way,
fenced on ``claimed_by``, so a worker whose lease was taken over cannot
overwrite the newer state.

**Leases.** A claim older than :attr:`DeliveryPolicy.lease` is presumed dead
(a crash or a kill mid-send): the message goes back to the queue, that attempt
counted, and is sent again with its Message-ID. Delivery is therefore
at-least-once, and the only possible duplicate is the message that was in
flight when the worker died.

**Stopping.** Cancelling a batch (quitting the TUI, SIGTERM) or setting the
stop event lets the message in flight finish and be recorded, gives back the
message claimed in advance, says QUIT, and only then ends: no message is left
half-marked.

**Speed.** While one message is on the wire, the next one is claimed and built
in a thread (building MIME costs about as much as sending it), so a batch
runs close to the speed of a bare SMTP loop; see ``bench/email_throughput.py``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session

from deskpay.domain.errors import DeskpayError
from deskpay.services.desk import Desk
from deskpay.services.emails.transports import Outgoing, SendError, Transport, transport_factory
from deskpay.services.worker import Job
from deskpay.store.models import EmailMessage

_OUTBOX = EmailMessage.__table__  # Core statements: these run for every message, the ORM adds nothing here
_C = _OUTBOX.c

log = logging.getLogger(__name__)

DELIVERY_JOB = "email.deliver"
"""The job's name: ``worker.wake(DELIVERY_JOB)`` right after queueing an email sends it at once."""
INTERRUPTED = "delivery interrupted (the worker stopped mid-send); sending again with the same Message-ID"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How patient the worker is. The defaults suit a small business's mail relay."""

    lease: timedelta = timedelta(minutes=10)
    """A claim older than this is presumed dead; it must exceed the longest possible send."""
    backoff_base: timedelta = timedelta(seconds=30)
    """Wait after the first transient failure; doubled after each one."""
    backoff_cap: timedelta = timedelta(hours=1)
    jitter: float = 0.5
    """Each wait is drawn in [(1 - jitter) × delay, delay], so that workers do not retry in step."""
    prefetch: bool = True
    """Claim and build the next message while one is being sent (off under a rate limit)."""

    def backoff(self, attempts: int, rng: random.Random) -> timedelta:
        """The wait before attempt ``attempts + 1``, ``attempts`` (≥ 1) having failed."""
        base = self.backoff_base.total_seconds() * 2 ** min(max(attempts - 1, 0), 32)
        delay = min(base, self.backoff_cap.total_seconds())
        return timedelta(seconds=delay * (1 - self.jitter * rng.random()))


@dataclass
class BatchReport:
    """What one turn of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0
    """Messages whose lease had expired, put back in the queue (or failed if out of attempts)."""
    released: int = 0
    """Messages claimed in advance and given back unsent because the worker was stopping."""
    errors: list[str] = field(default_factory=list)
    """The failure replies of this turn, for the log."""

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass(frozen=True, slots=True)
class _Claimed:
    outgoing: Outgoing | None
    attempts: int
    """Attempts before this one."""
    problem: SendError | None = None
    """Set when the message could not even be built: recorded without being sent."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    id: int
    status: str  # sent | queued | failed
    reply: str
    attempts: int
    next_attempt_at: datetime | None
    connection_lost: bool = False


class RateLimiter:
    """At most ``per_minute`` sends a minute from this process, evenly spaced (0: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._clock = clock
        self._next = self._previous = 0.0

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    async def wait(self, stopping: asyncio.Event) -> bool:
        """Wait for the next slot and take it; False if ``stopping`` was set meanwhile (no slot taken)."""
        if not self.enabled:
            return not stopping.is_set()
        delay = self._next - self._clock()
        if delay > 0:
            try:
                async with asyncio.timeout(delay):
                    await stopping.wait()
                return False
            except TimeoutError:
                pass
        if stopping.is_set():
            return False
        self._previous = self._next
        self._next = max(self._next, self._clock() - self.interval) + self.interval
        return True

    def refund(self) -> None:
        """Give back the slot just taken: there was nothing to send with it."""
        self._next = self._previous


class Delivery:
    """Sends the due emails of one database; one instance per worker (it names the claims)."""

    def __init__(self, desk: Desk, *, policy: DeliveryPolicy | None = None,
                 transport: Callable[[], Transport] | None = None, tls_context: ssl.SSLContext | None = None,
                 stop: asyncio.Event | None = None, rng: random.Random | None = None, name: str | None = None) -> None:
        settings = desk.settings
        self.desk = desk
        self.policy = policy or DeliveryPolicy()
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}")[:120]
        self.max_attempts = settings.smtp_max_attempts
        self.rate = RateLimiter(settings.smtp_rate_per_minute)
        self._make_transport = transport or transport_factory(settings, tls_context=tls_context)
        self._stop = stop
        self._halt = asyncio.Event()
        self._rng = rng or random.Random()
        self._identity = (settings.smtp_from, settings.smtp_from_name or settings.business_name,
                          settings.smtp_reply_to)
        # One write transaction at a time from this worker: SQLite would otherwise make the
        # second one sleep in its busy handler.
        self._db = threading.Lock()
        self._paused_until: datetime | None = None
        self.batches = 0

    # --- the batch ------------------------------------------------------------------------------

    async def run_batch(self) -> BatchReport:
        """Send every due message, then return. Cancelled, it finishes the message in flight first."""
        self._halt = asyncio.Event()
        inner = asyncio.create_task(self._batch(), name=f"{DELIVERY_JOB}:{self.name}")
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            self._halt.set()
            while not inner.done():
                try:
                    await asyncio.wait({inner})
                except asyncio.CancelledError:
                    continue  # asked again: still only the message in flight to finish
            if not inner.cancelled() and inner.exception() is not None:
                log.error("email delivery failed while stopping", exc_info=inner.exception())
            raise

    def _stopping(self) -> bool:
        return self._halt.is_set() or (self._stop is not None and self._stop.is_set())

    async def _batch(self) -> BatchReport:
        report = BatchReport()
        if self._paused_until is not None and self.desk.now() < self._paused_until:
            return report
        self._paused_until = None
        self.batches += 1
        report.recovered = await self._db_call(self._recover_expired)
        transport = self._make_transport()
        stopping = _AnyEvent(self._halt, self._stop)
        prefetch = self.policy.prefetch and not self.rate.enabled
        ready: _Claimed | None = None
        ahead: asyncio.Task[_Claimed | None] | None = None
        try:
            while not self._stopping():
                if ready is None:
                    if not await self.rate.wait(stopping.event):
                        break
                    ready = await self._db_call(self._claim_next)
                    if ready is None:
                        self.rate.refund()
                        break
                if prefetch:
                    ahead = asyncio.create_task(self._db_call(self._claim_next))
                current, ready = ready, None
                outcome = await self._attempt(transport, current)
                if ahead is not None:
                    ready, ahead = await ahead, None
                await self._db_call(self._record, outcome)
                self._count(report, outcome)
                if outcome.connection_lost:
                    # The server is out of reach: the other messages wait instead of failing one by one.
                    self._paused_until = self.desk.now() + self.policy.backoff_base
                    break
        finally:
            if ahead is not None:
                ready = await _settled(ahead)
            if ready is not None:
                report.released += await self._db_call(self._release, ready)
            await transport.close()
            stopping.close()
        if report.errors:
            log.warning("email delivery: %d sent, %d to retry, %d failed; last error: %s",
                        report.sent, report.retrying, report.failed, report.errors[-1])
        return report

    async def _attempt(self, transport: Transport, claimed: _Claimed) -> _Outcome:
        now_attempts = claimed.attempts + 1
        problem = claimed.problem
        reply = ""
        if problem is None:
            assert claimed.outgoing is not None
            try:
                reply = await transport.send(claimed.outgoing)
            except SendError as error:
                problem = error
        message_id = claimed.outgoing.id if claimed.outgoing is not None else -1
        if problem is None:
            return _Outcome(message_id, "sent", reply, now_attempts, None)
        if problem.permanent or now_attempts >= self.max_attempts:
            return _Outcome(message_id, "failed", problem.reply, now_attempts, None, problem.connection)
        retry_at = self.desk.now() + self.policy.backoff(now_attempts, self._rng)
        return _Outcome(message_id, "queued", problem.reply, now_attempts, retry_at, problem.connection)

    @staticmethod
    def _count(report: BatchReport, outcome: _Outcome) -> None:
        if outcome.status == "sent":
            report.sent += 1
            return
        report.errors.append(outcome.reply)
        if outcome.status == "failed":
            report.failed += 1
        else:
            report.retrying += 1

    async def _db_call(self, function, *args):
        def locked():
            with self._db:
                return function(*args)

        return await asyncio.to_thread(locked)

    # --- the database: each function is one write transaction, run in a thread -------------------

    def _claim_next(self) -> _Claimed | None:
        """Take the oldest due message; None when there is none (or another worker took it)."""
        now = self.desk.now()
        with self.desk.write() as session:
            for _ in range(3):
                # FOR UPDATE SKIP LOCKED on PostgreSQL (another worker's pick is skipped, not waited
                # for); SQLite ignores it, its BEGIN IMMEDIATE already serialises the two statements.
                candidate = session.execute(
                    select(_C.id)
                    .where(_C.status == "queued", or_(_C.next_attempt_at.is_(None), _C.next_attempt_at <= now))
                    .order_by(_C.next_attempt_at, _C.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).scalar()
                if candidate is None:
                    return None
                row = session.execute(
                    update(_OUTBOX)
                    .where(_C.id == candidate, _C.status == "queued")
                    .values(status="sending", claimed_by=self.name, claimed_at=now)
                    .returning(_C.id, _C.message_id, _C.to_addr, _C.subject, _C.text, _C.html, _C.attempts,
                               _C.created_at)
                ).first()
                if row is not None:
                    break
            else:
                return None
        return self._prepare(row, now)

    def _prepare(self, row, now: datetime) -> _Claimed:
        """Build the exact bytes (Date, From and Reply-To as of now); a message that cannot be built fails."""
        from deskpay.services.emails.mime import build_mime

        from_addr, from_name, reply_to = self._identity
        try:
            mime = build_mime(message_id=row.message_id, date=now, from_addr=from_addr, from_name=from_name,
                              to=row.to_addr, reply_to=reply_to, subject=row.subject, text=row.text, html=row.html)
            data = mime.as_bytes()
            sender = mime["From"].addresses[0].addr_spec
            recipient = mime["To"].addresses[0].addr_spec
        except DeskpayError as error:
            # The sender settings are checked when the worker starts, so this is the message itself.
            outgoing = Outgoing(row.id, row.message_id, "", row.to_addr, b"", False, row.created_at)
            return _Claimed(outgoing, row.attempts, SendError(f"cannot build the message: {error}", permanent=True))
        outgoing = Outgoing(id=row.id, message_id=row.message_id, sender=sender, recipient=recipient, data=data,
                            smtputf8=bool(mime.policy.utf8), created_at=row.created_at)
        return _Claimed(outgoing, row.attempts)

    def _record(self, outcome: _Outcome) -> None:
        now = self.desk.now()
        values: dict = {"status": outcome.status, "attempts": outcome.attempts, "claimed_by": None,
                        "claimed_at": None, "next_attempt_at": outcome.next_attempt_at}
        if outcome.status == "sent":
            values.update(sent_at=now, last_error="")
        else:
            values.update(last_error=outcome.reply[:2000])
        with self.desk.write() as session:
            changed = session.execute(
                update(_OUTBOX)
                .where(_C.id == outcome.id, _C.status == "sending", _C.claimed_by == self.name)
                .values(**values)
            ).rowcount
        if not changed:
            log.warning("email %s: our claim expired before the result (%s) was recorded; another worker "
                        "may send it again", outcome.id, outcome.status)

    def _release(self, claimed: _Claimed) -> int:
        """Give back a message claimed in advance and never sent."""
        assert claimed.outgoing is not None
        with self.desk.write() as session:
            return session.execute(
                update(_OUTBOX)
                .where(_C.id == claimed.outgoing.id, _C.status == "sending", _C.claimed_by == self.name)
                .values(status="queued", claimed_by=None, claimed_at=None)
            ).rowcount

    def _recover_expired(self) -> int:
        """Put back in the queue the messages whose claim is older than the lease; that attempt counts."""
        now = self.desk.now()
        cutoff = now - self.policy.lease
        with self.desk.write() as session:
            stale = session.execute(
                select(_C.id, _C.attempts)
                .where(_C.status == "sending", _C.claimed_at < cutoff)
                .with_for_update(skip_locked=True)
            ).all()
            for id_, attempts in stale:
                exhausted = attempts + 1 >= self.max_attempts
                self._expire(session, id_, cutoff, now, attempts + 1, exhausted)
        if stale:
            log.warning("email delivery: %d message(s) left in 'sending' by a stopped worker, sent again", len(stale))
        return len(stale)

    @staticmethod
    def _expire(session: Session, id_: int, cutoff: datetime, now: datetime, attempts: int, exhausted: bool) -> None:
        session.execute(
            update(_OUTBOX)
            .where(_C.id == id_, _C.status == "sending", _C.claimed_at < cutoff)
            .values(status="failed" if exhausted else "queued", attempts=attempts, last_error=INTERRUPTED,
                    next_attempt_at=None if exhausted else now, claimed_by=None, claimed_at=None)
        )


class _AnyEvent:
    """One event set when any of the given ones is (the batch's halt or the worker's stop)."""

    def __init__(self, *events: asyncio.Event | None) -> None:
        self.event = asyncio.Event()
        self._watchers = [asyncio.create_task(self._watch(e)) for e in events if e is not None]

    async def _watch(self, source: asyncio.Event) -> None:
        await source.wait()
        self.event.set()

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.cancel()


async def _settled(task: asyncio.Task):
    """The task's result once it has finished, whatever happens to the caller meanwhile; None if it failed."""
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            continue
    if task.cancelled() or task.exception() is not None:
        if not task.cancelled():
            log.error("claiming the next email failed", exc_info=task.exception())
        return None
    return task.result()


def check_sender(desk: Desk) -> None:
    """Refuse, with the operator's message, sender settings no email could be built with."""
    from deskpay.services.emails.mime import check_header_value, validate_address

    settings = desk.settings
    validate_address(settings.smtp_from)
    check_header_value("From", settings.smtp_from_name or settings.business_name)
    if settings.smtp_reply_to is not None:
        validate_address(settings.smtp_reply_to)


def delivery_job(*, interval: float = 5.0, stop: asyncio.Event | None = None, policy: DeliveryPolicy | None = None,
                 transport: Callable[[], Transport] | None = None,
                 tls_context: ssl.SSLContext | None = None) -> Job:
    """The worker job that sends the outbox: every ``interval`` seconds, or at once when woken.

    ``stop`` (the worker's stop event) ends a long batch after the message in
    flight; cancelling the job's task does the same. ``transport`` and
    ``tls_context`` are for tests and special set-ups; by default the settings
    choose SMTP or the mailbox folder. Not exclusive: several workers share the
    queue through their claims.
    """
    state: dict[str, Delivery] = {}

    async def deliver(desk: Desk) -> BatchReport:
        agent = state.get("agent")
        if agent is None or agent.desk is not desk:
            check_sender(desk)
            agent = Delivery(desk, policy=policy, transport=transport, tls_context=tls_context, stop=stop)
            state["agent"] = agent
        return await agent.run_batch()

    return Job(DELIVERY_JOB, interval, deliver, exclusive=False)
