"""Background jobs: periodic tasks and long-running components, stopped cleanly.

The same :class:`Worker` runs in ``deskpay worker`` and, embedded, inside the
TUI. A job's failure is logged and retried at its next turn; it never stops
the others. ``wake(name)`` runs a job early (an email was just queued).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from deskpay.services.desk import Desk

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
        from deskpay.services.locks import job_lock

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
    from deskpay.services.links import expire_due_links

    return await asyncio.to_thread(expire_due_links, desk)


async def _finish(desk: Desk) -> int:
    from deskpay.services.links import finish_unfinished_links

    return await finish_unfinished_links(desk)


def link_jobs() -> list[Job]:
    return [Job("links.expire", 15.0, _expire), Job("links.finish", 60.0, _finish)]
