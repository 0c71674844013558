"""The soak: four desks × 500 mixed operations against Stripe (the double), a real SMTP server and a real
``deskpay worker``, while customers pay, Stripe answers 500 now and then and webhooks arrive twice.

At the end: every payment Stripe took is recorded exactly once and nothing else was recorded as online;
no link was paid twice; no Checkout Session was created twice for a link; every email was delivered
exactly once; every booking's figures agree with its payments and links, and paid + open links never
exceed a total except by payments that arrived for a link already closed (recorded as overpayment).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from deskpay.config import load_settings
from deskpay.services.desk import open_desk
from deskpay.services.money.ledger import compute_amounts
from deskpay.store.models import Booking, EmailMessage, Payment, PaymentLink
from tests.support.desk import add_activity
from tests.support.smtp_server import mail_server
from tests.support.stripe_server import StripeDouble, signed_delivery

DESKS = 4
OPERATIONS = int(os.environ.get("DESKPAY_SOAK_OPERATIONS", "500"))
SECRET = "whsec_soak_secret"
WORKER = "from deskpay.cli.main import run; run()"


@contextmanager
def mail_server_in_thread():
    """aiosmtpd on its own loop in a thread, for a synchronous test."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict = {}

    async def serve() -> None:
        box["stop"] = asyncio.Event()
        async with mail_server() as server:
            box["server"] = server
            ready.set()
            await box["stop"].wait()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    assert ready.wait(10), "the SMTP server did not start"
    try:
        yield box["server"]
    finally:
        loop.call_soon_threadsafe(box["stop"].set)
        thread.join(10)


def _desk(seed: int, operations: int, barrier, results) -> None:
    """One desk: a random mix of everything a desk does, on random bookings."""
    desk = open_desk(load_settings(), operator=f"desk{seed}", migrate=False)
    rng = random.Random(seed)
    counts: Counter = Counter()
    barrier.wait()
    try:
        for _ in range(operations):
            kind = rng.choices(
                ("create", "cash", "online", "split", "cancel", "confirm", "balance"),
                weights=(8, 14, 26, 14, 12, 12, 14),
            )[0]
            try:
                asyncio.run(_operation(desk, rng, kind))
                counts[kind] += 1
            except Exception as error:
                from deskpay.domain.errors import DeskpayError

                if not isinstance(error, DeskpayError):
                    raise
                counts["refused"] += 1
        results.put(("ok", dict(counts)))
    except BaseException:
        import traceback

        results.put(("crash", traceback.format_exc()))
    finally:
        desk.close()


async def _operation(desk, rng: random.Random, kind: str) -> None:
    from deskpay.services.bookings.confirmation import send_confirmation
    from deskpay.services.bookings.create import NewBooking, create_booking
    from deskpay.services.bookings.customers import NewCustomer
    from deskpay.services.links.lifecycle import cancel_link, list_links
    from deskpay.services.money.collect import (
        collect_offline,
        collect_online,
        request_balance,
    )
    from deskpay.services.money.split import split_booking

    try:
        if kind == "create":
            email = None if rng.random() < 0.15 else f"guest{rng.randint(1, 10**6)}@example.com"
            await asyncio.to_thread(
                create_booking,
                desk,
                NewBooking(
                    activity="Kayak",
                    start=desk.now().replace(microsecond=0) + _days(rng),
                    participants=rng.randint(1, 6),
                    customer=NewCustomer(f"Guest {rng.randint(1, 999)}", email, None, rng.choice(("fr", "en"))),
                ),
            )
            return
        reference = await asyncio.to_thread(_random_booking, desk, rng)
        if kind == "cash":
            await asyncio.to_thread(collect_offline, desk, reference, f"{rng.randint(5, 30)}.00", "cash")
        elif kind == "online":
            await collect_online(
                desk,
                reference,
                f"{rng.randint(5, 40)}.00",
                send_email=rng.random() < 0.7,
                email=f"payer{rng.randint(1, 999)}@example.com",
            )
        elif kind == "split":
            parts = rng.randint(2, 3)
            await split_booking(
                desk,
                reference,
                amounts=[f"{rng.randint(4, 12)}.00"] * parts,
                emails=[f"p{i}.{rng.randint(1, 999)}@example.com" for i in range(parts)],
            )
        elif kind == "cancel":
            links = await asyncio.to_thread(list_links, desk, reference, "open")
            if links:
                await cancel_link(desk, rng.choice(links).id, reason="soak")
        elif kind == "confirm":
            await send_confirmation(desk, reference, rng.choice(("deposit", "full")))
        else:
            await request_balance(desk, reference)
    finally:
        await desk.aclose()


def _days(rng: random.Random):
    from datetime import timedelta

    return timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))


def _random_booking(desk, rng: random.Random) -> str:
    with desk.read() as session:
        count = session.execute(select(func.count()).select_from(Booking)).scalar_one()
        return session.execute(
            select(Booking.reference).order_by(Booking.id).offset(rng.randrange(count)).limit(1)
        ).scalar_one()


class Customers(threading.Thread):
    """Customers paying open Checkout Sessions; Stripe posting the events (sometimes twice) and failing now and then."""

    def __init__(self, stripe: StripeDouble, webhook_url: str) -> None:
        super().__init__(daemon=True)
        self.stripe, self.webhook_url = stripe, webhook_url
        self.stop = threading.Event()
        self.rng = random.Random(7)
        self.paid: list[str] = []

    def run(self) -> None:
        turn = 0
        while not self.stop.wait(0.02):
            turn += 1
            if turn % 60 == 0:
                self.stripe.fail_next(500)  # the SDK retries with the same idempotency key
            with self.stripe._lock:
                open_ids = [sid for sid, s in self.stripe.sessions.items() if s["status"] == "open"]
            if not open_ids or self.rng.random() < 0.4:
                continue
            session_id = self.rng.choice(open_ids)
            try:
                self.stripe.pay(session_id)
            except Exception:
                continue  # expired or cancelled meanwhile
            self.paid.append(session_id)
            if self.rng.random() < 0.75:
                self.deliver(session_id, twice=self.rng.random() < 0.25)

    def deliver(self, session_id: str, *, twice: bool = False) -> None:
        body, headers = signed_delivery(self.stripe.last_event("checkout.session.completed", session_id), SECRET)
        for _ in range(2 if twice else 1):
            request = urllib.request.Request(self.webhook_url, data=body, headers=headers, method="POST")
            try:
                urllib.request.urlopen(request, timeout=10).read()
            except Exception:
                pass  # Stripe would retry; the final delivery below does


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)  # polling a database another process writes: there is no event to await


@pytest.mark.slow
def test_soak_four_desks_and_a_worker(db_url, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    with StripeDouble().serve_in_thread() as stripe, mail_server_in_thread() as mail:
        webhook_port, sandbox_port = _free_port(), _free_port()
        env = {
            "DESKPAY_DATABASE_URL": db_url,
            "DESKPAY_DATA_DIR": str(data_dir),
            "DESKPAY_PROVIDER": "stripe",
            "STRIPE_API_KEY": "sk_test_soak",
            "DESKPAY_STRIPE_API_BASE": stripe.base_url,
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "DESKPAY_SMTP_URL": mail.url,
            "DESKPAY_LOCALE": "en",
            "DESKPAY_SANDBOX_BIND": f"127.0.0.1:{sandbox_port}",
            "DESKPAY_EMBEDDED_WORKER": "false",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        setup = open_desk(load_settings(), operator="setup")
        add_activity(setup, "Kayak", price=4_000, max_participants=10)
        from datetime import timedelta

        from deskpay.services.bookings.create import NewBooking, create_booking
        from deskpay.services.bookings.customers import NewCustomer

        for i in range(30):
            create_booking(
                setup,
                NewBooking(
                    activity="Kayak",
                    start=setup.now() + timedelta(days=1 + i % 9),
                    participants=1 + i % 5,
                    customer=NewCustomer(f"Seed {i}", f"seed{i}@example.com"),
                ),
            )

        worker_log = (tmp_path / "worker.log").open("w+")  # a file, not a pipe nobody reads until the end
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, "worker", "--listen", f"127.0.0.1:{webhook_port}"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stderr=worker_log,
            text=True,
        )
        customers = Customers(stripe, f"http://127.0.0.1:{webhook_port}/stripe/webhook")
        try:
            _wait(lambda: _listening(webhook_port), 30, "the worker to listen")
            customers.start()
            context = multiprocessing.get_context("spawn")
            barrier, results = context.Barrier(DESKS), context.Queue()
            desks = [context.Process(target=_desk, args=(seed, OPERATIONS, barrier, results)) for seed in range(DESKS)]
            for process in desks:
                process.start()
            outcomes = [results.get(timeout=600) for _ in desks]
            for process in desks:
                process.join(60)
            crashes = [detail for status, detail in outcomes if status == "crash"]
            assert not crashes, crashes[0]
            customers.stop.set()
            customers.join(10)
            # Stripe keeps delivering until acknowledged: every paid session's event arrives in the end.
            for session_id in customers.paid:
                customers.deliver(session_id)
            _wait(lambda: _settled(setup, stripe), 90, "every paid session to be recorded")
            _wait(lambda: _outbox_empty(setup), 90, "the outbox to drain")
        finally:
            customers.stop.set()
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            worker_log.seek(0)
            stderr = worker_log.read()
            worker_log.close()
        assert worker.returncode == 0, stderr[-3000:]
        assert "Traceback" not in stderr, stderr[-3000:]

        totals = Counter()
        for _, counts in outcomes:
            totals.update(counts)
        assert sum(totals.values()) == DESKS * OPERATIONS
        assert totals["online"] > 0 and totals["split"] > 0 and totals["cash"] > 0 and totals["refused"] > 0
        assert len(customers.paid) > 10
        _check_invariants(setup, stripe, mail)
        setup.close()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _paid_sessions(stripe: StripeDouble) -> dict[str, dict]:
    with stripe._lock:
        return {
            s["payment_intent"]: dict(s)
            for s in stripe.sessions.values()
            if s["status"] == "complete" and s["payment_status"] == "paid"
        }


def _settled(desk, stripe: StripeDouble) -> bool:
    with desk.read() as session:
        recorded = set(
            session.execute(select(Payment.provider_reference).where(Payment.provider_reference.is_not(None))).scalars()
        )
    return set(_paid_sessions(stripe)) <= recorded


def _outbox_empty(desk) -> bool:
    with desk.read() as session:
        return (
            session.execute(
                select(func.count()).select_from(EmailMessage).where(EmailMessage.status.in_(("queued", "sending")))
            ).scalar_one()
            == 0
        )


def _check_invariants(desk, stripe: StripeDouble, mail) -> None:
    paid_sessions = _paid_sessions(stripe)
    with desk.read() as session:
        online = session.execute(select(Payment).where(Payment.method == "online")).scalars().all()
        links = {link.id: link for link in session.execute(select(PaymentLink)).scalars()}
        emails = session.execute(select(EmailMessage)).scalars().all()
        bookings = session.execute(select(Booking)).scalars().all()
        figures = {b.id: compute_amounts(session, b) for b in bookings}

    # Every payment Stripe took is recorded exactly once, for its amount; nothing else is recorded online.
    by_reference = Counter(p.provider_reference for p in online)
    assert all(count == 1 for count in by_reference.values())
    assert set(by_reference) == set(paid_sessions)
    assert sum(p.amount_minor for p in online) == sum(s["amount_total"] for s in paid_sessions.values())
    # No link paid twice, and each payment belongs to the link its session was made for.
    assert all(count == 1 for count in Counter(p.link_id for p in online).values())
    for payment in online:
        assert paid_sessions[payment.provider_reference]["client_reference_id"] == str(payment.link_id)
    # No Checkout Session created twice for one link (retries after 500s reused the idempotency key).
    with stripe._lock:
        per_link = Counter(s["client_reference_id"] for s in stripe.sessions.values())
    assert per_link and all(count == 1 for count in per_link.values())
    assert set(per_link) == {str(i) for i, link in links.items() if link.provider_id}
    # Every email delivered exactly once, none failed.
    assert {e.status for e in emails} == {"sent"}
    delivered = Counter(mail.handler.message_ids())
    assert all(count == 1 for count in delivered.values())
    assert set(delivered) == {e.message_id for e in emails}
    # Each booking's figures agree with its rows; only late payments may push it over its total.
    late = Counter()
    for payment in online:
        if links[payment.link_id].status != "paid":
            late[payment.booking_id] += payment.amount_minor
    for booking in bookings:
        amounts = figures[booking.id]
        assert (booking.paid_minor, booking.pending_minor) == (amounts.paid.minor, amounts.pending.minor)
        assert amounts.paid.minor + amounts.pending.minor <= booking.total_minor + late[booking.id]
