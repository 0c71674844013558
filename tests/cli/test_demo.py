"""``deskpay demo load``: never over a database that holds real bookings."""

from __future__ import annotations

from deskpay.config import load_settings
from deskpay.services.desk import open_desk
from tests.support.cli import run, run_json


def test_demo_refuses_to_replace_real_bookings(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKPAY_DATA_DIR", str(tmp_path / "real"))
    monkeypatch.setenv("DESKPAY_CONFIG_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv("DESKPAY_DATABASE_URL", raising=False)
    run("--lang", "en", "demo", "load", "--bookings", "10")
    # A real booking created by hand in a fresh database makes it a real one.
    monkeypatch.setenv("DESKPAY_DATA_DIR", str(tmp_path / "shop"))
    run(
        "bookings",
        "create",
        "--activity",
        "x",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "1",
        "--name",
        "A",
        ok=False,
    )  # no activities yet: refused, nothing written
    desk = open_desk(load_settings())
    from deskpay.services.bookings.create import NewBooking, create_booking
    from deskpay.services.bookings.customers import NewCustomer
    from deskpay.store.models import Activity

    with desk.write() as s:
        s.add(Activity(name="Kayak", unit_price_minor=1000, currency="EUR"))
    create_booking(
        desk, NewBooking(activity="Kayak", start=desk.now(), participants=1, customer=NewCustomer("Real Customer"))
    )
    desk.close()
    result = run("--lang", "en", "demo", "load", "--bookings", "10", ok=False)
    assert result.exit_code == 1 and "real bookings" in result.stderr
    assert run_json("bookings", "list")["total_count"] == 1
