"""Several desks on one database: money invariants under concurrent processes, and live change notices.

Run on SQLite and on PostgreSQL (``db_url``). The races use real processes,
each with its own engine, all hammering the same booking.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time

import pytest
from sqlalchemy import func, select

from deskpay.config import Settings
from deskpay.domain.errors import DeskpayError
from deskpay.services.bookings.listing import changed_since
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.changes import ChangeWatcher
from deskpay.services.desk import open_desk
from deskpay.store.models import Payment, PaymentLink
from tests.support.desk import add_activity, add_booking


def _settings(url: str, tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        operator="desk",
        provider="sandbox",
        sandbox_public_url="http://127.0.0.1:8765",
    )


def _desk_worker(url: str, data_dir: str, reference: str, seed: int, rounds: int, barrier, results) -> None:
    """One desk process: a random mix of collect, online link, split and confirmation on the same booking."""
    import random
    from pathlib import Path

    rng = random.Random(seed)
    desk = open_desk(
        Settings(
            data_dir=Path(data_dir),
            database_url=url,
            operator=f"desk{seed}",
            provider="sandbox",
            sandbox_public_url="http://127.0.0.1:8765",
        ),
        migrate=False,
    )
    barrier.wait()
    try:
        _rounds(desk, reference, rng, rounds, results)
    except BaseException:  # report at once rather than let the parent wait for a dead child
        import traceback

        results.put(("crash", traceback.format_exc()))
        raise
    finally:
        desk.close()


def _rounds(desk, reference, rng, rounds, results) -> None:
    from deskpay.services.bookings.confirmation import send_confirmation
    from deskpay.services.money.collect import collect_offline, collect_online
    from deskpay.services.money.split import split_booking

    done = refused = 0
    for _ in range(rounds):
        action = rng.choice(("cash", "online", "split", "confirm"))
        try:
            if action == "cash":
                collect_offline(desk, reference, f"{rng.randint(5, 40)}.00", "cash")
            elif action == "online":
                asyncio.run(collect_online(desk, reference, f"{rng.randint(5, 40)}.00"))
            elif action == "split":
                asyncio.run(
                    split_booking(
                        desk, reference, amounts=[f"{rng.randint(3, 15)}.00"] * rng.randint(2, 3), send_email=False
                    )
                )
            else:
                asyncio.run(send_confirmation(desk, reference, "full"))
            done += 1
        except DeskpayError:
            refused += 1
    results.put((done, refused))


@pytest.mark.slow
def test_concurrent_desks_never_ask_more_than_the_total(db_url, tmp_path):
    """Four processes race on one booking: paid + open links never exceed the total."""
    settings = _settings(db_url, tmp_path)
    desk = open_desk(settings, operator="setup")
    add_activity(desk, "Kayak", price=5_000, max_participants=10)
    reference = add_booking(desk, "Kayak", participants=6).reference  # 300.00
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    processes = [
        context.Process(
            target=_desk_worker, args=(db_url, str(tmp_path / "data"), reference, seed, 25, barrier, results)
        )
        for seed in range(4)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=240) for _ in processes]
    crashes = [detail for kind, detail in outcomes if kind == "crash"]
    assert not crashes, crashes[0]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sum(done for done, _ in outcomes) > 0 and sum(refused for _, refused in outcomes) > 0
    detail = booking_detail(desk, reference)
    with desk.read() as session:
        paid = session.execute(select(func.coalesce(func.sum(Payment.amount_minor), 0))).scalar_one()
        pending = session.execute(
            select(func.coalesce(func.sum(PaymentLink.amount_minor), 0)).where(PaymentLink.status == "open")
        ).scalar_one()
    assert paid + pending <= detail.amounts.total.minor
    assert detail.amounts.paid.minor == paid and detail.amounts.pending.minor == pending
    desk.close()


def test_a_change_by_another_desk_is_noticed_within_two_seconds(db_url, tmp_path):
    settings = _settings(db_url, tmp_path)
    here = open_desk(settings, operator="front")
    add_activity(here, "Kayak", price=5_000)
    reference = add_booking(here, "Kayak").reference
    revision, _ = changed_since(here, 0)
    watcher = ChangeWatcher(here)
    watcher.wait(0.01)  # start listening before the other desk writes
    other = open_desk(settings, operator="back", migrate=False)

    def pay_later() -> None:
        time.sleep(0.2)  # the other desk acts while this one is waiting, as in the shop
        from deskpay.services.money.collect import collect_offline

        collect_offline(other, reference, "10", "card")

    thread = threading.Thread(target=pay_later)
    started = time.monotonic()
    thread.start()
    seen: list[str] = []
    while time.monotonic() - started < 2.0 and not seen:
        watcher.wait(0.5)
        revision, seen = changed_since(here, revision)
    thread.join()
    assert seen == [reference]
    assert time.monotonic() - started < 2.0
    if here.engine.dialect.name == "postgresql":
        assert watcher.listening
    watcher.close()
    other.close()
    here.close()
