"""``deskpay`` itself: its global options."""

from __future__ import annotations

from tests.support.cli import run


def test_bad_global_language(cli_env):
    result = run("--lang", "de", "bookings", "list", ok=False)
    assert result.exit_code != 0
