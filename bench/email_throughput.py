"""How fast does the outbox empty? Our delivery worker vs a bare aiosmtplib loop, same server, same run.

2,000 queued confirmation emails (rendered from the real templates) are
delivered to a local aiosmtpd running in a separate process, three ways:

* **worker** — :class:`deskpay.services.emails.delivery.Delivery` on a fresh
  SQLite outbox: claim, build, send, record, one message at a time;
* **bare aiosmtplib** — the floor of what the worker does: build each message
  with the same ``build_mime`` and ``sendmail`` it on one reused connection,
  no database;
* **smtplib, one connection per message** — the naive way: the standard
  library, connect, send, quit, for every message.

The messages are split into ``--rounds`` rounds and the three ways take
turns on each round, so a busy machine slows them alike. The worker must
reach ``--target`` (80 %) of the bare loop, and the server must have received
every message, or the script exits 1.
Usage: ``.venv/bin/python bench/email_throughput.py [--messages 2000] [--rounds 40]``
"""

from __future__ import annotations

import argparse
import asyncio
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from deskpay.config import Settings, load_settings
from deskpay.services.desk import Desk, open_desk
from deskpay.services.emails.compose import Draft, draft_email
from deskpay.services.emails.delivery import Delivery
from deskpay.services.emails.mime import build_mime, make_message_id
from deskpay.services.emails.outbox import queue_draft
from deskpay.store.models import EmailMessage

SERVER = r"""
import asyncio, sys
from aiosmtpd.smtp import SMTP

class Counter:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        Counter.received += 1
        return "250 2.0.0 Ok"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Counter(), hostname="bench.test"), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes our stdin
    print(Counter.received, flush=True)

asyncio.run(main())
"""


class ServerProcess:
    """aiosmtpd in its own process, so that it does not share our event loop or our GIL."""

    def __enter__(self) -> ServerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.port = int(self.process.stdout.readline())
        return self

    def received(self) -> int:
        self.process.stdin.close()
        count = int(self.process.stdout.readline())
        self.process.wait(timeout=10)
        return count

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def sample_draft() -> Draft:
    business = {
        "name": "Canoës de l'Ardèche",
        "address": "12 route des Gorges\n07150 Vallon-Pont-d'Arc",
        "signature": "L'équipe de la base",
        "email": "resa@canoes.example",
        "phone": "+33 4 75 00 00 00",
    }
    context = {
        "business": business,
        "customer": {"name": "Élodie Martin"},
        "booking": {
            "reference": "R-2026-0042",
            "activity": "Canoë 24 km",
            "start": "mercredi 8 juillet 2026 à 09:00",
            "participants": 4,
            "total": "180,00 €",
            "paid": "0,00 €",
            "balance": "180,00 €",
        },
        "link": {
            "url": "https://pay.canoes.example/c/0123456789abcdef",
            "amount": "54,00 €",
            "label": "Acompte",
            "expires": "jeudi 2 juillet 2026 à 10:00",
        },
        "deposit": True,
        "balance_after": "126,00 €",
        "split": None,
        "message": "",
        "payment": None,
        "tickets": None,
    }
    return draft_email("confirmation", "fr", "elodie.martin@example.com", context)


def open_outbox(directory: Path, port: int) -> Desk:
    settings = load_settings(
        data_dir=directory,
        smtp_url=f"smtp://127.0.0.1:{port}",
        business_name="Canoës de l'Ardèche",
        smtp_from="resa@canoes.example",
        smtp_reply_to="contact@canoes.example",
    )
    return open_desk(settings, operator="bench")


def queue(desk: Desk, draft: Draft, first: int, count: int) -> list[EmailMessage]:
    """Queue ``count`` copies of the draft to distinct recipients; return the rows."""
    now = datetime.now(UTC)
    with desk.write() as session:
        rows = [
            queue_draft(
                session,
                desk.settings,
                Draft(
                    draft.kind, draft.language, f"client{first + i}@example.com", draft.subject, draft.text, draft.html
                ),
                now=now,
                operator="bench",
                booking_id=None,
                link_id=None,
            )
            for i in range(count)
        ]
    return rows


def unqueued(desk: Desk, draft: Draft, first: int, count: int) -> list[EmailMessage]:
    """The same messages for the ways without a database: rows never written."""
    domain = desk.settings.smtp_from.rpartition("@")[2]
    return [
        EmailMessage(
            kind=draft.kind,
            language=draft.language,
            to_addr=f"client{first + i}@example.com",
            subject=draft.subject,
            text=draft.text,
            html=draft.html,
            message_id=make_message_id(domain),
        )
        for i in range(count)
    ]


def build(settings: Settings, row: EmailMessage, now: datetime) -> bytes:
    return build_mime(
        message_id=row.message_id,
        date=now,
        from_addr=settings.smtp_from,
        from_name=settings.smtp_from_name or settings.business_name,
        to=row.to_addr,
        reply_to=settings.smtp_reply_to,
        subject=row.subject,
        text=row.text,
        html=row.html,
    ).as_bytes()


async def time_worker(delivery: Delivery, expected: int) -> float:
    start = time.perf_counter()
    report = await delivery.run_batch()
    elapsed = time.perf_counter() - start
    if report.sent != expected or report.errors:
        raise SystemExit(f"the worker did not send its {expected} messages: {report}")
    return elapsed


async def time_bare(smtp, settings: Settings, rows: list[EmailMessage], *, prebuilt: bool = False) -> float:
    payloads = [build(settings, row, datetime.now(UTC)) for row in rows] if prebuilt else None
    start = time.perf_counter()
    for index, row in enumerate(rows):
        data = payloads[index] if payloads is not None else build(settings, row, datetime.now(UTC))
        await smtp.sendmail(settings.smtp_from, [row.to_addr], data)
    return time.perf_counter() - start


def time_smtplib(port: int, settings: Settings, rows: list[EmailMessage], *, prebuilt: bool = False) -> float:
    payloads = [build(settings, row, datetime.now(UTC)) for row in rows] if prebuilt else None
    start = time.perf_counter()
    for index, row in enumerate(rows):
        data = payloads[index] if payloads is not None else build(settings, row, datetime.now(UTC))
        with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local") as smtp:
            smtp.sendmail(settings.smtp_from, [row.to_addr], data)
    return time.perf_counter() - start


async def measure(desk: Desk, port: int, draft: Draft, messages: int, rounds: int) -> dict[str, float]:
    """Seconds each way took for ``messages`` messages, run in interleaved rounds.

    The rounds alternate the ways on the same number of fresh messages, so a
    busy machine slows them all alike instead of whichever happened to run last.
    """
    import aiosmtplib

    totals = dict.fromkeys(("worker", "bare", "wire", "smtplib", "smtplib_wire"), 0.0)
    delivery = Delivery(desk)
    per_round = [messages // rounds + (1 if r < messages % rounds else 0) for r in range(rounds)]
    queue(desk, draft, -20, 20)  # warm-up: first connection, first statements
    await delivery.run_batch()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, local_hostname="bench.local") as smtp:
        await time_bare(smtp, desk.settings, unqueued(desk, draft, -20, 20))
        sent = 0
        for count in per_round:
            totals["worker"] += await time_worker(delivery, len(queue(desk, draft, sent, count)))
            totals["bare"] += await time_bare(smtp, desk.settings, unqueued(desk, draft, sent, count))
            totals["wire"] += await time_bare(smtp, desk.settings, unqueued(desk, draft, sent, count), prebuilt=True)
            totals["smtplib"] += time_smtplib(port, desk.settings, unqueued(desk, draft, sent, count))
            totals["smtplib_wire"] += time_smtplib(
                port, desk.settings, unqueued(desk, draft, sent, count), prebuilt=True
            )
            sent += count
    with desk.read() as session:
        unsent = session.execute(select(func.count()).where(EmailMessage.status != "sent")).scalar()
    if unsent:
        raise SystemExit(f"the worker left {unsent} message(s) unsent")
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds the messages are split into")
    parser.add_argument("--target", type=float, default=0.80, help="worker / bare aiosmtplib, at least")
    args = parser.parse_args()
    socket.getfqdn()  # warm the resolver cache: not what we measure
    draft = sample_draft()
    with tempfile.TemporaryDirectory() as tmp, ServerProcess() as server:
        desk = open_outbox(Path(tmp), server.port)
        try:
            totals = asyncio.run(measure(desk, server.port, draft, args.messages, args.rounds))
        finally:
            desk.close()
        received = server.received()
    expected = 5 * args.messages + 40
    rates = {way: args.messages / seconds for way, seconds in totals.items()}
    ratio = rates["worker"] / rates["bare"]
    print(
        f"{args.messages} messages ({len(draft.text) + len(draft.html)} characters of text and HTML) each way, "
        f"to aiosmtpd in another process, {args.rounds} interleaved rounds"
    )
    print(f"  worker: claim, build, send, record      {rates['worker']:8.0f} msg/s")
    print(f"  bare aiosmtplib: build, send            {rates['bare']:8.0f} msg/s")
    print(f"  smtplib, one connection per message     {rates['smtplib']:8.0f} msg/s")
    print(
        f"  (the wire alone, messages built before: one connection {rates['wire']:.0f} msg/s, "
        f"smtplib one per message {rates['smtplib_wire']:.0f} msg/s)"
    )
    print(
        f"worker / bare aiosmtplib = {ratio:.0%} (target ≥ {args.target:.0%}); "
        f"worker / smtplib per message = {rates['worker'] / rates['smtplib']:.2f}×"
    )
    if received != expected:
        print(f"the server received {received} messages, expected {expected}", file=sys.stderr)
        return 1
    if ratio < args.target:
        print("target missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
