"""The web tests' fixtures: the checkout page and the webhook endpoint on free ports, and the wall clock.

Here the desk's ``clock`` is the ``wall_clock``: the checkout page, a CLI or a
worker in another process, and the Stripe double compare link expiries with
real time. It still moves only when the test moves it.
"""

from __future__ import annotations

import socket

import aiohttp
import pytest
import typer
from typer.testing import CliRunner

from deskpay.web.checkout_page import sandbox_app
from deskpay.web.runner import HttpService, webhook_service
from tests.support.clock import Clock
from tests.support.desk import add_activity
from tests.support.web import Endpoint, Page


@pytest.fixture
def clock(wall_clock) -> Clock:
    """Real time: the CLI test opens its own desk, on the real clock."""
    return wall_clock


@pytest.fixture
def shop(desk):
    """The desk with one activity to book."""
    add_activity(desk)
    return desk


@pytest.fixture
async def page(shop):
    service = HttpService("sandbox checkout page", lambda: sandbox_app(shop), "127.0.0.1:0")
    await service.start()
    async with aiohttp.ClientSession() as http:
        yield Page(service, http)
    await service.stop()


@pytest.fixture
def taken_port():
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


@pytest.fixture
def cli(shop, monkeypatch):
    """``cli("pay", ...)`` runs ``deskpay sandbox ...`` on the shop's database, in English."""
    from deskpay.cli import sandbox

    settings = shop.settings
    monkeypatch.setenv("DESKPAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DESKPAY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DESKPAY_LOCALE", "en")
    app = typer.Typer()  # main.py registers it as `deskpay sandbox`; the test mounts it the same way
    app.add_typer(sandbox.app, name="sandbox")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["sandbox", *args])


@pytest.fixture
async def endpoint(stripe_desk):
    service = webhook_service(stripe_desk, "127.0.0.1:0")
    await service.start()
    async with aiohttp.ClientSession() as http:
        yield Endpoint(service, http)
    await service.stop()
