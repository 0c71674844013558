"""``deskpay config show``: the configuration with its secrets masked."""

from __future__ import annotations

import json

from tests.support.cli import run


def test_config_show_masks_secrets(cli_env, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_supersecretvalue123")
    monkeypatch.setenv("DESKPAY_SMTP_PASSWORD", "hunter2-password")
    monkeypatch.setenv("DESKPAY_DATABASE_URL", "postgresql+psycopg://desk:dbpassword@127.0.0.1/test")
    text = run("config", "show").stdout
    document = json.loads(run("config", "show", "--json").stdout)
    for secret in ("supersecretvalue", "hunter2", "dbpassword"):
        assert secret not in text and secret not in json.dumps(document)
    assert document["stripe_api_key"] == "********" and document["smtp_password"] == "********"
