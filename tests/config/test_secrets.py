"""No secret — Stripe key, webhook secret, SMTP password — ever shows in logs, the database, the screen or JSON.

One realistic run with all three set: a Stripe link created from the CLI (``--json``), the worker polling
Stripe and delivering email over SMTP with AUTH, webhooks signed and forged, the TUI on screen, every
logger at DEBUG. Then every byte that came out is searched for the secrets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from typer.testing import CliRunner

from deskpay.cli.main import app as cli
from deskpay.config import load_settings
from deskpay.services.desk import open_desk
from deskpay.store.models import EmailMessage
from tests.support.desk import add_activity, add_booking
from tests.support.smtp_server import mail_server
from tests.support.stripe_server import StripeDouble, signed_delivery

STRIPE_KEY = "sk_test_SECRETstripekey0123456789"
WEBHOOK_SECRET = "whsec_SECREThook0123456789"
SMTP_PASSWORD = "SECRETsmtp-pass-0123"
SECRETS = (STRIPE_KEY, WEBHOOK_SECRET, SMTP_PASSWORD, "SECRETstripekey", "SECREThook", "SECRETsmtp")


@pytest.mark.slow
async def test_secrets_never_leave_the_process(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    async with StripeDouble() as stripe, mail_server(auth=("desk", SMTP_PASSWORD)) as mail:
        env = {
            "DESKPAY_DATA_DIR": str(tmp_path),
            "DESKPAY_PROVIDER": "stripe",
            "STRIPE_API_KEY": STRIPE_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "DESKPAY_STRIPE_API_BASE": stripe.base_url,
            "DESKPAY_SMTP_URL": mail.url,
            "DESKPAY_SMTP_PASSWORD": SMTP_PASSWORD,
            "DESKPAY_LOCALE": "en",
            "DESKPAY_OPERATOR": "desk",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        desk = open_desk(load_settings())
        add_activity(desk, "Kayak", price=3_000)
        reference = add_booking(desk, "Kayak", email="guest@example.com").reference
        runner = CliRunner()
        outputs: list[str] = []

        def run(*args: str) -> str:
            result = runner.invoke(cli, list(args))
            outputs.append(result.output)
            assert result.exit_code == 0, result.output
            return result.stdout

        # The CLI, in JSON, in a worker thread (it runs its own event loop).
        created = json.loads(
            await asyncio.to_thread(
                run,
                "collect",
                reference,
                "--amount",
                "20",
                "--mode",
                "online",
                "--email",
                "guest@example.com",
                "--json",
            )
        )
        session_id = next(iter(stripe.sessions))
        assert created["links"][0]["url"] == stripe.sessions[session_id]["url"]
        for args in (
            ("bookings", "show", reference, "--json"),
            ("links", "list", "--json"),
            ("config", "show", "--json"),
            ("config", "show"),
            ("outbox", "list", "--json"),
        ):
            await asyncio.to_thread(run, *args)

        # The worker: email over SMTP with AUTH, Stripe polled, a webhook with a forged and a good signature.
        from deskpay.services.emails.delivery import Delivery
        from deskpay.services.settlement import reconcile_link
        from deskpay.web.webhooks import webhook_app

        await Delivery(desk).run_batch()
        assert mail.handler.received and mail.handler.received[0].login == "desk"
        stripe.pay(session_id)
        await reconcile_link(desk, created["links"][0]["id"])
        event = stripe.last_event("checkout.session.completed", session_id)
        async with TestClient(TestServer(webhook_app(desk, WEBHOOK_SECRET))) as http:
            body, headers = signed_delivery(event, "whsec_forged")
            forged = await http.post("/stripe/webhook", data=body, headers=headers)
            outputs.append(await forged.text())
            body, headers = signed_delivery(event, WEBHOOK_SECRET)
            good = await http.post("/stripe/webhook", data=body, headers=headers)
            outputs.append(await good.text())
        assert (forged.status, good.status) == (400, 200)
        await Delivery(desk).run_batch()  # the receipt

        # The screen: the sheet of that booking, banner and all.
        from deskpay.tui.app import DeskpayApp

        tui = DeskpayApp(desk, start_worker=False)
        async with tui.run_test(size=(120, 40)) as pilot:
            tui.open_booking(reference)
            await pilot.pause(0.5)
            screen = tui.export_screenshot()
        assert reference in screen and "STRIPE" in screen.upper()
        await desk.aclose()

        with desk.read() as session:
            assert session.execute(select(EmailMessage.status)).scalars().all() == ["sent", "sent"]
        desk.close()

    database = "\n".join(sqlite3.connect(tmp_path / "deskpay.sqlite3").iterdump())
    mailed = b"".join(item.data for item in mail.handler.received).decode("utf-8", "replace")
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert len(caplog.records) > 20, "the run should have logged something to search"
    places = {"database": database, "emails": mailed, "logs": logged, "cli": "\n".join(outputs), "screen": screen}
    for name, text in places.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in the {name}"
