"""PostgreSQL restarted while desks are recording payments: the pool reconnects, nothing is lost or invented.

Restarts the machine's own PostgreSQL cluster (pg_ctlcluster), so it runs only
where the suite is pointed at that server; it is skipped elsewhere with the
reason, and required when CI=true.
"""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from deskpay.config import Settings
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.desk import open_desk
from deskpay.services.money.collect import collect_offline
from deskpay.store.models import Payment
from tests.support.desk import add_activity, add_booking


@pytest.mark.slow
@pytest.mark.postgres
def test_payments_survive_a_postgresql_restart(restartable_url, tmp_path):
    url, restart = restartable_url
    desk = open_desk(Settings(data_dir=tmp_path, database_url=url, operator="desk", locale="en"))
    add_activity(desk, "Kayak", price=100_000, max_participants=10)
    reference = add_booking(desk, "Kayak", participants=10).reference  # 10,000.00: room for many payments
    acknowledged: list[int] = []
    failures: list[BaseException] = []
    restarted = threading.Event()
    after_restart = threading.Event()
    stop = threading.Event()

    def desk_at_work() -> None:
        while not stop.is_set():
            try:
                payment = collect_offline(desk, reference, "1.00", "cash")
            except DBAPIError as error:  # the server went away mid-transaction: the desk sees an error
                failures.append(error)
                time.sleep(0.05)  # a person retrying, not a busy loop against a restarting server
                continue
            acknowledged.append(payment.id)
            if restarted.is_set() and len(acknowledged) > 0:
                after_restart.set()

    workers = [threading.Thread(target=desk_at_work) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(acknowledged) >= 30, "the desks did not get going"
        subprocess.run(restart, check=True, timeout=120, capture_output=True)
        restarted.set()
        assert after_restart.wait(60), "no payment went through after the restart"
        before = len(acknowledged)
        deadline = time.monotonic() + 20
        while len(acknowledged) < before + 30 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)

    with desk.read() as session:
        stored = set(session.execute(select(Payment.id)).scalars())
        paid = session.execute(select(func.sum(Payment.amount_minor))).scalar_one()
    # Everything a desk was told is recorded is there; anything more can only be a commit whose
    # answer the restart swallowed, at most one per failure seen.
    assert set(acknowledged) <= stored
    assert len(stored) - len(acknowledged) <= len(failures)
    detail = booking_detail(desk, reference)
    assert detail.amounts.paid.minor == paid == 100 * len(stored)
    assert len(acknowledged) >= 60
    desk.close()
