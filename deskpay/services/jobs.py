"""The background jobs: what the worker runs, how often, and how it runs them.

The same :class:`Worker` runs in ``deskpay worker`` and, embedded, inside the
TUI. A job's failure is logged and retried at its next turn; it never stops
the others. ``wake(name)`` runs a job early (an email was just queued). Jobs
that must run once across several workers take a PostgreSQL advisory lock
(:func:`job_lock`); on SQLite every write is already serialised.

The jobs themselves: link expiry and repair, Stripe polling, email delivery."""

from __future__ import annotations

import asyncio
import logging
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text

from deskpay.domain.errors import DeskpayError
from deskpay.services.desk import Desk
from deskpay.services.emails.delivery import (
    DELIVERY_JOB,
    BatchReport,
    Delivery,
    check_sender,
)
from deskpay.services.emails.retry_policy import DeliveryPolicy
from deskpay.services.emails.transports import Transport
from deskpay.services.links.lifecycle import expire_due_links, finish_unfinished_links
from deskpay.services.settlement import POLL_JOB, poll_due_links

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    interval: float  # seconds between two runs
    run: Callable[[Desk], Awaitable[Any]]
    exclusive: bool = True  # must not run twice at once across workers (PostgreSQL advisory lock)


class Component(Protocol):
    """Something that serves while the worker runs (the sandbox page, the webhook endpoint)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Worker:
    def __init__(self, desk: Desk, jobs: Sequence[Job], components: Sequence[Component] = ()) -> None:
        self.desk = desk
        self.jobs = list(jobs)
        self.components = list(components)
        self._wakers: dict[str, asyncio.Event] = {}
        self.runs: dict[str, int] = {job.name: 0 for job in self.jobs}
        self.started = asyncio.Event()

    def wake(self, name: str | None = None) -> None:
        for job_name, event in self._wakers.items():
            if name is None or job_name == name:
                event.set()

    async def run_once(self, job: Job) -> Any:
        """One turn of ``job``, guarded so that two workers never run an exclusive job together."""
        async with job_lock(self.desk, job.name, enabled=job.exclusive) as acquired:
            if not acquired:
                return None
            result = await job.run(self.desk)
            self.runs[job.name] = self.runs.get(job.name, 0) + 1
            return result

    async def _loop(self, job: Job, stop: asyncio.Event) -> None:
        waker = self._wakers.setdefault(job.name, asyncio.Event())
        while not stop.is_set():
            try:
                await self.run_once(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s failed; it runs again in %.0f s", job.name, job.interval)
            waker.clear()
            stopper = asyncio.ensure_future(stop.wait())
            woken = asyncio.ensure_future(waker.wait())
            try:
                await asyncio.wait({stopper, woken}, timeout=job.interval, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopper.cancel()
                woken.cancel()

    async def run(self, stop: asyncio.Event) -> None:
        """Serve and loop until ``stop`` is set; a job in the middle of a turn finishes it first."""
        started: list[Component] = []
        try:
            for component in self.components:
                await component.start()
                started.append(component)
            loops = [asyncio.create_task(self._loop(job, stop), name=f"job:{job.name}") for job in self.jobs]
            self.started.set()
            await stop.wait()
            await asyncio.gather(*loops, return_exceptions=True)
        finally:
            for component in reversed(started):
                try:
                    await component.stop()
                except Exception:
                    log.exception("stopping %r failed", component)


async def _expire(desk: Desk) -> int:
    return await asyncio.to_thread(expire_due_links, desk)


async def _finish(desk: Desk) -> int:
    return await finish_unfinished_links(desk)


def desk_jobs(desk: Desk, *, stop: asyncio.Event | None = None) -> list[Job]:
    """Every job a worker runs for ``desk``: link expiry and repair, Stripe polling (provider ``stripe``), emails.

    ``stop`` is the worker's stop event: a long email batch ends after the message in flight.
    """
    jobs = link_jobs()
    if desk.settings.provider == "stripe":
        jobs.append(polling_job())
    jobs.append(delivery_job(stop=stop))
    return jobs


def link_jobs() -> list[Job]:
    return [Job("links.expire", 15.0, _expire), Job("links.finish", 60.0, _finish)]


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


def polling_job(interval: float = 5.0) -> Job:
    """The worker job: every ``interval`` seconds, the links whose check is due (fresh ones: every 10 s)."""
    return Job(POLL_JOB, interval, poll_due_links)


def delivery_job(
    *,
    interval: float = 5.0,
    stop: asyncio.Event | None = None,
    policy: DeliveryPolicy | None = None,
    transport: Callable[[], Transport] | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Job:
    """The worker job that sends the outbox: every ``interval`` seconds, or at once when woken.

    ``stop`` (the worker's stop event) ends a long batch after the message in
    flight; cancelling the job's task does the same. ``transport`` and
    ``tls_context`` are for tests and special set-ups; by default the settings
    choose SMTP or the mailbox folder. Not exclusive: several workers share the
    queue through their claims. Settings that no email can be sent with (a bad
    ``smtp_url`` or sender) are logged once and checked again at each turn.
    """
    state: dict[str, Any] = {"agent": None, "problem": None}

    async def deliver(desk: Desk) -> BatchReport:
        agent: Delivery | None = state["agent"]
        if agent is None or agent.desk is not desk:
            try:
                check_sender(desk)
                agent = Delivery(desk, policy=policy, transport=transport, tls_context=tls_context, stop=stop)
            except DeskpayError as error:
                problem = error.text("en")
                if problem != state["problem"]:
                    log.error("emails cannot be sent until the settings are fixed: %s", problem)
                state["problem"] = problem
                return BatchReport(errors=[problem])
            state["agent"], state["problem"] = agent, None
        return await agent.run_batch()

    return Job(DELIVERY_JOB, interval, deliver, exclusive=False)
