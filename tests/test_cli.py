"""The CLI end to end on a real SQLite file: every command, every error path, nothing changed by a refusal."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from deskpay.cli.main import app
from deskpay.config import load_settings
from deskpay.services.desk import open_desk
from deskpay.store.models import EmailMessage
from tests.support.cli import cli_env, run, run_json, runner, snapshot, unpaid_reference  # noqa: F401


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


def test_collect_cash_records_payment(cli_env):
    reference = unpaid_reference()
    before = run_json("bookings", "show", reference)
    document = run_json("collect", reference, "--amount", "12,50", "--mode", "cash")
    assert document["payment"]["amount"] == 1250 and document["payment"]["method"] == "cash"
    assert document["payment"]["operator"] == "clara"
    after = run_json("bookings", "show", reference)
    assert after["paid"] == before["paid"] + 1250
    assert after["history"][0]["action"] == "payment.record"


def test_collect_online_prints_the_url_and_emails_it(cli_env):
    reference = unpaid_reference()
    result = run(
        "collect",
        reference,
        "--amount",
        "20",
        "--mode",
        "online",
        "--email",
        "guest@example.com",
        "--subject",
        "Votre lien",
    )
    url = result.stdout.strip()
    assert url.startswith("http://127.0.0.1:8765/pay/") and len(url.rsplit("/", 1)[1]) >= 43
    desk = open_desk(load_settings())
    with desk.read() as s:
        email = s.execute(select(EmailMessage).where(EmailMessage.to_addr == "guest@example.com")).scalar_one()
    desk.close()
    assert email.subject == "Votre lien" and url in email.text


def test_collect_online_with_a_message_file(cli_env, tmp_path):
    reference = unpaid_reference()
    message = tmp_path / "message.txt"
    message.write_text("Merci pour votre visite !\nÀ bientôt", encoding="utf-8")
    run(
        "collect",
        reference,
        "--amount",
        "5",
        "--mode",
        "online",
        "--email",
        "m@example.com",
        "--message-file",
        str(message),
    )
    desk = open_desk(load_settings())
    with desk.read() as s:
        email = s.execute(select(EmailMessage).where(EmailMessage.to_addr == "m@example.com")).scalar_one()
    desk.close()
    assert "Merci pour votre visite !" in email.text


def test_collect_online_no_email_queues_nothing(cli_env):
    reference = unpaid_reference()
    before = snapshot()
    document = run_json("collect", reference, "--amount", "7.00", "--mode", "online", "--no-email")
    assert document["emails_queued"] == 0 and document["links"][0]["amount"] == 700
    after = snapshot()
    assert after["EmailMessage"] == before["EmailMessage"] and after["PaymentLink"] == before["PaymentLink"] + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["R-1999-000001", "--amount", "10", "--mode", "cash"], "No booking"),
        (["{ref}", "--amount", "abc", "--mode", "cash"], "not an amount"),
        (["{ref}", "--amount", "-5", "--mode", "cash"], "negative"),
        (["{ref}", "--amount", "0", "--mode", "cash"], "more than zero"),
        (["{ref}", "--amount", "12.345", "--mode", "cash"], "ambiguous"),
        (["{ref}", "--amount", "999999", "--mode", "cash"], "limit"),
        (["{ref}", "--amount", "99999", "--mode", "cash"], "more than"),
        (["{ref}", "--amount", "10", "--mode", "bitcoin"], "Unknown mode"),
        (["{ref}", "--amount", "10", "--mode", "online", "--email", "bad@"], "bad@"),
        (
            [
                "{ref}",
                "--amount",
                "10",
                "--mode",
                "online",
                "--subject",
                "x\r\nBcc: a@example.com",
                "--email",
                "a@example.com",
            ],
            "control",
        ),
        (["{ref}", "--amount", "10", "--mode", "online", "--message-file", "/nonexistent/message.txt"], "message file"),
    ],
)
def test_collect_refusals_change_nothing(cli_env, args, message):
    reference = unpaid_reference()
    before = snapshot()
    result = run("collect", *[a.replace("{ref}", reference) for a in args], ok=False)
    assert result.exit_code == 1, result.output
    assert message.lower() in result.stderr.lower(), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot() == before


def test_collect_online_without_customer_email_and_no_address_is_refused(cli_env):
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
        "Sans Courriel",
    )
    before = snapshot()
    result = run("collect", created["reference"], "--amount", "10", "--mode", "online", ok=False)
    assert result.exit_code == 1 and "No email address" in result.stderr
    assert snapshot() == before


def test_split_equal_with_emails(cli_env):
    reference = unpaid_reference(minimum=3)
    shown = run_json("bookings", "show", reference)
    document = run_json("split", reference, "--parts", "3", "--emails", "a@example.com,,c@example.com")
    amounts = [link["amount"] for link in document["links"]]
    assert sum(amounts) == shown["requestable"] and max(amounts) - min(amounts) <= 1
    assert [link["label"] for link in document["links"]] == ["Participant 1", "Participant 2", "Participant 3"]
    assert [link["recipient_email"] for link in document["links"]] == ["a@example.com", None, "c@example.com"]
    assert document["emails_queued"] == 2
    assert run_json("bookings", "show", reference)["requestable"] == 0


def test_split_custom_amounts_and_labels(cli_env):
    reference = unpaid_reference()
    document = run_json("split", reference, "--amounts", "10,20.50", "--labels", "Léa,Tom", "--no-email")
    assert [(link["amount"], link["label"]) for link in document["links"]] == [(1000, "Léa"), (2050, "Tom")]
    french = run_json("split", reference, "--amounts", "1,50;2,25", "--no-email")
    assert [link["amount"] for link in french["links"]] == [150, 225]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--parts", "0"], "1 to 50"),
        (["--parts", "51"], "1 to 50"),
        (["--amounts", "10,0"], "more than zero"),
        (["--parts", "2", "--amount", "999999"], "limit"),
        (["--parts", "2", "--amount", "99999"], "more than"),
        (["--parts", "2", "--emails", "a@example.com"], "one per share"),
        (["--parts", "2", "--emails", "a@example.com,broken"], "broken"),
        (["--parts", "2", "--labels", "a,b,c"], "one per share"),
        ([], "--parts N"),
        (["--parts", "2", "--amounts", "1,2"], "--parts N"),
    ],
)
def test_split_refusals_change_nothing(cli_env, args, message):
    reference = unpaid_reference()
    before = snapshot()
    result = run("split", reference, *args, ok=False)
    assert result.exit_code == 1, result.output
    assert message.lower() in result.stderr.lower(), result.stderr
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


def test_links_list_cancel_regenerate_qr(cli_env):
    reference = unpaid_reference()
    link = run_json("collect", reference, "--amount", "15", "--mode", "online", "--no-email")["links"][0]
    listed = run_json("links", "list", reference, "--status", "open")["links"]
    assert link["id"] in [item["id"] for item in listed]
    qr = run("links", "qr", str(link["id"])).stdout
    assert "█" in qr and link["url"] in qr
    cancelled = run_json("links", "cancel", str(link["id"]), "--reason", "changed plans")["link"]
    assert cancelled["status"] == "cancelled" and cancelled["status_reason"] == "changed plans"
    before = snapshot()
    again = run("links", "cancel", str(link["id"]), ok=False)
    assert again.exit_code == 1 and "cancelled" in again.stderr
    assert run("links", "qr", str(link["id"]), ok=False).exit_code == 1
    assert snapshot() == before
    fresh = run_json("links", "regenerate", str(link["id"]))["links"][0]
    assert fresh["amount"] == link["amount"] and fresh["status"] == "open" and fresh["id"] != link["id"]


def test_links_errors(cli_env):
    before = snapshot()
    assert "No payment link #99999" in run("links", "cancel", "99999", ok=False).stderr
    assert "Unknown status" in run("links", "list", "--status", "bogus", ok=False).stderr
    assert "No booking" in run("links", "list", "R-2000-000001", ok=False).stderr
    assert snapshot() == before


def test_config_show_masks_secrets(cli_env, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_supersecretvalue123")
    monkeypatch.setenv("DESKPAY_SMTP_PASSWORD", "hunter2-password")
    monkeypatch.setenv("DESKPAY_DATABASE_URL", "postgresql+psycopg://desk:dbpassword@127.0.0.1/test")
    text = run("config", "show").stdout
    document = json.loads(run("config", "show", "--json").stdout)
    for secret in ("supersecretvalue", "hunter2", "dbpassword"):
        assert secret not in text and secret not in json.dumps(document)
    assert document["stripe_api_key"] == "********" and document["smtp_password"] == "********"


def test_db_upgrade_is_idempotent(cli_env):
    assert "revision 0002" in run("db", "upgrade").stdout
    assert "revision 0002" in run("db", "upgrade").stdout


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


def test_bad_global_language(cli_env):
    result = run("--lang", "de", "bookings", "list", ok=False)
    assert result.exit_code != 0
