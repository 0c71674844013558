"""``deskpay outbox`` list, show and retry, and its one-line errors."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from tests.support.smtp_server import outbox, queue_emails, set_email

runner = CliRunner()


def _cli() -> typer.Typer:
    """The real ``deskpay`` app once it registers ``outbox``; until then a host app for our commands."""
    from deskpay.cli.main import app as main_app

    if any(group.name == "outbox" for group in main_app.registered_groups):
        return main_app
    from deskpay.cli.outbox import app as outbox_app

    host = typer.Typer()

    @host.callback()
    def _root() -> None:
        """Test host."""

    host.add_typer(outbox_app, name="outbox")
    return host


def test_cli_list_show_retry(cli_desk):
    cli = _cli()
    ids = queue_emails(cli_desk, 3)
    set_email(cli_desk, ids[0], status="failed", attempts=2, last_error="550 5.1.1 No such user")

    listed = runner.invoke(cli, ["outbox", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.stdout)
    assert [m["id"] for m in document["messages"]] == ids[::-1]
    assert document["counts"] == {"queued": 2, "sending": 0, "sent": 0, "failed": 1}

    text = runner.invoke(cli, ["outbox", "list", "--status", "failed"])
    assert text.exit_code == 0
    lines = text.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"#{ids[0]}") and "550 5.1.1 No such user" in lines[0]
    assert lines[1].startswith("1 / 1")

    shown = runner.invoke(cli, ["outbox", "show", str(ids[0])])
    assert shown.exit_code == 0 and "status:" in shown.stdout and "Bonjour 0," in shown.stdout
    as_json = json.loads(runner.invoke(cli, ["outbox", "show", str(ids[0]), "--json"]).stdout)
    assert as_json["status"] == "failed" and as_json["text"].startswith("Bonjour 0")

    retried = runner.invoke(cli, ["outbox", "retry", str(ids[0])])
    assert retried.exit_code == 0 and retried.stdout.startswith(f"#{ids[0]} queued")
    assert outbox(cli_desk)[ids[0]].status == "queued"


def test_cli_errors_are_one_line(cli_desk):
    cli = _cli()
    (only,) = queue_emails(cli_desk, 1)
    set_email(cli_desk, only, status="sent")
    refused = runner.invoke(cli, ["outbox", "retry", str(only)])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == f"Email {only} was already sent to client0@example.com; there is nothing to retry."
    missing = runner.invoke(cli, ["outbox", "show", "999"])
    assert (missing.exit_code, missing.stderr.strip()) == (1, "There is no email number 999 in the outbox.")
    bad = runner.invoke(cli, ["outbox", "list", "--status", "lost"])
    assert bad.exit_code == 1 and "Unknown email status “lost”" in bad.stderr
