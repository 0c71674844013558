"""How much do concurrent Stripe calls save? Ten links at once vs one after another.

Runs StripeProvider (the real SDK) against the Stripe double with a fixed
per-request latency, so the numbers show whether the async client really
overlaps requests. Usage: ``.venv/bin/python bench/stripe_links.py [--latency 0.15] [--links 10]``

``--poll N`` also times one polling turn over N due links (a temporary
SQLite desk), one session at a time and at the polling job's concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support when run as a script

from deskpay.domain.money import Money
from deskpay.services.providers.base import LinkRequest
from deskpay.services.providers.stripe import StripeProvider
from tests.support.stripe_server import StripeDouble


def request(link_id: int, run: str) -> LinkRequest:
    return LinkRequest(
        link_id=link_id,
        token=f"bench{link_id}",
        idempotency_key=f"bench-{run}-{link_id}",
        amount=Money(4500 + link_id, "EUR"),
        booking_reference=f"BK-{link_id:04d}",
        label="Balance",
        recipient_email=None,
        language="en",
        expires_at=datetime.now(UTC) + timedelta(hours=2),
        business_name="Bench Canoës",
        operator="bench",
    )


async def measure(provider: StripeProvider, links: int) -> tuple[float, float]:
    await provider.create_link(request(0, "warm-up"))  # connection set-up is not what we measure
    start = time.perf_counter()
    await asyncio.gather(*(provider.create_link(request(i, "together")) for i in range(links)))
    together = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(links):
        await provider.create_link(request(i, "in-turn"))
    in_turn = time.perf_counter() - start
    await provider.aclose()
    return together, in_turn


async def measure_polling(base_url: str, links: int) -> list[tuple[int, float]]:
    """One poll turn over ``links`` due links, at concurrency 1 and at the job's default."""
    import tempfile

    from sqlalchemy import select

    from deskpay.config import Settings
    from deskpay.services.bookings.create import NewBooking, create_booking
    from deskpay.services.bookings.customers import NewCustomer
    from deskpay.services.desk import open_desk
    from deskpay.services.money.collect import collect_online
    from deskpay.services.settlement import POLL_CONCURRENCY, poll_due_links
    from deskpay.store.models import Activity, PaymentLink

    timings = []
    for concurrency in (1, POLL_CONCURRENCY):
        with tempfile.TemporaryDirectory() as folder:
            now = [datetime.now(UTC)]
            settings = Settings(
                data_dir=Path(folder),
                database_url=f"sqlite:///{folder}/bench.sqlite3",
                provider="stripe",
                stripe_api_key="sk_test_bench",
                stripe_api_base=base_url,
            )
            desk = open_desk(settings, operator="bench", clock=lambda now=now: now[0])
            desk.use_provider(
                StripeProvider(
                    "sk_test_bench",
                    success_url="https://example.com/ok",
                    cancel_url="https://example.com/cancel",
                    api_base=base_url,
                )
            )
            with desk.write() as session:
                session.add(Activity(name="Bench", unit_price_minor=4000, currency="EUR", max_participants=10))
            for i in range(links):
                booking = create_booking(
                    desk,
                    NewBooking(
                        activity="Bench",
                        start=now[0] + timedelta(days=2),
                        participants=1,
                        customer=NewCustomer(name=f"Guest {i}"),
                    ),
                )
                await collect_online(desk, booking.reference, "10,00")
            now[0] += timedelta(seconds=11)
            start = time.perf_counter()
            asked = await poll_due_links(desk, limit=links, concurrency=concurrency)
            timings.append((concurrency, time.perf_counter() - start))
            assert asked == links
            with desk.read() as session:
                assert all(when > now[0] for when in session.execute(select(PaymentLink.next_check_at)).scalars())
            await desk.aclose()
            desk.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds the double waits per request")
    parser.add_argument("--links", type=int, default=10)
    parser.add_argument("--poll", type=int, default=0, help="also time one polling turn over this many due links")
    args = parser.parse_args()
    with StripeDouble(latency=args.latency).serve_in_thread() as double:
        provider = StripeProvider(
            "sk_test_bench",
            success_url="https://example.com/ok",
            cancel_url="https://example.com/cancel",
            api_base=double.base_url,
        )
        together, in_turn = asyncio.run(measure(provider, args.links))
        print(f"{args.links} links, {args.latency * 1000:.0f} ms latency per request")
        print(f"  concurrently : {together * 1000:7.0f} ms  (max {double.max_in_flight} requests in flight)")
        print(f"  one at a time: {in_turn * 1000:7.0f} ms")
        print(f"  ratio        : {in_turn / together:7.1f}x")
        if args.poll:
            print(f"one polling turn over {args.poll} due links")
            for concurrency, seconds in asyncio.run(measure_polling(double.base_url, args.poll)):
                print(f"  {concurrency} at a time  : {seconds * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
