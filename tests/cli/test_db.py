"""``deskpay db upgrade``: the schema migrated, and again without harm."""

from __future__ import annotations

from tests.support.cli import run


def test_db_upgrade_is_idempotent(cli_env):
    assert "revision 0002" in run("db", "upgrade").stdout
    assert "revision 0002" in run("db", "upgrade").stdout
