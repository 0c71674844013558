"""The CLI tests' fixtures: the environment ``deskpay`` runs in, on a demo database or an empty one.

* ``cli_env``: a fresh demo (120 bookings) for this test, in English, operator clara.
* ``hostile_env`` / ``hostile_ref``: a demo of 400 bookings built once per
  module (the hostile-input tests only refuse or add), and an unpaid booking in it.
* ``cli_desk``: an empty database the CLI and the test's own desk share.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deskpay.cli.main import app
from deskpay.config import Settings, load_settings
from deskpay.services.demo import load_demo
from deskpay.services.desk import open_desk
from tests.support.cli import runner, unpaid_booking


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "DESKPAY_DATA_DIR": str(tmp_path / "data"),
        "DESKPAY_CONFIG_FILE": str(tmp_path / "none.toml"),
        "DESKPAY_SECRETS_FILE": str(tmp_path / "no-secrets.toml"),
        "DESKPAY_OPERATOR": "clara",
        "DESKPAY_LOCALE": "en",
    }
    for key in ("DESKPAY_DATABASE_URL", "STRIPE_API_KEY", "DESKPAY_PROVIDER"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(app, ["demo", "load", "--bookings", "120"])
    assert result.exit_code == 0, result.output
    return env


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile")
    desk = open_desk(Settings(data_dir=path, locale="en", operator="desk"))
    load_demo(desk, bookings=400)
    desk.close()
    return path


@pytest.fixture()
def hostile_env(hostile_dir, monkeypatch):
    monkeypatch.setenv("DESKPAY_DATA_DIR", str(hostile_dir))
    monkeypatch.setenv("DESKPAY_LOCALE", "en")
    monkeypatch.setenv("DESKPAY_OPERATOR", "desk")


@pytest.fixture()
def hostile_ref(hostile_env) -> str:
    return unpaid_booking()


@pytest.fixture
def cli_desk(tmp_path: Path, monkeypatch):
    from deskpay.cli.context import state

    monkeypatch.setenv("DESKPAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESKPAY_LOCALE", "en")
    monkeypatch.setenv("DESKPAY_OPERATOR", "clara")
    monkeypatch.setattr(state, "lang", None)
    monkeypatch.setattr(state, "operator", None)
    desk = open_desk(load_settings())
    yield desk
    desk.close()
