"""The worker as deskpay runs it: what build_worker assembles, the servers it runs, ``deskpay worker`` and its signals."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from deskpay.config import Settings
from deskpay.domain.errors import Refused
from deskpay.services.emails.delivery import DELIVERY_JOB
from deskpay.services.jobs import Job
from deskpay.services.money.collect import collect_online
from deskpay.services.providers.stripe import StripeProvider
from deskpay.store.models import Payment, PaymentLink
from deskpay.web.runner import DeskWorker, HttpService, build_worker
from tests.support.desk import add_activity, add_booking
from tests.support.stripe_server import signed_delivery

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

API_KEY = "sk_test_51DeskpayWorker00000000"
SECRET = "whsec_deskpay_worker_test"
STARTUP_SECONDS = 30  # a cold interpreter importing everything on a busy CI machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def job_names(worker) -> set[str]:
    return {job.name for job in worker.jobs}


# -- what is assembled --------------------------------------------------------------------------------


def test_the_sandbox_worker_serves_the_checkout_page(desk):
    worker = build_worker(desk)
    assert {"links.expire", "links.finish", DELIVERY_JOB} <= job_names(worker)
    assert "stripe.poll" not in job_names(worker)
    [page] = worker.components
    assert page.what == "sandbox checkout page" and (page.host, page.port) == ("127.0.0.1", 8765)
    assert page.required  # standalone: a taken port is an error
    assert not build_worker(desk, embedded=True).components[0].required  # embedded: another desk serves it


def test_the_stripe_worker_polls_and_serves_webhooks_when_asked(desk):
    desk.settings.provider = "stripe"
    desk.settings.stripe_webhook_secret = SecretStr(SECRET)
    assert "stripe.poll" in job_names(build_worker(desk))
    assert build_worker(desk).components == []  # no sandbox page: Stripe hosts the checkout
    [hooks] = build_worker(desk, listen="0.0.0.0:8766").components
    assert hooks.what == "Stripe webhooks" and (hooks.host, hooks.port) == ("0.0.0.0", 8766)


def test_listening_for_webhooks_needs_the_signing_secret(desk):
    with pytest.raises(Refused) as refused:
        build_worker(desk, listen="127.0.0.1:8766")
    assert refused.value.key == "stripe.no_webhook_secret"


async def test_a_stop_lets_the_job_in_flight_finish(desk):
    entered, release, finished = asyncio.Event(), asyncio.Event(), []

    async def slow(_desk) -> None:
        entered.set()
        await release.wait()
        finished.append(True)

    worker = DeskWorker(desk, [Job("slow", 60.0, slow)], [], asyncio.Event())
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await entered.wait()
    stop.set()
    await asyncio.sleep(0)  # let the stop reach the worker while the job is still in flight
    assert worker.stopping.is_set()  # jobs that take it (email delivery) end their batch early
    assert not running.done()
    release.set()
    await running
    assert finished == [True] and worker.runs["slow"] == 1


# -- the servers, running ------------------------------------------------------------------------------


async def test_the_embedded_worker_serves_the_page_until_stopped(desk):
    add_activity(desk)
    outcome = await collect_online(desk, add_booking(desk).reference, "12,00")
    with desk.read() as session:
        token = session.get(PaymentLink, outcome.links[0].id).token
    desk.settings.sandbox_bind = "127.0.0.1:0"
    worker = build_worker(desk, embedded=True)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await worker.started.wait()
    [page] = worker.components
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{page.base_url}/pay/{token}") as response:
            assert response.status == 200 and "Payer avec la carte de test" in await response.text()
        stop.set()
        await running
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.get(f"{page.base_url}/pay/{token}"):
                pass


async def test_the_stripe_worker_records_payments_by_polling_and_by_webhook(tmp_path, database_url, double, clock):
    from deskpay.services.desk import open_desk

    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        business_name="Test Canoës",
        provider="stripe",
        stripe_api_key=API_KEY,
        stripe_api_base=double.base_url,
        stripe_webhook_secret=SECRET,
    )
    desk = open_desk(settings, operator="alice", clock=clock)
    desk.use_provider(
        StripeProvider(
            API_KEY,
            success_url="https://example.com/ok",
            cancel_url="https://example.com/ko",
            api_base=double.base_url,
            timeout=2.0,
            max_retry_delay=0.01,
        )
    )
    add_activity(desk)
    polled_link = (await collect_online(desk, add_booking(desk).reference, "12,00")).links[0].id
    hooked_link = (await collect_online(desk, add_booking(desk).reference, "15,00")).links[0].id
    with desk.read() as session:
        polled, hooked = (
            session.get(PaymentLink, polled_link).provider_id,
            session.get(PaymentLink, hooked_link).provider_id,
        )

    worker = build_worker(desk, listen="127.0.0.1:0")
    turns: asyncio.Queue[int] = asyncio.Queue()
    [poll] = [job for job in worker.jobs if job.name == "stripe.poll"]
    original = poll.run

    async def observed(d):
        asked = await original(d)
        turns.put_nowait(asked)
        return asked

    poll.run = observed
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await worker.started.wait()
        double.pay(polled)
        clock.advance(seconds=10)
        asked = 0
        while not asked:  # the first turn may have run before the clock moved; the next one sees the link
            worker.wake("stripe.poll")
            asked = await asyncio.wait_for(turns.get(), 10)

        double.pay(hooked)
        [hooks] = worker.components
        body, headers = signed_delivery(double.last_event("checkout.session.completed", hooked), SECRET)
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{hooks.base_url}/stripe/webhook", data=body, headers=headers) as response:
                assert response.status == 200
    finally:
        stop.set()
        await running
        await desk.aclose()
    with desk.read() as session:
        assert sorted(session.execute(select(Payment.amount_minor)).scalars()) == [1200, 1500]
    desk.close()


async def test_a_taken_webhook_port_stops_the_worker_with_a_clear_error(desk):
    desk.settings.stripe_webhook_secret = SecretStr(SECRET)
    desk.settings.sandbox_bind = "127.0.0.1:0"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        worker = build_worker(desk, listen=f"127.0.0.1:{holder.getsockname()[1]}")
        with pytest.raises(Refused) as refused:
            await worker.run(asyncio.Event())
    assert refused.value.key == "web.port_taken"
    assert not worker.components[0].serving  # the page started first was closed again


# -- deskpay worker, as a process ---------------------------------------------------------------------

# main.py registers the command as `deskpay worker`; this mounts the same function alone.
SCRIPT = "import typer; from deskpay.cli.worker import worker; app = typer.Typer(); app.command()(worker); app()"


async def start_worker_process(settings: Settings, *args: str, **env: str):
    environment = {
        **os.environ,
        "DESKPAY_DATABASE_URL": settings.database_url,
        "DESKPAY_DATA_DIR": str(settings.data_dir),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SCRIPT,
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(stream: asyncio.StreamReader, needle: str) -> list[str]:
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(stream.readline(), STARTUP_SECONDS)).decode()
        if not line:
            raise AssertionError("the worker ended before saying " + repr(needle) + ":\n" + "".join(lines))
        lines.append(line)
        if needle in line:
            return lines


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_deskpay_worker_serves_until_signalled_and_exits_0(desk, signum):
    port = free_port()
    process = await start_worker_process(desk.settings, DESKPAY_SANDBOX_BIND=f"127.0.0.1:{port}")
    try:
        started = await read_until(process.stderr, "worker started")
        assert f"sandbox checkout page on http://127.0.0.1:{port}" in started[-1]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/pay/unknown-token-0123456789") as response:
                assert response.status == 404
        process.send_signal(signum)
        _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert "worker stopped" in stderr.decode()
    assert "Traceback" not in stderr.decode()


@pytest.mark.slow
async def test_deskpay_worker_explains_what_keeps_it_from_starting(desk):
    process = await start_worker_process(
        desk.settings,
        "--listen",
        "127.0.0.1:8766",
        DESKPAY_PROVIDER="stripe",
        DESKPAY_LOCALE="en",
        STRIPE_API_KEY=API_KEY,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == 1
    assert stderr.decode().strip().splitlines()[-1] == (
        "--listen serves Stripe webhooks: put the endpoint's signing secret (whsec_…) in STRIPE_WEBHOOK_SECRET."
    )


def test_http_service_reports_where_it_listens():
    assert HttpService("x", lambda: None, "0.0.0.0:80").base_url == "http://127.0.0.1:80"
    assert HttpService("x", lambda: None, "[::1]:8765").base_url == "http://[::1]:8765"


@pytest.mark.slow
async def test_deskpay_worker_refuses_to_start_without_a_stripe_key(desk):
    process = await start_worker_process(desk.settings, DESKPAY_PROVIDER="stripe", DESKPAY_LOCALE="en")
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    assert process.returncode == 1
    assert stderr.decode().strip().splitlines()[-1] == "provider = stripe needs STRIPE_API_KEY in the environment."
