"""``deskpay bookings`` list, show and create, ``resend-confirmation`` and ``request-balance``, on a demo database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deskpay.cli.main import app
from deskpay.config import load_settings
from deskpay.services.desk import open_desk
from deskpay.store.models import EmailMessage
from tests.support.cli import run, run_json, runner, snapshot, unpaid_reference


def test_bookings_list_json_has_stable_fields(cli_env):
    document = run_json("bookings", "list", "--limit", "5")
    assert document["total_count"] == 120
    row = document["bookings"][0]
    assert set(row) == {
        "reference",
        "start",
        "activity",
        "customer",
        "participants",
        "currency",
        "total",
        "paid",
        "balance",
        "badge",
        "status",
    }
    assert isinstance(row["total"], int) and row["currency"] == "EUR" and row["start"].endswith("Z")
    assert row["balance"] == row["total"] - row["paid"]


def test_bookings_list_filters(cli_env):
    unpaid = run_json("bookings", "list", "--unpaid", "--limit", "500")["bookings"]
    assert unpaid and all(row["balance"] > 0 for row in unpaid)
    first = run_json("bookings", "list", "--limit", "1")["bookings"][0]
    found = run_json("bookings", "list", "--search", first["reference"])["bookings"]
    assert [row["reference"] for row in found] == [first["reference"]]
    day = first["start"][:10]
    dated = run_json("bookings", "list", "--date", day, "--limit", "500")["bookings"]
    assert first["reference"] in {row["reference"] for row in dated}
    text = run("bookings", "list", "--limit", "3").stdout
    assert text.strip().splitlines()[-1] == "3 / 120"


def test_bookings_show_text_and_json(cli_env):
    reference = unpaid_reference()
    shown = run_json("bookings", "show", reference)
    assert shown["reference"] == reference
    assert shown["balance"] == shown["total"] - shown["paid"]
    assert shown["requestable"] == shown["balance"] - shown["pending"]
    text = run("bookings", "show", reference.lower()).stdout
    assert reference in text and "Balance" in text


def test_bookings_create_with_confirmation_queues_email_and_link(cli_env):
    created = run_json(
        "bookings",
        "create",
        "--activity",
        "Canoë mini-descente",
        "--start",
        "2026-12-05T10:00",
        "--participants",
        "3",
        "--name",
        "Zoé Lambert",
        "--email",
        "zoe@example.com",
        "--phone",
        "+33 6 12 34 56 78",
        "--confirm",
        "full",
    )
    assert created["total"] == 3 * 2200
    link = created["confirmation"]["link"]
    assert link["amount"] == 6600 and link["status"] == "open" and link["url"].startswith("http://127.0.0.1:8765/pay/")
    assert created["confirmation"]["to"] == "zoe@example.com"
    desk = open_desk(load_settings())
    with desk.read() as s:
        email = s.execute(select(EmailMessage).where(EmailMessage.to_addr == "zoe@example.com")).scalar_one()
    assert email.kind == "confirmation" and link["url"] in email.text
    desk.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--activity", "Nope", "--participants", "2", "--name", "A"], "No activity"),
        (["--activity", "Canoë mini", "--participants", "0", "--name", "A"], "Participants"),
        (["--activity", "Canoë mini", "--participants", "2", "--name", ""], "Name is required"),
        (["--activity", "Canoë mini", "--participants", "2", "--name", "A", "--email", "not-an-email"], "not-an-email"),
        (["--activity", "Canoë mini", "--participants", "2", "--name", "A", "--phone", "call me"], "phone"),
        (["--activity", "Canoë mini", "--participants", "2", "--name", "A", "--confirm", "deposit"], "no email"),
        (["--activity", "Canoë mini", "--participants", "2", "--name", "A", "--confirm", "half"], "confirmation mode"),
        (["--activity", "Canoë mini", "--participants", "2", "--name", "A", "--lang", "de"], "fr or en"),
    ],
)
def test_bookings_create_refusals_change_nothing(cli_env, args, message):
    before = snapshot()
    result = run("bookings", "create", "--start", "2026-12-05T10:00", *args, ok=False)
    assert result.exit_code == 1
    assert message.lower() in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot() == before


def test_bad_start_date_is_refused(cli_env):
    before = snapshot()
    result = run(
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "tomorrow",
        "--participants",
        "2",
        "--name",
        "A",
        ok=False,
    )
    assert result.exit_code == 1 and "not a date and time" in result.stderr
    assert snapshot() == before


def test_resend_confirmation_reuses_the_open_link(cli_env):
    created = run_json(
        "bookings",
        "create",
        "--activity",
        "Canoë grande descente",
        "--start",
        "2026-12-07T09:00",
        "--participants",
        "2",
        "--name",
        "Ana Silva",
        "--email",
        "ana@example.com",
        "--lang",
        "en",
        "--confirm",
        "deposit",
    )
    first = created["confirmation"]["link"]
    assert first["amount"] == -(-2 * 3800 * 30 // 100)  # 30 % deposit, rounded up to the cent
    again = run_json("resend-confirmation", created["reference"])
    assert again["reused_link"] is True and again["link"]["id"] == first["id"]
    desk = open_desk(load_settings())
    with desk.read() as s:
        emails = s.execute(select(EmailMessage).where(EmailMessage.to_addr == "ana@example.com")).scalars().all()
    desk.close()
    assert [e.kind for e in emails] == ["confirmation", "confirmation"]
    assert all(e.language == "en" for e in emails)


def test_resend_confirmation_without_email_says_why(cli_env):
    created = run_json(
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-06T10:00",
        "--participants",
        "2",
        "--name",
        "Paul Sansmail",
    )
    before = snapshot()
    result = run("resend-confirmation", created["reference"], ok=False)
    assert result.exit_code == 1 and "Paul Sansmail has no email address" in result.stderr
    french = runner.invoke(app, ["--lang", "fr", "resend-confirmation", created["reference"]])
    assert french.exit_code == 1 and "n'a pas d'adresse email" in french.stderr
    assert snapshot() == before


def test_request_balance(cli_env):
    reference = unpaid_reference()
    shown = run_json("bookings", "show", reference)
    document = run_json("request-balance", reference, "--no-email")
    assert document["links"][0]["amount"] == shown["requestable"]
    assert document["links"][0]["purpose"] == "balance"
    result = run("request-balance", reference, ok=False)
    assert result.exit_code == 1 and "Nothing left to request" in result.stderr
