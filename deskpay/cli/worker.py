"""``deskpay worker``: the background jobs and servers, outside the TUI.

Runs link expiry, Stripe polling, email delivery and the sandbox checkout
page (or, with ``--listen HOST:PORT``, the Stripe webhook endpoint too) until
SIGTERM or SIGINT; the job in flight finishes, servers close, the Stripe
client is closed on its own loop, and the command exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Optional

import typer

from deskpay.cli.context import cli_desk, handle_errors

log = logging.getLogger("deskpay.worker")


@handle_errors
def worker(
    listen: Optional[str] = typer.Option(
        None,
        "--listen",
        metavar="HOST:PORT",
        help="Also receive Stripe webhooks at POST /stripe/webhook on this address (needs STRIPE_WEBHOOK_SECRET).",
    ),
) -> None:
    """Run the background jobs (and the checkout page or webhook endpoint) until stopped."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The SDK logs every API request at INFO; a service log keeps Stripe's warnings and errors only.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    with cli_desk() as cli:
        cli.run(_serve(cli.desk, listen))
    log.info("worker stopped")


async def _serve(desk, listen: str | None) -> None:
    from deskpay.web.runner import build_worker  # the HTTP servers only for the worker command

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        _ = desk.provider  # a missing or malformed Stripe key is refused now, not logged every turn
        runner = build_worker(desk, listen=listen, embedded=False)
        started = asyncio.create_task(_announce(runner))
        try:
            await runner.run(stop)
        finally:
            started.cancel()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


async def _announce(runner) -> None:
    await runner.started.wait()
    served = ", ".join(f"{c.what} on {c.base_url}" for c in runner.components if getattr(c, "serving", False))
    log.info("worker started: %s%s", ", ".join(job.name for job in runner.jobs), f"; {served}" if served else "")
