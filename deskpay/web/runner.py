"""The background worker as deskpay runs it: which jobs, which HTTP servers.

``deskpay worker`` and the TUI's embedded worker are both built here, by
:func:`build_worker`, so they cannot drift apart:

* jobs: link expiry and repair, Stripe polling (provider ``stripe``), email
  delivery;
* components: the sandbox checkout page (provider ``sandbox``, on
  ``sandbox_bind``) and the Stripe webhook endpoint (``--listen``).

An embedded worker whose sandbox port is taken (a second TUI on the same
database, whose first one serves the page) logs it and runs without the
page; a standalone worker refuses to start, since serving is its purpose.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable

from aiohttp import web

from deskpay.domain.errors import InvalidInput, Refused
from deskpay.domain.numbers import parse_count
from deskpay.services.desk import Desk
from deskpay.services.jobs import Job, Worker, desk_jobs
from deskpay.web.checkout_page import sandbox_app
from deskpay.web.webhooks import webhook_app

log = logging.getLogger(__name__)


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8766`` for IPv6) → ``(host, port)``; port 0 picks a free one."""
    host, sep, port = (bind or "").strip().rpartition(":")
    host = host.strip("[]")
    number = parse_count(port, max_digits=5)
    if not sep or not host or number is None or number > 65535:
        raise InvalidInput("web.bad_bind", bind=str(bind)[:80])
    return host, number


class HttpService:
    """An aiohttp application served on ``host:port`` while the worker runs (a worker component)."""

    def __init__(self, what: str, make_app: Callable[[], web.Application], bind: str, *, required: bool = True) -> None:
        self.what = what
        self.host, self.port = parse_bind(bind)
        self.make_app = make_app
        self.required = required
        self.serving = False
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        return f"HttpService({self.what!r}, {self.host}:{self.port})"

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    async def start(self) -> None:
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as error:
            await runner.cleanup()
            if error.errno == errno.EADDRINUSE and not self.required:
                log.warning(
                    "%s: %s:%s is already in use; another deskpay on this machine serves it, running without it",
                    self.what,
                    self.host,
                    self.port,
                )
                return
            if error.errno == errno.EADDRINUSE:
                raise Refused("web.port_taken", what=self.what, host=self.host, port=self.port) from None
            raise Refused(
                "web.cannot_listen", what=self.what, host=self.host, port=self.port, reason=error.strerror or str(error)
            ) from None
        self._runner = runner
        self.port = runner.addresses[0][1]  # the real one when 0 was asked
        self.serving = True
        log.info("%s listening on %s", self.what, self.base_url)

    async def stop(self) -> None:
        runner, self._runner, self.serving = self._runner, None, False
        if runner is not None:
            await runner.cleanup()


def sandbox_page_service(desk: Desk, *, bind: str | None = None, required: bool = True) -> HttpService:
    return HttpService(
        "sandbox checkout page", lambda: sandbox_app(desk), bind or desk.settings.sandbox_bind, required=required
    )


def webhook_service(desk: Desk, listen: str) -> HttpService:
    secret = desk.settings.stripe_webhook_secret
    if secret is None or not secret.get_secret_value().strip():
        raise Refused("stripe.no_webhook_secret")
    return HttpService("Stripe webhooks", lambda: webhook_app(desk, secret.get_secret_value()), listen)


class DeskWorker(Worker):
    """The worker, telling the jobs that accept it when it is asked to stop (a long email batch ends
    after the message in flight instead of holding the shutdown)."""

    def __init__(self, desk: Desk, jobs: list[Job], components: list[HttpService], stopping: asyncio.Event) -> None:
        super().__init__(desk, jobs, components)
        self.stopping = stopping

    async def run(self, stop: asyncio.Event) -> None:
        async def forward() -> None:
            await stop.wait()
            self.stopping.set()

        forwarding = asyncio.create_task(forward())
        try:
            await super().run(stop)
        finally:
            forwarding.cancel()


def build_worker(desk: Desk, *, listen: str | None = None, embedded: bool = False) -> Worker:
    """The worker for ``desk``'s configuration; ``listen`` (HOST:PORT) adds the Stripe webhook endpoint.

    Uses ``desk.provider`` (one Stripe client per process); whoever runs the
    worker closes it with ``desk.aclose()`` on the same loop.
    """
    stopping = asyncio.Event()
    components: list[HttpService] = []
    if desk.settings.provider != "stripe":
        components.append(sandbox_page_service(desk, required=not embedded))
    if listen:
        components.append(webhook_service(desk, listen))
    jobs = desk_jobs(desk, stop=stopping)
    return DeskWorker(desk, jobs, components, stopping)
