"""Layers point one way: the domain is pure, the store and services never load Textual.

Each check imports in a fresh interpreter, so nothing this test session already
loaded can hide (or fake) an import.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FORBIDDEN = ("textual", "sqlmodel", "sqlalchemy", "stripe", "aiosmtplib", "jinja2", "aiohttp")

_LOADED = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    names = []
    for package_name in sys.argv[1:]:
        package = importlib.import_module(package_name)
        names.append(package_name)
        if not package_name.startswith("deskpay"):
            continue  # a third-party probe: the package itself is enough
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    print(json.dumps({"imported": names, "loaded": sorted(sys.modules)}))
    """
)


def _import_in_fresh_interpreter(*packages: str) -> tuple[list[str], set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _LOADED, *packages], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["imported"], {name.partition(".")[0] for name in data["loaded"]}


def test_domain_imports_no_ui_sql_provider_mail_or_template_library():
    imported, loaded = _import_in_fresh_interpreter("deskpay.domain")
    assert {"deskpay.domain.money", "deskpay.domain.terms", "deskpay.domain.links"} <= set(imported)
    assert sorted(loaded & set(DOMAIN_FORBIDDEN)) == []


def test_store_and_every_service_module_load_no_textual():
    imported, loaded = _import_in_fresh_interpreter("deskpay.store", "deskpay.services")
    assert {
        "deskpay.store.models",
        "deskpay.services.money.collect",
        "deskpay.services.emails.outbox",
        "deskpay.services.providers.sandbox",
    } <= set(imported)
    assert "textual" not in loaded
    assert "deskpay" in loaded  # the probe did import something


_FIRST_FRAME = textwrap.dedent(
    """
    import gc, json, sys
    from pathlib import Path

    from deskpay.config import load_settings
    from deskpay.tui.app import build_app
    from deskpay.tui.reservations.booking_table import BookingTable

    app = build_app(load_settings(data_dir=Path(sys.argv[1]), embedded_worker=False), start_worker=False,
                    freeze_heap=True)
    display = app._display
    report = {}

    def displayed(screen, renderable):
        display(screen, renderable)
        tables = app.screen.query(BookingTable)
        if "first_frame" not in report and renderable is not None and tables and tables.first().loaded:
            report["first_frame"] = sorted(sys.modules)

    async def pilot(p):
        while not app._first_list_done:  # the list told the app it is up: the warm-up has started
            await p.pause()
        await app.workers.wait_for_complete()
        report["after"] = sorted(sys.modules)
        report["frozen"] = gc.get_freeze_count()
        app.exit()

    app._display = displayed
    app.run(headless=True, size=(100, 30), auto_pilot=pilot)
    app.desk.close()
    print(json.dumps(report))
    """
)
#: What the first list does not need and a launch must not pay for: each is imported where it is used,
#: the ORM and the models in the background once the list is on screen.
NOT_AT_LAUNCH = (
    "stripe",
    "jinja2",
    "aiosmtplib",
    "aiohttp",
    "qrcode",
    "alembic",
    "typer",
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "sqlalchemy.orm",
    "sqlmodel",
    "deskpay.store.models",
)


def test_the_first_frame_with_rows_comes_before_the_orm_providers_mail_templates_and_postgresql(tmp_path):
    from deskpay.config import Settings
    from deskpay.services.desk import open_desk
    from tests.support.desk import add_activity, add_booking

    desk = open_desk(Settings(data_dir=tmp_path), operator="alice")
    try:
        add_activity(desk)
        add_booking(desk)
    finally:
        desk.close()
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    at_first_frame, after = set(report["first_frame"]), set(report["after"])
    assert "sqlalchemy.dialects.sqlite" in at_first_frame  # the rows came from the database
    assert sorted(name for name in NOT_AT_LAUNCH if name in at_first_frame) == []
    # Then the booking sheet's queries load in the background, before anyone presses Enter.
    assert {"sqlalchemy.orm", "deskpay.store.models", "deskpay.services.bookings.sheet"} <= after
    # ...and what start-up built is frozen out of later garbage collections (each would walk it: ~50 ms).
    assert report["frozen"] > 10_000


def test_the_probe_would_see_textual():
    """The check above can fail: importing Textual is seen."""
    _, loaded = _import_in_fresh_interpreter("textual")
    assert "textual" in loaded


def test_import_linter_contracts_hold():
    executable = Path(sys.executable).with_name("lint-imports")
    command = [str(executable)] if executable.exists() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output
