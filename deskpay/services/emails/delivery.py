"""The delivery worker: claims queued emails, sends them, records what the server said.

How an email travels::

    queued ──claim──▶ sending ──250──▶ sent
      ▲                  │ 4xx, refused, timeout, dropped ──▶ queued again, later (backoff)
      │                  │ 5xx, recipient refused ─────────▶ failed (retry by hand: admin.retry_message)
      └── lease expired ─┘ (the worker died mid-send: sent again with the same Message-ID)

**Claims.** A message is claimed by a conditional
``UPDATE … SET status='sending' WHERE id=… AND status='queued'`` in a write
transaction (SQLite runs it inside ``BEGIN IMMEDIATE``; PostgreSQL first picks
the row with ``SELECT … FOR UPDATE SKIP LOCKED``), so several workers or TUIs
on one database never take the same message. Results are written fenced on
``claimed_by``, so a worker whose lease was taken over cannot overwrite the
newer state.

**One message in flight.** The result of a message and the claim of the next
one are one transaction, committed before the next message is sent. A worker
that dies can therefore leave at most one message unrecorded: the one it was
sending.

**Leases.** A claim older than :attr:`DeliveryPolicy.lease` is presumed dead
(a crash or a kill mid-send): the message goes back to the queue, that attempt
counted, and is sent again with its Message-ID. Delivery is at-least-once; the
only possible duplicate is the message that was in flight.

**Stopping.** Cancelling a batch (quitting the TUI, SIGTERM) or setting the
stop event lets the message in flight finish and be recorded, says QUIT, and
only then ends: no message is left half-marked.

**Threads.** The database work and the MIME building of each message run in
one thread hop, so the event loop (the TUI's) is never blocked; they do not
overlap the send, because a CPU-bound thread would hold the GIL while the
server's replies wait. See ``bench/email_throughput.py``.
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
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from deskpay.domain.errors import DeskpayError
from deskpay.domain.outbox import EmailStatus
from deskpay.services.desk import Desk
from deskpay.services.emails.mime import build_mime, check_header_value, validate_address
from deskpay.services.emails.retry_policy import DeliveryPolicy
from deskpay.services.emails.transports import (
    Outgoing,
    SendError,
    Transport,
    transport_factory,
)
from deskpay.store.columns import UTCDateTime
from deskpay.store.models import EmailMessage, table_of

log = logging.getLogger(__name__)

DELIVERY_JOB = "email.deliver"
"""The job's name: ``worker.wake(DELIVERY_JOB)`` right after queueing an email sends it at once."""
INTERRUPTED = "delivery interrupted (the worker stopped mid-send); sending again with the same Message-ID"
"""The ``last_error`` of a message whose lease expired."""

# The statements run for every message: built once, Core on the table (the ORM adds nothing here).
_OUTBOX = table_of(EmailMessage)
_C = _OUTBOX.c
_NOW = bindparam("now", type_=UTCDateTime())
# The claim is one statement: take the oldest due message if it is still queued. The pick is a
# subquery with FOR UPDATE SKIP LOCKED, so on PostgreSQL a row another worker is taking is skipped,
# not waited for; SQLite ignores the clause, its BEGIN IMMEDIATE already serialises claims.
_PICK = (
    select(_C.id)
    .where(_C.status == EmailStatus.QUEUED, or_(_C.next_attempt_at.is_(None), _C.next_attempt_at <= _NOW))
    .order_by(_C.next_attempt_at, _C.id)
    .limit(1)
    .with_for_update(skip_locked=True)
    .scalar_subquery()
)
_TAKE = (
    update(_OUTBOX)
    .where(_C.id == _PICK, _C.status == EmailStatus.QUEUED)
    .values(status=EmailStatus.SENDING, claimed_by=bindparam("worker"), claimed_at=_NOW)
    .returning(_C.id, _C.message_id, _C.to_addr, _C.subject, _C.text, _C.html, _C.attempts, _C.created_at)
)
_RECORD = (
    update(_OUTBOX)
    .where(_C.id == bindparam("message"), _C.status == EmailStatus.SENDING, _C.claimed_by == bindparam("worker"))
    .values(
        status=bindparam("outcome"),
        attempts=bindparam("tries"),
        last_error=bindparam("reply"),
        next_attempt_at=bindparam("retry_at", type_=UTCDateTime()),
        sent_at=bindparam("sent", type_=UTCDateTime()),
        claimed_by=None,
        claimed_at=None,
    )
)
_STALE = (
    select(_C.id, _C.attempts)
    .where(_C.status == EmailStatus.SENDING, _C.claimed_at < bindparam("cutoff", type_=UTCDateTime()))
    .with_for_update(skip_locked=True)
)


@dataclass
class BatchReport:
    """What one turn of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0
    """Messages whose lease had expired, put back in the queue (or failed when out of attempts)."""
    paused: bool = False
    """The turn did nothing: the server was unreachable a moment ago."""
    errors: list[str] = field(default_factory=list)
    """The failure replies of this turn, for the log."""

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass(frozen=True, slots=True)
class _Claimed:
    outgoing: Outgoing
    attempts: int
    """Attempts before this one."""
    problem: SendError | None = None
    """Set when the message could not even be built: it is recorded without being sent."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    id: int
    status: EmailStatus  # sent | queued | failed
    reply: str
    attempts: int
    retry_at: datetime | None
    unreachable: bool = False


class RateLimiter:
    """At most ``per_minute`` sends a minute from this worker, evenly spaced (0: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._clock = clock
        self._next = self._previous = 0.0

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    async def wait(self, stopping: asyncio.Event) -> bool:
        """Wait for the next slot and take it; False if ``stopping`` was set first (no slot taken)."""
        if self.enabled:
            delay = self._next - self._clock()
            if delay > 0:
                try:
                    async with asyncio.timeout(delay):
                        await stopping.wait()
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

    def __init__(
        self,
        desk: Desk,
        *,
        policy: DeliveryPolicy | None = None,
        transport: Callable[[], Transport] | None = None,
        tls_context: ssl.SSLContext | None = None,
        stop: asyncio.Event | None = None,
        rng: random.Random | None = None,
        name: str | None = None,
    ) -> None:
        """``transport`` makes the transport of a batch (default: as the settings say, SMTP or mailbox)."""
        settings = desk.settings
        self.desk = desk
        self.policy = policy or DeliveryPolicy()
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}")[:120]
        """Written in ``claimed_by``: which worker holds a message."""
        self.max_attempts = settings.smtp_max_attempts
        self.rate = RateLimiter(settings.smtp_rate_per_minute)
        self._make_transport = transport or transport_factory(settings, tls_context=tls_context)
        self._identity = (settings.smtp_from, settings.smtp_from_name or settings.business_name, settings.smtp_reply_to)
        self._stop = stop
        self._halt = asyncio.Event()
        self._rng = rng or random.Random()
        self._paused_until: datetime | None = None
        self._running = False
        # One database call at a time from this worker (a cancelled caller leaves its thread running).
        self._db = threading.Lock()

    # --- the batch ------------------------------------------------------------------------------

    async def run_batch(self) -> BatchReport:
        """Send every due message, then return. Cancelled, it finishes the message in flight first.

        One batch at a time per instance; run several instances (several workers) to send in parallel.
        """
        if self._running:
            raise RuntimeError("this Delivery is already running a batch")
        self._running = True
        try:
            return await self._guarded_batch()
        finally:
            self._running = False

    async def _guarded_batch(self) -> BatchReport:
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
                    continue  # asked again: there is still only the message in flight to finish
            if not inner.cancelled() and inner.exception() is not None:
                log.error("email delivery failed while stopping", exc_info=inner.exception())
            raise

    def _stopping(self) -> bool:
        return self._halt.is_set() or (self._stop is not None and self._stop.is_set())

    async def _batch(self) -> BatchReport:
        report = BatchReport()
        if self._paused_until is not None and self.desk.now() < self._paused_until:
            report.paused = True
            return report
        self._paused_until = None
        report.recovered = await self._in_thread(self._recover_expired)
        transport = self._make_transport()
        stopping = _AnyEvent(self._halt, self._stop)
        outcome: _Outcome | None = None
        try:
            while True:
                more = not self._stopping() and not (outcome is not None and outcome.unreachable)
                if more and self.rate.enabled:
                    if outcome is not None:  # the wait for a slot must not hold the last result back
                        await self._in_thread(self._step, outcome, False)
                        outcome = None
                    more = await self.rate.wait(stopping.event)
                if outcome is None and not more:
                    break
                claimed = await self._in_thread(self._step, outcome, more)
                outcome = None
                if claimed is None:
                    if more:
                        self.rate.refund()
                    break
                outcome = await self._attempt(transport, claimed)
                self._count(report, outcome)
                if outcome.unreachable:
                    self._paused_until = self.desk.now() + self.policy.backoff_base
        finally:
            try:
                if outcome is not None:
                    await self._in_thread(self._step, outcome, False)
            finally:
                await transport.close()
                stopping.close()
        if report.errors:
            log.warning(
                "email delivery: %d sent, %d to retry, %d failed; last error: %s",
                report.sent,
                report.retrying,
                report.failed,
                report.errors[-1],
            )
        return report

    async def _attempt(self, transport: Transport, claimed: _Claimed) -> _Outcome:
        tries = claimed.attempts + 1
        problem, reply = claimed.problem, ""
        if problem is None:
            try:
                reply = await transport.send(claimed.outgoing)
            except SendError as error:
                problem = error
            except Exception as error:  # a bug must not leave the message claimed until its lease ends
                log.exception("sending email %s failed unexpectedly", claimed.outgoing.id)
                problem = SendError(f"unexpected error: {type(error).__name__}: {error}", connection=True)
        if problem is None:
            return _Outcome(claimed.outgoing.id, EmailStatus.SENT, reply, tries, None)
        status, retry_at = self.policy.after_failure(
            permanent=problem.permanent, tries=tries, max_attempts=self.max_attempts, now=self.desk.now(), rng=self._rng
        )
        return _Outcome(claimed.outgoing.id, status, problem.reply, tries, retry_at, problem.connection)

    @staticmethod
    def _count(report: BatchReport, outcome: _Outcome) -> None:
        if outcome.status is EmailStatus.SENT:
            report.sent += 1
            return
        report.errors.append(outcome.reply)
        if outcome.status is EmailStatus.FAILED:
            report.failed += 1
        else:
            report.retrying += 1

    async def _in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        def locked() -> Any:
            with self._db:
                return function(*args)

        return await asyncio.to_thread(locked)

    # --- the database (run in a thread) ---------------------------------------------------------

    def _step(self, outcome: _Outcome | None, claim: bool) -> _Claimed | None:
        """One transaction: record the last result, then claim the next due message (if ``claim``)."""
        now = self.desk.now()
        row = None
        with self.desk.write() as session:
            if outcome is not None:
                self._record(session, outcome, now)
            if claim:
                row = self._claim(session, now)
        return self._build(row, now) if row is not None else None

    def _record(self, session: Any, outcome: _Outcome, now: datetime) -> None:
        sent = outcome.status is EmailStatus.SENT
        changed = session.execute(
            _RECORD,
            {
                "message": outcome.id,
                "worker": self.name,
                "outcome": outcome.status,
                "tries": outcome.attempts,
                "reply": "" if sent else outcome.reply[:2000],
                "retry_at": outcome.retry_at,
                "sent": now if sent else None,
            },
        ).rowcount
        if not changed:
            log.warning(
                "email %s: our claim had expired when its result (%s) came; another worker may send it again",
                outcome.id,
                outcome.status,
            )

    def _claim(self, session: Any, now: datetime) -> Any:
        return session.execute(_TAKE, {"worker": self.name, "now": now}).first()

    def _build(self, row: Any, now: datetime) -> _Claimed:
        """The exact bytes, Date and From as of now. A message that cannot be built fails unsent."""

        from_addr, from_name, reply_to = self._identity
        try:
            mime = build_mime(
                message_id=row.message_id,
                date=now,
                from_addr=from_addr,
                from_name=from_name,
                to=row.to_addr,
                reply_to=reply_to,
                subject=row.subject,
                text=row.text,
                html=row.html,
            )
            outgoing = Outgoing(
                id=row.id,
                message_id=row.message_id,
                sender=mime["From"].addresses[0].addr_spec,
                recipient=mime["To"].addresses[0].addr_spec,
                data=mime.as_bytes(),
                smtputf8=bool(getattr(mime.policy, "utf8", False)),
                created_at=row.created_at,
            )
        except Exception as error:  # the sender settings were checked at start: this message is at fault
            reason = error.text("en") if isinstance(error, DeskpayError) else f"{type(error).__name__}: {error}"
            unsent = Outgoing(row.id, row.message_id, from_addr, row.to_addr, b"", False, row.created_at)
            return _Claimed(unsent, row.attempts, SendError(f"cannot build the message: {reason}", permanent=True))
        return _Claimed(outgoing, row.attempts)

    def _recover_expired(self) -> int:
        """Put back in the queue the messages whose claim is older than the lease; that attempt counts."""
        now = self.desk.now()
        cutoff = now - self.policy.lease
        with self.desk.write() as session:
            stale = session.execute(_STALE, {"cutoff": cutoff}).all()
            for id_, attempts in stale:
                exhausted = attempts + 1 >= self.max_attempts
                session.execute(
                    update(_OUTBOX)
                    .where(_C.id == id_, _C.status == EmailStatus.SENDING, _C.claimed_at < cutoff)
                    .values(
                        status=EmailStatus.FAILED if exhausted else EmailStatus.QUEUED,
                        attempts=attempts + 1,
                        last_error=INTERRUPTED,
                        next_attempt_at=None if exhausted else now,
                        claimed_by=None,
                        claimed_at=None,
                    )
                )
        if stale:
            log.warning(
                "email delivery: %d message(s) left in 'sending' by a stopped worker, back in the queue", len(stale)
            )
        return len(stale)


class _AnyEvent:
    """One event, set as soon as any of the given ones is (the batch's halt, the worker's stop)."""

    def __init__(self, *events: asyncio.Event | None) -> None:
        self.event = asyncio.Event()
        self._watchers = [asyncio.create_task(self._watch(e)) for e in events if e is not None]

    async def _watch(self, source: asyncio.Event) -> None:
        await source.wait()
        self.event.set()

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.cancel()


def check_sender(desk: Desk) -> None:
    """Refuse, with the operator's message, sender settings no email could be built with."""

    settings = desk.settings
    validate_address(settings.smtp_from)
    check_header_value("From", settings.smtp_from_name or settings.business_name)
    if settings.smtp_reply_to is not None:
        validate_address(settings.smtp_reply_to)
